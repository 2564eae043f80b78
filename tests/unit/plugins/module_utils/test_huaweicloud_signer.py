# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SdkHmacSha256Auth against known answers and against Huawei's own signer (huaweicloudsdkcore, test-only).

Known answers: four vectors produced by the SDK signer (fake AK/SK, fixed X-Sdk-Date) and the SDK repository's own
(huaweicloud-sdk-python-v3, huaweicloud-sdk-core/tests/test_signer.py).  Then hypothesis
generates requests and the SDK signs each one too, with the same frozen time: the
Authorization header, the other signing headers and the request line sent must be equal.

Where the document and the SDK differ, these tests follow the SDK (it is what Huawei's gateway
accepts from every SDK user) and say so; docs/api-notes.md ("Huawei signing") lists the cases.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import io
import json
import string
from unittest import mock
from urllib.parse import quote, urlsplit

import pytest
import requests
from hypothesis import event, given, settings, strategies as st
from huaweicloudsdkcore.signer import signer as sdk_signer_module

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.signer import (
    SdkHmacSha256Auth, canonical_query, canonical_uri, check_credentials)
from tests.emulator.huawei.client import sdk_signed_request

AK = 'AKEXAMPLEEXAMPLE0001'
SK = 'SKexampleSecretKey0000000000000000000001'
PROJECT = '0123456789abcdef0123456789abcdef'
JAN_1_2025 = 1735689600  # 20250101T000000Z
IMS = 'https://ims.cn-north-4.myhuaweicloud.com'
IMAGE = '3b8a4f1c-0000-4000-8000-000000000001'


def signed(method, url, auth, params=None, headers=None, data=None, session=None):
    """A prepared request as requests sends it, signed by ``auth``.

    Without a session, requests adds no default headers: the known-answer vectors list the
    headers they sign and nothing else.
    """
    request = requests.Request(method, url, params=params, headers=headers, data=data, auth=auth)
    return session.prepare_request(request) if session else request.prepare()


def auth_header(prepared):
    return prepared.headers['Authorization']


def fixed_auth(access_key=AK, secret_key=SK, project_id=PROJECT, security_token=None, epoch=JAN_1_2025):
    return SdkHmacSha256Auth(access_key, secret_key, project_id=project_id, security_token=security_token,
                             clock=lambda: epoch)


# --- known answers of the SDK signer -------------------------------------------------------

def test_doc_vector_v1_get_with_query_and_user_agent():
    prepared = signed('GET', IMS + '/v2/cloudimages', fixed_auth(),
                      params=[('__imagetype', 'private'), ('limit', 2), ('name', u'my image/\u00e4'),
                              ('protected', 'false')],
                      headers={'Content-Type': 'application/json', 'User-Agent': 'test-agent'})
    assert auth_header(prepared) == (
        'SDK-HMAC-SHA256 Access=AKEXAMPLEEXAMPLE0001, '
        'SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, '
        'Signature=29cacfe878397cba48d0f1ab16df0a2e961d425ec8819f4f401e42bdebbf9613')
    # The doc's wire URI: the query is sent exactly as it was signed.
    assert prepared.path_url == '/v2/cloudimages?__imagetype=private&limit=2&name=my%20image%2F%C3%A4&protected=false'
    assert prepared.headers['X-Sdk-Date'] == '20250101T000000Z'
    assert prepared.headers['X-Project-Id'] == PROJECT
    assert prepared.headers['Host'] == 'ims.cn-north-4.myhuaweicloud.com'


def test_doc_vector_v1_python_bool_is_not_the_sdk_bool():
    """The doc's V1 passes protected=False to the SDK, which writes ``false``; requests writes ``False``.

    The signer signs what is sent and cannot know a value was a bool: callers pass 'true'/'false'.
    """
    prepared = signed('GET', IMS + '/v2/cloudimages', fixed_auth(), params={'protected': False})
    assert prepared.path_url == '/v2/cloudimages?protected=False'


def test_doc_vector_v2_post_json_body_is_hashed():
    body = b'{"bucket_url":"mybucket:exports/img.qcow2","file_format":"qcow2"}'
    prepared = signed('POST', IMS + '/v1/cloudimages/%s/file' % IMAGE, fixed_auth(),
                      headers={'Content-Type': 'application/json;charset=utf-8'}, data=body)
    assert 'X-Sdk-Content-Sha256' not in prepared.headers
    assert auth_header(prepared) == (
        'SDK-HMAC-SHA256 Access=AKEXAMPLEEXAMPLE0001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, '
        'Signature=db7ae527096d7a3a8cd69b505e96272d06ad7ead4c7d33e9f5cc08da41d6bfa6')
    assert prepared.body == body


