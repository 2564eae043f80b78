# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contract tests' adapter (tests/contract/stacks.py ``Cloud``) of the memory provider: the store is the stack."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import hashlib

from tests.contract.memory_provider.provider import MemoryProvider
from tests.contract.memory_provider.store import Store
from tests.contract.stacks import Cloud


class Memory(Cloud):
    name = 'memory'
    share_option = 'users'

    def __init__(self):
        self.store = Store()
        self.provider = MemoryProvider(self.store)

    def connection(self, who):
        return dict(provider='memory'), {}

    def seed_image(self, prefix):
        name = prefix + 'seed'
        return self.store.seed(name), name

    def lose_next_create_reply(self):
        self.store.lose_next_create_reply = True

    def create_requests(self):
        return self.store.requests.count(('POST', '/images'))

    def images(self, name):
        return [i['id'] for i in self.store.images.values() if i['name'] == name]

    def min_ram(self, image_id):
        return self.store.images[image_id]['min_ram']

    def recipient(self):
        return 'user-b'

    def members(self, image_id):
        return sorted(self.store.members.get(image_id, ()))

    @contextlib.contextmanager
    def held_import(self, name):
        self.store.sources['memory://held'] = b'held\n' * 1024
        self.store.held = True
        try:
            yield dict(name=name, import_url='memory://held')
        finally:
            self.store.held = False

    def stored_md5(self, image_id):
        return hashlib.md5(self.store.data[image_id]).hexdigest()

    def clear_requests(self):
        del self.store.requests[:]

    def requests(self):
        return list(self.store.requests)
