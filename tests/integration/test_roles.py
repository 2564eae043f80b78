# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles (image_publish, image_retention, image_import) and the playbooks against the emulator.

Each role runs in check mode first (nothing may change in the emulator, no POST/PUT/DELETE sent),
then for real, then again: the second run must report ``changed=0`` in the play recap.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib
import json
import os
import re
import subprocess

import pytest

from tests.integration.conftest import BIN, REPO

RECAP = re.compile(r'^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', re.M)
PLAYBOOKS = os.path.join(REPO, 'playbooks')


def recap(proc):
    """{host: {'ok': n, 'changed': n, 'unreachable': n, 'failed': n, 'skipped': n}} from the play recap."""
    found = {m.group(1): dict(zip(('ok', 'changed', 'unreachable', 'failed', 'skipped'), map(int, m.groups()[1:])))
             for m in RECAP.finditer(proc.stdout)}
    assert found, proc.stdout + proc.stderr
    return found


def output(proc):
    return proc.stdout[-6000:] + proc.stderr[-3000:]


def run_role(ims, tmp_path, role, variables, tenant='tenant-a', check=False):
    """Run ``role`` through targets/roles/run_role.yml; returns (recap of localhost, the role's result fact)."""
    result_file = tmp_path / ('%s-result.json' % role)
    if result_file.exists():
        result_file.unlink()
    extra = dict(variables, role_under_test=role, result_file=str(result_file))
    proc = ims.playbook('roles/run_role.yml', extra_vars=extra, tenant=tenant, check=check)
    assert proc.returncode == 0, output(proc)
    return recap(proc)['localhost'], json.loads(result_file.read_text())


def snapshot(ims):
    """The emulator's images and shares, comparable before/after a check-mode run."""
    state = ims.stack.state()
    return json.dumps({'images': state['images'], 'shares': state['shares']}, sort_keys=True)


def assert_check_mode_changes_nothing(ims, run):
    """Run ``run()`` (a check-mode run) and prove the emulator saw only reads and kept its state."""
    before = snapshot(ims)
    ims.stack.clear_requests()
    value = run()
    assert ims.state_changing_requests() == []
    assert [r for r in ims.requests() if r['method'] != 'GET'] == []
    assert snapshot(ims) == before
    return value


def active_images(ims, tenant, prefix=''):
    return sorted(i['name'] for i in ims.images(tenant) if i['status'] == 'active' and i['name'].startswith(prefix))


def md5(path):
    with open(path, 'rb') as handle:
        return hashlib.md5(handle.read()).hexdigest()  # nosec - a checksum, as the service computes it


# ---------------------------------------------------------------- image_publish


def test_publish_from_file_check_mode_then_idempotent(ims, tmp_path):
    image = tmp_path / 'golden.raw'
    image.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    dest = tmp_path / 'download' / 'golden.raw'
    dest.parent.mkdir()
    user_b = ims.stack.tenant('tenant-b')['user_id']
    variables = {'image_publish_name': 'golden-20260101', 'image_publish_src': str(image),
                 'image_publish_metadata': {'os_type': 'linux', 'platform': 'ubuntu', 'min_disk': 1, 'os_version': '22.04'},
                 'image_publish_share_with': [user_b], 'image_publish_export_bucket': 'export-az0-b',
                 'image_publish_download_dest': str(dest)}

    counts, result = assert_check_mode_changes_nothing(
        ims, lambda: run_role(ims, tmp_path, 'image_publish', variables, check=True))
    assert counts['failed'] == 0 and counts['changed'] == 1      # only the upload would change; the rest needs its id
    assert result['check_mode'] is True and result['published'] is True and 'image_id' not in result['image']
    assert not dest.exists()

    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 4, counts                        # upload, share, export, download
    assert result['published'] is True and result['exported_to'] == 'export-az0-b'
    assert result['shared_with'] == [user_b] and result['shares_added'] == [user_b]
    assert result['downloaded_to'] == str(dest) and dest.read_bytes() == image.read_bytes()
    emulated = {i['imageId']: i for i in ims.images('tenant-a')}
    published = emulated[result['image']['image_id']]
    assert published['name'] == 'golden-20260101' and published['status'] == 'active'
    assert published['checksum'] == md5(image) and published['shared'] is True
    assert [s['userId'] for s in ims.stack.state()['shares'] if s['imageId'] == published['imageId']] == [user_b]
    assert any(r['method'] == 'POST' and r['path'].endswith('/custom-images/%s/export' % published['imageId'])
               for r in ims.requests())

    ims.stack.clear_requests()
    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 0 and counts['failed'] == 0, counts
    assert result['published'] is False and result['exported_to'] == ''
    assert ims.state_changing_requests() == []

    counts, result = assert_check_mode_changes_nothing(
        ims, lambda: run_role(ims, tmp_path, 'image_publish', variables, check=True))
    assert counts['changed'] == 0


