# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei IMS's ims_image flow: images made by asynchronous jobs (from a file, an ECS, a backup, a copy in this
region or another), updated by JSON patch with their key/value tags, deleted (``ImageLifecycle.absent``).

``wait_timeout`` covers the job and then the image's status together.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import ims as _huaweicloud
from ansible_collections.cecloud.ims.plugins.module_utils._image_flow import ImageLifecycle, before_after, patched_view
from ansible_collections.cecloud.ims.plugins.module_utils._service import ACTIVE, KILLED, QUEUED, SAVING, ImageService

# The create that makes the image metadata only, synchronous: the image stays queued until a file comes.
METADATA_ONLY = 'create_image'


class HuaweiImageLifecycle(ImageLifecycle):

    # When wait_timeout runs out (the service's clock), set once the image is looked up.
    _deadline = None

    def validate(self):
        _huaweicloud.check_image_options(self.params)

    def reach_state(self, image):
        self._deadline = self.service.clock() + self.params['wait_timeout']
        return super(HuaweiImageLifecycle, self).reach_state(image)

    def _remaining(self):
        """Seconds left of wait_timeout, which covers the job and then the image's status."""
        return max(1, self._deadline - self.service.clock())

    def create(self):
        p = self.params
        self._refuse_create_by_id('image of this project')
        if p['copy_from']:
            return self._copy()
        kind, body = _huaweicloud.creation_request(p)
        claim = self.service.claim_name(p['name'])
        predicted = _huaweicloud.predicted_image(p, body)
        if self.check_mode:
            return self._created(predicted)
        if kind == METADATA_ONLY:
            image = self._send_create(claim, lambda: self.backend.create_image(body))
            return self._created(self._sync_tags(image))
        image = self._send_create(claim, lambda: self._made_by_job(lambda: self.backend.create_by_job(kind, body), predicted))
        self._created(self._wait_active_by_job(image))

    def _made_by_job(self, submit, predicted, read_job=None):
        """``submit()`` a job that makes the image in this region; with wait, the image the job made, else the image
        as soon as it is listed (so that a re-run finds it).

        ``read_job`` reads the job where it lives (the source region of a cross-region copy)."""
        p = self.params
        answer = submit()
        self.task.record_change(job_id=answer['job_id'])
        if not p['wait']:
            return self.service.wait_until_listed(p['name'], self._remaining())
        job = self.service.wait_for_job(answer['job_id'], self._remaining(), read=read_job)
        self.result['job_id'], self.result['image_ids'] = job.get('job_id') or answer['job_id'], job['image_ids']
        for image_id in job['image_ids']:
            image = self.backend.get_image(image_id)
            if image is not None and image.get('name') == p['name']:
                return image
        found = self.service.find_image(name=p['name'])
        return found or dict(predicted, image_id=job['image_id'])

    def _wait_active_by_job(self, image):
        if not self.params['wait'] or not image.get('image_id') or image.get('status') == ACTIVE:
            return image
        return self.service.wait_for_status(image['image_id'], timeout=self._remaining())

    def _copy(self):
        """copy_from: a copy of an image of this project (or one shared with it and accepted), in this region or,
        with copy_from_region, from that region into this one (the job runs, and is read, in the source region)."""
        p = self.params
        source_backend = self.backend.in_region(p['copy_from_region']) if p['copy_from_region'] else self.backend
        source_service = ImageService(source_backend) if p['copy_from_region'] else self.service
        source = self._copy_source(source_service)
        claim = self.service.claim_name(p['name'])
        predicted = dict(_huaweicloud.predicted_image(p, {}), __originalimagename=source['image_id'])
        if self.check_mode:
            return self._created(predicted)
        if p['copy_from_region']:
            def submit():
                return source_backend.copy_image_to_region(source['image_id'], p['name'], self.backend.region,
                                                           agency_name=p['agency_name'], description=p['description'],
                                                           vault_id=p['vault_id'])
        else:
            def submit():
                return self.backend.copy_image(source['image_id'], p['name'], description=p['description'])
        image = self._send_create(claim, lambda: self._made_by_job(submit, predicted, read_job=source_backend.get_job))
        image = self._wait_active_by_job(image)
        if not image.get('image_id') or not p['wait']:
            return self._created(image)
        changes = _huaweicloud.image_changes(image, dict(p, description=None, os_type=None, os_version=None,
                                                         min_disk=None))
        if changes:
            image = self._send_changes(image, changes)
        self._created(self._sync_tags(image))

    def _copy_source(self, service):
        """The image copy_from names: the project's own (id or name), else one shared with it and accepted."""
        ref = self.params['copy_from']
        for scope in ('private', 'shared'):
            image = service.find_image(image_id=ref if self.backend.is_image_id(ref) else None,
                                       name=None if self.backend.is_image_id(ref) else ref, scope=scope)
            if image is not None:
                if image.get('status') != ACTIVE:
                    raise ImsValidationError('copy_from %s (%s) is %s; only an active image can be copied.' % (
                        ref, image['image_id'], image.get('status')))
                return image
        raise ImsValidationError('No image of project %s%s has the id or name %r (its own, or shared with it and '
                                 'accepted).' % (service.backend.caller_project(), ' in region %s' % self.params['copy_from_region']
                                                 if self.params['copy_from_region'] else '', ref))

    def update(self, image):
        p = self.params
        if image.get('status') == KILLED and any(p[o] for o in _huaweicloud.SOURCES):
            raise ImsValidationError('Image %s (%s) exists from an earlier run and is killed: the job that made it failed. '
                                     'Delete it (state: absent) to create it again.' % (image.get('name'), image.get('image_id')))
        changes = _huaweicloud.image_changes(image, p)
        changes.update(self._deprecation_changes(image))
        tags = self._tag_plan(image)
        self._claim_rename(image, changes)
        before, after = before_after(changes)
        if tags:
            before['tags'], after['tags'] = tags['before'], _huaweicloud.tag_list(p)
        self.task.set_diff(before, after)
        if self.check_mode or not (changes or tags):
            if not self.check_mode and p['wait'] and image.get('status') in (QUEUED, SAVING) and \
                    image.get('__data_origin'):
                image = self.service.wait_for_status(image['image_id'], timeout=self._remaining())
            self.task.exit_json(changed=bool(changes or tags), image=patched_view(image, after))
        image = self._until_updatable(image)
        if changes:
            image = self._send_changes(image, changes)
        if tags:
            self._apply_tags(image, tags)
        self.task.exit_json(changed=True, image=image)

    def _until_updatable(self, image):
        """IMS updates active images only: one still being made is waited for (with wait), else refused."""
        if image.get('status') == ACTIVE:
            return image
        if image.get('status') == SAVING or (image.get('status') == QUEUED and image.get('__data_origin')):
            if self.params['wait']:
                return self.service.wait_for_status(image['image_id'], timeout=self._remaining())
        raise ImsValidationError('Image %s (%s) is %s, and IMS changes active images only. Run the task again once '
                                 'it is active.' % (image.get('name'), image['image_id'], image.get('status')))

    def _tag_plan(self, image):
        """What makes the image's key/value tags the task's (IMS's tag API), or None when they already are."""
        if self.params['tags'] is None or not image.get('image_id'):
            return None
        current = self.backend.list_image_tags(image['image_id'])
        create, delete = _huaweicloud.tag_changes(current, self.params)
        if not (create or delete):
            return None
        return dict(before=sorted(current, key=lambda t: t.get('key')), create=create, delete=delete)

    def _apply_tags(self, image, tags):
        if tags['delete']:
            self.backend.change_image_tags(image['image_id'], 'delete', tags['delete'])
        if tags['create']:
            self.backend.change_image_tags(image['image_id'], 'create', tags['create'])
        self.task.record_change(image=image)

    def _sync_tags(self, image):
        tags = self._tag_plan(image)
        if tags:
            self._apply_tags(image, tags)
        return image
