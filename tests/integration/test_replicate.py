# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_replicate through real HTTP: the CECloud emulator + S3, the real Keystone + Glance, the Huawei emulator in
two regions. The source is the task's own connection; each target names its provider and its connection options."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json

import pytest

from tests.emulator.huawei.ims_images import CONVERTED
from tests.integration.conftest import STATE_CHANGING, module_env, run_module
from tests.integration.huaweicloud import CONNECTION_PREFIXES, hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import md5, write_qcow2

NAME = 'golden'


def cecloud(ims, tenant='tenant-a'):
    data = ims.stack.tenant(tenant)
    return dict(provider='cecloud', endpoint=ims.stack.url, region=ims.stack.region, auth_token=data['token'],
                tenant_id=data['tenant_id'], department_id=data['department_id'],
                resource_group_id=data.get('resource_group_id') or None)


def openstack(glance, project='proj-a'):
    env = glance.stack.env(project)
    return dict(provider='openstack', endpoint=glance.proxy.url, auth_url=env['OS_AUTH_URL'], username=env['OS_USERNAME'],
                password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'], user_domain_name=env['OS_USER_DOMAIN_NAME'],
                project_domain_name=env['OS_PROJECT_DOMAIN_NAME'], region=env['OS_REGION_NAME'])


def huawei(hw_, region=None, tenant='owner'):  # pylint: disable=redefined-outer-name
    """A password login: its uploads go to IMS directly (no OBS bucket to name), and two regions share the account."""
    return hw_.connection(tenant, 'password', region)


def replicate(source, image, targets, check=False, diff=False, **options):
    args = dict(source, image=image, targets=targets, retries=0, wait_timeout=60)
    args.update(options)
    return run_module('ims_image_replicate', args, module_env({}, drop_prefixes=CONNECTION_PREFIXES), check=check, diff=diff)


def served(run):
    return [t['served'] for t in run['targets']]


@pytest.fixture
def image_file(tmp_path):
    path = str(tmp_path / 'disk.qcow2')
    write_qcow2(path, 2)
    return path


def upload_to_cecloud(ims, path, name=NAME, tenant='tenant-a'):
    run = ims.module('ims_image_upload', dict(src=path, name=name, os_type='linux', min_disk=20), tenant=tenant)
    assert not run.failed, run
    return run['image']


def cecloud_downloads(ims):
    return [r for r in ims.requests() if r['method'] == 'GET' and r['path'].endswith('/file')]


def test_cecloud_to_openstack_then_a_rerun_moves_nothing(ims, glance, image_file):
    source = upload_to_cecloud(ims, image_file)
    ims.stack.clear_requests()
    run = replicate(cecloud(ims), NAME, [openstack(glance)])
    assert not run.failed and run.changed, run
    assert served(run) == ['streamed'] and run['source_reads'] == 1, run
    target = run['targets'][0]
    assert target['checksum'] == md5(image_file) == run['source']['checksum'] == source['checksum']
    made = glance.image(target['image_id'])
    assert made['checksum'] == md5(image_file) and made['ims_replica_md5'] == md5(image_file), made
    assert made['ims_replica_of'] == 'cecloud/%s/%s' % (ims.stack.region, source['image_id'])
    assert target['bytes_moved'] == made['size']
    assert len(cecloud_downloads(ims)) == 1

    ims.stack.clear_requests()
    glance.proxy.clear()
    again = replicate(cecloud(ims), NAME, [openstack(glance)])
    assert not again.failed and not again.changed and served(again) == ['unchanged'], again
    assert again['source_reads'] == 0 and cecloud_downloads(ims) == [] and glance.writes() == []


