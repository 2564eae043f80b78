# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pieces of the OBS paths that are hard to reach through the emulator: the multipart ETag of a download,
the check before the rename, the source tag, the names OBS refuses."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core import object_storage as _staging
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsTransportError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.multipart import multipart_etag
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.staged_upload import default_key, source_md5

PART = 1024


@pytest.mark.parametrize('size,chunk', [(0, 7), (1, 1), (PART, 100), (PART * 3, PART), (PART * 3 + 5, 333), (5000, 4096)])
def test_part_digests_give_the_multipart_etag_whatever_the_chunks(size, chunk):
    data = os.urandom(size)
    expected = multipart_etag([hashlib.md5(data[i:i + PART]).hexdigest() for i in range(0, size, PART)])
    digests = _staging.PartDigests(PART)
    for start in range(0, size, chunk):
        digests.feed(data[start:start + chunk])
    assert digests.etag() == expected
    assert digests.etag() == expected       # asking twice changes nothing


def test_a_failing_check_before_the_rename_leaves_dest_as_it_was(tmp_path):
    dest = tmp_path / 'image.qcow2'
    dest.write_bytes(b'old bytes')

    def check():
        raise ImsTransportError('parts do not match')
    with pytest.raises(ImsTransportError, match='parts do not match'):
        _transfer.download(iter([b'new ', b'bytes']), str(dest), expected_size=9, check=check)
    assert dest.read_bytes() == b'old bytes'
    assert sorted(os.listdir(str(tmp_path))) == ['image.qcow2']


def test_the_check_passes_and_the_file_is_renamed(tmp_path):
    dest = tmp_path / 'image.qcow2'
    seen = []
    stats = _transfer.download(iter([b'abc', b'def']), str(dest), check=lambda: seen.append(True))
    assert dest.read_bytes() == b'abcdef' and seen == [True] and stats['md5'] == hashlib.md5(b'abcdef').hexdigest()


@pytest.mark.parametrize('tags,md5', [
    (['ims_source_md5=0A1B'], '0a1b'),
    (['os=linux', 'ims_source_md5.ffee'], 'ffee'),
    (['ims_source_md5x=1'], None),
    ([], None),
    (None, None),
])
def test_the_source_tag_is_read_in_both_of_ims_s_tag_spellings(tags, md5):
    assert source_md5({'tags': tags}) == md5


def test_the_default_key_is_the_name_with_the_format_s_extension():
    assert default_key('ubuntu golden', 'qcow2') == 'ubuntu golden.qcow2'


@pytest.mark.parametrize('bucket', ['ab', 'Upper', 'a_b', '-ab', 'ab-', 'a..b', 'a' * 64, None])
def test_bucket_names_obs_refuses(bucket):
    with pytest.raises(ImsValidationError, match='obs_bucket must be an OBS bucket name'):
        _staging.check_bucket_name('obs_bucket', bucket)


@pytest.mark.parametrize('key', ['', ' ', 'dir/', '/abs', 'a\nb', 'k' * 1025])
def test_keys_that_name_no_object(key):
    with pytest.raises(ImsValidationError, match='obs_key must be the key of an object'):
        _staging.check_key('obs_key', key)


def test_good_names_pass():
    _staging.check_bucket_name('obs_bucket', 'my-image.staging-01')
    _staging.check_key('obs_key', 'golden/v1/disk image.raw')


def test_ims_image_s_exact_tag_set_keeps_the_upload_s_source_tag():
    from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import SOURCE_MD5_TAG, tag_changes
    current = [{'key': SOURCE_MD5_TAG, 'value': 'a' * 32}, {'key': 'old', 'value': '1'}]
    create, delete = tag_changes(current, {'tags': [{'key': 'env', 'value': 'prod'}]})
    assert create == [{'key': 'env', 'value': 'prod'}] and delete == [{'key': 'old', 'value': '1'}]
