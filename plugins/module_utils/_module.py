# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ImsModule: the base class of every cecloud.ims module.

It adds the connection options (``_providers.connection_argument_spec()``, mirrored exactly by the
``cecloud.ims.ims`` doc fragment) to every module, lets the selected provider read and check
them and connect its backend (``Provider.connect``), and owns check mode,
diff plumbing and the one place where errors become ``fail_json``.  A module declares
``argument_spec`` (its own options) and writes ``run()``; it asks the backend's capabilities
through ``require()``, never the provider's name.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._core import client as _client
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._providers import CONNECTION_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._service import ImageService

MAX_WAIT_TIMEOUT = 86400
MAX_RETRIES = 20

# Modules that wait add these (doc fragment ``cecloud.ims.ims.wait``).
WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=600),
)

# Listing modules add this (doc fragment ``cecloud.ims.ims.filters``): field name -> value, matched as text.
FILTERS_ARGUMENT_SPEC = dict(
    filters=dict(type='dict'),
)


class Task:
    """What a provider's flow sees of the task: its options, check mode, the image service, and the result.

    A flow (``Backend.image_lifecycle``, ``image_upload``, ``image_export``) gets this and not the module:
    it reads the options and reports through these few calls, so it can run under any module that gives
    them, and a test can drive it without an AnsibleModule.
    """

    def __init__(self, module):
        self._module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.result = module.result
        # Where an upload's bytes come from (``_upload_source``): None for ims_image_upload, whose flow reads the
        # file ``src``; a module that uploads another image's bytes (a replication) sets a stream here.
        self.source = None

    @property
    def service(self):
        return self._module.service

    @property
    def backend(self):
        return self._module.service.backend

    def record_change(self, **fields):
        self._module.record_change(**fields)

    def set_diff(self, before, after, also=()):
        self._module.set_diff(before, after, also)

    def exit_json(self, **fields):
        self._module.exit_json(**fields)

    def warn(self, message):
        self._module.warn(message)

    def add_secret(self, value):
        self._module.add_secret(value)

    def apply_file_attributes(self, path, diff):
        """Give the file at ``path`` the task's file attributes (mode, owner, group...), as Ansible's file modules do."""
        module = self._module.module
        file_args = module.load_file_common_arguments(self.params, path=path)
        self.result['changed'] = module.set_fs_attributes_if_different(file_args, self.result['changed'], diff)


class _ProviderOptions:
    """``ImsModule.provider_options``: the registry's readers of the module's options (``_providers.module_options``).

    Read when a module runs, on the class or an instance, so that a provider added to ``PROVIDERS`` brings its own.
    """

    def __get__(self, instance, owner):
        return _providers.module_options(owner.name)


