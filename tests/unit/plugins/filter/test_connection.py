# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter cecloud.ims.connection_defaults, and the roles' ims_connection argument spec that feeds it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.cecloud.ims.plugins.module_utils._providers import CONNECTION_ARGUMENT_SPEC

ROLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles')
CECLOUD_ONLY = ('department_id', 'resource_group_id', 'tenant_id')
OPENSTACK_ONLY = ('auth_url', 'interface', 'password', 'project_domain_name', 'project_id', 'project_name', 'username',
                  'user_domain_name')
# The filter runs in a process of its own: it imports controller code (ansible.errors), after which ansible-core
# 2.19+ treats the whole process as the controller, where a module's warnings go to the display instead of its
# result, and the module tests of this process would see that.
FILTER_SCRIPT = """
import json, sys
from ansible.errors import AnsibleFilterError
from ansible_collections.cecloud.ims.plugins.filter.connection import FilterModule
connection, provider_env, variables = json.load(sys.stdin)
try:
    value = FilterModule().filters()['connection_defaults'](connection, provider_env, **variables)
    print(json.dumps(dict(value=value)))
except AnsibleFilterError as exc:
    print(json.dumps(dict(error='AnsibleFilterError', message=str(exc))))
"""


def run_filter(connection, provider_env=None, **variables):
    """What ``connection | cecloud.ims.connection_defaults(provider_env, **variables)`` gives: the value, or the error."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run([sys.executable, '-c', FILTER_SCRIPT], input=json.dumps([connection, provider_env, variables]),
                          capture_output=True, text=True, env=env, check=True, timeout=120)
    return json.loads(proc.stdout)


def connection_defaults(connection, provider_env=None, **variables):
    answer = run_filter(connection, provider_env, **variables)
    assert 'error' not in answer, answer
    return answer['value']


def test_without_a_provider_only_the_given_options_pass_as_before():
    assert connection_defaults({}, None, endpoint='https://ims', region=None, tenant_id='7') == dict(
        endpoint='https://ims', tenant_id='7')
    assert connection_defaults(None, '') == {}


def test_the_connection_wins_over_the_ims_variables():
    merged = connection_defaults(dict(endpoint='https://new', region=None), None, endpoint='https://old', region='r1')
    assert merged == dict(endpoint='https://new', region=None)


def test_openstack_nulls_what_only_cecloud_reads_unless_given():
    merged = connection_defaults(dict(provider='openstack', auth_url='https://keystone/v3'), None)
    assert merged['provider'] == 'openstack' and merged['auth_url'] == 'https://keystone/v3'
    assert dict((o, merged[o]) for o in CECLOUD_ONLY) == dict.fromkeys(CECLOUD_ONLY)
    assert not set(OPENSTACK_ONLY) - {'auth_url'} & set(merged)
    # An option the role is given for the other provider stays: the module refuses it, naming the provider.
    assert connection_defaults(dict(provider='openstack'), None, tenant_id='7')['tenant_id'] == '7'


def test_cecloud_from_the_environment_nulls_what_only_openstack_reads():
    merged = connection_defaults({}, 'cecloud', endpoint='https://ims')
    assert merged['provider'] == 'cecloud' and merged['endpoint'] == 'https://ims'
    nulled = [o for o in OPENSTACK_ONLY if o != 'interface']
    assert dict((o, merged[o]) for o in nulled) == dict.fromkeys(nulled)
    # An option with choices is left out, not nulled: AnsibleModule refuses null outside the choices.
    assert 'interface' not in merged
    assert not set(CECLOUD_ONLY) & set(merged)
    assert connection_defaults(dict(provider='openstack'), 'cecloud')['provider'] == 'openstack'


@pytest.mark.parametrize('connection,words', [
    ('https://ims', 'ims_connection must be a dict'),
    (dict(endpoint='https://ims', tenant='7'), 'ims_connection has unknown options: tenant.'),
    (dict(provider='aws'), "provider must be one of cecloud, huaweicloud, openstack; got 'aws'"),
])
def test_bad_connections_are_refused_with_a_message(connection, words):
    answer = run_filter(connection)
    assert answer.get('error') == 'AnsibleFilterError' and words in answer['message'], answer


@pytest.mark.parametrize('role', ['image_publish', 'image_import', 'image_retention'])
def test_each_role_documents_ims_connection_as_the_modules_connection_options(role):
    with open(os.path.join(ROLES, role, 'meta', 'argument_specs.yml')) as handle:
        spec = yaml.safe_load(handle)['argument_specs']['main']['options']['ims_connection']
    assert spec['type'] == 'dict'
    documented = spec['options']
    assert sorted(documented) == sorted(CONNECTION_ARGUMENT_SPEC)
    for option, module_spec in CONNECTION_ARGUMENT_SPEC.items():
        assert documented[option]['type'] == module_spec['type'], option
        assert documented[option].get('choices') == module_spec.get('choices'), option
        assert bool(documented[option].get('no_log')) == bool(module_spec.get('no_log')), option
        assert 'default' not in documented[option], option     # unset keys leave the modules' defaults alone


def test_huaweicloud_nulls_what_only_the_others_read_and_leaves_out_the_options_with_choices():
    merged = connection_defaults(dict(provider='huaweicloud', access_key='AK', secret_key='SK'), None)
    assert merged['access_key'] == 'AK' and merged['tenant_id'] is None and merged['project_name'] is None
    assert 'interface' not in merged and 'obs_endpoint' not in merged
