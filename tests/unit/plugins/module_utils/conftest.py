# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the module_utils tests (used by name: ``pytestmark = pytest.mark.usefixtures(...)``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from tests.unit.plugins.module_utils.provider_params import unset_provider_env


@pytest.fixture
def no_provider_env(monkeypatch):
    """No IMS_*, OS_* or HUAWEICLOUD_* variable of the machine reaches the test."""
    unset_provider_env(monkeypatch)


@pytest.fixture(autouse=True)
def on_the_target(monkeypatch):
    """Module code runs on the target: its warnings go into the module's result. A test of a controller plugin
    (a lookup) imports ansible's controller code, which marks the whole process as the controller from then on."""
    try:
        from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel
    except ImportError:     # ansible-core before 2.19 routes module warnings the same way everywhere
        return
    monkeypatch.setattr(_internal, 'is_controller', False)
