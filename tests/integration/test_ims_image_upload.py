# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_upload against the emulator + SeaweedFS, through real HTTP and real S3."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config

from tests.integration.conftest import COLLECTIONS
from tests.integration.images import md5, write_qcow2, write_raw


def image_in_emulator(ims, image_id):
    return next((i for i in ims.images() if i['imageId'] == image_id), None)


def creates(ims):
    return [r for r in ims.requests() if r['method'] == 'POST' and r['path'] == '/api/image/v1/private-images']


def test_qcow2_upload_detects_the_format_verifies_and_is_idempotent(ims, tmp_path):
    src = write_qcow2(tmp_path / 'golden.qcow2', 20)
    args = dict(src=src, name='golden-qcow2', part_size_mb=5, max_concurrency=2, os_type='linux', platform='CentOS', min_disk=10)
    run = ims.module('ims_image_upload', args, diff=True)
    assert not run.failed, run
    assert run.changed
    image = run['image']
    assert image['status'] == 'active' and image['disk_format'] == 'qcow2'
    assert image['checksum'] == md5(src) == run['checksum']
    assert image['size'] == os.path.getsize(src) and run['transfer']['bytes'] == os.path.getsize(src)
    assert run['transfer']['mib_per_s'] > 0 and run['transfer']['seconds'] > 0
    assert run['diff']['before'] == {} and run['diff']['after']['checksum'] == md5(src)
    stored = image_in_emulator(ims, image['image_id'])
    assert stored['platform'] == 'CentOS' and stored['minDisk'] == 10
    assert stored['uploadId'], 'a multipart upload (file > part size) reports its upload id to upload-done'
    paths = [(r['method'], r['path'].rsplit('/', 1)[-1]) for r in ims.state_changing_requests()]
    assert paths == [('POST', 'private-images'), ('POST', 'upload-prepare'), ('POST', 'upload-done')]

    ims.stack.clear_requests()
    again = ims.module('ims_image_upload', dict(src=src, name='golden-qcow2', part_size_mb=5))
    assert not again.failed, again
    assert not again.changed
    assert again['image']['image_id'] == image['image_id']
    assert again['transfer'] == {}
    assert ims.state_changing_requests() == []


def test_raw_upload_check_mode_then_real(ims, tmp_path):
    src = write_raw(tmp_path / 'data.raw', 24)
    args = dict(src=src, name='data-raw', image_type='data_image', wait_timeout=120)
    check = ims.module('ims_image_upload', args, check=True)
    assert not check.failed, check
    assert check.changed and check['image']['disk_format'] == 'raw' and 'image_id' not in check['image']
    # Check mode hashes the file, and predicts the image in the shape the service returns it.
    assert check['checksum'] == check['image']['checksum'] == md5(src)
    assert check['image']['instructions'] == '64-bits' and check['image']['status'] == 'active'
    assert 'instruction' not in check['image'] and 'tenant_id' not in check['image']
    assert ims.state_changing_requests() == []
    assert ims.images('tenant-a') == [i for i in ims.images('tenant-a') if i['name'] != 'data-raw']

    run = ims.module('ims_image_upload', args)
    assert not run.failed, run
    assert run.changed and run['image']['disk_format'] == 'raw' and run['image']['status'] == 'active'
    # The result is the image's detail (GET /images/{imageId}), which lists no OS version, department or resource group.
    unlisted = {'os_version', 'department_id', 'resource_group_id'}
    assert set(check['image']) - unlisted <= set(run['image']), set(check['image']) - set(run['image'])
    assert run['image']['checksum'] == md5(src)
    assert run['image']['image_type'] == 'data_image'

    check_again = ims.module('ims_image_upload', args, check=True)
    assert not check_again.failed and not check_again.changed


