# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_streams: digests computed while the bytes move, a re-sendable upload body, verified atomic downloads."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

import pytest
import requests

from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError

from tests.unit.plugins.module_utils.local_http import LocalServer

DATA = os.urandom(3 * 1000 + 17)


def reference(data, algorithm):
    return hashlib.new(algorithm, data).hexdigest()


@pytest.fixture
def src(tmp_path):
    path = tmp_path / 'image.raw'
    path.write_bytes(DATA)
    return str(path)


def test_hash_file_computes_every_algorithm_in_one_read(src, monkeypatch):
    opened = []
    real_open = open
    monkeypatch.setattr('builtins.open', lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    hashes = _streams.hash_file(src, ('md5', 'SHA512', 'md5'), chunk_size=1000)
    assert hashes == dict(md5=reference(DATA, 'md5'), sha512=reference(DATA, 'sha512'))
    assert opened == [src]


def test_an_unknown_algorithm_is_a_clear_error():
    with pytest.raises(ImsError, match="hash algorithm this host cannot compute: 'nohash'"):
        _streams.DigestThread(('md5', 'nohash'))


def test_file_body_hashes_what_it_yields_and_starts_over_on_each_iteration(src):
    body = _streams.FileBody(src, ('md5', 'sha512'), chunk_size=1000)
    assert len(body) == len(DATA)
    partial = iter(body)
    assert next(partial) == DATA[:1000]
    partial.close()                 # a send that broke off: no digests claimed for it
    assert body.digests is None and body.sent == 1000

    assert b''.join(body) == DATA
    assert body.attempts == 2 and body.sent == len(DATA)
    assert body.digests == dict(md5=reference(DATA, 'md5'), sha512=reference(DATA, 'sha512'))


def test_file_body_refuses_a_file_that_changed_size_under_it(src):
    body = _streams.FileBody(src, ('md5',), chunk_size=1000)
    with open(src, 'ab') as handle:
        handle.write(b'more')
    with pytest.raises(ImsError, match='changed while it was uploaded'):
        b''.join(body)
    assert body.digests is None


def test_requests_sends_the_body_with_its_length_and_can_send_it_again(src):
    """A 401 answered first, then the same body sent again: both arrive whole, with a Content-Length."""
    answers = iter([(401, {}, b'{"error": {"message": "expired"}}'), (204, {}, b'')])
    with LocalServer(lambda request: next(answers)) as server:
        body = _streams.FileBody(src, ('md5', 'sha512'), chunk_size=1000)
        session = requests.Session()
        first = session.put(server.url + '/v2/images/x/file', data=body, timeout=10)
        second = session.put(server.url + '/v2/images/x/file', data=body, timeout=10)
    assert (first.status_code, second.status_code) == (401, 204)
    assert [r.body for r in server.requests] == [DATA, DATA]
    assert all(r.headers['Content-Length'] == str(len(DATA)) for r in server.requests)
    assert 'Transfer-Encoding' not in server.requests[0].headers
    assert body.attempts == 2 and body.digests['md5'] == reference(DATA, 'md5')


def test_write_verified_checks_every_expected_digest_and_renames(tmp_path):
    dest = tmp_path / 'image.raw'
    chunks = [DATA[:1000], b'', DATA[1000:]]
    stats = _streams.write_verified(iter(chunks), str(dest), expected={'SHA512': reference(DATA, 'sha512')},
                                    expected_size=len(DATA), algorithms=('md5',))
    assert dest.read_bytes() == DATA and os.listdir(str(tmp_path)) == ['image.raw']
    assert stats['digests'] == dict(sha512=reference(DATA, 'sha512'), md5=reference(DATA, 'md5'))
    assert stats['bytes'] == len(DATA)


@pytest.mark.parametrize('chunks,expected,size,message', [
    ([DATA[:-1] + b'?'], {'sha512': reference(DATA, 'sha512')}, len(DATA),
     r'do not match the image checksum \(SHA512 [0-9a-f]{128}, expected'),
    ([DATA], {'md5': reference(DATA, 'md5'), 'sha512': '0' * 128}, len(DATA), 'SHA512'),
    ([DATA[:100]], {}, len(DATA), 'cut short or too long: received 100 bytes'),
])
def test_a_download_that_fails_verification_leaves_dest_as_it_was(tmp_path, chunks, expected, size, message):
    dest = tmp_path / 'image.raw'
    dest.write_bytes(b'old')
    with pytest.raises(ImsTransportError, match=message):
        _streams.write_verified(iter(chunks), str(dest), expected=expected, expected_size=size)
    assert dest.read_bytes() == b'old' and os.listdir(str(tmp_path)) == ['image.raw']


def test_without_an_expected_digest_only_the_size_is_checked(tmp_path):
    stats = _streams.write_verified(iter([DATA]), str(tmp_path / 'x'), expected={'md5': None}, expected_size=len(DATA),
                                    algorithms=('md5',))
    assert stats['digests'] == dict(md5=reference(DATA, 'md5'))


def advice_recorder(monkeypatch):
    """The (offset, length) of every POSIX_FADV_DONTNEED given, the real call made too (it is advice only)."""
    given = []
    real = os.posix_fadvise

    def record(fd, offset, length, advice):
        if advice == os.POSIX_FADV_DONTNEED:
            given.append((offset, length))
        return real(fd, offset, length, advice)
    monkeypatch.setattr(os, 'posix_fadvise', record)
    return given


@pytest.mark.skipif(not hasattr(os, 'posix_fadvise'), reason='posix_fadvise is Linux (and some other Unix) only')
def test_the_cache_window_advises_each_range_twice_one_window_behind_the_writes(tmp_path, monkeypatch):
    given = advice_recorder(monkeypatch)
    with open(str(tmp_path / 'f'), 'wb') as handle:
        window = _streams.CacheWindow(handle.fileno(), window=100)
        for written in (50, 150, 199, 200, 250, 299, 300, 400, 450, 500):
            window.advance(written)
    # Nothing before two windows are written; then every window, the range advised last again and the new one.
    assert given == [(0, 100), (0, 200), (100, 200), (200, 200)]


def test_without_posix_fadvise_or_when_refused_the_cache_window_gives_no_more_advice(tmp_path, monkeypatch):
    refused = []

    def refuse(fd, offset, length, advice):
        refused.append(offset)
        raise OSError(22, 'Invalid argument')
    monkeypatch.setattr(os, 'posix_fadvise', refuse, raising=False)
    window = _streams.CacheWindow(3, window=100)
    for written in range(0, 1000, 50):
        window.advance(written)
    assert refused == [0]
    monkeypatch.delattr(os, 'posix_fadvise')
    window = _streams.CacheWindow(3, window=100)
    window.advance(1000)
    assert not window.enabled


@pytest.mark.skipif(not hasattr(os, 'posix_fadvise'), reason='posix_fadvise is Linux (and some other Unix) only')
def test_write_verified_releases_the_page_cache_behind_its_writes_and_keeps_every_byte(tmp_path, monkeypatch):
    given = advice_recorder(monkeypatch)
    monkeypatch.setattr(_streams, 'CACHE_WINDOW', 1000)
    dest = tmp_path / 'image.raw'
    chunks = [DATA[i:i + 500] for i in range(0, len(DATA), 500)]
    stats = _streams.write_verified(iter(chunks), str(dest), expected={'md5': reference(DATA, 'md5')},
                                    expected_size=len(DATA))
    assert dest.read_bytes() == DATA and stats['bytes'] == len(DATA)
    assert given == [(0, 1000), (0, 2000)]
