# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ImsModule: environment fallbacks, checks before any request, error mapping, secret masking."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from tests.unit.plugins.module_utils.module_args import patch_module_args

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule, WAIT_ARGUMENT_SPEC

CONNECTION = dict(endpoint='https://ims.example.com', region='region0', auth_token='tok-123456')
ENV_NAMES = ('IMS_PROVIDER', 'IMS_ENDPOINT', 'IMS_REGION', 'IMS_AUTH_TOKEN', 'IMS_TENANT_ID', 'IMS_DEPARTMENT_ID',
             'IMS_RESOURCE_GROUP_ID', 'IMS_VALIDATE_CERTS', 'IMS_CA_PATH', 'IMS_TIMEOUT', 'IMS_RETRIES')


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


class RecordingModule(ImsModule):
    """Runs ``behaviour(self)`` as its run()."""
    argument_spec = dict(WAIT_ARGUMENT_SPEC)
    behaviour = staticmethod(lambda module: None)

    def run(self):
        self.behaviour(self)


def run_module(args, behaviour, capsys):
    RecordingModule.behaviour = staticmethod(behaviour)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            RecordingModule()()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('option,env', [('endpoint', 'IMS_ENDPOINT'), ('region', 'IMS_REGION'),
                                        ('auth_token', 'IMS_AUTH_TOKEN')])
def test_missing_connection_option_names_the_option_and_its_variable(option, env, capsys):
    args = dict(CONNECTION)
    del args[option]
    called = []
    code, result = run_module(args, called.append, capsys)
    assert code == 1 and result['failed']
    assert option in result['msg'] and env in result['msg']
    assert called == []


def test_environment_fallbacks_fill_every_common_option(monkeypatch, capsys):
    env = dict(IMS_ENDPOINT='http://127.0.0.1:9', IMS_REGION='r9', IMS_AUTH_TOKEN='tok-from-env', IMS_TENANT_ID='t1',
               IMS_DEPARTMENT_ID='d1', IMS_RESOURCE_GROUP_ID='g1', IMS_VALIDATE_CERTS='false', IMS_CA_PATH='/tmp/ca.pem',
               IMS_TIMEOUT='12.5', IMS_RETRIES='7')
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def report(module):
        client = module.client
        module.result.update(endpoint=client.endpoint, region=client.region, verify=client.verify,
                             timeout=list(client.timeout), retries=client.retry_policy.retries, tenant=module.backend.tenant())
    code, result = run_module({}, report, capsys)
    assert code == 0, result
    assert result['endpoint'] == 'http://127.0.0.1:9' and result['region'] == 'r9'
    assert result['verify'] == '/tmp/ca.pem'
    assert result['timeout'] == [10.0, 12.5] and result['retries'] == 7
    assert result['tenant'] == dict(tenant_id='t1', department_id='d1', resource_group_id='g1')


def test_api_error_becomes_fail_json_with_code_and_request_id(capsys):
    def boom(_module):
        raise ImsApiError('IMG.OperationDenied.Quota', 'quota check failed', 'req-9', 400, operation='create image x')
    code, result = run_module(dict(CONNECTION), boom, capsys)
    assert code == 1
    assert result['msg'] == 'create image x failed: quota check failed (IMG.OperationDenied.Quota)'
    assert result['error_code'] == 'IMG.OperationDenied.Quota'
    assert result['request_id'] == 'req-9'
    assert result['http_status'] == 400


def test_secrets_are_masked_in_errors_from_unexpected_exceptions(capsys):
    def leak(module):
        module.add_secret('TEMPORARY-S3-SECRET')
        raise RuntimeError('boom with tok-123456 and TEMPORARY-S3-SECRET inside')
    code, result = run_module(dict(CONNECTION), leak, capsys)
    text = json.dumps(result)
    assert code == 1 and 'Unexpected error: RuntimeError' in result['msg']
    assert 'tok-123456' not in text and 'TEMPORARY-S3-SECRET' not in text


def test_runtime_secrets_are_masked_in_results(capsys):
    def succeed(module):
        module.add_secret('AKIA-TEMP-KEY')
        module.result['note'] = 'uploaded with AKIA-TEMP-KEY'
    code, result = run_module(dict(CONNECTION), succeed, capsys)
    assert code == 0 and 'AKIA-TEMP-KEY' not in json.dumps(result)


