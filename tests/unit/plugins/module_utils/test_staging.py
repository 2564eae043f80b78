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
from ansible_collections.cecloud.ims.plugins.module_utils._core.multipart import (
    MIB, file_part_md5s, identity_parts, multipart_etag, parts_identity)
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import source_identity, source_md5
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.staged_upload import default_key, describe_identity

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


MD5 = 'a' * 32
PARTS = 'b' * 32 + '-64-16'


@pytest.mark.parametrize('tags,identity', [
    (['ims_source_md5=0A1B'], '0a1b'),
    (['os=linux', 'ims_source_md5.ffee'], 'ffee'),
    (['ims_source_md5=%s' % PARTS.upper()], PARTS),
    (['ims_source_md5.%s' % PARTS], PARTS),
    (['ims_source_md5=pending'], None),
    (['ims_source_md5x=1'], None),
    ([], None),
    (None, None),
])
def test_the_source_tag_is_read_in_both_of_ims_s_tag_spellings(tags, identity):
    assert source_identity({'tags': tags}) == identity


@pytest.mark.parametrize('tags,md5', [
    (['ims_source_md5=%s' % MD5.upper()], MD5),     # the file's MD5: every tag before the identity by parts, and one part
    (['ims_source_md5=%s' % PARTS], None),          # the parts' MD5s tell the file, not its MD5
    (['ims_source_md5=0a1b'], None),
])
def test_only_a_tag_of_the_file_s_md5_reports_its_md5(tags, md5):
    assert source_md5({'tags': tags}) == md5


def test_a_file_of_several_parts_is_told_by_the_multipart_etag_and_the_part_size_in_mib():
    md5s = [hashlib.md5(b'one').hexdigest(), hashlib.md5(b'two').hexdigest()]
    identity = parts_identity(md5s, 16 * MIB)
    assert identity == multipart_etag(md5s) + '-16' and identity_parts(identity) == (2, 16 * MIB)
    assert 'the MD5s of 2 parts of 16 MiB (multipart ETag %s)' % multipart_etag(md5s) == describe_identity(identity)


def test_a_file_of_one_part_is_told_by_its_md5():
    assert parts_identity([MD5], 16 * MIB) == MD5 and identity_parts(MD5) is None
    assert describe_identity(MD5) == 'MD5 %s' % MD5


def test_the_longest_identity_fits_an_ims_tag_value():
    # 10,000 parts of 5,120 MiB: S3's limits, 43 characters, IMS's longest tag value.
    assert len(parts_identity([MD5] * 10000, 5120 * MIB)) == 43


@pytest.mark.parametrize('text', ['', MD5, MD5 + '-2', MD5 + '-0-16', MD5 + '-2-0', MD5 + '-100000-16', 'g' * 32 + '-2-16'])
def test_texts_that_name_no_parts(text):
    assert identity_parts(text) is None


@pytest.mark.parametrize('size,part_size', [(1, 4), (4, 4), (10, 4), (12, 4)])
def test_the_parts_md5s_of_a_file_read_once(tmp_path, size, part_size):
    data = os.urandom(size)
    path = tmp_path / 'file'
    path.write_bytes(data)
    assert file_part_md5s(str(path), size, part_size) == [
        hashlib.md5(data[i:i + part_size]).hexdigest() for i in range(0, size, part_size)]


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
