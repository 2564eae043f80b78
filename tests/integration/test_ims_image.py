# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image and ims_image_share against the emulator + SeaweedFS, through real HTTP."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

import pytest

TENANT_B_USER = '7085524801413879999'


def users(count, start=10000):
    """``count`` distinct 19-digit user ids that belong to no emulator tenant."""
    return ['70855248014138%05d' % (start + index) for index in range(count)]


def posts(ims, suffix):
    return [r for r in ims.requests() if r['method'] == 'POST' and r['path'].endswith(suffix)]


def image_in_emulator(ims, image_id):
    return next((i for i in ims.images() if i['imageId'] == image_id), None)


def seed_active(ims, name_prefix='src-', tenant='tenant-a'):
    """One active image with an object in S3 (so that copies work); returns its id."""
    return ims.stack.seed(tenant=tenant, count=1, prefix=name_prefix, status='active', with_object=True)['imageIds'][0]


def share_with(ims, image_id, user_ids, tenant='tenant-a'):
    ims.api('POST', '/private-images/%s/share' % image_id, tenant=tenant, json={'shares': {'user_ids': list(user_ids)}})


@pytest.fixture
def served_file(http_dir):
    """A small image file served over HTTP on loopback: (url of the file, its bytes, url of a 404)."""
    root, base = http_dir
    data = b'QFI\xfb' + os.urandom(64 * 1024)
    (root / 'disk.qcow2').write_bytes(data)
    return base + '/disk.qcow2', data, base + '/missing.qcow2'


# -- ims_image: create, idempotency, update ---------------------------------------------------------------------

def test_create_then_second_run_unchanged(ims):
    args = dict(name='golden-1', description='golden image', min_disk=10, min_ram=512, platform='CentOS',
                tags=[{'key': 'env', 'value': 'prod'}])
    first = ims.module('ims_image', args)
    assert not first.failed, first
    assert first.changed
    image = first['image']
    assert image['status'] == 'queued' and image['name'] == 'golden-1' and image['min_disk'] == 10
    assert image['image_tags'] == [{'key': 'env', 'value': 'prod'}]
    stored = image_in_emulator(ims, image['image_id'])
    assert stored['departmentId'] == ims.stack.tenant('tenant-a')['department_id']
    assert stored['platform'] == 'CentOS' and stored['minRam'] == 512

    second = ims.module('ims_image', args)
    assert not second.failed, second
    assert not second.changed
    assert second['image']['image_id'] == image['image_id']
    assert [r['method'] for r in ims.state_changing_requests()] == ['POST']


def test_an_os_version_is_set_by_an_update_after_the_create_which_does_not_take_it(ims):
    """POST /private-images lists no osVersion (import and PUT do), and the emulator refuses it there."""
    args = dict(name='with-os-version', os_version='kylin-v10-sp3', platform='kylin')
    first = ims.module('ims_image', args)
    assert not first.failed and first.changed, first
    assert first['image']['os_version'] == 'kylin-v10-sp3'
    assert [i['osVersion'] for i in ims.images('tenant-a') if i['name'] == 'with-os-version'] == ['kylin-v10-sp3']
    assert [r['method'] for r in ims.state_changing_requests()] == ['POST', 'PUT']
    second = ims.module('ims_image', args)
    assert not second.failed and not second.changed, second


UPDATES = [
    ('instruction', '32-bits', 'instructions'),
    ('cpu_arch', 'arm', 'cpuArch'),
    ('os_type', 'windows', 'osType'),
    ('os_version', 'kylin-v10-sp3', 'osVersion'),
    ('platform', 'kylin', 'platform'),
    ('min_disk', 40, 'minDisk'),
    ('min_ram', 2048, 'minRam'),
    ('boot_mode', 'UEFI', 'bootMode'),
]


