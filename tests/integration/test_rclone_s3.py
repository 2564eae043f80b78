# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transfers of the two providers that stage through S3, on a second S3 implementation: rclone's ``serve s3``
(gofakes3) in place of SeaweedFS, so that one server's habits cannot hide a bug.

This module's ``stack`` and ``huawei_stack`` fixtures start the CECloud and the Huawei emulator on rclone; the
conftest fixtures built on them (``ims``, ``huawei``, ``hw``) and the tests imported below from the SeaweedFS
suites then run on rclone unchanged: upload (one PUT and multipart), resume, download and export, and the
huaweicloud image_publish role through ansible-playbook. The tests written here are the ones rclone's habits
call for (tests/emulator/stack.py, RcloneS3Server):

- it answers ``ListMultipartUploads`` with 404 ``NoSuchUpload`` while a bucket holds no unfinished upload, which
  every upload once took for a failure of the look-up;
- it keeps unfinished uploads in memory only: a restarted rclone has forgotten the parts, so a re-run after a
  restart starts over, rightly. The resume tests imported here break the link (tests/integration/s3_proxy.py) or
  kill the task, never the server; the SeaweedFS ones that stop the server (``test_s3_stopped_at_70_percent_...``,
  ``test_obs_stopped_mid_upload_...``) are replaced by a cut link here.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest
from botocore.exceptions import ClientError

from tests.dependencies import missing
from tests.emulator.huawei.stack import HuaweiStack
from tests.emulator.stack import Stack, StackError, find_rclone
from tests.integration.images import md5, parts_identity, write_raw
# The SeaweedFS suites' fixtures and tests, run here on rclone (pytest collects what a module imports).
from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.test_huaweicloud_export import (  # noqa: F401  pylint: disable=unused-import
    test_download_to_dest_through_a_staging_object_verified_and_unchanged_on_a_rerun)
from tests.integration.test_huaweicloud_roles import (  # noqa: F401  pylint: disable=unused-import
    test_image_publish_stages_through_obs_shares_exports_downloads_and_replicates_then_a_rerun_writes_nothing)
from tests.integration.test_huaweicloud_upload import (  # noqa: F401  pylint: disable=unused-import
    SOURCE_TAG, bucket, objects, run_in_background, test_a_new_upload_stages_the_file_imports_it_verifies_and_deletes_the_staged_object,
    unfinished_uploads, upload_args)
from tests.integration.test_ims_image_export import (  # noqa: F401  pylint: disable=unused-import
    test_download_verifies_is_idempotent_and_force_downloads_again, test_export_to_a_bucket_looks_up_zone_and_cell_and_the_object_lands_in_s3,
    uploaded)
from tests.integration.test_ims_image_upload import test_qcow2_upload_detects_the_format_verifies_and_is_idempotent  # noqa: F401  pylint: disable=unused-import
from tests.integration.test_resume_upload import (  # noqa: F401  pylint: disable=unused-import
    ARGS, admin_s3, assert_resumed, cut_module_run, image_of, proxy, test_ansible_playbook_killed_at_70_percent_then_a_rerun_sends_only_the_rest,
    test_stale_uploads_are_aborted_and_the_resumable_one_keeps_its_part_size)
from tests.integration.s3_proxy import S3Proxy

MIB = 1024 * 1024


def _require_rclone():
    try:
        find_rclone()
    except StackError as exc:
        missing(str(exc))


@pytest.fixture(scope='module')
def stack():
    """The CECloud emulator whose upload-prepare hands out rclone's address (overrides the SeaweedFS one here)."""
    _require_rclone()
    with Stack(transition_seconds=0.3, s3_server='rclone') as running:
        yield running


@pytest.fixture(scope='module')
def huawei_stack():
    """The Huawei emulator with rclone acting as OBS (overrides the SeaweedFS one here)."""
    _require_rclone()
    with HuaweiStack(transition_seconds=0.3, s3_server='rclone') as running:
        yield running


def assert_no_unfinished_upload_is_a_404(client, bucket_name):
    """The habit the tests below rely on: rclone's answer to ListMultipartUploads on a bucket without unfinished uploads."""
    with pytest.raises(ClientError) as answer:
        client.list_multipart_uploads(Bucket=bucket_name)
    assert answer.value.response['Error']['Code'] == 'NoSuchUpload', answer.value.response
    assert answer.value.response['ResponseMetadata']['HTTPStatusCode'] == 404


