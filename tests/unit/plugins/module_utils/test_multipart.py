# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_multipart: the geometry of a resume, the parts it may keep, and what botocore cannot show through SeaweedFS."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import os
import threading
import time
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from ansible_collections.cecloud.ims.plugins.module_utils._core import multipart as _multipart
from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsTransportError
from ansible_collections.cecloud.ims.plugins.module_utils._core.multipart import (
    MIB, FileRange, ResumableUpload, StoredUpload, multipart_etag, plan_resume)
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._core.transfer import make_s3_client
from ansible_collections.cecloud.ims.plugins.module_utils._upload_source import StreamSource, transfer_input
from tests.unit.plugins.module_utils.local_http import LocalServer


def parts(*entries):
    return [dict(PartNumber=n, Size=size, ETag='"%s"' % etag) for n, size, etag in entries]


def test_the_part_size_of_the_earlier_attempt_is_its_largest_part_and_only_parts_of_the_right_size_are_candidates():
    size = 23 * MIB                     # 6 MiB parts: 6, 6, 6, 5
    stored = StoredUpload('u1', parts=parts((1, 6 * MIB, 'a'), (2, 5 * MIB, 'b'), (4, 5 * MIB, 'd'), (9, 6 * MIB, 'x')))
    plan, why = plan_resume(stored, size)
    assert why is None and plan.part_size == 6 * MIB
    # Part 2 has the wrong size for its range, part 9 lies beyond the file: neither is kept.
    assert plan.candidates == {1: '"a"', 4: '"d"'} and plan.bytes == 11 * MIB


@pytest.mark.parametrize('entries, size, reason', [
    ([], 10 * MIB, 'holds no part'),
    ([(1, MIB, 'a'), (2, MIB, 'b')], 10 * MIB, 'below the 5 MiB minimum'),
    ([(1, 5 * MIB, 'a')], 5 * MIB * 10001, 'more than 10000 parts'),
    ([(2, 5 * MIB, 'a')], 7 * MIB, 'another file or part size'),
])
def test_an_upload_that_cannot_be_resumed_says_why(entries, size, reason):
    plan, why = plan_resume(StoredUpload('u1', parts=parts(*entries)), size)
    assert plan is None and reason in why


def test_a_part_listed_twice_with_different_etags_is_sent_again():
    # SeaweedFS lists the replaced copy of a part beside the new one.
    stored = StoredUpload('u1', parts=parts((1, 5 * MIB, 'old'), (1, 5 * MIB, 'new'), (2, 5 * MIB, 'b'), (2, 5 * MIB, 'B')))
    assert stored.conflicting == {1}                        # ETags compare without case or quotes
    plan, dummy = plan_resume(stored, 10 * MIB)
    assert sorted(plan.candidates) == [2]


def test_a_one_part_file_may_resume_a_small_part():
    plan, why = plan_resume(StoredUpload('u1', parts=parts((1, 3 * MIB, 'a'))), 3 * MIB)
    assert why is None and plan.part_size == 3 * MIB and list(plan.candidates) == [1]


