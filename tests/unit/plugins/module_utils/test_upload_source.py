# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_upload_source: a file and a stream as the source of an upload (size, format, hashes, one read of a stream)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import os

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _upload_source
from ansible_collections.cecloud.ims.plugins.module_utils._core import fanout as _fanout
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import (
    ImsError, ImsTransportError, ImsValidationError)

DATA = b'QFI\xfb' + os.urandom(3 * 1024 * 1024 + 17)
MD5 = hashlib.md5(DATA).hexdigest()
SHA512 = hashlib.sha512(DATA).hexdigest()


class Stream(io.BytesIO):
    """A stream that counts the bytes read from it."""

    def __init__(self, data):
        super(Stream, self).__init__(data)
        self.reads = 0

    def read(self, amount=-1):
        data = super(Stream, self).read(amount)
        self.reads += len(data)
        return data


def read_all(reader, amount=100000):
    return b''.join(iter(lambda: reader.read(amount), b''))


@pytest.fixture
def src(tmp_path):
    path = tmp_path / 'image.qcow2'
    path.write_bytes(DATA)
    return str(path)


def test_a_file_is_checked_peeked_and_hashed_once(src, monkeypatch):
    source = _upload_source.FileSource(src)
    assert (source.size, source.description, source.disk_format, source.sequential) == (len(DATA), src, None, False)
    assert _upload_source.detect_format(source.peek(4)) == 'qcow2'
    reads = []
    real = _upload_source._streams.hash_file
    monkeypatch.setattr(_upload_source._streams, 'hash_file', lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    assert source.hashes(['md5', 'sha512']) == dict(md5=MD5, sha512=SHA512)
    assert source.hashes(['md5']) == dict(md5=MD5)
    assert reads == [['md5', 'sha512']]
    reader = source.open(['md5'])
    assert read_all(reader) == DATA and reader.digests == {'md5': MD5}
    reader.close()


def test_a_missing_file_is_refused_as_ims_image_upload_refuses_it(tmp_path):
    with pytest.raises(ImsValidationError, match='does not exist'):
        _upload_source.FileSource(str(tmp_path / 'nope')).size


def test_a_stream_is_peeked_without_a_second_read_and_read_once():
    stream = Stream(DATA)
    source = _upload_source.StreamSource(stream, len(DATA), {'md5': MD5.upper()}, 'image X of cecloud r1')
    assert source.sequential and source.path is None
    assert _upload_source.detect_format(source.peek(4)) == 'qcow2'
    assert source.hashes(['md5', 'sha512']) == {'md5': MD5}
    reader = source.open(['md5', 'sha512'])
    assert read_all(reader, 1000) == DATA
    assert reader.digests == dict(md5=MD5, sha512=SHA512)
    assert stream.reads == len(DATA)
    with pytest.raises(ImsError, match='cannot be read a second time'):
        source.open()


def test_a_stream_without_md5_is_refused_where_md5_is_needed():
    source = _upload_source.StreamSource(Stream(DATA), len(DATA), {'sha512': SHA512}, 'image X')
    assert source.hashes(['sha512']) == {'sha512': SHA512}
    with pytest.raises(ImsError, match='image X reports no MD5'):
        source.hashes(['md5'])


@pytest.mark.parametrize('data, match', [
    (DATA[:-1], 'image X ended after %d of its %d bytes' % (len(DATA) - 1, len(DATA))),
    (DATA + b'x', 'image X has more than its %d bytes' % len(DATA)),
    (DATA[:-1] + b'x', 'do not match the hashes it reports \\(MD5 [0-9a-f]{32}, reported %s\\)' % MD5),
], ids=['short', 'long', 'other bytes'])
def test_a_stream_that_is_not_what_its_source_reports_fails_at_its_end(data, match):
    source = _upload_source.StreamSource(Stream(data), len(DATA), {'md5': MD5}, 'image X')
    reader = source.open()
    with pytest.raises(ImsTransportError, match=match):
        read_all(reader)
    assert reader.digests is None


def test_a_stream_opened_lazily_through_a_function():
    opened = []
    source = _upload_source.StreamSource(lambda: opened.append(1) or Stream(DATA), len(DATA), {'md5': MD5}, 'image X')
    assert not opened
    assert source.peek(2) == DATA[:2]
    assert read_all(source.open()) == DATA and opened == [1]


def test_a_stream_body_is_sent_once_and_a_resend_fails_clearly():
    source = _upload_source.StreamSource(Stream(DATA), len(DATA), {'md5': MD5}, 'image X')
    body = source.body(['md5', 'sha512'])
    assert len(body) == len(DATA)
    assert b''.join(body) == DATA
    assert body.digests == dict(md5=MD5, sha512=SHA512) and body.sent == len(DATA)
    with pytest.raises(ImsError, match='image X cannot be read a second time'):
        b''.join(body)


def test_stream_sources_over_a_fanout_share_its_one_digest():
    stream = Stream(DATA)
    with _fanout.Fanout(stream, 2, size=len(DATA), chunk_size=64 * 1024, window=4) as fan:
        sources = [_upload_source.StreamSource(r, len(DATA), {'md5': MD5}, 'image X') for r in fan.readers]
        readers = [s.open(['md5']) for s in sources]
        # Read in turns in one thread: the window is never passed by more than 4 chunks.
        outs = [[], []]
        done = [False, False]
        while not all(done):
            for i, reader in enumerate(readers):
                if not done[i]:
                    data = reader.read(64 * 1024)
                    done[i] = not data
                    outs[i].append(data)
        assert [b''.join(o) for o in outs] == [DATA, DATA]
        assert [r.digests for r in readers] == [{'md5': MD5}] * 2
        assert [r._hasher for r in readers] == [None, None]
        assert stream.reads == len(DATA)


def test_source_of_a_task_is_its_own_or_the_file_src(src):
    class Task:
        params = {'src': src}
        source = None
    task = Task()
    assert isinstance(_upload_source.source_of(task), _upload_source.FileSource)
    assert _upload_source.source_of(task).path == src
    task.source = _upload_source.StreamSource(Stream(DATA), len(DATA), {'md5': MD5}, 'image X')
    assert _upload_source.source_of(task) is task.source
