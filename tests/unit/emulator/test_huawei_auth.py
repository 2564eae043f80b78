"""tests/emulator/huawei_auth.py: the gateway's AK/SK checks, recomputed with Huawei's SDK signer.

First the verifier alone, on requests signed by huaweicloudsdkcore itself; then over real HTTP,
on requests signed by the collection's SdkHmacSha256Auth and sent by requests, so that what is
checked is what goes over the wire (query rewriting, trimmed and UTF-8 header values, Host,
streamed bodies).
"""

import io
import json
import threading
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests

from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.signer import SdkHmacSha256Auth
from tests.emulator import huawei_auth
from tests.emulator._http import Handler as EmulatorHandler
from tests.emulator.huawei.client import sdk_signed_request
from tests.emulator.huawei_auth import Credential, verify

AK = 'AKEXAMPLEEXAMPLE0001'
SK = 'SKexampleSecretKey0000000000000000000001'
TEMP_AK = 'AKTEMPORARY000000001'
TEMP_SK = 'SKtemporary'
TOKEN = 'TOKENEXAMPLE'
PROJECT = '0123456789abcdef0123456789abcdef'
KEYS = {AK: SK, TEMP_AK: Credential(TEMP_SK, TOKEN)}
JAN_1_2025 = 1735689600
DATE = '20250101T000000Z'
HOST = 'ims.cn-north-4.myhuaweicloud.com'


def sdk_signed(method='GET', path='/v2/cloudimages', query=(), headers=None, body=None, ak=AK, sk=SK,
               token=None, date=DATE):
    """A request as huaweicloudsdkcore sends it: (method, path, query, headers, body) on the wire."""
    header_params = {'Content-Type': 'application/json', 'User-Agent': 'huaweicloud-usdk-python/3.0',
                     'X-Sdk-Date': date}
    header_params.update(headers or {})
    request = sdk_signed_request(method, f'https://{HOST}{path}', ak, sk, PROJECT, token, query=query, headers=header_params,
                                 body=body)
    wire_query = urlsplit(request.uri).query
    return dict(method=method, path=path, query=wire_query, headers=dict(request.header_params),
                body=body.encode('utf-8') if isinstance(body, str) else body)


def check(wire, now=JAN_1_2025, credentials=None):
    return verify(wire['method'], wire['path'], wire['query'], wire['headers'], wire['body'],
                  KEYS if credentials is None else credentials, now=now, request_id='req-1')


def test_a_request_signed_by_the_sdk_is_accepted():
    verdict = check(sdk_signed(query=[('name', u'my image/\u00e4'), ('tag', 'a=b'), ('tag', '')],
                               headers={'X-Note': u'gr\u00fc\u00dfe', 'X_Ignored': 'x'}))
    assert verdict.ok and verdict.status == 200
    assert verdict.access_key == AK and verdict.project_id == PROJECT


def test_a_json_body_is_covered_by_the_signature():
    wire = sdk_signed(method='POST', path='/v2/cloudimages/action', body='{"name": "a"}',
                      headers={'Content-Type': 'application/json;charset=utf-8'})
    assert check(wire).ok
    wire['body'] = b'{"name": "b"}'
    assert check(wire).reason == 'bad-signature'


