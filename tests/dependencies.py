# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a test does when a tool it needs is not installed: with env ``CI`` set it fails (CI must never pass by
testing less), elsewhere it is skipped with the install hint."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest


def missing(message):
    """Fail the test under CI, skip it elsewhere; ``message`` says what is missing and how to install it."""
    if os.environ.get('CI'):
        pytest.fail('%s (CI is set: a missing test tool is an error)' % message, pytrace=False)
    pytest.skip('%s (in CI this is an error)' % message)
