# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The user's own object storage (Huawei OBS through its S3-compatible API), where image files are staged.

Where the image service imports from and exports to a bucket of the user (huaweicloud with
AK/SK), ims_image_upload stages the file there and ims_image_export downloads the
exported object from there.  The connection is the task's own: ``obs_endpoint`` with the same
AK/SK (and security token) the image API is signed with.  The upload itself is the one S3
uploader of ``_transfer`` (resumable multipart, parallel parts, each part's MD5 checked against its ETag).

Nothing here knows Ansible; errors are ImsError whose messages never hold the keys.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import re

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - the modules report the missing boto3 before any request
    # Two distinct stand-ins, never raised, so that the handlers below stay apart without botocore.
    class BotoCoreError(Exception):
        pass

    class ClientError(Exception):
        pass

from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.multipart import multipart_etag, part_count, plain_etag
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy

# OBS bucket names: 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit.
BUCKET_NAME = re.compile(r'[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z')
KEY_MAX = 1024
NOT_FOUND_CODES = ('404', 'NoSuchKey', 'NotFound', 'NoSuchBucket')
DOWNLOAD_CHUNK = _streams.CHUNK


def check_bucket_name(option, bucket):
    """Refuse, before any request, a bucket name OBS would refuse."""
    if not isinstance(bucket, str) or not BUCKET_NAME.match(bucket) or '..' in bucket:
        raise ImsValidationError('%s must be an OBS bucket name: 3 to 63 lower-case letters, digits, "." and "-", '
                                 'starting and ending with a letter or digit; got %r.' % (option, bucket))


def check_key(option, key):
    """Refuse, before any request, an object key that names no file (empty, a folder, too long, a leading slash)."""
    if not isinstance(key, str) or not key.strip() or key.endswith('/') or key.startswith('/') or len(key) > KEY_MAX \
            or any(c in key for c in '\r\n'):
        raise ImsValidationError('%s must be the key of an object (1 to %d characters, not starting or ending with "/", '
                                 'no line breaks); got %r.' % (option, KEY_MAX, key))


def object_url(bucket, key):
    return 'obs://%s/%s' % (bucket, key)


def _not_found(exc):
    if not isinstance(exc, ClientError):
        return False
    error = exc.response.get('Error') or {}
    status = (exc.response.get('ResponseMetadata') or {}).get('HTTPStatusCode')
    return str(error.get('Code')) in NOT_FOUND_CODES or status == 404


class PartDigests:
    """The MD5 of each ``part_size`` range of a stream, fed chunk by chunk: the multipart ETag of its bytes."""

    def __init__(self, part_size):
        self.part_size = part_size
        self.md5s = []
        self._digest = hashlib.md5()
        self._filled = 0

    def feed(self, chunk):
        view = memoryview(chunk)
        while len(view):
            take = min(len(view), self.part_size - self._filled)
            self._digest.update(view[:take])
            self._filled += take
            view = view[take:]
            if self._filled == self.part_size:
                self._close_part()

    def _close_part(self):
        self.md5s.append(self._digest.hexdigest())
        self._digest = hashlib.md5()
        self._filled = 0

    def etag(self):
        if self._filled:
            self._close_part()
        return multipart_etag(self.md5s)


def hashed_parts(chunks, digests):
    """``chunks`` as they are, each also fed to ``digests``."""
    for chunk in chunks:
        digests.feed(chunk)
        yield chunk


class ObjectStorage:
    """The task's object storage: ``endpoint`` with the task's keys, through boto3."""

    def __init__(self, endpoint, access_key, secret_key, session_token=None, verify=None, timeout=60, retry_policy=None,
                 max_concurrency=_transfer.DEFAULT_MAX_CONCURRENCY):
        self.endpoint = _transfer.normalize_endpoint(endpoint)
        self.target = dict(endpoint=self.endpoint, access_key=access_key, secret_key=secret_key,
                           session_token=session_token)
        self.secrets = [s for s in (access_key, secret_key, session_token) if s]
        self.verify = verify
        self.timeout = timeout
        self.client = _transfer.make_s3_client(self.endpoint, access_key, secret_key, session_token, verify=verify,
                                               timeout=timeout, max_concurrency=max_concurrency, retry_policy=retry_policy)

    def _error(self, what, exc):
        return ImsTransportError('%s on the object storage %s failed: %s' % (
            what, self.endpoint, _transfer.describe_s3_error(exc, self.secrets)))

    def require_bucket(self, bucket, option):
        """Refuse, before any change, a bucket the keys cannot reach (unknown, or another account's)."""
        try:
            self.client.head_bucket(Bucket=bucket)
        except ClientError as exc:
            status = (exc.response.get('ResponseMetadata') or {}).get('HTTPStatusCode')
            if _not_found(exc) or status == 403:
                raise ImsValidationError('%s %s %s on the object storage %s; create it first (in the task\'s region), '
                                         'or name a bucket of this account.' % (
                                             option, bucket, 'does not exist' if status != 403 else
                                             'cannot be used with these keys (403)', self.endpoint))
            raise self._error('Reading bucket %s' % bucket, exc)
        except BotoCoreError as exc:
            raise self._error('Reading bucket %s' % bucket, exc)

    def head(self, bucket, key):
        """``{size, etag}`` of an object, or None when there is none."""
        try:
            head = self.client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise self._error('Reading object %s' % object_url(bucket, key), exc)
        except BotoCoreError as exc:
            raise self._error('Reading object %s' % object_url(bucket, key), exc)
        return dict(size=int(head.get('ContentLength') or 0), etag=plain_etag(head.get('ETag')))

    def first_part_size(self, bucket, key, size, etag):
        """The part size of an object completed from parts (``etag`` ends with ``-N``), or None where the storage
        does not say (HEAD with PartNumber=1) or its answer does not fit ``size`` and N."""
        count = int(etag.rsplit('-', 1)[1]) if '-' in etag and etag.rsplit('-', 1)[1].isdigit() else None
        if not count:
            return None
        try:
            part = int(self.client.head_object(Bucket=bucket, Key=key, PartNumber=1).get('ContentLength') or 0)
        except (BotoCoreError, ClientError):
            return None
        return part if part and part_count(size, part) == count else None

    def delete(self, bucket, key):
        """Delete an object (deleting one that is gone is no error)."""
        try:
            self.client.delete_object(Bucket=bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise self._error('Deleting object %s' % object_url(bucket, key), exc)

    def upload(self, path, bucket, key, size, part_size_mb, max_concurrency, resume, stream=None):
        """``path`` (or ``stream``, read once) to ``bucket/key`` with the one S3 uploader of ``_transfer``; returns its
        figures."""
        # Huawei IMS reports no checksum of what it imports (its ``checksum`` field is documented as unused):
        # only the parts' MD5s, checked against OBS's ETags, tell the staged object holds the file.  They tell the
        # file too (``part_md5s``), so a file's own MD5 is not computed: each byte is hashed once.
        return _transfer.upload(path, dict(self.target, bucket=bucket, key=key), size=size, part_size_mb=part_size_mb,
                                max_concurrency=max_concurrency, client=self.client, resume=resume, check_parts=True,
                                stream=stream, identify_by_parts=True)

    def chunks(self, bucket, key):
        """The object's bytes, in chunks; a broken connection becomes an ImsTransportError."""
        try:
            body = self.client.get_object(Bucket=bucket, Key=key)['Body']
        except (BotoCoreError, ClientError) as exc:
            raise self._error('Reading object %s' % object_url(bucket, key), exc)
        try:
            yield from body.iter_chunks(DOWNLOAD_CHUNK)
        except ImsError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            # botocore/urllib3 raise several unrelated classes for a connection cut mid-body.
            raise ImsTransportError('The download of %s broke off: %s' % (
                object_url(bucket, key), _transfer.scrub('%s: %s' % (type(exc).__name__, exc), self.secrets)))
        finally:
            body.close()


def from_params(params, max_concurrency=_transfer.DEFAULT_MAX_CONCURRENCY):
    """The ObjectStorage of a task: ``obs_endpoint`` with its AK/SK and security token, its TLS options."""
    if not _transfer.HAS_BOTO3:
        raise ImsValidationError('The object storage (obs_endpoint) is reached with the Python library boto3, which is '
                                 'not installed on the host the module runs on (%s).' % _transfer.BOTO3_IMPORT_ERROR)
    verify = _transfer.s3_verify(params['validate_certs'], params['ca_path'], params.get('s3_validate_certs'),
                                 params.get('s3_ca_path'))
    return ObjectStorage(params['obs_endpoint'], params['access_key'], params['secret_key'], params.get('security_token'),
                         verify=verify, timeout=params['timeout'], retry_policy=RetryPolicy.from_params(params),
                         max_concurrency=max_concurrency)


def require_keys(params, what):
    """Refuse, before any request, a task without the AK/SK that object storage needs."""
    if not (params.get('access_key') and params.get('secret_key')):
        raise ImsValidationError('%s goes through the object storage (obs_endpoint), which takes access_key and '
                                 'secret_key (HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK); a token or a password login '
                                 'cannot sign object storage requests.' % what)