def no_listing_warning(run):
    return [w for w in run.get('warnings') or [] if 'cannot list' in str(w) or 'Listing the parts' in str(w)]


def test_cecloud_a_1_mib_upload_where_the_listing_answers_no_such_upload(ims, tmp_path):
    ims.stack.stop_s3()             # a fresh rclone: no bucket has had an unfinished upload
    ims.stack.start_s3()
    assert_no_unfinished_upload_is_a_404(admin_s3(ims), ims.stack.state()['bucket'])
    src = write_raw(tmp_path / 'small.raw', 1)
    args = dict(src=src, name='rclone-small')
    run = ims.module('ims_image_upload', args)
    assert not run.failed and run.changed, run
    assert run['image']['status'] == 'active' and run['image']['checksum'] == md5(src), run
    assert run['transfer']['bytes_sent'] == os.path.getsize(src) and run['transfer']['parts_sent'] == 1, run['transfer']
    assert no_listing_warning(run) == [], run['warnings']
    again = ims.module('ims_image_upload', args)
    assert not again.failed and not again.changed and again['transfer'] == {}, again


def test_cecloud_a_link_cut_at_70_percent_then_a_rerun_sends_only_the_rest(ims, proxy, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'cut.raw', 30)
    args = dict(ARGS, src=src, name='rclone-cut')
    first = cut_module_run(ims, proxy, args, os.path.getsize(src))
    assert first.failed and first.changed and 'stays queued' in first['msg'], first
    image_id = image_of(ims, 'rclone-cut')['imageId']
    proxy.reset()
    rerun = ims.module('ims_image_upload', args)
    assert_resumed(ims, proxy, rerun, src, image_id)
    assert no_listing_warning(rerun) == [], rerun['warnings']


def test_huaweicloud_an_obs_staged_upload_where_the_listing_answers_no_such_upload(hw, bucket, tmp_path):  # noqa: F811
    assert_no_unfinished_upload_is_a_404(hw.obs(), bucket)
    src = write_raw(tmp_path / 'small.raw', 1)
    run = hw.module('ims_image_upload', upload_args(src, 'hw-rclone-small', bucket))
    assert not run.failed and run.changed, run
    assert run['checksum'] == md5(src) and run['staged_object']['deleted'] is True, run     # one part: its MD5
    assert no_listing_warning(run) == [], run['warnings']
    (image,) = hw.images('hw-rclone-small')
    assert image['status'] == 'active' and {'key': SOURCE_TAG, 'value': md5(src)} in image['_kv_tags']


def test_huaweicloud_a_link_to_obs_cut_at_70_percent_then_a_rerun_sends_only_the_rest(hw, bucket, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'big.raw', 30)
    size = os.path.getsize(src)
    proxy = S3Proxy(hw.stack.s3.ports['s3'])  # pylint: disable=redefined-outer-name
    args = upload_args(src, 'hw-rclone-cut', bucket, obs_endpoint=proxy.url, max_concurrency=1, retries=1, timeout=20)
    try:
        proxy.hold_at = int(size * 0.7)
        thread, box = run_in_background(hw, args)
        assert proxy.wait_held(thread.is_alive), 'the upload never reached 70 %'
        proxy.down = True           # the link breaks and stays broken until the run gives up
        proxy.drop()
        thread.join(300)
        proxy.down = False
        first = box['run']
        assert first.failed and first.changed and first['staged_object']['parts_stored'] >= 1, first
        assert hw.images('hw-rclone-cut') == [] and len(unfinished_uploads(hw, bucket)) == 1
        proxy.reset()
        second = hw.module('ims_image_upload', args)
    finally:
        proxy.close()
    assert not second.failed and second.changed, second
    assert second['transfer']['resumed'] is True and second['transfer']['bytes_reused'] > 0, second['transfer']
    assert proxy.sent < 0.5 * size, (proxy.sent, size)
    assert no_listing_warning(second) == [], second['warnings']
    (image,) = hw.images('hw-rclone-cut')
    assert image['status'] == 'active' and {'key': SOURCE_TAG, 'value': parts_identity(src, 5)} in image['_kv_tags']
    assert objects(hw, bucket) == [] and unfinished_uploads(hw, bucket) == []