def test_unsigned_payload_is_not_hashed():
    wire = sdk_signed(method='PATCH', path='/v2/images/x', body='[]',
                      headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
    wire['body'] = b'[{"op": "anything"}]'
    assert check(wire).ok


@pytest.mark.parametrize('tamper', [
    lambda wire: wire.update(query='name=other'),
    lambda wire: wire.update(path='/v2/images'),
    lambda wire: wire.update(method='DELETE'),
    lambda wire: wire['headers'].update({'User-Agent': 'changed'}),
    lambda wire: wire['headers'].pop('User-Agent'),
])
def test_a_changed_request_is_a_bad_signature(tamper):
    wire = sdk_signed(query=[('name', 'a')])
    tamper(wire)
    verdict = check(wire)
    assert (verdict.ok, verdict.status, verdict.body) == (False, 401, {
        'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information: verify aksk signature fail',
        'request_id': 'req-1'})


def test_an_unsigned_header_may_change():
    wire = sdk_signed(headers={'X_Trace': 'a'})
    wire['headers']['X_Trace'] = 'b'
    wire['headers']['Accept-Encoding'] = 'gzip'
    assert check(wire).ok


def test_wrong_secret_is_a_bad_signature():
    assert check(sdk_signed(sk='not-the-secret')).reason == 'bad-signature'


def test_unknown_access_key():
    verdict = check(sdk_signed(ak='AKUNKNOWN'))
    assert verdict.status == 401
    assert verdict.body['error_msg'] == 'Incorrect IAM authentication information: Get secretKey failed'


@pytest.mark.parametrize('offset, ok', [
    (15 * 60, True), (15 * 60 + 1, False), (-15 * 60, True), (-15 * 60 - 1, False), (86400, False)])
def test_x_sdk_date_within_15_minutes_of_the_gateway(offset, ok):
    verdict = check(sdk_signed(), now=JAN_1_2025 + offset)
    assert verdict.ok is ok
    if not ok:
        assert (verdict.reason, verdict.status, verdict.body['error_code']) == ('stale-date', 401, 'APIGW.0301')


def test_x_sdk_date_must_be_signed_and_well_formed():
    wire = sdk_signed()
    wire['headers']['X-Sdk-Date'] = '2025-01-01T00:00:00Z'
    assert check(wire).reason == 'no-date'
    wire['headers']['Authorization'] = wire['headers']['Authorization'].replace(';x-sdk-date', '')
    assert check(wire).reason == 'no-date'


def test_no_authorization_and_malformed_authorization():
    wire = sdk_signed()
    authorization = wire['headers'].pop('Authorization')
    assert check(wire).body['error_msg'] == 'Incorrect IAM authentication information: x-auth-token not found'
    wire['headers']['Authorization'] = authorization.replace('SDK-HMAC-SHA256', 'SDK-HMAC-SM3')
    assert check(wire).reason == 'malformed'


def test_temporary_keys_need_their_security_token():
    assert check(sdk_signed(ak=TEMP_AK, sk=TEMP_SK, token=TOKEN)).ok
    assert check(sdk_signed(ak=TEMP_AK, sk=TEMP_SK)).reason == 'security-token'
    assert check(sdk_signed(ak=TEMP_AK, sk=TEMP_SK, token='OTHER')).reason == 'security-token'


def test_doc_vector_v1_as_received():
    """Known-answer vector V1 of the SDK signer, as the wire carries it, is accepted."""
    headers = {
        'Content-Type': 'application/json', 'User-Agent': 'test-agent', 'X-Project-Id': PROJECT, 'X-Sdk-Date': DATE,
        'Host': HOST, 'Authorization': 'SDK-HMAC-SHA256 Access=AKEXAMPLEEXAMPLE0001, '
        'SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, '
        'Signature=29cacfe878397cba48d0f1ab16df0a2e961d425ec8819f4f401e42bdebbf9613'}
    verdict = verify('GET', '/v2/cloudimages', '__imagetype=private&limit=2&name=my%20image%2F%C3%A4&protected=false',
                     headers, b'', KEYS, now=JAN_1_2025)
    assert verdict.ok


# --- over real HTTP, signed by the collection's signer -----------------------------------

class _GatewayHandler(EmulatorHandler):
    """Only the emulator's body reading; every request goes through verify()."""

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        verdict = verify(method, parts.path, parts.query, self.headers, self._read_body(), KEYS,
                         now=self.server.now)
        payload = json.dumps(verdict.body or {'access_key': verdict.access_key, 'project_id': verdict.project_id,
                                              'project_signed': verdict.project_signed})
        self.send_response(verdict.status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload.encode('utf-8'))


@pytest.fixture(scope='module')
def gateway():
    server = ThreadingHTTPServer(('127.0.0.1', 0), _GatewayHandler)
    server.now = JAN_1_2025
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def collection_auth(secret_key=SK, access_key=AK, security_token=None):
    return SdkHmacSha256Auth(access_key, secret_key, project_id=PROJECT, security_token=security_token,
                             clock=lambda: JAN_1_2025 + 30)


def chunks():
    yield b'first '
    yield b'second'


@pytest.mark.parametrize('method, path, kwargs', [
    ('GET', '/v2/cloudimages', dict(params=[('name', u'my image+\u00e4'), ('tag', 'a=b'), ('tag', ''), ('__x', '~')])),
    ('GET', '/v2/images/a%20b/%E4%B8%80:x@y', dict(headers={'X-Note': u'gr\u00fc\u00dfe  ', 'X_Trace': 'a'})),
    ('POST', '/v2/cloudimages/action', dict(json={'name': u'\u00e4', 'tags': ['a', 'b']})),
    ('PATCH', '/v2/images/x', dict(data=b'[]', headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})),
    ('PUT', '/v2/images/x/file', dict(data=io.BytesIO(b'\x00\x01' * 100),
                                      headers={'Content-Type': 'application/octet-stream'})),
    ('PUT', '/v2/images/x/file', dict(data=chunks(), headers={'Content-Type': 'application/octet-stream'})),
    ('DELETE', '/v2/images/x', dict()),
])
def test_the_collection_signer_is_accepted_over_http(gateway, method, path, kwargs):
    response = requests.request(method, gateway + path, auth=collection_auth(), timeout=10, **kwargs)
    assert response.status_code == 200, response.text
    # X-Project-Id is signed: the gateway trusts no project the signature does not cover.
    assert response.json() == {'access_key': AK, 'project_id': PROJECT, 'project_signed': True}


def test_the_collection_signer_with_temporary_keys_over_http(gateway):
    response = requests.get(gateway + '/v2/cloudimages', timeout=10,
                            auth=collection_auth(TEMP_SK, access_key=TEMP_AK, security_token=TOKEN))
    assert response.status_code == 200, response.text


def test_a_wrong_secret_over_http_gets_the_gateway_401(gateway):
    response = requests.get(gateway + '/v2/cloudimages', auth=collection_auth('wrong'), timeout=10)
    assert response.status_code == 401
    assert response.json()['error_code'] == 'APIGW.0301'
    assert response.json()['error_msg'] == huawei_auth.MESSAGES['bad-signature']
