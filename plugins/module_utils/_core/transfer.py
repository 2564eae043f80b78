# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Moving image files: S3 multipart upload with boto3, streaming download, MD5 beside the transfer.

Memory stays flat whatever the file size: the upload (``_multipart.ResumableUpload``: resumable,
at most ``max_concurrency`` parts in flight) reads parts from the file as it sends them and hashes
each byte once, on that read.
The download is ``_streams.write_verified`` (a temporary file in the destination's folder, hashed
by a thread beside the writes, renamed over the destination only once size and MD5 match).

Nothing here knows Ansible; errors are ImsError whose messages never hold the temporary keys.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import importlib.util
import os

# boto3 is looked for here and imported where an S3 client is made: importing it costs about 0.2 s of CPU, which
# every task that never reaches an object store (most of them) would otherwise spend.
HAS_BOTO3 = all(importlib.util.find_spec(name) is not None for name in ('boto3', 'botocore'))
BOTO3_IMPORT_ERROR = None if HAS_BOTO3 else ImportError('No module named boto3')

from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy
# describe_s3_error is re-exported: callers of this module describe S3 errors with it.
from ansible_collections.cecloud.ims.plugins.module_utils._core.multipart import (  # noqa: F401  pylint: disable=unused-import
    ResumableUpload, describe_s3_error, fitting_part_size)

MIB = 1024 * 1024
# Tuned with tests/bench/bench_transfer.py (see the README's performance section).
DEFAULT_PART_SIZE_MB = 16
DEFAULT_MAX_CONCURRENCY = 4
MIN_PART_SIZE_MB = 5            # S3's smallest multipart part
MAX_PART_SIZE_MB = 5120         # S3's largest part
MAX_CONCURRENCY = 64
HASH_BUFFER = 4 * MIB
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


def detect_disk_format(first_bytes):
    """``qcow2`` when ``first_bytes`` (of a file or a stream, peeked) start with the qcow2 magic (``QFI\\xfb``), else
    ``raw``."""
    return 'qcow2' if first_bytes[:len(QCOW2_MAGIC)] == QCOW2_MAGIC else 'raw'


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
    from boto3.s3.transfer import TransferConfig  # pylint: disable=import-outside-toplevel
    part = fitting_part_size(size, int(part_size_mb) * MIB) if size else int(part_size_mb) * MIB
    return TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=int(max_concurrency),
                          use_threads=True)


def make_s3_client(endpoint, access_key, secret_key, session_token=None, verify=None, timeout=60,
                   max_concurrency=DEFAULT_MAX_CONCURRENCY, retry_policy=None):
    """A path-style, SigV4 S3 client (the domain can be an IP address, so no virtual-host buckets), repeating a
    failed request as ``retry_policy`` (a ``RetryPolicy``) says."""
    import boto3  # pylint: disable=import-outside-toplevel
    from botocore.config import Config  # pylint: disable=import-outside-toplevel
    # UNSIGNED-PAYLOAD: botocore would otherwise read and SHA-256 every part once more before sending it (over
    # HTTP, or over HTTPS without a Content-MD5); the bytes are checked by their MD5 instead (docs/api-notes.md,
    # "One digest per byte"). Huawei OBS, S3-compatible API: AWS Signature V4 with UNSIGNED-PAYLOAD.
    settings = dict(signature_version='s3v4', s3={'addressing_style': 'path', 'payload_signing_enabled': False},
                    connect_timeout=min(float(timeout), 10.0),
                    read_timeout=float(timeout), max_pool_connections=max(10, int(max_concurrency) + 2),
                    retries=(retry_policy or RetryPolicy()).s3_retries())
    try:
        # The parts are checked by their MD5 (above); botocore >= 1.36 would add CRC32 checksums (aws-chunked
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
           verify=None, timeout=60, retry_policy=None, client=None, resume=True, check_parts=False, stream=None,
           identify_by_parts=False):
    """Upload ``path`` to ``target`` (``endpoint``, ``bucket``, ``key``, ``access_key``, ``secret_key``,
    ``session_token``) and hash it meanwhile, resuming an unfinished upload of the key (see ResumableUpload;
    ``check_parts`` where no service checks the object's MD5; ``identify_by_parts`` where the caller tells the file
    by its parts' MD5s instead of its own).
    With ``stream`` (read once, in order), ``path`` only names it in messages.

    Returns ResumableUpload.run()'s dict.  Raises ImsTransportError, free of the keys, carrying
    ``upload_id``, ``resumable``, ``parts_stored`` and ``bytes_stored`` as attributes.
    """
    secrets = [target.get('access_key'), target.get('secret_key'), target.get('session_token')]
    if client is None:
        client = make_s3_client(normalize_endpoint(target.get('endpoint')), target.get('access_key'),
                                target.get('secret_key'), target.get('session_token'), verify=verify, timeout=timeout,
                                max_concurrency=max_concurrency, retry_policy=retry_policy)
    return ResumableUpload(client, target['bucket'], target['key'], path, size=size, part_size=int(part_size_mb) * MIB,
                           max_concurrency=max_concurrency, resume=resume, secrets=secrets, check_parts=check_parts,
                           stream=stream, identify_by_parts=identify_by_parts).run()


# -- download ------------------------------------------------------------------

def download(chunks, dest, expected_md5=None, expected_size=None, mode=None, check=None):
    """Write the byte chunks of ``chunks`` to ``dest`` atomically, verified by size and MD5.

    ``_streams.write_verified`` with the MD5 only; ``check()``, when given, is one more check before
    the rename (it raises ImsTransportError to keep ``dest`` as it was).  Returns ``dict(md5, bytes, seconds)``.
    """
    stats = _streams.write_verified(chunks, dest, expected={'md5': expected_md5}, expected_size=expected_size,
                                    mode=mode, algorithms=('md5',),
                                    check=None if check is None else lambda digests: check())
    return dict(md5=stats['digests']['md5'], bytes=stats['bytes'], seconds=stats['seconds'])


def verification(algorithm, value, size, part_size=None):
    """The ``verified`` result of a download, one shape on every provider: what the file's bytes were checked against.

    ``algorithm`` is the hash (``md5``, ``sha512``...) or None where only the size could be checked (then ``none``);
    ``value`` the file's hex digest by it; ``size`` the byte count checked (None where the service reports none).
    ``part_size`` only where the bytes were checked by the MD5s of their parts (a multipart ETag), and not by the
    file's digest itself.
    """
    verified = dict(algorithm=algorithm or 'none', value=value if algorithm else None, size=size)
    if part_size is not None:
        verified['part_size'] = part_size
    return verified


def mib_per_s(nbytes, seconds):
    return round(nbytes / MIB / seconds, 1) if seconds else None


# The figures of ``upload()`` (and of ``_staging.ObjectStorage.upload``) that RV(transfer) shows as they are.
UPLOAD_FIGURES = ('bytes', 'bytes_sent', 'bytes_reused', 'parts_sent', 'parts_reused', 'resumed')


def transfer_figures(nbytes_sent, seconds, **figures):
    """RV(transfer) of an upload: ``figures``, its duration and the throughput of the bytes this run sent."""
    return dict(figures, seconds=round(seconds, 3), mib_per_s=mib_per_s(nbytes_sent, seconds))


def upload_figures(transfer):
    """RV(transfer) of a resumable upload to object storage (the answer of ``upload()``)."""
    return transfer_figures(transfer['bytes_sent'], transfer['seconds'], **dict((k, transfer[k]) for k in UPLOAD_FIGURES))
