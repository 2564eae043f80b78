"""Thin boto3 wrapper used by the emulator to talk to the S3 server (SeaweedFS or rclone's serve s3)."""

import hashlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

CHUNK = 1024 * 1024
_STREAM_CONFIG = TransferConfig(multipart_threshold=8 * CHUNK, multipart_chunksize=8 * CHUNK, max_concurrency=4)
_COPY_CONFIG = TransferConfig(multipart_threshold=4 * 1024 * CHUNK, multipart_chunksize=256 * CHUNK, max_concurrency=4)


def make_client(endpoint, access_key, secret_key):
    """Return a path-style, SigV4 S3 client."""
    return boto3.client(
        's3', endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        region_name='us-east-1',
        config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}, connect_timeout=5, read_timeout=60,
                      retries={'max_attempts': 2, 'mode': 'standard'}))


def ensure_bucket(client, name):
    """Create bucket ``name`` unless it exists already."""
    try:
        client.head_bucket(Bucket=name)
    except ClientError:
        try:
            client.create_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response.get('Error', {}).get('Code') not in ('BucketAlreadyOwnedByYou', 'BucketAlreadyExists'):
                raise


def unfinished_uploads(client, bucket, prefix=''):
    """The unfinished multipart uploads under ``prefix``; rclone's serve s3 answers NoSuchUpload for none."""
    try:
        return client.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get('Uploads') or []
    except ClientError as exc:
        if exc.response.get('Error', {}).get('Code') == 'NoSuchUpload':
            return []
        raise


class _HashingReader:
    """File-like wrapper that computes a digest (MD5 by default) and the size of what is read through it."""

    def __init__(self, src, algorithm='md5'):
        self.src = src
        self.digest = hashlib.new(algorithm, usedforsecurity=False)
        self.size = 0

    def read(self, size=-1):
        data = self.src.read(size if size and size > 0 else CHUNK)
        if data:
            self.digest.update(data)
            self.size += len(data)
        return data


class S3Backend:
    def __init__(self, endpoint, access_key, secret_key):
        self.endpoint = endpoint
        self.access_key = access_key
        self.secret_key = secret_key
        self.client = make_client(endpoint, access_key, secret_key)

    def ensure_bucket(self, name):
        ensure_bucket(self.client, name)

    def head_size(self, bucket, key):
        """Size of the object, or None when it does not exist."""
        try:
            return int(self.client.head_object(Bucket=bucket, Key=key)['ContentLength'])
        except ClientError as exc:
            code = str(exc.response.get('Error', {}).get('Code'))
            if code in ('404', 'NoSuchKey', 'NotFound'):
                return None
            raise

    def digest_of(self, bucket, key, algorithm='md5'):
        """Stream the object and return (its ``algorithm`` hex digest, size) in constant memory."""
        obj = self.client.get_object(Bucket=bucket, Key=key)
        digest = hashlib.new(algorithm, usedforsecurity=False)
        size = 0
        for chunk in obj['Body'].iter_chunks(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size

    def put_stream(self, bucket, key, fileobj, algorithm='md5'):
        """Upload a readable stream; return (its ``algorithm`` hex digest, size) of what was read."""
        reader = _HashingReader(fileobj, algorithm)
        self.client.upload_fileobj(reader, bucket, key, Config=_STREAM_CONFIG)
        return reader.digest.hexdigest(), reader.size

    def put_bytes(self, bucket, key, data):
        self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def copy(self, src_bucket, src_key, dst_bucket, dst_key):
        self.client.copy({'Bucket': src_bucket, 'Key': src_key}, dst_bucket, dst_key, Config=_COPY_CONFIG)

    def delete(self, bucket, key):
        self.client.delete_object(Bucket=bucket, Key=key)

    def open(self, bucket, key):
        """Return (content length, streaming body)."""
        obj = self.client.get_object(Bucket=bucket, Key=key)
        return int(obj['ContentLength']), obj['Body']