@pytest.mark.parametrize('option,value,field', UPDATES, ids=[u[0] for u in UPDATES])
def test_each_mutable_field_updated_once_then_unchanged(ims, option, value, field):
    created = ims.module('ims_image', dict(name='upd', min_disk=20))
    assert created.changed, created
    image_id = created['image']['image_id']
    before = image_in_emulator(ims, image_id)
    ims.stack.clear_requests()

    first = ims.module('ims_image', {'name': 'upd', option: value})
    assert not first.failed, first
    assert first.changed
    after = image_in_emulator(ims, image_id)
    assert after[field] == value
    # Every other field kept its value (the PUT carries the full field set).
    for key in ('name', 'diskFormat', 'minDisk', 'minRam', 'cpuArch', 'osType', 'osVersion', 'platform', 'bootMode', 'instructions'):
        if key != field:
            assert after[key] == before[key], key
    assert [r['method'] for r in ims.state_changing_requests()] == ['PUT']

    second = ims.module('ims_image', {'name': 'upd', option: value})
    assert not second.failed, second
    assert not second.changed
    assert [r['method'] for r in ims.state_changing_requests()] == ['PUT']


def test_rename_by_id(ims):
    image_id = ims.module('ims_image', dict(name='old-name'))['image']['image_id']
    renamed = ims.module('ims_image', dict(image_id=image_id, name='new name 新'))
    assert renamed.changed and renamed['image']['name'] == 'new name 新', renamed
    assert image_in_emulator(ims, image_id)['name'] == 'new name 新'
    again = ims.module('ims_image', dict(id=image_id, name='new name 新'))
    assert not again.changed, again


@pytest.mark.parametrize('check', [False, True], ids=['run', 'check_mode'])
def test_rename_into_a_name_another_image_carries_is_refused_before_any_change(ims, check):
    a_id = ims.module('ims_image', dict(name='image-a'))['image']['image_id']
    b_id = ims.module('ims_image', dict(name='image-b'))['image']['image_id']
    ims.stack.clear_requests()
    refused = ims.module('ims_image', dict(id=a_id, name='image-b', min_ram=2048), check=check)
    assert refused.failed and not refused.changed, refused
    assert b_id in refused['msg'] and 'image-b' in refused['msg'] and a_id in refused['msg'], refused['msg']
    assert ims.state_changing_requests() == []
    assert [i['imageId'] for i in ims.images('tenant-a') if i['name'] == 'image-b'] == [b_id]


def test_check_mode_changes_nothing(ims):
    created = ims.module('ims_image', dict(name='chk', min_disk=10), check=True)
    assert created.changed and not created.failed, created
    assert created['image']['name'] == 'chk' and created['image']['status'] == 'queued'
    assert ims.images('tenant-a') == []
    assert ims.state_changing_requests() == []

    image_id = ims.module('ims_image', dict(name='chk', min_disk=10))['image']['image_id']
    ims.stack.clear_requests()
    stored = image_in_emulator(ims, image_id)
    update = ims.module('ims_image', dict(name='chk', min_disk=30, boot_mode='UEFI'), check=True, diff=True)
    assert update.changed and not update.failed, update
    assert update['image']['min_disk'] == 30 and update['image']['boot_mode'] == 'UEFI'
    assert update['diff'] == {'before': {'min_disk': 10, 'boot_mode': 'BIOS'}, 'after': {'min_disk': 30, 'boot_mode': 'UEFI'}}

    delete = ims.module('ims_image', dict(name='chk', state='absent'), check=True)
    assert delete.changed and delete['image']['image_id'] == image_id, delete
    assert ims.state_changing_requests() == []
    assert image_in_emulator(ims, image_id) == stored


