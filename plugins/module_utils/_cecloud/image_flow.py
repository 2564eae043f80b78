# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CECloud's ims_image flow: create (metadata only, imported from a URL, or copied from a received share),
update by the full-field PUT, delete (``_image_flow.ImageLifecycle.absent``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.image_options import (
    complete_creation, creation_spec, metadata_changes, predicted_image, validate_metadata, with_changes)
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_name
from ansible_collections.cecloud.ims.plugins.module_utils._image_flow import ImageLifecycle, before_after, url_problem, wanted
from ansible_collections.cecloud.ims.plugins.module_utils._service import KILLED, QUEUED, SAVING


def _carries(params):
    """A test of whether an image already has every value ``params`` set (an update that took effect)."""
    def carries(image):
        try:
            return not metadata_changes(image, params)
        except ImsValidationError:
            return False
    return carries


class CECloudImageLifecycle(ImageLifecycle):

    def validate(self):
        p = self.params
        validate_metadata(p)
        self._check_id_and_import_url()
        for index, volume in enumerate(p['volume_images'] or []):
            if url_problem(volume['url']):
                raise ImsValidationError('volume_images[%d].url %s; got %r.' % (index, url_problem(volume['url']), volume['url']))
            if volume['min_disk'] < 0:
                raise ImsValidationError('volume_images[%d].min_disk must be 0 or more; got %s.' % (index, volume['min_disk']))
        if p['copy_from_share'] is not None:
            if not p['copy_from_share'].strip():
                raise ImsValidationError('copy_from_share must not be empty.')
            if p['name'] is None:
                raise ImsValidationError('copy_from_share needs name: the name of the copy.')
            check_name(p['name'])

    def create(self):
        p = self.params
        self._refuse_create_by_id()
        tenant = self.backend.tenant()
        claim = self.service.claim_name(p['name'])
        if p['copy_from_share']:
            return self._copy(tenant, claim)
        spec = creation_spec(p, tenant)
        if self.check_mode:
            return self._created(predicted_image(spec, SAVING if p['import_url'] else QUEUED))
        if p['import_url']:
            image = self._send_create(claim, lambda: self.backend.import_image(spec, p['import_url'], p['volume_images']))
            return self._created(self._wait_active(image))
        image = self._send_create(claim, lambda: self.backend.create_image(spec))
        return self._created(complete_creation(self.service, image, spec))

    def _copy(self, tenant, claim):
        p = self.params
        shares = self.backend.list_received_shares()
        source = next((s for s in shares if s.get('share_id') == p['copy_from_share']), None)
        if source is None:
            raise ImsValidationError('No image is shared with this tenant under share id %s; the share ids it received are: %s.'
                                     % (p['copy_from_share'], ', '.join(sorted(s.get('share_id') or '' for s in shares)) or 'none'))
        predicted = dict((k, v) for k, v in source.items() if k not in ('share_id', 'shared_at', 'image_id', 'owner', 'checksum'))
        predicted.update(name=p['name'], status=SAVING, visibility='private')
        if p['description'] is not None:
            predicted['description'] = p['description']
        changes = metadata_changes(predicted, p)    # refuses, before the copy, what could never be applied
        if self.check_mode:
            return self._created(with_changes(predicted, wanted(changes)))
        image = self._send_create(
            claim, lambda: self.backend.copy_received_share(p['copy_from_share'], tenant, p['name'], p['description']))
        # The detail the wait read has no osVersion, which the full update must carry: the private listing has it.
        image = self._wait_active(image)
        image = self.service.find_image(image_id=image['image_id']) or image
        changes = metadata_changes(image, dict(p, description=None))    # the description went with the copy
        if changes:
            self.service.update_image(image, wanted(changes), applied=_carries(dict(p, description=None)))
            self.task.record_change(image=with_changes(image, wanted(changes)))
            image = self.service.get_image(image['image_id']) or with_changes(image, wanted(changes))
        return self._created(image)

    def update(self, image):
        p = self.params
        if image.get('status') == KILLED and (p['import_url'] or p['copy_from_share']):
            raise ImsValidationError('Image %s (%s) exists from an earlier run and is killed: %s. Delete it (state: absent) '
                                     'to create it again.' % (image.get('name'), image.get('image_id'),
                                                              image.get('err_message') or 'the service gave no reason'))
        changes = metadata_changes(image, p)
        claim = self._claim_rename(image, changes)
        self.task.set_diff(*before_after(changes))
        values = wanted(changes)
        if changes and not self.check_mode:
            self.service.update_image(image, values, claim, applied=_carries(p))
            self.task.record_change(image=with_changes(image, values))
        if self.check_mode:
            image = with_changes(image, values)
        else:
            if image.get('status') == SAVING and p['wait'] and (p['import_url'] or p['copy_from_share']):
                image = self._wait_active(image)
            elif changes:
                image = self.service.get_image(image['image_id']) or with_changes(image, values)
        self.task.exit_json(changed=bool(changes), image=image)
