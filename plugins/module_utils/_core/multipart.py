# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A resumable S3 multipart upload of one local file, for any S3-compatible object storage.

Provider-neutral: it is given a boto3 S3 client, a bucket, a key and a file, and knows nothing of
the service that handed them out (CECloud's upload-prepare, Huawei's OBS staging, ...).

Resuming needs no local state: the unfinished multipart uploads of the key are found on the server
(``ListMultipartUploads``), so a re-run from another machine resumes too.  The parts stored there
(``ListParts``) are kept only when their size and ETag equal the MD5 of the same byte range of the
local file; every other part is sent again, never trusted.  The part size of the earlier attempt is
read from its stored parts, so the ranges line up whatever part size the re-run asks for.  Unfinished
uploads of the key that cannot be resumed are aborted, so no orphaned parts keep costing storage.

Each byte is read from the file once, by the part that sends it, and hashed once (docs/api-notes.md,
"One digest per byte"): the file's MD5 is fed in order by the parts' readers (``InOrderDigest``, which
holds at most HASH_AHEAD bytes read ahead), and the caller's service compares it with its own MD5 of
the object.  Where no service checks the object, ``check_parts`` has each part's MD5 computed on the
same read and compared with the ETag the object storage answers (its MD5 of what it stored): a part
that changed on the way is sent again.  There, with ``identify_by_parts``, the file's own MD5 is not
computed at all: the caller tells the file by its parts' MD5s (``part_md5s``, the multipart ETag's
input), so each byte is still hashed once.  Parts kept by a resume are read once too, to check them.

A stream (``stream``: another image's download, read once) is uploaded in order instead: each part is
read into memory and sent from that buffer while the next ones are read; at most ``max_concurrency``
parts are in flight, so memory is bounded by ``part_size x (max_concurrency + 1)`` (the parts in flight
and the one being read).  The stream's reader computes its MD5 as it passes (one digest per byte too);
a part's own MD5 is computed only where something compares it: a stored part of a resumed upload (kept
when it equals the ETag, else sent from the same buffer: the stream is never read twice) and
``check_parts``.  A part that botocore retries is resent from its buffer; a failure that would need
bytes already passed (a completion refused, the stream cut) fails the upload, which stays resumable.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import hashlib
import io
import os
import re
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - the modules report the missing boto3 before any upload
    BotoCoreError = ClientError = Exception

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError

MIB = 1024 * 1024
MIN_PART_SIZE = 5 * MIB         # S3's smallest part (all but the last)
MAX_PART_SIZE = 5120 * MIB      # S3's largest part
MAX_PARTS = 10000               # S3's limit on the number of parts of one upload
HASH_BUFFER = 4 * MIB
# How far the parts sent beside the one the file's MD5 waits for may be read ahead of it (held in memory: peak RSS).
HASH_AHEAD = 4 * MIB
READ_BLOCK = 1 * MIB            # what a part's reader reads from the file and hashes at a time
MD5_HEX = re.compile(r'[0-9a-f]{32}\Z')
PARTS_IDENTITY = re.compile(r'[0-9a-f]{32}-([1-9][0-9]{0,4})-([1-9][0-9]{0,3})\Z')
MASK = '********'
# What a server answers when it lacks ListMultipartUploads / ListParts, or forbids them to these keys.
LISTING_UNAVAILABLE_CODES = ('NotImplemented', 'AccessDenied', 'MethodNotAllowed', 'NotSupported', 'Unsupported')
LISTING_UNAVAILABLE_STATUSES = (403, 405, 501)
NO_SUCH_UPLOAD = 'NoSuchUpload'


