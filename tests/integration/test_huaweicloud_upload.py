# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_upload with ``provider: huaweicloud`` through the Huawei emulator and SeaweedFS acting as OBS:
the file is staged in the task's bucket, imported by a job, verified, and the staged object deleted."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import threading
import uuid

import pytest

from tests.emulator.s3 import unfinished_uploads as s3_unfinished_uploads
from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import md5, parts_identity, write_qcow2, write_raw
from tests.integration.s3_proxy import S3Proxy

MIB = 1024 * 1024
SOURCE_TAG = 'ims_source_md5'


def new_bucket(hw):  # pylint: disable=redefined-outer-name
    bucket = 'stage-%s' % uuid.uuid4().hex[:12]
    hw.obs().create_bucket(Bucket=bucket)
    return bucket


def objects(hw, bucket):  # pylint: disable=redefined-outer-name
    return sorted(o['Key'] for o in hw.obs().list_objects_v2(Bucket=bucket).get('Contents') or [])


def unfinished_uploads(hw, bucket):  # pylint: disable=redefined-outer-name
    return s3_unfinished_uploads(hw.obs(), bucket)


def upload_args(src, name, bucket, **extra):
    return dict(dict(src=src, name=name, obs_bucket=bucket, min_disk=40, part_size_mb=5, max_concurrency=2), **extra)


def job_posts(hw):  # pylint: disable=redefined-outer-name
    return [r for r in hw.writes() if r['method'] == 'POST' and 'cloudimages' in r['path'] and r['path'].endswith('action')]


@pytest.fixture
def bucket(hw):  # noqa: F811  pylint: disable=redefined-outer-name
    return new_bucket(hw)


def test_a_new_upload_stages_the_file_imports_it_verifies_and_deletes_the_staged_object(hw, bucket, tmp_path):  # noqa: F811
    src = write_qcow2(tmp_path / 'golden.qcow2', 12)
    run = hw.module('ims_image_upload', upload_args(src, 'hw-golden', bucket, os_version='Ubuntu 22.04 server 64bit'))
    assert not run.failed and run.changed, run
    image = run['image']
    assert image['status'] == 'active' and image['name'] == 'hw-golden', image
    assert image['__data_origin'] == 'file,%s:hw-golden.qcow2' % bucket
    # Told by its 3 parts of 5 MiB, whose MD5s were checked against OBS's ETags (the file's own MD5 is not computed).
    identity = parts_identity(src, 5)
    assert identity.endswith('-3-5') and '%s=%s' % (SOURCE_TAG, identity) in image['tags']
    assert run['checksum'] == identity
    assert run['job_id']
    staged = run['staged_object']
    assert staged['bucket'] == bucket and staged['key'] == 'hw-golden.qcow2' and staged['deleted'] is True, staged
    # SeaweedFS's multipart ETag of the 3 parts (the identity without its part size), or (rclone) the file's MD5.
    assert staged['size'] == os.path.getsize(src) and staged['etag'] in (identity[:-len('-5')], md5(src)), staged
    assert run['transfer']['bytes'] == os.path.getsize(src) and run['transfer']['parts_sent'] == 3
    assert objects(hw, bucket) == [] and unfinished_uploads(hw, bucket) == []
    (made,) = hw.images('hw-golden')
    assert made['id'] == image['image_id'] and made['status'] == 'active'
    assert made['size'] == os.path.getsize(src)       # the emulator keeps the imported object's bytes
    (post,) = job_posts(hw)
    assert post['path'] == '/v2/cloudimages/action'


def test_a_second_run_changes_nothing_and_uploads_nothing(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 6)
    args = upload_args(src, 'hw-twice', bucket)
    first = hw.module('ims_image_upload', args)
    assert first.changed and not first.failed, first
    hw.stack.clear_requests()
    second = hw.module('ims_image_upload', args)
    assert not second.failed and not second.changed, second
    assert second['image']['image_id'] == first['image']['image_id']
    assert second['transfer'] == {} and second['checksum'] == parts_identity(src, 5)
    assert hw.writes() == []
    assert len(hw.images('hw-twice')) == 1


def test_a_rerun_in_another_part_size_reads_the_file_the_way_its_tag_says(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 12)
    first = hw.module('ims_image_upload', upload_args(src, 'hw-parts', bucket))
    assert first.changed and first['checksum'] == parts_identity(src, 5), first
    hw.stack.clear_requests()
    again = hw.module('ims_image_upload', upload_args(src, 'hw-parts', bucket, part_size_mb=8))
    assert not again.failed and not again.changed and again['checksum'] == parts_identity(src, 5), again
    assert hw.writes() == [] and len(hw.images('hw-parts')) == 1


