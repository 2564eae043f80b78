# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles with ``provider: huaweicloud``, through real ansible-playbook, the Huawei emulator and SeaweedFS as OBS.

The connection is one dict, ``ims_connection`` (AK/SK, or the IAM password login), so each test can
say which writes reached IMS: a second run writes nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import re
import subprocess
import uuid

from tests.integration.conftest import BIN, REPO, TARGETS, module_env
from tests.integration.huaweicloud import CONNECTION_PREFIXES, hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import md5, write_qcow2, write_raw
from tests.integration.test_huaweicloud_secrets import IAM_TOKEN, secrets_of
from tests.integration.test_replicate import cecloud
from tests.integration.test_roles import output, recap
from tests.integration.test_secrets import scan


def run_role(hw, tmp_path, role, variables, tenant='owner', auth='aksk', check=False, verbosity=0, env=None):  # noqa: F811  pylint: disable=redefined-outer-name
    """Run ``role`` as ``tenant`` through targets/roles/run_role.yml: (the completed process, the role's result or None)."""
    result_file = tmp_path / ('%s-result.json' % role)
    if result_file.exists():
        result_file.unlink()
    extra = dict(variables, ims_connection=dict(hw.connection(tenant, auth), retries=1), role_under_test=role,
                 result_file=str(result_file))
    cmd = [os.path.join(BIN, 'ansible-playbook'), os.path.join(TARGETS, 'roles', 'run_role.yml'), '-i', 'localhost,',
           '-c', 'local', '-e', json.dumps(extra)]
    if check:
        cmd.append('--check')
    if verbosity:
        cmd.append('-' + 'v' * verbosity)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=module_env(env or {}, drop_prefixes=CONNECTION_PREFIXES),
                          cwd=REPO, timeout=900, check=False)
    result = json.loads(result_file.read_text()) if result_file.exists() else None
    return proc, result


def bucket_of(hw):  # noqa: F811  pylint: disable=redefined-outer-name
    name = 'role-%s' % uuid.uuid4().hex[:12]
    hw.obs().create_bucket(Bucket=name)
    return name


def publish_vars(hw, tmp_path, name='hw-published'):  # noqa: F811  pylint: disable=redefined-outer-name
    return dict(image_publish_name=name, image_publish_src=write_raw(tmp_path / 'golden.raw', 6),
                image_publish_metadata=dict(min_disk=40, os_version='Ubuntu 22.04 server 64bit'),
                image_publish_obs_bucket=bucket_of(hw), image_publish_share_with=[hw.project('recipient')],
                image_publish_export_bucket=bucket_of(hw), image_publish_download_dest=str(tmp_path / 'copy.qcow2'))


def test_image_publish_stages_through_obs_shares_exports_downloads_and_replicates_then_a_rerun_writes_nothing(ims, hw, tmp_path):  # noqa: F811
    # A qcow2 file, as IMS exports one (the CECloud target checks the format); the replication's export goes to
    # image_publish_obs_bucket, the bucket the file was staged in (no image_publish_replicate_obs_bucket).
    variables = dict(publish_vars(hw, tmp_path), image_publish_src=write_qcow2(str(tmp_path / 'golden.qcow2'), 1),
                     image_publish_replicate_to=[cecloud(ims)], image_publish_replicate_obs_key='exports/hw-published.qcow2',
                     image_publish_replicate_keep_staged_object=True)
    proc, result = run_role(hw, tmp_path, 'image_publish', variables)
    assert proc.returncode == 0, output(proc)
    image = result['image']
    assert result['published'] is True and image['status'] == 'active', result
    assert result['shared_with'] == [hw.project('recipient')] and result['shares_added'] == [hw.project('recipient')]
    assert result['exported_to'] == variables['image_publish_export_bucket']
    assert result['downloaded_to'] == variables['image_publish_download_dest']
    assert [m['member_id'] if 'member_id' in m else m.get('project') for m in hw.stack.members(image['image_id'])]
    (made,) = hw.images('hw-published')
    assert made['id'] == image['image_id']
    exported = hw.obs().list_objects_v2(Bucket=variables['image_publish_export_bucket']).get('Contents') or []
    assert [o['Key'] for o in exported] == ['hw-published.qcow2']
    assert md5(variables['image_publish_download_dest']) == md5(variables['image_publish_src'])
    (target,) = result['replicated_to']
    (replica,) = [i for i in ims.images('tenant-a') if i['name'] == 'hw-published']
    assert target['served'] == 'streamed' and replica['imageId'] == target['image_id'], target
    assert target['checksum'] == md5(variables['image_publish_src']), target
    # The staged upload is gone; the replication's export is kept at the key the role was given.
    staged = hw.obs().list_objects_v2(Bucket=variables['image_publish_obs_bucket']).get('Contents') or []
    assert [o['Key'] for o in staged] == ['exports/hw-published.qcow2'], staged

    hw.stack.clear_requests()
    ims.stack.clear_requests()
    again, second = run_role(hw, tmp_path, 'image_publish', variables)
    assert again.returncode == 0, output(again)
    assert recap(again)['localhost']['changed'] == 0, output(again)
    assert second['published'] is False and [t['served'] for t in second['replicated_to']] == ['unchanged'], second
    assert hw.writes() == [] and ims.state_changing_requests() == []


