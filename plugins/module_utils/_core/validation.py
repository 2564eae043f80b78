# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Input rules of the IMS document, checked before any request is sent."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from urllib.parse import urlsplit

from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError

NAME_MAX_CHARS = 128
DESCRIPTION_MIN_CHARS = 2
DESCRIPTION_MAX_CHARS = 256
# Letters, digits, '-', '.', '_', space and Chinese (CJK unified ideographs).
_NAME_CHARS = re.compile(u'[A-Za-z0-9._ \u4e00-\u9fff-]+')
_NAME_BAD_CHAR = re.compile(u'[^A-Za-z0-9._ \u4e00-\u9fff-]')


def name_problem(name):
    """Why ``name`` is not a valid image name, or None when it is."""
    if not isinstance(name, str):
        return 'the name must be a string'
    if not name:
        return 'the name must not be empty'
    if len(name) > NAME_MAX_CHARS:
        return 'the name has %d characters; at most %d are allowed' % (len(name), NAME_MAX_CHARS)
    if name != name.strip(' '):
        return 'the name must not start or end with a space'
    if not _NAME_CHARS.fullmatch(name):
        bad = _NAME_BAD_CHAR.search(name).group(0)
        return ('the name contains %r; only letters, digits, "-", ".", "_", spaces and Chinese characters are allowed'
                % bad)
    return None


def check_name(name, option='name'):
    problem = name_problem(name)
    if problem:
        raise ImsValidationError('%s %r is not a valid image name: %s.' % (option, name, problem))


def check_description(description, option='description'):
    if description is None:
        return
    if not DESCRIPTION_MIN_CHARS <= len(description) <= DESCRIPTION_MAX_CHARS:
        raise ImsValidationError('%s must have %d to %d characters; it has %d.' % (
            option, DESCRIPTION_MIN_CHARS, DESCRIPTION_MAX_CHARS, len(description)))


def check_non_negative(params, options):
    for option in options:
        value = params.get(option)
        if value is not None and value < 0:
            raise ImsValidationError('%s must be 0 or more; got %s.' % (option, value))


def check_positive(params, options):
    for option in options:
        value = params.get(option)
        if value is not None and value < 1:
            raise ImsValidationError('%s must be 1 or more; got %s.' % (option, value))


def check_tags(tags):
    for index, tag in enumerate(tags or []):
        if not isinstance(tag, dict) or not tag:
            raise ImsValidationError('tags[%d] must be a non-empty dict (for example {key: env, value: prod}); got %r.'
                                     % (index, tag))


_HEADER_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL_CHARS = re.compile(r'[\x00-\x1f\x7f]')


def check_headers(headers, option='extra_headers'):
    for key, value in (headers or {}).items():
        if not _HEADER_TOKEN.fullmatch(str(key)):
            raise ImsValidationError('%s: %r is not a valid HTTP header name.' % (option, key))
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ImsValidationError('%s: the value of %s must be a string.' % (option, key))
        if _CONTROL_CHARS.search(str(value)):
            raise ImsValidationError('%s: the value of %s must not contain line breaks or other control characters.'
                                     % (option, key))


def check_token(token, option='auth_token'):
    """A token goes into a header: refuse control characters without ever quoting the value."""
    if token is not None and _CONTROL_CHARS.search(token):
        raise ImsValidationError('%s contains a line break or another control character; a token is sent in an HTTP '
                                 'header and cannot hold one (check for a trailing newline).' % option)


ENDPOINT_SCHEMES = ('http', 'https')


def check_endpoint(endpoint, option='endpoint'):
    """An http(s) URL with a host and, when it names one, a port from 1 to 65535."""
    if any(char.isspace() for char in endpoint) or _CONTROL_CHARS.search(endpoint):
        raise ImsValidationError('%s %r must not contain spaces, line breaks or other control characters.' % (option, endpoint))
    parts = urlsplit(endpoint)
    if parts.scheme.lower() not in ENDPOINT_SCHEMES:
        raise ImsValidationError('%s must be an http:// or https:// URL; got %r.' % (option, endpoint))
    if not parts.hostname:
        raise ImsValidationError('%s %r has no host: give the URL of the service, for example '
                                 'https://ims.example.com:8443.' % (option, endpoint))
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = 0
    if port == 0:
        raise ImsValidationError('%s %r has no valid port: a port is a number from 1 to 65535.' % (option, endpoint))


def check_choices(params, choices, provider):
    """Refuse a value of an option that ``provider`` does not accept (``choices``: option -> accepted values)."""
    for option, accepted in sorted(choices.items()):
        if params.get(option) is not None and params[option] not in accepted:
            raise ImsValidationError('%s %s is not accepted by provider %s; use one of %s.' % (
                option, params[option], provider, ', '.join(accepted)))


def as_tag_dict(tag):
    """A tag given as text (``key=env, value=prod`` or JSON) as a dict, as a list of dicts accepted it before."""
    if isinstance(tag, str):
        try:
            return check_type_dict(tag)
        except TypeError:
            return tag      # check_tags names it
    return tag
