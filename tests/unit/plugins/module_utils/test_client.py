# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ImsClient: which requests are repeated and when, backoff, the envelope, errors, paging."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests
import urllib3

from ansible_collections.cecloud.ims.plugins.module_utils._core import client as _client
from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import BearerTokenAuth
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudDialect
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError


def response(status=200, body=None, text=None, headers=None, reason='OK'):
    resp = requests.Response()
    resp.status_code = status
    resp.reason = reason
    resp.headers.update(headers or {})
    if text is None:
        text = json.dumps(body if body is not None else {'code': 'Success', 'data': None, 'requestId': 'r-1'})
    resp._content = text.encode('utf-8')  # pylint: disable=protected-access
    return resp


def ok(data=None):
    return response(body={'code': 'Success', 'message': 'ok', 'requestId': 'r-ok', 'data': data})


def connect_refused():
    cause = urllib3.exceptions.NewConnectionError(None, 'Failed to establish a new connection: [Errno 111] Connection refused')
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, '/x', cause))


def connection_reset():
    return requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        'Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))


class FakeSession:
    """Plays back scripted outcomes (responses or exceptions) and records each request.

    Like ``requests.Session.request``, it applies ``auth`` to the prepared request; the recorded
    ``headers`` are the prepared request's, auth included, and ``prepared`` is the request itself.
    """

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        prepared = requests.Request(method, url, params=params, data=data, headers=headers, auth=auth).prepare()
        self.calls.append(dict(method=method, url=url, params=params, data=data, headers=prepared.headers,
                               prepared=prepared, **kwargs))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def make_client(*outcomes, retries=3, **kwargs):
    sleeps = []
    policy = _client.RetryPolicy(retries=retries, base_delay=1.0, max_delay=8.0, sleep=sleeps.append, rng=lambda: 1.0)
    client = _client.ImsClient('https://ims.example.com/', 'region0', auth=BearerTokenAuth('s3cr3t-token'),
                               retry_policy=policy, session=FakeSession(*outcomes), dialect=CECloudDialect(), **kwargs)
    return client, client.session, sleeps


@pytest.mark.parametrize('method', ['GET', 'PUT', 'DELETE'])
@pytest.mark.parametrize('status', [500, 502, 503, 504, 429])
def test_idempotent_methods_are_repeated_after_5xx_and_429(method, status):
    client, session, sleeps = make_client(response(status, text='busy'), ok({'a': 1}))
    assert client.call(method, '/x') == {'a': 1}
    assert len(session.calls) == 2
    assert sleeps == [1.0]


@pytest.mark.parametrize('method', ['GET', 'PUT', 'DELETE'])
@pytest.mark.parametrize('failure', [connection_reset, lambda: requests.exceptions.ReadTimeout('read timed out')])
def test_idempotent_methods_are_repeated_after_broken_connections(method, failure):
    client, session, _sleeps = make_client(failure(), ok('done'))
    assert client.call(method, '/x') == 'done'
    assert len(session.calls) == 2


@pytest.mark.parametrize('failure', [lambda: response(503, text='busy'), connection_reset,
                                     lambda: requests.exceptions.ReadTimeout('read timed out')])
