# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a module in this test process: its class with patched module arguments, JSON read from its stdout.

In process, a provider registered by a fixture (``_providers.PROVIDERS``) is seen by the module, which a module
run as a subprocess (tests/integration/conftest.py ``run_module``) could not see.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import importlib
import io
import json
import os
from unittest import mock

from tests.integration.conftest import ModuleRun
from tests.unit.plugins.module_utils.module_args import patch_module_args

# Variables of the test host that must not reach a module unless the stack gives them.
CONNECTION_PREFIXES = ('IMS_', 'OS_', 'HUAWEICLOUD_')


class Outcome(ModuleRun):
    """A module's result, read like a subprocess run's (``outcome['image']``, ``outcome.failed``, ``outcome.changed``)."""

    def __init__(self, result):  # pylint: disable=super-init-not-called
        self.rc, self.stdout, self.stderr, self.result = None, '', '', result


def run_module(name, args, env=None, check=False, diff=False):
    """Run ``cecloud.ims.<name>`` in this process with ``args`` and the environment ``env`` (and no other
    connection variable); returns its Outcome."""
    module = importlib.import_module('ansible_collections.cecloud.ims.plugins.modules.' + name)
    module_args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    clean = dict((k, v) for k, v in os.environ.items() if not k.startswith(CONNECTION_PREFIXES))
    clean.update(env or {})
    out = io.StringIO()
    with mock.patch.dict(os.environ, clean, clear=True), patch_module_args(module_args), contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    text = out.getvalue()
    try:
        return Outcome(json.loads(text[text.index('{'):]))
    except ValueError:
        return Outcome({'failed': True, 'msg': 'no JSON result', 'stdout': text})
