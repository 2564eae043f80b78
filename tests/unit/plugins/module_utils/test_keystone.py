# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KeystonePasswordAuth against a small Keystone + image service on loopback: login, reuse, re-login, catalog."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core import client as _client
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.keystone import KeystonePasswordAuth
from tests.unit.plugins.module_utils.local_http import LocalServer

PASSWORD = 'pa55-w0rd-never-shown'
EXPIRES_AT = '2026-12-01T10:00:00.000000Z'
EXPIRES_EPOCH = 1796119200      # EXPIRES_AT in seconds since the epoch


class Cloud:
    """Keystone (/v3/auth/tokens) and an image service (/v2/images) in one server; tokens are t-1, t-2, ..."""

    def __init__(self):
        self.issued = []
        self.revoked = set()
        self.server = LocalServer(self.answer)
        self.catalog = None

    def answer(self, request):
        if request.path == '/v3/auth/tokens' and request.method == 'POST':
            user = request.json()['auth']['identity']['password']['user']
            if user['password'] != PASSWORD:
                return 401, {'Content-Type': 'application/json'}, {'error': {
                    'code': 401, 'title': 'Unauthorized', 'message': 'The request you have made requires authentication.'}}
            token = 't-%d' % (len(self.issued) + 1)
            self.issued.append(token)
            body = {'token': {'expires_at': EXPIRES_AT, 'catalog': self.catalog or self.default_catalog()}}
            return 201, {'X-Subject-Token': token, 'Content-Type': 'application/json'}, body
        if request.path.startswith('/v2/images'):
            token = request.headers.get('X-Auth-Token')
            if token not in self.issued or token in self.revoked:
                return 401, {}, b'Authentication required'
            return 200, {'Content-Type': 'application/json'}, {'images': [], 'seen_token': token}
        return 404, {}, b'not found'

    def default_catalog(self):
        return [
            {'type': 'identity', 'endpoints': [{'interface': 'public', 'region_id': 'RegionOne', 'url': self.url + '/v3'}]},
            {'type': 'image', 'endpoints': [
                {'interface': 'public', 'region_id': 'RegionOne', 'url': self.url},
                {'interface': 'internal', 'region_id': 'RegionOne', 'url': 'http://10.0.0.1:9292'},
                {'interface': 'public', 'region_id': 'RegionTwo', 'url': 'http://image.two.example:9292'}]},
        ]

    @property
    def url(self):
        return self.server.url

    def logins(self):
        return [r for r in self.server.requests if r.path == '/v3/auth/tokens']


@pytest.fixture
def cloud():
    cloud = Cloud()
    with cloud.server:
        yield cloud


def login(cloud, password=PASSWORD, clock=lambda: EXPIRES_EPOCH - 3600, **kwargs):
    options = dict(project_name='demo', project_domain_name='Default')
    options.update(kwargs)
    auth = KeystonePasswordAuth(cloud.url + '/v3', 'alice', password, clock=clock, **options)
    client = _client.ImsClient(cloud.url, 'RegionOne', auth=auth,
                               retry_policy=_client.RetryPolicy(retries=0, sleep=lambda s: None))
    return auth, client


def test_login_body_scopes_the_project_by_name_and_domain(cloud):
    _auth, client = login(cloud, user_domain_name='users')
    assert client.call('GET', '/v2/images')['seen_token'] == 't-1'
    body = cloud.logins()[0].json()['auth']
    assert body['identity'] == {'methods': ['password'], 'password': {'user': {
        'name': 'alice', 'domain': {'name': 'users'}, 'password': PASSWORD}}}
    assert body['scope'] == {'project': {'name': 'demo', 'domain': {'name': 'Default'}}}


def test_project_id_scope_and_user_domain_defaults_to_the_project_domain(cloud):
    _auth, client = login(cloud, project_name=None, project_id='p-42', project_domain_name='corp')
    client.call('GET', '/v2/images')
    body = cloud.logins()[0].json()['auth']
    assert body['scope'] == {'project': {'id': 'p-42'}}
    assert body['identity']['password']['user']['domain'] == {'name': 'corp'}


def test_token_is_reused_until_it_is_about_to_expire(cloud):
    now = [EXPIRES_EPOCH - 3600]
    _auth, client = login(cloud, clock=lambda: now[0])
    seen = [client.call('GET', '/v2/images')['seen_token'] for _dummy in range(3)]
    assert seen == ['t-1', 't-1', 't-1'] and len(cloud.logins()) == 1
    now[0] = EXPIRES_EPOCH - 30     # within a minute of the expiry: a new login before the request
    assert client.call('GET', '/v2/images')['seen_token'] == 't-2'
    assert len(cloud.logins()) == 2
    assert client.request_count == 6    # logins count too