def test_other_checksum_fails_unless_replace_which_deletes_the_old_once_the_new_is_active(ims, tmp_path):
    first = write_raw(tmp_path / 'v1.raw', 6, seed=b'v1')
    second = write_raw(tmp_path / 'v2.raw', 6, seed=b'v2')
    old = ims.module('ims_image_upload', dict(src=first, name='app-image'))
    assert not old.failed, old
    old_id = old['image']['image_id']

    ims.stack.clear_requests()
    refused = ims.module('ims_image_upload', dict(src=second, name='app-image'))
    assert refused.failed
    assert old_id in refused['msg'] and 'replace: true' in refused['msg'] and md5(second) in refused['msg']
    assert ims.state_changing_requests() == []

    replaced = ims.module('ims_image_upload', dict(src=second, name='app-image', replace=True, wait=False))
    assert not replaced.failed, replaced
    assert replaced.changed and replaced['replaced'] == [old_id]
    new_id = replaced['image']['image_id']
    assert new_id != old_id and replaced['image']['status'] == 'active'
    assert replaced['image']['checksum'] == md5(second)
    assert image_in_emulator(ims, old_id) in (None,) or image_in_emulator(ims, old_id)['status'] == 'deleted'
    log = ims.requests()
    delete_at = next(i for i, r in enumerate(log) if r['method'] == 'DELETE')
    assert log[delete_at]['path'].endswith(old_id)
    assert delete_at == len(log) - 1 or all(r['method'] == 'GET' for r in log[delete_at + 1:])
    assert any(r['method'] == 'GET' and r['path'].endswith(new_id) for r in log[:delete_at]), 'waited for the new image first'

    same = ims.module('ims_image_upload', dict(src=second, name='app-image', replace=True))
    assert not same.failed and not same.changed


def test_a_queued_image_left_by_a_failed_run_is_reused(ims, tmp_path):
    src = write_raw(tmp_path / 'reuse.raw', 3)
    tenant = ims.stack.tenant('tenant-a')
    leftover = ims.api('POST', '/private-images', json={
        'diskFormat': 'raw', 'minDisk': 1, 'minRam': 0, 'name': 'reused', 'imageType': 'os_image', 'instruction': '64-bits',
        'cpuArch': 'x86', 'osType': 'linux', 'platform': 'other', 'visibility': 'private', 'usage': 'ecs',
        'departmentId': tenant['department_id'], 'tenantId': tenant['tenant_id'], 'resourceGroupId': ''})
    assert leftover['status'] == 'queued'
    ims.stack.clear_requests()
    run = ims.module('ims_image_upload', dict(src=src, name='reused'))
    assert not run.failed, run
    assert run.changed and run['image']['image_id'] == leftover['imageId'] and run['image']['status'] == 'active'
    assert creates(ims) == []


def test_declared_format_that_does_not_match_the_file_is_refused_before_any_request(ims, tmp_path):
    qcow2 = write_qcow2(tmp_path / 'disk.qcow2', 1)
    raw = write_raw(tmp_path / 'disk.raw', 1)
    as_raw = ims.module('ims_image_upload', dict(src=qcow2, name='bad-format', disk_format='raw'))
    as_qcow2 = ims.module('ims_image_upload', dict(src=raw, name='bad-format', disk_format='qcow2'))
    assert as_raw.failed and 'disk_format is raw' in as_raw['msg'] and 'qcow2 file' in as_raw['msg']
    assert as_qcow2.failed and 'disk_format is qcow2' in as_qcow2['msg'] and 'raw file' in as_qcow2['msg']
    assert ims.requests() == []


