# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input of ims_image_upload and ims_image_export on ``provider: huaweicloud``, table-driven.

Every case must fail with a message naming the problem, and neither IMS (the emulator's request log)
nor OBS (the staging bucket: no object, no unfinished upload) may have seen a write.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import uuid

import pytest

from tests.emulator.s3 import unfinished_uploads
from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import write_qcow2, write_raw

UP = 'ims_image_upload'
EX = 'ims_image_export'
OK_UPLOAD = dict(name='bad-in', min_disk=40)

# (case id, module, arguments ({FILE}, {QCOW2}, {BUCKET}, {IMAGE}, {DIR} filled in), auth, message regex)
CASES = [
    ('upload-obs-bucket-missing', UP, dict(OK_UPLOAD, src='{FILE}'), 'aksk', r'obs_bucket is required with provider huaweicloud'),
    ('upload-obs-bucket-upper-case', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='My_Bucket'), 'aksk',
     r"obs_bucket must be an OBS bucket name.*got 'My_Bucket'"),
    ('upload-obs-bucket-too-short', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='ab'), 'aksk', r'obs_bucket must be an OBS bucket'),
    ('upload-obs-bucket-unknown', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='no-such-bucket-here'), 'aksk',
     r'obs_bucket no-such-bucket-here does not exist'),
    ('upload-obs-key-folder', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', obs_key='images/'), 'aksk',
     r"obs_key must be the key of an object.*got 'images/'"),
    ('upload-obs-key-leading-slash', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', obs_key='/a.raw'), 'aksk',
     r'obs_key must be the key of an object'),
    ('upload-min-disk-missing', UP, dict(src='{FILE}', name='bad-in', obs_bucket='{BUCKET}'), 'aksk',
     r'min_disk is required with import_url.*from 40 to 1024'),
    ('upload-min-disk-too-large', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', min_disk=5000), 'aksk',
     r'min_disk .*from 40 to 1024.*got 5000'),
    ('upload-data-image-min-disk-too-small', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', image_type='data_image',
                                                      min_disk=10), 'aksk', r'min_disk .*data disk size in GB, from 40 to 2048'),
    ('upload-whole-image', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', image_type='whole_image'), 'aksk',
     r'whole_image'),
    ('upload-quick-import-qcow2', UP, dict(OK_UPLOAD, src='{QCOW2}', obs_bucket='{BUCKET}', quick_import=True,
                                           os_version='Ubuntu 22.04 server 64bit'), 'aksk', r'quick_import takes a RAW file'),
    ('upload-quick-import-without-os-version', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', quick_import=True),
     'aksk', r'os_version is required for a quick import'),
    ('upload-reserved-tag', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}',
                                     tags=[{'key': 'ims_source_md5', 'value': 'x'}]), 'aksk', r'the key ims_source_md5 is the module'),
    ('upload-ten-tags', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}',
                                 tags=[{'key': 'k%d' % i, 'value': 'v'} for i in range(10)]), 'aksk', r'at most 9 tags'),
    ('upload-disk-format-mismatch', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', disk_format='qcow2'), 'aksk',
     r'disk_format is qcow2 but .* is a raw file'),
    ('upload-bad-name', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', name=' lead'), 'aksk', r'name'),
    ('upload-cecloud-only-option', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', platform='kylin'), 'aksk',
     r'platform is not used by provider huaweicloud'),
    ('upload-token-auth-no-keys', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}'), 'password',
     r'takes access_key and secret_key'),
    ('upload-token-description', UP, dict(OK_UPLOAD, src='{FILE}', description='made by a token'), 'token',
     r'description cannot be set by an upload with a token or a password login'),
    ('upload-token-data-image', UP, dict(OK_UPLOAD, src='{FILE}', image_type='data_image'), 'password',
     r'image_type cannot be set by an upload with a token'),
    ('upload-token-quick-import', UP, dict(OK_UPLOAD, src='{FILE}', quick_import=True), 'token',
     r'quick_import: staging the file in OBS takes access_key and secret_key'),
    ('upload-token-min-disk-too-large', UP, dict(OK_UPLOAD, src='{FILE}', min_disk=2000), 'token',
     r'min_disk must be the system disk size in GB, from 1 to 1024.*got 2000'),
    ('upload-token-reserved-tag', UP, dict(OK_UPLOAD, src='{FILE}', tags=[{'key': 'ims_source_md5', 'value': 'x'}]),
     'token', r'the key ims_source_md5 is the module'),
    ('upload-ak-without-sk', UP, dict(OK_UPLOAD, src='{FILE}', obs_bucket='{BUCKET}', secret_key=None), 'aksk',
     r'secret_key'),
    ('upload-src-missing', UP, dict(OK_UPLOAD, src='/nonexistent/disk.raw', obs_bucket='{BUCKET}'), 'aksk', r'does not exist'),
    ('export-file-format-outside-the-enum', EX, dict(image='{IMAGE}', bucket='{BUCKET}', key='a.img', file_format='raw'),
     'aksk', r'file_format.*(one of|choices).*qcow2'),
    ('export-key-missing', EX, dict(image='{IMAGE}', bucket='{BUCKET}'), 'aksk', r'key is required with bucket'),
    ('export-key-with-space', EX, dict(image='{IMAGE}', bucket='{BUCKET}', key='my disk.qcow2'), 'aksk',
     r'key must not contain spaces'),
    ('export-quick-and-format', EX, dict(image='{IMAGE}', bucket='{BUCKET}', key='a.vhd', file_format='vhd', quick_export=True),
     'aksk', r'file_format and quick_export exclude each other'),
    ('export-unknown-bucket', EX, dict(image='{IMAGE}', bucket='no-such-export-bucket', key='a.qcow2'), 'aksk',
     r'bucket no-such-export-bucket does not exist'),
    ('export-bucket-bad-name', EX, dict(image='{IMAGE}', bucket='Bad..Bucket', key='a.qcow2'), 'aksk',
     r'bucket must be an OBS bucket name'),
    ('export-dest-without-obs-bucket', EX, dict(image='{IMAGE}', dest='{DIR}/out.qcow2'), 'aksk',
     r'obs_bucket is required with dest'),
    ('export-dest-folder-missing', EX, dict(image='{IMAGE}', dest='{DIR}/nope/out.qcow2', obs_bucket='{BUCKET}'), 'aksk',
     r'folder of dest .* does not exist'),
    ('export-unknown-image', EX, dict(image='no-such-image', bucket='{BUCKET}', key='a.qcow2'), 'aksk', r'no-such-image'),
    ('export-queued-image', EX, dict(image='{QUEUED}', bucket='{BUCKET}', key='a.qcow2'), 'aksk', r'only active images'),
    ('export-cecloud-az-id', EX, dict(image='{IMAGE}', bucket='{BUCKET}', key='a.qcow2', az_id='AZ0'), 'aksk',
     r'az_id is not used by provider huaweicloud'),
    ('export-key-with-dest', EX, dict(image='{IMAGE}', dest='{DIR}/x.qcow2', obs_bucket='{BUCKET}', key='a'), 'aksk',
     r'key'),
    ('export-dest-token-login', EX, dict(image='{IMAGE}', dest='{DIR}/out.qcow2', obs_bucket='{BUCKET}'), 'token',
     r'takes access_key and secret_key'),
    ('export-wait-timeout-zero', EX, dict(image='{IMAGE}', bucket='{BUCKET}', key='a.qcow2', wait_timeout=0), 'aksk',
     r'wait_timeout must be between 1 and 86400'),
]


