# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image where IMS's references read two ways, through ansible-playbook, with the Huawei emulator in each reading
(its switches, tests/emulator/huawei/README.md): ``min_disk`` of a file import 40-1024 (SDK) or 1-1024 (OTC), an Arm
image with BIOS refused or made UEFI.  The module refuses, before any request, what either reading refuses."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

import pytest

from tests.integration.conftest import BIN, REPO, TARGETS, module_env
from tests.integration.huaweicloud import CONNECTION_PREFIXES, hw  # noqa: F401  pylint: disable=unused-import


@pytest.mark.parametrize('reading', [dict(import_min_disk=40, arm_bios='refuse'), dict(import_min_disk=1, arm_bios='uefi')],
                         ids=['documented', 'lenient'])
def test_the_module_refuses_what_either_reading_refuses_before_any_request(hw, reading):  # noqa: F811
    hw.stack.set_switches(**reading)
    extra = dict(connection=hw.connection(), import_url=hw.put_object(), raw_url=hw.put_object(key='images/disk.raw'))
    hw.stack.clear_requests()
    cmd = [os.path.join(BIN, 'ansible-playbook'), os.path.join(TARGETS, 'huaweicloud_readings', 'main.yml'), '-i', 'localhost,',
           '-c', 'local', '-e', json.dumps(extra)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False, timeout=600,
                          env=module_env({}, drop_prefixes=CONNECTION_PREFIXES))
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    # The two images the playbook makes, and nothing from the refused tasks.
    assert [(w['method'], w['path']) for w in hw.writes()] == [('POST', '/v2/cloudimages/action'),
                                                               ('POST', '/v2/cloudimages/quickimport/action')]
    assert sorted(i['name'] for i in hw.images()) == ['readings-arm', 'readings-quick']
