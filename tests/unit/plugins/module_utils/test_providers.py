# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options by provider, and capabilities: what a provider does not use or cannot do fails before any request."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import yaml
from tests.unit.plugins.module_utils.module_args import patch_module_args

from ansible_collections.cecloud.ims.plugins.doc_fragments.ims import ModuleDocFragment
from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._backend import Backend
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule
from ansible_collections.cecloud.ims.plugins.modules.ims_image_export import ImageExportModule
from ansible_collections.cecloud.ims.plugins.modules.ims_image_info import ImageInfoModule
from ansible_collections.cecloud.ims.plugins.modules.ims_image_share import ImageShareModule
from ansible_collections.cecloud.ims.plugins.modules.ims_image_upload import ImageUploadModule
from tests.unit.plugins.module_utils.provider_params import task_params

# Nothing listens on port 9: a request that was sent would fail with a transport error, not the expected message.
CECLOUD = dict(endpoint='http://127.0.0.1:9', region='region0', auth_token='tok-123456', retries=0)
OPENSTACK = dict(provider='openstack', auth_url='http://127.0.0.1:9/v3', username='alice', password='pw-secret',
                 project_name='demo', retries=0)


pytestmark = pytest.mark.usefixtures('no_provider_env')


class ReportingModule(ImsModule):
    """Its run() reports the connection options as the provider resolved them."""

    def run(self):
        self.result['params'] = dict((k, self.params[k]) for k in _providers.CONNECTION_ARGUMENT_SPEC)
        self.result['token_is_the_task_s'] = self.params['auth_token'] == CECLOUD['auth_token']


def run(module_class, args, capsys):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            module_class()()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('args,fragment', [
    (dict(OPENSTACK, tenant_id='t-1'), 'tenant_id is not used by provider openstack; tenant_id is an option of provider cecloud'),
    (dict(CECLOUD, auth_url='http://k/v3'), 'auth_url is not used by provider cecloud; auth_url is an option of provider huaweicloud and openstack'),
    (dict(CECLOUD, project_name='demo', interface='internal'), 'interface, project_name are not used by provider cecloud'),
])
def test_an_option_of_another_provider_is_refused(args, fragment, capsys):
    code, result = run(ReportingModule, args, capsys)
    assert code == 1 and fragment in result['msg'], result
    assert 'params' not in result


def test_openstack_with_a_token_and_no_endpoint_names_both_ways_to_connect(capsys):
    code, result = run(ReportingModule, dict(provider='openstack', auth_token='tok-123456', retries=0), capsys)
    assert code == 1
    assert result['msg'] == ('endpoint is required: set the endpoint option or the IMS_ENDPOINT environment variable with '
                             'auth_token, or log in with a password (auth_url, username, password): the endpoint is then '
                             'read from the service catalog.')
    assert 'tok-123456' not in json.dumps(result)


def test_openstack_with_a_password_login_needs_no_endpoint(capsys):
    code, result = run(ReportingModule, dict(OPENSTACK), capsys)
    assert code == 0, result
    assert result['params']['endpoint'] is None and result['params']['interface'] == 'public'


def test_cecloud_ignores_openstack_environment_variables(monkeypatch, capsys):
    for name, value in dict(OS_AUTH_URL='http://k/v3', OS_USERNAME='alice', OS_PASSWORD='pw', OS_PROJECT_NAME='demo',
                            OS_TOKEN='os-token', OS_REGION_NAME='RegionOne', OS_INTERFACE='internal').items():
        monkeypatch.setenv(name, value)
    code, result = run(ReportingModule, dict(CECLOUD), capsys)
    assert code == 0, result
    params = result['params']
    assert result['token_is_the_task_s']
    assert params['region'] == 'region0' and params['auth_url'] is None and params['username'] is None
    assert params['project_domain_name'] is None and params['interface'] is None


def test_a_stray_openstack_token_is_never_sent_to_cecloud(monkeypatch, capsys):
    monkeypatch.setenv('OS_TOKEN', 'os-token')
    args = dict(CECLOUD)
    del args['auth_token']
    code, result = run(ReportingModule, args, capsys)
    assert code == 1 and result['msg'].startswith('auth_token is required: set the auth_token option or the '
                                                  'IMS_AUTH_TOKEN environment variable'), result


