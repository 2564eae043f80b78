# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CECloud dialect (envelope, statuses, errors, paging, headers) and the backend's declared capabilities."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _backend
from ansible_collections.cecloud.ims.plugins.module_utils._core import client as _client
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend, CECloudDialect
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._service import is_ambiguous
from tests.unit.plugins.module_utils.test_client import FakeSession, response

DIALECT = CECloudDialect()


def test_envelope_data_is_returned():
    assert DIALECT.data(response(body={'code': 'Success', 'data': {'imageId': 'img-1'}}), 'op') == {'imageId': 'img-1'}
    assert DIALECT.data(response(body={'code': 'Success'}), 'op') is None     # upload-done has no data key


def test_envelope_error_fields():
    resp = response(400, body={'code': 'IMG.InvalidParameter', 'message': 'bad', 'requestId': 'r-7'})
    assert DIALECT.error_fields(resp) == ('IMG.InvalidParameter', 'bad', 'r-7')
    plain = response(502, text='<html>bad gateway</html>', reason='Bad Gateway')
    assert DIALECT.error_fields(plain) == ('HTTP502', 'HTTP 502 Bad Gateway: <html>bad gateway</html>', None)


@pytest.mark.parametrize('status,stream,success', [
    (200, False, True), (204, False, False), (201, False, False), (204, True, True), (400, True, False), (401, False, False)])
def test_only_200_carries_the_envelope_but_a_stream_is_any_status_below_400(status, stream, success):
    assert DIALECT.is_success(response(status, text=''), stream) is success


def test_a_204_is_an_error_for_cecloud_but_empty_data_for_the_neutral_dialect():
    assert _client.Dialect().data(response(204, text=''), 'op') is None
    with pytest.raises(ImsApiError) as err:
        DIALECT.data(response(204, text=''), 'op')
    assert 'not a JSON envelope' in err.value.message


@pytest.mark.parametrize('status,code,refused', [
    (401, 'x', True), (403, 'x', True), (400, 'IMG.OperationDenied.AuthFail', True), (400, 'IMG.InvalidParameter', False)])
def test_auth_failures(status, code, refused):
    assert DIALECT.is_auth_failure(status, code) is refused


def test_region_header():
    assert DIALECT.default_headers('region0') == {'x-regionid': 'region0'}
    assert _client.Dialect().default_headers('region0') == {}     # the neutral transport sends no region header


@pytest.mark.parametrize('code,own_failure', [
    ('IMG.Internal.Error', True), ('IMG.DBUpdate.Fail', True), ('IMG.DBGet.Fail', True), ('IMG.InvalidParameter', False),
    ('IMG.OperationDenied.ActionNotMatchStatus', False)])
def test_the_services_own_failures_are_http_400_yet_retryable_and_ambiguous_like_a_5xx(code, own_failure):
    """docs/api-notes.md: the error table answers them 400, never 5xx; a write answered so may have been made."""
    assert DIALECT.is_retryable_error(response(400, body={'code': code, 'message': 'x'})) is own_failure
    session = FakeSession(*[response(400, body={'code': code, 'message': 'x'})] * 3)
    client = _client.ImsClient('http://h', 'r', dialect=DIALECT, session=session,
                               retry_policy=_client.RetryPolicy(retries=2, sleep=lambda s: None))
    with pytest.raises(ImsApiError) as err:
        client.call('PUT', '/x', json_body={})
    assert len(session.calls) == (3 if own_failure else 1)
    assert err.value.service_failure is own_failure and is_ambiguous(err.value) is own_failure
    session = FakeSession(response(400, body={'code': code, 'message': 'x'}), response(200, body={'code': 'Success'}))
    client.session = session
    with pytest.raises(ImsApiError):
        client.call('POST', '/x', json_body={})     # a create is settled by looking, never repeated blindly
    assert len(session.calls) == 1


