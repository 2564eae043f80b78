# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every Huawei Cloud service of the collection shares (IMS, Workspace): auth, errors, endpoints.

- Auth schemes (``_auth`` classes), in the provider's order of preference:
  ``HuaweiAkSkAuth`` (``SDK-HMAC-SHA256`` signing with ``X-Project-Id``, and ``X-Security-Token``
  for temporary keys), ``HuaweiPasswordAuth`` (an IAM token from a Keystone v3 password login,
  the seam's ``KeystonePasswordAuth``), ``HuaweiTokenAuth`` (a token the caller already has, as
  ``X-Auth-Token``).  Each knows the project of its region: given (``project_id``), learnt at login,
  or found through IAM as Huawei's SDK does (``GET /v3/projects?name={region}``, exactly one).
  ``for_region()`` gives the same credentials for another region (a cross-region copy).
- Errors: the service's ``{"error": {"code", "message"}}``, the API gateway's
  ``{"error_code", "error_msg", "request_id"}`` and Keystone's shape become (code, message, request id).
- Endpoints: ``https://{service}.{region}.myhuaweicloud.com`` unless an option names one.

No Huawei SDK is needed at run time (docs/api-notes.md "Huawei Cloud").
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import XAuthTokenAuth, describe_options, required_option
from ansible_collections.cecloud.ims.plugins.module_utils._core.client import Dialect, json_or_none
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.signer import SdkHmacSha256Auth
from ansible_collections.cecloud.ims.plugins.module_utils._core.keystone import KeystoneDialect, KeystonePasswordAuth
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_endpoint

CLOUD_DOMAIN = 'myhuaweicloud.com'
# Region ids as Huawei names them: cn-north-4, ap-southeast-1, eu-west-101, my-kualalumpur-1. The id becomes
# part of a host name, so nothing else is accepted.
REGION = re.compile(r'[a-z]{2,}(-[a-z0-9]+)+\Z')
REQUEST_ID_HEADERS = ('X-Request-Id', 'X-IAM-Trace-Id', 'X-Openstack-Request-Id')
# (code key, message key) pairs of Huawei's error bodies, in the order the SDK reads them.
ERROR_KEYS = (('error_code', 'error_msg'), ('errorCode', 'errorMsg'), ('code', 'message'))

# The connection options every Huawei service reads, with the environment variables that set them: the
# collection's IMS_* first, then the names of Huawei's SDK (huaweicloudsdkcore's environment variables).
ENV_OF = dict(
    region=('IMS_REGION',),
    endpoint=('IMS_ENDPOINT',),
    access_key=('IMS_ACCESS_KEY', 'HUAWEICLOUD_SDK_AK'),
    secret_key=('IMS_SECRET_KEY', 'HUAWEICLOUD_SDK_SK'),
    security_token=('IMS_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'),
    project_id=('IMS_PROJECT_ID', 'HUAWEICLOUD_SDK_PROJECT_ID'),
    iam_endpoint=('IMS_IAM_ENDPOINT', 'HUAWEICLOUD_SDK_IAM_ENDPOINT'),
    auth_token=('IMS_AUTH_TOKEN',),
    auth_url=('IMS_AUTH_URL',),
    username=('IMS_USERNAME',),
    password=('IMS_PASSWORD',),
    user_domain_name=('IMS_USER_DOMAIN_NAME',),
    extra_headers=(),
)


def service_url(service, region):
    """``https://{service}.{region}.myhuaweicloud.com``: Huawei's public endpoint of a regional service."""
    return 'https://%s.%s.%s' % (service, region, CLOUD_DOMAIN)


def default_service_url(service):
    """A provider default (``Provider.defaults``): the public endpoint of ``service`` in the task's region."""
    def default(params):
        region = params.get('region')
        return service_url(service, region) if region and REGION.match(region) else None
    return default


def identity_url(params):
    """The IAM (Keystone v3) URL: ``auth_url``, else ``iam_endpoint``, else the region's IAM.

    ``iam_endpoint`` (like the SDK's HUAWEICLOUD_SDK_IAM_ENDPOINT) names the IAM host, to which the SDK adds
    ``/v3``; a value that already ends in ``/v3`` is taken as it is.
    """
    if params.get('auth_url'):
        return params['auth_url']
    iam = (params.get('iam_endpoint') or service_url('iam', params['region'])).rstrip('/')
    return iam if iam.endswith('/v3') else iam + '/v3'


def check_region(region, option='region'):
    if not isinstance(region, str) or not REGION.match(region):
        raise ImsValidationError('%s %r is not a Huawei Cloud region id (lower case, such as cn-north-4 or '
                                 'ap-southeast-1).' % (option, region))


def check_connection(params):
    """Checks of the Huawei connection options before any request (region ids, URLs)."""
    check_region(params.get('region'))
    for option in ('iam_endpoint', 'auth_url', 'obs_endpoint'):
        if params.get(option):
            check_endpoint(params[option], option=option)
    for region, url in sorted((params.get('region_endpoints') or {}).items()):
        check_region(region, option='region_endpoints key')
        if not isinstance(url, str):
            raise ImsValidationError('region_endpoints[%s] must be a URL; got %r.' % (region, url))
        check_endpoint(url, option='region_endpoints[%s]' % region)


