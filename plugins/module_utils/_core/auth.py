# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Authentication schemes: one small class per scheme, applied to the PREPARED request.

Each class is a ``requests.auth.AuthBase``: requests calls it once the URL (query included),
headers and body are final, so a request signer sees exactly what is sent.  Like the auth
methods of community.hashi_vault, each scheme names the options it reads (``OPTIONS``) and
checks them before any request (``validate``); a provider lists the schemes it accepts.

The transport asks a scheme two more things: ``renew()`` after an HTTP 401 (a scheme that logs
in gets a new token; the request is then sent once more), and ``refused_hint()``, the sentence
that tells a user which options to check when the service refuses the credentials.  Neither
ever contains a secret.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

try:
    from requests.auth import AuthBase
except ImportError:  # pragma: no cover - the module reports the missing library before any request
    AuthBase = object

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_token


def describe_options(options, env_of=None):
    """``a (IMS_A), b (IMS_B)``: option names with the environment variables that can set them."""
    env_of = env_of or {}
    return ', '.join('%s (%s)' % (o, ', '.join(env_of[o])) if env_of.get(o) else o for o in options)


class Auth(AuthBase):
    """Base class of the schemes.  ``env_of`` maps an option to the environment variables that set it."""

    NAME = None
    # The options the scheme reads, in the order a user should check them.
    OPTIONS = ()
    # The options that are this scheme's credential and no other's: when a task gives another scheme's
    # credential, the environment variables of these are not read (``explicit_scheme``).
    CREDENTIALS = ()
    # option -> option: the first is read from the environment only when the second is too (a temporary key's
    # security token belongs to the key exported with it, not to the key the task gives).
    ENV_ONLY_WITH = {}

    def __init__(self, env_of=None):
        self.env_of = dict(env_of or {})

    @classmethod
    def chosen(cls, params):
        """Whether the task asks for this scheme (its first option is set)."""
        return bool(cls.OPTIONS) and bool(params.get(cls.OPTIONS[0]))

    @classmethod
    def given(cls, params):
        """What of this scheme's credential ``params`` hold, for a message (option names, never values)."""
        return [o for o in cls.CREDENTIALS if params.get(o) not in (None, '')]

    @classmethod
    def validate(cls, params):
        """Raise ImsValidationError when the scheme's options cannot work; never quotes a secret."""

    @classmethod
    def from_params(cls, params, env_of=None):  # pylint: disable=unused-argument
        """The scheme built from the task's (validated) options."""
        return cls(env_of)

    def attach(self, client):
        """Called by the transport that uses the scheme (a login scheme reuses its session)."""

    def __call__(self, request):
        return request

    def renew(self):
        """After HTTP 401: True when fresh credentials were obtained and the request is worth one more try."""
        return False

    def refused_hint(self):
        return 'Check %s: it may be wrong or expired.' % describe_options(self.OPTIONS, self.env_of)

    def header_hint(self):
        """The options to check when a header cannot be sent (the text would quote it)."""
        return ' and '.join(list(self.OPTIONS) + ['extra_headers'])

    def __repr__(self):
        return '%s(<hidden>)' % type(self).__name__


class NoAuth(Auth):
    """For gateways that authenticate with ``extra_headers`` alone (an ``Authorization`` header)."""

    NAME = 'headers'

    @classmethod
    def chosen(cls, params):
        return any(str(k).lower() == 'authorization' for k in (params.get('extra_headers') or {}))

    @classmethod
    def given(cls, params):  # pylint: disable=unused-argument
        return ['an Authorization header in extra_headers']

    def refused_hint(self):
        return 'Check the Authorization header in extra_headers: it may be wrong or expired.'


class TokenAuth(Auth):
    """A token the user already has, sent in one header; subclasses name the header and its format."""

    OPTIONS = ('auth_token',)
    CREDENTIALS = ('auth_token',)
    HEADER = None
    FORMAT = '%s'

    def __init__(self, token, env_of=None):
        super(TokenAuth, self).__init__(env_of or {'auth_token': ('IMS_AUTH_TOKEN',)})
        self._token = token

    @classmethod
    def from_params(cls, params, env_of=None):
        return cls(params['auth_token'], env_of)

    @classmethod
    def validate(cls, params):
        check_token(params.get('auth_token'))

    def __call__(self, request):
        request.headers[self.HEADER] = self.FORMAT % self._token
        return request


class BearerTokenAuth(TokenAuth):
    """``Authorization: Bearer <token>`` (CECloud)."""

    NAME = 'bearer'
    HEADER = 'Authorization'
    FORMAT = 'Bearer %s'


class XAuthTokenAuth(TokenAuth):
    """``X-Auth-Token: <token>`` (OpenStack services, with a token obtained elsewhere)."""

    NAME = 'token'
    HEADER = 'X-Auth-Token'


def required_option(option, env_names):
    """The message for an option that is required and missing."""
    if not env_names:
        return '%s is required: set the %s option.' % (option, option)
    return '%s is required: set the %s option or the %s environment variable.' % (
        option, option, ' or '.join(env_names))


def explicit_scheme(schemes, params):
    """The scheme the task's own options choose (``params`` before any environment variable is read), or None.

    An option given in the task wins over every environment variable, as in every Ansible collection: the
    environment variables of the other schemes' credentials are then not read (``ignored_env_options``), so an
    exported HUAWEICLOUD_SDK_AK cannot replace the task's auth_token.  Two credentials in the task are refused.
    """
    chosen = [s for s in schemes if s.chosen(params)]
    if len(chosen) > 1:
        raise ImsValidationError('The task gives two credentials, %s: give only one of them.' % ', and '.join(
            ' and '.join(s.given(params)) for s in chosen))
    return chosen[0] if chosen else None


def ignored_env_options(schemes, params):
    """The options whose environment variables are not read for the task's ``params`` (before any is read)."""
    chosen = explicit_scheme(schemes, params)
    if chosen is None:
        return frozenset()
    others = set(o for s in schemes if s is not chosen for o in s.CREDENTIALS)
    tied = set(o for o, partner in chosen.ENV_ONLY_WITH.items() if params.get(partner) is not None)
    return frozenset((others - set(chosen.CREDENTIALS)) | tied)


def choose_auth(schemes, params, env_of):
    """The first of ``schemes`` the task asks for, validated; an error naming the options when none is."""
    for scheme in schemes:
        if scheme.chosen(params):
            scheme.validate(params)
            return scheme
    first = schemes[0]
    message = required_option(first.OPTIONS[0], env_of.get(first.OPTIONS[0], ()))[:-1]
    others = [s for s in schemes[1:] if s.OPTIONS]
    if others:
        message += ' (or %s)' % ', or '.join(describe_options(s.OPTIONS, env_of) for s in others)
    if any(s is NoAuth for s in schemes):
        message += ' (or pass an Authorization header in extra_headers)'
    raise ImsValidationError(message + '.')