def share_with_recipient(hw, name):  # noqa: F811  pylint: disable=redefined-outer-name
    (image_id,) = hw.seed(1, prefix=name)
    run = hw.module('ims_image_share', dict(image=image_id, projects=[hw.project('recipient')]))
    assert not run.failed and run.changed, run
    return image_id, name + '00000'


def test_image_import_accepts_the_matching_pending_shares_and_copies_them_then_a_rerun_writes_nothing(hw, tmp_path):  # noqa: F811
    wanted_id, wanted = share_with_recipient(hw, 'golden-')
    other_id, dummy = share_with_recipient(hw, 'scratch-')
    variables = dict(image_import_pattern='^golden-', image_import_copy=True, image_import_name_prefix='copy-')
    proc, result = run_role(hw, tmp_path, 'image_import', variables, tenant='recipient', auth='password')
    assert proc.returncode == 0, output(proc)
    assert [i['image_id'] for i in result['accepted']] == [wanted_id], result
    assert [i['name'] for i in result['copied']] == ['copy-' + wanted], result
    statuses = dict((m['image_id'], m['status']) for m in hw.stack.members())
    assert statuses[wanted_id] == 'accepted' and statuses[other_id] == 'pending', statuses
    (copy,) = hw.images('copy-' + wanted, tenant='recipient')
    assert copy['status'] == 'active'

    hw.stack.clear_requests()
    again, second = run_role(hw, tmp_path, 'image_import', variables, tenant='recipient', auth='password')
    assert again.returncode == 0, output(again)
    assert recap(again)['localhost']['changed'] == 0 and hw.writes() == [], output(again)
    assert second['accepted'] == [] and second['already_accepted'] == [wanted] and second['already_copied'] == ['copy-' + wanted]


def test_image_import_refuses_remove_shares_on_huaweicloud_before_any_change(hw, tmp_path):  # noqa: F811
    share_with_recipient(hw, 'golden-')
    hw.stack.clear_requests()
    proc, dummy = run_role(hw, tmp_path, 'image_import', dict(image_import_remove_shares=True), tenant='recipient')
    assert proc.returncode != 0 and 'image_import_remove_shares applies to cecloud only' in output(proc), output(proc)
    assert hw.writes() == []


def test_image_retention_keeps_the_newest_and_deletes_the_rest(hw, tmp_path):  # noqa: F811
    ids = hw.seed(3, prefix='old-')
    proc, result = run_role(hw, tmp_path, 'image_retention', dict(image_retention_prefix='old-', image_retention_keep=1))
    assert proc.returncode == 0, output(proc)
    assert len(result['kept']) == 1 and len(result['deleted']) == 2, result
    left = [i['id'] for i in hw.images() if i['name'].startswith('old-')]
    assert len(left) == 1 and left[0] in ids


def days_ago(days):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def seed_aged(hw, name, days, family='gold', pinned=False, **attributes):  # noqa: F811  pylint: disable=redefined-outer-name
    """One active image made ``days`` ago, of ``family`` (a key/value tag, which IMS lists as ``ims_family=gold``)."""
    tags = [{'key': 'ims_family', 'value': family}] + ([{'key': 'ims_pinned', 'value': 'true'}] if pinned else [])
    (image_id,) = hw.seed(1, name=name, created_at=days_ago(days), updated_at=days_ago(days), _kv_tags=tags, **attributes)
    return image_id


def deprecate_since(hw, image_id, days):  # noqa: F811  pylint: disable=redefined-outer-name
    """Deprecate an image through ims_image, ``days`` ago."""
    run = hw.module('ims_image', dict(id=image_id, deprecated=True, deprecated_at=days_ago(days)))
    assert run.changed and not run.failed, run


