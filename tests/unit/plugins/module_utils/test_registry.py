# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything about a provider follows from its one entry in the registry: a provider added to ``PROVIDERS``
alone is a ``provider`` choice, reads the module options its backend declares, is not asked for an endpoint or a
login it does not have, and gets its backend from ``Provider.connect``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
from tests.unit.plugins.module_utils.module_args import patch_module_args

from ansible_collections.cecloud.ims.plugins.module_utils import _backend, _providers
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule

pytestmark = pytest.mark.usefixtures('no_provider_env')


class ShelfBackend(_backend.Backend):
    """A backend with no HTTP API: a shelf of image names."""

    name = 'shelf'
    module_options = dict(shelf_report=('label',), ims_image=('label',))

    def __init__(self, client, params=None):
        super(ShelfBackend, self).__init__(client, params)
        self.params = params


class ReportModule(ImsModule):
    """Reports what the module sees of the registry: the backend it got, the options it refuses."""

    name = 'shelf_report'
    argument_spec = dict(label=dict(type='str'), size=dict(type='int'))
    provider_option_defaults = dict(label='plain')

    def run(self):
        self.result.update(backend=type(self.backend).__name__, client=self.client is None, label=self.params['label'],
                           provider_options=dict((o, list(p)) for o, p in self.provider_options.items()))


def run(args, capsys):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            ReportModule()()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture
def shelf(monkeypatch):
    monkeypatch.setitem(_providers.PROVIDERS, 'shelf', _providers.Provider('shelf', backend=ShelfBackend))


def test_a_registered_provider_runs_with_no_endpoint_no_login_and_its_own_options(shelf, capsys):
    code, result = run(dict(provider='shelf', size=3), capsys)
    assert code == 0, result
    assert result['backend'] == 'ShelfBackend' and result['client'] is True
    assert result['label'] == 'plain'               # the module's default, for the provider that reads the option
    assert result['provider_options'] == dict(label=['shelf'])


def test_the_options_another_provider_declares_are_refused_by_the_registered_one(shelf, capsys):
    code, result = run(dict(provider='shelf', region='r1'), capsys)
    assert code == 1
    assert result['msg'] == 'region is not used by provider shelf; region is an option of provider cecloud and huaweicloud ' \
        'and openstack.', result


def test_the_options_a_registered_provider_declares_are_refused_by_the_others(shelf, capsys):
    code, result = run(dict(endpoint='http://127.0.0.1:9', region='r0', auth_token='tok-123456', label='x'), capsys)
    assert code == 1
    assert result['msg'] == 'label is not used by provider cecloud; label is an option of provider shelf.', result


def test_the_provider_choices_follow_the_registry(monkeypatch, capsys):
    code, result = run(dict(provider='shelf'), capsys)
    assert code == 1 and 'value of provider must be one of: cecloud, huaweicloud, openstack, got: shelf' in result['msg']
    monkeypatch.setitem(_providers.PROVIDERS, 'shelf', _providers.Provider('shelf', backend=ShelfBackend))
    assert _providers.connection_argument_spec()['provider']['choices'] == ['cecloud', 'huaweicloud', 'openstack', 'shelf']
    assert _providers.module_options('ims_image')['label'] == ('shelf',)


def test_the_shipped_providers_connect_through_their_http_client():
    params = dict((k, None) for k in _providers.CONNECTION_ARGUMENT_SPEC)
    params.update(endpoint='http://127.0.0.1:9/', region='r0', auth_token='tok-123456', timeout=30.0, retries=0,
                  validate_certs=True)
    provider = _providers.get('cecloud')
    backend = provider.connect(params, provider.validate(params))
    assert isinstance(backend, provider.backend) and backend.client.endpoint == 'http://127.0.0.1:9'


def test_a_provider_needs_a_backend():
    with pytest.raises(ValueError):
        _providers.Provider('nothing')