def test_doc_vector_v3_json_patch_is_unsigned_payload():
    prepared = signed('PATCH', IMS + '/v2/images/%s' % IMAGE, fixed_auth(),
                      headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'},
                      data=b'[{"op":"replace","path":"/name","value":"new"}]')
    assert prepared.headers['X-Sdk-Content-Sha256'] == 'UNSIGNED-PAYLOAD'
    assert auth_header(prepared) == (
        'SDK-HMAC-SHA256 Access=AKEXAMPLEEXAMPLE0001, '
        'SignedHeaders=content-type;host;x-project-id;x-sdk-content-sha256;x-sdk-date, '
        'Signature=715bfd2ef96da7b9e2cb4cd5e07fdb3c33422b4cf062e6bc55432d15c6f5f451')


def test_doc_vector_v4_temporary_credentials_and_reserved_query_characters():
    prepared = signed('GET', 'https://ims.ap-southeast-1.myhuaweicloud.com/v1/%s/jobs/ff8080814dbd65d7014dbe0d84db0013'
                      % PROJECT, fixed_auth(security_token='TOKENEXAMPLE'),
                      params=[('created_at', 'gt:2018-10-28T10:00:00Z'), ('tag', 'a=b'), ('__imagetype', 'private')],
                      headers={'Content-Type': 'application/json'})
    assert prepared.headers['X-Security-Token'] == 'TOKENEXAMPLE'
    assert urlsplit(prepared.url).query == '__imagetype=private&created_at=gt%3A2018-10-28T10%3A00%3A00Z&tag=a%3Db'
    assert auth_header(prepared) == (
        'SDK-HMAC-SHA256 Access=AKEXAMPLEEXAMPLE0001, '
        'SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, '
        'Signature=19b61c942069881d690d4916b45f5d7a0bec77512e62e009a7898bd47725c025')


# --- the SDK repository's own known answers (Signer.sign without credentials' headers) ------

SDK_VECTOR_URL = 'https://service.endpoint.myhuaweicloud.com/resources'
SDK_VECTOR_HEADERS = {'X-Sdk-Date': '20200608T023900Z', 'TEST_UNDERSCORE': 'TEST_VALUE'}


@pytest.mark.parametrize('method, body, signature', [
    ('GET', '', 'cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842'),
    ('POST', '{"name":"test","id":1}', '436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f'),
])
def test_sdk_repository_vectors_preset_date_and_underscore_header(method, body, signature):
    """test_signer1/test_signer2: a preset X-Sdk-Date is reused; TEST_UNDERSCORE is sent, not signed."""
    auth = SdkHmacSha256Auth('AccessKey', 'SecretKey', clock=lambda: pytest.fail('a preset date must be reused'))
    prepared = signed(method, SDK_VECTOR_URL, auth, params={'size': '1'}, headers=dict(SDK_VECTOR_HEADERS), data=body)
    assert auth_header(prepared) == (
        'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=%s' % signature)
    assert prepared.headers['TEST_UNDERSCORE'] == 'TEST_VALUE'


def test_sdk_repository_canonical_query_vector():
    """test_process_canonical_query_string, through requests: repeated names, reserved and CJK characters."""
    params = [('limit', '1'), ('enable', 'true'), ('test', u'\u4e00 (&=?!#%.*)'), ('path', '/tmp/123'),
              ('multi', '1'), ('multi', '2'), ('multi', '3')]
    prepared = signed('GET', SDK_VECTOR_URL, fixed_auth(), params=params)
    expected = ('enable=true&limit=1&multi=1&multi=2&multi=3'
                '&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29')
    assert urlsplit(prepared.url).query == expected


# --- the canonical forms, one rule at a time -------------------------------------------------

@pytest.mark.parametrize('path, expected', [
    ('/', '/'),
    ('', '/'),
    ('/v2/cloudimages', '/v2/cloudimages/'),
    ('/v2/cloudimages/', '/v2/cloudimages/'),
    ('/v2/images/a%20b', '/v2/images/a%20b/'),
    ('/v2/images/a:b@c', '/v2/images/a%3Ab%40c/'),
    ('/v2/images/%7Eme', '/v2/images/~me/'),
    # An encoded slash is decoded, then split on: the SDK's rule (never put '/' into path IDs).
    ('/v1/tags/a%2Fb', '/v1/tags/a/b/'),
    ('/v2/%C3%A4', '/v2/%C3%A4/'),
])
def test_canonical_uri(path, expected):
    assert canonical_uri(path) == expected


