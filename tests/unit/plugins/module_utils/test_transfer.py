# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_transfer: source checks, format detection, TLS choice, scrubbing, atomic verified downloads."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError, ImsValidationError

DATA = [b'a' * 1000, b'b' * 2000, b'c' * 3000]
MD5 = hashlib.md5(b''.join(DATA)).hexdigest()


def test_detect_disk_format():
    assert _transfer.detect_disk_format(b'QFI\xfb' + b'\0' * 100) == 'qcow2'
    assert _transfer.detect_disk_format(b'\0' * 100) == 'raw'
    assert _transfer.detect_disk_format(b'QF') == 'raw'


def test_md5_file_matches_hashlib(tmp_path):
    data = os.urandom(_transfer.HASH_BUFFER + 12345)
    (tmp_path / 'f').write_bytes(data)
    assert _transfer.md5_file(str(tmp_path / 'f')) == hashlib.md5(data).hexdigest()


def test_check_source(tmp_path):
    with pytest.raises(ImsValidationError, match='does not exist'):
        _transfer.check_source(str(tmp_path / 'missing'))
    with pytest.raises(ImsValidationError, match='directory'):
        _transfer.check_source(str(tmp_path))
    (tmp_path / 'ok').write_bytes(b'12345')
    assert _transfer.check_source(str(tmp_path / 'ok')) == 5


@pytest.mark.parametrize('args,expected', [
    ((True, None, None, None), None),
    ((False, None, None, None), False),
    ((True, '/ca.pem', None, None), '/ca.pem'),
    ((True, '/ca.pem', False, None), False),
    ((False, None, True, None), None),
    ((False, '/ca.pem', None, '/s3.pem'), '/s3.pem'),
])
def test_s3_verify_follows_the_endpoint_unless_overridden(args, expected):
    assert _transfer.s3_verify(*args) == expected


def test_normalize_endpoint():
    assert _transfer.normalize_endpoint('10.0.0.1:8009') == 'https://10.0.0.1:8009'
    assert _transfer.normalize_endpoint('http://s3.local/', 'https') == 'http://s3.local'
    with pytest.raises(ImsError):
        _transfer.normalize_endpoint('')


def test_transfer_config_grows_the_part_beyond_10000_parts():
    config = _transfer.transfer_config(5, 4, size=5 * _transfer.MIB * 10001)
    assert config.multipart_chunksize == 10 * _transfer.MIB


def test_errors_are_scrubbed_of_the_keys():
    error = ClientError({'Error': {'Code': 'InvalidAccessKeyId', 'Message': 'key AKIDSECRET1 unknown, sig SK2'},
                         'ResponseMetadata': {'HTTPStatusCode': 403}}, 'UploadPart')
    text = _transfer.describe_s3_error(error, ['AKIDSECRET1', 'SK2', None])
    assert 'AKIDSECRET1' not in text and 'SK2' not in text and 'InvalidAccessKeyId' in text and '403' in text


def test_download_verifies_and_renames(tmp_path):
    dest = tmp_path / 'image.qcow2'
    stats = _transfer.download(iter(DATA), str(dest), expected_md5=MD5, expected_size=6000)
    assert stats['md5'] == MD5 and stats['bytes'] == 6000
    assert dest.read_bytes() == b''.join(DATA)
    assert os.listdir(str(tmp_path)) == ['image.qcow2']


def _broken():
    yield DATA[0]
    yield DATA[1]
    raise ImsTransportError('connection reset mid-body')


@pytest.mark.parametrize('chunks,expected_md5,expected_size,message', [
    (_broken, MD5, 6000, 'mid-body'),
    (lambda: iter(DATA), '0' * 32, 6000, 'do not match'),
    (lambda: iter(DATA[:2]), MD5, 6000, 'cut short'),
])
def test_a_failed_download_leaves_dest_as_it_was_and_no_temporary_file(tmp_path, chunks, expected_md5, expected_size, message):
    dest = tmp_path / 'image.qcow2'
    dest.write_bytes(b'old')
    with pytest.raises(ImsError, match=message):
        _transfer.download(chunks(), str(dest), expected_md5=expected_md5, expected_size=expected_size)
    assert dest.read_bytes() == b'old'
    assert os.listdir(str(tmp_path)) == ['image.qcow2']


def test_an_interrupted_download_removes_its_temporary_file(tmp_path):
    def interrupted():
        yield DATA[0]
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        _transfer.download(interrupted(), str(tmp_path / 'x'), expected_md5=MD5)
    assert os.listdir(str(tmp_path)) == []


def test_download_into_a_missing_folder(tmp_path):
    with pytest.raises(ImsValidationError, match='does not exist'):
        _transfer.download(iter(DATA), str(tmp_path / 'nope' / 'x'))