def test_file_range_reads_and_seeks_inside_its_range_only(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(bytes(range(256)) * 4)
    with FileRange(str(path), 10, 20) as body:
        assert len(body) == 20 and body.read(5) == bytes(range(10, 15)) and body.tell() == 5
        assert body.read() == bytes(range(15, 30)) and body.read() == b''
        body.seek(0)
        assert body.read(100) == bytes(range(10, 30))
        assert body.seek(-3, 2) == 17 and body.read() == bytes(range(27, 30))


def test_multipart_etag_is_the_md5_of_the_part_digests():
    first, second = hashlib.md5(b'a'), hashlib.md5(b'b')
    assert multipart_etag([first.hexdigest(), second.hexdigest()]) == hashlib.md5(first.digest() + second.digest()).hexdigest() + '-2'


@pytest.mark.parametrize('code, status, expected', [('NotImplemented', 501, True), ('AccessDenied', 403, True),
                                                    ('MethodNotAllowed', 405, True), ('InternalError', 500, False),
                                                    ('NoSuchBucket', 404, False)])
def test_listing_unavailable(code, status, expected):
    error = ClientError({'Error': {'Code': code}, 'ResponseMetadata': {'HTTPStatusCode': status}}, 'ListParts')
    assert _multipart.listing_unavailable(error) is expected


def stubbed_client():
    client = boto3.client('s3', endpoint_url='http://127.0.0.1:9', aws_access_key_id='AK', aws_secret_access_key='SK',
                          region_name='us-east-1')
    return client, Stubber(client)


@pytest.mark.parametrize('etag', ['multipart', 'md5-of-the-bytes'])
def test_a_completion_whose_reply_was_lost_and_that_finds_the_upload_gone_checks_the_object(tmp_path, etag):
    """The object's ETag after a completion: the multipart one (AWS, SeaweedFS) or the MD5 of its bytes (rclone)."""
    data = b'x' * (6 * MIB)
    path = tmp_path / 'f'
    path.write_bytes(data)
    md5s = [hashlib.md5(data[:5 * MIB]).hexdigest(), hashlib.md5(data[5 * MIB:]).hexdigest()]
    client, stub = stubbed_client()
    stub.add_response('list_multipart_uploads', {'Uploads': []}, {'Bucket': 'b', 'Prefix': 'k'})
    stub.add_response('create_multipart_upload', {'UploadId': 'u1'}, {'Bucket': 'b', 'Key': 'k'})
    for number in (1, 2):
        stub.add_response('upload_part', {'ETag': '"%s"' % md5s[number - 1]},
                          {'Bucket': 'b', 'Key': 'k', 'UploadId': 'u1', 'PartNumber': number, 'Body': ANY,
                           'ContentLength': ANY})
    stub.add_client_error('complete_multipart_upload', 'NoSuchUpload', http_status_code=404)
    stored_etag = multipart_etag(md5s) if etag == 'multipart' else hashlib.md5(data).hexdigest()
    stub.add_response('head_object', {'ContentLength': len(data), 'ETag': '"%s"' % stored_etag}, {'Bucket': 'b', 'Key': 'k'})
    with stub:
        result = ResumableUpload(client, 'b', 'k', str(path), part_size=5 * MIB, max_concurrency=1).run()
    assert result['md5'] == hashlib.md5(data).hexdigest() and result['parts_sent'] == 2 and not result['resumed']
    stub.assert_no_pending_responses()


def test_a_completion_that_finds_the_upload_gone_and_no_such_object_fails(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(b'y' * (6 * MIB))
    client, stub = stubbed_client()
    stub.add_response('list_multipart_uploads', {'Uploads': []}, {'Bucket': 'b', 'Prefix': 'k'})
    stub.add_response('create_multipart_upload', {'UploadId': 'u1'}, {'Bucket': 'b', 'Key': 'k'})
    for number in (1, 2):
        stub.add_response('upload_part', {'ETag': '"e%d"' % number},
                          {'Bucket': 'b', 'Key': 'k', 'UploadId': 'u1', 'PartNumber': number, 'Body': ANY,
                           'ContentLength': ANY})
    stub.add_client_error('complete_multipart_upload', 'NoSuchUpload', http_status_code=404)
    stub.add_client_error('head_object', '404', http_status_code=404)
    with stub, pytest.raises(ImsTransportError, match='NoSuchUpload') as failure:
        ResumableUpload(client, 'b', 'k', str(path), part_size=5 * MIB, max_concurrency=1, secrets=['SK']).run()
    assert failure.value.upload_id == 'u1' and failure.value.parts_stored == 2 and failure.value.resumable


# -- the look-up of unfinished uploads through real HTTP: whatever it answers, the upload goes on --------------

LISTING_SECRET = 'ListingSecretKey0000'


def s3_error_body(code, message='refused'):
    return ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>'
            % (code, message)).encode('ascii')


def answer_listing_with(status, body):
    """A loopback S3 server that answers ListMultipartUploads with ``status`` and ``body`` (``None``: the
    connection is closed unanswered) and stores a PutObject."""
    def answer(request):
        if request.method == 'GET' and 'uploads' in request.path:
            if body is None:
                raise ConnectionResetError('the test server drops the connection')
            return status, {'Content-Type': 'application/xml'}, body
        if request.method == 'PUT':
            return 200, {'ETag': '"%s"' % hashlib.md5(request.body).hexdigest()}, b''
        return 500, {}, s3_error_body('InternalError', 'unexpected %s %s' % (request.method, request.path))
    return answer


@pytest.mark.parametrize('status, body, warned', [
    (404, s3_error_body('NoSuchUpload', 'The specified multipart upload does not exist.'), None),
    (403, s3_error_body('AccessDenied', 'no listing for ' + LISTING_SECRET), 'AccessDenied (HTTP 403)'),
    (500, s3_error_body('InternalError', 'broken near ' + LISTING_SECRET), 'InternalError (HTTP 500)'),
    (200, b'<ListMultipartUploadsResult><Upload><Key>k</Key', 'ListMultipartUploads'),     # botocore: an HTTP 500
    (None, None, 'Connection'),
], ids=['404-NoSuchUpload', '403', '500', 'malformed-body', 'connection-dropped'])
def test_no_answer_to_the_look_up_of_unfinished_uploads_fails_the_upload(tmp_path, status, body, warned):
    """NoSuchUpload (rclone's serve s3 on a bucket without unfinished uploads) means none, silently; any other
    failure of the look-up warns, without the keys or what the server echoed of them, and the upload starts at byte 0."""
    data = b'z' * MIB
    path = tmp_path / 'one-mib'
    path.write_bytes(data)
    with LocalServer(answer_listing_with(status, body)) as server:
        server.httpd.RequestHandlerClass.protocol_version = 'HTTP/1.1'     # answers Expect: 100-continue at once
        client = make_s3_client(server.url, 'AK', LISTING_SECRET, None, retry_policy=RetryPolicy(retries=0), timeout=5)
        result = ResumableUpload(client, 'b', 'k', str(path), secrets=['AK', LISTING_SECRET]).run()
        puts = [r for r in server.requests if r.method == 'PUT']
    assert result['bytes_sent'] == len(data) and result['md5'] == hashlib.md5(data).hexdigest() and not result['resumed']
    assert len(puts) == 1 and puts[0].body == data
    if warned is None:
        assert result['warnings'] == []
    else:
        (warning,) = result['warnings']
        assert warned in warning and 'starts over from byte 0' in warning, warning
        assert LISTING_SECRET not in warning


def test_a_failed_listing_of_parts_leaves_that_upload_for_a_later_run_and_starts_over(tmp_path):
    """ListParts failing for another reason than a missing operation (here HTTP 500) may pass: the upload is neither
    resumed nor aborted."""
    path = tmp_path / 'f'
    path.write_bytes(b'p' * MIB)
    client, stub = stubbed_client()
    stub.add_response('list_multipart_uploads', {'Uploads': [{'Key': 'k', 'UploadId': 'u0'}]}, {'Bucket': 'b', 'Prefix': 'k'})
    stub.add_client_error('list_parts', 'InternalError', http_status_code=500)
    stub.add_response('put_object', {'ETag': '"e"'}, {'Bucket': 'b', 'Key': 'k', 'Body': ANY, 'ContentLength': MIB})
    with stub:
        result = ResumableUpload(client, 'b', 'k', str(path)).run()
    stub.assert_no_pending_responses()      # no AbortMultipartUpload
    (warning,) = result['warnings']
    assert 'u0' in warning and 'InternalError' in warning and 'not resumed' in warning, warning
    assert result['bytes_sent'] == MIB and not result['resumed']


# -- one digest per byte: every byte read from the file once and hashed once, on the read that sends it ----------

class ReadingClient:
    """An S3 client that reads each body as http.client does (16 KiB at a time) and answers the MD5 of what it read,
    with ``corrupt``: {part number: times} stored with a flipped byte that many times, ``resend``: part numbers whose body
    it reads twice (a botocore retry from the body's start), ``etag``: the ETag to answer in place of the MD5."""

    def __init__(self, corrupt=None, resend=(), etag=None, delay=None):
        self.corrupt = dict(corrupt or {})
        self.resend = set(resend)
        self.etag = etag
        self.delay = delay or {}
        self.stored = {}
        self.content_md5 = []

    def _store(self, number, body, content_md5=None):
        import time
        for dummy in range(2 if number in self.resend else 1):
            body.seek(0)
            data = b''.join(iter(lambda: body.read(16384), b''))
            time.sleep(self.delay.get(number, 0))
        self.resend.discard(number)
        self.content_md5.append(content_md5)
        if self.corrupt.get(number):
            self.corrupt[number] -= 1
            data = bytes([data[0] ^ 1]) + data[1:]
        self.stored[number] = data
        return {'ETag': '"%s"' % (self.etag or hashlib.md5(data).hexdigest())}

    def get_paginator(self, name):
        class Pages:
            @staticmethod
            def paginate(**kwargs):
                return [{}]
        return Pages()

    def create_multipart_upload(self, **kwargs):
        return {'UploadId': 'u1'}

    def upload_part(self, PartNumber, Body, ContentMD5=None, **kwargs):
        return self._store(PartNumber, Body, ContentMD5)

    def put_object(self, Body, ContentMD5=None, **kwargs):
        return self._store(1, Body, ContentMD5)

    def complete_multipart_upload(self, **kwargs):
        return {}

    def abort_multipart_upload(self, **kwargs):
        return {}


class Counted:
    """Counts the bytes read from files opened by the uploader, and the bytes fed to its MD5 digests."""

    def __init__(self, monkeypatch):
        self.read = 0
        self.hashed = 0
        counter = self

        class File:
            def __init__(self, handle):
                self._handle = handle

            def read(self, *args):
                data = self._handle.read(*args)
                counter.read += len(data)
                return data

            def readinto(self, buf):
                count = self._handle.readinto(buf)
                counter.read += count or 0
                return count

            def __getattr__(self, name):
                return getattr(self._handle, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self._handle.close()

        class Digest:
            def __init__(self, data=b'', name='md5'):
                self._digest = hashlib.new(name)
                self.update(data)

            def update(self, data):
                counter.hashed += len(data)
                self._digest.update(data)

            def __getattr__(self, name):
                return getattr(self._digest, name)

        class Hashlib:
            md5 = Digest

            @staticmethod
            def new(name, data=b''):
                return Digest(data, name)

        self.hashlib = Hashlib
        monkeypatch.setattr(_multipart, 'open', lambda *a, **k: File(open(*a, **k)), raising=False)
        monkeypatch.setattr(_multipart, 'hashlib', Hashlib)


def upload_file(tmp_path, size, client, **kwargs):
    data = bytes(range(256)) * (size // 256) + b'x' * (size % 256)
    path = tmp_path / 'image'
    path.write_bytes(data)
    kwargs.setdefault('part_size', 5 * MIB)
    return data, ResumableUpload(client, 'b', 'k', str(path), **kwargs).run()


@pytest.mark.parametrize('size, concurrency', [(3 * MIB + 7, 4), (23 * MIB + 5, 1), (23 * MIB + 5, 4)])
def test_each_byte_is_read_once_and_hashed_once_into_the_file_md5(tmp_path, monkeypatch, size, concurrency):
    """Parts sent in parallel and finishing out of order: the file's MD5 still takes each byte once, in order."""
    counted = Counted(monkeypatch)
    client = ReadingClient(delay={1: 0.3, 2: 0.1})
    data, result = upload_file(tmp_path, size, client, max_concurrency=concurrency)
    assert result['md5'] == hashlib.md5(data).hexdigest()
    assert b''.join(client.stored[n] for n in sorted(client.stored)) == data
    assert counted.read == size and counted.hashed == size
    assert client.content_md5 == [None] * len(client.stored)       # the service checks the file's MD5


def test_a_part_sent_again_by_botocore_is_not_hashed_again(tmp_path, monkeypatch):
    counted = Counted(monkeypatch)
    data, result = upload_file(tmp_path, 23 * MIB, ReadingClient(resend={1, 3}), max_concurrency=3)
    assert result['md5'] == hashlib.md5(data).hexdigest() and counted.hashed == len(data)


def test_checked_parts_are_hashed_on_the_read_that_sends_them(tmp_path, monkeypatch):
    """check_parts (no service checks the object): one read, the file's MD5 and each part's MD5 on it."""
    counted = Counted(monkeypatch)
    data, result = upload_file(tmp_path, 23 * MIB, ReadingClient(resend={2}), max_concurrency=4, check_parts=True)
    assert result['md5'] == hashlib.md5(data).hexdigest() and result['parts_sent'] == 5
    assert counted.read == len(data) + 5 * MIB          # part 2 read twice by the resend, and only that
    assert counted.hashed == 2 * len(data) + 5 * MIB    # its part MD5 starts over with it


@pytest.mark.parametrize('size, concurrency', [(3 * MIB + 7, 2), (23 * MIB + 5, 1), (23 * MIB + 5, 4)])
def test_a_file_told_by_its_parts_is_read_once_and_hashed_once(tmp_path, monkeypatch, size, concurrency):
    """identify_by_parts (OBS staging): the parts' MD5s, checked against the ETags, are the file's only digest."""
    counted = Counted(monkeypatch)
    client = ReadingClient(delay={1: 0.2}, resend={2})
    data, result = upload_file(tmp_path, size, client, max_concurrency=concurrency, check_parts=True, identify_by_parts=True)
    resent = 5 * MIB if size > 10 * MIB else size - 5 * MIB if size > 5 * MIB else 0
    assert result['md5'] is None
    assert result['part_md5s'] == [hashlib.md5(data[i:i + 5 * MIB]).hexdigest() for i in range(0, size, 5 * MIB)]
    assert b''.join(client.stored[n] for n in sorted(client.stored)) == data
    assert counted.read == size + resent and counted.hashed == size + resent    # only the resent part, again


def test_a_file_told_by_its_parts_takes_a_part_stored_corrupted_as_before(tmp_path):
    client = ReadingClient(corrupt={2: 1})
    data, result = upload_file(tmp_path, 12 * MIB, client, check_parts=True, identify_by_parts=True)
    assert client.stored[2] == data[5 * MIB:10 * MIB] and result['part_md5s'][1] == hashlib.md5(client.stored[2]).hexdigest()
    with pytest.raises(ImsTransportError, match='stored part 2 .* twice.*changed on the way'):
        upload_file(tmp_path, 12 * MIB, ReadingClient(corrupt={2: 2}), check_parts=True, identify_by_parts=True)


def test_telling_a_file_by_its_parts_needs_them_checked(tmp_path):
    with pytest.raises(ValueError, match='needs check_parts'):
        upload_file(tmp_path, MIB, ReadingClient(), identify_by_parts=True)


def test_a_file_told_by_its_parts_resumes_only_a_part_size_of_whole_mib(tmp_path):
    data = bytes(range(256)) * (12 * MIB // 256)
    path = tmp_path / 'image'
    path.write_bytes(data)
    odd = 5 * MIB + 512

    def resumable(part_size):
        client = ReadingClient()

        class Pages:
            @staticmethod
            def paginate(**kwargs):
                if 'UploadId' in kwargs:
                    return [{'Parts': [dict(PartNumber=1, Size=part_size, ETag='"%s"' % hashlib.md5(data[:part_size]).hexdigest())]}]
                return [{'Uploads': [{'Key': 'k', 'UploadId': 'u0'}]}]
        client.get_paginator = lambda name: Pages()
        return client
    result = ResumableUpload(resumable(odd), 'b', 'k', str(path), part_size=5 * MIB, check_parts=True,
                             identify_by_parts=True).run()
    assert result['parts_reused'] == 0 and result['part_size'] == 5 * MIB
    assert 'is no whole number of MiB' in result['warnings'][0]
    kept = ResumableUpload(resumable(6 * MIB), 'b', 'k', str(path), part_size=5 * MIB, check_parts=True,
                           identify_by_parts=True).run()
    assert kept['parts_reused'] == 1 and kept['part_size'] == 6 * MIB


def test_a_part_stored_corrupted_is_sent_again_and_a_part_corrupted_twice_fails(tmp_path):
    client = ReadingClient(corrupt={2: 1})
    data, result = upload_file(tmp_path, 12 * MIB, client, check_parts=True)
    assert client.stored[2] == data[5 * MIB:10 * MIB] and result['parts_sent'] == 3
    with pytest.raises(ImsTransportError, match='stored part 2 .* twice.*changed on the way'):
        upload_file(tmp_path, 12 * MIB, ReadingClient(corrupt={2: 2}), check_parts=True)


def test_etags_that_are_no_md5s_make_the_parts_go_with_their_content_md5(tmp_path):
    client = ReadingClient(etag='not-an-md5')
    data, result = upload_file(tmp_path, 12 * MIB, client, check_parts=True, max_concurrency=1)
    assert result['md5'] == hashlib.md5(data).hexdigest()
    assert client.content_md5[0] is None and all(client.content_md5[1:]) and len(client.content_md5) == 4


def test_parts_kept_by_a_resume_are_read_once(tmp_path, monkeypatch):
    data = bytes(range(256)) * (12 * MIB // 256)
    path = tmp_path / 'image'
    path.write_bytes(data)
    md5s = [hashlib.md5(data[i:i + 5 * MIB]).hexdigest() for i in (0, 5 * MIB)]
    client = ReadingClient()

    class Pages:
        @staticmethod
        def paginate(**kwargs):
            if 'UploadId' in kwargs:
                return [{'Parts': [dict(PartNumber=1, Size=5 * MIB, ETag='"%s"' % md5s[0]),
                                   dict(PartNumber=2, Size=5 * MIB, ETag='"%s"' % ('0' * 32))]}]
            return [{'Uploads': [{'Key': 'k', 'UploadId': 'u0'}]}]
    client.get_paginator = lambda name: Pages()
    counted = Counted(monkeypatch)
    result = ResumableUpload(client, 'b', 'k', str(path), part_size=5 * MIB).run()
    assert result['md5'] == hashlib.md5(data).hexdigest() and result['parts_reused'] == 1 and sorted(client.stored) == [2, 3]
    # Part 2's stored copy differs: read once to check it, once more to send it; the file's MD5 took each byte once.
    assert counted.read == len(data) + 5 * MIB and counted.hashed == len(data) + 10 * MIB


def test_the_s3_client_sends_unsigned_payloads(tmp_path):
    """botocore would read and SHA-256 each part once more to sign it (over HTTP, or HTTPS without Content-MD5)."""
    path = tmp_path / 'f'
    path.write_bytes(b'q' * MIB)

    def answer(request):
        return 200, {'ETag': '"%s"' % hashlib.md5(request.body).hexdigest()}, b''
    with LocalServer(answer) as server:
        server.httpd.RequestHandlerClass.protocol_version = 'HTTP/1.1'
        client = make_s3_client(server.url, 'AK', 'SK', None, retry_policy=RetryPolicy(retries=0), timeout=5)
        ResumableUpload(client, 'b', 'k', str(path), resume=False).run()
        puts = [r for r in server.requests if r.method == 'PUT']
    headers = dict((k.lower(), v) for k, v in puts[0].headers.items())
    assert headers['x-amz-content-sha256'] == 'UNSIGNED-PAYLOAD'


class _FakeS3:
    """Just what a new multipart upload calls; counts the parts in flight at once."""

    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.most_held = 0          # bytes read from the stream and not yet stored, at most
        self.stored = 0
        self.parts = {}

    def get_paginator(self, name):  # pylint: disable=unused-argument
        return mock.Mock(paginate=lambda **kw: [{}])

    def create_multipart_upload(self, **kw):  # pylint: disable=unused-argument
        return {'UploadId': 'u1'}

    def upload_part(self, PartNumber, Body, ContentLength, **kw):  # pylint: disable=invalid-name,unused-argument
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.most_held = max(self.most_held, self.stream.tell() - self.stored)
        time.sleep(0.02)        # the network: the reader gets ahead if nothing holds it back
        data = Body.read()
        assert len(data) == ContentLength
        with self.lock:
            self.in_flight -= 1
            self.stored += len(data)
            self.parts[PartNumber] = data
        return {'ETag': '"%s"' % hashlib.md5(data).hexdigest()}

    def complete_multipart_upload(self, **kw):  # pylint: disable=unused-argument
        pass


class _Stream(io.BytesIO):
    digests = None

    def read(self, amount=-1):
        data = super(_Stream, self).read(amount)
        if not data:
            self.digests = {'md5': hashlib.md5(self.getvalue()).hexdigest()}
        return data


def test_a_stream_is_sent_in_order_with_at_most_max_concurrency_parts_held():
    part = 256 * 1024
    data = os.urandom(8 * part + 123)
    stream = _Stream(data)
    client = _FakeS3(stream)
    result = ResumableUpload(client, 'b', 'k', 'image X', size=len(data), part_size=part, max_concurrency=2,
                             stream=stream).run()
    assert result['md5'] == hashlib.md5(data).hexdigest() and result['parts_sent'] == 9
    assert b''.join(client.parts[n] for n in sorted(client.parts)) == data
    assert client.most_in_flight == 2
    # The parts in flight and the one being read: (max_concurrency + 1) x part_size.
    assert client.most_held <= 3 * part


@pytest.mark.parametrize('size', [3 * MIB + 7, 23 * MIB + 5])
@pytest.mark.parametrize('check_parts', [False, True])
def test_a_stream_feeds_each_byte_to_one_digest_unless_its_parts_are_checked(monkeypatch, size, check_parts):
    """The stream's reader computes its MD5 as it passes; a first upload (the service checks the object's MD5) hashes
    no part again, and check_parts (OBS) hashes each part once more for its ETag."""
    data = bytes(range(256)) * (size // 256) + b'x' * (size % 256)
    source = StreamSource(io.BytesIO(data), size, {'md5': hashlib.md5(data).hexdigest()}, 'image X of a cloud')
    counted = Counted(monkeypatch)
    monkeypatch.setattr(_streams, 'hashlib', counted.hashlib)
    client = ReadingClient(delay={1: 0.2})
    with transfer_input(source) as given:
        result = ResumableUpload(client, 'b', 'k', given['path'], size=size, part_size=5 * MIB, max_concurrency=3,
                                 stream=given['stream'], check_parts=check_parts).run()
    assert result['md5'] == hashlib.md5(data).hexdigest()
    assert b''.join(client.stored[n] for n in sorted(client.stored)) == data
    assert counted.hashed == size * (2 if check_parts else 1)
    assert client.content_md5 == [None] * len(client.stored)