def test_diff_shows_changed_fields_only(ims):
    ims.module('ims_image', dict(name='dif', min_disk=10, os_version='7.9'))
    result = ims.module('ims_image', dict(name='dif', min_disk=10, os_version='8.5', platform='CentOS'), diff=True)
    assert result.changed, result
    assert result['diff'] == {'before': {'os_version': '7.9', 'platform': 'other'},
                              'after': {'os_version': '8.5', 'platform': 'CentOS'}}
    unchanged = ims.module('ims_image', dict(name='dif', os_version='8.5'), diff=True)
    assert not unchanged.changed
    assert unchanged['diff'] == {'before': {}, 'after': {}}
    created = ims.module('ims_image', dict(name='dif-new'), diff=True)
    assert created['diff']['before'] == {} and created['diff']['after']['name'] == 'dif-new'


# -- ims_image: import and copy ------------------------------------------------------------------------------------

def test_import_from_url_becomes_active(ims, served_file):
    url, data, _missing = served_file
    result = ims.module('ims_image', dict(name='imported', import_url=url, min_disk=5, platform='CCLinux',
                                          volume_images=[{'url': url, 'min_disk': 10}]))
    assert not result.failed, result
    assert result.changed
    image = result['image']
    assert image['status'] == 'active'
    assert image['checksum'] == hashlib.md5(data).hexdigest()
    assert image['size'] == len(data)
    body_posts = posts(ims, '/private-images/import')
    assert len(body_posts) == 1
    assert image_in_emulator(ims, image['image_id'])['volumeImages'] == [{'imageUrl': url, 'minDisk': 10}]

    again = ims.module('ims_image', dict(name='imported', import_url=url, min_disk=5, platform='CCLinux'))
    assert not again.failed and not again.changed, again
    assert len(posts(ims, '/private-images/import')) == 1


def test_import_failing_url_fails_saying_the_image_turned_killed(ims, served_file):
    _url, _data, missing = served_file
    result = ims.module('ims_image', dict(name='broken', import_url=missing))
    assert result.failed, result
    # The image's detail (GET /images/{imageId}) documents no reason, so none is quoted.
    assert 'turned killed: the service gave no reason' in result['msg'], result['msg']
    stored = [i for i in ims.images('tenant-a') if i['name'] == 'broken']
    assert [i['status'] for i in stored] == ['killed']
    # The import created the image before it failed: the failure says so.
    assert result.changed and result['image']['image_id'] == stored[0]['imageId'], result
    # A re-run does not import twice: it says the earlier import failed.
    again = ims.module('ims_image', dict(name='broken', import_url=missing))
    assert again.failed and 'killed' in again['msg'] and 'state: absent' in again['msg'], again
    assert len(posts(ims, '/private-images/import')) == 1


def test_an_import_that_times_out_reports_the_image_it_made_and_a_rerun_waits_for_it(slow_ims, served_file):
    ims = slow_ims
    url, data, _missing = served_file
    timed_out = ims.module('ims_image', dict(name='slow-import', import_url=url, wait_timeout=1))
    assert timed_out.failed and 'Timed out' in timed_out['msg'], timed_out
    stored = [i for i in ims.images('tenant-a') if i['name'] == 'slow-import']
    assert len(stored) == 1
    assert timed_out.changed and timed_out['image']['image_id'] == stored[0]['imageId'], timed_out
    rerun = ims.module('ims_image', dict(name='slow-import', import_url=url, wait_timeout=120))
    assert not rerun.failed and not rerun.changed, rerun
    assert rerun['image']['status'] == 'active' and rerun['image']['checksum'] == hashlib.md5(data).hexdigest()
    assert len(posts(ims, '/private-images/import')) == 1


def test_import_without_wait_returns_saving(ims, served_file):
    url, _data, _missing = served_file
    result = ims.module('ims_image', dict(name='nowait', import_url=url, wait=False))
    assert result.changed and result['image']['status'] == 'saving', result


