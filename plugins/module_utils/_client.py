# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP transport of the IMS APIs: one pooled session, auth, retries, the envelope, paging.

Backends call ``ImsClient.call()`` with a method and a path; nothing above this file
knows about requests, status codes or the ``{"code": "Success", "data": ...}`` envelope.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import json
import random
import time

try:
    import requests
    import urllib3
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.cecloud.ims.plugins.module_utils._errors import ImsApiError, ImsTransportError

USER_AGENT = 'cecloud.ims-ansible-collection'
SUCCESS_CODE = 'Success'
AUTH_FAILED_CODE = 'IMG.OperationDenied.AuthFail'
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'))
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# HTTP statuses that mean "not processed": safe to repeat even a POST.
NOT_PROCESSED_STATUSES = frozenset((429,))
BODY_EXCERPT_CHARS = 200


class BearerTokenAuth:
    """``Authorization: Bearer <token>``. Another scheme (a request signer) is another class with ``apply``."""

    def __init__(self, token):
        self._token = token

    def apply(self, method, url, headers, body):  # pylint: disable=unused-argument
        headers['Authorization'] = 'Bearer %s' % self._token

    def __repr__(self):
        return '%s(<hidden>)' % type(self).__name__


class NoAuth:
    """For gateways that authenticate with ``extra_headers`` alone."""

    def apply(self, method, url, headers, body):  # pylint: disable=unused-argument
        return None


class RetryPolicy:
    """Exponential backoff with full jitter, the one retry policy of the collection.

    ``retries`` is the number of repeats after the first attempt.  A request is repeated when
    it cannot have changed anything on the server (it never left this host, or the server
    said 429), or when it is idempotent and the failure is transient (5xx, a dropped
    connection, a read timeout).  Idempotent means the method is (GET, PUT, DELETE) unless the
    caller knows better: a backend marks the POSTs that are safe to repeat.
    """

    def __init__(self, retries=5, base_delay=0.5, max_delay=15.0, sleep=time.sleep, rng=random.random):
        self.retries = retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.rng = rng
        self.attempts_made = 0
        self.retries_made = 0

    def delay(self, attempt, retry_after=None):
        """Seconds to wait before repeat number ``attempt`` (0-based): uniform in [0, min(max, base * 2**n)]."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        delay = ceiling * self.rng()
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_delay))
        return delay

    @staticmethod
    def is_retryable(method, outcome, idempotent=None):
        """``outcome`` is a ``requests.Response`` or an exception raised while sending."""
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        if isinstance(outcome, BaseException):
            if isinstance(outcome, requests.exceptions.SSLError):
                return False  # a certificate does not fix itself
            if _never_sent(outcome):
                return True
            return idempotent and isinstance(outcome, (requests.exceptions.ConnectionError, requests.exceptions.Timeout))
        if outcome.status_code in NOT_PROCESSED_STATUSES:
            return True
        return idempotent and outcome.status_code in RETRY_STATUSES

    def run(self, method, send, idempotent=None):
        """Call ``send()`` until it succeeds or the policy gives up; returns the last response or raises."""
        attempt = 0
        while True:
            self.attempts_made += 1
            try:
                outcome = send()
            except requests.exceptions.RequestException as exc:
                outcome = exc
            if not self.is_retryable(method, outcome, idempotent) or attempt >= self.retries:
                if isinstance(outcome, BaseException):
                    outcome.ims_attempts = attempt + 1
                    raise outcome
                return outcome
            self.sleep(self.delay(attempt, _retry_after(outcome)))
            self.retries_made += 1
            attempt += 1


def retried(func):
    """Decorator for ``ImsClient`` methods that make one HTTP exchange: repeats it under ``self.retry_policy``."""
    @functools.wraps(func)
    def wrapper(self, method, url, idempotent=None, **kwargs):
        return self.retry_policy.run(method, lambda: func(self, method, url, **kwargs), idempotent)
    return wrapper


def _never_sent(exc):
    """True when the exception proves that no byte of the request reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    seen = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NewConnectionError):
            return True
        if isinstance(current, urllib3.exceptions.ProtocolError):
            return False
        pending.extend([getattr(current, 'reason', None), current.__cause__, current.__context__])
        pending.extend(arg for arg in getattr(current, 'args', ()) if isinstance(arg, BaseException))
    return False


