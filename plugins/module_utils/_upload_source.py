# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where the bytes an upload sends come from: a local file, or a stream read once (another image's download).

Every provider's upload flow and sender reads its source through this one interface (``_module.Task.source``;
ims_image_upload leaves it None and the flow makes ``FileSource(params['src'])``), so an image can be
replicated from another cloud without a temporary file:

* ``size``: the bytes the source has, known before the first byte is sent (every sender announces it);
* ``disk_format``: the format the source declares, or None; ``peek(n)`` gives the first bytes, from which the
  flow detects the format (qcow2's magic), without a second read of a stream;
* ``description``: the source in messages (the path, or "image <id> of <provider> <region>");
* ``hashes(algorithms)``: {algorithm: hex}. A file hashes itself once, lazily, in one read for all the
  algorithms asked; a stream answers the hashes its source reported (the image's MD5, Glance's SHA-512) and
  nothing else, since computing one would read it;
* ``open(algorithms)``: a reader (``read(n)``, ``close()``) whose ``digests`` ({algorithm: hex}) are filled
  when it has read the whole source; ``body(algorithms)``: the body of one streamed PUT (an iterable with a
  length, as ``requests`` sends it);
* ``sequential``: True for a stream. It can be read once, in order: a multipart sender then sends the parts as
  they are read, each held in memory, and never reads a range twice (a retried part resends its buffer).
  A file is False: the sender reads each part from the file as it sends it.

A stream checks what it carries: fewer or more bytes than ``size``, or an MD5 other than the one its source
reported, fail the read at its end (before a multipart upload is completed), so no target completes with
bytes that are not the source's.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib

from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError

# The format of a source, from its first bytes (``peek``).
detect_format = _transfer.detect_disk_format


class FileSource:
    """A local file: checked (``size`` raises ImsValidationError for a missing, empty or unreadable file), hashed
    once on demand, read again by a sender as often as it needs (a resend, a resumed upload's check)."""

    sequential = False

    def __init__(self, path, disk_format=None, description=None):
        self.path = path
        self.disk_format = disk_format
        self.description = description or path
        self._size = None
        self._hashes = {}

    @property
    def size(self):
        if self._size is None:
            self._size = _transfer.check_source(self.path)
        return self._size

    def peek(self, count):
        with open(self.path, 'rb') as handle:
            return handle.read(count)

    def hashes(self, algorithms):
        """{algorithm: hex} of the file for ``algorithms``, the missing ones computed in one read of the file."""
        missing = [a for a in algorithms if a not in self._hashes]
        if missing:
            self._hashes.update(_streams.hash_file(self.path, missing))
        return dict((a, self._hashes[a]) for a in algorithms)

    def learn(self, digests):
        """Keep digests computed as the file was sent, so that a later ``hashes`` does not read it again."""
        self._hashes.update(digests or {})

    def open(self, algorithms=('md5',)):
        return _FileReader(self.path, algorithms)

    def body(self, algorithms):
        return _streams.FileBody(self.path, algorithms, size=self.size)


class _FileReader:
    """A file read once in order, hashed as it is read (``digests`` at its end)."""

    def __init__(self, path, algorithms):
        self._handle = open(path, 'rb')     # pylint: disable=consider-using-with
        self._hasher = _streams.DigestThread(algorithms)
        self._hasher.start()
        self.digests = None

    def read(self, amount=-1):
        data = self._handle.read(amount)
        if data:
            self._hasher.feed(data)
        elif self.digests is None and amount:
            self.digests = self._hasher.finish()
            self._hasher = None
        return data

    def close(self):
        if self._hasher is not None:
            self._hasher.abandon()
            self._hasher = None
        self._handle.close()


class StreamSource:
    """A stream of ``size`` bytes with the ``hashes`` its source reported ({algorithm: hex}; MD5 at least where a
    sender or a name look-up needs it), read once.

    ``stream`` is the object to read (``read(n)``: a ``_core.fanout.FanoutReader``, a download's ``raw``), or a
    function returning it, called at the first read. A stream that already computes digests as it is read (a
    ``FanoutReader``: ``algorithms`` and ``digests``) is trusted for those; the others are computed here.
    """

    sequential = True

    def __init__(self, stream, size, hashes, description, disk_format=None):
        self._stream = stream
        self.size = int(size)
        self._hashes = dict((a.lower(), v.lower()) for a, v in (hashes or {}).items() if v)
        self.description = description
        self.disk_format = disk_format
        self.path = None
        self._head = b''            # bytes peeked, handed out again by the reader first
        self._opened = False

    def _raw(self):
        if callable(self._stream) and not hasattr(self._stream, 'read'):
            self._stream = self._stream()
        return self._stream

    def peek(self, count):
        """The first ``count`` bytes, kept to be read again by the reader (no second read of the stream)."""
        if self._opened:
            raise ImsError('%s was already read: its first bytes cannot be peeked.' % self.description)
        while len(self._head) < count:
            data = self._raw().read(count - len(self._head))
            if not data:
                break
            self._head += data
        return self._head[:count]

    def hashes(self, algorithms):
        """{algorithm: hex} of the reported hashes among ``algorithms``; ImsError when MD5 is asked and not reported."""
        wanted = [a.lower() for a in algorithms]
        if 'md5' in wanted and 'md5' not in self._hashes:
            raise ImsError('%s reports no MD5 of its data, which an upload needs before it sends a byte (to find the '
                           'image of the name that holds it, or to tag the image with it).' % self.description)
        return dict((a, self._hashes[a]) for a in wanted if a in self._hashes)

    def learn(self, digests):
        """Nothing to keep: a stream's hashes are its source's."""

    def open(self, algorithms=('md5',)):
        """The one reader of the stream; a second call is refused: a stream cannot be read again."""
        if self._opened:
            raise ImsError('%s cannot be read a second time (it is a stream, read once); run the task again to start '
                           'over.' % self.description)
        self._opened = True
        return _StreamReader(self, self._raw(), algorithms)

    def body(self, algorithms):
        return _StreamBody(self, algorithms)


class _StreamReader:
    """The stream, its peeked head first, counted and hashed; at its end, checked against ``size`` and the MD5."""

    def __init__(self, source, stream, algorithms):
        self.source = source
        self._stream = stream
        self._head = source._head
        self.read_bytes = 0
        provided = tuple(getattr(stream, 'algorithms', ()) or ())
        wanted = list(algorithms) + ['md5']
        self._hasher = _streams.DigestThread([a for a in wanted if a not in provided])
        self._hasher.start()
        self.digests = None

    def read(self, amount=-1):
        if self.digests is not None:
            return b''
        if self._head:
            take = len(self._head) if amount is None or amount < 0 else amount
            data, self._head = self._head[:take], self._head[take:]
        else:
            try:
                data = self._stream.read(amount)
            except ImsError:
                raise
            except Exception as exc:  # pylint: disable=broad-except
                # A download cut mid-body raises one of several unrelated classes (urllib3, requests, socket).
                raise ImsTransportError('Reading %s failed after %d bytes: %s: %s' % (
                    self.source.description, self.read_bytes, type(exc).__name__, exc))
        if data:
            self.read_bytes += len(data)
            if self.read_bytes > self.source.size:
                raise ImsTransportError('%s has more than its %d bytes.' % (self.source.description, self.source.size))
            self._hasher.feed(data)
            return data
        if amount:
            self._finish()
        return data

    def _finish(self):
        if self.read_bytes != self.source.size:
            raise ImsTransportError('%s ended after %d of its %d bytes.' % (
                self.source.description, self.read_bytes, self.source.size))
        digests = dict(getattr(self._stream, 'digests', None) or {})
        digests.update(self._hasher.finish())
        self._hasher = None
        expected = self.source._hashes
        differing = [a for a in digests if a in expected and digests[a] != expected[a]]
        if differing:
            raise ImsTransportError('The bytes read from %s do not match the hashes it reports (%s).' % (
                self.source.description, ', '.join('%s %s, reported %s' % (a.upper(), digests[a], expected[a])
                                                   for a in sorted(differing))))
        self.digests = digests

    def close(self):
        if self._hasher is not None:
            self._hasher.abandon()
            self._hasher = None
        closer = getattr(self._stream, 'close', None)
        if closer is not None:
            closer()


class _StreamBody:
    """The body of one streamed PUT of a stream: it can be sent once. A resend (after a 401, a retry) needs the
    bytes again, which a stream no longer has: it fails clearly, and a re-run of the task starts over."""

    def __init__(self, source, algorithms):
        self.source = source
        self.algorithms = algorithms
        self.size = source.size
        self.sent = 0
        self.digests = None
        self.attempts = 0

    def __len__(self):
        return self.size

    def __iter__(self):
        self.attempts += 1
        reader = self.source.open(self.algorithms)
        try:
            # One chunk read ahead: the last one goes out only once the reader has checked the size and the MD5 at
            # the stream's end, so a service never receives the whole body of a stream that is not its source's.
            chunk = reader.read(_streams.CHUNK)
            while chunk:
                following = reader.read(_streams.CHUNK)
                self.sent += len(chunk)
                yield chunk
                chunk = following
            self.digests = reader.digests
        finally:
            if self.digests is None:
                reader.close()


def source_of(task):
    """The task's source: ``task.source`` when a caller set one, else the file ``src`` of ims_image_upload."""
    source = getattr(task, 'source', None)
    return source if source is not None else FileSource(task.params['src'])


@contextlib.contextmanager
def transfer_input(source, algorithms=('md5',)):
    """What ``_core.transfer.upload`` takes for ``source``: ``path`` (a file's, read by range as the parts are sent), or
    the source's description with ``stream`` (its one reader, read in order, closed after the upload)."""
    if not source.sequential:
        yield dict(path=source.path, stream=None)
        return
    reader = source.open(algorithms)
    try:
        yield dict(path=source.description, stream=reader)
    finally:
        reader.close()
