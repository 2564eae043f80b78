# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_export against the emulator + SeaweedFS: export to a bucket, verified atomic download."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import boto3
import pytest
from botocore.config import Config

from tests.integration.images import md5, write_qcow2, write_raw


def s3_client(ims):
    return boto3.client('s3', endpoint_url=ims.stack.s3_endpoint, aws_access_key_id=ims.stack.s3_access_key,
                        aws_secret_access_key=ims.stack.s3_secret_key, region_name='us-east-1',
                        config=Config(s3={'addressing_style': 'path'}))


@pytest.fixture
def uploaded(ims, tmp_path):
    """An active image uploaded by ims_image_upload: (image, local file)."""
    src = write_qcow2(tmp_path / 'export-me.qcow2', 12)
    run = ims.module('ims_image_upload', dict(src=src, name='export-me', part_size_mb=5))
    assert not run.failed, run
    ims.stack.clear_requests()
    return run['image'], src


def posts(ims, suffix):
    return [r for r in ims.requests() if r['method'] == 'POST' and r['path'].endswith(suffix)]


def downloads(ims):
    return [r for r in ims.requests() if r['method'] == 'GET' and r['path'].endswith('/file')]


def test_export_to_a_bucket_looks_up_zone_and_cell_and_the_object_lands_in_s3(ims, uploaded):
    image, src = uploaded
    check = ims.module('ims_image_export', dict(image='export-me', bucket='export-az0-a'), check=True)
    assert not check.failed and check.changed, check
    assert posts(ims, '/export') == []

    run = ims.module('ims_image_export', dict(image='export-me', bucket='export-az0-a'))
    assert not run.failed, run
    assert run.changed and run['image']['image_id'] == image['image_id']
    assert run['bucket'] == dict(name='export-az0-a', az_id='AZ0', cell_id='cell01')
    assert len(posts(ims, '/export')) == 1
    objects = s3_client(ims).list_objects_v2(Bucket='export-az0-a', Prefix=image['image_id']).get('Contents') or []
    assert len(objects) == 1 and objects[0]['Size'] == os.path.getsize(src)

    by_id = ims.module('ims_image_export', dict(image=image['image_id'], bucket='export-az0-b', az_id='AZ0', cell_id='cell01'))
    assert not by_id.failed, by_id


def test_export_to_an_unknown_bucket_fails_listing_the_valid_ones(ims, uploaded):
    run = ims.module('ims_image_export', dict(image='export-me', bucket='no-such-bucket'))
    assert run.failed and 'no-such-bucket' in run['msg']
    assert 'export-az0-a (az_id AZ0, cell_id cell01)' in run['msg'] and 'export-az0-b' in run['msg']
    wrong_zone = ims.module('ims_image_export', dict(image='export-me', bucket='export-az0-a', az_id='AZ9'))
    assert wrong_zone.failed and 'az_id AZ9' in wrong_zone['msg']
    assert posts(ims, '/export') == []
    missing = ims.module('ims_image_export', dict(image='no-such-image', bucket='export-az0-a'))
    assert missing.failed and 'no-such-image' in missing['msg']


def test_only_active_images_are_exported(ims):
    queued = ims.stack.seed(tenant='tenant-a', count=1, prefix='queued-', status='queued')['imageIds'][0]
    run = ims.module('ims_image_export', dict(image=queued, bucket='export-az0-a'))
    assert run.failed and 'queued' in run['msg'] and 'only active images' in run['msg']
    assert posts(ims, '/export') == []