@pytest.mark.parametrize('query, expected', [
    ('', ''),
    ('b=2&a=1', 'a=1&b=2'),
    # Sorted on the raw values BEFORE encoding: 'z' < u'\u00e4' and 'a' < '{', though '%C3%A4' < 'z' and '%7B' < 'a'.
    ('k=%C3%A4&k=z', 'k=z&k=%C3%A4'),
    ('k=%7B&k=a&k=B', 'k=B&k=a&k=%7B'),
    ('%7B=1&a=2', 'a=2&%7B=1'),
    ('flag', 'flag='),
    ('empty=&x=1', 'empty=&x=1'),
    ('=v', '=v'),
    ('a=1&&b=2', 'a=1&b=2'),
    ('name=my+image', 'name=my%20image'),
    ('name=a%2Bb', 'name=a%2Bb'),
    ('t=%7E%21', 't=~%21'),
])
def test_canonical_query(query, expected):
    assert canonical_query(query) == expected


def test_headers_with_underscore_are_sent_but_not_signed():
    prepared = signed('GET', IMS + '/v2/cloudimages', fixed_auth(), headers={'X_Trace_Id': 'abc', 'X-Trace': 'd'})
    assert prepared.headers['X_Trace_Id'] == 'abc'
    assert 'SignedHeaders=host;x-project-id;x-sdk-date;x-trace,' in auth_header(prepared)


def test_transport_headers_of_a_session_are_not_signed():
    """requests' session adds Accept, Accept-Encoding, Connection; the SDK signs before they exist."""
    prepared = signed('POST', IMS + '/v2/cloudimages/action', fixed_auth(), session=requests.Session(),
                      headers={'Content-Type': 'application/json'}, data=b'{}')
    assert {'Accept', 'Accept-Encoding', 'Connection', 'Content-Length'} <= set(prepared.headers)
    assert 'SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date,' in auth_header(prepared)


def test_host_keeps_an_explicit_port_and_drops_user_info():
    prepared = signed('GET', 'https://user:pw@127.0.0.1:8443/v2/cloudimages', fixed_auth())
    assert prepared.headers['Host'] == '127.0.0.1:8443'


def test_header_values_are_sent_trimmed_and_non_ascii_as_utf8():
    prepared = signed('GET', IMS + '/v2/cloudimages', fixed_auth(), headers={'X-Note': u'gr\u00fc\u00dfe  x  '})
    assert prepared.headers['X-Note'] == u'gr\u00fc\u00dfe  x'.encode('utf-8')


def test_text_body_is_sent_as_the_utf8_bytes_that_were_hashed():
    prepared = signed('POST', IMS + '/v2/cloudimages/action', fixed_auth(),
                      headers={'Content-Type': 'application/json'}, data=u'{"name": "\u00e4"}')
    assert prepared.body == u'{"name": "\u00e4"}'.encode('utf-8')
    assert prepared.headers['Content-Length'] == str(len(prepared.body))


class UnreadableFile(io.RawIOBase):
    """A file body the signer must never read (an image of many GiB)."""

    def readable(self):
        return True

    def read(self, size=-1):
        raise AssertionError('the signer read the body')

    readinto = read


@pytest.mark.parametrize('content_type', ['application/octet-stream', 'application/json', None])
def test_streamed_body_is_never_read_and_is_unsigned_payload(content_type):
    headers = {'Content-Type': content_type} if content_type else {}
    headers['Content-Length'] = '10'
    prepared = signed('PUT', IMS + '/v2/images/%s/file' % IMAGE, fixed_auth(), headers=headers, data=UnreadableFile())
    assert prepared.headers['X-Sdk-Content-Sha256'] == 'UNSIGNED-PAYLOAD'
    assert 'x-sdk-content-sha256' in auth_header(prepared)


