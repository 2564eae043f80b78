# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An option the task gives wins over every environment variable, that of another option of the same credential group
included (a task's auth_token over exported HUAWEICLOUD_SDK_AK/SK); two credentials given in the task are refused."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
from tests.unit.plugins.module_utils.module_args import patch_module_args
from tests.unit.plugins.module_utils.provider_params import loaded

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule

pytestmark = pytest.mark.usefixtures('no_provider_env')

CECLOUD = dict(endpoint='http://127.0.0.1:9', region='region0')
OPENSTACK = dict(endpoint='http://127.0.0.1:9')
HUAWEI = dict(region='cn-north-4')
TOKEN = dict(auth_token='task-token-0123')
KEYSTONE = dict(auth_url='http://127.0.0.1:9/v3', username='task-user', password='task-pw', project_name='demo')
AKSK = dict(access_key='TASKACCESSKEY0001', secret_key='task-secret-key')
IAM_LOGIN = dict(username='task-user', password='task-pw', user_domain_name='task-account')
HEADER = dict(extra_headers={'Authorization': 'Basic dGFzaw=='})

# Every credential variable a provider reads, set to values no task gives.
ENV = dict(IMS_AUTH_TOKEN='env-token-0123', OS_TOKEN='os-env-token', OS_AUTH_URL='http://127.0.0.1:9/env/v3',
           OS_USERNAME='env-user', OS_PASSWORD='env-pw', OS_PROJECT_NAME='env-project', OS_PROJECT_ID='env-project-id',
           IMS_USERNAME='env-user', IMS_PASSWORD='env-pw', IMS_USER_DOMAIN_NAME='env-account',
           HUAWEICLOUD_SDK_AK='ENVACCESSKEY00001', HUAWEICLOUD_SDK_SK='env-secret-key',
           HUAWEICLOUD_SDK_SECURITY_TOKEN='env-security-token', HUAWEICLOUD_SDK_PROJECT_ID='env-project-id')


def export(monkeypatch, names=None):
    for name in names or ENV:
        monkeypatch.setenv(name, ENV[name])


def credential(params):
    """The credential options the task ends up with (those of every scheme of its provider)."""
    schemes = _providers.get(params['provider']).auth_schemes
    return dict((o, params[o]) for s in schemes for o in s.CREDENTIALS if params.get(o) is not None)


@pytest.mark.parametrize('provider,options,scheme,expected', [
    # cecloud: a token, or an Authorization header of the task's own.
    ('cecloud', dict(CECLOUD, **TOKEN), 'BearerTokenAuth', TOKEN),
    ('cecloud', dict(CECLOUD, **HEADER), 'NoAuth', {}),
    # openstack: a token or a Keystone password login; OS_PROJECT_ID still names the token's project.
    ('openstack', dict(OPENSTACK, **TOKEN), 'XAuthTokenAuth', TOKEN),
    ('openstack', dict(OPENSTACK, **KEYSTONE), 'KeystonePasswordAuth',
     dict((k, v) for k, v in KEYSTONE.items() if k != 'project_name')),
    # A temporary key's security token is read with its key only.
    ('huaweicloud', dict(HUAWEI, **AKSK), 'HuaweiAkSkAuth', AKSK),
    # huaweicloud: AK/SK, an IAM password login or a token.
    ('huaweicloud', dict(HUAWEI, **TOKEN), 'HuaweiTokenAuth', TOKEN),
    ('huaweicloud', dict(HUAWEI, **IAM_LOGIN), 'HuaweiPasswordAuth', IAM_LOGIN),
])
def test_the_credential_the_task_gives_wins_over_every_exported_one(monkeypatch, provider, options, scheme, expected):
    export(monkeypatch)
    params, chosen = loaded(provider, **options)
    assert chosen.__name__ == scheme
    assert credential(params) == expected


@pytest.mark.parametrize('provider,names,scheme,project_id', [
    ('openstack', ('OS_PROJECT_ID',), 'XAuthTokenAuth', 'env-project-id'),
    ('huaweicloud', ('HUAWEICLOUD_SDK_PROJECT_ID',), 'HuaweiTokenAuth', 'env-project-id'),
])
def test_a_token_of_the_task_still_reads_its_project_from_the_environment(monkeypatch, provider, names, scheme, project_id):
    export(monkeypatch, names)
    params, chosen = loaded(provider, **dict(OPENSTACK if provider == 'openstack' else HUAWEI, **TOKEN))
    assert chosen.__name__ == scheme and params['project_id'] == project_id


@pytest.mark.parametrize('provider,options,named', [
    ('cecloud', dict(CECLOUD, **dict(TOKEN, **HEADER)), 'auth_token, and an Authorization header in extra_headers'),
    ('openstack', dict(OPENSTACK, **dict(TOKEN, **KEYSTONE)), 'auth_url and username and password, and auth_token'),
    ('huaweicloud', dict(HUAWEI, **dict(TOKEN, **AKSK)), 'access_key and secret_key, and auth_token'),
    ('huaweicloud', dict(HUAWEI, **dict(TOKEN, **IAM_LOGIN)), 'username and password and user_domain_name, and auth_token'),
    ('huaweicloud', dict(HUAWEI, **dict(AKSK, **IAM_LOGIN)),
     'access_key and secret_key, and username and password and user_domain_name'),
    ('huaweicloud', dict(HUAWEI, password='task-pw', **TOKEN), 'password, and auth_token'),
])
def test_two_credentials_in_the_task_are_refused_naming_both(provider, options, named):
    with pytest.raises(ImsValidationError) as err:
        loaded(provider, **options)
    assert str(err.value) == 'The task gives two credentials, %s: give only one of them.' % named
    assert 'task-pw' not in str(err.value) and 'task-token' not in str(err.value)


@pytest.mark.parametrize('provider,base,scheme', [
    ('cecloud', CECLOUD, 'BearerTokenAuth'),
    ('openstack', OPENSTACK, 'KeystonePasswordAuth'),
    ('huaweicloud', HUAWEI, 'HuaweiAkSkAuth'),
])
def test_with_no_credential_in_the_task_the_environment_decides_in_the_documented_order(monkeypatch, provider, base, scheme):
    export(monkeypatch)
    _params, chosen = loaded(provider, **base)
    assert chosen.__name__ == scheme


def test_a_part_of_the_task_s_credential_may_come_from_the_environment(monkeypatch):
    export(monkeypatch, ('HUAWEICLOUD_SDK_SK', 'IMS_AUTH_TOKEN', 'OS_PASSWORD', 'OS_TOKEN'))
    params, chosen = loaded('huaweicloud', access_key='TASKACCESSKEY0001', **HUAWEI)
    assert chosen.__name__ == 'HuaweiAkSkAuth'
    assert credential(params) == dict(access_key='TASKACCESSKEY0001', secret_key='env-secret-key')
    params, chosen = loaded('openstack', auth_url='http://127.0.0.1:9/v3', username='task-user', project_name='demo')
    assert chosen.__name__ == 'KeystonePasswordAuth'
    assert credential(params) == dict(auth_url='http://127.0.0.1:9/v3', username='task-user', password='env-pw')


def test_an_exported_temporary_key_comes_with_its_security_token(monkeypatch):
    export(monkeypatch, ('HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'))
    params, chosen = loaded('huaweicloud', **HUAWEI)
    assert chosen.__name__ == 'HuaweiAkSkAuth'
    assert credential(params) == dict(access_key='ENVACCESSKEY00001', secret_key='env-secret-key',
                                      security_token='env-security-token')


class ReportingModule(ImsModule):
    def run(self):
        self.result['params'] = dict((k, self.params[k]) for k in _providers.CONNECTION_ARGUMENT_SPEC)


def test_common_options_given_in_the_task_win_over_their_environment_variables(monkeypatch, capsys):
    for name, value in dict(IMS_PROVIDER='openstack', IMS_TIMEOUT='99', IMS_RETRIES='9', IMS_VALIDATE_CERTS='false',
                            IMS_CA_PATH='/env/ca.pem', IMS_ENDPOINT='http://127.0.0.1:8/env', IMS_REGION='env-region').items():
        monkeypatch.setenv(name, value)
    args = dict(CECLOUD, provider='cecloud', timeout=7, retries=1, validate_certs=True, ca_path='/task/ca.pem', **TOKEN)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            ReportingModule()()
    params = json.loads(capsys.readouterr().out)['params']
    assert dict((k, params[k]) for k in args if k != 'auth_token') == dict(
        (k, v) for k, v in args.items() if k != 'auth_token'), params
