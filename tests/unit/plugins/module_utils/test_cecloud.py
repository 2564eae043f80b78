# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CECloud dialect (envelope, statuses, errors, paging, headers) and the backend's declared capabilities."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _backend, _client
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud import CECloudBackend, CECloudDialect
from ansible_collections.cecloud.ims.plugins.module_utils._errors import ImsApiError, ImsValidationError
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


def test_region_header_and_no_retryable_codes_beyond_the_statuses():
    assert DIALECT.default_headers('region0') == {'x-regionid': 'region0'}
    assert _client.Dialect().default_headers('region0') == {}     # the neutral transport sends no region header
    assert not DIALECT.is_retryable_error(response(400, body={'code': 'IMG.Internal.Error', 'message': 'x'}))


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
    assert backend.uploader == _backend.UPLOAD_VIA_SERVICE_S3
    assert backend.job_waiter is None


def test_share_principal_is_a_19_digit_user_id():
    principal = CECloudBackend.share_principal
    principal.check('users', ['7085524801413873664'])
    with pytest.raises(ImsValidationError) as err:
        principal.check('users', ['12345', 7085524801413873664])
    assert err.value.message == ("users must be user ids of 19 digits, as strings (quote them in YAML); "
                                 "not valid: '12345', 7085524801413873664.")