def test_cecloud_reads_its_own_environment_variables(monkeypatch, capsys):
    monkeypatch.setenv('IMS_REGION', 'r-env')
    monkeypatch.setenv('IMS_TENANT_ID', 't-env')
    code, result = run(ReportingModule, dict(CECLOUD, region=None), capsys)
    assert code == 0, result
    assert result['params']['region'] == 'r-env' and result['params']['tenant_id'] == 't-env'


def test_a_secret_from_the_environment_is_masked(monkeypatch, capsys):
    monkeypatch.setenv('IMS_AUTH_TOKEN', 'env-token-value')
    args = dict(CECLOUD)
    del args['auth_token']
    code, result = run(ReportingModule, args, capsys)
    assert code == 0, result
    assert 'env-token-value' not in json.dumps(result)


def test_openstack_reads_os_variables_applies_its_defaults_and_checks_choices(monkeypatch):
    provider = _providers.get('openstack')
    monkeypatch.setenv('OS_REGION_NAME', 'RegionOne')
    monkeypatch.setenv('IMS_USERNAME', 'ims-wins')
    monkeypatch.setenv('OS_USERNAME', 'os-loses')
    params = task_params()
    provider.load(params)
    assert params['region'] == 'RegionOne' and params['username'] == 'ims-wins'
    assert params['project_domain_name'] == 'Default' and params['interface'] == 'public'
    monkeypatch.setenv('OS_INTERFACE', 'sideways')
    with pytest.raises(Exception) as err:
        provider.load(task_params())
    assert 'interface from IMS_INTERFACE or OS_INTERFACE must be one of public, internal, admin' in str(err.value)


def test_the_doc_fragment_says_which_providers_read_each_option():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    for option in _providers.provider_options():
        readers = sorted(p.name for p in _providers.PROVIDERS.values() if option in p.options)
        assert 'Providers: %s.' % ', '.join(readers) in documented[option]['description'], option
    assert documented['provider']['choices'] == sorted(_providers.PROVIDERS)


# -- capabilities --------------------------------------------------------------

class DownloadOnlyBackend(CECloudBackend):
    name = 'downloadonly'
    export_targets = ('dest',)
    recipient_actions = ('accept', 'reject')
    share_principal = None
    scopes = ('private', 'public')
    image_upload = Backend.image_upload     # takes no image files


@pytest.fixture
def download_only(monkeypatch):
    provider = _providers.Provider('cecloud', _providers.get('cecloud').options, _providers.get('cecloud').auth_schemes,
                                   required=('endpoint', 'region'), backend=DownloadOnlyBackend,
                                   dialect=_providers.get('cecloud').dialect)
    monkeypatch.setitem(_providers.PROVIDERS, 'cecloud', provider)


@pytest.mark.parametrize('module_class,args,message', [
    (ImageExportModule, dict(image='img-x', bucket='b1'),
     'The downloadonly provider cannot export an image to a bucket (bucket); use dest to download the image.'),
    (ImageShareModule, dict(share_id='img-share-1', state='absent'),
     'The downloadonly provider cannot drop a received share (share_id); it keeps shares until their owner removes them.'),
    (ImageShareModule, dict(image='img-x', users=['7085524801413873664']),
     'The downloadonly provider cannot share images; share them with the service\'s own tools.'),
    (ImageInfoModule, dict(scope='shared'),
     'The downloadonly provider cannot list the scope shared; use scope all or one of private, public.'),
    (ImageUploadModule, dict(src='/nonexistent.qcow2', name='n'),
     'The downloadonly provider cannot take an image file; upload the file with the provider\'s own tools.'),
])
def test_a_capability_the_provider_lacks_fails_before_any_request(download_only, module_class, args, message, capsys):
    code, result = run(module_class, dict(CECLOUD, **args), capsys)
    assert code == 1 and result['msg'] == message, result


def test_an_empty_environment_variable_is_unset_so_the_default_and_the_next_variable_apply(monkeypatch):
    """AWX injects an optional credential field left empty as an empty string."""
    provider = _providers.get('huaweicloud')
    monkeypatch.setenv('IMS_REGION', 'cn-north-4')
    monkeypatch.setenv('IMS_ENDPOINT', '')
    monkeypatch.setenv('IMS_ACCESS_KEY', '')
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', 'AK-FROM-SDK-NAME')
    monkeypatch.setenv('HUAWEICLOUD_SDK_SECURITY_TOKEN', '')
    params = task_params()
    provider.load(params)
    assert params['endpoint'] == 'https://ims.cn-north-4.myhuaweicloud.com'
    assert params['access_key'] == 'AK-FROM-SDK-NAME' and params['security_token'] is None
