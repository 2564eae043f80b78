"""What Huawei's API gateway checks on an AK/SK-signed request, for the Huawei emulator.

``verify()`` takes a request as the emulator received it and recomputes its signature with
Huawei's own signer (``huaweicloudsdkcore``, a test-only dependency), not with the collection's
signer, so a bug in the latter cannot hide itself.  It answers ok, or the gateway's 401 body.

Gateway rules (Huawei API Gateway's AK/SK signing rules and error codes): ``X-Sdk-Date`` must be signed and within
15 minutes of the gateway's clock; the AK must be known; the signature is computed over the
headers the request lists in ``SignedHeaders``, with the values received; a temporary AK needs its
``X-Security-Token``.  The error code of every case is ``APIGW.0301`` (HTTP 401).  The messages
of the bad signature and the unknown AK are the documented ones; those of the other cases, and
the code of the stale date, are not documented and are this emulator's choice
(docs/api-notes.md, "Huawei signing").

Private methods of huaweicloudsdkcore's ``Signer`` are used to sign with the header list the
request gives (``Signer.sign()`` would choose its own list): requirements-dev.txt pins the
3.1 line they were read from.
"""

import collections
import datetime
import hmac
import re
import time
import uuid
from urllib.parse import parse_qsl

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

AUTH_ERROR_CODE = 'APIGW.0301'
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
_AUTHORIZATION = re.compile(r'SDK-HMAC-SHA256 Access=([^\s,]+), SignedHeaders=([a-z0-9!#$%&\'*+.^_`|~;-]+), '
                            r'Signature=([0-9a-f]{64})')

# reason -> error_msg.  The first two are Huawei's documented messages.
MESSAGES = {
    'bad-signature': 'Incorrect IAM authentication information: verify aksk signature fail',
    'unknown-ak': 'Incorrect IAM authentication information: Get secretKey failed',
    'unauthenticated': 'Incorrect IAM authentication information: x-auth-token not found',
    'malformed': 'Incorrect IAM authentication information: Authorization header is not SDK-HMAC-SHA256',
    'no-date': 'Incorrect IAM authentication information: X-Sdk-Date is missing, unsigned or not %s' % DATE_FORMAT,
    'stale-date': 'Incorrect IAM authentication information: X-Sdk-Date differs from the server time by more '
                  'than 15 minutes',
    'security-token': 'Incorrect IAM authentication information: verify security token fail',
}


class Credential(collections.namedtuple('Credential', 'secret_key security_token')):
    """A known AK's secret; ``security_token`` is set for a temporary AK/SK (STS)."""

    def __new__(cls, secret_key, security_token=None):
        return super().__new__(cls, secret_key, security_token)


class Verdict(collections.namedtuple('Verdict', 'ok reason access_key project_id status body project_signed')):
    """``ok`` with the caller's AK and X-Project-Id (``project_signed``: whether the signature covers it), or the HTTP
    status and JSON body to answer with."""

    @classmethod
    def accepted(cls, access_key, project_id, project_signed=True):
        return cls(True, 'signed', access_key, project_id, 200, None, project_signed)

    @classmethod
    def refused(cls, reason, request_id, access_key=None):
        body = {'error_code': AUTH_ERROR_CODE, 'error_msg': MESSAGES[reason], 'request_id': request_id}
        return cls(False, reason, access_key, None, 401, body, False)


def received_headers(headers):
    """Lower-case name -> text, first value of each name.

    http.server hands over header values decoded as Latin-1 (one character per byte); Huawei's SDK
    sends and signs UTF-8, so the bytes are read again as UTF-8.  Bytes that are not UTF-8 become
    U+FFFD and cannot match a signature.  Text that is not Latin-1 was never bytes: kept as it is.
    """
    items = headers.items() if hasattr(headers, 'items') else headers
    received = {}
    for name, value in items:
        raw = value if isinstance(value, bytes) else _as_received(value)
        text = value if raw is None else raw.decode('utf-8', 'replace')
        received.setdefault(name.lower(), text)
    return received


def _as_received(text):
    try:
        return text.encode('latin-1')
    except UnicodeEncodeError:
        return None


def sdk_signature(secret_key, method, path, query, headers, signed_names, body, date):
    """The signature huaweicloudsdkcore computes for this request over ``signed_names``."""
    request = SdkRequest(method=method, schema='https', host=headers.get('host'), resource_path=path,
                         query_params=parse_qsl(query or '', keep_blank_values=True),
                         header_params={name: headers[name] for name in signed_names}, body=body or b'')
    signer = Signer(BasicCredentials('verifier', secret_key))
    # pylint: disable=protected-access
    canonical_request = signer._process_canonical_request(request, signed_names)
    return signer._sign_string_to_sign(signer._process_string_to_sign(canonical_request, date), secret_key)


def verify(method, path, query, headers, body, credentials, now=None, request_id=None):
    """Check one request; ``path`` and ``query`` are the raw (percent-encoded) parts of the request target.

    ``credentials`` maps an AK to its secret key (text) or to a ``Credential``.  ``now`` is the
    gateway's clock (seconds since the epoch), ``time.time()`` by default.
    """
    request_id = request_id or uuid.uuid4().hex
    received = received_headers(headers)
    authorization = received.get('authorization')
    if authorization is None:
        return Verdict.refused('unauthenticated', request_id)
    match = _AUTHORIZATION.fullmatch(authorization.strip())
    if not match:
        return Verdict.refused('malformed', request_id)
    access_key, signed_names, signature = match.group(1), match.group(2).split(';'), match.group(3)
    date = _signing_date(received, signed_names)
    if date is None:
        return Verdict.refused('no-date', request_id, access_key)
    clock = datetime.datetime.fromtimestamp(time.time() if now is None else now, datetime.timezone.utc)
    if abs(clock.replace(tzinfo=None) - date) > MAX_CLOCK_SKEW:
        return Verdict.refused('stale-date', request_id, access_key)
    credential = credentials.get(access_key)
    if credential is None:
        return Verdict.refused('unknown-ak', request_id, access_key)
    if not isinstance(credential, Credential):
        credential = Credential(credential)
    if any(name not in received for name in signed_names):
        return Verdict.refused('bad-signature', request_id, access_key)
    expected = sdk_signature(credential.secret_key, method, path, query, received, signed_names, body, date)
    if not hmac.compare_digest(expected, signature):
        return Verdict.refused('bad-signature', request_id, access_key)
    if credential.security_token is not None and not (
            'x-security-token' in signed_names and received['x-security-token'] == credential.security_token):
        return Verdict.refused('security-token', request_id, access_key)
    return Verdict.accepted(access_key, received.get('x-project-id'), 'x-project-id' in signed_names)


def _signing_date(received, signed_names):
    """The signed X-Sdk-Date as a naive UTC datetime, or None."""
    if 'x-sdk-date' not in signed_names or 'x-sdk-date' not in received:
        return None
    try:
        return datetime.datetime.strptime(received['x-sdk-date'].strip(), DATE_FORMAT)
    except ValueError:
        return None