@pytest.mark.parametrize('extra,fragment', [
    (dict(endpoint='ims.example.com'), 'http:// or https://'),
    (dict(wait_timeout=86401), 'wait_timeout must be between 1 and 86400'),
    (dict(wait_timeout=0), 'wait_timeout must be between 1 and 86400'),
    (dict(timeout=0), 'timeout must be more than 0'),
    (dict(retries=21), 'retries must be between 0 and 20'),
    (dict(extra_headers={'Bad Header': 'x'}), 'not a valid HTTP header name'),
    (dict(extra_headers={'X-Sig': 'a\r\nInjected: 1'}), 'must not contain line breaks'),
])
def test_bad_common_options_fail_before_run(extra, fragment, capsys):
    args = dict(CONNECTION)
    args.update(extra)
    called = []
    code, result = run_module(args, called.append, capsys)
    assert code == 1 and fragment in result['msg']
    assert called == []


def test_authorization_in_extra_headers_replaces_the_token(capsys):
    args = dict(CONNECTION, extra_headers={'Authorization': 'SDK-HMAC-SHA256 Access=x'})
    del args['auth_token']
    code, result = run_module(args, lambda module: None, capsys)
    assert code == 0, result


def test_tenant_is_required_only_where_asked(capsys):
    def needs_tenant(module):
        module.backend.tenant()
    code, result = run_module(dict(CONNECTION), needs_tenant, capsys)
    assert code == 1 and 'IMS_TENANT_ID' in result['msg'] and 'IMS_DEPARTMENT_ID' in result['msg']


def test_unverified_https_warns(capsys):
    code, result = run_module(dict(CONNECTION, validate_certs=False), lambda module: None, capsys)
    assert code == 0
    assert 'validate_certs is false' in json.dumps(result)


def test_a_failure_after_a_change_reports_changed_and_what_was_made(capsys):
    def behaviour(module):
        module.record_change(image={'image_id': 'img-1', 'status': 'queued'})
        raise ImsApiError('IMG.Internal.Error', 'boom', 'req-1', 500, operation='prepare the upload of image img-1')
    code, result = run_module(dict(CONNECTION), behaviour, capsys)
    assert code == 1 and result['failed'] and result['changed'] is True
    assert result['image'] == {'image_id': 'img-1', 'status': 'queued'}
    assert result['msg'].startswith('prepare the upload of image img-1 failed') and result['http_status'] == 500


def test_a_failure_before_any_change_reports_unchanged(capsys):
    def behaviour(module):
        raise RuntimeError('a bug')
    code, result = run_module(dict(CONNECTION), behaviour, capsys)
    assert code == 1 and result['failed'] and result['changed'] is False and 'image' not in result


class ProviderOptionsModule(ImsModule):
    """Two options of some providers, each with a default; run() reports their values."""
    argument_spec = dict(part_size=dict(type='int'), quick=dict(type='bool'))
    provider_options = dict(part_size=('cecloud', 'huaweicloud'), quick=('huaweicloud',))
    provider_option_defaults = dict(part_size=16, quick=False)

    def run(self):
        self.result.update(part_size=self.params['part_size'], quick=self.params['quick'])


def run_provider_options_module(args, capsys):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            ProviderOptionsModule()()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def test_a_provider_option_default_is_filled_only_for_the_providers_that_read_it(capsys):
    code, result = run_provider_options_module(dict(CONNECTION), capsys)
    assert code == 0, result
    assert result['part_size'] == 16        # cecloud reads part_size
    assert result['quick'] is None          # only huaweicloud reads quick


def test_a_provider_option_default_is_filled_for_the_provider_that_reads_it_alone(monkeypatch, capsys):
    for name in ('HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'):
        monkeypatch.delenv(name, raising=False)
    code, result = run_provider_options_module(dict(provider='huaweicloud', region='cn-north-4', access_key='ak-1',
                                                    secret_key='sk-1', project_id='p-1'), capsys)
    assert code == 0, result
    assert result['part_size'] == 16 and result['quick'] is False


@pytest.mark.parametrize('value', [64, 0])
def test_an_explicit_provider_option_is_kept(value, capsys):
    code, result = run_provider_options_module(dict(CONNECTION, part_size=value), capsys)
    assert code == 0, result
    assert result['part_size'] == value


def test_a_foreign_provider_option_is_still_refused(capsys):
    code, result = run_provider_options_module(dict(CONNECTION, quick=True), capsys)
    assert code == 1
    assert result['msg'] == 'quick is not used by provider cecloud; quick is an option of provider huaweicloud.'