def test_copy_of_a_share_as_second_tenant(ims):
    source_id = seed_active(ims, 'vendor-')
    share_with(ims, source_id, [TENANT_B_USER])
    share_id = ims.api('GET', '/shared-images', tenant='tenant-b', params={'current': 1, 'size': 10})['list'][0]['shareId']

    args = dict(name='vendor-copy', copy_from_share=share_id, description='our copy', min_ram=4096)
    check = ims.module('ims_image', args, tenant='tenant-b', check=True)
    assert check.changed and not check.failed, check
    assert ims.images('tenant-b') == []

    result = ims.module('ims_image', args, tenant='tenant-b')
    assert not result.failed, result
    assert result.changed
    image = result['image']
    assert image['status'] == 'active' and image['name'] == 'vendor-copy' and image['min_ram'] == 4096
    assert [i['imageId'] for i in ims.images('tenant-b')] == [image['image_id']]
    assert image['checksum'] == image_in_emulator(ims, source_id)['checksum']
    again = ims.module('ims_image', args, tenant='tenant-b')
    assert not again.failed and not again.changed, again
    assert len(posts(ims, '/copy')) == 1


# -- ims_image: delete ---------------------------------------------------------------------------------------------

def test_delete_missing_image_is_unchanged(ims):
    result = ims.module('ims_image', dict(name='never-was', state='absent'))
    assert not result.failed and not result.changed, result
    assert result['image'] == {}
    assert ims.state_changing_requests() == []


def test_delete(ims):
    image = ims.module('ims_image', dict(name='to-delete'))['image']
    result = ims.module('ims_image', dict(name='to-delete', state='absent'), diff=True)
    assert not result.failed and result.changed, result
    assert result['image']['image_id'] == image['image_id']
    assert result['diff']['after'] == {} and result['diff']['before']['image_id'] == image['image_id']
    stored = image_in_emulator(ims, image['image_id'])
    assert stored is None or stored['status'] == 'deleted'
    again = ims.module('ims_image', dict(name='to-delete', state='absent'))
    assert not again.failed and not again.changed, again


def test_delete_shared_image_needs_force(ims):
    image_id = seed_active(ims, 'shared-')
    user_ids = users(60)
    share_with(ims, image_id, user_ids[:50])
    share_with(ims, image_id, user_ids[50:])
    ims.stack.clear_requests()

    refused = ims.module('ims_image', dict(id=image_id, state='absent'))
    assert refused.failed, refused
    assert 'shared with 60 user(s)' in refused['msg'] and 'force' in refused['msg'], refused['msg']
    assert ims.state_changing_requests() == []
    assert image_in_emulator(ims, image_id)['status'] == 'active'

    forced = ims.module('ims_image', dict(id=image_id, state='absent', force=True))
    assert not forced.failed and forced.changed, forced
    assert sorted(forced['unshared']) == sorted(user_ids)
    unshares = posts(ims, '/unshare')
    assert len(unshares) == 2
    assert [r['method'] for r in ims.state_changing_requests()] == ['POST', 'POST', 'DELETE']
    stored = image_in_emulator(ims, image_id)
    assert stored is None or stored['status'] == 'deleted'
    assert ims.stack.state()['shares'] == []


# -- reliability: ambiguous failures converge ----------------------------------------------------------------------

def test_share_batch_failure_reports_progress_and_a_rerun_converges(ims):
    image_id = seed_active(ims)
    user_ids = users(120)
    ims.module('ims_image_share', dict(image=image_id, users=user_ids[:50]))
    # A share POST answered 500 three times in a row: the batch is re-checked and resent twice, then the task fails.
    ims.stack.set_faults(rules=[{'method': 'POST', 'path': '/share$', 'action': 'error', 'status': 500, 'count': 3}])
    failed = ims.module('ims_image_share', dict(image=image_id, users=user_ids, retries=0))
    assert failed.failed, failed
    assert '0 user(s) were unshared and 0 shared; 70 of 70 were still to go' in failed['msg'], failed['msg']
    assert len([r for r in ims.requests() if r['method'] == 'POST' and r['path'].endswith('/share')]) == 1 + 3
    rerun = ims.module('ims_image_share', dict(image=image_id, users=user_ids))
    assert not rerun.failed and rerun.changed and rerun['added'] == user_ids[50:], rerun
    assert len(ims.stack.state()['shares']) == 120