def test_publish_from_url_and_purge_the_share_set(ims, tmp_path, http_dir):
    root, url = http_dir
    (root / 'golden.qcow2').write_bytes(b'QFI\xfb' + os.urandom(512 * 1024))
    user_b = ims.stack.tenant('tenant-b')['user_id']
    other = '7000000000000000001'
    variables = {'image_publish_name': 'golden-url', 'image_publish_url': url + '/golden.qcow2',
                 'image_publish_metadata': {'disk_format': 'qcow2', 'os_version': '8'},
                 'image_publish_share_with': [user_b, other]}
    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 2 and result['image']['status'] == 'active'
    assert result['image']['checksum'] == md5(root / 'golden.qcow2')
    assert sorted(result['shared_with']) == sorted([user_b, other])

    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 0, counts

    exact = dict(variables, image_publish_share_with=[user_b], image_publish_share_purge=True)
    counts, result = assert_check_mode_changes_nothing(ims, lambda: run_role(ims, tmp_path, 'image_publish', exact, check=True))
    assert counts['changed'] == 1 and result['shares_removed'] == [other]
    counts, result = run_role(ims, tmp_path, 'image_publish', exact)
    assert counts['changed'] == 1 and result['shared_with'] == [user_b] and result['shares_removed'] == [other]
    assert [s['userId'] for s in ims.stack.state()['shares']] == [user_b]
    counts, result = run_role(ims, tmp_path, 'image_publish', exact)
    assert counts['changed'] == 0


def test_publish_replace_of_a_shared_image_interrupted_then_rerun_publishes_the_new_image(ims, tmp_path):
    v1, v2 = tmp_path / 'v1.raw', tmp_path / 'v2.raw'
    v1.write_bytes(os.urandom(1024 * 1024))
    v2.write_bytes(os.urandom(1024 * 1024))
    user_b = ims.stack.tenant('tenant-b')['user_id']
    variables = {'image_publish_name': 'golden-replaced', 'image_publish_src': str(v1),
                 'image_publish_share_with': [user_b]}
    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    old_id = result['image']['image_id']
    newer = dict(variables, image_publish_src=str(v2), image_publish_replace=True)

    # The old image's delete fails: the run stops with the new image active beside the old one.
    ims.stack.set_faults(rules=[{'method': 'DELETE', 'path': '/private-images/', 'action': 'error', 'status': 500,
                                 'count': 50}])
    proc = ims.playbook('roles/run_role.yml', extra_vars=dict(newer, role_under_test='image_publish',
                                                              result_file=str(tmp_path / 'unused.json')),
                        env={'IMS_RETRIES': '0'})
    ims.stack.set_faults()
    assert proc.returncode != 0, output(proc)
    assert active_images(ims, 'tenant-a', 'golden-replaced') == ['golden-replaced'] * 2

    counts, result = run_role(ims, tmp_path, 'image_publish', newer)
    assert counts['failed'] == 0, counts
    new_id = result['image']['image_id']
    assert result['published'] is True and new_id != old_id, result
    assert result['image']['checksum'] == md5(v2) and result['shared_with'] == [user_b]
    assert [i['imageId'] for i in ims.images('tenant-a') if i['name'] == 'golden-replaced' and i['status'] != 'deleted'] \
        == [new_id]
    assert [(s['imageId'], s['userId']) for s in ims.stack.state()['shares']] == [(new_id, user_b)]
    counts, result = run_role(ims, tmp_path, 'image_publish', newer)
    assert counts['changed'] == 0 and result['published'] is False and result['image']['image_id'] == new_id


