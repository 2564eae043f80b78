# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_staged_export: ``verified`` has the shape of every provider's download, whatever the staging object's ETag."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsTransportError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.staged_export import ExportRead, StagedExport

DATA = b'exported bytes\n' * 1000
MD5 = hashlib.md5(DATA).hexdigest()


class _Storage:
    """Stands for the OBS client: one object, and whether HEAD PartNumber=1 tells its part size."""

    def __init__(self, part_size=None, etag=MD5):
        self.part_size = part_size
        self.etag = etag
        self.reads = 0

    def chunks(self, bucket, key):  # pylint: disable=unused-argument
        self.reads += 1
        return iter([DATA[:4096], DATA[4096:]])

    def head(self, bucket, key):  # pylint: disable=unused-argument
        return dict(size=len(DATA), etag=self.etag)

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


MULTIPART_ETAG = '%s-2' % hashlib.md5(b''.join(hashlib.md5(p).digest() for p in (DATA[:8192], DATA[8192:]))).hexdigest()


def export_read(storage):
    """An ExportRead over ``storage`` whose object is there already (an export an earlier run kept)."""
    reader = ExportRead(None, dict(keep_staged_object=False))
    reader._storage = storage  # pylint: disable=protected-access
    reader.facts = dict(bucket='b', key='k', file_format='qcow2')
    return reader


@pytest.mark.parametrize('etag, part_size, reads', [(MD5, None, 1), (MULTIPART_ETAG, 8192, 2), (MULTIPART_ETAG, None, 2)])
def test_a_replication_read_knows_the_md5_of_the_export_before_it_streams(etag, part_size, reads):
    """A plain ETag is the MD5; an object completed from parts is read once first to compute it (the streamed read
    then checks every byte against it)."""
    storage = _Storage(part_size, etag)
    read = export_read(storage).open(None, dict(image_id='i'), {})
    assert read.hashes == dict(md5=MD5) and read.size == len(DATA) and read.disk_format == 'qcow2'
    assert b''.join(iter(read.stream.read, b'')) == DATA and storage.reads == reads


def test_a_replication_read_refuses_an_object_whose_parts_are_not_its_etag():
    wrong = '%s-2' % hashlib.md5(b'other').hexdigest()
    with pytest.raises(ImsTransportError, match='not the %d bytes of ETag %s' % (len(DATA), wrong)):
        export_read(_Storage(8192, wrong)).open(None, dict(image_id='i'), {})
