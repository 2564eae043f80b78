# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The memory provider's registry entry: no connection option, no login, no dialect; ``connect`` hands its
backend the store instead of an HTTP client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._providers import Provider
from tests.contract.memory_provider.backend import MemoryBackend


class MemoryProvider(Provider):
    def __init__(self, store):
        super(MemoryProvider, self).__init__('memory', options={}, auth_schemes=(), backend=MemoryBackend)
        self.store = store

    def connect(self, params, auth_scheme):  # pylint: disable=unused-argument
        return MemoryBackend(None, params, store=self.store)
