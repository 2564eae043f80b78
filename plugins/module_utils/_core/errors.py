# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The exceptions of cecloud.ims.

Everything below the module layer raises one of these; only the ImsModule base
class turns them into ``fail_json``.  ``fail_kwargs()`` is the single place that
decides which fields of an error reach the task result.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ImsError(Exception):
    """Base class: a message for a human plus optional machine-readable fields."""

    def __init__(self, message, error_code=None, request_id=None, http_status=None):
        super(ImsError, self).__init__(message)
        self.message = message
        self.error_code = error_code
        self.request_id = request_id
        self.http_status = http_status

    def fail_kwargs(self):
        result = dict(msg=self.message)
        for key in ('error_code', 'request_id', 'http_status'):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        return result


class ImsApiError(ImsError):
    """The service answered, and the answer was an error (envelope code != Success, or HTTP error)."""

    def __init__(self, code, message, request_id=None, http_status=None, operation=None):
        self.code = code
        self.api_message = message
        self.operation = operation
        # The service says it failed itself (the dialect's ``service_failure_codes``), whatever the status:
        # like a 5xx, the request may still have taken effect, and it may pass when repeated.
        self.service_failure = False
        # The answer is to a repeat of the request (the client's retries): an earlier attempt may have taken effect,
        # so "not found" or "already in that state" may be its own doing.
        self.resent = False
        text = '%s failed: %s' % (operation, message) if operation else message
        if code and code not in text:
            text = '%s (%s)' % (text, code)
        super(ImsApiError, self).__init__(text, error_code=code, request_id=request_id, http_status=http_status)


class ImsTransportError(ImsError):
    """The service could not be reached, or the connection broke, after the retries."""


class ImsValidationError(ImsError):
    """Bad input, detected before any request that changes state was sent."""


class ImsWaitError(ImsError):
    """A wait ended without the awaited state: a timeout or an image that turned ``killed``."""


def add_notes(exc, notes):
    """Append what the failure handling did (``notes``, empty ones left out) to the error's message."""
    exc.message = '%s (%s).' % (exc.message.rstrip('.'), '; '.join(n for n in notes if n))
    exc.args = (exc.message,)
