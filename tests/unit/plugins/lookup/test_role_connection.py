# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup cecloud.ims.role_connection: the roles' connection, one definition of the ims_* variables' mapping.

Run through ansible-playbook, so the variables are templated as in a role (a variable made of another one).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.unit.plugins.filter.test_connection import CECLOUD_ONLY

ROLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles')


def role_connections(tmp_path, cases, provider_env=None):
    """{case: the lookup's value with the variables ``cases[case]``, or ``{failed: message}``}, from one play."""
    out = tmp_path / 'connections.json'
    tasks = [dict(name=name, vars=variables, register='case_%s' % name, ignore_errors=True,
                  **{'ansible.builtin.debug': dict(msg="{{ lookup('cecloud.ims.role_connection') }}")})
             for name, variables in cases.items()]
    outcome = '{%s}' % ', '.join("'%s': case_%s" % (name, name) for name in cases)
    tasks.append(dict(name='Write the outcomes', **{'ansible.builtin.copy': dict(
        content='{{ %s | to_json }}' % outcome, dest=str(out), mode='0600')}))
    playbook = tmp_path / 'play.yml'
    playbook.write_text(yaml.safe_dump([dict(hosts='localhost', gather_facts=False, tasks=tasks)]))
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('IMS_'))
    env.update(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1',
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    if provider_env:
        env['IMS_PROVIDER'] = provider_env
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    proc = subprocess.run([ansible_playbook, '-i', 'localhost,', '-c', 'local', str(playbook)], capture_output=True,
                          text=True, env=env, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dict((name, dict(failed=result['msg']) if result.get('failed') else result['msg'])
                for name, result in json.loads(out.read_text()).items())


def test_ims_connection_wins_over_the_ims_variables_which_are_templated_and_a_bad_one_is_refused(tmp_path):
    found = role_connections(tmp_path, dict(
        merged=dict(old_endpoint='https://old', ims_endpoint='{{ old_endpoint }}', ims_region='r1', ims_tenant_id='7',
                    ims_connection=dict(region='r2')),
        empty={},
        unknown=dict(ims_connection=dict(tenant='7'))))
    assert found['merged'] == dict(endpoint='https://old', region='r2', tenant_id='7'), found
    assert found['empty'] == {}, found
    assert 'ims_connection has unknown options: tenant.' in found['unknown']['failed'], found


def test_the_provider_of_the_environment_nulls_what_only_other_providers_read(tmp_path):
    found = role_connections(tmp_path, dict(token=dict(ims_auth_token='t'),
                                            cecloud=dict(ims_connection=dict(provider='cecloud'))), 'openstack')
    merged = found['token']
    assert merged['provider'] == 'openstack' and merged['auth_token'] == 't', merged
    assert dict((o, merged[o]) for o in CECLOUD_ONLY) == dict.fromkeys(CECLOUD_ONLY)
    assert found['cecloud']['provider'] == 'cecloud', found


@pytest.mark.parametrize('vars_file', sorted(glob.glob(os.path.join(ROLES, '*', 'vars', 'main.yml'))))
def test_every_role_takes_its_connection_from_the_lookup(vars_file):
    role = vars_file.split(os.sep)[-3]
    with open(vars_file) as handle:
        role_vars = yaml.safe_load(handle)
    assert role_vars['%s_connection' % role] == "{{ lookup('cecloud.ims.role_connection') }}", vars_file


def test_the_documentation_names_every_ims_variable_the_lookup_reads():
    # Read as text: importing the plugin (controller code) would turn this process into the controller, where the
    # module tests of the same process lose their warnings (see test_connection.py).
    import ast  # pylint: disable=import-outside-toplevel
    with open(os.path.join(ROLES, '..', 'plugins', 'lookup', 'role_connection.py')) as handle:
        tree = ast.parse(handle.read())
    names = ('DOCUMENTATION', 'VARIABLE_OPTIONS', 'VARIABLE_PREFIX')
    values = dict((node.targets[0].id, ast.literal_eval(node.value)) for node in tree.body
                  if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) in names)
    text = ' '.join(yaml.safe_load(values['DOCUMENTATION'])['description'])
    for option in values['VARIABLE_OPTIONS']:
        assert 'C(%s%s)' % (values['VARIABLE_PREFIX'], option) in text, option
