# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filter ``cecloud.ims.connection_defaults``: one connection dict for the module_defaults of a role's block.

The roles take their connection as one dict (``ims_connection``) over the older ``ims_*``
variables, and apply it to their modules with ``module_defaults``.  Options given through
``module_defaults`` count as given, so an option the play sets for every module (a play-wide
``tenant_id``) would reach an ``openstack`` task and be refused there; the filter therefore sets
each option that other providers read, and that the connection does not give, to null (not given).
The options of each provider come from the provider registry (``module_utils/_providers.py``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.cecloud.ims.plugins.module_utils._providers import (
    CONNECTION_ARGUMENT_SPEC, PROVIDERS, provider_options)


def connection_defaults(connection, provider_env=None, **variables):
    """``variables`` (the ``ims_*`` role variables by option name; None = unset) under ``connection``.

    The provider is the connection's, else ``provider_env`` (E(IMS_PROVIDER) on the controller).
    When one is known, it is part of the result and the options only other providers read are null
    unless the connection sets them (then the module refuses them, naming the provider that reads them).
    Without a provider nothing is added: the play's module_defaults and the environment decide, as before.
    """
    if connection is None:
        connection = {}
    if not isinstance(connection, Mapping):
        raise AnsibleFilterError('ims_connection must be a dict of connection options; got %s.' % type(connection).__name__)
    unknown = sorted(set(connection) - set(CONNECTION_ARGUMENT_SPEC))
    if unknown:
        raise AnsibleFilterError('ims_connection has unknown options: %s. Connection options are: %s.' % (
            ', '.join(map(str, unknown)), ', '.join(sorted(CONNECTION_ARGUMENT_SPEC))))
    merged = dict((option, value) for option, value in variables.items() if value is not None)
    merged.update(connection)
    provider = merged.get('provider') or provider_env or None
    if provider is None:
        return merged
    if provider not in PROVIDERS:
        raise AnsibleFilterError('provider must be one of %s; got %r.' % (', '.join(sorted(PROVIDERS)), provider))
    merged['provider'] = provider
    for option in provider_options():
        # An option with choices stays unset instead: AnsibleModule refuses null as a value outside its choices
        # (``interface`` on cecloud or huaweicloud); one the play sets anyway is refused by the module, named.
        if option not in PROVIDERS[provider].options and merged.get(option) is None \
                and not CONNECTION_ARGUMENT_SPEC[option].get('choices'):
            merged[option] = None
    return merged


class FilterModule:
    def filters(self):
        return dict(connection_defaults=connection_defaults)
