# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential a task gives wins over the keys the README's Huawei quick start exports (HUAWEICLOUD_SDK_AK/SK),
through real ansible-playbook and the Huawei emulator; a task that gives two credentials is refused."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

import yaml

from tests.integration.conftest import BIN, REPO, module_env
from tests.integration.huaweicloud import CONNECTION_PREFIXES, hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import write_qcow2
from tests.integration.test_roles import output


def test_the_readme_token_upload_example_runs_with_the_token_while_ak_sk_are_exported(hw, tmp_path):  # noqa: F811
    src = write_qcow2(tmp_path / 'tiny-rescue.qcow2', 2)
    connection = hw.connection(auth='token')
    # The ims_image_upload example "with an IAM token, no OBS bucket", pointed at the emulator.
    task = dict(connection, src=str(src), name='tiny-rescue', min_disk=1, os_version='Ubuntu 22.04 server 64bit')
    playbook = tmp_path / 'token-upload.yml'
    playbook.write_text(yaml.safe_dump([dict(hosts='localhost', gather_facts=False, tasks=[
        {'name': 'Upload with an IAM token, no OBS bucket', 'cecloud.ims.ims_image_upload': task, 'register': 'up'},
        {'save_text': {'content': '{{ up | to_json }}', 'dest': str(tmp_path / 'result.json')}}])]))
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), str(playbook), '-i', 'localhost,', '-c', 'local'],
                          capture_output=True, text=True, cwd=REPO, timeout=600, check=False,
                          env=module_env(hw.stack.env('owner'), drop_prefixes=CONNECTION_PREFIXES))
    assert proc.returncode == 0, output(proc)
    result = json.loads((tmp_path / 'result.json').read_text())
    assert result['changed'] and result['image']['status'] == 'active', result
    assert 'staged_object' not in result
    assert [i['id'] for i in hw.images('tiny-rescue')] == [result['image']['image_id']]
    assert hw.ims_requests() and all(r.get('auth') == 'token' for r in hw.ims_requests()), hw.ims_requests()


def test_a_task_that_gives_a_token_and_keys_is_refused_before_any_request(hw):  # noqa: F811
    keys = hw.connection(auth='aksk')
    hw.stack.clear_requests()
    both = dict(scope='private', access_key=keys['access_key'], secret_key=keys['secret_key'])
    refused = hw.module('ims_image_info', both, auth='token')
    assert refused.failed and refused['msg'] == ('The task gives two credentials, access_key and secret_key, and '
                                                 'auth_token: give only one of them.'), refused
    assert hw.ims_requests() == []