# -- errors ------------------------------------------------------------------------

def _find_error(body, depth=0):
    """(code, message) of a Huawei error body, the SDK's way: known key pairs first, then nested objects."""
    for code_key, message_key in ERROR_KEYS:
        if body.get(message_key) and code_key in body:
            return body.get(code_key), body[message_key]
    if depth < 3:
        for value in body.values():
            if isinstance(value, dict):
                found = _find_error(value, depth + 1)
                if found:
                    return found
    return None


def request_id(response, body=None):
    for header in REQUEST_ID_HEADERS:
        if response.headers.get(header):
            return response.headers[header]
    return body.get('request_id') if isinstance(body, dict) else None


def error_fields(response, fallback):
    """(code, message, request id) of a Huawei error answer; ``fallback(response)`` reads a body that is not Huawei's.

    The code is the service's (``IMG.0027``, ``APIGW.0301``), or ``HTTP<status>`` when the body has only a status.
    """
    status = response.status_code
    body = json_or_none(response)
    found = _find_error(body) if isinstance(body, dict) else None
    if found:
        code, message = found
        if code is None or str(code).split(' ', 1)[0] == str(status):
            code = 'HTTP%d' % status
        return str(code), str(message).strip().rstrip('.') or 'no message', request_id(response, body)
    code, message, _dummy = fallback(response)
    return code, message, request_id(response, body)


class HuaweiIamDialect(KeystoneDialect):
    """Huawei IAM: Keystone v3, with the API gateway's error bodies beside Keystone's."""

    name = 'huaweicloud-iam'
    # A refused project look-up names the options (the sibling's auth says which); a refused login is worded
    # by KeystonePasswordAuth.login().
    logging_in = False

    def error_fields(self, response):
        return error_fields(response, super(HuaweiIamDialect, self).error_fields)

    def is_auth_failure(self, status, code):
        return status == 401 and not self.logging_in


class HuaweiLoginDialect(HuaweiIamDialect):
    logging_in = True


# -- the region's project ------------------------------------------------------------

class RegionProject:
    """The id of the project named after a region, found through IAM once: ``GET /v3/projects?name={region}``.

    Sub-projects (``cn-north-4_dev``) are not found this way: their id must be given (``project_id``).
    """

    def __init__(self, region, identity, auth, env_of):
        self.region = region
        self.identity = identity          # the IAM URL (…/v3)
        self.auth = auth                  # signs or authenticates the look-up itself (never with X-Project-Id)
        self.env_of = env_of
        self._client = None
        self.project_id = None

    def attach(self, client):
        if self._client is None:
            self._client = client.sibling(self.identity, HuaweiIamDialect(), auth=self.auth,
                                          endpoint_option='iam_endpoint')

    def __call__(self):
        if self.project_id is None:
            self.project_id = self._look_up()
        return self.project_id

    def _look_up(self):
        data = self._client.call('GET', '/projects', params={'name': self.region},
                                 operation='look up the project of region %s at %s' % (self.region, self.identity)) or {}
        projects = [p for p in data.get('projects') or [] if isinstance(p, dict) and p.get('name') == self.region]
        hint = describe_options(('project_id',), self.env_of)
        if not projects:
            raise ImsValidationError('IAM at %s has no project named %s for these credentials: check region (a Huawei '
                                     'Cloud region id such as cn-north-4), or set %s.' % (self.identity, self.region, hint))
        if len(projects) > 1:
            raise ImsValidationError('IAM at %s has %d projects named %s (%s): set %s to the one to use.' % (
                self.identity, len(projects), self.region, ', '.join(sorted(str(p.get('id')) for p in projects)), hint))
        return projects[0].get('id')


def _needs(params, options, what, env_of):
    for option in options:
        if not params.get(option):
            raise ImsValidationError(required_option(option, env_of.get(option, ()))[:-1] + ' for %s.' % what)


# -- the auth schemes ------------------------------------------------------------------

class ProjectOfRegion:
    """Mixin of the schemes whose project is ``_project_id`` when given, else found by ``_region_project``."""

    _project_id = None
    _region_project = None

    def attach(self, client):
        self._region_project.attach(client)

    def project(self):
        if self._project_id is None:
            self._project_id = self._region_project()
        return self._project_id