def fill(value, names):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return dict((k, fill(v, names)) for k, v in value.items())
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    return value


@pytest.mark.parametrize('case_id,module,args,auth,pattern', CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_before_any_write(hw, tmp_path, case_id, module, args, auth, pattern):  # noqa: F811  pylint: disable=unused-argument
    bucket = 'bad-%s' % uuid.uuid4().hex[:12]
    obs = hw.obs()
    obs.create_bucket(Bucket=bucket)
    (image_id,) = hw.seed(1, prefix='bad-active-')
    (queued_id,) = hw.seed(1, prefix='bad-queued-', status='queued')
    names = dict(FILE=write_raw(tmp_path / 'disk.raw', 1), QCOW2=write_qcow2(tmp_path / 'disk.qcow2', 1), BUCKET=bucket,
                 IMAGE=image_id, QUEUED=queued_id, DIR=str(tmp_path))
    hw.stack.clear_requests()
    module_args = fill(args, names)
    if module_args.get('secret_key', 'given') is None:
        module_args.pop('secret_key')
        module_args['secret_key'] = ''
    run = hw.module(module, module_args, auth=auth)
    assert run.failed, run
    assert re.search(pattern, run['msg']), (pattern, run['msg'])
    assert not run.changed, run
    assert hw.writes() == [], hw.writes()
    assert (obs.list_objects_v2(Bucket=bucket).get('Contents') or []) == []
    assert unfinished_uploads(obs, bucket) == []


def test_the_table_has_at_least_25_huawei_transfer_cases():
    assert len(CASES) >= 25
