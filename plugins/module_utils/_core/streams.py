# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Byte streams that hash what they carry: one pass over the data, several digests, flat memory.

Uploads and downloads of image files both hash the bytes as they move (a file is never read a
second time to hash it): a thread beside the transfer updates every digest asked for
(``hashlib`` releases the GIL on large buffers, so hashing overlaps the network and disk I/O),
fed through a bounded queue, so at most HASH_QUEUE chunks are held whatever the file size.

``FileBody`` is a request body for one streamed PUT: it reads the file in chunks and hashes them
as ``requests`` sends them, and it can be sent again (a resend after a 401, a retry of a request
that never left this host): each iteration starts over from the first byte with fresh digests.
``write_verified`` writes a download to a temporary file beside its destination and renames it
over the destination only when the size and the digests match; the page cache it fills is released
a window behind the writes (``CacheWindow``).

Nothing here knows Ansible; errors are ImsError.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import queue
import signal
import tempfile
import threading
import time

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError, ImsValidationError

MIB = 1024 * 1024
CHUNK = 1 * MIB
HASH_QUEUE = 16             # chunks waiting for the hashing thread: bounds a transfer's memory
CACHE_WINDOW = 64 * MIB     # a download's written bytes kept in the page cache behind the writes (CacheWindow)
_DONE = object()


def new_digest(algorithm):
    """A hashlib object of ``algorithm`` (``md5``, ``sha512``, ...); ImsError for a name hashlib does not know."""
    try:
        return hashlib.new(algorithm.lower())
    except (ValueError, TypeError):
        raise ImsError('The image service reports a hash algorithm this host cannot compute: %r.' % (algorithm,))


def _names(algorithms):
    """``algorithms`` lower-cased, without repeats, in their first order."""
    seen = []
    for name in algorithms:
        if name and name.lower() not in seen:
            seen.append(name.lower())
    return seen


