# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-memory image service: images, their bytes and members, with the faults a contract test asks for."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import itertools
import threading

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError


class Store:
    """Every call is logged in ``requests`` (method, what); ``lose_next_create_reply`` makes the next create take
    effect and then fail as a lost answer does over HTTP; ``held`` keeps imports ``saving``."""

    def __init__(self):
        self.images = {}
        self.data = {}
        self.members = {}
        self.sources = {}            # import sources: url -> bytes
        self.requests = []
        self.lose_next_create_reply = False
        self.held = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _log(self, method, what):
        self.requests.append((method, what))

    # -- reads -------------------------------------------------------------------------

    def list(self, name=None, image_id=None):
        self._log('GET', '/images')
        return [dict(i) for i in self._all() if (name is None or i['name'] == name) and (image_id is None or i['id'] == image_id)]

    def get(self, image_id):
        self._log('GET', '/images/%s' % image_id)
        image = self._settle(image_id)
        return dict(image) if image else None

    def list_members(self, image_id):
        self._log('GET', '/images/%s/members' % image_id)
        return list(self.members.get(image_id, ()))

    def read_data(self, image_id):
        self._log('GET', '/images/%s/file' % image_id)
        return self.data[image_id]

    def _all(self):
        return [self._settle(image_id) for image_id in sorted(self.images)]

    def _settle(self, image_id):
        """An import ends at the first read after it started, unless imports are held."""
        image = self.images.get(image_id)
        if image is not None and image['status'] == 'saving' and image_id in self.data and not self.held:
            image.update(status='active', checksum=hashlib.md5(self.data[image_id]).hexdigest(), size=len(self.data[image_id]))
        return image

    # -- writes ------------------------------------------------------------------------

    def create(self, fields, source=None):
        """A new image (``saving`` with the bytes of ``source`` to import, else ``queued``)."""
        self._log('POST', '/images')
        if source is not None and source not in self.sources:
            raise ImsApiError('NotFound', 'no import source %s' % source, http_status=400, operation='create image')
        with self._lock:
            image_id = 'mem-%06d' % next(self._ids)
        self.images[image_id] = dict(fields, id=image_id, image_id=image_id, status='saving' if source else 'queued',
                                     checksum=None, size=None)
        if source is not None:
            self.data[image_id] = self.sources[source]
        if self.lose_next_create_reply:
            self.lose_next_create_reply = False
            raise ImsTransportError('POST /images: no answer (the connection was closed)')
        return dict(self.images[image_id])

    def update(self, image_id, changes):
        self._log('PATCH', '/images/%s' % image_id)
        self.images[image_id].update(changes)
        return dict(self.images[image_id])

    def put_data(self, image_id, data):
        self._log('PUT', '/images/%s/file' % image_id)
        self.data[image_id] = data
        self.images[image_id].update(status='active', checksum=hashlib.md5(data).hexdigest(), size=len(data))

    def delete(self, image_id):
        self._log('DELETE', '/images/%s' % image_id)
        if image_id not in self.images:
            raise ImsApiError('NotFound', 'image %s not found' % image_id, http_status=404, operation='delete image')
        del self.images[image_id]
        self.data.pop(image_id, None)
        self.members.pop(image_id, None)

    def add_members(self, image_id, users):
        self._log('POST', '/images/%s/members' % image_id)
        have = self.members.setdefault(image_id, [])
        have.extend(u for u in users if u not in have)

    def remove_members(self, image_id, users):
        self._log('DELETE', '/images/%s/members' % image_id)
        self.members[image_id] = [u for u in self.members.get(image_id, []) if u not in users]

    def seed(self, name, data=b'seed\n' * 256):
        """An active image, made without a request."""
        with self._lock:
            image_id = 'mem-%06d' % next(self._ids)
        self.images[image_id] = dict(id=image_id, image_id=image_id, name=name, status='active', min_ram=0, min_disk=0,
                                     disk_format='raw', checksum=hashlib.md5(data).hexdigest(), size=len(data))
        self.data[image_id] = data
        return image_id