def test_a_share_task_failing_after_an_unshare_reports_what_it_changed(ims):
    """The unshare batch is taken, the share batch fails: the failure says changed and what was removed."""
    image_id = seed_active(ims)
    old, new = users(50), users(120)[50:]
    ims.module('ims_image_share', dict(image=image_id, users=old))
    ims.stack.set_faults(rules=[{'method': 'POST', 'path': '/share$', 'action': 'error', 'status': 500, 'count': 3}])
    failed = ims.module('ims_image_share', dict(image=image_id, users=new, purge=True, retries=0))
    ims.stack.set_faults()
    assert failed.failed and failed.changed, failed
    assert sorted(failed['removed']) == sorted(old) and failed['added'] == [] and failed['image_id'] == image_id, failed
    rerun = ims.module('ims_image_share', dict(image=image_id, users=new, purge=True))
    assert rerun.changed and sorted(rerun['added']) == sorted(new) and rerun['removed'] == [], rerun


def test_an_ambiguous_share_failure_converges_in_the_same_run(ims):
    image_id = seed_active(ims)
    user_ids = users(60)
    # The first batch is applied but its answer is lost; the module reads the share list and sends only the rest.
    ims.stack.set_faults(rules=[{'method': 'POST', 'path': '/share$', 'action': 'drop_after', 'count': 1}])
    run = ims.module('ims_image_share', dict(image=image_id, users=user_ids, retries=0))
    assert not run.failed and run.changed, run
    assert sorted(s['user_id'] for s in run['shares']) == sorted(user_ids)
    posts = [r for r in ims.requests() if r['method'] == 'POST' and r['path'].endswith('/share')]
    assert [p['fault'] for p in posts] == ['drop_after', None], posts
    assert len(ims.stack.state()['shares']) == 60


# -- ims_image: bad input ------------------------------------------------------------------------------------------

BAD_CREATE = [
    ('name-129-chars', dict(name='a' * 129), 'at most 128'),
    ('leading-space', dict(name=' lead'), 'start or end with a space'),
    ('bad-character', dict(name='bad/name'), "'/'"),
    ('unknown-enum', dict(name='ok', os_type='solaris'), 'os_type'),
    ('negative-min-disk', dict(name='ok', min_disk=-1), 'min_disk must be 0 or more'),
    ('missing-id', dict(id='img-doesnotexist00'), 'No private image has id img-doesnotexist00'),
    ('unknown-share', dict(name='cp', copy_from_share='img-share-doesnotexist0000000'), 'img-share-doesnotexist0000000'),
    ('bad-import-url', dict(name='imp', import_url='ftp://example.com/x.qcow2'), 'import_url must be an http'),
    ('copy-and-import', dict(name='x', copy_from_share='s', import_url='http://h/x'), 'mutually exclusive'),
]


@pytest.mark.parametrize('args,expected', [b[1:] for b in BAD_CREATE], ids=[b[0] for b in BAD_CREATE])
def test_bad_input_fails_before_any_change(ims, args, expected):
    result = ims.module('ims_image', args)
    assert result.failed, result
    assert expected in result['msg'], result['msg']
    assert ims.state_changing_requests() == []


@pytest.mark.parametrize('args,expected', [
    (dict(disk_format='raw'), 'disk_format of image'),
    (dict(min_disk=5), 'cannot shrink to 5 GiB'),
    (dict(visibility='public'), 'cannot be changed once the image exists'),
], ids=['disk-format-change', 'min-disk-shrink', 'fixed-field'])
def test_refused_changes_of_an_existing_image(ims, args, expected):
    ims.module('ims_image', dict(name='fixed', min_disk=20, disk_format='qcow2'))
    ims.stack.clear_requests()
    result = ims.module('ims_image', dict(args, name='fixed'))
    assert result.failed, result
    assert expected in result['msg'], result['msg']
    assert ims.state_changing_requests() == []