def retention_table(proc):
    """{image name: (action, reason)} of the retention's table in the play's output."""
    rows = re.findall(r'^\s*"(\S+)\s+([0-9a-f-]{36})\s+\S+\s+(keep|skip|deprecate|delete)\s+(.*)",?$', proc.stdout, re.M)
    return {name: (action, reason) for name, dummy, action, reason in rows}


def test_image_retention_of_a_family_deprecates_then_deletes_after_the_grace_period_then_a_rerun_writes_nothing(hw, tmp_path):  # noqa: F811
    ids = {name: seed_aged(hw, name, days, pinned=name == 'h-2')
           for name, days in (('h-0', 1), ('h-1', 2), ('h-2', 10), ('h-3', 11), ('h-4', 12), ('h-5', 13), ('h-6', 14))}
    ids['h-7'] = seed_aged(hw, 'h-7', 15, protected=True)
    seed_aged(hw, 'h-silver', 30, family='silver')
    deprecate_since(hw, ids['h-4'], 1)
    deprecate_since(hw, ids['h-5'], 5)
    run = hw.module('ims_image_share', dict(image=ids['h-6'], projects=[hw.project('recipient')]))
    assert run.changed and not run.failed, run
    variables = dict(image_retention_family='gold', image_retention_keep=1, image_retention_keep_days=5,
                     image_retention_grace_days=3)
    expected = {
        'h-0': ('keep', 'newest 1 (number 1)'),
        'h-1': ('keep', 'newer than keep_days 5 (2 days old)'),
        'h-2': ('keep', 'pinned (ims_pinned: true)'),
        'h-3': ('deprecate', 'older than the newest 1 and keep_days 5: deprecated now, deleted after grace_days 3'),
        'h-4': ('keep', 'deprecated since %s (1 days < grace_days 3): deleted later' % days_ago(1)[:11]),
        'h-5': ('delete', 'deprecated since %s (5 days >= grace_days 3)' % days_ago(5)[:11]),
        'h-6': ('skip', 'shared (visibility shared): set image_retention_force to remove it'),
        'h-7': ('skip', 'protected: set image_retention_force to remove it')}

    def shown(proc):
        # The deprecation times are the seconds of the module runs above: compare their day.
        return {name: (action, re.sub(r'(since \d{4}-\d\d-\d\dT)\S+', r'\1', reason))
                for name, (action, reason) in retention_table(proc).items()}

    hw.stack.clear_requests()
    proc, result = run_role(hw, tmp_path, 'image_retention', variables, check=True)
    assert proc.returncode == 0 and hw.writes() == [], output(proc)
    assert shown(proc) == expected, output(proc)
    assert [i['name'] for i in result['deprecated']] == ['h-3'] and [i['name'] for i in result['deleted']] == ['h-5'], result

    proc, result = run_role(hw, tmp_path, 'image_retention', variables)
    assert proc.returncode == 0 and recap(proc)['localhost']['changed'] == 2, output(proc)
    assert [i['name'] for i in result['deprecated']] == ['h-3'] and [i['name'] for i in result['deleted']] == ['h-5'], result
    assert [i['name'] for i in result['skipped_shared']] == ['h-6'] and [i['name'] for i in result['skipped_protected']] == ['h-7']
    images = {i['name']: i for i in hw.images()}
    assert 'h-5' not in images and sorted(n for n in images if n.startswith('h-')) == [
        'h-0', 'h-1', 'h-2', 'h-3', 'h-4', 'h-6', 'h-7', 'h-silver']
    # The deprecated image points at the newest kept one.
    assert images['h-3'].get('ims_deprecated_at') and images['h-3'].get('ims_replaced_by') == ids['h-0'], images['h-3']

    hw.stack.clear_requests()
    proc, result = run_role(hw, tmp_path, 'image_retention', variables)
    assert proc.returncode == 0 and recap(proc)['localhost']['changed'] == 0 and hw.writes() == [], output(proc)
    assert result['deprecated'] == [] and result['deleted'] == []


def test_image_retention_refuses_a_negative_grace_period_before_any_request(hw, tmp_path):  # noqa: F811
    hw.stack.clear_requests()
    proc, dummy = run_role(hw, tmp_path, 'image_retention', dict(image_retention_family='gold', image_retention_grace_days=-1))
    assert proc.returncode != 0 and 'image_retention_grace_days must be 0 or more (or unset); got -1' in output(proc), output(proc)
    assert hw.ims_requests() == []


