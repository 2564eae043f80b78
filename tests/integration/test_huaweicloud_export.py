# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_export with ``provider: huaweicloud`` through the Huawei emulator and SeaweedFS acting as OBS:
export to an OBS object (job waited for, unchanged once the object is there), and download to ``dest``
through a staging object (verified, atomic, unchanged once ``dest`` holds the export)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import uuid

import pytest

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.test_huaweicloud_upload import objects, upload_args


@pytest.fixture
def bucket(hw):  # noqa: F811  pylint: disable=redefined-outer-name
    name = 'exp-%s' % uuid.uuid4().hex[:12]
    hw.obs().create_bucket(Bucket=name)
    return name


def export_posts(hw):  # pylint: disable=redefined-outer-name
    return [r for r in hw.writes() if r['method'] == 'POST' and r['path'].endswith('/file')]


def object_bytes(hw, bucket, key):  # pylint: disable=redefined-outer-name
    return hw.obs().get_object(Bucket=bucket, Key=key)['Body'].read()


def test_export_to_a_bucket_waits_for_the_job_and_a_second_run_is_unchanged(hw, bucket):  # noqa: F811
    (image_id,) = hw.seed(1, prefix='exp-')
    args = dict(image=image_id, bucket=bucket, key='out/disk.vmdk', file_format='vmdk')
    check = hw.module('ims_image_export', args, check=True)
    assert check.changed and not check.failed and hw.writes() == [], check

    run = hw.module('ims_image_export', args)
    assert not run.failed and run.changed, run
    assert run['object']['exported'] is True and run['object']['file_format'] == 'vmdk' and run['job_id'], run
    assert objects(hw, bucket) == ['out/disk.vmdk'] and run['object']['size'] > 0
    (post,) = export_posts(hw)
    assert (hw.stack.jobs('imsNativeExportImageJob') or [{}])[0].get('status') == 'SUCCESS'

    hw.stack.clear_requests()
    again = hw.module('ims_image_export', args)
    assert not again.failed and not again.changed and again['object']['exported'] is False, again
    assert hw.writes() == []

    forced = hw.module('ims_image_export', dict(args, force=True))
    assert forced.changed and forced['object']['exported'] is True and len(export_posts(hw)) == 1, forced


def test_quick_export_by_name(hw, bucket, tmp_path):  # noqa: F811
    hw.seed(1, prefix='exp-quick-')
    run = hw.module('ims_image_export', dict(image='exp-quick-00000', bucket=bucket, key='quick.zvhd2', quick_export=True))
    assert not run.failed and run.changed and run['object']['file_format'] == 'zvhd2', run
    assert objects(hw, bucket) == ['quick.zvhd2']


def test_download_to_dest_through_a_staging_object_verified_and_unchanged_on_a_rerun(hw, bucket, tmp_path):  # noqa: F811
    from tests.integration.images import md5, write_raw
    src = write_raw(tmp_path / 'disk.raw', 6)
    uploaded = hw.module('ims_image_upload', upload_args(src, 'exp-dl', bucket))
    assert not uploaded.failed, uploaded
    dest = str(tmp_path / 'mirror.qcow2')
    args = dict(image='exp-dl', obs_bucket=bucket, dest=dest)
    run = hw.module('ims_image_export', args)
    assert not run.failed and run.changed, run
    # A multipart ETag (SeaweedFS's) is no MD5 of the file: the bytes are checked by their parts' MD5s, of parts
    # this size. rclone gives the object the file's MD5 as its ETag.
    verified = dict(algorithm='md5', value=md5(src), size=os.path.getsize(src))
    if '-' in run['staged_object']['etag']:
        verified['part_size'] = 5 * 1024 * 1024
    assert run['dest'] == dest and run['verified'] == verified, run
    assert run['checksum'] == md5(dest) == md5(src)     # the emulator exports the bytes it imported
    staged = run['staged_object']
    assert staged['exported'] is True and staged['deleted'] is True
    assert staged['key'] == 'ims-export/%s.qcow2' % uploaded['image']['image_id']
    assert objects(hw, bucket) == []
    assert [n for n in os.listdir(str(tmp_path)) if n.endswith('.part')] == []

    hw.stack.clear_requests()
    again = hw.module('ims_image_export', args)
    assert not again.failed and not again.changed and again['checksum'] == md5(dest), again
    assert again['verified'] == run['verified'], again       # the check the download passed, kept on the file
    assert hw.writes() == [] and export_posts(hw) == []

    with open(dest, 'r+b') as handle:        # the file changed since: it no longer holds the export
        handle.write(b'XX')
    repaired = hw.module('ims_image_export', args)
    assert repaired.changed and md5(dest) == md5(src), repaired


def test_download_keeps_the_staging_object_with_keep_staged_object_and_reuses_it(hw, bucket, tmp_path):  # noqa: F811
    (image_id,) = hw.seed(1, prefix='exp-keep-')
    dest = tmp_path / 'out'
    dest.mkdir()
    args = dict(image=image_id, obs_bucket=bucket, obs_key='staging/one.vhd', file_format='vhd', dest=str(dest),
                keep_staged_object=True)
    first = hw.module('ims_image_export', args)
    assert not first.failed and first.changed and first['staged_object']['kept'] is True, first
    assert first['dest'] == str(dest / ('%s.vhd' % image_id))
    assert objects(hw, bucket) == ['staging/one.vhd']
    content = object_bytes(hw, bucket, 'staging/one.vhd')
    assert hashlib.md5(content).hexdigest() == first['checksum']
    assert first['verified'] == dict(algorithm='md5', value=first['checksum'], size=len(content)), first
    os.unlink(first['dest'])
    hw.stack.clear_requests()
    second = hw.module('ims_image_export', args)
    assert second.changed and second['staged_object']['exported'] is False and export_posts(hw) == [], second
