# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resumable uploads: a re-run after a broken transfer sends only what is missing.

Everything goes through the emulator and the real SeaweedFS; upload-prepare hands out the address of
an S3-reading proxy in front of SeaweedFS (tests/integration/s3_proxy.py), which counts the bytes the
module sends, tells which keys it signed with, refuses the listing calls on demand and cuts an upload
at a chosen byte.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import tempfile

import boto3
import pytest
from botocore.config import Config

from tests.bench._measure import PeakRss
from tests.emulator.s3 import unfinished_uploads
from tests.emulator.stack import S3_ROTATED_ACCESS_KEY, S3_ROTATED_SECRET_KEY
from tests.integration.conftest import BIN, ModuleRun, TARGETS
from tests.integration.images import MIB, md5, write_raw
from tests.integration.s3_proxy import S3Proxy

PART_MIB = 5
FILE_MIB = 100          # 20 parts of 5 MiB
CUT_AT = 0.72           # where the first run's upload is cut (fraction of the file's bytes)
MOST_RESENT = 0.35      # what a re-run may send, at most (fraction of the file's bytes)
ARGS = dict(part_size_mb=PART_MIB, max_concurrency=2, retries=1, timeout=20)
# The cut run sends one part at a time, so that the cut loses at most one part in flight (5 % of the file).
CUT_ARGS = dict(ARGS, max_concurrency=1)


@pytest.fixture
def proxy(ims):
    """An S3Proxy in front of SeaweedFS, handed out by upload-prepare."""
    running = S3Proxy(ims.stack.s3.ports['s3'])
    ims.stack.set_upload_target(domain=running.url)
    try:
        yield running
    finally:
        running.close()
        ims.stack.set_upload_target()


def admin_s3(ims):
    return boto3.client('s3', endpoint_url=ims.stack.s3_endpoint, aws_access_key_id=ims.stack.s3_access_key,
                        aws_secret_access_key=ims.stack.s3_secret_key, region_name='us-east-1',
                        config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 2}))


def unfinished(ims, key):
    """The unfinished multipart uploads of exactly ``key`` in the emulator's bucket."""
    return [u for u in unfinished_uploads(admin_s3(ims), ims.stack.state()['bucket'], key) if u['Key'] == key]


def image_of(ims, name):
    found = [i for i in ims.images('tenant-a') if i['name'] == name and i['status'] != 'deleted']
    assert len(found) == 1, found
    return found[0]


def warnings_of(run):
    """The run's warnings as one text (ansible-core 2.19+ may return each as a dict)."""
    return json.dumps(run.get('warnings', []))


def write_args(args):
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    return handle.name


def module_command(args_file):
    return [sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.ims_image_upload', args_file]


def run_measured(ims, args):
    """Run the module once; returns (ModuleRun, its peak RSS in MiB)."""
    args_file = write_args(args)
    try:
        proc = subprocess.Popen(module_command(args_file), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,  # pylint: disable=consider-using-with
                                env=ims.env())
        rss = PeakRss(proc.pid)
        rss.start()
        out, err = proc.communicate(timeout=600)
        rss.stopped.set()
        rss.join()
    finally:
        os.unlink(args_file)
    return ModuleRun(subprocess.CompletedProcess(proc.args, proc.returncode, out, err)), rss.peak_kib / 1024.0


def process_tree(pid):
    """``pid`` and all its descendants (from /proc), parents first."""
    tree = [pid]
    for current in tree:
        try:
            for task in os.listdir('/proc/%d/task' % current):
                with open('/proc/%d/task/%s/children' % (current, task), encoding='ascii') as handle:
                    tree.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
    return tree


def kill_tree(pid):
    """SIGKILL a process and every descendant, as a killed AWX job container or a lost node does.

    Killing ansible-playbook alone would not stop the upload: its workers run in sessions of their own
    and the module goes on to the end."""
    for member in process_tree(pid):
        try:
            os.kill(member, signal.SIGKILL)
        except OSError:
            pass


def cut_upload(ims, proxy, command, size, stop_s3=False, kill=False):
    """Run ``command`` (a module or ansible-playbook) until CUT_AT of the file went through the proxy, then
    break the upload: stop SeaweedFS (``stop_s3``), kill the process and its descendants (``kill``), or
    break the link until the command gives up. Returns the command's (returncode, stdout, stderr)."""
    proxy.hold_at = int(size * CUT_AT)
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ims.env(),  # pylint: disable=consider-using-with
                            start_new_session=True)
    stopped = False
    try:
        assert proxy.wait_held(lambda: proc.poll() is None), 'the upload never reached %d%% (%s)' % (CUT_AT * 100, proc.poll())
        if kill:
            kill_tree(proc.pid)
            proc.wait(60)
        if stop_s3:
            ims.stack.stop_s3()
            stopped = True
        proxy.down = not (stop_s3 or kill)
        proxy.drop()
        out, err = proc.communicate(timeout=300)
    finally:
        proxy.down = False
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        if stopped:
            ims.stack.start_s3()
    return proc.returncode, out, err


