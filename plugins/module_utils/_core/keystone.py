# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Keystone v3 password login: one auth scheme, for OpenStack and for Huawei IAM (which speaks Keystone v3).

``POST {auth_url}/auth/tokens`` with the password method and a project scope returns a token in
the ``X-Subject-Token`` header, its expiry and the service catalog.  The scheme logs in on the
first request, reuses the token until shortly before it expires, logs in once more when a
service answers 401, and finds a service's endpoint in the catalog.  The password travels only
in the login body; no error quotes it (nor the token).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import time

from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import Auth, describe_options, required_option
from ansible_collections.cecloud.ims.plugins.module_utils._core.client import Dialect, json_or_none
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_endpoint

TOKEN_HEADER = 'X-Subject-Token'
# A token that expires within this many seconds is not used for a new request: it could expire on the way.
RENEW_BEFORE_EXPIRY = 60


class KeystoneDialect(Dialect):
    """Keystone v3: JSON, 2xx success, errors as ``{"error": {"code": 401, "title": ..., "message": ...}}``."""

    name = 'keystone'

    def error_fields(self, response):
        body = json_or_none(response)
        error = body.get('error') if isinstance(body, dict) else None
        if isinstance(error, dict) and error.get('message'):
            return error.get('title') or 'HTTP%d' % response.status_code, error['message'], None
        return super(KeystoneDialect, self).error_fields(response)

    def is_auth_failure(self, status, code):
        return False    # a refused login is worded by KeystonePasswordAuth.login(), which knows the options


def _expiry(text):
    """Seconds since the epoch of a Keystone ``expires_at`` (``2026-12-01T10:22:33.000000Z``); None if unreadable."""
    try:
        return calendar.timegm(time.strptime(text[:19], '%Y-%m-%dT%H:%M:%S'))
    except (TypeError, ValueError):
        return None


def _identity_url(auth_url):
    """The v3 root: ``auth_url`` as given when it ends with ``/v3``, else with ``/v3`` appended."""
    url = auth_url.rstrip('/')
    return url if url.endswith('/v3') else url + '/v3'


