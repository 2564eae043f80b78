# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One read of a byte stream handed to several readers, with bounded memory and one digest pass.

Replicating an image to N targets must read the source image once (its download is the slow, billed
part), so ``Fanout`` reads the source stream in one thread (the pump) and hands every chunk to N
``FanoutReader``\\ s, each consumed by one target's sender in its own thread.

* Memory is bounded: at most ``window`` chunks of ``chunk_size`` are held. The pump waits while the
  slowest attached reader is ``window`` chunks behind, so the slowest target sets the pace (no target
  can get ahead of the others by more than the window, and nothing piles up in memory).
* A reader that is closed (its target needs no bytes, or failed and closed it) is detached: the pump no
  longer waits for it, the others go on. A reader that is never read and never closed holds the source
  back once the window is full: a caller makes readers only for the targets it runs at the same time.
* The digests (MD5 by default, the one hash every provider reports) are computed once, by the pump,
  as the bytes pass; every reader shows them (``digests``) once it has read the whole stream.
* An error of the source (a cut download, fewer bytes than announced) reaches every attached reader
  at the point it has read up to, so each target fails clearly and none completes with missing bytes.

``staging='disk'`` reads the whole stream into a temporary file in ``staging_dir`` first (for users who
prefer disk to memory, or whose targets run one after the other); ``path`` is then that file, read by
each target like a local file, and ``close()`` removes it.

Threads only (the modules run without an event loop). Nothing here knows Ansible; errors are ImsError.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import tempfile
import threading

from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import (
    ImsError, ImsTransportError, ImsValidationError)

CHUNK = _streams.CHUNK
# Chunks held at most: memory = (WINDOW + 1) x CHUNK (the window, and the chunk the pump has read and waits to add),
# plus at most one chunk being handed out per reader; 17 MiB for one reader, 20 MiB for three.
WINDOW = 16
STAGINGS = ('memory', 'disk')


