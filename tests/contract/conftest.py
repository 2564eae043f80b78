# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``cloud``: each provider's test stack in turn, behind its adapter (stacks.py), for the contract tests.

The stacks are the integration tests' own fixtures (the CECloud emulator, Keystone + Glance, the Huawei
emulator); the fourth, ``memory``, is the in-memory provider of memory_provider/, registered for the test only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from tests.contract.memory_provider.adapter import Memory
from tests.contract.stacks import CECloud, HuaweiCloud, OpenStack
# Fixtures, used by name only.
from tests.integration.conftest import http_dir, ims, stack  # noqa: F401  pylint: disable=unused-import
from tests.openstack.fixtures import glance, openstack_stack  # noqa: F401  pylint: disable=unused-import
from tests.emulator.huawei.fixtures import huawei, huawei_stack  # noqa: F401  pylint: disable=unused-import

PROVIDERS = ('cecloud', 'openstack', 'huaweicloud', 'memory')


@pytest.fixture
def memory(monkeypatch):
    """The in-memory provider, registered like the others for this test only."""
    adapter = Memory()
    monkeypatch.setitem(_providers.PROVIDERS, 'memory', adapter.provider)
    return adapter


@pytest.fixture(params=PROVIDERS)
def cloud(request):
    if request.param == 'cecloud':
        return CECloud(request.getfixturevalue('ims'), request.getfixturevalue('http_dir'))
    if request.param == 'openstack':
        return OpenStack(request.getfixturevalue('glance'))
    if request.param == 'huaweicloud':
        return HuaweiCloud(request.getfixturevalue('huawei'))
    return request.getfixturevalue('memory')