def test_one_source_to_three_targets_reads_the_source_once(ims, glance, hw, image_file):  # pylint: disable=redefined-outer-name
    upload_to_cecloud(ims, image_file)
    ims.stack.clear_requests()
    targets = [openstack(glance), dict(cecloud(ims, 'tenant-b'), name='golden-b'), huawei(hw)]
    run = replicate(cecloud(ims), NAME, targets)
    assert not run.failed, [(t['served'], t['error'], t['metadata_dropped']) for t in run['targets']]
    assert served(run) == ['streamed'] * 3 and run['source_reads'] == 1, run
    assert len(cecloud_downloads(ims)) == 1, cecloud_downloads(ims)
    assert all(t['checksum'] == md5(image_file) for t in run['targets']), run
    assert [i['name'] for i in hw.images(name=NAME)] == [NAME]


def test_openstack_source_to_cecloud_huawei_and_another_project(ims, glance, hw, image_file):  # pylint: disable=redefined-outer-name
    uploaded = glance.module('ims_image_upload', dict(src=image_file, name=NAME, min_disk=1))
    assert not uploaded.failed, uploaded
    glance.proxy.clear()
    targets = [cecloud(ims), huawei(hw), openstack(glance, 'proj-b')]
    run = replicate(openstack(glance), NAME, targets)
    assert not run.failed, [(t['served'], t['error']) for t in run['targets']]
    assert served(run) == ['streamed'] * 3 and run['source_reads'] == 1, run
    downloads = [r for r in glance.proxy.requests if r[0] == 'GET' and r[1].endswith('/file')]
    assert len(downloads) == 1, downloads
    assert all(t['checksum'] == md5(image_file) for t in run['targets']), run


def huawei_exports(hw_):  # pylint: disable=redefined-outer-name
    return [r for r in hw_.ims_requests('POST') if r['path'].endswith('/file')]


@pytest.fixture
def huawei_source(hw, image_file):  # pylint: disable=redefined-outer-name
    """The image on Huawei (a direct upload), the AK/SK connection that exports it, and an empty OBS bucket."""
    uploaded = hw.module('ims_image_upload', dict(src=image_file, name=NAME, min_disk=40), auth='password')
    assert not uploaded.failed, uploaded
    bucket = 'replica-export'
    hw.obs().create_bucket(Bucket=bucket)
    hw.stack.clear_requests()
    return dict(hw.connection('owner', 'aksk'), obs_bucket=bucket), uploaded['image']


def test_huawei_source_is_exported_once_and_streamed_to_every_other_cloud(ims, glance, hw, image_file, huawei_source):  # pylint: disable=redefined-outer-name
    source, image = huawei_source
    # Another account in another region: neither IMS's copy nor a share reaches it, its bytes go through the host.
    targets = [cecloud(ims), openstack(glance), huawei(hw, hw.stack.regions[1], tenant='recipient')]
    hw.stack.set_faults(rules=[{'method': 'PUT', 'path': '/file$', 'action': 'drop_before', 'count': 1}])
    cut = replicate(source, NAME, targets)
    assert cut.failed and cut.changed and served(cut) == ['streamed', 'streamed', 'failed'], cut
    assert cut['source_reads'] == 1 and len(huawei_exports(hw)) == 1, cut
    assert cut['staged_object']['exported'] and cut['staged_object']['kept'], cut
    assert [t['checksum'] for t in cut['targets'][:2]] == [md5(image_file)] * 2, cut
    made = glance.image(cut['targets'][1]['image_id'])
    assert made['ims_replica_of'] == 'huaweicloud/%s/%s' % (hw.stack.regions[0], image['image_id']), made

    # The re-run converges: the failed target reads the object the cut run kept, nothing is exported, the object is
    # deleted once every target is served.
    hw.stack.clear_requests()
    run = replicate(source, NAME, targets)
    assert not run.failed and served(run) == ['unchanged', 'unchanged', 'streamed'], run
    assert huawei_exports(hw) == [] and not run['staged_object']['exported'] and run['staged_object']['deleted'], run
    assert run['targets'][2]['checksum'] == md5(image_file)
    assert [i['name'] for i in hw.images(name=NAME, region=hw.stack.regions[1], tenant='recipient')] == [NAME]
    assert hw.obs().list_objects_v2(Bucket=source['obs_bucket']).get('Contents') is None

    hw.stack.clear_requests()
    ims.stack.clear_requests()
    glance.proxy.clear()
    again = replicate(source, NAME, targets)
    assert not again.failed and not again.changed and served(again) == ['unchanged'] * 3, again
    assert again['source_reads'] == 0 and 'staged_object' not in again.result
    assert hw.writes() == [] and ims.state_changing_requests() == [] and glance.writes() == []


