# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP transport of the IMS APIs, the same for every provider: one pooled session, TLS,
timeouts, the retry policy (``_retry.RetryPolicy``), secret-free transport errors, a request counter.

What a provider's API looks like on the wire (its default headers, which statuses are success,
how a body becomes data or an error, how listings page) is its ``Dialect``, defined in that
provider's file; how requests are authenticated is an auth scheme of ``_auth.py``, applied to
the prepared request.  Backends call ``ImsClient.call()`` with a method and a path; nothing
above the backends knows about requests or status codes.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import functools
import json

try:
    import requests
    import urllib3
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import NoAuth
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy

USER_AGENT = 'cecloud.ims-ansible-collection'
BODY_EXCERPT_CHARS = 200


class Dialect:
    """The wire format of a provider's API.  This base is plain JSON over HTTP; a provider's file subclasses it.

    A dialect knows nothing of sessions or retries: the transport gives it responses, it says what
    they mean.
    """

    name = 'http'
    # Error codes (as ``error_fields`` reads them) that mean "try again": repeated like a 503 when the
    # request is idempotent.
    retryable_error_codes = frozenset()
    # Error codes that mean the service failed itself, like a 5xx whatever the status: the request may have
    # taken effect (ImsApiError.service_failure).
    service_failure_codes = frozenset()

    def default_headers(self, region):  # pylint: disable=unused-argument
        """Headers of every request, beyond Accept and User-Agent."""
        return {}

    def is_success(self, response, stream):  # pylint: disable=unused-argument
        return 200 <= response.status_code < 300

    def data(self, response, operation):  # pylint: disable=unused-argument
        """The data of a successful JSON answer; None for an empty body (a 204)."""
        if not response.content:
            return None
        body = json_or_none(response)
        if body is None:
            raise ImsApiError('InvalidResponse', 'HTTP %d with a body that is not JSON: %s' % (
                response.status_code, excerpt(response)), http_status=response.status_code, operation=operation)
        return body

    def error_fields(self, response):
        """(code, message, request id) of an error answer."""
        status = response.status_code
        return 'HTTP%d' % status, 'HTTP %d %s: %s' % (status, response.reason or '', excerpt(response)), None

    def is_auth_failure(self, status, code):  # pylint: disable=unused-argument
        """Whether an error answer means the credentials were refused."""
        return status == 401

    def is_retryable_error(self, response):
        """Whether an error answer carries one of ``retryable_error_codes``."""
        if not self.retryable_error_codes or response.status_code < 400:
            return False
        return self.error_fields(response)[0] in self.retryable_error_codes

    def paginate(self, client, path, params, page_size, operation, **options):
        """Yield every item of a listing; the provider's dialect knows how its listings page (``options``: its own)."""
        raise NotImplementedError('the %s dialect has no paged listings' % self.name)


