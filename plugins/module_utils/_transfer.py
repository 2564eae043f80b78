# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Moving image files: S3 multipart upload with boto3, streaming download, MD5 beside the transfer.

Memory stays flat whatever the file size: the upload (``_multipart.ResumableUpload``: resumable,
at most ``max_concurrency`` parts in flight) reads parts from the file as it sends them, and the MD5
is computed by a thread that reads the file beside the transfer, so it costs no second pass of wall time.
The download writes to a temporary file in the destination's folder while a thread hashes the
chunks, and renames it over the destination only once size and MD5 match.

Nothing here knows Ansible; errors are ImsError whose messages never hold the temporary keys.
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

try:
    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config
    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = exc

from ansible_collections.cecloud.ims.plugins.module_utils._errors import ImsError, ImsTransportError, ImsValidationError
# describe_s3_error is re-exported: callers of this module describe S3 errors with it.
from ansible_collections.cecloud.ims.plugins.module_utils._multipart import (  # noqa: F401  pylint: disable=unused-import
    ResumableUpload, describe_s3_error, fitting_part_size)

MIB = 1024 * 1024
# Tuned with tests/bench/bench_transfer.py (see the README's performance section).
DEFAULT_PART_SIZE_MB = 16
DEFAULT_MAX_CONCURRENCY = 4
MIN_PART_SIZE_MB = 5            # S3's smallest multipart part
MAX_PART_SIZE_MB = 5120         # S3's largest part
MAX_CONCURRENCY = 64
HASH_BUFFER = 4 * MIB
DOWNLOAD_CHUNK = 1 * MIB
DOWNLOAD_QUEUE = 16             # chunks waiting for the hashing thread: bounds the download's memory
# SigV4 needs a region name; S3-compatible object stores of private clouds accept this one.
S3_SIGNING_REGION = 'us-east-1'
QCOW2_MAGIC = b'QFI\xfb'


# -- local files ---------------------------------------------------------------

def check_source(path):
    """The size of ``path``, a readable regular file; ImsValidationError otherwise (before any request)."""
    if not os.path.exists(path):
        raise ImsValidationError('src %s does not exist.' % path)
    if os.path.isdir(path):
        raise ImsValidationError('src %s is a directory; give the path of an image file.' % path)
    if not os.path.isfile(path):
        raise ImsValidationError('src %s is not a regular file (a device, FIFO or socket cannot be uploaded: '
                                 'its size is not known in advance).' % path)
    try:
        with open(path, 'rb') as handle:
            handle.read(1)
    except (IOError, OSError) as exc:
        raise ImsValidationError('src %s cannot be read: %s.' % (path, exc.strerror or exc))
    size = os.path.getsize(path)
    if size == 0:
        raise ImsValidationError('src %s is empty.' % path)
    return size


def detect_disk_format(path):
    """``qcow2`` when the file starts with the qcow2 magic (``QFI\\xfb``), else ``raw``."""
    with open(path, 'rb') as handle:
        return 'qcow2' if handle.read(4) == QCOW2_MAGIC else 'raw'


def md5_file(path, stop=None):
    """MD5 (hex) of a file, read with one reusable buffer."""
    digest = hashlib.md5()
    buf = bytearray(HASH_BUFFER)
    view = memoryview(buf)
    with open(path, 'rb', buffering=0) as handle:
        while True:
            if stop is not None and stop.is_set():
                return None
            count = handle.readinto(buf)
            if not count:
                break
            digest.update(view[:count])
    return digest.hexdigest()


# -- S3 upload -----------------------------------------------------------------

def s3_verify(validate_certs, ca_path, s3_validate_certs=None, s3_ca_path=None):
    """boto3's ``verify``: the S3 options when set, else the IMS endpoint's."""
    if s3_ca_path:
        return s3_ca_path
    if s3_validate_certs is not None:
        return None if s3_validate_certs else False
    if ca_path:
        return ca_path
    return None if validate_certs else False


def normalize_endpoint(domain, default_scheme='https'):
    """The S3 endpoint URL for the ``domain`` the service returned (it may lack a scheme)."""
    domain = (domain or '').strip()
    if not domain:
        raise ImsError('The service returned no object-storage domain for the upload.')
    if '://' not in domain:
        domain = '%s://%s' % (default_scheme, domain)
    return domain.rstrip('/')


def transfer_config(part_size_mb=DEFAULT_PART_SIZE_MB, max_concurrency=DEFAULT_MAX_CONCURRENCY, size=None):
    """The TransferConfig of an upload; the part grows when the file would need more than 10000 parts."""
    part = fitting_part_size(size, int(part_size_mb) * MIB) if size else int(part_size_mb) * MIB
    return TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=int(max_concurrency),
                          use_threads=True)