def test_empty_body_with_a_non_json_type_hashes_as_empty_like_the_sdk():
    """The header says UNSIGNED-PAYLOAD yet the payload line is the empty hash: the SDK checks the body first.

    Huawei's signing description reads as if the header always wins; the SDK, which the gateway accepts, does this.
    """
    ours = signed('DELETE', IMS + '/v2/images/%s' % IMAGE, fixed_auth(), headers={'Content-Type': 'text/plain'})
    theirs = sdk_signed('DELETE', IMS + '/v2/images/%s' % IMAGE, [], {'Content-Type': 'text/plain'}, None,
                        project_id=PROJECT)
    assert ours.headers['X-Sdk-Content-Sha256'] == 'UNSIGNED-PAYLOAD'
    assert auth_header(ours) == theirs.header_params['Authorization']


def test_signing_twice_gives_the_same_signature():
    auth = fixed_auth()
    prepared = signed('POST', IMS + '/v2/cloudimages/action', auth, headers={'Content-Type': 'application/json'},
                      data=b'{"a": 1}', params={'q': u'\u00e4 b'})
    first = auth_header(prepared)
    assert auth(prepared).headers['Authorization'] == first


def test_a_malformed_preset_date_is_refused():
    with pytest.raises(ValueError, match='X-Sdk-Date'):
        signed('GET', IMS + '/', fixed_auth(), headers={'X-Sdk-Date': '2025-01-01T00:00:00Z'})


def test_dot_segments_are_signed_as_sent():
    """requests (urllib3) removes '.' and '..' segments before the signer runs, so they are signed as sent.

    The SDK signs the path it was given and then hands it to requests, which sends it without them:
    such a path never works through the SDK.  No IMS path has one.
    """
    prepared = signed('GET', IMS + '/v2/a/../cloudimages', fixed_auth())
    assert prepared.path_url == '/v2/cloudimages'
    assert auth_header(prepared) == auth_header(signed('GET', IMS + '/v2/cloudimages', fixed_auth()))


# --- validate() ------------------------------------------------------------------------------

@pytest.mark.parametrize('params, message', [
    (dict(access_key=AK), 'access_key is set but secret_key is not'),
    (dict(secret_key=SK), 'secret_key is set but access_key is not'),
    (dict(), 'access_key and secret_key are required'),
    (dict(access_key='', secret_key=SK), 'access_key is empty'),
    (dict(access_key=AK, secret_key='  '), 'secret_key is empty'),
    (dict(access_key=AK, secret_key=SK, project_id=''), 'project_id is empty'),
    (dict(access_key=AK, secret_key=SK, security_token=''), 'security_token is empty'),
    (dict(access_key=AK + '\n', secret_key=SK), 'access_key contains a line break'),
    (dict(access_key=AK, secret_key=SK + '\r\n'), 'secret_key contains a line break'),
    (dict(access_key=AK, secret_key=SK, security_token='tok\x00en'), 'security_token contains a line break'),
    (dict(access_key=AK, secret_key=SK, project_id='p\x7f'), 'project_id contains a line break'),
    (dict(access_key=AK, secret_key=12345), 'secret_key must be a string'),
    (dict(access_key='AK EXAMPLE', secret_key=SK), 'access_key must be printable ASCII'),
    (dict(access_key='AK,X', secret_key=SK), 'access_key must be printable ASCII'),
    (dict(access_key=u'AK\u00e4', secret_key=SK), 'access_key must be printable ASCII'),
])
def test_validate_refuses_without_quoting_the_values(params, message):
    with pytest.raises(ImsValidationError, match=message) as caught:
        SdkHmacSha256Auth.validate(params)
    for value in params.values():
        if isinstance(value, str) and value.strip():
            assert value.strip() not in str(caught.value)
    with pytest.raises(ImsValidationError):
        SdkHmacSha256Auth(params.get('access_key'), params.get('secret_key'), project_id=params.get('project_id'),
                          security_token=params.get('security_token'))


def test_validate_accepts_complete_credentials():
    check_credentials(AK, SK)
    SdkHmacSha256Auth.validate(dict(access_key=AK, secret_key=SK, project_id=PROJECT, security_token='t'))


def test_repr_hides_the_keys():
    text = repr(fixed_auth(security_token='TOKENEXAMPLE'))
    assert AK not in text and SK not in text and 'TOKENEXAMPLE' not in text


# --- agreement with huaweicloudsdkcore on generated requests ----------------------------------

class _FrozenDatetime(datetime.datetime):
    """The SDK reads datetime.utcnow() when no X-Sdk-Date is preset; this freezes it."""

    epoch = JAN_1_2025

    @classmethod
    def utcnow(cls):
        return cls.fromtimestamp(cls.epoch, datetime.timezone.utc).replace(tzinfo=None)


