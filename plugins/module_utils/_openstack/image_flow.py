# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Glance's ims_image flow: create the record (and import from a URL by web-download), update by JSON
patch, deactivate and reactivate, delete a protected image with force."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._image_flow import ImageLifecycle, before_after, patched_view
from ansible_collections.cecloud.ims.plugins.module_utils._openstack import glance as _glance
from ansible_collections.cecloud.ims.plugins.module_utils._service import ACTIVE, GONE, QUEUED

DEACTIVATED = 'deactivated'


class GlanceImageLifecycle(ImageLifecycle):

    def validate(self):
        _glance.check_metadata(self.params)
        self._check_id_and_import_url()

    def _check_import_offered(self):
        """A URL import needs the server's web-download method: refused before any write where it is not offered."""
        offered = self.backend.import_methods()
        if 'web-download' not in offered:
            raise ImsValidationError('import_url needs the web-download import method, and this image service offers %s '
                                     '(GET /v2/info/import). Upload the file with cecloud.ims.ims_image_upload instead.'
                                     % (', '.join(offered) or 'no import method'))

    def create(self):
        p = self.params
        self._refuse_create_by_id('image of this project')
        if p['status'] == DEACTIVATED and not p['import_url']:
            raise ImsValidationError('status: deactivated needs an image that holds data; this task creates the image '
                                     'without data (use import_url, or upload a file first).')
        if p['import_url']:
            self._check_import_offered()
        body = _glance.creation_body(p)
        claim = self.service.claim_name(p['name'])
        if self.check_mode:
            return self._created(dict(body, status=QUEUED))
        image = self._send_create(claim, lambda: self.backend.create_image(body))
        if p['import_url']:
            image = self._import(image)
        self._created(image)

    def _import(self, image):
        """web-download into a queued image; with wait, until it is active (then deactivated if the task says so)."""
        p = self.params
        self.backend.import_from_url(image['image_id'], p['import_url'])
        self.task.record_change(image=image)
        if not p['wait']:
            return self.service.get_image(image['image_id']) or image
        image = self.service.wait_for_status(image['image_id'], timeout=p['wait_timeout'], failure=_glance.import_failure)
        if p['status'] == DEACTIVATED:
            self.backend.deactivate_image(image['image_id'])
            image = self.service.get_image(image['image_id']) or dict(image, status=DEACTIVATED)
        return image

    def _replace_failed_import(self, image):
        """A record left by a failed import is deleted and the import starts over on a new one.

        Glance keeps the failed store in a property that a new import into the same record does not clear
        before it starts, so a second import there could not be told from the first one's failure.
        """
        self.result['replaced_failed_import'] = image['image_id']
        if self.check_mode:
            return self._created(dict(_glance.creation_body(self.params), status=QUEUED))
        self.service.delete_once(image['image_id'])
        self.task.record_change(replaced_failed_import=image['image_id'])
        return self.create()

    def _status_action(self, image):
        """The action that brings ``image`` to the task's ``status``: deactivate, reactivate or None."""
        wanted = self.params['status']
        current = image.get('status')
        if wanted is None or wanted == current:
            return None
        if wanted == DEACTIVATED and current == ACTIVE:
            return 'deactivate'
        if wanted == ACTIVE and current == DEACTIVATED:
            return 'reactivate'
        raise ImsValidationError('Image %s (%s) is %s; status: %s applies to an image that is %s.' % (
            image.get('name'), image.get('image_id'), current, wanted, DEACTIVATED if wanted == ACTIVE else ACTIVE))

    def update(self, image):
        p = self.params
        reimport = bool(p['import_url']) and image.get('status') == QUEUED
        if reimport:
            self._check_import_offered()
            if _glance.import_failure(image) and not p['id']:
                return self._replace_failed_import(image)
        changes = _glance.metadata_changes(image, p)
        changes.update(self._deprecation_changes(image))
        action = None if reimport else self._status_action(image)
        self._claim_rename(image, changes)
        before, after = before_after(changes)
        if action:
            before['status'], after['status'] = image.get('status'), p['status']
        if reimport:
            before['status'], after['status'] = QUEUED, ACTIVE if p['wait'] else 'importing'
        self.task.set_diff(before, after)
        changed = bool(changes or action or reimport)
        if self.check_mode or not changed:
            self.task.exit_json(changed=changed, image=patched_view(image, after))
        if changes:
            image = self._send_changes(image, changes)
        if action == 'deactivate':
            self.backend.deactivate_image(image['image_id'])
        elif action == 'reactivate':
            self.backend.reactivate_image(image['image_id'])
        if reimport:
            image = self._import(image)
        elif action:
            image = self.service.get_image(image['image_id']) or image
        self.task.exit_json(changed=True, image=image)

    def absent(self, image):
        p = self.params
        if image is None:
            self.task.exit_json(changed=False, image={})
        if image.get('protected') and not p['force']:
            raise ImsValidationError('Image %s (%s) is protected, and Glance does not delete a protected image. Set '
                                     'protected: false first, or force: true to unprotect and delete it.' % (
                                         image.get('name'), image['image_id']))
        self.task.set_diff(image, {})
        if self.check_mode:
            self.task.exit_json(changed=True, image=image)
        if image.get('protected'):
            self.backend.update_image(image, dict(protected=False))
        self.service.delete_once(image['image_id'])
        if p['wait']:
            self.service.wait_until_gone(image['image_id'], timeout=p['wait_timeout'], gone_statuses=GONE)
        self.task.exit_json(changed=True, image=image)