def cut_module_run(ims, proxy, args, size, **how):
    args_file = write_args(dict(args, **CUT_ARGS))
    try:
        code, out, err = cut_upload(ims, proxy, module_command(args_file), size, **how)
    finally:
        os.unlink(args_file)
    return ModuleRun(subprocess.CompletedProcess([], code, out, err))


def assert_resumed(ims, proxy, run, src, image_id):
    """The re-run ``run`` resumed: sent at most MOST_RESENT of the file, the image is active and verified, nothing left unfinished."""
    size = os.path.getsize(src)
    assert not run.failed and run.changed, run
    transfer = run['transfer']
    assert transfer['resumed'] is True and transfer['parts_reused'] > 0, transfer
    assert transfer['bytes_sent'] + transfer['bytes_reused'] == transfer['bytes'] == size, transfer
    assert transfer['parts_sent'] + transfer['parts_reused'] == size // (PART_MIB * MIB), transfer
    assert proxy.sent <= MOST_RESENT * size, (proxy.sent, size, transfer)
    assert run['image']['image_id'] == image_id and run['image']['status'] == 'active', run
    assert run['image']['checksum'] == md5(src) == run['checksum']
    assert image_of(ims, run['image']['name'])['imageId'] == image_id
    assert unfinished(ims, image_id) == []
    assert 'CreateMultipartUpload' not in proxy.operations(), proxy.operations()


def test_s3_stopped_at_70_percent_then_a_rerun_with_fresh_keys_sends_only_the_rest(ims, proxy, tmp_path):
    src = write_raw(tmp_path / 'golden.raw', FILE_MIB)
    args = dict(ARGS, src=src, name='resume-s3-stopped')
    first = cut_module_run(ims, proxy, args, os.path.getsize(src), stop_s3=True)
    assert first.failed and first.changed, first
    image = image_of(ims, 'resume-s3-stopped')
    assert image['status'] == 'queued', image
    assert 'stays queued' in first['msg'] and 'run the task again' in first['msg'], first['msg']
    assert first['image']['image_id'] == image['imageId']
    assert [r for r in ims.requests() if r['path'].endswith('/upload-done')] == [], 'the upload was not reported failed'
    assert len(unfinished(ims, image['imageId'])) == 1
    assert ims.stack.s3_secret_key not in first.stdout + first.stderr

    # upload-prepare now hands out other keys (the service's fresh temporary credentials): the re-run uses them.
    ims.stack.set_upload_target(domain=proxy.url, access_key=S3_ROTATED_ACCESS_KEY, secret_key=S3_ROTATED_SECRET_KEY)
    proxy.reset()
    second, peak_mib = run_measured(ims, args)
    assert_resumed(ims, proxy, second, src, image['imageId'])
    assert set(key for dummy, key in proxy.requests) == {S3_ROTATED_ACCESS_KEY}, proxy.requests
    assert {'ListMultipartUploads', 'ListParts', 'UploadPart', 'CompleteMultipartUpload'} <= set(proxy.operations())
    # Memory stays flat: the resumed run needs little more than a check-mode run of the same task (which
    # loads the same code and hashes the file), far less than the file (100 MiB).
    baseline, baseline_mib = run_measured(ims, dict(args, _ansible_check_mode=True))
    assert not baseline.failed and not baseline.changed, baseline
    assert peak_mib - baseline_mib < 40, (peak_mib, baseline_mib)

    third = ims.module('ims_image_upload', args)
    assert not third.failed and not third.changed and third['transfer'] == {}, third


