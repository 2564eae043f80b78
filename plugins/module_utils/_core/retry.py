# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one retry policy of the collection: whether a failure is tried again, how often and how long to wait.

Every layer that repeats something takes its numbers from ``RetryPolicy``: the HTTP client (``ImsClient``) for
its requests and its resend after an HTTP 401, the S3/OBS clients (``s3_retries``, botocore's own mode with the
same count), ``ImageService.converge`` for a request whose failure may have taken effect (``converge_attempts``,
``upload_done_attempts``, ``next_pause``) and ``ImageService``'s polls of a job or an image (``poll_interval``,
``next_pause``, ``is_transient``).  A provider's dialect only says which error codes of its API mean "try again"
or "the service failed itself"; the decision is the policy's.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random
import time

try:
    import requests
    import urllib3
except ImportError:  # pragma: no cover - _client reports the missing library
    pass

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError

IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'))
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# HTTP statuses that mean "not processed": safe to repeat even a POST.
NOT_PROCESSED_STATUSES = frozenset((429,))


class RetryPolicy:
    """Exponential backoff with full jitter, the one retry policy of the collection.

    ``retries`` is the number of repeats after the first attempt (the task's ``retries`` option).  A request is
    repeated when it cannot have changed anything on the server (it never left this host, or the server said
    429), or when it is idempotent and the failure is transient (5xx, a dropped connection, a read timeout).
    Idempotent means the method is (GET, PUT, DELETE) unless the caller knows better: a backend marks the POSTs
    that are safe to repeat.

    The other numbers (class attributes, so that changing one here changes it everywhere; a keyword argument of the
    same name sets it for one policy) are the policy of the layers above one request.
    """

    # Backoff of a repeated request: uniform in [0, min(max_delay, base_delay * 2**n)] (full jitter).
    base_delay = 0.5
    max_delay = 15.0
    # Sends of a request once more after an HTTP 401 made the auth scheme renew its credentials.
    auth_resends = 1
    # ImageService.converge: sends, in all, of a request whose ambiguous failure left no trace on the service.
    converge_attempts = 3
    # The same for upload-done: losing it throws the whole transfer away (the image is reported failed and deleted),
    # and the image's status says for sure whether an attempt was taken, so a resend never duplicates anything.
    upload_done_attempts = 6
    # Looks at the service's state before converge believes a RESEND: a listing may lag behind a write.
    settle_looks = 2
    # Pauses between the polls of a job or an image, and between converge's looks: the first (converge: times the
    # attempt), the growth, the longest.
    poll_interval = 0.5
    poll_growth = 1.5
    max_poll_interval = 5.0

    def __init__(self, retries=5, sleep=time.sleep, rng=random.random, **numbers):
        self.retries = retries
        self.sleep = sleep
        self.rng = rng
        for name, value in numbers.items():
            if not isinstance(getattr(type(self), name, None), (int, float)):
                raise TypeError('RetryPolicy has no number called %s' % name)
            setattr(self, name, value)
        self.attempts_made = 0
        self.retries_made = 0

    @classmethod
    def from_params(cls, params):
        """The policy of a task (``params``: its options)."""
        return cls(retries=params['retries'])

    # -- one request -------------------------------------------------------------

    def delay(self, attempt, retry_after=None):
        """Seconds to wait before repeat number ``attempt`` (0-based): uniform in [0, min(max, base * 2**n)]."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        delay = ceiling * self.rng()
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_delay))
        return delay

    @staticmethod
    def is_retryable(method, outcome, idempotent=None, transient_error=None):
        """``outcome`` is a ``requests.Response`` or an exception raised while sending.

        ``transient_error(response)``, from the provider's dialect, says whether an error answer
        is transient although its status is not a 5xx (an error code meaning "try again").
        """
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
        if not idempotent:
            return False
        return outcome.status_code in RETRY_STATUSES or bool(transient_error and transient_error(outcome))

    def run(self, method, send, idempotent=None, transient_error=None):
        """Call ``send()`` until it succeeds or the policy gives up; returns the last response or raises."""
        attempt = 0
        while True:
            self.attempts_made += 1
            try:
                outcome = send()
            except requests.exceptions.RequestException as exc:
                outcome = exc
            if not self.is_retryable(method, outcome, idempotent, transient_error) or attempt >= self.retries:
                # How many times the request went out: an answer to a repeat may hide what an earlier one did.
                outcome.ims_attempts = attempt + 1
                if isinstance(outcome, BaseException):
                    raise outcome
                return outcome
            self.sleep(self.delay(attempt, _retry_after(outcome)))
            self.retries_made += 1
            attempt += 1

    def s3_retries(self):
        """botocore's ``retries`` setting of an S3/OBS client, backed off with jitter by botocore's ``standard`` mode.

        botocore's ``max_attempts`` counts the repeats, not the first attempt (it sends ``max_attempts + 1`` times in
        all); it is ``retries + 1``, as the object storage clients always had: one repeat more than an API request."""
        return {'max_attempts': max(1, int(self.retries) + 1), 'mode': 'standard'}

    # -- the layers above one request ------------------------------------------------

    def next_pause(self, pause):
        """The pause after ``pause`` between two polls or looks."""
        return min(pause * self.poll_growth, self.max_poll_interval)

    @staticmethod
    def is_transient(exc):
        """Whether a failed poll (of a job, an image) leaves the state unknown and the wait goes on: no answer, 429,
        5xx, or an answer saying the service failed itself; any other error answer is the service's word."""
        if isinstance(exc, ImsTransportError):
            return True
        if not isinstance(exc, ImsApiError):
            return False
        return (exc.http_status or 500) >= 500 or exc.http_status == 429 or exc.service_failure


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