def test_ambiguous_name_lists_ids(ims):
    first = ims.module('ims_image', dict(name='twin'))['image']['image_id']
    tenant = ims.stack.tenant('tenant-a')
    second = ims.api('POST', '/private-images', json={
        'name': 'twin', 'diskFormat': 'qcow2', 'minDisk': 0, 'minRam': 0, 'imageType': 'os_image', 'instruction': '64-bits',
        'cpuArch': 'x86', 'osType': 'linux', 'platform': 'other', 'visibility': 'private', 'usage': 'ecs',
        'tenantId': tenant['tenant_id'], 'departmentId': tenant['department_id']})['imageId']
    ims.stack.clear_requests()
    for args in (dict(name='twin', min_disk=50), dict(name='twin', state='absent')):
        result = ims.module('ims_image', args)
        assert result.failed, result
        assert first in result['msg'] and second in result['msg'] and 'give the image id' in result['msg'], result['msg']
    assert ims.state_changing_requests() == []


# -- ims_image_share -----------------------------------------------------------------------------------------------

def test_share_120_users_in_batches_then_purge_and_unshare(share_total_ims):
    """The share list's ``total`` counts records or (its field table: 总页数) pages: every share is read either way."""
    ims = share_total_ims
    image_id = seed_active(ims, 'many-')
    name = image_in_emulator(ims, image_id)['name']
    user_ids = users(120)

    result = ims.module('ims_image_share', dict(image=name, users=user_ids + user_ids[:5]), diff=True)
    assert not result.failed, result
    assert result.changed and result['image_id'] == image_id
    assert result['added'] == user_ids and result['removed'] == []
    assert sorted(s['user_id'] for s in result['shares']) == sorted(user_ids)
    assert result['diff']['before']['users'] == [] and result['diff']['after']['users'] == sorted(user_ids)
    share_posts = posts(ims, '/share')
    assert len(share_posts) == 3
    assert len(ims.stack.state()['shares']) == 120

    ims.stack.clear_requests()
    again = ims.module('ims_image_share', dict(image=image_id, users=list(reversed(user_ids))))
    assert not again.failed and not again.changed, again
    assert again['added'] == [] and again['removed'] == []
    assert ims.state_changing_requests() == []
    # 100 then 20: the short page ends the listing in either reading, with no third request.
    assert len([r for r in ims.requests() if r['method'] == 'GET' and r['path'].endswith('/share')]) == 2

    check = ims.module('ims_image_share', dict(image=image_id, users=user_ids[:2], purge=True), check=True)
    assert check.changed and len(check['removed']) == 118, check
    assert ims.state_changing_requests() == [] and len(ims.stack.state()['shares']) == 120

    purged = ims.module('ims_image_share', dict(image=image_id, users=user_ids[:2], purge=True))
    assert not purged.failed and purged.changed, purged
    assert sorted(purged['removed']) == sorted(user_ids[2:]) and purged['added'] == []
    assert sorted(s['user_id'] for s in purged['shares']) == sorted(user_ids[:2])
    assert len(posts(ims, '/unshare')) == 3
    assert len(posts(ims, '/share')) == 0

    unshared = ims.module('ims_image_share', dict(image=image_id, users=user_ids[:2], state='absent'))
    assert unshared.changed and unshared['shares'] == [] and sorted(unshared['removed']) == sorted(user_ids[:2]), unshared
    assert ims.stack.state()['shares'] == []
    assert not ims.module('ims_image_share', dict(image=image_id, users=user_ids[:2], state='absent')).changed