def test_image_publish_of_a_family_deprecates_the_previous_version_and_a_rerun_writes_nothing(hw, tmp_path):  # noqa: F811
    bucket = bucket_of(hw)

    def version(number):
        return dict(image_publish_name='fam-v%d' % number, image_publish_src=write_raw(tmp_path / ('v%d.raw' % number), 1 + number),
                    image_publish_metadata=dict(min_disk=40, os_version='Ubuntu 22.04 server 64bit'),
                    image_publish_obs_bucket=bucket, image_publish_family='hw-fam', image_publish_deprecate_previous=True)

    proc, first = run_role(hw, tmp_path, 'image_publish', version(1))
    assert proc.returncode == 0 and first['published'] is True and first['deprecated_previous'] == [], output(proc)
    proc, second = run_role(hw, tmp_path, 'image_publish', version(2))
    assert proc.returncode == 0 and second['published'] is True, output(proc)
    assert [i['image_id'] for i in second['deprecated_previous']] == [first['image']['image_id']], second
    images = {i['name']: i for i in hw.images()}
    family = {'key': 'ims_family', 'value': 'hw-fam'}
    assert family in images['fam-v2']['_kv_tags'] and family in images['fam-v1']['_kv_tags'], images['fam-v2']
    assert images['fam-v1']['ims_replaced_by'] == second['image']['image_id'] and images['fam-v1']['ims_deprecated_at']
    assert not images['fam-v2'].get('ims_deprecated_at')

    hw.stack.clear_requests()
    proc, again = run_role(hw, tmp_path, 'image_publish', version(2))
    assert proc.returncode == 0 and recap(proc)['localhost']['changed'] == 0 and hw.writes() == [], output(proc)
    assert again['published'] is False and again['deprecated_previous'] == []


# -- the -vvv secret scan of the upload/export paths ----------------------------------------------------

def scanned_run(hw, tmp_path, role, variables, tenant='owner', auth='aksk'):  # noqa: F811  pylint: disable=redefined-outer-name
    """Run a role at -vvv with ANSIBLE_LOG_PATH; (process, {where: text})."""
    log = tmp_path / ('%s-%s.log' % (role, auth))
    proc, dummy = run_role(hw, tmp_path, role, variables, tenant=tenant, auth=auth, verbosity=3,
                           env={'ANSIBLE_LOG_PATH': str(log)})
    return proc, {'stdout': proc.stdout, 'stderr': proc.stderr, 'ansible log': log.read_text(encoding='utf-8', errors='replace')}


def test_the_upload_export_and_role_paths_at_vvv_leak_no_key_token_or_password(hw, tmp_path):  # noqa: F811
    secrets = secrets_of(hw.stack)
    published, texts = scanned_run(hw, tmp_path, 'image_publish', publish_vars(hw, tmp_path, name='hw-secret'))
    assert published.returncode == 0 and 'ESTABLISH LOCAL CONNECTION' in published.stdout, output(published)
    assert hw.ims_requests('POST', '/v2/cloudimages/action') and hw.ims_requests('POST', '/v1/cloudimages/')
    found = scan(texts, secrets)

    # A run that fails after the upload: the export's bucket is not there.
    failing = dict(publish_vars(hw, tmp_path, name='hw-secret-fail'), image_publish_export_bucket='no-such-bucket-vvv')
    failed, failed_texts = scanned_run(hw, tmp_path, 'image_publish', failing)
    assert failed.returncode != 0 and 'no-such-bucket-vvv does not exist' in failed.stdout, output(failed)
    found += scan(failed_texts, secrets)

    # The recipient logs in with its password (IAM issues a token) to accept and copy.
    share_with_recipient(hw, 'golden-')
    imported, import_texts = scanned_run(hw, tmp_path, 'image_import',
                                         dict(image_import_copy=True, image_import_name_prefix='c-'),
                                         tenant='recipient', auth='password')
    assert imported.returncode == 0, output(imported)
    assert [r for r in hw.stack.requests('iam') if r['path'] == '/v3/auth/tokens'], 'no password login: no token to scan'
    found += scan(import_texts, secrets)
    assert found == []
    every_text = list(texts.values()) + list(failed_texts.values()) + list(import_texts.values())
    assert [t for t in every_text if IAM_TOKEN.search(t)] == []