def test_huawei_export_with_other_bytes_is_verified_and_a_rerun_moves_nothing(ims, hw, image_file, huawei_source):  # pylint: disable=redefined-outer-name
    source, image = huawei_source  # pylint: disable=unused-variable
    hw.stack.set_switches(export_bytes='converted')
    with open(image_file, 'rb') as handle:
        exported = hashlib.md5(handle.read() + CONVERTED).hexdigest()
    run = replicate(source, NAME, [cecloud(ims)], keep_staged_object=True)
    assert not run.failed and served(run) == ['streamed'], run
    assert run['targets'][0]['checksum'] == run['staged_object']['etag'] == exported != md5(image_file), run
    assert run['staged_object']['kept'] and 'deleted' not in run['staged_object'], run
    kept = hw.obs().head_object(Bucket=source['obs_bucket'], Key=run['staged_object']['key'])
    assert kept['ContentLength'] == run['staged_object']['size']
    hw.stack.clear_requests()
    ims.stack.clear_requests()
    again = replicate(source, NAME, [cecloud(ims)])
    assert not again.failed and served(again) == ['unchanged'], again
    assert huawei_exports(hw) == [] and ims.state_changing_requests() == []


def test_huawei_source_without_obs_bucket_is_refused_and_check_mode_exports_nothing(ims, hw, huawei_source):  # pylint: disable=redefined-outer-name
    source, image = huawei_source  # pylint: disable=unused-variable
    refused = replicate(dict(source, obs_bucket=None), NAME, [cecloud(ims)])
    assert refused.failed and 'obs_bucket is required' in refused['msg'], refused
    planned = replicate(source, NAME, [cecloud(ims)], check=True)
    assert not planned.failed and planned.changed and served(planned) == ['planned'], planned
    assert planned['staged_object']['bucket'] == source['obs_bucket'] and 'exported' not in planned['staged_object']
    assert hw.writes() == [] and ims.state_changing_requests() == []


def test_a_target_killed_mid_stream_converges_on_a_rerun_while_the_others_stay(ims, glance, hw, image_file):  # pylint: disable=redefined-outer-name
    upload_to_cecloud(ims, image_file)
    hw.stack.set_faults(rules=[{'method': 'PUT', 'path': '/file$', 'action': 'drop_before', 'count': 1}])
    targets = [openstack(glance), huawei(hw)]
    cut = replicate(cecloud(ims), NAME, targets)
    assert cut.failed and cut.changed and served(cut) == ['streamed', 'failed'], cut
    assert cut['failed_targets'] == [1] and cut['targets'][1]['error'], cut
    glance.proxy.clear()
    ims.stack.clear_requests()
    again = replicate(cecloud(ims), NAME, targets)
    assert not again.failed and served(again) == ['unchanged', 'streamed'] and again['source_reads'] == 1, again
    assert glance.writes() == [] and len(cecloud_downloads(ims)) == 1
    assert [i['status'] for i in hw.images(name=NAME)] == ['active']
    assert again['targets'][1]['checksum'] == md5(image_file)


def test_max_parallel_takes_another_read_per_batch(ims, glance, image_file):
    upload_to_cecloud(ims, image_file)
    ims.stack.clear_requests()
    targets = [openstack(glance), dict(cecloud(ims, 'tenant-b'), name='golden-b')]
    run = replicate(cecloud(ims), NAME, targets, max_parallel=1)
    assert not run.failed and served(run) == ['streamed', 'streamed'], run
    assert run['source_reads'] == 2 and len(cecloud_downloads(ims)) == 2