def test_src_missing_a_directory_or_unreadable(ims, tmp_path):
    (tmp_path / 'afile').write_bytes(b'x' * 10)
    fifo = tmp_path / 'a.fifo'
    os.mkfifo(str(fifo))
    cases = {
        str(tmp_path / 'missing.qcow2'): 'does not exist',
        str(tmp_path / 'afile' / 'under-a-file.qcow2'): 'does not exist',   # ENOTDIR
        str(tmp_path): 'is a directory',
        str(fifo): 'not a regular file',       # root reads through chmod 000, so a FIFO stands for "unreadable"
    }
    if os.geteuid() != 0:
        locked = tmp_path / 'locked.raw'
        locked.write_bytes(b'x' * 10)
        locked.chmod(0)
        cases[str(locked)] = 'cannot be read'
    empty = tmp_path / 'empty.raw'
    empty.write_bytes(b'')
    cases[str(empty)] = 'is empty'
    for src, message in cases.items():
        run = ims.module('ims_image_upload', dict(src=src, name='nope'))
        assert run.failed and message in run['msg'], (src, run)
    assert ims.requests() == []


def test_object_storage_stopped_mid_upload_without_resume_reports_failed_cleans_up_and_fails_with_the_cause(ims, tmp_path):
    """resume: false keeps today's meaning of a failure; with resume (the default) see test_resume_upload.py."""
    src = write_raw(tmp_path / 'big.raw', 160)
    bucket = ims.stack.state()['bucket']
    s3 = boto3.client('s3', endpoint_url=ims.stack.s3_endpoint, aws_access_key_id=ims.stack.s3_access_key,
                      aws_secret_access_key=ims.stack.s3_secret_key, region_name='us-east-1',
                      config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
    args = {'ANSIBLE_MODULE_ARGS': dict(src=src, name='interrupted', part_size_mb=5, max_concurrency=1, retries=1,
                                        resume=False)}
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump(args, handle)
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.ims_image_upload', handle.name],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ims.env())
    stopped = False
    try:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            try:
                if s3.list_multipart_uploads(Bucket=bucket).get('Uploads'):
                    break
            except Exception:  # pylint: disable=broad-except
                pass        # the bucket appears with the first upload
            time.sleep(0.02)
        assert proc.poll() is None, 'the upload finished before the object storage could be stopped'
        ims.stack.stop_s3()
        stopped = True
        out, err = proc.communicate(timeout=180)
    finally:
        os.unlink(handle.name)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if stopped:
            ims.stack.start_s3()
    result = json.loads(out[out.index('{'):])
    assert result.get('failed'), (result, err[-2000:])
    assert 'Uploading %s to object storage' % src in result['msg']
    assert 'told the upload' in result['msg'] and 'was deleted' in result['msg']
    done = [r for r in ims.requests() if r['method'] == 'POST' and r['path'].endswith('/upload-done')]
    deletes = [r for r in ims.requests() if r['method'] == 'DELETE']
    assert len(done) == 1 and done[0]['status'] == 200
    image_id = done[0]['path'].split('/')[-2]
    assert [d['path'] for d in deletes] == ['/api/image/v1/private-images/%s' % image_id]
    stored = image_in_emulator(ims, image_id)
    assert stored is None or stored['status'] == 'deleted'
    assert ims.stack.s3_secret_key not in out + err and ims.stack.s3_access_key not in out + err


def test_playbook_with_vvv_never_shows_the_token_or_the_object_storage_keys(ims, tmp_path):
    src = write_raw(tmp_path / 'secret-check.raw', 6)
    proc = ims.playbook('ims_image_upload/main.yml', extra_vars=dict(src=src, image_name='vvv-check'), verbosity=3)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert 'ims_image_upload' in output and 'mib_per_s' in output
    for secret in (ims.stack.tenant('tenant-a')['token'], ims.stack.s3_access_key, ims.stack.s3_secret_key):
        assert secret not in output
    assert COLLECTIONS


# -- one image per name, whatever the timing ----------------------------------------------------------------


def named(ims, name):
    """The tenant's images called ``name`` that are not on their way out."""
    return [i for i in ims.images('tenant-a') if i['name'] == name and i['status'] != 'deleted']


def test_wait_false_run_twice_on_a_slow_service_reuses_the_saving_image(slow_ims, tmp_path):
    ims = slow_ims
    src = write_raw(tmp_path / 'slow.raw', 2)
    args = dict(src=src, name='slow-twice', wait=False)
    # Held, the image is still saving when the second run looks at it, however slowly a loaded machine runs it.
    with ims.stack.hold_transitions():
        first = ims.module('ims_image_upload', args)
        assert not first.failed and first.changed, first
        assert first['image']['status'] == 'saving'
        ims.stack.clear_requests()
        second = ims.module('ims_image_upload', args)
        assert not second.failed, second
        assert second['image']['status'] == 'saving', second
        assert not second.changed and second['image']['image_id'] == first['image']['image_id']
        assert second['checksum'] == md5(src)
        assert ims.state_changing_requests() == []
        assert len(named(ims, 'slow-twice')) == 1
    waited = ims.module('ims_image_upload', dict(args, wait=True))
    assert not waited.failed and not waited.changed, waited
    assert waited['image']['status'] == 'active' and waited['image']['checksum'] == md5(src)
    assert waited['image']['image_id'] == first['image']['image_id']
    assert ims.state_changing_requests() == []


def test_a_timed_out_wait_reports_the_image_it_made_and_a_rerun_converges(slow_ims, tmp_path):
    ims = slow_ims
    src = write_raw(tmp_path / 'timeout.raw', 1)
    run = ims.module('ims_image_upload', dict(src=src, name='timed-out', wait_timeout=1))
    assert run.failed and 'Timed out' in run['msg'], run
    assert run.changed and run['image']['image_id'] == named(ims, 'timed-out')[0]['imageId'], run
    assert run['transfer']['bytes'] == os.path.getsize(src)
    rerun = ims.module('ims_image_upload', dict(src=src, name='timed-out', wait_timeout=120))
    assert not rerun.failed and not rerun.changed, rerun
    assert rerun['image']['image_id'] == run['image']['image_id'] and rerun['image']['status'] == 'active'


def test_replace_of_a_shared_image_is_refused_up_front_unless_force_moves_the_shares(ims, tmp_path):
    first = write_raw(tmp_path / 'v1.raw', 2, seed=b'v1')
    second = write_raw(tmp_path / 'v2.raw', 2, seed=b'v2')
    old_id = ims.module('ims_image_upload', dict(src=first, name='shared-app'))['image']['image_id']
    user_b = ims.stack.tenant('tenant-b')['user_id']
    ims.api('POST', '/private-images/%s/share' % old_id, json={'shares': {'user_ids': [user_b]}})
    ims.stack.clear_requests()

    refused = ims.module('ims_image_upload', dict(src=second, name='shared-app', replace=True))
    assert refused.failed and not refused.changed, refused
    assert old_id in refused['msg'] and user_b in refused['msg'] and 'force: true' in refused['msg'], refused['msg']
    assert ims.state_changing_requests() == []

    check = ims.module('ims_image_upload', dict(src=second, name='shared-app', replace=True, force=True), check=True)
    assert not check.failed and check.changed, check
    assert check['replaced'] == [old_id] and check['shares_moved'] == {old_id: [user_b]}
    assert ims.state_changing_requests() == []

    forced = ims.module('ims_image_upload', dict(src=second, name='shared-app', replace=True, force=True))
    assert not forced.failed and forced.changed, forced
    new_id = forced['image']['image_id']
    assert forced['replaced'] == [old_id] and forced['shares_moved'] == {old_id: [user_b]}
    assert [i['imageId'] for i in named(ims, 'shared-app')] == [new_id]
    assert [(s['imageId'], s['userId']) for s in ims.stack.state()['shares']] == [(new_id, user_b)]


def test_a_rerun_finishes_an_interrupted_replace_and_check_mode_shows_every_image_it_deletes(ims, tmp_path):
    v1, v2, v3 = (write_raw(tmp_path / ('v%d.raw' % n), 2, seed=b'v%d' % n) for n in (1, 2, 3))
    old_id = ims.module('ims_image_upload', dict(src=v1, name='app'))['image']['image_id']
    ims.stack.set_faults(rules=[{'method': 'DELETE', 'path': '/private-images/', 'action': 'error', 'status': 500, 'count': 50}])
    interrupted = ims.module('ims_image_upload', dict(src=v2, name='app', replace=True, retries=1))
    ims.stack.set_faults()
    assert interrupted.failed, interrupted
    new_id = interrupted['image']['image_id']
    assert interrupted.changed and new_id != old_id and interrupted['image']['status'] == 'active', interrupted
    assert sorted(i['imageId'] for i in named(ims, 'app')) == sorted([old_id, new_id])

    check = ims.module('ims_image_upload', dict(src=v3, name='app', replace=True), check=True, diff=True)
    assert not check.failed and check.changed, check
    assert sorted(check['replaced']) == sorted([old_id, new_id])
    deleted_in_diff = [d['before']['image_id'] for d in check['diff'] if d['after'] == {}]
    assert sorted(deleted_in_diff) == sorted([old_id, new_id]), check['diff']
    assert check['image']['checksum'] == md5(v3)

    ims.stack.clear_requests()
    refused = ims.module('ims_image_upload', dict(src=v2, name='app'))
    assert refused.failed and old_id in refused['msg'] and 'replace: true' in refused['msg'], refused
    assert ims.state_changing_requests() == []

    finished = ims.module('ims_image_upload', dict(src=v2, name='app', replace=True))
    assert not finished.failed and finished.changed, finished
    assert finished['replaced'] == [old_id] and finished['image']['image_id'] == new_id
    assert [i['imageId'] for i in named(ims, 'app')] == [new_id]
    again = ims.module('ims_image_upload', dict(src=v2, name='app', replace=True))
    assert not again.failed and not again.changed, again


def test_an_upload_and_its_download_verify_by_the_digest_the_checksum_holds(checksum_ims, tmp_path):
    """The document never names the algorithm of ``checksum``: its length tells (32, 64, 128 hex digits)."""
    ims = checksum_ims
    src = write_raw(tmp_path / 'digest.raw', 2)
    with open(src, 'rb') as handle:
        expected = hashlib.new(ims.reading, handle.read()).hexdigest()
    run = ims.module('ims_image_upload', dict(src=src, name='digest', os_version='v2'))
    assert not run.failed and run.changed, run
    assert run['image']['checksum'] == expected and run['checksum'] == md5(src)
    # The result is the image's detail (GET /images/{imageId}), which lists no OS version: the emulator holds it.
    assert [i['osVersion'] for i in ims.images('tenant-a') if i['imageId'] == run['image']['image_id']] == ['v2']
    again = ims.module('ims_image_upload', dict(src=src, name='digest'))
    assert not again.failed and not again.changed, again
    dest = tmp_path / 'back.raw'
    down = ims.module('ims_image_export', dict(image='digest', dest=str(dest)))
    assert not down.failed and down.changed, down
    assert down['verified'] == dict(algorithm=ims.reading, value=expected, size=os.path.getsize(src)), down
    assert down['checksum'] == md5(src) == md5(str(dest))


def test_the_waits_work_whether_get_image_serves_private_images_or_not(image_detail_ims, tmp_path):
    """GET /images/{id} carries no 私有镜像 mark: a service may answer NoData there for a private image."""
    ims = image_detail_ims
    run = ims.module('ims_image_upload', dict(src=write_raw(tmp_path / 'detail.raw', 1), name='detail'))
    assert not run.failed and run['image']['status'] == 'active', run
    gone = ims.module('ims_image', dict(name='detail', state='absent', wait=True))
    assert not gone.failed and gone.changed, gone
    assert [i['status'] for i in ims.images('tenant-a') if i['name'] == 'detail'] in ([], ['deleted'])