def test_ansible_playbook_killed_at_70_percent_then_a_rerun_sends_only_the_rest(ims, proxy, tmp_path):
    src = write_raw(tmp_path / 'killed.raw', FILE_MIB)
    playbook = [os.path.join(BIN, 'ansible-playbook'), os.path.join(TARGETS, 'ims_image_upload', 'resume.yml'),
                '-i', 'localhost,', '-c', 'local', '-e', json.dumps(dict(src=src, image_name='resume-killed', part_size_mb=PART_MIB, max_concurrency=1))]
    code, dummy_out, dummy_err = cut_upload(ims, proxy, playbook, os.path.getsize(src), kill=True)
    assert code == -signal.SIGKILL
    image = image_of(ims, 'resume-killed')
    assert image['status'] == 'queued', image
    stored = unfinished(ims, image['imageId'])
    assert len(stored) == 1, stored

    proxy.reset()
    rerun = ims.module('ims_image_upload', dict(ARGS, src=src, name='resume-killed'))
    assert_resumed(ims, proxy, rerun, src, image['imageId'])


def test_a_file_changed_between_the_runs_has_its_changed_parts_sent_again(ims, proxy, tmp_path):
    src = write_raw(tmp_path / 'changing.raw', FILE_MIB)
    args = dict(ARGS, src=src, name='resume-changed')
    first = cut_module_run(ims, proxy, args, os.path.getsize(src))
    assert first.failed and 'stays queued' in first['msg'], first
    image_id = image_of(ims, 'resume-changed')['imageId']
    with open(src, 'r+b') as handle:    # part 2 of the stored ones changes, the size does not
        handle.seek(PART_MIB * MIB + 4096)
        handle.write(b'changed between the runs')
    proxy.reset()
    rerun = ims.module('ims_image_upload', args)
    assert not rerun.failed, rerun
    transfer = rerun['transfer']
    stored = int(FILE_MIB * CUT_AT) // PART_MIB     # parts complete before the cut
    assert transfer['resumed'] and transfer['parts_reused'] <= stored - 1, transfer
    assert transfer['parts_sent'] == FILE_MIB // PART_MIB - transfer['parts_reused'], transfer
    assert rerun['image']['image_id'] == image_id and rerun['image']['checksum'] == md5(src), rerun
    assert unfinished(ims, image_id) == []


@pytest.mark.parametrize('refused, status, code', [('ListMultipartUploads', 501, 'NotImplemented'),
                                                   ('ListParts', 403, 'AccessDenied')])
def test_an_object_storage_that_cannot_list_uploads_or_parts_warns_and_starts_over(ims, proxy, tmp_path, refused, status, code):
    src = write_raw(tmp_path / 'nolist.raw', FILE_MIB)
    args = dict(ARGS, src=src, name='resume-no-listing')
    first = cut_module_run(ims, proxy, args, os.path.getsize(src))
    assert first.failed, first
    image_id = image_of(ims, 'resume-no-listing')['imageId']
    earlier = unfinished(ims, image_id)
    assert len(earlier) == 1

    proxy.refuse[refused] = (status, code)
    proxy.reset()
    rerun = ims.module('ims_image_upload', args)
    assert not rerun.failed and rerun.changed, rerun
    assert rerun['transfer']['resumed'] is False and rerun['transfer']['bytes_sent'] == os.path.getsize(src), rerun
    assert rerun['image']['checksum'] == md5(src) and rerun['image']['image_id'] == image_id
    warnings = warnings_of(rerun)
    assert code in warnings and 'starts over from byte 0' in warnings, warnings
    left = unfinished(ims, image_id)
    if refused == 'ListParts':
        assert left == [], 'the upload whose parts cannot be listed is aborted'
    else:
        assert [u['UploadId'] for u in left] == [earlier[0]['UploadId']] and 'lifecycle' in warnings