def make_s3_client(endpoint, access_key, secret_key, session_token=None, verify=None, timeout=60,
                   max_concurrency=DEFAULT_MAX_CONCURRENCY, retries=3):
    """A path-style, SigV4 S3 client (the domain can be an IP address, so no virtual-host buckets)."""
    settings = dict(signature_version='s3v4', s3={'addressing_style': 'path'}, connect_timeout=min(float(timeout), 10.0),
                    read_timeout=float(timeout), max_pool_connections=max(10, int(max_concurrency) + 2),
                    retries={'max_attempts': max(1, int(retries)), 'mode': 'standard'})
    try:
        # Each part carries its Content-MD5; botocore >= 1.36 would add CRC32 checksums (aws-chunked
        # bodies) that many S3-compatible object stores refuse, so only where an operation requires one.
        config = Config(request_checksum_calculation='when_required', response_checksum_validation='when_required',
                        **settings)
    except TypeError:   # botocore older than 1.36 knows neither setting and adds no such checksum
        config = Config(**settings)
    session = boto3.session.Session()
    return session.client('s3', endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                          aws_session_token=session_token or None, region_name=S3_SIGNING_REGION, verify=verify,
                          config=config)


def upload(path, target, size=None, part_size_mb=DEFAULT_PART_SIZE_MB, max_concurrency=DEFAULT_MAX_CONCURRENCY,
           verify=None, timeout=60, retries=3, client=None, resume=True):
    """Upload ``path`` to ``target`` (``endpoint``, ``bucket``, ``key``, ``access_key``, ``secret_key``,
    ``session_token``) and hash it meanwhile, resuming an unfinished upload of the key (see ResumableUpload).

    Returns ResumableUpload.run()'s dict.  Raises ImsTransportError, free of the keys, carrying
    ``upload_id``, ``resumable``, ``parts_stored`` and ``bytes_stored`` as attributes.
    """
    secrets = [target.get('access_key'), target.get('secret_key'), target.get('session_token')]
    if client is None:
        client = make_s3_client(normalize_endpoint(target.get('endpoint')), target.get('access_key'),
                                target.get('secret_key'), target.get('session_token'), verify=verify, timeout=timeout,
                                max_concurrency=max_concurrency, retries=retries)
    return ResumableUpload(client, target['bucket'], target['key'], path, size=size, part_size=int(part_size_mb) * MIB,
                           max_concurrency=max_concurrency, resume=resume, secrets=secrets).run()


# -- download ------------------------------------------------------------------

class _ChunkHasher(threading.Thread):
    """Hashes the chunks a download hands over through a bounded queue (memory: DOWNLOAD_QUEUE chunks)."""

    def __init__(self):
        super(_ChunkHasher, self).__init__(name='ims-md5')
        self.daemon = True
        self.queue = queue.Queue(DOWNLOAD_QUEUE)
        self.digest = hashlib.md5()

    def run(self):
        while True:
            chunk = self.queue.get()
            if chunk is None:
                return
            self.digest.update(chunk)

    def finish(self):
        self.queue.put(None)
        self.join()
        return self.digest.hexdigest()

    def abandon(self):
        while True:
            try:
                self.queue.get_nowait()
            except queue.Empty:
                break
        self.queue.put(None)
        self.join()


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


def download(chunks, dest, expected_md5=None, expected_size=None, mode=None):
    """Write the byte chunks of ``chunks`` to ``dest`` atomically, hashing them beside the writes.

    The bytes go to a temporary file in ``dest``'s folder, which replaces ``dest`` only when the size
    and MD5 match the expected ones; on any failure or interruption the temporary file is removed and
    ``dest`` is left as it was.  Returns ``dict(md5, bytes, seconds)``.
    """
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise ImsValidationError('The folder of dest %s does not exist: create it first.' % dest)
    started = time.time()
    fd, temp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), suffix='.part', dir=folder)
    hasher = _ChunkHasher()
    hasher.start()
    done = False
    try:
        with _TermAsExit():
            count = 0
            with os.fdopen(fd, 'wb') as handle:
                for chunk in chunks:
                    if not chunk:
                        continue
                    handle.write(chunk)
                    hasher.queue.put(chunk)
                    count += len(chunk)
                handle.flush()
            md5 = hasher.finish()
            done = True
            if expected_size is not None and count != int(expected_size):
                raise ImsTransportError('The download of %s was cut short or too long: received %d bytes, the image has %s; '
                                        '%s was left as it was.' % (dest, count, expected_size, dest))
            if expected_md5 and md5 != expected_md5.lower():
                raise ImsTransportError('The downloaded bytes do not match the image checksum (MD5 %s, expected %s); '
                                        '%s was left as it was.' % (md5, expected_md5, dest))
            if mode is None:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(temp, mode)
            os.replace(temp, dest)
            temp = None
    except EnvironmentError as exc:
        raise ImsError('Writing the download to %s failed: %s' % (dest, exc))
    finally:
        if not done:
            hasher.abandon()
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
    return dict(md5=md5, bytes=count, seconds=max(time.time() - started, 1e-6))


def mib_per_s(nbytes, seconds):
    return round(nbytes / MIB / seconds, 1) if seconds else None