class ImsModule:
    """Subclasses set ``name``, ``argument_spec`` / ``module_kwargs`` and implement ``run()``."""

    # The module's name, under which each provider's backend declares the options of the module it reads
    # (``Backend.module_options``).
    name = None
    argument_spec = {}
    module_kwargs = {}
    # Python libraries the module needs beyond requests: name -> (found, import error).
    extra_libraries = {}
    # Module options that only some providers read: option -> provider names, from the registry. Documented with a
    # "Providers: ..." line; a task that sets one for another provider is refused before any request.
    provider_options = _ProviderOptions()
    # Defaults of some of those options: option -> value. The argument spec cannot carry them (a default would
    # count as set for the providers that refuse the option), so ImsModule fills them, for the providers that
    # read the option, when the task leaves it unset. Each is documented in the option's description text.
    provider_option_defaults = {}

    def __init__(self):
        spec = _providers.connection_argument_spec()
        spec.update(self.argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **self.module_kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.result = dict(changed=False)
        self._service = None
        self._auth_scheme = None

    # -- entry point -----------------------------------------------------------

    def __call__(self):
        try:
            self._check_libraries()
            self._check_common_options()
            self.run()
        except ImsError as exc:
            self.module.fail_json(**self._failure(exc.fail_kwargs()))
        except Exception as exc:  # pylint: disable=broad-except
            # A bug, not a service error: report it through fail_json so that no_log masking applies.
            self.module.fail_json(**self._failure(dict(msg='Unexpected error: %s: %s' % (type(exc).__name__, exc),
                                                       exception=traceback.format_exc())))
        self.module.exit_json(**self.result)

    def _failure(self, error):
        """fail_json's arguments: what the run already changed (``self.result``: changed, image, ids), then the error.

        A task that fails after creating or changing something says so, as amazon.aws and
        openstack.cloud modules do, so that a playbook (and its user) knows what is left behind.
        """
        kwargs = dict(self.result)
        kwargs.update(error)
        return kwargs

    def run(self):
        raise NotImplementedError

    # -- helpers for run() -----------------------------------------------------

    def exit_json(self, **kwargs):
        self.result.update(kwargs)
        self.module.exit_json(**self.result)

    def record_change(self, **fields):
        """Note a change the service has made (``image=``, ids...) the moment it is made.

        The result then says ``changed: true`` and what was made even when a later step fails.
        """
        self.result['changed'] = True
        self.result.update(fields)

    def warn(self, message):
        self.module.warn(message)

    def warn_about_unknown_filter_keys(self, filters, listed_fields, what, server_filters=()):
        """A ``filters`` key no listed record has as a field matches nothing: most likely a typo, which would pass
        in silence. ``server_filters`` are the keys the service filtered by itself (no record fields)."""
        unknown = sorted(key for key in filters or {} if key not in listed_fields and key not in server_filters)
        if unknown and listed_fields:
            self.warn('filters: no %s listed has the field%s %s, so none can match. The fields are: %s.' % (
                what, 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(sorted(listed_fields))))

    def check_filters_against_options(self, filter_options, forward=()):
        """A ``filters`` key that names a module option (``filter_options``: key -> option) asks what the option asks.

        Both given with different values is refused before any request, naming both. A filter whose option is in
        ``forward`` sets the option the task left unset, so the option's default (filled in later) never replaces
        the filter's value behind the user's back; the filter stays, and is still sent or matched as before.
        """
        filters = self.params.get('filters') or {}
        provider = self.params['provider']
        for key, option in sorted(filter_options.items()):
            if key not in filters or provider not in self.provider_options.get(option, (provider,)):
                continue
            given, wanted = self.params.get(option), filters[key]
            if given is None and option in forward:
                choices = self.argument_spec[option].get('choices')
                if choices and wanted not in choices:
                    raise ImsValidationError('filters.%s must be one of %s (the values of the %s option); got %r.' % (
                        key, ', '.join(choices), option, wanted))
                self.params[option] = wanted
            elif given is not None and given != wanted and str(given) != str(wanted):
                raise ImsValidationError('%s %s and filters.%s %s ask for different %ss: give one of them.' % (
                    option, given, key, wanted, getattr(self, 'what', 'image')))

    def add_secret(self, value):
        """Mask a value obtained at run time (a temporary key) in every result, warning and error."""
        if value:
            self.module.no_log_values.add(value)

    def set_diff(self, before, after, also=()):
        """The task's diff; ``also`` adds more (before, after, header) entries, one per other image it touches."""
        if not self.module._diff:
            return
        if not also:
            self.result['diff'] = dict(before=before, after=after)
            return
        self.result['diff'] = [dict(before=before, after=after)] + [
            dict(before=b, after=a, before_header=header, after_header=header) for b, a, header in also]

    @property
    def provider(self):
        """The ``_providers.Provider`` the task selected."""
        return _providers.get(self.params['provider'])

    @property
    def client(self):
        """The HTTP client of the provider's backend (None for a provider without one)."""
        return self.backend.client

    @property
    def backend(self):
        return self.service.backend

    @property
    def task(self):
        """The ``Task`` a provider's flow runs with."""
        return Task(self)

    @property
    def service(self):
        if self._service is None:
            if self._auth_scheme is None:
                self._auth_scheme = self.provider.validate(self.params)
            self._service = ImageService(self.provider.connect(self.params, self._auth_scheme))
        return self._service

    def require(self, supported, what, instead):
        """Fail before any request when the provider's backend lacks a capability the task needs.

        ``supported`` is the answer of a capability (``'bucket' in self.backend.export_targets``);
        ``what`` says what the task asked for, ``instead`` what to use.
        """
        if not supported:
            raise self.backend.unsupported(what, instead)

    # -- checks before any request ---------------------------------------------

    def _fill_provider_option_defaults(self):
        """Give each unset option of ``provider_option_defaults`` its default, when the selected provider reads it."""
        provider = self.params['provider']
        for option, default in self.provider_option_defaults.items():
            if provider in self.provider_options[option] and self.params[option] is None:
                self.params[option] = default

    def _check_libraries(self):
        libraries = dict(requests=(_client.HAS_REQUESTS, _client.REQUESTS_IMPORT_ERROR))
        libraries.update(self.extra_libraries)
        for name, (found, error) in sorted(libraries.items()):
            if not found:
                self.module.fail_json(msg=missing_required_lib(name), exception=str(error))

    def _check_common_options(self):
        p = self.params
        provider = self.provider
        for option, value in provider.load(p).items():
            if CONNECTION_ARGUMENT_SPEC[option].get('no_log'):
                self.add_secret(value)
        _providers.refuse_foreign_options(p['provider'], p, self.provider_options)
        self._fill_provider_option_defaults()
        self._auth_scheme = provider.validate(p)
        if p['timeout'] <= 0:
            raise ImsValidationError('timeout must be more than 0 seconds; got %s.' % p['timeout'])
        if not 0 <= p['retries'] <= MAX_RETRIES:
            raise ImsValidationError('retries must be between 0 and %d; got %s.' % (MAX_RETRIES, p['retries']))
        if p.get('wait_timeout') is not None and not 1 <= p['wait_timeout'] <= MAX_WAIT_TIMEOUT:
            raise ImsValidationError('wait_timeout must be between 1 and %d seconds (24 hours); got %s.' % (
                MAX_WAIT_TIMEOUT, p['wait_timeout']))
        if (p['endpoint'] or '').lower().startswith('https://') and not p['validate_certs']:
            self.warn('validate_certs is false: the TLS certificate of %s is not verified.' % p['endpoint'])