def sdk_signed(method, url, query, headers, body, project_id=None, security_token=None, access_key=AK,
               secret_key=SK, epoch=JAN_1_2025):
    """The same request signed by huaweicloudsdkcore (BasicCredentials.sign_request, as its clients do) at ``epoch``."""
    with mock.patch.object(_FrozenDatetime, 'epoch', epoch), \
            mock.patch.object(sdk_signer_module, 'datetime', _FrozenDatetime):
        return sdk_signed_request(method, url, access_key, secret_key, project_id, security_token, query=query, headers=headers,
                                  body=body)


TOKEN_CHARS = "!#$%&'*+.^`|~-" + string.ascii_letters + string.digits
# Names the signer or requests set themselves, compared separately.
RESERVED_HEADERS = {'host', 'content-type', 'user-agent', 'authorization', 'x-sdk-date', 'x-sdk-content-sha256',
                    'x-project-id', 'x-security-token', 'accept', 'accept-encoding', 'connection',
                    'content-length', 'transfer-encoding'}
ANY_TEXT = st.characters(blacklist_categories=('Cs',))
# Reserved, percent, plus, space, non-ASCII (Latin-1, CJK, emoji): the characters encoding gets wrong.
TRICKY_TEXT = st.one_of(st.sampled_from(list(u"/?#[]@!$&'()*+,;=%:~ -._\u00e4\u00df\u4e00\U0001f600")), ANY_TEXT)

header_names = st.one_of(
    st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=12),
    st.builds('{}_{}'.format, st.text(alphabet=TOKEN_CHARS + '_', max_size=5), st.text(alphabet=TOKEN_CHARS, max_size=5)),
).filter(lambda name: name.lower() not in RESERVED_HEADERS)
# requests refuses a value that starts with whitespace or holds a line break; trailing blanks are trimmed.
header_values = st.builds(
    '{}{}'.format,
    st.text(alphabet=st.characters(blacklist_categories=('Cs',), blacklist_characters='\r\n'), max_size=16),
    st.sampled_from(['', ' ', ' \t', u'\u3000'])).filter(lambda value: not value[:1].isspace())
segments = st.text(alphabet=TRICKY_TEXT, max_size=8).filter(lambda seg: seg not in ('.', '..'))
# A path as Huawei's SDK builds it: each parameter percent-encoded with no safe character, or
# sub-delimiters left as they are (requests sends them unchanged).
path_styles = st.sampled_from(['', "!$&'()*+,;=:@"])
query_names = st.one_of(st.sampled_from(['limit', 'name', '__imagetype', 'tag', '']), st.text(TRICKY_TEXT, max_size=6))
query_values = st.one_of(st.just(''), st.text(TRICKY_TEXT, max_size=10))
content_types = st.sampled_from([None, 'application/json', 'application/json;charset=utf-8', 'application/bson',
                                 'application/openstack-images-v2.1-json-patch', 'application/octet-stream',
                                 'text/plain'])
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(ANY_TEXT, max_size=8)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)
bodies = st.one_of(
    st.none(),
    st.just(b''),
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False).encode('utf-8')),
    st.binary(max_size=64),
    st.text(ANY_TEXT, max_size=16),  # a text body: sent (and hashed) as UTF-8
)
secrets = st.text(alphabet=st.characters(blacklist_categories=('Cs', 'Cc')), min_size=1, max_size=40).filter(
    lambda value: value.strip())