def test_an_image_an_earlier_version_tagged_with_the_file_s_md5_is_the_file(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 12)
    other = write_raw(tmp_path / 'other.raw', 12, seed=b'other')
    for name, path in (('hw-md5-tagged', src), ('hw-md5-other', other)):
        hw.seed(name=name, disk_format='raw', size=os.path.getsize(path), tags=['%s=%s' % (SOURCE_TAG, md5(path))],
                _kv_tags=[{'key': SOURCE_TAG, 'value': md5(path)}])
    hw.stack.clear_requests()
    same = hw.module('ims_image_upload', upload_args(src, 'hw-md5-tagged', bucket))
    assert not same.failed and not same.changed and same['checksum'] == md5(src), same
    refused = hw.module('ims_image_upload', upload_args(src, 'hw-md5-other', bucket))
    assert refused.failed and 'MD5 %s' % md5(other) in refused['msg'], refused
    assert parts_identity(src, 5).rsplit('-', 1)[0].rsplit('-', 1)[0] in refused['msg'], refused['msg']
    assert hw.writes() == [] and objects(hw, bucket) == []


def test_check_mode_predicts_the_image_and_writes_nothing(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 6)
    run = hw.module('ims_image_upload', upload_args(src, 'hw-check', bucket), check=True, diff=True)
    assert not run.failed and run.changed, run
    assert run['image']['name'] == 'hw-check' and run['image']['status'] == 'active'
    assert '%s=%s' % (SOURCE_TAG, parts_identity(src, 5)) in run['image']['tags']
    assert run['checksum'] == parts_identity(src, 5)
    assert hw.writes() == [] and objects(hw, bucket) == [] and hw.images('hw-check') == []


def test_another_file_under_the_name_is_refused_then_replaced_with_replace(hw, bucket, tmp_path):  # noqa: F811
    old_src = write_raw(tmp_path / 'old.raw', 6, seed=b'old')
    new_src = write_raw(tmp_path / 'new.raw', 6, seed=b'new')
    first = hw.module('ims_image_upload', upload_args(old_src, 'hw-replace', bucket))
    assert first.changed and not first.failed, first
    hw.stack.clear_requests()

    refused = hw.module('ims_image_upload', upload_args(new_src, 'hw-replace', bucket))
    assert refused.failed and not refused.changed, refused
    assert 'another file' in refused['msg'] and first['image']['image_id'] in refused['msg'], refused['msg']
    for path in (old_src, new_src):
        assert 'the MD5s of 2 parts of 5 MiB (multipart ETag %s)' % parts_identity(path, 5)[:-len('-5')] in refused['msg']
    assert hw.writes() == [] and objects(hw, bucket) == []

    check = hw.module('ims_image_upload', upload_args(new_src, 'hw-replace', bucket, replace=True), check=True)
    assert check.changed and check['replaced'] == [first['image']['image_id']], check
    assert hw.writes() == []

    replaced = hw.module('ims_image_upload', upload_args(new_src, 'hw-replace', bucket, replace=True))
    assert not replaced.failed and replaced.changed, replaced
    assert replaced['replaced'] == [first['image']['image_id']]
    (left,) = hw.images('hw-replace')
    assert left['id'] == replaced['image']['image_id'] != first['image']['image_id']
    assert {'key': SOURCE_TAG, 'value': parts_identity(new_src, 5)} in left['_kv_tags']


def test_keep_staged_object_and_a_chosen_key(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 6)
    run = hw.module('ims_image_upload', upload_args(src, 'hw-keep', bucket, obs_key='golden/v1/disk.raw',
                                                    keep_staged_object=True))
    assert not run.failed and run.changed, run
    assert run['staged_object']['kept'] is True and 'deleted' not in run['staged_object']
    assert objects(hw, bucket) == ['golden/v1/disk.raw']
    assert run['image']['__data_origin'] == 'file,%s:golden/v1/disk.raw' % bucket


def test_a_raw_file_quick_imported_with_quick_import(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 6)
    run = hw.module('ims_image_upload', upload_args(src, 'hw-quick', bucket, quick_import=True,
                                                    os_version='Ubuntu 22.04 server 64bit'))
    assert not run.failed and run.changed, run
    (post,) = job_posts(hw)
    assert post['path'] == '/v2/cloudimages/quickimport/action'
    assert run['image']['status'] == 'active'


def test_wait_false_leaves_the_staged_object_until_a_later_run_sees_the_image_active(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 6)
    args = upload_args(src, 'hw-nowait', bucket)
    hw.stack.set_switches(transition_seconds=3)     # the import is still running when the first run returns
    first = hw.module('ims_image_upload', dict(args, wait=False))
    hw.stack.set_switches(transition_seconds=0.3)
    assert not first.failed and first.changed, first
    assert first['staged_object'].get('kept') is True
    assert objects(hw, bucket) == ['hw-nowait.raw']
    second = hw.module('ims_image_upload', args)
    assert not second.failed and second.changed and second['staged_object']['deleted'] is True, second
    assert second['image']['status'] == 'active' and second['transfer'] == {}
    assert objects(hw, bucket) == [] and len(hw.images('hw-nowait')) == 1
    third = hw.module('ims_image_upload', args)
    assert not third.changed, third