# ---------------------------------------------------------------- image_retention


def test_retention_check_mode_run_rerun_and_shared_images(ims, tmp_path):
    seeded = ims.stack.seed(tenant='tenant-a', count=6, prefix='golden-')['imageIds']    # golden-00000 is the oldest
    ims.stack.seed(tenant='tenant-a', count=2, prefix='other-')
    ims.stack.seed(tenant='tenant-a', count=1, prefix='golden-q', status='queued')
    ims.api('POST', '/private-images/%s/share' % seeded[1], json={'shares': {'user_ids': [ims.stack.tenant('tenant-b')['user_id']]}})
    variables = {'image_retention_prefix': 'golden-', 'image_retention_keep': 2}

    counts, result = assert_check_mode_changes_nothing(
        ims, lambda: run_role(ims, tmp_path, 'image_retention', variables, check=True))
    assert result['check_mode'] is True and counts['changed'] == 1
    assert [i['name'] for i in result['kept']] == ['golden-00005', 'golden-00004']
    assert [i['name'] for i in result['deleted']] == ['golden-00003', 'golden-00002', 'golden-00000']
    assert [i['name'] for i in result['skipped_shared']] == ['golden-00001']

    counts, result = run_role(ims, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 1 and [i['name'] for i in result['deleted']] == ['golden-00003', 'golden-00002', 'golden-00000']
    assert active_images(ims, 'tenant-a') == ['golden-00001', 'golden-00004', 'golden-00005', 'other-00000', 'other-00001']
    assert [i['name'] for i in ims.images('tenant-a') if i['status'] == 'queued'] == ['golden-q00000']

    ims.stack.clear_requests()
    counts, result = run_role(ims, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 0 and result['deleted'] == []
    assert [i['name'] for i in result['skipped_shared']] == ['golden-00001']
    assert ims.state_changing_requests() == []

    counts, result = run_role(ims, tmp_path, 'image_retention', dict(variables, image_retention_force=True))
    assert counts['changed'] == 1 and [i['name'] for i in result['deleted']] == ['golden-00001']
    assert active_images(ims, 'tenant-a', 'golden-') == ['golden-00004', 'golden-00005']
    assert ims.stack.state()['shares'] == []


def test_retention_learns_shares_from_the_share_list_not_from_the_image_listing(ims, tmp_path):
    """The private listing has no ``shared`` field (CECloud IMS API, GET /private-images): the role reads each image's
    shares (GET /private-images/{imageId}/share), for the images it would delete only."""
    seeded = ims.stack.seed(tenant='tenant-a', count=3, prefix='keep-')['imageIds']
    listed = ims.api('GET', '/private-images', params={'current': 1, 'size': 10})['list']
    assert listed and not any('shared' in i for i in listed), listed
    ims.stack.clear_requests()
    counts, result = run_role(ims, tmp_path, 'image_retention', {'image_retention_prefix': 'keep-', 'image_retention_keep': 1})
    assert counts['failed'] == 0 and counts['changed'] == 1, counts
    assert [i['name'] for i in result['kept']] == ['keep-00002'] and result['skipped_shared'] == []
    assert [i['name'] for i in result['deleted']] == ['keep-00001', 'keep-00000']
    # (ims_image reads them again before it deletes an image.)
    share_reads = set(r['path'].split('/')[-2] for r in ims.requests() if r['method'] == 'GET' and r['path'].endswith('/share'))
    assert share_reads == set(seeded[:2]), share_reads


def test_retention_with_a_regex_through_the_fqcn_playbook(ims):
    ims.stack.seed(tenant='tenant-a', count=4, prefix='web-2026')
    ims.stack.seed(tenant='tenant-a', count=2, prefix='web-test-')
    cmd = [os.path.join(BIN, 'ansible-playbook'), 'cecloud.ims.retention', '-i', 'localhost,',
           '-e', json.dumps({'image_retention_regex': '^web-[0-9]+$', 'image_retention_keep': '1'})]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ims.env(), cwd=REPO, timeout=300, check=False)
    assert proc.returncode == 0, output(proc)
    assert recap(proc)['localhost']['changed'] == 1
    assert active_images(ims, 'tenant-a') == ['web-202600003', 'web-test-00000', 'web-test-00001']


def days_ago(days):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.000Z')


def family_tags(family, pinned=False):
    return [{'key': 'ims_family', 'value': family}] + ([{'key': 'ims_pinned', 'value': 'true'}] if pinned else [])


def table_of(proc):
    """The lines of the retention's table in the play's output: {image name: (action, reason)}."""
    rows = re.findall(r'^\s*"(\S+)\s+(img-\S+)\s+\S+\s+(keep|skip|deprecate|delete)\s+(.*)",?$', proc.stdout, re.M)
    return {name: (action, reason) for name, dummy, action, reason in rows}


def test_retention_of_a_family_over_a_timeline_keeps_the_newest_the_young_the_pinned_and_the_shared(ims, tmp_path):
    ages = [40, 30, 20, 12, 3, 1]                  # f-00000 is the oldest
    ids = ims.stack.seed(tenant='tenant-a', count=6, prefix='f-', created_at=[days_ago(d) for d in ages],
                         image_tags=family_tags('gold'))['imageIds']
    ims.stack.seed(tenant='tenant-a', count=1, prefix='pinned-', created_at=days_ago(50), image_tags=family_tags('gold', True))
    ims.stack.seed(tenant='tenant-a', count=2, prefix='f-silver-', created_at=days_ago(60), image_tags=family_tags('silver'))
    ims.api('POST', '/private-images/%s/share' % ids[1], json={'shares': {'user_ids': [ims.stack.tenant('tenant-b')['user_id']]}})
    variables = {'image_retention_family': 'gold', 'image_retention_keep': 1, 'image_retention_keep_days': 5}

    before = snapshot(ims)
    ims.stack.clear_requests()
    proc = ims.playbook('roles/run_role.yml', check=True, tenant='tenant-a', extra_vars=dict(
        variables, role_under_test='image_retention', result_file=str(tmp_path / 'check.json')))
    assert proc.returncode == 0 and ims.state_changing_requests() == [] and snapshot(ims) == before, output(proc)
    assert table_of(proc) == {
        'f-00005': ('keep', 'newest 1 (number 1)'),
        'f-00004': ('keep', 'newer than keep_days 5 (3 days old)'),
        'f-00003': ('delete', 'older than the newest 1 and keep_days 5'),
        'f-00002': ('delete', 'older than the newest 1 and keep_days 5'),
        'f-00001': ('skip', 'shared (it has shares): set image_retention_force to remove it'),
        'f-00000': ('delete', 'older than the newest 1 and keep_days 5'),
        'pinned-00000': ('keep', 'pinned (ims_pinned: true)')}, output(proc)
    result = json.loads((tmp_path / 'check.json').read_text())
    assert [(i['name'], i['retention_reason']) for i in result['kept']] == [
        ('f-00005', 'newest 1 (number 1)'), ('f-00004', 'newer than keep_days 5 (3 days old)'),
        ('pinned-00000', 'pinned (ims_pinned: true)')]
    assert [i['name'] for i in result['deleted']] == ['f-00003', 'f-00002', 'f-00000'] and result['deprecated'] == []

    counts, result = run_role(ims, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 1 and [i['name'] for i in result['deleted']] == ['f-00003', 'f-00002', 'f-00000']
    assert [i['name'] for i in result['skipped_shared']] == ['f-00001']
    assert active_images(ims, 'tenant-a') == ['f-00001', 'f-00004', 'f-00005', 'f-silver-00000', 'f-silver-00001', 'pinned-00000']

    ims.stack.clear_requests()
    counts, result = run_role(ims, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 0 and result['deleted'] == [] and ims.state_changing_requests() == []


def test_publish_sets_the_family_tag_and_a_rerun_changes_nothing(ims, tmp_path):
    image = tmp_path / 'golden.raw'
    image.write_bytes(os.urandom(1024 * 1024 + 5))
    variables = {'image_publish_name': 'golden-fam', 'image_publish_src': str(image), 'image_publish_family': 'gold',
                 'image_publish_metadata': {'os_type': 'linux', 'platform': 'ubuntu', 'min_disk': 1,
                                            'tags': [{'key': 'team', 'value': 'base'}]}}
    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 1 and result['published'] is True and result['family'] == 'gold', counts
    published = {i['imageId']: i for i in ims.images('tenant-a')}[result['image']['image_id']]
    assert published['imageTags'] == [{'key': 'team', 'value': 'base'}, {'key': 'ims_family', 'value': 'gold'}]

    ims.stack.clear_requests()
    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 0 and result['published'] is False and result['deprecated_previous'] == []
    assert ims.state_changing_requests() == []


# ---------------------------------------------------------------- image_import


def test_import_check_mode_copy_rerun_and_remove_shares(ims, tmp_path):
    ids = ims.stack.seed(tenant='tenant-a', count=3, prefix='golden-', with_object=True)['imageIds']
    user_b = ims.stack.tenant('tenant-b')['user_id']
    for image_id in ids:
        ims.api('POST', '/private-images/%s/share' % image_id, json={'shares': {'user_ids': [user_b]}})
    variables = {'image_import_pattern': '^golden-0000[01]$', 'image_import_name_prefix': 'from-a-'}

    counts, result = assert_check_mode_changes_nothing(
        ims, lambda: run_role(ims, tmp_path, 'image_import', variables, tenant='tenant-b', check=True))
    assert counts['changed'] == 1 and sorted(i['name'] for i in result['copied']) == ['from-a-golden-00000', 'from-a-golden-00001']

    counts, result = run_role(ims, tmp_path, 'image_import', variables, tenant='tenant-b')
    assert counts['changed'] == 1 and len(result['copied']) == 2
    assert active_images(ims, 'tenant-b') == ['from-a-golden-00000', 'from-a-golden-00001']
    assert all(i['sourceType'] == 'copy' for i in ims.images('tenant-b'))

    counts, result = run_role(ims, tmp_path, 'image_import', variables, tenant='tenant-b')
    assert counts['changed'] == 0 and result['copied'] == []
    assert sorted(result['already_copied']) == ['golden-00000', 'golden-00001']

    removing = dict(variables, image_import_remove_shares=True)
    counts, result = assert_check_mode_changes_nothing(
        ims, lambda: run_role(ims, tmp_path, 'image_import', removing, tenant='tenant-b', check=True))
    assert counts['changed'] == 1 and len(result['removed_shares']) == 2
    counts, result = run_role(ims, tmp_path, 'image_import', removing, tenant='tenant-b')
    assert counts['changed'] == 1 and len(result['removed_shares']) == 2
    assert [s['imageId'] for s in ims.stack.state()['shares']] == [ids[2]]     # the one that did not match stays
    counts, result = run_role(ims, tmp_path, 'image_import', removing, tenant='tenant-b')
    assert counts['changed'] == 0
    assert active_images(ims, 'tenant-b') == ['from-a-golden-00000', 'from-a-golden-00001']


# ---------------------------------------------------------------- bad variables


@pytest.mark.parametrize('role,variables,message', [
    ('image_retention', {'image_retention_prefix': 'x', 'image_retention_keep': 'many'}, 'image_retention_keep'),
    ('image_retention', {'image_retention_prefix': 'x', 'image_retention_force': 'maybe'}, 'image_retention_force'),
    ('image_publish', {'image_publish_src': '/nonexistent'}, 'image_publish_name'),
    ('image_publish', {'image_publish_name': 'x', 'image_publish_src': '/x', 'image_publish_metadata': {'os_type': 'beos'}},
     'os_type'),
    ('image_publish', {'image_publish_name': 'x', 'image_publish_src': '/x', 'image_publish_wait_timeout': 'soon'},
     'image_publish_wait_timeout'),
    ('image_import', {'image_import_remove_shares': 'perhaps'}, 'image_import_remove_shares'),
    ('image_import', {'ims_validate_certs': 'sometimes'}, 'ims_validate_certs'),
])
def test_bad_variables_fail_before_any_task(ims, tmp_path, role, variables, message):
    extra = dict(variables, role_under_test=role, result_file=str(tmp_path / 'r.json'))
    proc = ims.playbook('roles/run_role.yml', extra_vars=extra)
    assert proc.returncode != 0
    assert 'Validation of arguments failed' in proc.stdout and message in proc.stdout, output(proc)
    counts = recap(proc)['localhost']
    assert counts['failed'] == 1 and counts['changed'] == 0 and counts['skipped'] == 0
    # the validation task is the first task of the role, and it is the one that failed
    first = proc.stdout.index('TASK [cecloud.ims.%s : ' % role)
    assert proc.stdout[first:].startswith("TASK [cecloud.ims.%s : Validating arguments against arg spec 'main'" % role)
    assert 'fatal: [localhost]' in proc.stdout[first:proc.stdout.find('TASK [', first + 1) if proc.stdout.find('TASK [', first + 1) > 0 else None]
    assert ims.requests() == []


@pytest.mark.parametrize('role,variables,message', [
    ('image_retention', {}, 'exactly one of image_retention_prefix and image_retention_regex'),
    ('image_retention', {'image_retention_prefix': 'a', 'image_retention_regex': 'b'}, 'exactly one of'),
    ('image_retention', {'image_retention_prefix': 'a', 'image_retention_keep': -1}, 'must be 0 or more'),
    ('image_retention', {'image_retention_family': 'gold', 'image_retention_grace_days': -1},
     'image_retention_grace_days must be 0 or more (or unset); got -1'),
    ('image_retention', {'image_retention_family': 'gold', 'image_retention_keep_days': -0.5},
     'image_retention_keep_days must be 0 or more (or unset); got -0.5'),
    # CECloud IMS keeps no deprecation (docs/api-notes.md): no grace period there.
    ('image_retention', {'image_retention_family': 'gold', 'image_retention_grace_days': 3},
     'provider cecloud cannot keep an image deprecated'),
    ('image_publish', {'image_publish_name': 'x', 'image_publish_src': '/x.raw', 'image_publish_deprecate_previous': True},
     'set image_publish_family too'),
    ('image_publish', {'image_publish_name': 'x', 'image_publish_src': '/x.raw', 'image_publish_family': 'gold',
                       'image_publish_deprecate_previous': True}, 'provider cecloud cannot keep an image deprecated'),
    ('image_publish', {'image_publish_name': 'x'}, 'exactly one of image_publish_src'),
])
def test_inconsistent_variables_fail_at_the_first_task(ims, tmp_path, role, variables, message):
    extra = dict(variables, role_under_test=role, result_file=str(tmp_path / 'r.json'))
    proc = ims.playbook('roles/run_role.yml', extra_vars=extra)
    assert proc.returncode != 0 and message in proc.stdout, output(proc)
    assert ims.requests() == []


@pytest.mark.parametrize('role,variables', [
    ('image_retention', {'image_retention_prefix': 'a'}),
    ('image_publish', {'image_publish_name': 'x', 'image_publish_src': '/nonexistent.qcow2'}),
    ('image_import', {}),
])
def test_an_unknown_provider_fails_naming_the_providers_of_the_registry(ims, tmp_path, role, variables):
    """The roles' specs leave the provider's values to the registry, which the role's connection lookup reads."""
    extra = dict(variables, role_under_test=role, result_file=str(tmp_path / 'r.json'), ims_connection=dict(provider='aws'))
    proc = ims.playbook('roles/run_role.yml', extra_vars=extra)
    assert proc.returncode != 0, output(proc)
    assert "provider must be one of cecloud, huaweicloud, openstack; got 'aws'" in proc.stdout, output(proc)
    assert recap(proc)['localhost']['changed'] == 0
    assert ims.requests() == []