def _share_pages(count, reading, size=100):
    """The pages of ``count`` shares whose ``total`` is read ``reading`` (records or pages), and one empty page."""
    items = list(range(count))
    total = count if reading == 'records' else -(-count // size)
    return [response(body={'code': 'Success', 'data': {'size': size, 'current': n + 1, 'total': total,
                                                       'list': items[n * size:(n + 1) * size]}})
            for n in range(-(-count // size) + 1)]


@pytest.mark.parametrize('count,reading,requests_made', [
    (120, 'records', 2), (120, 'pages', 2), (100, 'pages', 1), (250, 'pages', 3), (250, 'records', 3), (30, 'records', 1),
    (30, 'pages', 1), (1, 'pages', 1), (0, 'records', 1), (0, 'pages', 1),
    # Ending on a full page below ``total`` pages: one empty page settles which reading it was.
    (100, 'records', 2), (200, 'records', 3)])
def test_the_share_list_gives_every_share_whether_total_counts_records_or_pages(count, reading, requests_made):
    session = FakeSession(*_share_pages(count, reading))
    client = _client.ImsClient('http://h', 'r', dialect=DIALECT, session=session)
    assert list(CECloudBackend(client).list_image_members('img-1')) == list(range(count))
    assert len(session.calls) == requests_made


def test_the_other_lists_trust_total_as_a_record_count():
    session = FakeSession(*_share_pages(100, 'records'))
    client = _client.ImsClient('http://h', 'r', dialect=DIALECT, session=session)
    assert len(list(CECloudBackend(client).list_private_images())) == 100
    assert len(session.calls) == 1


@pytest.mark.parametrize('checksum,expected', [
    ('29A9D18DC5E0AA0F14707CFFDA13FA92', {'md5': '29a9d18dc5e0aa0f14707cffda13fa92'}),
    ('ab' * 32, {'sha256': 'ab' * 32}), ('cd' * 64, {'sha512': 'cd' * 64}),
    ('ab' * 20, {}), ('xyz' * 16, {}), ('', {}), (None, {})])
def test_the_checksums_algorithm_is_told_by_its_length(checksum, expected):
    assert CECloudBackend.data_hashes({'checksum': checksum}) == expected


def test_a_dialect_with_retryable_codes_repeats_idempotent_requests_only():
    class Busy(_client.Dialect):
        retryable_error_codes = frozenset(['HTTP409'])

    def outcomes():
        return [response(409, text='busy', reason='Conflict'), response(200, body={'ok': 1})]
    for method, expected_calls in (('GET', 2), ('POST', 1)):
        session = FakeSession(*outcomes())
        client = _client.ImsClient('http://h', 'r', dialect=Busy(), session=session,
                                   retry_policy=_client.RetryPolicy(retries=2, sleep=lambda s: None))
        try:
            client.call(method, '/x')
        except ImsApiError:
            pass
        assert len(session.calls) == expected_calls, method


def test_paging_goes_through_the_dialect():
    pages = [response(body={'code': 'Success', 'data': {'list': [1, 2], 'total': 3}}),
             response(body={'code': 'Success', 'data': {'list': [3], 'total': 3}})]
    session = FakeSession(*pages)
    client = _client.ImsClient('http://h', 'r', dialect=DIALECT, session=session)
    assert list(client.paginate('/l', page_size=2)) == [1, 2, 3]
    with pytest.raises(NotImplementedError):
        list(_client.ImsClient('http://h', 'r', session=FakeSession()).paginate('/l'))


def test_cecloud_capabilities():
    backend = CECloudBackend(client=None)
    assert backend.scopes == ('private', 'shared', 'public')
    assert backend.share_principal.kind == 'user'
    assert backend.recipient_actions == (_backend.RECIPIENT_DROP,)
    assert set(backend.export_targets) == set([_backend.EXPORT_TO_BUCKET, _backend.EXPORT_TO_FILE])
    assert 'boto3' in CECloudBackend.upload_libraries({})
    assert backend.job_waiter is None


def test_share_principal_is_a_19_digit_user_id():
    principal = CECloudBackend.share_principal
    principal.check('users', ['7085524801413873664'])
    with pytest.raises(ImsValidationError) as err:
        principal.check('users', ['12345', 7085524801413873664])
    assert err.value.message == ("users must be user ids of 19 digits, as strings (quote them in YAML); "
                                 "not valid: '12345', 7085524801413873664.")


def test_an_image_the_detail_call_does_not_serve_is_read_from_the_private_list_from_then_on():
    """GET /images/{id} carries no 私有镜像 mark: a service may answer NoData there for the tenant's own image."""
    not_found = response(400, body={'code': 'IMG.DBGet.NoData', 'message': 'x'})
    private = response(body={'code': 'Success', 'data': {'total': 1, 'list': [{'imageId': 'img-1', 'status': 'active'}]}})
    nothing = response(body={'code': 'Success', 'data': {'total': 0, 'list': []}})
    public = response(body={'code': 'Success', 'data': {'imageId': 'img-pub', 'status': 'active'}})
    session = FakeSession(not_found, private, private, nothing, public)
    backend = CECloudBackend(_client.ImsClient('http://h', 'r', dialect=DIALECT, session=session))
    assert backend.get_image('img-1')['status'] == 'active'
    assert backend.get_image('img-1')['status'] == 'active'
    assert backend.get_image('img-pub')['image_id'] == 'img-pub'
    assert [(c['url'].rsplit('/', 1)[-1], (c['params'] or {}).get('filter')) for c in session.calls] == [
        ('img-1', None), ('private-images', 'imageId:eq:img-1'), ('private-images', 'imageId:eq:img-1'),
        ('private-images', 'imageId:eq:img-pub'), ('img-pub', None)]


def test_update_image_puts_the_whole_field_set_with_the_changes_and_returns_the_image_as_updated():
    """PUT /private-images/{id} replaces every field: the ones the task leaves alone go out with the image's values."""
    session = FakeSession(response(body={'code': 'Success', 'data': None}))
    backend = CECloudBackend(_client.ImsClient('http://h', 'r', dialect=DIALECT, session=session))
    image = dict(image_id='img-1', name='web', disk_format='qcow2', instructions='64-bits', cpu_arch='x86', os_type='linux',
                 platform='CentOS', min_disk=20, min_ram=1024, boot_mode=None)
    updated = backend.update_image(image, dict(name='web-2', min_disk=40, instruction='32-bits'))
    assert session.calls[0]['method'] == 'PUT' and session.calls[0]['url'].endswith('/private-images/img-1')
    assert json.loads(session.calls[0]['data']) == dict(
        name='web-2', minDisk=40, instruction='32-bits', diskFormat='qcow2', cpuArch='x86', osType='linux',
        platform='CentOS', minRam=1024, bootMode='BIOS', osVersion='')
    assert updated == dict(image, name='web-2', min_disk=40, instructions='32-bits')