def test_a_refused_token_is_renewed_once_and_the_request_sent_again(cloud):
    auth, client = login(cloud)
    client.call('GET', '/v2/images')
    cloud.revoked.add('t-1')
    assert client.call('GET', '/v2/images')['seen_token'] == 't-2'
    assert auth.logins == 2
    assert [r.path for r in cloud.server.requests] == [
        '/v3/auth/tokens', '/v2/images', '/v2/images', '/v3/auth/tokens', '/v2/images']


def test_a_token_refused_again_after_the_new_login_fails_without_a_loop(cloud):
    auth, client = login(cloud)
    cloud.revoked.update('t-%d' % n for n in range(1, 10))
    with pytest.raises(ImsApiError) as err:
        client.call('GET', '/v2/images')
    assert err.value.http_status == 401 and auth.logins == 2
    assert 'refused the credentials' in err.value.message and 'username' in err.value.message


def test_wrong_password_names_the_options_and_never_echoes_them(cloud):
    _auth, client = login(cloud, password='wrong-secret-value')
    with pytest.raises(ImsApiError) as err:
        client.call('GET', '/v2/images')
    text = json.dumps(err.value.fail_kwargs())
    assert err.value.http_status == 401
    assert 'refused the login' in text and 'password (IMS_PASSWORD, OS_PASSWORD)' in text and 'username' in text
    assert 'wrong-secret-value' not in text and PASSWORD not in text
    assert [r.path for r in cloud.server.requests] == ['/v3/auth/tokens']   # the image service was never asked


def test_catalog_lookup_by_type_region_and_interface(cloud):
    auth, _client_ = login(cloud)
    assert auth.endpoint_for('image', region='RegionOne') == cloud.url
    assert auth.endpoint_for('image', region='RegionOne', interface='internal') == 'http://10.0.0.1:9292'
    assert auth.endpoint_for('image', region='RegionTwo') == 'http://image.two.example:9292'
    assert len(cloud.logins()) == 1     # one login serves every look-up


def test_catalog_without_a_matching_endpoint_lists_what_it_has(cloud):
    auth, _client_ = login(cloud)
    with pytest.raises(ImsValidationError) as err:
        auth.endpoint_for('image', region='RegionThree')
    assert 'no image endpoint for interface public in region RegionThree' in err.value.message
    assert 'image public in RegionTwo: http://image.two.example:9292' in err.value.message
    with pytest.raises(ImsValidationError) as err:
        auth.endpoint_for('image')
    assert 'set region' in err.value.message


def test_a_login_answer_without_a_token_is_a_clear_error():
    server = LocalServer(lambda request: (200, {'Content-Type': 'application/json'}, {'version': 'not keystone'}))
    with server:
        auth = KeystonePasswordAuth(server.url, 'alice', PASSWORD, project_name='demo')
        client = _client.ImsClient(server.url, None, auth=auth, retry_policy=_client.RetryPolicy(retries=0))
        with pytest.raises(ImsApiError) as err:
            client.call('GET', '/v2/images')
    assert 'is auth_url %s/v3 a Keystone v3 endpoint?' % server.url in err.value.message
    assert server.requests[0].path == '/v3/auth/tokens'


@pytest.mark.parametrize('params,fragment', [
    (dict(username='u', password='p', project_name='x'), 'auth_url is required'),
    (dict(auth_url='keystone:5000', username='u', password='p', project_name='x'), 'auth_url must be an http:// or https://'),
    (dict(auth_url='http://k/v3', password='p', project_name='x'), 'username is required'),
    (dict(auth_url='http://k/v3', username='u', project_name='x'), 'password is required'),
    (dict(auth_url='http://k/v3', username='u', password='p'), 'project_name or project_id is required'),
])
def test_validate_names_the_missing_option_without_quoting_the_password(params, fragment):
    with pytest.raises(ImsValidationError) as err:
        KeystonePasswordAuth.validate(params)
    assert fragment in err.value.message
    assert "'p'" not in err.value.message


def test_repr_hides_the_password():
    assert PASSWORD not in repr(KeystonePasswordAuth('http://k', 'alice', PASSWORD, project_name='demo'))


def test_a_bad_auth_url_is_named_as_auth_url():
    auth = KeystonePasswordAuth('http://[not-a-host', 'alice', PASSWORD, project_name='demo')
    client = _client.ImsClient('http://127.0.0.1:9', None, auth=auth, retry_policy=_client.RetryPolicy(retries=0))
    with pytest.raises(ImsTransportError) as err:
        client.call('GET', '/v2/images')
    assert 'the URL is not valid' in err.value.message and 'Check auth_url.' in err.value.message
    assert PASSWORD not in err.value.message