def test_disk_staging_reads_the_source_once_and_leaves_no_file(ims, glance, image_file, tmp_path):
    upload_to_cecloud(ims, image_file)
    staging = tmp_path / 'staging'
    staging.mkdir()
    ims.stack.clear_requests()
    run = replicate(cecloud(ims), NAME, [openstack(glance), dict(cecloud(ims, 'tenant-b'))], staging='disk',
                    staging_dir=str(staging))
    assert not run.failed and served(run) == ['streamed', 'streamed'], run
    assert run['source_reads'] == 1 and len(cecloud_downloads(ims)) == 1
    assert list(staging.iterdir()) == []


def test_huawei_cross_region_and_in_region_are_native(hw, image_file):  # pylint: disable=redefined-outer-name
    first, second = hw.stack.regions[:2]
    path_run = hw.module('ims_image_upload', dict(src=image_file, name=NAME, min_disk=40), auth='password', region=first)
    assert not path_run.failed, path_run
    targets = [dict(huawei(hw, second), agency_name='ims_agency'), dict(huawei(hw, first), name='golden-copy')]
    hw.stack.clear_requests()
    refused = replicate(huawei(hw, first), NAME, [huawei(hw, second)])
    assert refused.failed and 'agency_name' in refused['msg'] and hw.writes() == [], refused
    hw.stack.clear_requests()
    run = replicate(huawei(hw, first), NAME, targets)
    assert not run.failed, run
    assert served(run) == ['native', 'native'] and run['source_reads'] == 0, run
    downloads = [r for r in hw.stack.requests() if r['method'] == 'GET' and r['path'].endswith('/file')]
    assert downloads == []
    assert [i['name'] for i in hw.images(name=NAME, region=second)] == [NAME]
    copied = hw.module('ims_image_info', dict(name=NAME), auth='password', region=second)['images'][0]
    marks = str(copied['tags'])
    assert 'ims_replica_md5' in marks and md5(image_file) in marks and run['source']['image_id'] in marks, copied
    again = replicate(huawei(hw, first), NAME, targets)
    assert not again.failed and not again.changed and served(again) == ['unchanged', 'unchanged'], again


def test_a_name_with_other_bytes_is_refused_then_replaced(ims, glance, image_file, tmp_path):
    upload_to_cecloud(ims, image_file)
    other = str(tmp_path / 'other.qcow2')
    write_qcow2(other, 1, seed=b'other')
    assert not glance.module('ims_image_upload', dict(src=other, name=NAME)).failed
    before = [i['id'] for i in glance.images(name=NAME)]
    glance.proxy.clear()
    refused = replicate(cecloud(ims), NAME, [openstack(glance), dict(cecloud(ims, 'tenant-b'))])
    assert refused.failed and served(refused) == ['failed', 'streamed'], refused
    assert 'replace: true' in refused['targets'][0]['error'] and refused['failed_targets'] == [0]
    assert refused.changed       # tenant-b's image was made
    assert [i['id'] for i in glance.images(name=NAME)] == before and glance.writes() == []
    replaced = replicate(cecloud(ims), NAME, [openstack(glance), dict(cecloud(ims, 'tenant-b'))], replace=True)
    assert not replaced.failed and served(replaced) == ['streamed', 'unchanged'], replaced
    after = glance.images(name=NAME)
    assert len(after) == 1 and after[0]['checksum'] == md5(image_file)


