# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a test does when a tool it needs is not installed: with env ``CI`` set it fails (CI must never pass by
testing less), elsewhere it is skipped with the install hint.

Every test that cannot run without something calls ``missing()`` or ``require_module()`` instead of
``pytest.skip``/``pytest.importorskip``: a skip in CI would hide the failure it stands for.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os

import pytest


def missing(message):
    """Fail the test under CI, skip it (or, at import time, its module) elsewhere; ``message`` says what is missing
    and how to install it."""
    if os.environ.get('CI'):
        pytest.fail('%s (CI is set: a missing test tool is an error)' % message, pytrace=False)
    pytest.skip('%s (in CI this is an error)' % message, allow_module_level=True)


def require_module(name, hint=None):
    """The module ``name`` imported, or missing() when it cannot be."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing('%s cannot be imported (%s)%s' % (name, exc, '; ' + hint if hint else ''))
    return None     # not reached: missing() raises