class KeystonePasswordAuth(Auth):
    """``X-Auth-Token`` from a Keystone v3 password login, scoped to a project by id or by name and domain."""

    NAME = 'keystone_password'
    OPTIONS = ('auth_url', 'username', 'password', 'project_name', 'project_id', 'user_domain_name',
               'project_domain_name')
    # The project and domains may scope a token given by the task too (project_id names the caller's project).
    CREDENTIALS = ('auth_url', 'username', 'password')
    ENV_OF = dict(
        auth_url=('IMS_AUTH_URL', 'OS_AUTH_URL'),
        username=('IMS_USERNAME', 'OS_USERNAME'),
        password=('IMS_PASSWORD', 'OS_PASSWORD'),
        project_name=('IMS_PROJECT_NAME', 'OS_PROJECT_NAME'),
        project_id=('IMS_PROJECT_ID', 'OS_PROJECT_ID'),
        user_domain_name=('IMS_USER_DOMAIN_NAME', 'OS_USER_DOMAIN_NAME'),
        project_domain_name=('IMS_PROJECT_DOMAIN_NAME', 'OS_PROJECT_DOMAIN_NAME'),
    )
    DEFAULTS = dict(project_domain_name='Default')

    def __init__(self, auth_url, username, password, project_name=None, project_id=None, user_domain_name=None,
                 project_domain_name='Default', env_of=None, clock=time.time):
        super(KeystonePasswordAuth, self).__init__(env_of or self.ENV_OF)
        self.auth_url = _identity_url(auth_url)
        self._username = username
        self._password = password
        self._project_name = project_name
        self._project_id = project_id
        self._project_domain_name = project_domain_name or 'Default'
        # Without a user domain, the user is looked up in the project's domain.
        self._user_domain_name = user_domain_name or self._project_domain_name
        self._clock = clock
        self._identity = None
        self._token = None
        self._expires = None
        self.catalog = None
        # The id of the project the token is scoped to (the caller's project).
        self.project_id = project_id
        self.logins = 0

    @classmethod
    def chosen(cls, params):
        return any(params.get(o) for o in ('auth_url', 'username', 'password'))

    @classmethod
    def validate(cls, params):
        for option in ('auth_url', 'username', 'password'):
            if not params.get(option):
                raise ImsValidationError(required_option(option, cls.ENV_OF[option])[:-1] +
                                         ' for a Keystone password login.')
        check_endpoint(params['auth_url'], option='auth_url')
        if not params.get('project_id') and not params.get('project_name'):
            raise ImsValidationError('project_name or project_id is required for a Keystone password login: set one of '
                                     'them (or %s).' % ' / '.join(cls.ENV_OF['project_name'] + cls.ENV_OF['project_id']))

    @classmethod
    def from_params(cls, params, env_of=None):
        return cls(params['auth_url'], params['username'], params['password'], project_name=params.get('project_name'),
                   project_id=params.get('project_id'), user_domain_name=params.get('user_domain_name'),
                   project_domain_name=params.get('project_domain_name'), env_of=env_of)

    def attach(self, client):
        """Log in through the session, TLS settings and retry policy of the client that uses the scheme."""
        if self._identity is None:
            self._identity = client.sibling(self.auth_url, KeystoneDialect(), endpoint_option='auth_url')

    # -- the token --------------------------------------------------------------

    def __call__(self, request):
        request.headers['X-Auth-Token'] = self.token()
        return request

    def token(self):
        """A valid token: the cached one unless it is about to expire, else a new login."""
        if self._token is None or (self._expires is not None and self._clock() >= self._expires - RENEW_BEFORE_EXPIRY):
            self.login()
        return self._token

    def renew(self):
        """The service refused the token (it was revoked, or expired early): log in again."""
        self._token = None
        self.login()
        return True

    def login(self):
        if self._identity is None:
            raise RuntimeError('KeystonePasswordAuth.attach() must be called before the first request')
        try:
            response = self._identity.send('POST', '/auth/tokens', json_body=self._login_body(), idempotent=True,
                                           operation='Keystone password login at %s' % self.auth_url)
        except ImsApiError as exc:
            if exc.http_status != 401:
                raise
            raise ImsApiError(exc.code, 'the identity service refused the login (HTTP 401): %s. %s' % (
                exc.api_message.rstrip('.'), self.refused_hint()), http_status=401, operation=exc.operation)
        token = response.headers.get(TOKEN_HEADER)
        body = json_or_none(response)
        details = body.get('token') if isinstance(body, dict) else None
        if not token or not isinstance(details, dict):
            raise ImsApiError('InvalidResponse', 'HTTP %d without a token (no %s header or no token in the body): is '
                              'auth_url %s a Keystone v3 endpoint?' % (response.status_code, TOKEN_HEADER, self.auth_url),
                              http_status=response.status_code, operation='Keystone password login')
        self._token = token
        self._expires = _expiry(details.get('expires_at'))
        self.catalog = details.get('catalog') or []
        self.project_id = (details.get('project') or {}).get('id') or self.project_id
        self.logins += 1

    def _login_body(self):
        user = {'name': self._username, 'domain': {'name': self._user_domain_name}, 'password': self._password}
        return {'auth': {'identity': {'methods': ['password'], 'password': {'user': user}},
                         'scope': {'project': self._project_scope()}}}

    def _project_scope(self):
        """The project of the token: by id, else by name in its domain."""
        if self._project_id:
            return {'id': self._project_id}
        return {'name': self._project_name, 'domain': {'name': self._project_domain_name}}

    def project(self):
        """The id of the project the token is scoped to (logs in when it is not known yet)."""
        if self.project_id is None:
            self.token()
        return self.project_id

    # -- the catalog ------------------------------------------------------------

    def endpoint_for(self, service_type, region=None, interface='public'):
        """The URL of the catalog's ``service_type`` endpoint for ``interface`` in ``region`` (any region if None)."""
        if self.catalog is None:
            self.token()
        offered = [(service.get('type'), ep.get('interface'), ep.get('region_id') or ep.get('region'), ep.get('url'))
                   for service in self.catalog for ep in service.get('endpoints') or []]
        matching = sorted(set(url for kind, face, where, url in offered
                              if kind == service_type and face == interface and (region is None or where == region)))
        if len(matching) == 1:
            return matching[0]
        listed = '; '.join('%s %s in %s: %s' % o for o in sorted(set(o for o in offered if o[0] == service_type))) or 'none'
        if matching:
            raise ImsValidationError('The service catalog of %s has %d %s endpoints for interface %s (%s); set region '
                                     'to choose one, or endpoint.' % (self.auth_url, len(matching), service_type,
                                                                      interface, listed))
        raise ImsValidationError('The service catalog of %s has no %s endpoint for interface %s%s. Endpoints of type %s: '
                                 '%s. Set region and interface to one of them, or endpoint to the service URL.' % (
                                     self.auth_url, service_type, interface,
                                     ' in region %s' % region if region else '', service_type, listed))

    def refused_hint(self):
        return 'Check %s: the login may be wrong, or the user may have no role on the project.' % describe_options(
            ('auth_url', 'username', 'password', 'user_domain_name', 'project_name', 'project_id', 'project_domain_name'),
            self.env_of)

    def header_hint(self):
        return 'username, password, project_name, project_id and extra_headers'
