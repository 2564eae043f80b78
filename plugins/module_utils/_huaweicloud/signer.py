# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud AK/SK request signing, algorithm ``SDK-HMAC-SHA256``, without Huawei's SDK.

``SdkHmacSha256Auth`` is a ``requests`` auth class: requests calls it on the PREPARED request,
so it signs the final URL, query, headers and body.  It does what ``huaweicloudsdkcore``'s
``BasicCredentials`` + ``Signer`` do (reference: Huawei API Gateway's AK/SK signing, SDK-HMAC-SHA256; the unit
tests compare the two on generated requests), and, like the SDK, it sends exactly what it signs:
the query is rewritten into its canonical form, signed header values are sent trimmed.

What is signed: every header present at signing time except names containing ``_`` (the SDK's
rule), ``Authorization`` itself, and the transport headers requests and urllib3 add on their
own (``TRANSPORT_HEADERS``); the SDK signs before requests adds those, so it never signs them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import hmac
import re
import time

from urllib.parse import quote, unquote_to_bytes, urlsplit, urlunsplit

from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import Auth, describe_options
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_token

ALGORITHM = 'SDK-HMAC-SHA256'
DATE_HEADER = 'X-Sdk-Date'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
CONTENT_HASH_HEADER = 'X-Sdk-Content-Sha256'
UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
PROJECT_HEADER = 'X-Project-Id'
SECURITY_TOKEN_HEADER = 'X-Security-Token'
EMPTY_BODY_SHA256 = hashlib.sha256(b'').hexdigest()
# Bodies the SDK hashes; any other Content-Type is sent with X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD.
# (A case-sensitive prefix test, as in the SDK.)
HASHED_CONTENT_TYPES = ('application/json', 'application/bson')
# Added by requests/urllib3 after the SDK has signed, so the SDK never signs them; hop-by-hop or
# rewritten by proxies.  Authorization is the signature's own header.
TRANSPORT_HEADERS = frozenset(('accept', 'accept-encoding', 'connection', 'content-length',
                               'transfer-encoding', 'authorization'))
# RFC 3986 unreserved characters stay as they are (quote() always keeps letters, digits and '_.-').
_UNRESERVED_EXTRA = '~'
CREDENTIAL_OPTIONS = ('access_key', 'secret_key', 'security_token', 'project_id')
# The AK ends the Authorization header's "Access=" field, which a space or a comma would cut short.
_ACCESS_KEY = re.compile(r'[\x21-\x2b\x2d-\x7e]+\Z')  # printable ASCII but ' ' and ','


def canonical_encode(raw):
    """Percent-encode bytes (or text as UTF-8) leaving only the RFC 3986 unreserved set, upper-case hex."""
    return quote(raw, safe=_UNRESERVED_EXTRA)


def canonical_uri(path):
    """Decode the path, encode each segment again, end it with '/' (only the signed form gets the slash)."""
    segments = unquote_to_bytes(path or '/').split(b'/')
    uri = '/'.join(canonical_encode(segment) for segment in segments)
    return uri if uri.endswith('/') else uri + '/'


def query_pairs(query):
    """(name, value) byte pairs of a URL query, decoded as requests encodes them (``+`` is a space).

    A name without '=' has the empty value, as the SDK sends it (``flag=``); empty parts are dropped.
    """
    pairs = []
    for part in (query or '').split('&'):
        if not part:
            continue
        name, _sep, value = part.partition('=')
        pairs.append((unquote_to_bytes(name.replace('+', ' ')), unquote_to_bytes(value.replace('+', ' '))))
    return pairs


def canonical_query(query):
    """Sorted by raw name, then raw value, BEFORE encoding (unlike AWS SigV4); one name=value per value.

    Sorting UTF-8 bytes gives the order of the SDK's sort on text: UTF-8 keeps code point order.
    """
    return '&'.join('%s=%s' % (canonical_encode(name), canonical_encode(value))
                    for name, value in sorted(query_pairs(query)))


