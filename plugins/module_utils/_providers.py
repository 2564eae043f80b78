# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The provider registry: everything about a provider follows from its one entry in ``PROVIDERS``.

A provider owns its connection options: which of the common options it reads, from which
environment variables (in lookup order), which are required, and their defaults.  Environment
variables are read here, once the provider is known, and not by AnsibleModule: a shell that
holds ``OS_*`` variables must not feed them to a CECloud task.  An option the task sets that the
provider does not read is refused.  Its backend declares the module options it reads
(``Backend.module_options``), and ``connect`` builds the backend of a task.

Adding a provider is one line, ``PROVIDERS[name] = Provider(name, ...)`` (``docs/providers.md``,
"Adding a provider"): the ``provider`` choices, the module options each provider reads and the roles'
connection follow from this registry when a module runs.  The doc fragment ``cecloud.ims.ims``
documents the shipped providers (a unit test checks the two agree).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils.basic import env_fallback

from ansible_collections.cecloud.ims.plugins.module_utils._cecloud import api as _cecloud
from ansible_collections.cecloud.ims.plugins.module_utils._openstack import glance as _glance
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import ims as _huaweicloud
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import workspace as _workspace
from ansible_collections.cecloud.ims.plugins.module_utils._core import client as _client
from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import choose_auth, ignored_env_options, required_option
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_headers, check_endpoint

DEFAULT_PROVIDER = 'cecloud'


class Provider:
    """One value of the ``provider`` option: ``Provider(name, options, auth_schemes, ..., backend=...)``.

    ``options`` maps each connection option the provider reads to its environment variables (none: a
    provider that reads no connection option); ``auth_schemes`` are tried in order (``_auth.choose_auth``;
    none: a provider with no login); ``required`` are the options a task must give; ``defaults`` fills
    options left unset; ``backend`` is its ``_backend.Backend`` class, which also declares the module
    options the provider reads (``module_options``); ``dialect`` is the ``_core.client.Dialect`` class of
    its HTTP API (none: no HTTP client, see ``connect``); ``check(params)`` its own checks before any request.
    """

    def __init__(self, name, options=None, auth_schemes=(), required=(), defaults=None, backend=None, dialect=None,
                 check=None):
        if backend is None:
            raise ValueError('provider %s needs a backend class' % name)
        self.name = name
        self.options = dict(options or {})
        self.auth_schemes = tuple(auth_schemes)
        self.required = tuple(required)
        # A default is a value, or a function of the task's options (a URL built from the region).
        self.defaults = dict(defaults or {})
        self.backend = backend
        self.dialect = dialect
        # check(params): the provider's own checks before any request, after the required options.
        self.check = check

    @property
    def module_options(self):
        """{module name: options of that module the provider reads beyond the ones every provider reads}."""
        return self.backend.module_options

    def connect(self, params, auth_scheme):
        """The backend of a task, connected.

        With a ``dialect``: an ``ImsClient`` for the provider's HTTP API, logged in by ``auth_scheme`` (the one
        ``validate`` chose), whose image endpoint is the task's or, without one, the login's service catalog's.
        Without: ``backend(None, params)``.  A provider that connects otherwise overrides this method.
        """
        if self.dialect is None:
            return self.backend(None, params)
        client = _client.ImsClient(
            params['endpoint'] or '', params['region'], auth=auth_scheme.from_params(params, self.env_table),
            extra_headers=params['extra_headers'], timeout=params['timeout'], validate_certs=params['validate_certs'],
            ca_path=params['ca_path'], retry_policy=_client.RetryPolicy.from_params(params), dialect=self.dialect())
        if not params['endpoint']:
            # A password login's catalog names the image endpoint (the login is the first request).
            endpoint = client.auth.endpoint_for(self.backend.catalog_type, params['region'], params['interface'])
            client.endpoint = endpoint.rstrip('/')
        return self.backend(client, params)

    def env_of(self, option):
        return self.options.get(option, ())

    @property
    def env_table(self):
        """{option: environment variables} of every option the provider reads."""
        return dict(self.options)

    def load(self, params):
        """Fill the provider's options from its environment variables and defaults; refuse foreign options.

        Returns the values read from the environment (for masking the secret ones).  The credential the task
        gives wins over the environment variables of every other credential (``_auth.ignored_env_options``).
        """
        self._refuse_foreign(params)
        ignored = ignored_env_options(self.auth_schemes, params)
        from_env = {}
        for option, env_names in self.options.items():
            if params.get(option) is None and option not in ignored:
                value = _first_env(env_names)
                if value is not None:
                    params[option] = from_env[option] = value
            choices = CONNECTION_ARGUMENT_SPEC[option].get('choices')
            if option in from_env and choices and from_env[option] not in choices:
                raise ImsValidationError('%s from %s must be one of %s; got %r.' % (
                    option, ' or '.join(env_names), ', '.join(choices), from_env[option]))
        # Defaults once every option is read: a default may be built from another option.
        for option, default in self.defaults.items():
            if params.get(option) is None:
                params[option] = default(params) if callable(default) else default
        return from_env

    def validate(self, params):
        """Checks before any request: required options, URLs, headers, the auth scheme; returns the scheme.

        A provider with no ``auth_schemes`` logs in with none (the scheme is None); an endpoint is required only
        of a provider that reads the ``endpoint`` option.
        """
        for option in self.required:
            if not params.get(option):
                raise ImsValidationError(required_option(option, self.env_of(option)))
        if self.check is not None:
            self.check(params)
        if params.get('endpoint') is not None:
            check_endpoint(params['endpoint'])
        check_headers(params.get('extra_headers'))
        scheme = choose_auth(self.auth_schemes, params, self.env_table) if self.auth_schemes else None
        if 'endpoint' in self.options and not params.get('endpoint') and not self.endpoint_from_catalog(scheme):
            message = required_option('endpoint', self.env_of('endpoint'))
            if self.backend.catalog_type:
                message = message[:-1] + ' with %s, or log in with a password (auth_url, username, password): the ' \
                    'endpoint is then read from the service catalog.' % ', '.join(scheme.OPTIONS)
            raise ImsValidationError(message)
        return scheme

    def endpoint_from_catalog(self, scheme):
        """Whether the image endpoint comes from the login's service catalog (no ``endpoint`` needed)."""
        return bool(self.backend.catalog_type) and hasattr(scheme, 'endpoint_for')

    def _refuse_foreign(self, params):
        refuse_foreign_options(self.name, params, dict(
            (o, sorted(p.name for p in PROVIDERS.values() if o in p.options)) for o in provider_options()))


