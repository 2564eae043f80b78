# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/dependencies.py: a missing dependency skips a local run and fails a CI run."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from tests.dependencies import missing, require_module


def test_a_missing_module_skips_without_ci_and_fails_with_it(monkeypatch):
    monkeypatch.delenv('CI', raising=False)
    with pytest.raises(pytest.skip.Exception, match='in CI this is an error'):
        require_module('no_such_module_here')
    monkeypatch.setenv('CI', 'true')
    with pytest.raises(pytest.fail.Exception, match='no_such_module_here cannot be imported'):
        require_module('no_such_module_here')
    with pytest.raises(pytest.fail.Exception, match='weed is not installed'):
        missing('weed is not installed')


def test_an_installed_module_is_returned(monkeypatch):
    monkeypatch.setenv('CI', 'true')
    assert require_module('json').dumps([]) == '[]'