def test_download_verifies_is_idempotent_and_force_downloads_again(ims, uploaded, tmp_path):
    image, src = uploaded
    dest = tmp_path / 'out' / 'copy.qcow2'
    dest.parent.mkdir()
    check = ims.module('ims_image_export', dict(image='export-me', dest=str(dest)), check=True)
    assert not check.failed and check.changed and not dest.exists()
    assert downloads(ims) == []

    run = ims.module('ims_image_export', dict(image='export-me', dest=str(dest)))
    assert not run.failed, run
    assert run.changed and run['dest'] == str(dest) and run['checksum'] == image['checksum'] == md5(src)
    assert dest.read_bytes() == open(src, 'rb').read()
    assert run['transfer']['bytes'] == os.path.getsize(src)
    assert run['verified'] == dict(algorithm='md5', value=md5(src), size=os.path.getsize(src)), run
    assert sorted(os.listdir(str(dest.parent))) == ['copy.qcow2']

    ims.stack.clear_requests()
    again = ims.module('ims_image_export', dict(image='export-me', dest=str(dest)))
    assert not again.failed and not again.changed and again['checksum'] == md5(src)
    assert again['verified'] == run['verified'], again
    assert downloads(ims) == []

    forced = ims.module('ims_image_export', dict(image='export-me', dest=str(dest), force=True))
    assert not forced.failed and forced.changed
    assert len(downloads(ims)) == 1

    dest.write_bytes(b'something else')
    replaced = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest)))
    assert not replaced.failed and replaced.changed and md5(str(dest)) == md5(src)

    into_folder = ims.module('ims_image_export', dict(image='export-me', dest=str(dest.parent)))
    assert not into_folder.failed, into_folder
    assert into_folder['dest'] == str(dest.parent / ('%s.qcow2' % image['image_id']))


def test_download_to_a_missing_folder_is_a_clear_error(ims, uploaded, tmp_path):
    run = ims.module('ims_image_export', dict(image='export-me', dest=str(tmp_path / 'nowhere' / 'x.qcow2')))
    assert run.failed and 'does not exist' in run['msg'] and 'nowhere' in run['msg']
    assert downloads(ims) == []


def test_a_dropped_download_leaves_no_dest_and_no_temporary_file(ims, uploaded, tmp_path):
    image, dummy = uploaded
    ims.stack.set_faults(rules=[{'method': 'GET', 'path': '/file$', 'action': 'drop_after', 'count': -1}])
    dest = tmp_path / 'dropped.qcow2'
    run = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest), retries=1))
    assert run.failed, run
    assert '/private-images/%s/file' % image['image_id'] in run['msg'] and 'no answer' in run['msg']
    assert not dest.exists()
    assert [n for n in os.listdir(str(tmp_path)) if n.startswith('.dropped')] == []


def test_a_download_cut_mid_body_leaves_dest_as_it_was_and_a_rerun_completes_it(ims, uploaded, tmp_path):
    image, src = uploaded
    dest = tmp_path / 'cut.qcow2'
    dest.write_bytes(b'previous content')
    # Headers and 3 MiB of the 12 MiB body, then the connection closes.
    ims.stack.set_faults(rules=[{'method': 'GET', 'path': '/file$', 'action': 'cut', 'bytes': 3 * 1024 * 1024, 'count': 1}])
    run = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest)))
    assert run.failed and 'download of image %s broke off' % image['image_id'] in run['msg'], run
    assert [r['fault'] for r in downloads(ims)] == ['cut']
    assert dest.read_bytes() == b'previous content'
    assert [n for n in os.listdir(str(tmp_path)) if n.startswith('.cut')] == []
    again = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest)))
    assert again.changed and not again.failed, again
    assert md5(str(dest)) == md5(src) == again['checksum']


def test_bytes_that_do_not_match_the_checksum_never_reach_dest(ims, tmp_path):
    src = write_raw(tmp_path / 'tampered.raw', 4)
    run = ims.module('ims_image_upload', dict(src=src, name='tampered'))
    assert not run.failed, run
    image = run['image']
    dest = tmp_path / 'out.raw'
    dest.write_bytes(b'previous content')
    # Corrupt the stored object behind the service's back: same size, other bytes.
    bucket = ims.stack.state()['bucket']
    s3_client(ims).upload_file(write_raw(tmp_path / 'other.raw', 4, seed=b'other'), bucket, image['image_id'])
    failed = ims.module('ims_image_export', dict(image='tampered', dest=str(dest)))
    assert failed.failed and 'do not match the image checksum' in failed['msg'], failed
    assert dest.read_bytes() == b'previous content'
    assert sorted(os.listdir(str(tmp_path))) == ['other.raw', 'out.raw', 'tampered.raw']