def refuse_foreign_options(provider, params, readers):
    """Refuse the options set in ``params`` that ``provider`` does not read (``readers``: option -> providers)."""
    foreign = sorted(o for o, names in readers.items() if provider not in names and params.get(o) not in (None, '', {}, []))
    if foreign:
        raise ImsValidationError('%s not used by provider %s; %s.' % (
            ', '.join(foreign) + (' is' if len(foreign) == 1 else ' are'), provider,
            '; '.join('%s is an option of provider %s' % (o, ' and '.join(readers[o])) for o in foreign)))


def _first_env(names):
    """The value of the first of ``names`` set to something: an empty variable counts as unset (AWX injects an
    optional credential field left empty as an empty string, which must not hide the option's default)."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    return None


def _check_huaweicloud(params):
    """IMS's checks of the connection options, then the Workspace endpoints."""
    _huaweicloud.check_connection(params)
    _workspace.check_endpoints(params)


PROVIDERS = dict(
    cecloud=Provider('cecloud', _cecloud.OPTIONS, _cecloud.AUTH_SCHEMES, required=_cecloud.REQUIRED_OPTIONS,
                     backend=_cecloud.CECloudBackend, dialect=_cecloud.CECloudDialect),
    openstack=Provider('openstack', _glance.OPTIONS, _glance.AUTH_SCHEMES, defaults=_glance.DEFAULTS,
                       backend=_glance.GlanceBackend, dialect=_glance.GlanceDialect),
    # IMS, and the Workspace services of the workspace_* modules (their own endpoints, the same auth).
    huaweicloud=Provider('huaweicloud', dict(_huaweicloud.OPTIONS, **_workspace.OPTIONS), _huaweicloud.AUTH_SCHEMES,
                         required=_huaweicloud.REQUIRED_OPTIONS, defaults=dict(_huaweicloud.DEFAULTS, **_workspace.DEFAULTS),
                         backend=_huaweicloud.HuaweiCloudBackend, dialect=_huaweicloud.HuaweiImsDialect,
                         check=_check_huaweicloud),
)


def provider_options():
    """Every connection option some provider reads, in a stable order (from the registry as it is now)."""
    return sorted(set(o for p in PROVIDERS.values() for o in p.options))


def module_options(module_name):
    """{option: names of the providers that read it} of the options of ``module_name`` that only some read.

    Each provider's backend declares them (``Backend.module_options``); an option no provider declares is
    read by every provider.
    """
    readers = {}
    for name in sorted(PROVIDERS):
        for option in PROVIDERS[name].module_options.get(module_name, ()):
            readers.setdefault(option, []).append(name)
    return dict((option, tuple(names)) for option, names in readers.items())


def get(name):
    return PROVIDERS[name]


def connection_argument_spec():
    """The connection options of a module, with the ``provider`` choices of the registry as it is now."""
    spec = dict(CONNECTION_ARGUMENT_SPEC)
    spec['provider'] = dict(spec['provider'], choices=sorted(PROVIDERS))
    return spec


def _env(name):
    return (env_fallback, [name])


# The connection options of every module (``connection_argument_spec()`` adds the provider choices; mirrored
# exactly by the ``cecloud.ims.ims`` doc fragment). Provider options have no ``fallback`` here: the provider reads
# its own environment variables.
CONNECTION_ARGUMENT_SPEC = dict(
    provider=dict(type='str', default=DEFAULT_PROVIDER, fallback=_env('IMS_PROVIDER')),
    endpoint=dict(type='str'),
    region=dict(type='str'),
    auth_token=dict(type='str', no_log=True),
    extra_headers=dict(type='dict'),
    tenant_id=dict(type='str'),
    department_id=dict(type='str'),
    resource_group_id=dict(type='str'),
    auth_url=dict(type='str'),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    project_name=dict(type='str'),
    project_id=dict(type='str'),
    user_domain_name=dict(type='str'),
    project_domain_name=dict(type='str'),
    interface=dict(type='str', choices=['public', 'internal', 'admin']),
    access_key=dict(type='str', no_log=True),
    secret_key=dict(type='str', no_log=True),
    security_token=dict(type='str', no_log=True),
    iam_endpoint=dict(type='str'),
    region_endpoints=dict(type='dict'),
    obs_endpoint=dict(type='str'),
    workspace_endpoint=dict(type='str'),
    workspace_app_endpoint=dict(type='str'),
    validate_certs=dict(type='bool', default=True, fallback=_env('IMS_VALIDATE_CERTS')),
    ca_path=dict(type='path', fallback=_env('IMS_CA_PATH')),
    timeout=dict(type='float', default=30.0, fallback=_env('IMS_TIMEOUT')),
    retries=dict(type='int', default=5, fallback=_env('IMS_RETRIES')),
)