def test_check_mode_and_diff_plan_each_target_with_no_write(ims, glance, image_file):
    upload_to_cecloud(ims, image_file)
    upload_to_cecloud(ims, image_file, tenant='tenant-b')
    ims.stack.clear_requests()
    glance.proxy.clear()
    run = replicate(cecloud(ims), NAME, [openstack(glance), cecloud(ims, 'tenant-b')], check=True, diff=True)
    assert not run.failed and run.changed, run
    assert served(run) == ['planned', 'unchanged'] and run['targets'][0]['plan'] == 'streamed', run
    assert ims.state_changing_requests() == [] and glance.writes() == [] and cecloud_downloads(ims) == []
    headers = [d.get('after_header') for d in run['diff']]
    assert any('openstack' in (h or '') for h in headers), run['diff']


BAD_TARGETS = [
    ('unknown provider', lambda ims, glance: [dict(provider='nocloud')], 'provider'),
    ('missing credentials', lambda ims, glance: [dict(provider='openstack', endpoint=glance.proxy.url)], 'targets[0]'),
    ('the source itself', lambda ims, glance: [cecloud(ims)], 'source image itself'),
    ('a duplicate', lambda ims, glance: [openstack(glance), openstack(glance)], 'same target'),
    ('a bad metadata option', lambda ims, glance: [dict(openstack(glance), metadata=dict(min_disk='many'))], 'min_disk'),
    ('an option of another provider', lambda ims, glance: [dict(openstack(glance), tenant_id='t-1')], 'tenant_id'),
]


@pytest.mark.parametrize('case, targets, words', BAD_TARGETS, ids=[b[0] for b in BAD_TARGETS])
def test_bad_input_is_refused_before_any_write(ims, glance, image_file, case, targets, words):  # pylint: disable=too-many-arguments
    upload_to_cecloud(ims, image_file)
    ims.stack.clear_requests()
    glance.proxy.clear()
    run = replicate(cecloud(ims), NAME, targets(ims, glance))
    assert run.failed and words in run['msg'], (case, run)
    assert ims.state_changing_requests() == [] and glance.writes() == [] and cecloud_downloads(ims) == []


def test_metadata_a_target_requires_is_asked_for_before_any_write(ims, hw, image_file):  # pylint: disable=redefined-outer-name
    run = ims.module('ims_image_upload', dict(src=image_file, name=NAME, os_type='linux'))
    assert not run.failed, run
    staged = dict(hw.connection('owner', 'aksk'), metadata=dict(obs_bucket='replica-staging'))
    refused = replicate(cecloud(ims), NAME, [staged])
    assert refused.failed and 'min_disk' in refused['msg'], refused
    assert hw.writes() == [] and cecloud_downloads(ims) == []


def test_at_vvv_no_secret_of_any_cloud_leaks(ims, glance, hw, image_file, tmp_path):  # pylint: disable=redefined-outer-name
    upload_to_cecloud(ims, image_file)
    targets = [openstack(glance), huawei(hw), dict(hw.connection('owner', 'aksk', hw.stack.regions[1]), name='g2',
                                                   metadata=dict(obs_bucket='replica-staging'))]
    playbook = tmp_path / 'replicate.yml'
    task = {'name': 'replicate', 'cecloud.ims.ims_image_replicate': dict(cecloud(ims), image=NAME, targets=targets, retries=0)}
    playbook.write_text(json.dumps([dict(hosts='localhost', gather_facts=False, tasks=[task])]))
    log_path = tmp_path / 'ansible.log'
    proc = ims.playbook(str(playbook), verbosity=3, env={'ANSIBLE_LOG_PATH': str(log_path)})
    secrets = dict(cecloud_token=cecloud(ims)['auth_token'], os_password=openstack(glance)['password'],
                   hw_password=huawei(hw)['password'], hw_secret=targets[2]['secret_key'])
    texts = proc.stdout + proc.stderr + log_path.read_text(encoding='utf-8', errors='replace')
    assert 'ims_image_replicate' in texts and '"served"' in proc.stdout, proc.stdout[-3000:]
    assert all(secrets.values())
    assert [name for name, value in secrets.items() if value in texts] == []
    assert STATE_CHANGING
