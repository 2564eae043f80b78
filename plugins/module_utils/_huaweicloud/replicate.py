# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei IMS copies an image of an account itself: in its region (Huawei IMS API: Copying an Image Within a
Region, POST /v1/cloudimages/{image_id}/copy) or into another region of the same account (Copying an Image Across
Regions, POST /v1/cloudimages/{image_id}/cross_region_copy, sent to the source's region, where its job runs).
ims_image_replicate uses it for a target of the source's account: no byte goes through the host."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._service import ImageService, describe_images

# The options that say whose account a login is (the same ones on both sides: the same account).
_ACCOUNT = ('iam_endpoint', 'access_key', 'username', 'user_domain_name', 'auth_token')


def same_account(target_backend, source_backend):
    """Whether both backends log in to the same Huawei account, and the target's endpoint is the one IMS's copy reaches."""
    if not all(target_backend.params.get(o) == source_backend.params.get(o) for o in _ACCOUNT):
        return False
    if target_backend.region == source_backend.region:
        return target_backend.client.endpoint == source_backend.client.endpoint
    try:
        endpoint = source_backend.region_endpoint(target_backend.region)
    except ImsValidationError:
        return False
    return endpoint.rstrip('/') == target_backend.client.endpoint.rstrip('/')


class ReplicaCopier:
    """``copy(task, source_service, image, name, marks, replace)``: the source image copied by IMS as ``name`` in the
    target's region, tagged with the replica ``marks``; the images of ``name`` it replaces deleted after."""

    def __init__(self, target_backend, source_backend):
        self.target = target_backend
        self.source = source_backend

    def check(self, params):
        """Refuse, before any write, a copy IMS would refuse: across regions it creates the image through an IAM
        agency (Huawei IMS API: Copying an Image Across Regions, ``agency_name`` is required)."""
        if self.target.region != self.source.region and not params.get('agency_name'):
            raise ImsValidationError('IMS copies an image into region %s through an IAM agency: set agency_name for this '
                                     'target (or method: stream).' % self.target.region)

    def copy(self, task, source_service, image, name, marks, replace):
        service = task.service
        timeout = task.params['wait_timeout']
        claim = service.claim_name(name, discard=lambda i: replace, refusal=lambda images: (
            'Image %r (%s) already holds other bytes than the source. Set replace: true to replace it, or choose another '
            'name.' % (name, describe_images(images))))
        if self.target.region == self.source.region:
            answer = self.target.copy_image(image['image_id'], name)
            waiter = service
        else:
            answer = self.source.copy_image_to_region(image['image_id'], name, self.target.region,
                                                      agency_name=task.params['agency_name'])
            waiter = source_service if isinstance(source_service, ImageService) else ImageService(self.source)
        task.record_change(job_id=answer['job_id'])
        job = waiter.wait_for_job(answer['job_id'], timeout, read=self.source.get_job)
        made = [i for i in (self.target.get_image(image_id) for image_id in job['image_ids'] or [job['image_id']])
                if i is not None and i.get('name') == name]
        made = made[0] if made else service.find_image(name=name)
        task.record_change(image=made)
        made = service.wait_for_status(made['image_id'], timeout=timeout)
        self.target.change_image_tags(made['image_id'], 'create', [dict(key=k, value=v) for k, v in sorted(marks.items())])
        for old in claim.discard:
            service.delete_image(old['image_id'], timeout=timeout)
        task.record_change(image=made, replaced=[old['image_id'] for old in claim.discard])
        return self.target.get_image(made['image_id']) or made
