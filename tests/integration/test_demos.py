# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make demo PROVIDER=openstack|huaweicloud``: the stack of tests/demo_stack.py around playbooks/demo_cloud.yml,
as the Makefile runs them, judged by the summary the playbook writes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import subprocess
import sys

import pytest

from tests.demo_stack import demo_environment, openstack_env
from tests.integration.conftest import BIN, REPO, module_env

# Every provider's summary; the second region's copy is huaweicloud's only.
COMMON = [r'published on {provider}: demo-golden-1, -2, -3 \(newest [-0-9a-f]+, 1360000 bytes\)',
          r'shared demo-golden-3 with project \w+',
          r"downloaded 1360000 bytes, md5 [0-9a-f]{32} \(the file's: matches\)",
          r'recipient accepted: demo-golden-3, demo-golden-2',
          r'lookup of the newest demo-golden: [-0-9a-f]+',
          r'retention \(keep 1\): kept demo-golden-3; deleted demo-golden-1; held as shared demo-golden-2']
EXTRA = {'openstack': [],
         'huaweicloud': [r'copied: imported-demo-golden-3, imported-demo-golden-2',
                         r'copied demo-golden-3 to cn-east-3: [-0-9a-f]+ \(active\)']}


@pytest.mark.parametrize('provider', ['openstack', 'huaweicloud'])
def test_the_demo_runs_the_lifecycle_and_writes_its_summary(provider, tmp_path, request):
    """huaweicloud: ``python -m tests.demo_stack`` around the playbook, as ``make demo`` runs it (its stack starts in
    seconds). openstack: the same playbook and environment (tests.demo_stack.demo_environment) on the session's
    Keystone + Glance, whose start takes half a minute of CPU; the ``glance`` fixture empties both projects after."""
    summary_file = tmp_path / 'summary.txt'
    playbook = [os.path.join(BIN, 'ansible-playbook'), 'playbooks/demo_cloud.yml', '-e', 'demo_summary_file=%s' % summary_file]
    if provider == 'openstack':
        stack = request.getfixturevalue('glance').stack
        env, cmd = demo_environment(stack, openstack_env), playbook
    else:
        env, cmd = {}, [sys.executable, '-m', 'tests.demo_stack', provider, '--'] + playbook
    proc = subprocess.run(cmd, capture_output=True, text=True, env=module_env(env, drop_prefixes=('IMS_', 'OS_', 'HUAWEICLOUD_')),
                          cwd=REPO, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    summary = summary_file.read_text()
    for pattern in [p.replace('{provider}', provider) for p in COMMON] + EXTRA[provider]:
        assert re.search(pattern, summary), (pattern, summary)
