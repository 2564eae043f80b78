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