def test_export_playbook_downloads_and_exports(ims, tmp_path):
    src = write_raw(tmp_path / 'pb.raw', 5)
    dest = tmp_path / 'pb-copy.raw'
    proc = ims.playbook('ims_image_export/main.yml', extra_vars=dict(src=src, dest=str(dest), image_name='pb-export'))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert md5(str(dest)) == md5(src)


def test_a_dest_with_a_trailing_slash_whose_folder_is_missing_is_refused_before_any_request(ims, tmp_path):
    ims.stack.seed(tenant='tenant-a', count=1, prefix='slash-')
    ims.stack.clear_requests()
    missing = str(tmp_path / 'newdir') + '/'
    run = ims.module('ims_image_export', dict(image='slash-00000', dest=missing))
    assert run.failed and missing in run['msg'] and 'folder' in run['msg'], run
    assert ims.requests() == []
    assert sorted(os.listdir(str(tmp_path))) == []


def test_a_download_keeps_the_mode_of_an_existing_dest(ims, uploaded, tmp_path):
    image, src = uploaded
    dest = tmp_path / 'private.qcow2'
    dest.write_bytes(b'old bytes')
    os.chmod(str(dest), 0o600)
    run = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest)))
    assert not run.failed and run.changed, run
    assert md5(str(dest)) == md5(src)
    assert oct(os.stat(str(dest)).st_mode & 0o7777) == oct(0o600)


def test_mode_is_applied_to_a_new_download_and_to_an_unchanged_one_with_check_mode_and_diff(ims, uploaded, tmp_path):
    image, src = uploaded
    dest = tmp_path / 'shared.qcow2'
    run = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest), mode='0640'))
    assert not run.failed and run.changed, run
    assert oct(os.stat(str(dest)).st_mode & 0o7777) == oct(0o640)
    assert run['mode'] == '0640'

    ims.stack.clear_requests()
    check = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest), mode='0604'), check=True,
                       diff=True)
    assert not check.failed and check.changed, check
    assert check['diff']['before']['mode'] == '0640' and check['diff']['after']['mode'] == '0604'
    assert oct(os.stat(str(dest)).st_mode & 0o7777) == oct(0o640)
    assert downloads(ims) == []

    real = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest), mode='0604'))
    assert not real.failed and real.changed, real
    assert oct(os.stat(str(dest)).st_mode & 0o7777) == oct(0o604)
    assert downloads(ims) == []
    again = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest), mode='0604'))
    assert not again.failed and not again.changed, again


def test_a_download_diff_shows_the_file_before_and_after(ims, uploaded, tmp_path):
    image, src = uploaded
    dest = tmp_path / 'diffed.qcow2'
    dest.write_bytes(b'old bytes')
    check = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest)), check=True, diff=True)
    assert not check.failed and check.changed, check
    assert check['diff']['before'] == dict(path=str(dest), size=len(b'old bytes'))
    assert check['diff']['after'] == dict(path=str(dest), size=os.path.getsize(src), md5=md5(src))

    run = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest)), diff=True)
    assert not run.failed and run.changed and run['diff']['after']['md5'] == md5(src), run
    again = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(dest)), diff=True)
    assert not again.failed and not again.changed, again
    assert again['diff']['before'] == again['diff']['after'] == dict(path=str(dest), size=os.path.getsize(src), md5=md5(src))

    fresh = tmp_path / 'fresh.qcow2'
    new = ims.module('ims_image_export', dict(image=image['image_id'], dest=str(fresh)), check=True, diff=True)
    assert new['diff']['before'] == dict(path=str(fresh), state='absent')
