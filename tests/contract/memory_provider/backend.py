# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MemoryBackend: the ``_backend.Backend`` of the in-memory store (store.py), and the flows it runs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.cecloud.ims.plugins.module_utils._backend import Backend, SharePrincipal
from tests.contract.memory_provider import flows


class MemoryBackend(Backend):
    name = 'memory'
    scopes = ('private',)
    share_principal = SharePrincipal('user', re.compile(r'^user-[a-z0-9]{1,32}$'), 'user ids (user- and 1 to 32 lower-case '
                                                                                   'letters or digits)')
    # The module options it reads beyond every provider's: who an image is shared with.
    module_options = {'ims_image_share': ('users',)}

    def __init__(self, client, params=None, store=None):
        super(MemoryBackend, self).__init__(client, params)
        self.store = store

    # -- the operations the neutral image service (ImageService) calls ----------------------

    def list_scope(self, scope, image_id=None, name=None, **_ignored):
        return self.store.list(name=name, image_id=image_id) if scope == 'private' else []

    def get_image(self, image_id):
        return self.store.get(image_id)

    @staticmethod
    def is_image_id(value):
        return value.startswith('mem-')

    def create_image(self, spec, source=None):
        return self.store.create(spec, source)

    def update_image(self, image, changes):
        return self.store.update(image['image_id'], changes)

    def delete_image(self, image_id):
        self.store.delete(image_id)

    def list_image_members(self, image_id, page_size=None):
        return [dict(user_id=user, image_id=image_id) for user in self.store.list_members(image_id)]

    def add_image_members(self, image_id, principals):
        self.store.add_members(image_id, principals)

    def remove_image_members(self, image_id, principals):
        self.store.remove_members(image_id, principals)

    def upload_file(self, image_id, body):
        self.store.put_data(image_id, body)

    def download_file(self, image_id):
        return self.store.read_data(image_id)

    # -- the flows of the modules -------------------------------------------------------------

    def image_lifecycle(self, task):
        return flows.Lifecycle(task)

    def image_upload(self, task):
        return flows.Upload(task)

    def image_export(self, task):
        return flows.Export(task)