def test_post_is_not_repeated_when_it_may_have_reached_the_server(failure):
    client, session, sleeps = make_client(failure(), ok())
    with pytest.raises((ImsApiError, ImsTransportError)):
        client.call('POST', '/x', json_body={'k': 'v'})
    assert len(session.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize('failure', [connect_refused, lambda: requests.exceptions.ConnectTimeout('connect timed out'),
                                     lambda: response(429, text='slow down')])
def test_post_is_repeated_when_the_server_cannot_have_processed_it(failure):
    client, session, _sleeps = make_client(failure(), ok({'imageId': 'img-1'}))
    assert client.call('POST', '/x', json_body={}) == {'imageId': 'img-1'}
    assert len(session.calls) == 2


def test_backoff_is_exponential_capped_and_jittered():
    policy = _client.RetryPolicy(retries=6, base_delay=0.5, max_delay=4.0, rng=lambda: 1.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    jittered = _client.RetryPolicy(base_delay=0.5, max_delay=4.0, rng=lambda: 0.25)
    assert jittered.delay(3) == 1.0


def test_retry_after_header_is_honoured_up_to_the_cap():
    client, _session, sleeps = make_client(response(429, text='', headers={'Retry-After': '3'}),
                                           response(503, text='', headers={'Retry-After': '99'}), ok())
    client.call('GET', '/x')
    assert sleeps == [3.0, 8.0]


def test_gives_up_after_the_configured_retries_with_the_url_and_cause():
    client, session, sleeps = make_client(*[connect_refused() for dummy in range(4)], retries=3)
    with pytest.raises(ImsTransportError) as err:
        client.call('GET', '/api/image/v1/images')
    assert len(session.calls) == 4
    assert len(sleeps) == 3
    message = err.value.message
    assert 'https://ims.example.com/api/image/v1/images' in message
    assert '4 attempt(s)' in message
    assert 'Connection refused' in message
    assert 's3cr3t-token' not in message


def test_last_5xx_is_reported_when_retries_run_out():
    client, session, _sleeps = make_client(*[response(503, text='<html>gateway down</html>', reason='Service Unavailable')
                                             for dummy in range(3)], retries=2)
    with pytest.raises(ImsApiError) as err:
        client.call('GET', '/x')
    assert len(session.calls) == 3
    assert err.value.http_status == 503
    assert '<html>gateway down</html>' in err.value.message


def test_an_error_answering_a_retry_says_so():
    """A DELETE whose first answer was lost and whose retry is answered "not found" may have been the one that deleted."""
    client, _session, _sleeps = make_client(connection_reset(), response(400, body={
        'code': 'IMG.DBGet.NoData', 'message': 'image not found', 'requestId': 'req-2'}))
    with pytest.raises(ImsApiError) as retried:
        client.call('DELETE', '/x')
    client, _session, _sleeps = make_client(response(400, body={'code': 'IMG.DBGet.NoData', 'message': 'image not found'}))
    with pytest.raises(ImsApiError) as first:
        client.call('DELETE', '/x')
    assert (retried.value.resent, first.value.resent) == (True, False)


def test_envelope_error_carries_code_message_request_id_and_status():
    client, _session, _sleeps = make_client(response(400, body={
        'code': 'IMG.InvalidParameter', 'message': 'name is invalid', 'requestId': 'req-42'}))
    with pytest.raises(ImsApiError) as err:
        client.call('POST', '/x', json_body={}, operation='create image x')
    exc = err.value
    assert (exc.code, exc.request_id, exc.http_status) == ('IMG.InvalidParameter', 'req-42', 400)
    assert exc.message == 'create image x failed: name is invalid (IMG.InvalidParameter)'
    assert exc.fail_kwargs() == dict(msg=exc.message, error_code='IMG.InvalidParameter', request_id='req-42', http_status=400)


def test_envelope_error_with_http_200_is_an_error():
    client, _session, _sleeps = make_client(response(200, body={'code': 'IMG.DBGet.NoData', 'message': 'no data'}))
    with pytest.raises(ImsApiError) as err:
        client.call('GET', '/x')
    assert err.value.code == 'IMG.DBGet.NoData'


def test_non_json_error_body_reports_status_and_the_start_of_the_body():
    body = '<html><body>' + 'x' * 500 + '</body></html>'
    client, _session, _sleeps = make_client(response(404, text=body, reason='Not Found'))
    with pytest.raises(ImsApiError) as err:
        client.call('GET', '/x')
    message = err.value.message
    assert 'HTTP 404 Not Found' in message
    assert '<html><body>xxx' in message
    assert len(message) < 300


def test_success_status_with_a_body_that_is_not_json():
    client, _session, _sleeps = make_client(response(200, text='hello'))
    with pytest.raises(ImsApiError) as err:
        client.call('GET', '/x')
    assert 'not a JSON envelope' in err.value.message and 'hello' in err.value.message


def test_refused_token_is_not_repeated_and_says_so():
    client, session, _sleeps = make_client(response(401, body={'code': 'IMG.OperationDenied.AuthFail', 'message': 'bad token'}))
    with pytest.raises(ImsApiError) as err:
        client.call('GET', '/x')
    assert len(session.calls) == 1
    assert 'refused the credentials' in err.value.message and 'IMS_AUTH_TOKEN' in err.value.message


def test_tls_failure_names_the_options_that_fix_it():
    client, _session, _sleeps = make_client(requests.exceptions.SSLError('certificate verify failed'))
    with pytest.raises(ImsTransportError) as err:
        client.call('GET', '/x')
    assert 'TLS verification failed' in err.value.message and 'ca_path' in err.value.message


def test_headers_auth_region_and_extra_headers_are_sent():
    client, session, _sleeps = make_client(ok(), extra_headers={'X-Trace': 'abc'}, ca_path='/etc/ca.pem', timeout=45)
    client.call('PUT', '/x', json_body={'name': '镜像'})
    sent = session.calls[0]
    assert sent['headers']['Authorization'] == 'Bearer s3cr3t-token'
    assert sent['headers']['x-regionid'] == 'region0'
    assert sent['headers']['X-Trace'] == 'abc'
    assert sent['headers']['Content-Type'] == 'application/json'
    assert sent['verify'] == '/etc/ca.pem'
    assert sent['timeout'] == (10.0, 45.0)
    assert json.loads(sent['data'].decode('utf-8')) == {'name': '镜像'}
    assert sent['url'] == 'https://ims.example.com/x'


def test_auth_repr_hides_the_token():
    assert 's3cr3t' not in repr(BearerTokenAuth('s3cr3t'))


def page(items, total, size=100, current=1):
    return ok({'size': size, 'current': current, 'total': total, 'list': items})


def test_paging_250_items_costs_3_requests():
    items = list(range(250))
    client, session, _sleeps = make_client(page(items[:100], 250), page(items[100:200], 250), page(items[200:], 250))
    assert list(client.paginate('/list', params={'filter': 'name:lk:a'})) == items
    assert [c['params'] for c in session.calls] == [
        {'filter': 'name:lk:a', 'size': 100, 'current': n} for n in (1, 2, 3)]


def test_paging_stops_on_total_for_an_exact_multiple():
    client, session, _sleeps = make_client(page(list(range(100)), 200), page(list(range(100, 200)), 200))
    assert len(list(client.paginate('/list'))) == 200
    assert len(session.calls) == 2


def test_paging_without_a_usable_total_stops_on_an_empty_page():
    client, session, _sleeps = make_client(page(list(range(100)), None), page([], None))
    assert len(list(client.paginate('/list'))) == 100
    assert len(session.calls) == 2


def test_paging_is_lazy():
    client, session, _sleeps = make_client(page(list(range(100)), 1000), page(list(range(100)), 1000))
    iterator = client.paginate('/list')
    assert [next(iterator) for dummy in range(100)] == list(range(100))
    assert len(session.calls) == 1


def test_paging_trusts_total_past_a_short_page_and_asks_the_served_size_next():
    items = list(range(120))
    client, session, _sleeps = make_client(page(items[:50], 120, size=50), page(items[50:100], 120, size=50),
                                           page(items[100:], 120, size=50))
    assert list(client.paginate('/list')) == items
    assert [(c['params']['size'], c['params']['current']) for c in session.calls] == [(100, 1), (50, 2), (50, 3)]


def test_paging_stops_on_an_empty_page_even_when_total_says_more():
    client, session, _sleeps = make_client(page(list(range(50)), 120, size=50), page([], 120, size=50))
    assert len(list(client.paginate('/list'))) == 50
    assert len(session.calls) == 2


def test_paging_without_a_total_stops_at_the_first_short_page():
    client, session, _sleeps = make_client(page(list(range(30)), None))
    assert len(list(client.paginate('/list'))) == 30
    assert len(session.calls) == 1


def test_an_invalid_url_is_reported_as_such_not_as_a_header_problem():
    client, _session, _sleeps = make_client(requests.exceptions.InvalidURL('Failed to parse: http://h:99999'))
    with pytest.raises(ImsTransportError) as caught:
        client.call('GET', '/x')
    assert 'the URL is not valid' in str(caught.value) and 'Check endpoint' in str(caught.value)
    assert 'header' not in str(caught.value)