class DigestThread(threading.Thread):
    """Updates several digests with the chunks handed to ``feed()``; ``finish()`` returns {algorithm: hex}."""

    def __init__(self, algorithms):
        super(DigestThread, self).__init__(name='ims-hash')
        self.daemon = True
        self.digests = dict((name, new_digest(name)) for name in _names(algorithms))
        self._queue = queue.Queue(HASH_QUEUE)

    def run(self):
        updates = [digest.update for digest in self.digests.values()]
        while True:
            chunk = self._queue.get()
            if chunk is _DONE:
                return
            for update in updates:
                update(chunk)

    def feed(self, chunk):
        self._queue.put(chunk)

    def finish(self):
        self._queue.put(_DONE)
        self.join()
        return dict((name, digest.hexdigest()) for name, digest in self.digests.items())

    def abandon(self):
        """Stop without finishing (the transfer failed): drop the chunks still queued."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(_DONE)
        self.join()


def _file_chunks(path, chunk_size):
    with open(path, 'rb') as handle:
        while True:
            chunk = handle.read(chunk_size)
            if not chunk:
                return
            yield chunk


def hash_file(path, algorithms, chunk_size=CHUNK):
    """{algorithm: hex digest} of the file at ``path``, every algorithm in one read of the file."""
    hasher = DigestThread(algorithms)
    hasher.start()
    try:
        for chunk in _file_chunks(path, chunk_size):
            hasher.feed(chunk)
    except BaseException:
        hasher.abandon()
        raise
    return hasher.finish()


class FileBody:
    """The body of one streamed upload of ``path``, hashed with ``algorithms`` as it is sent.

    ``requests`` sends an iterable with a length as a body with that Content-Length, chunk by chunk;
    nothing but one chunk (and the hashing queue) is in memory.  Iterating again starts over:
    ``digests`` and ``sent`` always describe the last attempt, and ``digests`` is None until an
    attempt has read the whole file.
    """

    def __init__(self, path, algorithms, size=None, chunk_size=CHUNK):
        self.path = path
        self.algorithms = _names(algorithms)
        self.size = os.path.getsize(path) if size is None else size
        self.chunk_size = chunk_size
        self.attempts = 0
        self.sent = 0
        self.digests = None

    def __len__(self):
        return self.size

    def __iter__(self):
        self.attempts += 1
        self.sent = 0
        self.digests = None
        hasher = DigestThread(self.algorithms)
        hasher.start()
        finished = False
        try:
            for chunk in _file_chunks(self.path, self.chunk_size):
                if self.sent + len(chunk) > self.size:
                    break       # more bytes than the Content-Length announced would corrupt the connection
                hasher.feed(chunk)
                self.sent += len(chunk)
                yield chunk
            if self.sent != self.size:
                raise ImsError('%s changed while it was uploaded: it no longer has the %d bytes it had when the upload '
                               'started.' % (self.path, self.size))
            finished = True
        finally:
            if finished:
                self.digests = hasher.finish()
            else:
                hasher.abandon()    # the connection broke, or the request is being resent from the start


class _TermAsExit:
    """While active, SIGTERM (Ansible's task timeout, a killed job) raises SystemExit so cleanup runs."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):  # pylint: disable=unused-argument
        raise SystemExit(143)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


class CacheWindow:
    """Releases the page cache of a file being written, ``window`` bytes behind the writes (``advance(written)``).

    A download written through the page cache otherwise fills one fresh page per 4 KiB: that costs the kernel more
    than the copy itself, most of all on a virtual machine, where pages left free a few seconds are handed back to the
    host and each costs a fault when touched again (measured: 0.4 to 1.2 CPU-s per GiB, against 0.1 for pages just
    released). ``POSIX_FADV_DONTNEED`` starts the writeback of a range and drops its pages that are written back
    already, so each range is advised twice, one window apart: the writes then reuse the pages just dropped, and the
    download keeps at most about three windows of the file in memory whatever its size (the kernel would otherwise
    keep all of it and evict other files' pages). Advice only: without ``os.posix_fadvise`` (not Linux), or when the
    file system refuses it, nothing is released and nothing else changes.
    """

    def __init__(self, fd, window=None):
        self.fd = fd
        self.window = window or CACHE_WINDOW
        self.released = 0       # the end of the range advised last
        self.previous = 0       # the start of the range advised last, advised again next time
        self.enabled = hasattr(os, 'posix_fadvise')

    def advance(self, written):
        if not self.enabled or written - self.released < 2 * self.window:
            return
        end = written - self.window
        try:
            os.posix_fadvise(self.fd, self.previous, end - self.previous, os.POSIX_FADV_DONTNEED)
        except OSError:
            self.enabled = False
            return
        self.previous, self.released = self.released, end


def _default_mode():
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _check_received(dest, count, digests, expected_size, expected):
    if expected_size is not None and count != int(expected_size):
        raise ImsTransportError('The download of %s was cut short or too long: received %d bytes, the image has %s; '
                                '%s was left as it was.' % (dest, count, expected_size, dest))
    for name, wanted in expected.items():
        if digests[name] != wanted.lower():
            raise ImsTransportError('The downloaded bytes do not match the image checksum (%s %s, expected %s); '
                                    '%s was left as it was.' % (name.upper(), digests[name], wanted, dest))


def write_verified(chunks, dest, expected=None, expected_size=None, mode=None, algorithms=(), check=None):
    """Write the byte chunks of ``chunks`` to ``dest`` atomically, hashing them beside the writes.

    ``expected`` maps algorithms to the hex digests the bytes must have; ``algorithms`` adds digests
    to compute without comparing.  The bytes go to a temporary file in ``dest``'s folder, which
    replaces ``dest`` only when the size and every expected digest match; on any failure or
    interruption the temporary file is removed and ``dest`` is left as it was.  ``check(digests)``, when
    given, is one more check before the rename (it raises ImsTransportError to keep ``dest`` as it was).
    Returns ``dict(digests, bytes, seconds)``.
    """
    expected = dict((name.lower(), value) for name, value in (expected or {}).items() if value)
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise ImsValidationError('The folder of dest %s does not exist: create it first.' % dest)
    started = time.time()
    fd, temp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), suffix='.part', dir=folder)
    hasher = DigestThread(list(expected) + list(algorithms))
    hasher.start()
    finished = False
    try:
        with _TermAsExit():
            count = 0
            with os.fdopen(fd, 'wb') as handle:
                cache = CacheWindow(fd)
                for chunk in chunks:
                    if not chunk:
                        continue
                    handle.write(chunk)
                    hasher.feed(chunk)
                    count += len(chunk)
                    cache.advance(count)
                handle.flush()
            digests = hasher.finish()
            finished = True
            _check_received(dest, count, digests, expected_size, expected)
            if check is not None:
                check(digests)
            os.chmod(temp, _default_mode() if mode is None else mode)
            os.replace(temp, dest)
            temp = None
    except EnvironmentError as exc:
        raise ImsError('Writing the download to %s failed: %s' % (dest, exc))
    finally:
        if not finished:
            hasher.abandon()
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
    return dict(digests=digests, bytes=count, seconds=max(time.time() - started, 1e-6))