def scrub(text, secrets):
    """``text`` with every secret value replaced by a mask."""
    text = str(text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def describe_s3_error(exc, secrets=()):
    """A secret-free, one-line cause of a boto3/botocore error."""
    if isinstance(exc, ClientError):
        error = exc.response.get('Error') or {}
        status = (exc.response.get('ResponseMetadata') or {}).get('HTTPStatusCode')
        text = 'S3 %s failed: %s%s%s' % (exc.operation_name, error.get('Code') or 'error',
                                         ' (HTTP %s)' % status if status else '',
                                         ': %s' % error.get('Message') if error.get('Message') else '')
    else:
        text = '%s: %s' % (type(exc).__name__, exc)
    return scrub(text, secrets)


def _error_code(exc):
    return str((exc.response.get('Error') or {}).get('Code') or '') if isinstance(exc, ClientError) else ''


def listing_unavailable(exc):
    """True when a listing call failed because the server lacks it or forbids it (not because it is down)."""
    if not isinstance(exc, ClientError):
        return False
    status = (exc.response.get('ResponseMetadata') or {}).get('HTTPStatusCode')
    return _error_code(exc) in LISTING_UNAVAILABLE_CODES or status in LISTING_UNAVAILABLE_STATUSES


# -- geometry --------------------------------------------------------------------

def part_count(size, part_size):
    """How many parts of ``part_size`` a file of ``size`` bytes takes (at least one)."""
    return max(1, (size + part_size - 1) // part_size)


def part_range(number, size, part_size):
    """(offset, length) of part ``number`` (1-based) of a file of ``size`` bytes."""
    offset = (number - 1) * part_size
    return offset, min(part_size, size - offset)


def fitting_part_size(size, part_size):
    """``part_size``, doubled until the file needs at most MAX_PARTS parts."""
    while part_count(size, part_size) > MAX_PARTS:
        part_size *= 2
    return part_size


def file_part_md5s(path, size, part_size):
    """The MD5 (hex) of each ``part_size`` range of a file of ``size`` bytes, in one read of it: what an upload with
    ``identify_by_parts`` tells the file by, computed for a file that is not being sent."""
    return [binascii.hexlify(md5_range(path, *part_range(n, size, part_size))).decode('ascii')
            for n in range(1, part_count(size, part_size) + 1)]


def plain_etag(etag):
    """An ETag without its quotes, lower case (``"0A1b"`` -> ``0a1b``)."""
    return (etag or '').strip().strip('"').lower()


def multipart_etag(part_md5s):
    """The ETag S3 gives an object completed from parts with these MD5s (hex): MD5 of their digests, ``-N``."""
    digest = hashlib.md5(b''.join(binascii.unhexlify(m) for m in part_md5s)).hexdigest()
    return '%s-%d' % (digest, len(part_md5s))


def parts_identity(part_md5s, part_size):
    """A file told by the MD5s of its ``part_size`` parts, in one short text: a file of one part by its MD5, a longer
    one by the ETag an object stored from those parts has, ``<MD5 of the parts' MD5s>-<parts>``, then ``-<part size in
    MiB>``, which a re-run needs to read the file the same way.  At most 32 + 1 + 5 + 1 + 4 = 43 characters."""
    if len(part_md5s) == 1:
        return part_md5s[0]
    return '%s-%d' % (multipart_etag(part_md5s), part_size // MIB)


def identity_parts(identity):
    """(parts, part size in bytes) of a ``parts_identity`` text of several parts; None for an MD5 (a whole file's) or
    a text that is no identity."""
    found = PARTS_IDENTITY.match(identity or '')
    return (int(found.group(1)), int(found.group(2)) * MIB) if found else None


class StoredUpload:
    """An unfinished multipart upload of the key, as the server lists it.

    ``parts`` maps a part number to (size, ETag); ``conflicting`` holds the numbers listed more than
    once with different ETags (a server may keep the replaced copy of a part beside the new one):
    which one a completion would take cannot be told, so those are sent again.
    """

    def __init__(self, upload_id, initiated=None, parts=()):
        self.upload_id = upload_id
        self.initiated = initiated
        self.parts = {}
        self.conflicting = set()
        for part in parts:
            number, entry = int(part['PartNumber']), (int(part['Size']), part['ETag'])
            if number in self.parts and plain_etag(self.parts[number][1]) != plain_etag(entry[1]):
                self.conflicting.add(number)
            self.parts[number] = entry


class ResumePlan:
    """How an upload of a file of ``size`` bytes resumes a StoredUpload: its ``part_size`` and the
    ``candidates`` (part number -> ETag) whose size fits the same range of the file; their MD5 is still
    to be checked against the file's bytes."""

    def __init__(self, stored, part_size, candidates, size):
        self.stored = stored
        self.part_size = part_size
        self.candidates = candidates
        self.bytes = sum(part_range(n, size, part_size)[1] for n in candidates)


def plan_resume(stored, size):
    """(ResumePlan, None) to resume ``stored`` for a file of ``size`` bytes, or (None, why it cannot be)."""
    if not stored.parts:
        return None, 'it holds no part'
    part_size = max(entry[0] for entry in stored.parts.values())
    count = part_count(size, part_size)
    if count > MAX_PARTS:
        return None, 'its part size (%d bytes) would need more than %d parts' % (part_size, MAX_PARTS)
    if count > 1 and part_size < MIN_PART_SIZE:
        return None, 'its part size (%d bytes) is below the 5 MiB minimum of a part' % part_size
    candidates = dict((n, etag) for n, (length, etag) in stored.parts.items()
                      if n <= count and n not in stored.conflicting and length == part_range(n, size, part_size)[1])
    if not candidates:
        return None, 'none of its parts has the size of the same range of the file (another file or part size)'
    return ResumePlan(stored, part_size, candidates, size), None


# -- reading the file ------------------------------------------------------------

class FileRange:
    """A read-only, seekable view of ``length`` bytes of a file from ``offset``: the body of one part,
    read from the file as it is sent (and re-read from its start when botocore retries)."""

    def __init__(self, path, offset, length):
        self._handle = open(path, 'rb')     # pylint: disable=consider-using-with
        self._offset = offset
        self._length = length
        self._position = 0
        self._handle.seek(offset)

    def read(self, amount=-1):
        left = self._length - self._position
        if amount is None or amount < 0 or amount > left:
            amount = left
        data = self._handle.read(amount) if amount else b''
        self._position += len(data)
        return data

    def seek(self, offset, whence=os.SEEK_SET):
        self._position = self._clamped(offset, whence)
        self._handle.seek(self._offset + self._position)
        return self._position

    def _clamped(self, offset, whence):
        if whence == os.SEEK_CUR:
            offset += self._position
        elif whence == os.SEEK_END:
            offset += self._length
        return min(max(offset, 0), self._length)

    def tell(self):
        return self._position

    def __len__(self):
        return self._length

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def md5_range(path, offset, length, stop=None):
    """MD5 digest (bytes) of ``length`` bytes of a file from ``offset``, read with one reusable buffer."""
    digest = hashlib.md5()
    buf = bytearray(min(HASH_BUFFER, max(length, 1)))
    view = memoryview(buf)
    with open(path, 'rb', buffering=0) as handle:
        handle.seek(offset)
        left = length
        while left > 0:
            if stop is not None and stop.is_set():
                return None
            count = handle.readinto(view[:min(left, len(buf))])
            if not count:
                raise IOError('%s is shorter than expected (it changed during the upload?)' % path)
            digest.update(view[:count])
            left -= count
    return digest.digest()


class _Stopped(Exception):
    """The upload is being stopped (another part failed): a part's reader gives up."""


class InOrderDigest:
    """The file's MD5, fed by the readers of its parts in whatever order they read, hashing each byte once.

    MD5 takes its bytes in order: a block read ahead of the hashed prefix is held (up to ``ahead``
    bytes) until the blocks before it arrive, and a reader that would hold more waits for them.  The
    reader of the part at the front never waits, and parts start in order (one pool, first in first
    out), so the front always moves.  A block read again (botocore resending a part) is not hashed again.
    """

    def __init__(self, size, ahead, stop):
        self.size = size
        self.ahead = ahead
        self.stop = stop
        self.digest = hashlib.md5()
        self.done = 0               # bytes hashed, from offset 0
        self.bytes_hashed = 0
        self._held = {}             # offset -> block read ahead of ``done``
        self._held_bytes = 0
        self._hashing = False
        self._cond = threading.Condition()

    def feed(self, offset, block):
        with self._cond:
            while offset > self.done and offset not in self._held and self._held_bytes + len(block) > self.ahead:
                if self.stop.is_set():
                    raise _Stopped()
                self._cond.wait(0.2)
            if offset < self.done or offset in self._held:
                return
            self._held[offset] = block
            self._held_bytes += len(block)
            if self._hashing or offset != self.done:
                return
            self._hashing = True
        self._hash_front()

    def _hash_front(self):
        """Hash the held blocks that continue the hashed prefix; one thread at a time, outside the lock."""
        while True:
            with self._cond:
                block = self._held.pop(self.done, None)
                if block is None:
                    self._hashing = False
                    self._cond.notify_all()
                    return
            self.digest.update(block)
            with self._cond:
                self.done += len(block)
                self.bytes_hashed += len(block)
                self._held_bytes -= len(block)
                self._cond.notify_all()

    def finish(self, path):
        """The file's MD5 (hex), reading only what no part's reader passed (a transport that never read a body)."""
        with self._cond:
            self._held.clear()
            self._held_bytes = 0
        if self.done < self.size:
            with open(path, 'rb') as handle:
                handle.seek(self.done)
                for block in iter(lambda: handle.read(HASH_BUFFER), b''):
                    block = block[:self.size - self.done]
                    self.digest.update(block)
                    self.done += len(block)
                    self.bytes_hashed += len(block)
                    if self.done >= self.size:
                        break
        if self.done != self.size:
            raise IOError('%s is shorter than expected (it changed during the upload?)' % path)
        return self.digest.hexdigest()


class PartReader(FileRange):
    """The body of one part, read from the file in blocks as it is sent: each block read once from the file is
    fed to the file's InOrderDigest (``whole``) and, with ``part_digest``, to the part's own MD5.

    Blocks lie on a fixed grid from the part's start, so a part read again (botocore resends a part from its
    start) yields the same blocks, which the InOrderDigest recognises; the part's MD5 starts over with it.
    """

    def __init__(self, path, offset, length, whole=None, part_digest=False, block_size=READ_BLOCK):
        super(PartReader, self).__init__(path, offset, length)
        self._whole = whole
        self._part_digest = part_digest
        self.md5 = hashlib.md5() if part_digest else None
        self._hashed_to = 0         # the part's MD5 covers [0, _hashed_to)
        self._block_size = block_size
        self._block_start = 0
        self._block = b''

    def read(self, amount=-1):
        left = self._length - self._position
        if amount is None or amount < 0 or amount > left:
            amount = left
        pieces = []
        while amount > 0:
            inside = self._position - self._block_start
            if not 0 <= inside < len(self._block):
                self._load(self._position - self._position % self._block_size)
                inside = self._position - self._block_start
            piece = self._block[inside:inside + amount]
            pieces.append(piece)
            self._position += len(piece)
            amount -= len(piece)
        return pieces[0] if len(pieces) == 1 else b''.join(pieces)

    def _load(self, start):
        self._handle.seek(self._offset + start)
        block = self._handle.read(min(self._block_size, self._length - start))
        if not block:
            raise IOError('%s is shorter than expected (it changed during the upload?)' % self._handle.name)
        self._block_start, self._block = start, block
        if self.md5 is not None:
            if start == 0 and self._hashed_to:
                self.md5, self._hashed_to = hashlib.md5(), 0
            if start == self._hashed_to:
                self.md5.update(block)
                self._hashed_to += len(block)
        if self._whole is not None:
            self._whole.feed(self._offset + start, block)

    def seek(self, offset, whence=os.SEEK_SET):
        self._position = self._clamped(offset, whence)     # the file is read block by block, from _load
        return self._position

    def read_all(self):
        """Read the part through (a stored part checked, or the rest of a part its sender left unread)."""
        while self.read(self._block_size):
            pass

    def hexdigest(self):
        """The part's MD5 (hex), once every byte of it was read; None otherwise."""
        return self.md5.hexdigest() if self.md5 is not None and self._hashed_to == self._length else None


class BufferPart(io.BytesIO):
    """The body of one part of a stream, held in memory (a BytesIO of bytes shares them: no copy), so a retry resends
    it from its start; ``md5``: the part's MD5 (hex) where something compares it, else None (PartReader's interface)."""

    def __init__(self, data, md5=None):
        super(BufferPart, self).__init__(data)
        self.md5 = md5

    def read_all(self):
        """Nothing to read: the stream's reader hashed these bytes as they passed."""

    def hexdigest(self):
        return self.md5


# -- the upload --------------------------------------------------------------------

class ResumableUpload:
    """Upload ``path`` to ``bucket``/``key`` with ``client`` (a boto3 S3 client), resuming what an
    earlier attempt left there.

    ``part_size`` (bytes) is the part of a new upload (grown to fit MAX_PARTS); a resumed upload keeps
    the part size of its earlier attempt.  ``resume=False`` aborts the unfinished uploads of the key
    and starts over.  ``progress(bytes_done, size)``, when given, is called as parts are sent or kept
    (from worker threads).  ``secrets`` are masked in every message.

    ``run()`` returns ``dict(upload_id, md5, bytes, bytes_sent, bytes_reused, parts_sent, parts_reused,
    resumed, part_size, seconds, warnings)``; ``upload_id`` is None for a file of one part sent in one PUT.
    It raises ImsTransportError, free of the secrets, with attributes ``upload_id``, ``resumable``
    and ``parts_stored``, ``bytes_stored``: with ``resume``, an unfinished upload holding stored parts is
    left for a re-run (``resumable``); any other is aborted.  ``check_parts``: compare each part's MD5 with
    the ETag the server answers (where nothing else checks the object's bytes).  ``identify_by_parts`` (with
    ``check_parts``, for a file): the file's MD5 is not computed (``md5`` is None), the caller tells the file by
    ``part_md5s`` (each part's MD5, in order; known whenever ``check_parts``), and an earlier upload is resumed
    only when its part size is a whole number of MiB (the identity names it in MiB).

    ``stream``, when given, is read once in order (``read(n)``; ``size`` required) and ``path`` only names it
    in messages; when it has ``digests`` at its end (an ``_upload_source`` reader), its MD5 is the upload's.
    """

    def __init__(self, client, bucket, key, path, size=None, part_size=16 * MIB, max_concurrency=4, resume=True,
                 progress=None, secrets=(), check_parts=False, stream=None, identify_by_parts=False):
        self.client = client
        self.bucket = bucket
        self.key = key
        self.path = path
        self.stream = stream
        self.size = os.path.getsize(path) if size is None else int(size)
        self.part_size = fitting_part_size(self.size, int(part_size))
        self.max_concurrency = max(1, int(max_concurrency))
        self.resume = resume
        self.progress = progress
        self.secrets = [s for s in secrets if s]
        self.warnings = []
        self.upload_id = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._etags = {}            # part number -> ETag of the part the completion names
        self._md5s = {}             # part number -> MD5 hex of that part
        self._unverified = 0        # stored parts not yet compared with the file (still on the server) ...
        self._unverified_bytes = 0  # ... and their bytes
        self.stats = dict(bytes_sent=0, bytes_reused=0, parts_sent=0, parts_reused=0)
        self.check_parts = check_parts
        self._content_md5 = False   # the server's ETags are no MD5s: parts go with their Content-MD5
        self._whole = None          # the file's InOrderDigest
        if identify_by_parts and not check_parts:
            raise ValueError('identify_by_parts needs check_parts: the parts\' MD5s are computed only to be checked')
        self.identify_by_parts = identify_by_parts and stream is None

    # -- entry point ---------------------------------------------------------------

    def run(self):
        started = time.time()
        try:
            plan = self._settle_earlier_uploads()
            if plan is None and self.size <= self.part_size:
                md5 = self._put_whole()
            elif self.stream is not None:
                md5 = self._multipart_stream(plan)
            else:
                md5 = self._multipart(plan)
        except (BotoCoreError, ClientError, EnvironmentError, ValueError, ImsError) as exc:
            raise self._failure(exc)
        md5s = [self._md5s.get(n) for n in range(1, part_count(self.size, self.part_size) + 1)]
        result = dict(self.stats, upload_id=self.upload_id, md5=md5, bytes=self.size, resumed=self.stats['parts_reused'] > 0,
                      part_size=self.part_size, seconds=max(time.time() - started, 1e-6), warnings=list(self.warnings),
                      part_md5s=md5s if all(md5s) else None)
        return result

    def _failure(self, exc):
        with self._lock:
            stored = len(self._etags) + self._unverified
            stored_bytes = self.stats['bytes_sent'] + self.stats['bytes_reused'] + self._unverified_bytes
        resumable = bool(self.resume and self.upload_id) and stored > 0
        cause = scrub(exc.message, self.secrets) if isinstance(exc, ImsError) else describe_s3_error(exc, self.secrets)
        if self.upload_id and not resumable:
            # Nothing a re-run would resume: free its parts now.
            trouble = self._abort(self.upload_id)
            outcome = 'was aborted' if trouble is None else (
                'could not be aborted (%s), its parts stay until the bucket\'s lifecycle rules remove them' % trouble)
            cause += '; its unfinished upload %s %s' % (self.upload_id, outcome)
        error = ImsTransportError('Uploading %s to object storage (bucket %s, key %s) failed: %s' % (
            self.path, self.bucket, self.key, cause))
        error.upload_id = self.upload_id
        error.parts_stored = stored
        error.bytes_stored = stored_bytes
        error.resumable = resumable
        return error

    # -- earlier attempts ---------------------------------------------------------------

    def _settle_earlier_uploads(self):
        """The ResumePlan of the best unfinished upload of the key (None: start over); aborts every other one."""
        found = self._unfinished_uploads()
        if not found:
            return None
        plans = []
        if self.resume:
            for stored in found:
                plan, why = plan_resume(stored, self.size)
                if plan is not None and self.identify_by_parts and plan.part_size % MIB:
                    plan, why = None, 'its part size (%d bytes) is no whole number of MiB, which names the parts the ' \
                                      'file is told by' % plan.part_size
                if plan is None:
                    self.warnings.append('The unfinished upload %s of %s cannot be resumed (%s): it was aborted.'
                                         % (stored.upload_id, self.key, why))
                else:
                    plans.append(plan)
        if len(plans) > 1:
            # Which one holds this file: its first candidate part tells (one part read per upload), then the
            # most bytes to reuse, then the newest. A lone upload is checked part by part as it resumes.
            # A stream's first part cannot be read ahead: the most bytes to reuse, then the newest.
            plans.sort(key=lambda p: (self.stream is None and self._first_part_matches(p), p.bytes,
                                      str(p.stored.initiated or '')), reverse=True)
        chosen = plans[0] if plans else None
        for stored in found:
            if chosen is None or stored is not chosen.stored:
                self._abort(stored.upload_id)
        return chosen

    def _first_part_matches(self, plan):
        number = min(plan.candidates)
        offset, length = part_range(number, self.size, plan.part_size)
        return plain_etag(plan.candidates[number]) == binascii.hexlify(md5_range(self.path, offset, length)).decode('ascii')

    def _unfinished_uploads(self):
        """StoredUpload of each unfinished upload of exactly this key, with its parts; [] when the server cannot tell.

        The look-up only serves resuming, so no failure of it fails the upload: it warns and starts from byte 0."""
        try:
            uploads = [u for page in self.client.get_paginator('list_multipart_uploads').paginate(
                Bucket=self.bucket, Prefix=self.key) for u in page.get('Uploads') or []
                if u.get('Key') == self.key and u.get('UploadId')]
        except (BotoCoreError, ClientError) as exc:
            # Some servers (rclone's serve s3) answer NoSuchUpload when no upload is unfinished: none (docs/api-notes.md).
            if _error_code(exc) != NO_SUCH_UPLOAD:
                self.warnings.append(
                    'The object storage cannot list the unfinished uploads of %s (%s), so the upload starts over from byte 0; '
                    'an unfinished upload of an earlier attempt, if there is one, is left to the bucket\'s lifecycle rules.'
                    % (self.key, describe_s3_error(exc, self.secrets)))
            return []
        found = []
        for upload in uploads:
            if not self.resume:
                found.append(StoredUpload(upload['UploadId'], upload.get('Initiated')))
                continue
            try:
                parts = [p for page in self.client.get_paginator('list_parts').paginate(
                    Bucket=self.bucket, Key=self.key, UploadId=upload['UploadId']) for p in page.get('Parts') or []]
            except (BotoCoreError, ClientError) as exc:
                if _error_code(exc) == NO_SUCH_UPLOAD:
                    continue        # finished or aborted meanwhile
                cause = describe_s3_error(exc, self.secrets)
                if not listing_unavailable(exc):
                    # Perhaps a passing trouble: the upload stays for a later run to resume.
                    self.warnings.append('Listing the parts of the unfinished upload %s of %s failed (%s): it is left as it is, '
                                         'not resumed.' % (upload['UploadId'], self.key, cause))
                    continue
                self.warnings.append('The object storage cannot list the parts of the unfinished upload %s of %s (%s): '
                                     'it was aborted and the upload starts over from byte 0.' % (
                                         upload['UploadId'], self.key, cause))
                parts = []
            found.append(StoredUpload(upload['UploadId'], upload.get('Initiated'), parts))
        return found

    def _abort(self, upload_id):
        """Abort an unfinished upload of the key; returns None, or why it failed (also kept as a warning)."""
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=upload_id)
        except (BotoCoreError, ClientError) as exc:
            if _error_code(exc) == NO_SUCH_UPLOAD:
                return None
            trouble = describe_s3_error(exc, self.secrets)
            self.warnings.append('Aborting the unfinished upload %s of %s failed (%s); its parts stay until the '
                                 'bucket\'s lifecycle rules remove them.' % (upload_id, self.key, trouble))
            return trouble
        return None

    # -- sending ---------------------------------------------------------------------------------

    def _put_whole(self):
        """A file (or stream) of one part: one PutObject."""
        if self.stream is not None:
            data = self._read_part(self.size)
            md5 = self._read_end()
            self._send_part(1, data)
            return md5
        if self.identify_by_parts:
            self._send_part(1)
            return None
        self._whole = InOrderDigest(self.size, self.size, self._stop)
        self._send_part(1)
        return self._whole.finish(self.path)

    def _begin(self, plan):
        """Resume ``plan``'s upload, or create one; returns (the stored parts still to check, the number of parts)."""
        candidates = {}
        if plan is not None:
            self.upload_id = plan.stored.upload_id
            self.part_size = plan.part_size
            candidates = plan.candidates
        else:
            self.upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)['UploadId']
        self._unverified = len(candidates)
        self._unverified_bytes = sum(part_range(n, self.size, self.part_size)[1] for n in candidates)
        return candidates, part_count(self.size, self.part_size)

    def _multipart(self, plan):
        candidates, count = self._begin(plan)
        if not self.identify_by_parts:
            self._whole = InOrderDigest(self.size, min(HASH_AHEAD, (self.max_concurrency - 1) * self.part_size), self._stop)
        with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            # In part order: the reader of the part the file's MD5 waits for is always among the running ones.
            futures = [pool.submit(self._check_stored, n, candidates[n]) if n in candidates else pool.submit(self._send_part, n)
                       for n in range(1, count + 1)]
            try:
                self._wait(futures)
            except BaseException:
                self._abandon(futures)
                raise
        md5 = self._whole.finish(self.path) if self._whole is not None else None
        self._complete(count, md5)
        return md5

    def _multipart_stream(self, plan):
        """The parts of the stream in order, each sent (or kept) as soon as it is read; at most max_concurrency in flight."""
        candidates, count = self._begin(plan)
        in_flight = threading.BoundedSemaphore(self.max_concurrency)
        futures = []
        with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            try:
                for number in range(1, count + 1):
                    data = self._read_part(part_range(number, self.size, self.part_size)[1])
                    md5 = None
                    if number in candidates:
                        # The only second digest of these bytes: a stored part is kept by its MD5 alone.
                        md5 = hashlib.md5(data).hexdigest()
                        if self._kept(number, candidates[number], md5):
                            continue
                    while not in_flight.acquire(timeout=0.2):
                        self._raise_failed(futures)
                    self._raise_failed(futures)
                    future = pool.submit(self._send_part, number, data, md5)
                    future.add_done_callback(lambda done: in_flight.release())
                    futures.append(future)
                md5 = self._read_end()
                wait(list(futures))
                self._raise_failed(futures)
            except BaseException:
                self._abandon(futures)
                raise
        self._complete(count, md5)
        return md5

    def _abandon(self, futures):
        """After a failure: no part not yet started is sent (those in flight end, and stay stored for a re-run)."""
        self._stop.set()
        for future in futures:
            future.cancel()

    def _read_part(self, length):
        """The next ``length`` bytes of the stream (its reader raises when it ends before)."""
        chunks = []
        left = length
        while left > 0:
            data = self.stream.read(min(left, HASH_BUFFER))
            if not data:
                raise ImsTransportError('%s ended %d bytes before its %d bytes.' % (self.path, left, self.size))
            chunks.append(data)
            left -= len(data)
        return chunks[0] if len(chunks) == 1 else b''.join(chunks)

    def _read_end(self):
        """Read the stream to its end (where its reader checks the size and digests); returns its MD5."""
        if self.stream.read(HASH_BUFFER):
            raise ImsTransportError('%s has more than its %d bytes.' % (self.path, self.size))
        md5 = (getattr(self.stream, 'digests', None) or {}).get('md5')
        if md5 is None:
            # A plain stream carries no digest: the parts' MD5s cannot give the whole one, so the bytes say it.
            raise ImsTransportError('%s gave no MD5 of its bytes.' % self.path)
        return md5

    def _wait(self, futures):
        """Until every part is stored or kept; the first failure is raised."""
        done, dummy = wait(futures, return_when=FIRST_EXCEPTION)
        self._raise_failed(done)
        wait(futures)
        self._raise_failed(futures)

    @staticmethod
    def _raise_failed(futures):
        for future in list(futures):
            if future.done() and not future.cancelled() and future.exception() is not None:
                raise future.exception()

    def _check_stored(self, number, etag):
        """Keep a stored part whose ETag is the MD5 of the file's range (read once, for the file's MD5 too); else send it."""
        offset, length = part_range(number, self.size, self.part_size)
        try:
            with PartReader(self.path, offset, length, self._whole, part_digest=True) as reader:
                reader.read_all()
                md5 = reader.hexdigest()
        except _Stopped:
            return
        if not self._kept(number, etag, md5):
            self._send_part(number)

    def _kept(self, number, etag, md5):
        """Keep stored part ``number`` when its ETag is ``md5``, the MD5 of the same bytes here; True when kept."""
        length = part_range(number, self.size, self.part_size)[1]
        with self._lock:
            self._unverified -= 1
            self._unverified_bytes -= length
        if plain_etag(etag) != md5:
            return False
        self._keep(number, etag, md5, length)
        return True

    def _keep(self, number, etag, md5, length):
        with self._lock:
            self._etags[number] = etag
            self._md5s[number] = md5
            self.stats['parts_reused'] += 1
            self.stats['bytes_reused'] += length
        self._report()

    def _send_part(self, number, data=None, md5=None):
        """Send part ``number`` (the whole file in one PutObject before a multipart upload exists), read once:
        from the file's range, or from ``data``, a stream's part held in memory (``md5``: its MD5, when known).

        With ``check_parts`` the part's MD5, computed on the read that sends it, must be the ETag the
        server answers (the MD5 of what it stored): a part that differs is sent once more, then fails.
        Where the server's ETags are no MD5s, the parts are hashed before they are sent and go with
        their ``Content-MD5`` instead (docs/api-notes.md, "One digest per byte").
        """
        offset, length = part_range(number, self.size, self.part_size)
        for attempt in (1, 2):
            if self._stop.is_set():
                return
            extra, sent_md5 = {}, None
            if data is not None and md5 is None and (self.check_parts or self._content_md5):
                md5 = hashlib.md5(data).hexdigest()
            if self._content_md5:
                digest = binascii.unhexlify(md5) if data is not None else md5_range(self.path, offset, length, self._stop)
                if digest is None:
                    return
                extra['ContentMD5'] = base64.b64encode(digest).decode('ascii')
                sent_md5 = binascii.hexlify(digest).decode('ascii')
            try:
                with self._part_body(offset, length, data, md5) as body:
                    if self.upload_id is None:
                        reply = self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body, ContentLength=length,
                                                       **extra)
                    else:
                        reply = self.client.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                                        PartNumber=number, Body=body, ContentLength=length, **extra)
                    body.read_all()     # what a transport left unread still counts for the file's MD5
                    part_md5 = body.hexdigest() or sent_md5
            except _Stopped:
                return
            etag = plain_etag(reply.get('ETag'))
            if self.check_parts and not extra:
                if not MD5_HEX.match(etag):
                    with self._lock:
                        self._content_md5 = True
                    continue
                if etag != part_md5:
                    if attempt == 1:
                        continue
                    raise ValueError('the object storage stored part %d (bytes %d to %d) with MD5 %s twice, but the file\'s '
                                     'bytes have MD5 %s: they changed on the way'
                                     % (number, offset, offset + length - 1, etag, part_md5))
            with self._lock:
                self._etags[number] = reply.get('ETag')
                if part_md5:
                    self._md5s[number] = part_md5
            self._count_sent(length)
            return

    def _part_body(self, offset, length, data, md5):
        """A part's body: its buffer (a stream's part, resent from the start by a retry), or the file's range, read once
        (hashed for the file's MD5 and, with ``check_parts``, for the part's)."""
        if data is not None:
            return BufferPart(data, md5)
        return PartReader(self.path, offset, length, self._whole, part_digest=self.check_parts)

    def _count_sent(self, length):
        with self._lock:
            self.stats['parts_sent'] += 1
            self.stats['bytes_sent'] += length
        self._report()

    def _report(self):
        if self.progress is not None:
            self.progress(self.stats['bytes_sent'] + self.stats['bytes_reused'], self.size)

    def _complete(self, count, md5):
        parts = [dict(PartNumber=n, ETag=self._etags[n]) for n in range(1, count + 1)]
        try:
            self.client.complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                                  MultipartUpload=dict(Parts=parts))
        except ClientError as exc:
            # A completion whose reply was lost and that botocore sent again finds the upload gone:
            # the object tells whether the first one went through.
            if _error_code(exc) != NO_SUCH_UPLOAD or not self._completed_already(count, md5):
                raise

    def _completed_already(self, count, md5):
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key)
        except ClientError:
            return False
        # Most servers give the object its multipart ETag; rclone's serve s3 the MD5 of its bytes (docs/api-notes.md).
        # Without the parts' own MD5s (not computed where the service checks the file's), their ETags stand for them.
        md5s = [self._md5s.get(n) or plain_etag(self._etags[n]) for n in range(1, count + 1)]
        expected = (multipart_etag(md5s) if all(MD5_HEX.match(m) for m in md5s) else None, md5)
        return int(head.get('ContentLength') or -1) == self.size and plain_etag(head.get('ETag')) in expected