def _header_text(value):
    """A header value as text: bytes are taken as UTF-8, which is what the SDK sends."""
    if isinstance(value, bytes):
        return value.decode('utf-8', 'surrogateescape')
    return str(value)


def _wire_value(text):
    """What to put into the prepared request: text when ASCII, else its UTF-8 bytes (as the SDK sends it)."""
    try:
        text.encode('ascii')
        return text
    except UnicodeEncodeError:
        return text.encode('utf-8', 'surrogateescape')


def is_streamed(body):
    """A body requests streams (a file, a generator): it is never read here."""
    return body is not None and not isinstance(body, (bytes, bytearray, str))


def sign_string(secret_key, date, canonical_request):
    """The hex signature of a canonical request (``bytes``) at ``date`` (``X-Sdk-Date`` text)."""
    string_to_sign = '%s\n%s\n%s' % (ALGORITHM, date, hashlib.sha256(canonical_request).hexdigest())
    return hmac.new(secret_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def check_credentials(access_key, secret_key, security_token=None, project_id=None):
    """Raise ImsValidationError when the AK/SK options cannot sign; the message never quotes a value.

    None means "not given".  An empty or blank value is a mistake (an unset variable in a template),
    not "not given".
    """
    values = dict(access_key=access_key, secret_key=secret_key, security_token=security_token, project_id=project_id)
    for option in CREDENTIAL_OPTIONS:
        value = values[option]
        if value is None:
            continue
        if not isinstance(value, str):
            raise ImsValidationError('%s must be a string.' % option)
        if not value.strip():
            raise ImsValidationError('%s is empty; give it a value or leave it out.' % option)
        check_token(value, option=option)
    if (access_key is None) != (secret_key is None):
        given, missing = ('access_key', 'secret_key') if secret_key is None else ('secret_key', 'access_key')
        raise ImsValidationError('%s is set but %s is not: AK/SK signing needs both.' % (given, missing))
    if access_key is None:
        raise ImsValidationError('access_key and secret_key are required for AK/SK signing.')
    if not _ACCESS_KEY.match(access_key):
        raise ImsValidationError('access_key must be printable ASCII without spaces or commas (it is sent in the '
                                 'Authorization header); check that the access key ID, not the secret, is given.')


class SdkHmacSha256Auth(Auth):
    """Signs a prepared request the way Huawei's SDK does: ``Authorization: SDK-HMAC-SHA256 Access=...``.

    ``project_id`` is sent and signed as ``X-Project-Id`` (regional services such as IMS);
    ``security_token`` as ``X-Security-Token`` (temporary AK/SK).  ``clock()`` returns the
    current time in seconds since the epoch; a preset ``X-Sdk-Date`` header wins, as in the SDK.
    An auth scheme of ``_auth``: chosen when the task sets ``access_key`` or ``secret_key``.
    """

    NAME = 'aksk'
    OPTIONS = CREDENTIAL_OPTIONS
    # project_id is no secret: a token or a login uses it too.
    CREDENTIALS = ('access_key', 'secret_key', 'security_token')
    ENV_ONLY_WITH = dict(security_token='access_key')

    def __init__(self, access_key, secret_key, project_id=None, security_token=None, clock=time.time, env_of=None):
        super(SdkHmacSha256Auth, self).__init__(env_of)
        check_credentials(access_key, secret_key, security_token, project_id)
        self._access_key = access_key
        self._secret_key = secret_key
        self._project_id = project_id
        self._security_token = security_token
        self._clock = clock

    @classmethod
    def chosen(cls, params):
        """An AK or an SK alone still chooses AK/SK signing, so that validate() names the missing half."""
        return params.get('access_key') is not None or params.get('secret_key') is not None

    @classmethod
    def validate(cls, params):
        """Check the task's AK/SK options (a dict that may lack some keys) before any request."""
        check_credentials(*(params.get(option) for option in CREDENTIAL_OPTIONS))

    @classmethod
    def from_params(cls, params, env_of=None):
        return cls(params['access_key'], params['secret_key'], project_id=params.get('project_id'),
                   security_token=params.get('security_token'), env_of=env_of)

    def refused_hint(self):
        return 'Check %s: the keys may be wrong, expired or locked after repeated failures, or the clock of this host ' \
            'may be more than 15 minutes off.' % describe_options(self.OPTIONS, self.env_of)

    def __call__(self, request):
        self._add_credential_headers(request)
        body = self._body_bytes(request)
        self._mark_payload(request)
        date = self._signing_date(request)
        parts = urlsplit(request.url)
        if 'host' not in request.headers:
            # Sent as signed, port included when the URL has one (urllib3 would drop a default port).
            request.headers['Host'] = parts.netloc.rpartition('@')[2]
        query = canonical_query(parts.query)
        request.url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ''))
        names, lines = self._signed_headers(request)
        canonical_request = b'\n'.join([
            request.method.upper().encode('ascii'),
            canonical_uri(parts.path).encode('ascii'),
            query.encode('ascii'),
            lines,
            ';'.join(names).encode('ascii'),
            self._payload_hash(request, body).encode('ascii'),
        ])
        request.headers['Authorization'] = '%s Access=%s, SignedHeaders=%s, Signature=%s' % (
            ALGORITHM, self._access_key, ';'.join(names), sign_string(self._secret_key, date, canonical_request))
        return request

    def _add_credential_headers(self, request):
        if self._project_id is not None:
            request.headers[PROJECT_HEADER] = self._project_id
        if self._security_token is not None:
            request.headers[SECURITY_TOKEN_HEADER] = self._security_token

    @staticmethod
    def _body_bytes(request):
        """The bytes to hash, or None for a streamed body.  A text body is sent as UTF-8, as it is hashed."""
        body = request.body
        if isinstance(body, str):
            body = body.encode('utf-8')
            request.body = body
            request.prepare_content_length(body)
        if is_streamed(body):
            return None
        return bytes(body) if body else b''

    @staticmethod
    def _mark_payload(request):
        content_type = request.headers.get('Content-Type')
        not_hashed_type = content_type is not None and not _header_text(content_type).startswith(HASHED_CONTENT_TYPES)
        if not_hashed_type or is_streamed(request.body):
            request.headers[CONTENT_HASH_HEADER] = UNSIGNED_PAYLOAD

    def _signing_date(self, request):
        preset = request.headers.get(DATE_HEADER)
        if preset is not None:
            preset = _header_text(preset).strip()
            try:
                time.strptime(preset, DATE_FORMAT)
            except ValueError:
                raise ValueError('the %s header must have the form %s (UTC)' % (DATE_HEADER, DATE_FORMAT))
            return preset
        date = time.strftime(DATE_FORMAT, time.gmtime(self._clock()))
        request.headers[DATE_HEADER] = date
        return date

    @staticmethod
    def _signed_headers(request):
        """The signed names (lower case, sorted) and the canonical header lines (bytes, each ending in a newline).

        Values are trimmed at both ends (inner whitespace kept) and sent trimmed, so that what is
        sent is what is signed.
        """
        signed = {}
        for name in list(request.headers):
            if '_' in name or name.lower() in TRANSPORT_HEADERS:
                continue
            text = _header_text(request.headers[name]).strip()
            request.headers[name] = _wire_value(text)
            signed[name.lower()] = text.encode('utf-8', 'surrogateescape')
        names = sorted(signed)
        lines = b''.join(name.encode('ascii') + b':' + signed[name] + b'\n' for name in names)
        return names, lines

    @staticmethod
    def _payload_hash(request, body):
        """As the SDK: an empty body hashes as empty even when X-Sdk-Content-Sha256 is set."""
        if body == b'':
            return EMPTY_BODY_SHA256
        marker = request.headers.get(CONTENT_HASH_HEADER)
        if marker is not None:
            return _header_text(marker).strip()
        return hashlib.sha256(body).hexdigest()