def retried(func):
    """Decorator for ``ImsClient`` methods that make one HTTP exchange: repeats it under ``self.retry_policy``."""
    @functools.wraps(func)
    def wrapper(self, method, url, idempotent=None, **kwargs):
        return self.retry_policy.run(method, lambda: func(self, method, url, **kwargs), idempotent,
                                     self.dialect.is_retryable_error)
    return wrapper


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
    """A pooled HTTP session bound to one endpoint and region, speaking one provider's ``dialect``."""

    def __init__(self, endpoint, region, auth=None, extra_headers=None, timeout=30,
                 validate_certs=True, ca_path=None, retry_policy=None, session=None, pool_size=10, dialect=None):
        self.endpoint = endpoint.rstrip('/')
        # The option that set ``endpoint``, for messages about a bad URL.
        self.endpoint_option = 'endpoint'
        self.region = region
        self.dialect = dialect or Dialect()
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
        # One counter for this client and its siblings: every request the module made.
        self._counter = [0]
        self.auth.attach(self)

    @property
    def request_count(self):
        return self._counter[0]

    def sibling(self, endpoint, dialect, auth=None, endpoint_option='endpoint'):
        """A client for another service of the same cloud (its identity service): same session, TLS,
        timeouts, retry policy and request counter; no ``extra_headers`` (they are the image service's)."""
        other = copy.copy(self)
        other.endpoint = endpoint.rstrip('/')
        other.endpoint_option = endpoint_option
        other.dialect = dialect
        other.auth = auth or NoAuth()
        other.extra_headers = {}
        other.auth.attach(other)
        return other

    def url(self, path):
        return self.endpoint + path

    def headers(self, body, content_type=None):
        """The headers of a request; the auth scheme adds its own to the prepared request."""
        headers = {
            'Accept': 'application/json',
            'User-Agent': USER_AGENT,
        }
        headers.update(self.dialect.default_headers(self.region))
        if body is not None:
            headers['Content-Type'] = content_type or 'application/json'
        headers.update(self.extra_headers)
        return headers

    @retried
    def _send(self, method, url, params=None, body=None, stream=False, content_type=None):
        self._counter[0] += 1
        return self.session.request(
            method, url, params=params, data=body, headers=self.headers(body, content_type), auth=self.auth,
            timeout=self.timeout, verify=self.verify, stream=stream, allow_redirects=False)

    def _exchange(self, method, url, idempotent, **kwargs):
        """One exchange under the retry policy; a failure to get an answer becomes a secret-free ImsTransportError."""
        try:
            return self._send(method, url, idempotent=idempotent, **kwargs)
        except requests.exceptions.InvalidURL as exc:
            raise ImsTransportError('%s %s: the URL is not valid (%s). Check %s.' % (method, url, exc, self.endpoint_option))
        except (requests.exceptions.InvalidHeader, ValueError) as exc:
            # The exception text would quote the header, token included: name the options instead.
            raise ImsTransportError('%s %s: a request header is not valid (%s). Check %s for line breaks or other '
                                    'control characters.' % (method, url, type(exc).__name__, self.auth.header_hint()))
        except requests.exceptions.SSLError as exc:
            raise ImsTransportError(self._tls_failure(exc))
        except requests.exceptions.RequestException as exc:
            raise ImsTransportError('%s %s: no answer from the IMS endpoint after %d attempt(s): %s' % (
                method, url, getattr(exc, 'ims_attempts', 1), _describe_transport_error(exc)))

    def send(self, method, path, params=None, json_body=None, stream=False, operation=None, idempotent=None,
             content_type=None, data=None):
        """One API call: returns the ``requests.Response`` of a successful exchange, else raises ImsError.

        ``idempotent=True`` lets a POST be repeated like a PUT (the backend knows which are safe).
        ``data`` is a body that is not JSON (bytes, or a file object requests streams), sent as ``content_type``.
        After an HTTP 401 the auth scheme may renew its credentials; the request is then sent once more
        (``retry_policy.auth_resends`` times at most).
        ``data`` is a raw body instead of ``json_body``: bytes, or an iterable with a length that can be
        iterated again from its start (``_streams.FileBody``), since a resend sends it once more.
        """
        url = self.url(path)
        body = json.dumps(json_body, ensure_ascii=False).encode('utf-8') if json_body is not None else data
        kwargs = dict(params=params, body=body, stream=stream, content_type=content_type)
        response = self._exchange(method, url, idempotent, **kwargs)
        for _dummy in range(self.retry_policy.auth_resends):
            if response.status_code != 401 or not self.auth.renew():
                break
            response.close()
            response = self._exchange(method, url, idempotent, **kwargs)
        if not self.dialect.is_success(response, stream):
            raise self._error_from(response, operation or '%s %s' % (method, path))
        return response

    def call(self, method, path, params=None, json_body=None, operation=None, idempotent=None, content_type=None):
        """One API call whose answer is data: returns it as the dialect reads it."""
        response = self.send(method, path, params=params, json_body=json_body, operation=operation,
                             idempotent=idempotent, content_type=content_type)
        return self.dialect.data(response, operation)

    def paginate(self, path, params=None, page_size=100, operation=None, **options):
        """Yield every item of a listing, one page request at a time, as the dialect pages (``options``: the dialect's)."""
        return self.dialect.paginate(self, path, params, page_size, operation, **options)

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
        code, message, request_id = self.dialect.error_fields(response)
        status = response.status_code
        if self.dialect.is_auth_failure(status, code):
            message = 'the service refused the credentials (HTTP %d): %s. %s' % (status, message, self.auth.refused_hint())
        error = ImsApiError(code, message, request_id, status, operation=operation)
        error.service_failure = code in self.dialect.service_failure_codes
        error.resent = getattr(response, 'ims_attempts', 1) > 1
        return error


def json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def excerpt(response):
    try:
        text = response.text
    except Exception:  # pylint: disable=broad-except
        return '<unreadable body>'
    text = ' '.join(text.split())
    if not text:
        return '<empty body>'
    return text[:BODY_EXCERPT_CHARS] + ('...' if len(text) > BODY_EXCERPT_CHARS else '')
