# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: role_connection
author:
  - cecloud.ims contributors (@cecloud)
version_added: 1.0.0
short_description: The connection of the roles' module tasks, from ims_connection and the older ims_* variables
description:
  - Reads the variables C(ims_connection) and the older C(ims_endpoint), C(ims_region), C(ims_auth_token),
    C(ims_tenant_id), C(ims_department_id), C(ims_resource_group_id), C(ims_validate_certs) and C(ims_ca_path)
    where they are defined, and merges them with the filter P(cecloud.ims.connection_defaults#filter) - the keys of
    C(ims_connection) win, and once the provider is known (C(ims_connection.provider), else E(IMS_PROVIDER) on the
    controller) the options only other providers read are null.
  - The roles of this collection (image_publish, image_import, image_retention) apply the result with
    C(module_defaults) on the block of their module tasks, so the mapping of the C(ims_*) variables is defined once,
    here.
  - Takes no terms.
'''

EXAMPLES = r'''
- name: The connection of the module tasks of a role, for module_defaults
  ansible.builtin.set_fact:
    my_role_connection: "{{ lookup('cecloud.ims.role_connection') }}"
  vars:
    ims_connection:
      provider: openstack
      auth_url: https://keystone.example.com:5000/v3
    ims_region: RegionOne
'''

RETURN = r'''
_raw:
  description:
    - One dict of connection options, for C(module_defaults); options that only another provider reads are C(null)
      when the provider is known.
  type: list
  elements: dict
'''

import os

from ansible.errors import AnsibleFilterError, AnsibleLookupError
from ansible.plugins.loader import lookup_loader
from ansible.plugins.lookup import LookupBase

from ansible_collections.cecloud.ims.plugins.filter.connection import connection_defaults

CONNECTION_VARIABLE = 'ims_connection'
# The connection options the roles also take as variables of their own, ``ims_<option>``, older than
# ims_connection; they keep working.
VARIABLE_OPTIONS = ('endpoint', 'region', 'auth_token', 'tenant_id', 'department_id', 'resource_group_id',
                    'validate_certs', 'ca_path')
VARIABLE_PREFIX = 'ims_'


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError('cecloud.ims.role_connection takes no terms; got %s.' % ', '.join(map(str, terms)))
        values = self._defined(variables or {}, [CONNECTION_VARIABLE] + [VARIABLE_PREFIX + o for o in VARIABLE_OPTIONS])
        connection = values.pop(CONNECTION_VARIABLE, None)
        options = dict((name[len(VARIABLE_PREFIX):], value) for name, value in values.items())
        try:
            return [connection_defaults(connection, os.environ.get('IMS_PROVIDER'), **options)]
        except AnsibleFilterError as exc:
            raise AnsibleLookupError(str(exc)) from None

    def _defined(self, variables, names):
        """{name: templated value} of the ``names`` that are defined, templated by ansible.builtin.vars (as
        ``lookup('ansible.builtin.vars', name)`` would, on every ansible-core)."""
        defined = [name for name in names if name in variables]
        if not defined:
            return {}
        templated = lookup_loader.get('ansible.builtin.vars', loader=self._loader, templar=self._templar)
        return dict(zip(defined, templated.run(defined, variables)))