def test_purge_to_nobody(ims):
    image_id = seed_active(ims)
    share_with(ims, image_id, users(3))
    result = ims.module('ims_image_share', dict(image=image_id, users=[], purge=True))
    assert result.changed and sorted(result['removed']) == sorted(users(3)) and result['shares'] == [], result
    assert ims.stack.state()['shares'] == []


def test_recipient_removes_received_share(ims):
    image_id = seed_active(ims)
    share_with(ims, image_id, [TENANT_B_USER])
    share_id = ims.stack.state()['shares'][0]['shareId']
    ims.stack.clear_requests()

    check = ims.module('ims_image_share', dict(share_id=share_id, state='absent'), tenant='tenant-b', check=True, diff=True)
    assert check.changed and check['removed'] == [share_id], check
    assert check['diff'] == {'before': {'share_ids': [share_id]}, 'after': {'share_ids': []}}
    assert ims.state_changing_requests() == []

    result = ims.module('ims_image_share', dict(share_id=share_id, state='absent'), tenant='tenant-b')
    assert not result.failed and result.changed and result['image_id'] == image_id, result
    assert ims.stack.state()['shares'] == []
    assert [r['method'] for r in ims.state_changing_requests()] == ['DELETE']

    again = ims.module('ims_image_share', dict(share_id=share_id, state='absent'), tenant='tenant-b')
    assert not again.failed and not again.changed, again


BAD_SHARE = [
    ('users-with-share-id', dict(share_id='img-share-x', state='absent', users=['7085524801413873664']), 'users cannot be given with share_id'),
    ('share-id-present', dict(share_id='img-share-x'), 'state: absent only'),
    ('short-user-id', dict(image='IMAGE', users=['12345']), "not valid: '12345'"),
    ('numeric-text-user-id', dict(image='IMAGE', users=['70855248014138x0000']), 'not valid'),
    ('purge-with-absent', dict(image='IMAGE', users=[], purge=True, state='absent'), 'purge applies to state: present'),
    ('no-users', dict(image='IMAGE'), 'users is required'),
    ('unknown-image', dict(image='no-such-image', users=users(1)), "No private image of this tenant has the id or name 'no-such-image'"),
    ('neither', dict(users=users(1)), 'Set image'),
]


@pytest.mark.parametrize('args,expected', [b[1:] for b in BAD_SHARE], ids=[b[0] for b in BAD_SHARE])
def test_share_bad_input_fails_before_any_change(ims, args, expected):
    image_id = seed_active(ims)
    if args.get('image') == 'IMAGE':
        args = dict(args, image=image_id)
    ims.stack.clear_requests()
    result = ims.module('ims_image_share', args)
    assert result.failed, result
    assert expected in result['msg'], result['msg']
    assert ims.state_changing_requests() == []


def test_share_service_error_is_reported(ims):
    """The service refuses to share a queued image; the task fails with the service's code and message."""
    image_id = ims.module('ims_image', dict(name='not-ready'))['image']['image_id']
    result = ims.module('ims_image_share', dict(image=image_id, users=users(1)))
    assert result.failed and result['error_code'] == 'IMG.OperationFailed.ActionNotMatch', result
    assert 'before this request, 0 user(s) were unshared and 0 shared' in result['msg']


# -- real ansible-playbook -----------------------------------------------------------------------------------------

def _assert_playbook_ok(proc):
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert 'failed=0' in proc.stdout


def test_playbook_ims_image(ims, served_file):
    url, _data, _missing = served_file
    proc = ims.playbook('ims_image/main.yml', extra_vars={'import_url': url})
    _assert_playbook_ok(proc)
    assert ims.images('tenant-a') == [] or all(i['status'] == 'deleted' for i in ims.images('tenant-a'))


def test_playbook_ims_image_share(ims, served_file):
    url, _data, _missing = served_file
    proc = ims.playbook('ims_image_share/main.yml', extra_vars={'user_ids': users(55), 'import_url': url})
    _assert_playbook_ok(proc)
    assert ims.stack.state()['shares'] == []