@st.composite
def generated_requests(draw):
    method = draw(st.sampled_from(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']))
    base = draw(st.sampled_from([IMS, 'https://ims.ap-southeast-1.myhuaweicloud.com', 'http://127.0.0.1:8443']))
    safe = draw(path_styles)
    path = '/' + '/'.join(quote(seg, safe=safe) for seg in draw(st.lists(segments, min_size=1, max_size=4)))
    if draw(st.booleans()):
        path += '/'
    query = draw(st.lists(st.tuples(query_names, query_values), max_size=6))
    if query and draw(st.booleans()):
        query.append((query[0][0], draw(query_values)))  # a repeated name
    headers = {}
    for name, value in draw(st.lists(st.tuples(header_names, header_values), max_size=4)):
        if name.lower() not in {n.lower() for n in headers}:
            headers[name] = value
    content_type = draw(content_types)
    if content_type:
        headers['Content-Type'] = content_type
    if draw(st.booleans()):
        headers['User-Agent'] = draw(header_values)
    if draw(st.integers(0, 9)) == 0:
        headers['X-Sdk-Date'] = '20241231T235959Z'  # preset by the caller: both reuse it
    streamed = bool(content_type) and not content_type.startswith(('application/json', 'application/bson')) \
        and draw(st.booleans())
    body = draw(st.binary(max_size=32)) if streamed else draw(bodies)
    return dict(method=method, url=base + path, path=path, query=query, headers=headers, body=body, streamed=streamed,
                access_key=draw(st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=20)),
                secret_key=draw(secrets),
                project_id=draw(st.one_of(st.none(), st.text('0123456789abcdef', min_size=32, max_size=32))),
                security_token=draw(st.one_of(st.none(), st.text(string.ascii_letters + string.digits + '+/=-_',
                                                                 min_size=1, max_size=40))))


SESSION = requests.Session()


def describe(case, prepared):
    """Hypothesis events (shown by --hypothesis-show-statistics): how often each tricky feature was generated."""
    names = [name for name, _value in case['query']]
    features = {
        'query: a repeated name': len(names) != len(set(names)),
        'query: an empty value or name': any(not name or not value for name, value in case['query']),
        'path: non-ASCII': any(ord(char) > 127 for char in requests.utils.unquote(case['path'])),
        'path: a reserved character': any(char in "%!$&'()*+,;=:@" for char in case['path']),
        'header: a name with _ (unsigned)': any('_' in name for name in case['headers']),
        'header: a value with trailing blanks': any(value != value.rstrip() for value in case['headers'].values()),
        'header: a non-ASCII value': any(isinstance(value, bytes) for value in prepared.headers.values()),
        'body: streamed': case['streamed'],
        'body: hashed (non-empty, JSON/BSON or no type)': 'X-Sdk-Content-Sha256' not in prepared.headers
        and bool(case['body']),
        'X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD': 'X-Sdk-Content-Sha256' in prepared.headers,
        'X-Security-Token': case['security_token'] is not None,
    }
    for feature, present in features.items():
        if present:
            event(feature)


def wire_bytes(value):
    """A header value as http.client puts it on the wire (text is Latin-1 encoded there)."""
    return value if isinstance(value, bytes) else value.encode('latin-1')


@settings(max_examples=300, deadline=None)
@given(generated_requests())
def test_agrees_with_the_sdk_signer(case):
    """Same Authorization, same signing headers, same request line: over every generated request."""
    epoch = JAN_1_2025 + 12345
    auth = SdkHmacSha256Auth(case['access_key'], case['secret_key'], project_id=case['project_id'],
                             security_token=case['security_token'], clock=lambda: epoch)
    ours_body = io.BytesIO(case['body']) if case['streamed'] else case['body']
    ours = signed(case['method'], case['url'], auth, params=case['query'], headers=dict(case['headers']),
                  data=ours_body, session=SESSION)
    assert urlsplit(ours.url).path == case['path'], 'requests changed the path: the comparison would be void'

    # What Huawei's SDK client holds when it signs: the caller's headers and its own User-Agent
    # (here the one requests sends: the caller's, else requests' default).
    sdk_headers = dict(case['headers'])
    sdk_headers.setdefault('User-Agent', requests.utils.default_user_agent())
    theirs_body = io.BytesIO(case['body']) if case['streamed'] else case['body']
    theirs = sdk_signed(case['method'], case['url'], case['query'], sdk_headers, theirs_body,
                        project_id=case['project_id'], security_token=case['security_token'],
                        access_key=case['access_key'], secret_key=case['secret_key'], epoch=epoch)

    assert ours.headers['Authorization'] == theirs.header_params['Authorization']
    assert ours.path_url == theirs.uri
    signed_names = theirs.header_params['Authorization'].split('SignedHeaders=')[1].split(',')[0].split(';')
    sdk_sent = {name.lower(): value for name, value in theirs.header_params.items()}
    for name in signed_names:
        assert wire_bytes(ours.headers[name]) == wire_bytes(sdk_sent[name]), name
    for name in ('X-Sdk-Content-Sha256', 'X-Project-Id', 'X-Security-Token'):
        assert ours.headers.get(name) == sdk_sent.get(name.lower())
    describe(case, ours)
