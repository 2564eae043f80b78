# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth schemes: applied to the prepared request (a signer sees the final URL and body), chosen by options."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import hmac

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core import client as _client
from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import (
    Auth, BearerTokenAuth, NoAuth, XAuthTokenAuth, choose_auth)
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.keystone import KeystonePasswordAuth
from tests.unit.plugins.module_utils.local_http import LocalServer

SIGNING_KEY = b'signing-key'


def signature(method, path_with_query, body):
    return hmac.new(SIGNING_KEY, b'\n'.join([method.encode(), path_with_query.encode(), body or b'']),
                    hashlib.sha256).hexdigest()


class SigningAuth(Auth):
    """Signs method, path with query and body, as a request signer (Huawei AK/SK) does."""

    def __init__(self):
        super(SigningAuth, self).__init__()
        self.signed = []

    def __call__(self, request):
        self.signed.append(request.path_url)
        request.headers['X-Signature'] = signature(request.method, request.path_url, request.body)
        return request


def checking_server(outcomes=None):
    """Answers 200 when X-Signature matches what arrived, 403 otherwise; ``outcomes`` are scripted answers first."""
    outcomes = list(outcomes or [])

    def answer(request):
        if outcomes:
            return outcomes.pop(0)
        good = request.headers.get('X-Signature') == signature(request.method, request.path, request.body)
        return (200, {'Content-Type': 'application/json'}, {'ok': True}) if good else (403, {}, b'bad signature')
    return LocalServer(answer)


def client_for(server, auth, retries=0):
    return _client.ImsClient(server.url, 'region0', auth=auth,
                             retry_policy=_client.RetryPolicy(retries=retries, sleep=lambda s: None))


def test_a_signer_sees_the_final_url_with_its_query_and_the_body():
    auth = SigningAuth()
    with checking_server() as server:
        client = client_for(server, auth)
        assert client.call('GET', '/v2/images', params={'limit': 100, 'name': 'web 1'}) == {'ok': True}
        assert client.call('POST', '/v2/images', json_body={'name': '镜像'}) == {'ok': True}
    assert auth.signed == ['/v2/images?limit=100&name=web+1', '/v2/images']
    assert server.requests[1].body == u'{"name": "镜像"}'.encode('utf-8')


def test_each_retry_is_signed_again():
    auth = SigningAuth()
    with checking_server(outcomes=[(503, {}, b'busy')]) as server:
        assert client_for(server, auth, retries=1).call('GET', '/x', params={'a': 1}) == {'ok': True}
    assert auth.signed == ['/x?a=1', '/x?a=1'] and len(server.requests) == 2


@pytest.mark.parametrize('auth,header,value', [
    (BearerTokenAuth('tok-1'), 'Authorization', 'Bearer tok-1'),
    (XAuthTokenAuth('tok-2'), 'X-Auth-Token', 'tok-2'),
])
def test_token_schemes_send_their_header(auth, header, value):
    with LocalServer(lambda request: (200, {'Content-Type': 'application/json'}, {})) as server:
        client_for(server, auth).call('GET', '/x')
    assert server.requests[0].headers[header] == value


def test_an_authorization_header_of_extra_headers_goes_out_unchanged():
    with LocalServer(lambda request: (200, {'Content-Type': 'application/json'}, {})) as server:
        client = _client.ImsClient(server.url, 'r', auth=NoAuth(), extra_headers={'Authorization': 'SDK-HMAC x'})
        client.call('GET', '/x')
    assert server.requests[0].headers['Authorization'] == 'SDK-HMAC x'


CECLOUD_ENV = {'auth_token': ('IMS_AUTH_TOKEN',)}


def test_choose_auth_prefers_the_token_then_the_header():
    assert choose_auth((BearerTokenAuth, NoAuth), dict(auth_token='t', extra_headers=None), CECLOUD_ENV) is BearerTokenAuth
    assert choose_auth((BearerTokenAuth, NoAuth), dict(auth_token=None, extra_headers={'authorization': 'x'}),
                       CECLOUD_ENV) is NoAuth


def test_choose_auth_without_credentials_names_every_way():
    with pytest.raises(ImsValidationError) as err:
        choose_auth((BearerTokenAuth, NoAuth), dict(auth_token='', extra_headers={}), CECLOUD_ENV)
    assert err.value.message == ('auth_token is required: set the auth_token option or the IMS_AUTH_TOKEN environment '
                                 'variable (or pass an Authorization header in extra_headers).')
    env_of = dict(KeystonePasswordAuth.ENV_OF, auth_token=('IMS_AUTH_TOKEN', 'OS_TOKEN'))
    with pytest.raises(ImsValidationError) as err:
        choose_auth((KeystonePasswordAuth, XAuthTokenAuth), {}, env_of)
    assert 'auth_url is required' in err.value.message and 'OS_AUTH_URL' in err.value.message
    assert 'auth_token (IMS_AUTH_TOKEN, OS_TOKEN)' in err.value.message


def test_a_token_with_a_line_break_is_refused_without_quoting_it():
    with pytest.raises(ImsValidationError) as err:
        choose_auth((BearerTokenAuth, NoAuth), dict(auth_token='secret-tok\n'), CECLOUD_ENV)
    assert 'auth_token contains a line break' in err.value.message and 'secret-tok' not in err.value.message


def test_refused_hints_name_options_not_values():
    assert BearerTokenAuth('s3cr3t').refused_hint() == 'Check auth_token (IMS_AUTH_TOKEN): it may be wrong or expired.'
    hint = XAuthTokenAuth('s3cr3t', {'auth_token': ('IMS_AUTH_TOKEN', 'OS_TOKEN')}).refused_hint()
    assert 'OS_TOKEN' in hint and 's3cr3t' not in hint
    assert 's3cr3t' not in repr(XAuthTokenAuth('s3cr3t'))
