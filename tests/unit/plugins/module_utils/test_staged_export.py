# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_staged_export: ``verified`` has the shape of every provider's download, whatever the staging object's ETag."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.staged_export import StagedExport

DATA = b'exported bytes\n' * 1000
MD5 = hashlib.md5(DATA).hexdigest()


class _Storage:
    """Stands for the OBS client: one object, and whether HEAD PartNumber=1 tells its part size."""

    def __init__(self, part_size=None):
        self.part_size = part_size

    def chunks(self, bucket, key):  # pylint: disable=unused-argument
        return iter([DATA[:4096], DATA[4096:]])

    def first_part_size(self, bucket, key, size, etag):  # pylint: disable=unused-argument
        return self.part_size


def fetch(tmp_path, etag, part_size=None):
    export = StagedExport.__new__(StagedExport)
    export._storage = _Storage(part_size)  # pylint: disable=protected-access
    dest = tmp_path / 'disk.qcow2'
    stats, verified = export._fetch('b', 'k', dict(size=len(DATA), etag=etag), str(dest), None)  # pylint: disable=protected-access
    assert dest.read_bytes() == DATA and stats['md5'] == MD5
    return verified


def test_a_plain_etag_is_the_md5_the_file_was_checked_against(tmp_path):
    assert fetch(tmp_path, MD5) == dict(algorithm='md5', value=MD5, size=len(DATA))


def test_a_multipart_etag_is_checked_by_the_md5s_of_its_parts(tmp_path):
    parts = [DATA[:8192], DATA[8192:]]
    etag = '%s-2' % hashlib.md5(b''.join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    assert fetch(tmp_path, etag, part_size=8192) == dict(algorithm='md5', value=MD5, size=len(DATA), part_size=8192)


@pytest.mark.parametrize('etag', ['0123456789abcdef0123456789abcdef-3', 'not-an-md5'])
def test_an_etag_the_bytes_cannot_be_checked_against_leaves_the_size_alone(tmp_path, etag):
    assert fetch(tmp_path, etag) == dict(algorithm='none', value=None, size=len(DATA))