def _retry_after(outcome):
    if isinstance(outcome, BaseException):
        return None
    value = outcome.headers.get('Retry-After')
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


# What OpenSSL reports (spelled by version) when the bytes that answer a handshake are not TLS,
# for example a plain-HTTP server's "400 Bad Request".
_NOT_TLS_REASONS = ('wrong version number', 'record layer failure', 'packet length too long', 'http request',
                    'unknown protocol')


def _is_not_tls(cause):
    text = cause.lower().replace('_', ' ')
    return any(reason in text for reason in _NOT_TLS_REASONS)


def _describe_transport_error(exc):
    """A short, secret-free cause: the exception class and the innermost reason."""
    reason = exc
    for _dummy in range(5):
        inner = getattr(reason, 'reason', None) or (reason.args[0] if getattr(reason, 'args', None) and isinstance(reason.args[0], BaseException) else None)
        if inner is None:
            break
        reason = inner
    text = str(reason)
    # urllib3 prints the connection object's repr before the reason; keep the reason.
    if ': ' in text and text.startswith('<'):
        text = text.split(': ', 1)[1]
    return '%s: %s' % (type(exc).__name__, text)


class ImsClient:
    """A pooled HTTP session bound to one endpoint and region."""

    def __init__(self, endpoint, region, auth=None, extra_headers=None, timeout=30,
                 validate_certs=True, ca_path=None, retry_policy=None, session=None, pool_size=10):
        self.endpoint = endpoint.rstrip('/')
        self.region = region
        self.auth = auth or NoAuth()
        self.extra_headers = dict(extra_headers or {})
        self.timeout = (min(float(timeout), 10.0), float(timeout))
        self.verify = ca_path if ca_path else bool(validate_certs)
        if self.verify is False:
            # The module warns once itself; urllib3 would repeat it on every request.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.retry_policy = retry_policy or RetryPolicy()
        if session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
            session.mount('http://', adapter)
            session.mount('https://', adapter)
        self.session = session
        self.request_count = 0

    def url(self, path):
        return self.endpoint + path

    def headers(self, method, url, body):
        headers = {
            'Accept': 'application/json',
            'User-Agent': USER_AGENT,
            'x-regionid': self.region,
        }
        if body is not None:
            headers['Content-Type'] = 'application/json'
        headers.update(self.extra_headers)
        self.auth.apply(method, url, headers, body)
        return headers

    @retried
    def _send(self, method, url, params=None, body=None, stream=False):
        self.request_count += 1
        return self.session.request(
            method, url, params=params, data=body, headers=self.headers(method, url, body),
            timeout=self.timeout, verify=self.verify, stream=stream, allow_redirects=False)

    def send(self, method, path, params=None, json_body=None, stream=False, operation=None, idempotent=None):
        """One API call: returns the ``requests.Response`` of a successful exchange, else raises ImsError.

        ``idempotent=True`` lets a POST be repeated like a PUT (the backend knows which are safe).
        """
        url = self.url(path)
        body = json.dumps(json_body, ensure_ascii=False).encode('utf-8') if json_body is not None else None
        try:
            response = self._send(method, url, params=params, body=body, stream=stream, idempotent=idempotent)
        except requests.exceptions.InvalidURL as exc:
            raise ImsTransportError('%s %s: the URL is not valid (%s). Check endpoint.' % (method, url, exc))
        except (requests.exceptions.InvalidHeader, ValueError) as exc:
            # The exception text would quote the header, token included: name the options instead.
            raise ImsTransportError('%s %s: a request header is not valid (%s). Check auth_token and extra_headers '
                                    'for line breaks or other control characters.' % (method, url, type(exc).__name__))
        except requests.exceptions.SSLError as exc:
            raise ImsTransportError(self._tls_failure(exc))
        except requests.exceptions.RequestException as exc:
            raise ImsTransportError('%s %s: no answer from the IMS endpoint after %d attempt(s): %s' % (
                method, url, getattr(exc, 'ims_attempts', 1), _describe_transport_error(exc)))
        if response.status_code >= 400 or (not stream and response.status_code != 200):
            raise self._error_from(response, operation or '%s %s' % (method, path))
        return response

    def call(self, method, path, params=None, json_body=None, operation=None, idempotent=None):
        """One API call whose answer is the JSON envelope: returns its ``data``."""
        response = self.send(method, path, params=params, json_body=json_body, operation=operation, idempotent=idempotent)
        envelope = _json_or_none(response)
        if not isinstance(envelope, dict):
            raise ImsApiError('InvalidResponse', 'HTTP %d with a body that is not a JSON envelope: %s' % (
                response.status_code, _excerpt(response)), http_status=response.status_code, operation=operation)
        if envelope.get('code') != SUCCESS_CODE:
            raise ImsApiError(envelope.get('code'), envelope.get('message') or 'no message', envelope.get('requestId'),
                              response.status_code, operation=operation)
        return envelope.get('data')

    def paginate(self, path, params=None, page_size=100, operation=None):
        """Yield every item of a ``size/current/total/list`` listing, one page request at a time.

        With a ``total`` it is trusted: a page shorter than asked does not end the listing while
        items are missing, since a service may serve fewer items per page than asked (a cap). The
        next pages are then asked at the size it served, so that offsets line up whether the service
        counts them with the asked or the served size. An empty page ends the listing even before
        ``total`` (a count that moved meanwhile must not loop). Without a total, the first short
        page ends it: N items cost ceil(N / page_size) requests.
        """
        current = 1
        seen = 0
        while True:
            query = dict(params or {})
            query.update(size=page_size, current=current)
            data = self.call('GET', path, params=query, operation=operation) or {}
            items = data.get('list') or []
            yield from items
            seen += len(items)
            total = data.get('total')
            if not isinstance(total, int) or isinstance(total, bool):
                total = None
            if not items or (total is None and len(items) < page_size) or (total is not None and seen >= total):
                return
            if len(items) < page_size and seen % len(items) == 0:
                page_size = len(items)
                current = seen // page_size
            current += 1

    def _tls_failure(self, exc):
        """What a failed TLS handshake means: no TLS at all, a certificate that is not trusted, or neither."""
        cause = _describe_transport_error(exc)
        if _is_not_tls(cause):
            return ('%s did not speak TLS: its answer to the TLS handshake was not TLS (%s). The port probably serves '
                    'plain HTTP: use %s, or the service\'s HTTPS port.'
                    % (self.endpoint, cause, 'http://' + self.endpoint.split('://', 1)[-1]))
        if self.verify is False:
            return ('The TLS handshake with %s failed: %s. Certificates are not verified (validate_certs is false), '
                    'so the server refused the connection or offers no protocol or cipher this host accepts.'
                    % (self.endpoint, cause))
        return ('TLS verification failed for %s: %s. Set ca_path to the CA bundle that signed the '
                'certificate, or validate_certs: false to skip verification (not recommended).' % (self.endpoint, cause))

    def _error_from(self, response, operation):
        envelope = _json_or_none(response)
        status = response.status_code
        if isinstance(envelope, dict) and envelope.get('code'):
            code, message, request_id = envelope.get('code'), envelope.get('message') or '', envelope.get('requestId')
        else:
            code, request_id = 'HTTP%d' % status, None
            message = 'HTTP %d %s: %s' % (status, response.reason or '', _excerpt(response))
        if status in (401, 403) or code == AUTH_FAILED_CODE:
            message = ('the service refused the credentials (HTTP %d): %s. Check auth_token '
                       '(IMS_AUTH_TOKEN): it may be wrong or expired.' % (status, message))
        return ImsApiError(code, message, request_id, status, operation=operation)


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _excerpt(response):
    try:
        text = response.text
    except Exception:  # pylint: disable=broad-except
        return '<unreadable body>'
    text = ' '.join(text.split())
    if not text:
        return '<empty body>'
    return text[:BODY_EXCERPT_CHARS] + ('...' if len(text) > BODY_EXCERPT_CHARS else '')
