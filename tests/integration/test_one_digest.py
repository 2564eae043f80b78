# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One digest per byte, verification kept: bytes changed on the way to the object storage are still caught.

The uploads hash each byte once, on the read that sends it, and no longer send a Content-MD5 nor a signed
payload hash; a proxy in front of SeaweedFS flips a byte of a part (docs/api-notes.md, "One digest per byte").
cecloud: the service's MD5 of the object at upload-done differs from the file's, so the upload fails and the
image is cleaned up.  huaweicloud (IMS reports no checksum): the part's ETag differs from its MD5, so the part
is sent again, and a part changed on every attempt fails the upload before any import.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import md5, parts_identity, write_raw
from tests.integration.s3_proxy import S3Proxy
from tests.integration.test_huaweicloud_upload import new_bucket, objects, upload_args
from tests.integration.test_resume_upload import proxy  # noqa: F401  pylint: disable=unused-import

ARGS = dict(part_size_mb=5, max_concurrency=2, retries=1, timeout=20)


def test_cecloud_a_part_changed_on_the_way_fails_the_upload_by_the_service_md5(ims, proxy, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'flipped.raw', 12)
    proxy.corrupt['UploadPart'] = 1
    run = ims.module('ims_image_upload', dict(ARGS, src=src, name='flipped'))
    assert proxy.corrupted == 1
    assert run.failed and 'did not keep the bytes sent' in run['msg'] and md5(src) in run['msg'], run
    assert 'was deleted' in run['msg'], run
    assert [i for i in ims.images('tenant-a') if i['name'] == 'flipped' and i['status'] != 'deleted'] == []
    rerun = ims.module('ims_image_upload', dict(ARGS, src=src, name='flipped'))
    assert not rerun.failed and rerun['image']['checksum'] == md5(src) == rerun['checksum'], rerun


def test_huaweicloud_a_part_changed_on_the_way_is_sent_again_and_one_changed_every_time_fails(hw, tmp_path):  # noqa: F811
    bucket = new_bucket(hw)
    src = write_raw(tmp_path / 'flipped.raw', 12)
    proxy = S3Proxy(hw.stack.s3.ports['s3'])  # pylint: disable=redefined-outer-name
    try:
        proxy.corrupt['UploadPart'] = 1
        run = hw.module('ims_image_upload', upload_args(src, 'hw-flipped', bucket, obs_endpoint=proxy.url, **ARGS))
        assert proxy.corrupted == 1
        assert not run.failed and run['checksum'] == parts_identity(src, 5) and run['transfer']['parts_sent'] == 3, run
        assert 'ims_source_md5=%s' % parts_identity(src, 5) in run['image']['tags']
        proxy.corrupt['UploadPart'] = 2     # one part at a time: the first part, then the same part sent again
        args = upload_args(src, 'hw-flipped-twice', bucket, obs_endpoint=proxy.url, resume=False, **ARGS)
        failed = hw.module('ims_image_upload', dict(args, max_concurrency=1))
        assert proxy.corrupted == 3
        assert failed.failed and 'changed on the way' in failed['msg'], failed
        assert hw.images('hw-flipped-twice') == [] and objects(hw, bucket) == []
    finally:
        proxy.close()
