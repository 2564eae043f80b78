# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_multipart: the geometry of a resume, the parts it may keep, and what botocore cannot show through SeaweedFS."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from ansible_collections.cecloud.ims.plugins.module_utils import _multipart
from ansible_collections.cecloud.ims.plugins.module_utils._errors import ImsTransportError
from ansible_collections.cecloud.ims.plugins.module_utils._multipart import (
    MIB, FileRange, ResumableUpload, StoredUpload, multipart_etag, plan_resume)


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


def test_a_completion_whose_reply_was_lost_and_that_finds_the_upload_gone_checks_the_object(tmp_path):
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
                           'ContentLength': ANY, 'ContentMD5': ANY})
    stub.add_client_error('complete_multipart_upload', 'NoSuchUpload', http_status_code=404)
    stub.add_response('head_object', {'ContentLength': len(data), 'ETag': '"%s"' % multipart_etag(md5s)},
                      {'Bucket': 'b', 'Key': 'k'})
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
                           'ContentLength': ANY, 'ContentMD5': ANY})
    stub.add_client_error('complete_multipart_upload', 'NoSuchUpload', http_status_code=404)
    stub.add_client_error('head_object', '404', http_status_code=404)
    with stub, pytest.raises(ImsTransportError, match='NoSuchUpload') as failure:
        ResumableUpload(client, 'b', 'k', str(path), part_size=5 * MIB, max_concurrency=1, secrets=['SK']).run()
    assert failure.value.upload_id == 'u1' and failure.value.parts_stored == 2 and failure.value.resumable