class HuaweiAkSkAuth(ProjectOfRegion, SdkHmacSha256Auth):
    """AK/SK signing for a regional service: ``X-Project-Id`` is the given project, else the region's (via IAM)."""

    def __init__(self, access_key, secret_key, region, project_id=None, security_token=None, identity=None,
                 env_of=None, **kwargs):
        super(HuaweiAkSkAuth, self).__init__(access_key, secret_key, project_id=project_id,
                                             security_token=security_token, env_of=env_of or ENV_OF, **kwargs)
        self._keys = (access_key, secret_key, security_token)
        self.region = region
        self._identity = identity or service_url('iam', region) + '/v3'
        # The look-up is signed with the same keys, without X-Project-Id (as the SDK sends it).
        lookup_auth = SdkHmacSha256Auth(access_key, secret_key, security_token=security_token, env_of=self.env_of,
                                        **kwargs)
        self._region_project = RegionProject(region, self._identity, lookup_auth, self.env_of)

    @classmethod
    def from_params(cls, params, env_of=None):
        return cls(params['access_key'], params['secret_key'], params['region'], project_id=params.get('project_id'),
                   security_token=params.get('security_token'), identity=identity_url(params), env_of=env_of)

    def __call__(self, request):
        self.project()
        return super(HuaweiAkSkAuth, self).__call__(request)

    def for_region(self, region):
        """The same keys for another region: its own project, found through the same IAM."""
        access_key, secret_key, security_token = self._keys
        return HuaweiAkSkAuth(access_key, secret_key, region, security_token=security_token, identity=self._identity,
                              env_of=self.env_of, clock=self._clock)


class HuaweiPasswordAuth(KeystonePasswordAuth):
    """An IAM token from a password login (Keystone v3), scoped to the project of the region (by name) or ``project_id``.

    ``user_domain_name`` is the account (Huawei IAM user names are unique within an account only).
    """

    OPTIONS = ('username', 'password', 'user_domain_name', 'auth_url', 'project_id')
    # auth_url names IAM, which AK/SK and a token may use too (identity_url).
    CREDENTIALS = ('username', 'password', 'user_domain_name')

    def __init__(self, auth_url, username, password, region, user_domain_name, project_id=None, env_of=None, **kwargs):
        super(HuaweiPasswordAuth, self).__init__(auth_url, username, password, project_name=region,
                                                 project_id=project_id, user_domain_name=user_domain_name,
                                                 env_of=env_of or ENV_OF, **kwargs)
        self.region = region

    @classmethod
    def chosen(cls, params):
        return any(params.get(o) for o in ('username', 'password'))

    @classmethod
    def validate(cls, params):
        _needs(params, ('username', 'password', 'user_domain_name'), 'an IAM password login', ENV_OF)

    @classmethod
    def from_params(cls, params, env_of=None):
        return cls(identity_url(params), params['username'], params['password'], params['region'],
                   params['user_domain_name'], project_id=params.get('project_id'), env_of=env_of)

    def attach(self, client):
        if self._identity is None:
            self._identity = client.sibling(self.auth_url, HuaweiLoginDialect(), endpoint_option='auth_url')

    def _project_scope(self):
        # Huawei's IAM names a region's project after the region, without a domain (Huawei IAM API: Querying Project Information, GET /v3/projects).
        return {'id': self._project_id} if self._project_id else {'name': self._project_name}

    def for_region(self, region):
        """A login of the same user scoped to the project of another region."""
        other = HuaweiPasswordAuth(self.auth_url, self._username, self._password, region, self._user_domain_name,
                                   env_of=self.env_of, clock=self._clock)
        other._identity = self._identity        # the same IAM, session and counter
        return other

    def refused_hint(self):
        return 'Check %s: the login may be wrong, or the user may have no role in the project of region %s.' % (
            describe_options(('username', 'password', 'user_domain_name', 'auth_url', 'project_id'), self.env_of),
            self.region)

    def header_hint(self):
        return 'username, password, user_domain_name and extra_headers'


class HuaweiTokenAuth(ProjectOfRegion, XAuthTokenAuth):
    """``X-Auth-Token`` with a token the caller has; its project is ``project_id``, else the region's (via IAM)."""

    def __init__(self, token, region, project_id=None, identity=None, env_of=None):
        super(HuaweiTokenAuth, self).__init__(token, env_of or ENV_OF)
        self.region = region
        self._project_id = project_id
        identity = identity or service_url('iam', region) + '/v3'
        self._region_project = RegionProject(region, identity, XAuthTokenAuth(token, self.env_of), self.env_of)

    @classmethod
    def from_params(cls, params, env_of=None):
        return cls(params['auth_token'], params['region'], project_id=params.get('project_id'),
                   identity=identity_url(params), env_of=env_of)

    def for_region(self, region):
        raise ImsValidationError('A token (auth_token) is scoped to the project of one region, so it cannot act in '
                                 'region %s too. Use AK/SK (access_key, secret_key) or a password login (username, '
                                 'password, user_domain_name) for a task that spans two regions.' % region)


# AK/SK first (Huawei's recommendation), then a password login, then a token obtained elsewhere.
AUTH_SCHEMES = (HuaweiAkSkAuth, HuaweiPasswordAuth, HuaweiTokenAuth)


class HuaweiDialect(Dialect):
    """The wire format every Huawei service shares: JSON, 2xx success, Huawei's error bodies."""

    name = 'huaweicloud'

    def error_fields(self, response):
        return error_fields(response, super(HuaweiDialect, self).error_fields)
