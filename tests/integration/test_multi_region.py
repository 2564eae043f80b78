# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/publish.yml over an inventory of regions: two emulators act as two regions (sharing one
S3 server), a third region is unreachable. Both live regions end with the image; the dead one fails
alone; a second run changes nothing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import subprocess
import time

import pytest

from tests.emulator.stack import Stack
from tests.integration.conftest import BIN, REPO
from tests.integration.test_roles import output, recap


@pytest.fixture
def second_region(stack):
    """A second emulator, region ``region1``, using the session stack's S3 server."""
    with Stack(transition_seconds=0.3, s3=stack, region='region1') as running:
        yield running


def _host(stack, tenant='tenant-a', **extra):
    data = stack.tenant(tenant)
    host = {'ims_endpoint': stack.url, 'ims_region': stack.region, 'ims_auth_token': data['token'],
            'ims_tenant_id': data['tenant_id'], 'ims_department_id': data['department_id'],
            'ims_resource_group_id': data.get('resource_group_id', '')}
    host.update(extra)
    return host


def test_publish_to_two_regions_in_parallel_one_dead_region_fails_alone(ims, second_region, tmp_path):
    first = ims.stack
    image = tmp_path / 'golden.raw'
    image.write_bytes(os.urandom(2 * 1024 * 1024))
    checksum = hashlib.md5(image.read_bytes()).hexdigest()  # nosec - the service's checksum algorithm
    inventory = {'regions': {
        'vars': {'ansible_connection': 'local'},
        'hosts': {
            'region0': _host(first),
            'region1': _host(second_region),
            'region-dead': _host(first, ims_endpoint='http://127.0.0.1:9', ims_region='region9'),
        }}}
    inventory_file = tmp_path / 'regions.json'       # JSON is YAML: the same inventory as docs/multi-region.md
    inventory_file.write_text(json.dumps(inventory))
    extra = {'image_publish_name': 'golden-multi', 'image_publish_src': str(image),
             'image_publish_share_with': [first.tenant('tenant-b')['user_id']]}
    env = ims.env(extra={'IMS_RETRIES': '0'})
    for name in [n for n in env if n.startswith('IMS_') and not n.startswith('IMS_RETRIES')]:
        del env[name]                           # every connection setting comes from the inventory
    cmd = [os.path.join(BIN, 'ansible-playbook'), 'cecloud.ims.publish', '-i', str(inventory_file), '--forks', '3',
           '-e', json.dumps(extra)]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False)
    elapsed = time.monotonic() - started
    counts = recap(proc)
    assert proc.returncode == 2, output(proc)                  # 2: some host failed
    assert counts['region-dead']['failed'] == 1 and 'http://127.0.0.1:9/api/image/v1' in proc.stdout
    for region in ('region0', 'region1'):
        assert counts[region]['failed'] == 0 and counts[region]['changed'] == 2, output(proc)   # upload + share

    for stack in (first, second_region):
        images = [i for i in stack.state()['images'] if i['name'] == 'golden-multi']
        assert len(images) == 1 and images[0]['status'] == 'active' and images[0]['checksum'] == checksum
        assert images[0]['region'] == stack.region and images[0]['shared'] is True

    proc = subprocess.run(cmd + ['--limit', 'region0,region1'], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=600, check=False)
    assert proc.returncode == 0, output(proc)
    assert {h: c['changed'] for h, c in recap(proc).items()} == {'region0': 0, 'region1': 0}
    print('multi-region publish, 3 regions (one dead), first run: %.1fs' % elapsed)


def test_publish_takes_relative_paths_from_the_folder_it_is_run_from(ims, tmp_path):
    (tmp_path / 'golden.raw').write_bytes(os.urandom(1024 * 1024))
    cmd = [os.path.join(BIN, 'ansible-playbook'), 'cecloud.ims.publish', '-i', 'localhost,', '-e',
           json.dumps({'image_publish_name': 'golden-relative', 'image_publish_src': 'golden.raw',
                       'image_publish_download_dest': 'copy.raw', 'ansible_connection': 'local'})]
    # As a shell runs it: in the user's folder, PWD naming it.
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ims.env(extra={'PWD': str(tmp_path)}), cwd=tmp_path,
                          timeout=600, check=False)
    assert proc.returncode == 0, output(proc)
    assert (tmp_path / 'copy.raw').read_bytes() == (tmp_path / 'golden.raw').read_bytes()
