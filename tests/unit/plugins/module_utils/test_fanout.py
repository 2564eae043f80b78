# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_core.fanout: one read of a stream for several readers, bounded memory, one digest, detach, the source's errors."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import threading
import time

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core import fanout as _fanout
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsTransportError

CHUNK = 1000
DATA = os.urandom(50 * CHUNK + 123)
MD5 = hashlib.md5(DATA).hexdigest()


class CountingStream:
    """A source stream that counts the bytes read from it and can break after ``cut`` bytes."""

    def __init__(self, data, cut=None):
        self.data = data
        self.offset = 0
        self.cut = cut
        self.reads = 0
        self.closed = False

    def read(self, amount):
        if self.cut is not None and self.offset >= self.cut:
            raise IOError('connection reset by peer')
        end = self.offset + amount if self.cut is None else min(self.offset + amount, self.cut)
        data = self.data[self.offset:end]
        self.offset += len(data)
        self.reads += len(data)
        return data

    def close(self):
        self.closed = True


def drain(reader, out, key, amount=700):
    """Read ``reader`` to its end in a thread; ``out[key]`` is the bytes, or the exception."""
    def run():
        parts = []
        try:
            while True:
                data = reader.read(amount)
                if not data:
                    break
                parts.append(data)
            out[key] = b''.join(parts)
        except Exception as exc:  # pylint: disable=broad-except
            out[key] = exc
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_three_readers_get_every_byte_from_one_read_and_one_digest():
    stream = CountingStream(DATA)
    out = {}
    with _fanout.Fanout(stream, 3, size=len(DATA), chunk_size=CHUNK, window=4) as fan:
        threads = [drain(r, out, r.index) for r in fan.readers]
        for thread in threads:
            thread.join(10)
        assert [out[i] for i in range(3)] == [DATA] * 3
        assert stream.reads == len(DATA) == fan.bytes_read
        assert fan.digests == {'md5': MD5}
        assert all(r.digests == {'md5': MD5} for r in fan.readers)
        assert fan.peak_chunks <= 4
    assert stream.closed


def test_memory_stays_within_the_window_and_the_slowest_reader_holds_the_source_back():
    stream = CountingStream(DATA)
    fan = _fanout.Fanout(stream, 2, chunk_size=CHUNK, window=3).start()
    fast, slow = fan.readers
    out = {}
    thread = drain(fast, out, 'fast', amount=CHUNK)
    slow.read(CHUNK)        # the slow reader takes one chunk and stops
    # The pump stops when the fast reader is the window ahead of the slow one: the source is not read further
    # than the window past the slow reader, and the one chunk the pump holds.
    deadline = time.time() + 10
    while not (fan.held_back and stream.reads >= 5 * CHUNK) and time.time() < deadline:
        time.sleep(0.01)
    assert fan.held_back
    assert stream.reads == (1 + 3 + 1) * CHUNK
    assert fan.peak_chunks <= 3
    assert 'fast' not in out
    slow.close()            # detached: the fast reader goes on to the end
    thread.join(10)
    assert out['fast'] == DATA
    fan.close()


def test_a_closed_reader_is_detached_and_the_others_finish():
    stream = CountingStream(DATA)
    out = {}
    with _fanout.Fanout(stream, 3, size=len(DATA), chunk_size=CHUNK, window=2) as fan:
        fan.readers[1].close()      # never read: it would hold the source back for ever
        threads = [drain(fan.readers[i], out, i) for i in (0, 2)]
        for thread in threads:
            thread.join(10)
    assert out[0] == out[2] == DATA
    assert stream.reads == len(DATA)


def test_a_failing_reader_is_detached_without_stopping_the_others():
    stream = CountingStream(DATA)
    out = {}
    with _fanout.Fanout(stream, 2, size=len(DATA), chunk_size=CHUNK, window=2) as fan:
        failing, other = fan.readers
        thread = drain(other, out, 'other')
        failing.read(CHUNK)
        failing.close()             # its target failed after one chunk
        thread.join(10)
        with pytest.raises(Exception, match='was closed'):
            failing.read(1)
    assert out['other'] == DATA


def test_the_source_error_reaches_every_reader_after_the_bytes_before_it():
    stream = CountingStream(DATA, cut=10 * CHUNK + 5)
    out = {}
    with _fanout.Fanout(stream, 3, size=len(DATA), chunk_size=CHUNK, window=4, description='image X') as fan:
        got = [[] for dummy in range(3)]

        def read_all(i):
            try:
                while True:
                    data = fan.readers[i].read(CHUNK)
                    if not data:
                        break
                    got[i].append(data)
            except Exception as exc:  # pylint: disable=broad-except
                out[i] = exc
        threads = [threading.Thread(target=read_all, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    for i in range(3):
        assert isinstance(out[i], ImsTransportError)
        assert 'Reading image X failed' in out[i].message and 'connection reset' in out[i].message
        assert b''.join(got[i]) == DATA[:10 * CHUNK + 5]
        assert fan.readers[i].digests is None
    assert out[0] is not out[1] and out[1] is not out[2]     # each target notes its own outcome in its error


def test_a_short_stream_fails_every_reader():
    stream = CountingStream(DATA[:5 * CHUNK])
    with _fanout.Fanout(stream, 2, size=len(DATA), chunk_size=CHUNK, description='image X') as fan:
        for reader in fan.readers:
            with pytest.raises(ImsTransportError, match='image X ended after 5000 of its 50123 bytes'):
                reader.read()


def test_every_reader_closed_stops_reading_the_source():
    stream = CountingStream(DATA)
    fan = _fanout.Fanout(stream, 2, chunk_size=CHUNK, window=2).start()
    fan.readers[0].read(10)
    for reader in fan.readers:
        reader.close()
    fan.close()
    assert stream.reads <= 4 * CHUNK


def test_disk_staging_reads_once_into_a_file_removed_at_close(tmp_path):
    stream = CountingStream(DATA)
    fan = _fanout.Fanout(stream, 3, size=len(DATA), staging='disk', staging_dir=str(tmp_path), chunk_size=CHUNK).start()
    path = fan.path
    assert os.path.dirname(path) == str(tmp_path)
    with open(path, 'rb') as handle:
        assert handle.read() == DATA
    assert fan.digests == {'md5': MD5} and stream.reads == len(DATA)
    fan.close()
    assert not os.path.exists(path) and os.listdir(str(tmp_path)) == []


def test_disk_staging_of_a_cut_stream_leaves_no_file(tmp_path):
    fan = _fanout.Fanout(CountingStream(DATA, cut=3 * CHUNK), 1, size=len(DATA), staging='disk',
                         staging_dir=str(tmp_path), chunk_size=CHUNK)
    with pytest.raises(ImsTransportError, match='connection reset'):
        fan.start()
    assert os.listdir(str(tmp_path)) == []


def test_staging_is_checked():
    with pytest.raises(Exception, match='staging must be one of memory, disk'):
        _fanout.Fanout(CountingStream(DATA), 1, staging='tape')
