# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The memory provider's flows: ims_image, ims_image_upload and ims_image_export over a ``_module.Task``.

The rules every provider keeps come from the neutral image service (``_service.ImageService``): one image per
name (claim_name), a create that is not repeated after a lost reply (create_once), reads instead of resends
(converge), waits with a deadline (wait_for_status, wait_until_gone), shares (apply_shares).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_non_negative
from ansible_collections.cecloud.ims.plugins.module_utils._deprecation import DeprecationRequest
from ansible_collections.cecloud.ims.plugins.module_utils._flow import Flow
from ansible_collections.cecloud.ims.plugins.module_utils._service import ACTIVE

# The image fields a task sets (ims_image's options of the same name); the others are the store's.
FIELDS = ('min_disk', 'min_ram', 'disk_format')


def md5_of(data):
    return hashlib.md5(data).hexdigest()


class Lifecycle(Flow):
    """ims_image: an image called ``name`` (empty, or imported from a source of the store), updated, or deleted."""

    def run(self):
        p = self.params
        check_non_negative(p, ('min_disk', 'min_ram'))
        DeprecationRequest(p, self.backend)     # its store keeps no deprecation: refused before any request
        image = self.service.find_image(image_id=p['id'], name=None if p['id'] else p['name'])
        if image is not None:
            image.pop('scope', None)
        if p['state'] == 'absent':
            return self.absent(image)
        if image is None:
            return self.create()
        return self.update(image)

    def create(self):
        p = self.params
        if p['id']:
            raise ImsValidationError('No image has id %s; an image is created with a name, not an id.' % p['id'])
        claim = self.service.claim_name(p['name'])
        fields = dict(name=p['name'], disk_format=p['disk_format'] or 'raw', min_disk=p['min_disk'] or 0,
                      min_ram=p['min_ram'] or 0)
        if self.task.check_mode:
            self.task.exit_json(changed=True, image=dict(fields, status='queued'))
        image = self.service.create_once(lambda: self.backend.create_image(fields, p['import_url']), claim)
        self.task.record_change(image=image)
        if p['import_url'] and p['wait']:
            image = self.service.wait_for_status(image['image_id'], timeout=p['wait_timeout'])
        self.task.set_diff({}, image)
        self.task.exit_json(changed=True, image=image)

    def update(self, image):
        p = self.params
        wanted = dict((f, p[f]) for f in FIELDS if p.get(f) is not None and image.get(f) != p[f])
        claim = None
        if p['name'] is not None and p['name'] != image['name']:
            claim = self.service.claim_name(p['name'], own_id=image['image_id'])
            wanted['name'] = p['name']
        self.task.set_diff(dict((f, image.get(f)) for f in wanted), wanted)
        if wanted and not self.task.check_mode:
            self.service.update_image(image, wanted, claim,
                                      applied=lambda current: all(current.get(f) == v for f, v in wanted.items()))
            self.task.record_change(image=dict(image, **wanted))
            image = self.service.get_image(image['image_id'])
        self.task.exit_json(changed=bool(wanted), image=dict(image, **wanted))

    def absent(self, image):
        p = self.params
        if image is None:
            self.task.exit_json(changed=False, image={})
        users = [s['user_id'] for s in self.service.list_shares(image['image_id'])]
        if users and not p['force']:
            raise ImsValidationError('Image %s (%s) is shared with %s; set force: true to unshare and delete it.' % (
                image['name'], image['image_id'], ', '.join(users)))
        self.task.set_diff(image, {})
        if not self.task.check_mode:
            if users:
                self.service.apply_shares(image['image_id'], remove=users)
            self.service.delete_once(image['image_id'])
            self.task.record_change(image=image)
            if p['wait']:
                self.service.wait_until_gone(image['image_id'], timeout=p['wait_timeout'])
        self.task.exit_json(changed=True, image=image)


class Upload(Flow):
    """ims_image_upload: one image called ``name`` that holds ``src``, sent in one piece and verified by its MD5."""

    def run(self):
        p = self.params
        if not os.path.isfile(p['src']):
            raise ImsValidationError('src %s is not a readable file.' % p['src'])
        with open(p['src'], 'rb') as handle:
            data = handle.read()
        local = md5_of(data)

        def same_file(images):
            return next((i for i in images if i.get('status') == ACTIVE and i.get('checksum') == local), None)
        claim = self.service.claim_name(p['name'], reuse=same_file)
        if claim.reuse is not None:
            claim.reuse.pop('scope', None)
            self.task.exit_json(changed=False, image=claim.reuse, checksum=local, hashes=dict(md5=local))
        if self.task.check_mode:
            self.task.exit_json(changed=True, image=dict(name=p['name'], status=ACTIVE, checksum=local), checksum=local)
        fields = dict(name=p['name'], disk_format=p['disk_format'] or 'raw', min_disk=p['min_disk'] or 0,
                      min_ram=p['min_ram'] or 0)
        image = self.service.create_once(lambda: self.backend.create_image(fields), claim)
        self.task.record_change(image=image)
        self.backend.upload_file(image['image_id'], data)
        image = self.service.wait_for_status(image['image_id'], timeout=p['wait_timeout'])
        stored = self.backend.data_hashes(image).get('md5')
        if stored != local:
            raise ImsError('Image %s holds MD5 %s, but %s has %s: the service did not keep the bytes sent.' % (
                image['image_id'], stored, p['src'], local))
        self.task.exit_json(changed=True, image=image, checksum=local, hashes=dict(md5=local))


class Export(Flow):
    """ims_image_export: the image's bytes at ``dest``, checked against the MD5 the service reports."""

    def run(self):
        p = self.params
        if not p['dest'] or p['bucket']:
            raise self.backend.unsupported('export to a bucket', 'download the image to a local path with dest')
        image = self.service.resolve_image(p['image'])
        expected = self.backend.data_hashes(image).get('md5')
        if image.get('status') != ACTIVE or not expected:
            raise ImsValidationError('Image %s is %s: only an active image with data can be downloaded.' % (
                image['image_id'], image.get('status')))
        verified = dict(algorithm='md5', value=expected, size=image.get('size'))
        if not p['force'] and os.path.isfile(p['dest']):
            with open(p['dest'], 'rb') as handle:
                if md5_of(handle.read()) == expected:
                    self.task.exit_json(changed=False, dest=p['dest'], checksum=expected, verified=verified)
        if self.task.check_mode:
            self.task.exit_json(changed=True, dest=p['dest'], checksum=expected)
        data = self.backend.download_file(image['image_id'])
        if md5_of(data) != expected:
            raise ImsError('The download of image %s has MD5 %s, not the %s the service reports; %s is unchanged.' % (
                image['image_id'], md5_of(data), expected, p['dest']))
        partial = p['dest'] + '.part'
        with open(partial, 'wb') as handle:
            handle.write(data)
        os.replace(partial, p['dest'])
        self.task.exit_json(changed=True, dest=p['dest'], checksum=expected, verified=dict(verified, size=len(data)))
