# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task's connection options as the providers read them, for the provider tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.cecloud.ims.plugins.module_utils import _providers

# The variables any provider reads its options from (IMS_*, then OpenStack's OS_* or Huawei's SDK names).
PROVIDER_ENV_PREFIXES = ('IMS_', 'OS_', 'HUAWEICLOUD_')


def unset_provider_env(monkeypatch):
    """No provider variable of the machine running the tests reaches them."""
    for name in list(os.environ):
        if name.startswith(PROVIDER_ENV_PREFIXES):
            monkeypatch.delenv(name)


def task_params(**options):
    """Every connection option, None unless given (what AnsibleModule hands over for a task)."""
    params = dict((k, None) for k in _providers.CONNECTION_ARGUMENT_SPEC)
    params.update(options)
    return params


def loaded(provider, **options):
    """(params, auth scheme): the options once ``provider`` has read them (environment, defaults, checks)."""
    params = task_params(provider=provider, **options)
    chosen = _providers.get(provider)
    chosen.load(params)
    return params, chosen.validate(params)