class FanoutReader:
    """One consumer's view of the fanned-out stream: ``read(n)``, ``close()``; ``digests`` once read to the end."""

    def __init__(self, fanout, index):
        self._fanout = fanout
        self.index = index
        self.position = 0           # the number of the next chunk to take
        self.offset = 0             # bytes handed out
        self.detached = False
        self._pending = b''
        self.digests = None
        self.algorithms = fanout.algorithms

    def read(self, amount=-1):
        """Up to ``amount`` bytes, at most one chunk's worth (everything left with -1); b'' at the end.

        Raises the source's error once this reader has taken every byte read before it broke.
        """
        if amount is None or amount < 0:
            return b''.join(iter(lambda: self.read(self._fanout.chunk_size), b''))
        if not self._pending and amount:
            chunk = self._fanout._take(self)
            if chunk is None:
                self.digests = self._fanout.digests
                return b''
            self._pending = chunk
        data, self._pending = self._pending[:amount], self._pending[amount:]
        self.offset += len(data)
        return data

    def close(self):
        """Detach: the source no longer waits for this reader (a target that failed or needs no bytes)."""
        self._fanout._detach(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Fanout:
    """Read ``stream`` (an object with ``read(n)``, e.g. a download's ``raw``) once for ``count`` readers.

    ``size``, when given, is the number of bytes the stream must have (fewer or more is an error every
    reader sees). ``algorithms``: the digests computed as the bytes pass. ``description`` names the stream
    in messages. ``staging``: ``memory`` (readers over a bounded window) or ``disk`` (a temporary file in
    ``staging_dir``, ``path``). Use as a context manager, or call ``start()`` and ``close()``.
    """

    def __init__(self, stream, count, size=None, algorithms=('md5',), description='the source stream',
                 chunk_size=CHUNK, window=WINDOW, staging='memory', staging_dir=None):
        if staging not in STAGINGS:
            raise ImsValidationError('staging must be one of %s; got %s.' % (', '.join(STAGINGS), staging))
        if staging == 'disk' and staging_dir is not None and not os.path.isdir(staging_dir):
            raise ImsValidationError('staging_dir %s is not a folder.' % staging_dir)
        self.stream = stream
        self.size = size
        self.algorithms = tuple(algorithms)
        self.description = description
        self.chunk_size = int(chunk_size)
        self.window = max(1, int(window))
        self.staging = staging
        self.staging_dir = staging_dir
        self.path = None
        self.digests = None
        self.error = None
        self.bytes_read = 0         # bytes read from the source: the figure a replication reports
        self.peak_chunks = 0        # the most chunks held at once (a test checks the bound)
        self.held_back = False      # the pump waits for the slowest reader (holding one chunk more, read ahead)
        self.readers = [FanoutReader(self, i) for i in range(count)] if staging == 'memory' else []
        self._chunks = {}           # chunk number -> bytes, for the chunks some attached reader still needs
        self._produced = 0          # chunks read from the source so far
        self._ended = False
        self._cond = threading.Condition()
        self._thread = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self):
        """Memory: start the pump thread. Disk: read the whole stream into the staged file now (raises its error)."""
        if self.staging == 'disk':
            self._spool()
        elif self._thread is None:
            self._thread = threading.Thread(target=self._pump, name='ims-fanout')
            self._thread.daemon = True
            self._thread.start()
        return self

    def close(self):
        """Detach every reader, stop the pump, close the stream, remove the staged file."""
        for reader in self.readers:
            self._detach(reader)
        if self._thread is not None:
            self._thread.join()
        if self.path is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            self.path = None
        closer = getattr(self.stream, 'close', None)
        if closer is not None:
            closer()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False

    # -- the pump -----------------------------------------------------------------------------

    def _attached(self):
        return [r for r in self.readers if not r.detached]

    def _pump(self):
        hasher = _streams.DigestThread(self.algorithms)
        hasher.start()
        finished = False
        try:
            for chunk in self._source_chunks():
                with self._cond:
                    while True:
                        attached = self._attached()
                        if not attached:
                            return      # nobody reads any more: stop reading the source
                        if self._produced - min(r.position for r in attached) < self.window:
                            break
                        self.held_back = True
                        self._cond.wait()
                    self.held_back = False
                    hasher.feed(chunk)
                    self._chunks[self._produced] = chunk
                    self._produced += 1
                    self.peak_chunks = max(self.peak_chunks, len(self._chunks))
                    self._cond.notify_all()
            digests = hasher.finish()
            finished = True
            with self._cond:
                self.digests = digests
                self._ended = True
                self._cond.notify_all()
        except ImsError as exc:
            with self._cond:
                self.error = exc
                self._cond.notify_all()
        finally:
            if not finished:
                hasher.abandon()

    def _source_chunks(self):
        """The stream's chunks; ImsTransportError when it ends before (or goes past) ``size``."""
        while True:
            try:
                chunk = self.stream.read(self.chunk_size)
            except ImsError:
                raise
            except Exception as exc:  # pylint: disable=broad-except
                # A download cut mid-body raises one of several unrelated classes (urllib3, requests, socket).
                raise ImsTransportError('Reading %s failed: %s: %s' % (self.description, type(exc).__name__, exc))
            if not chunk:
                break
            self.bytes_read += len(chunk)
            if self.size is not None and self.bytes_read > self.size:
                raise ImsTransportError('%s has more than the %d bytes announced.' % (self.description, self.size))
            yield chunk
        if self.size is not None and self.bytes_read != self.size:
            raise ImsTransportError('%s ended after %d of its %d bytes.' % (self.description, self.bytes_read, self.size))

    def _take(self, reader):
        """The reader's next chunk, waiting for the pump; None at the end; raises the source's error."""
        with self._cond:
            while True:
                if reader.detached:
                    raise ImsError('This reader of %s was closed.' % self.description)
                if reader.position in self._chunks:
                    chunk = self._chunks[reader.position]
                    reader.position += 1
                    self._release()
                    return chunk
                if self.error is not None:
                    # One exception per reader: each target's sender adds its own notes to the message.
                    raise ImsTransportError(self.error.message)
                if self._ended:
                    return None
                self._cond.wait()

    def _detach(self, reader):
        with self._cond:
            reader.detached = True
            self._release()

    def _release(self):
        """Drop the chunks every attached reader has passed; wake the pump (called with the lock held)."""
        attached = self._attached()
        low = min(r.position for r in attached) if attached else self._produced
        for number in [n for n in self._chunks if n < low]:
            del self._chunks[number]
        self._cond.notify_all()

    # -- disk staging -------------------------------------------------------------------------

    def _spool(self):
        """The whole stream into a temporary file of ``staging_dir``, hashed as it is written."""
        fd, path = tempfile.mkstemp(prefix='.ims-staged.', suffix='.part', dir=self.staging_dir)
        self.path = path
        hasher = _streams.DigestThread(self.algorithms)
        hasher.start()
        finished = False
        try:
            with os.fdopen(fd, 'wb') as handle:
                for chunk in self._source_chunks():
                    handle.write(chunk)
                    hasher.feed(chunk)
            self.digests = hasher.finish()
            finished = True
        except EnvironmentError as exc:
            self.close()
            raise ImsError('Staging %s in %s failed: %s' % (self.description, self.staging_dir or tempfile.gettempdir(), exc))
        except BaseException:
            self.close()
            raise
        finally:
            if not finished:
                hasher.abandon()