def test_resume_false_aborts_the_unfinished_upload_and_starts_over(ims, proxy, tmp_path):
    src = write_raw(tmp_path / 'over.raw', FILE_MIB)
    args = dict(ARGS, src=src, name='resume-false')
    first = cut_module_run(ims, proxy, args, os.path.getsize(src))
    assert first.failed, first
    image_id = image_of(ims, 'resume-false')['imageId']
    proxy.reset()
    rerun = ims.module('ims_image_upload', dict(args, resume=False))
    assert not rerun.failed, rerun
    assert rerun['transfer']['resumed'] is False and rerun['transfer']['parts_reused'] == 0, rerun
    assert rerun['transfer']['bytes_sent'] == os.path.getsize(src)
    assert 'AbortMultipartUpload' in proxy.operations() and 'ListParts' not in proxy.operations()
    assert rerun['image']['image_id'] == image_id and rerun['image']['checksum'] == md5(src)
    assert unfinished(ims, image_id) == []


def test_resume_false_with_a_broken_transfer_reports_failed_cleans_up_and_says_the_parts_stay(ims, proxy, tmp_path):
    src = write_raw(tmp_path / 'noresume.raw', FILE_MIB)
    run = cut_module_run(ims, proxy, dict(ARGS, src=src, name='no-resume', resume=False), os.path.getsize(src))
    assert run.failed and run.changed, run
    assert 'told the upload' in run['msg'] and 'was deleted' in run['msg'], run['msg']
    assert run['image']['status'] == 'deleted'
    # The link is down, so the abort fails too: the message says where the parts went.
    left = unfinished(ims, run['image']['image_id'])
    assert len(left) == 1 and left[0]['UploadId'] in run['msg'] and 'could not be aborted' in run['msg'], run['msg']


def test_stale_uploads_are_aborted_and_the_resumable_one_keeps_its_part_size(ims, proxy, tmp_path):
    """Three unfinished uploads of the image's object: one of 1 MiB parts (below S3's minimum: cannot be resumed),
    one of 6 MiB parts holding parts 1 and 3 of the file, and one of 6 MiB parts of another file. The run resumes
    the file's with its 6 MiB parts, although it asks for 5 MiB, and aborts the two others."""
    src = write_raw(tmp_path / 'stale.raw', 30)
    tenant = ims.stack.tenant('tenant-a')
    queued = ims.api('POST', '/private-images', json={
        'diskFormat': 'raw', 'minDisk': 1, 'minRam': 0, 'name': 'resume-stale', 'imageType': 'os_image',
        'instruction': '64-bits', 'cpuArch': 'x86', 'osType': 'linux', 'platform': 'other', 'visibility': 'private',
        'usage': 'ecs', 'departmentId': tenant['department_id'], 'tenantId': tenant['tenant_id'], 'resourceGroupId': ''})
    key, bucket, s3 = queued['imageId'], ims.stack.state()['bucket'], admin_s3(ims)
    with open(src, 'rb') as handle:
        data = handle.read()
    small = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    for number in (1, 2):
        s3.upload_part(Bucket=bucket, Key=key, UploadId=small, PartNumber=number, Body=data[(number - 1) * MIB:number * MIB])
    six = 6 * MIB
    resumable = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    for number in (1, 3):
        s3.upload_part(Bucket=bucket, Key=key, UploadId=resumable, PartNumber=number, Body=data[(number - 1) * six:number * six])
    # Another file of the same size and part size, with more parts stored: its parts fit by size, not by content.
    other = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    for number in (1, 2, 3):
        s3.upload_part(Bucket=bucket, Key=key, UploadId=other, PartNumber=number, Body=b'o' * six)

    run = ims.module('ims_image_upload', dict(ARGS, src=src, name='resume-stale'))
    assert not run.failed, run
    transfer = run['transfer']
    assert transfer['resumed'] and transfer['parts_reused'] == 2 and transfer['bytes_reused'] == 2 * six, transfer
    assert transfer['parts_sent'] == 3 and transfer['bytes_sent'] == len(data) - 2 * six, transfer     # 30 MiB = 5 parts of 6
    assert run['image']['image_id'] == key and run['image']['checksum'] == md5(src)
    assert small in warnings_of(run) and 'aborted' in warnings_of(run), warnings_of(run)
    assert unfinished(ims, key) == []