# -- faults ------------------------------------------------------------------------------------

def run_in_background(hw, args):  # pylint: disable=redefined-outer-name
    """Start the module in a thread; returns (thread, box), box['run'] holding the ModuleRun once it ends."""
    box = {}
    thread = threading.Thread(target=lambda: box.update(run=hw.module('ims_image_upload', args)), daemon=True)
    thread.start()
    return thread, box


def test_obs_stopped_mid_upload_then_a_clean_rerun_makes_one_image_and_leaves_nothing_behind(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'big.raw', 40)
    size = os.path.getsize(src)
    proxy = S3Proxy(hw.stack.s3.ports['s3'])
    args = upload_args(src, 'hw-obs-cut', bucket, obs_endpoint=proxy.url, max_concurrency=1, retries=1, timeout=20)
    try:
        proxy.hold_at = int(size * 0.7)
        thread, box = run_in_background(hw, args)
        assert proxy.wait_held(thread.is_alive), 'the upload never reached 70 %'
        hw.stack.s3.stop()          # OBS goes away mid-upload
        proxy.drop()
        thread.join(300)
        first = box['run']
        hw.stack.s3.start(60)
        assert first.failed, first
        assert 'object storage' in first['msg'] and hw.stack.owner.secret_key not in first.stdout + first.stderr
        assert hw.images('hw-obs-cut') == [] and job_posts(hw) == [], 'nothing may be imported from a partial upload'
        assert first.changed and first['staged_object']['parts_stored'] >= 1, first    # parts stay for the re-run

        proxy.reset()
        second = hw.module('ims_image_upload', args)
    finally:
        if hw.stack.s3.proc is None:
            hw.stack.s3.start(60)
        proxy.close()
    assert not second.failed and second.changed, second
    assert second['transfer']['resumed'] is True and second['transfer']['bytes_reused'] > 0, second['transfer']
    assert proxy.sent < 0.5 * size, (proxy.sent, size)
    (image,) = hw.images('hw-obs-cut')
    assert image['status'] == 'active' and {'key': SOURCE_TAG, 'value': parts_identity(src, 5)} in image['_kv_tags']
    assert objects(hw, bucket) == [] and unfinished_uploads(hw, bucket) == []


def test_the_reply_to_the_import_lost_then_one_image_and_no_second_import(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 6)
    hw.stack.set_faults(rules=[dict(method='POST', path='^/v2/cloudimages/action$', action='drop_after', count=1)])
    run = hw.module('ims_image_upload', upload_args(src, 'hw-lost-reply', bucket))
    hw.stack.set_faults()
    assert not run.failed and run.changed, run
    assert len(job_posts(hw)) == 1, job_posts(hw)
    (image,) = hw.images('hw-lost-reply')
    assert image['status'] == 'active' and run['image']['image_id'] == image['id']
    assert objects(hw, bucket) == []
    again = hw.module('ims_image_upload', upload_args(src, 'hw-lost-reply', bucket))
    assert not again.changed and len(hw.images('hw-lost-reply')) == 1, again


def test_a_failed_import_job_reports_its_reason_and_cleans_up_then_a_rerun_succeeds(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 6)
    hw.stack.set_job_faults([dict(job_type='imsImportImageJob', error_code='IMG.0057', fail_reason='file is corrupt',
                                  count=1)])
    failed = hw.module('ims_image_upload', upload_args(src, 'hw-job-fails', bucket))
    assert failed.failed and failed.changed, failed
    assert 'file is corrupt' in failed['msg'] and 'IMG.0057' in failed['msg'], failed['msg']
    assert 'deleted' in failed['msg'] and failed['staged_object']['deleted'] is True
    assert hw.images('hw-job-fails') == [] and objects(hw, bucket) == []
    rerun = hw.module('ims_image_upload', upload_args(src, 'hw-job-fails', bucket))
    assert not rerun.failed and rerun.changed and len(hw.images('hw-job-fails')) == 1, rerun


def test_replace_with_wait_false_still_waits_for_the_new_image_before_deleting_the_old_one(hw, bucket, tmp_path):  # noqa: F811
    old_src = write_raw(tmp_path / 'old.raw', 6, seed=b'old')
    new_src = write_raw(tmp_path / 'new.raw', 6, seed=b'new')
    first = hw.module('ims_image_upload', upload_args(old_src, 'hw-replace-nowait', bucket))
    assert not first.failed, first
    run = hw.module('ims_image_upload', upload_args(new_src, 'hw-replace-nowait', bucket, replace=True, wait=False))
    assert not run.failed and run.changed, run
    assert run['image']['status'] == 'active' and run['replaced'] == [first['image']['image_id']], run
    (left,) = hw.images('hw-replace-nowait')
    assert left['id'] == run['image']['image_id'] and left['status'] == 'active'
