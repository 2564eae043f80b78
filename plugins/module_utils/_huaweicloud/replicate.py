# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei IMS copies an image itself, so ims_image_replicate moves no byte through the host for a Huawei target
whose IMS can reach the source:

* the source's project: Copying an Image Within a Region (POST /v1/cloudimages/{image_id}/copy);
* another region of the source's account: Copying an Image Across Regions (POST
  /v1/cloudimages/{image_id}/cross_region_copy, sent to the source's region, where its job runs);
* another project of the source's region (another account, or another project of the same one): the source is
  shared with the target's project (Adding Image Members, POST /v1/cloudimages/members), the target accepts it
  (Updating Image Member Status, PUT /v1/cloudimages/members, with its own credentials) and copies it within the
  region (a shared image is copied once accepted: IMG.0196), then the share is removed (Deleting Image Members,
  DELETE /v1/cloudimages/members): the target owns a private copy and needs the share no more.
  docs/replication.md, "Native copies".
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError, ImsWaitError
from ansible_collections.cecloud.ims.plugins.module_utils._service import (
    KILLED, MEMBER_JOB_TIMEOUT, ImageService, describe_images, member_failures)

# The options that say whose account a login is (the same ones on both sides: the same account).
_ACCOUNT = ('iam_endpoint', 'access_key', 'username', 'user_domain_name', 'auth_token')
# The image attribute IMS gives a copy: the id of the image it was copied from (Huawei IMS API: Querying Images,
# ``__originalimagename``, "parent image ID").
PARENT = '__originalimagename'


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


def copier_for(target_backend, source_backend):
    """The copier IMS offers from the source to the target (both Huawei backends), or None (the bytes are streamed)."""
    if target_backend.region == source_backend.region:
        if target_backend.client.endpoint.rstrip('/') != source_backend.client.endpoint.rstrip('/'):
            return None
        if target_backend.caller_project() == source_backend.caller_project():
            return InRegionCopier(target_backend, source_backend)
        return ShareCopier(target_backend, source_backend)
    if same_account(target_backend, source_backend):
        return CrossRegionCopier(target_backend, source_backend)
    return None


class ReplicaCopier:
    """``copy(task, source_service, image, name, marks, replace)``: the source image copied by IMS as ``name`` in the
    target's project, tagged with the replica ``marks``. The images of ``name`` it replaces are deleted after, by the
    rules of the target's ims_image_upload: a shared one only with ``force``, its shares moved to the copy first.

    A copy an earlier run made and did not finish (cut after IMS's copy job began: no marks yet) is found by its
    parent (``PARENT``) and finished, not copied again."""

    how = None

    def __init__(self, target_backend, source_backend):
        self.target = target_backend
        self.source = source_backend

    def check(self, params):
        """Refuse, before any write, a copy IMS would refuse."""

    def earlier_copy(self, images, source_id):
        """The copy of the source an earlier run left among ``images`` of the target's name (not killed), or None."""
        found = [i for i in images if i.get(PARENT) == source_id and i.get('status') != KILLED]
        return found[0] if found else None

    def copy(self, task, source_service, image, name, marks, replace):
        service = task.service
        timeout = task.params['wait_timeout']
        source_service = source_service if isinstance(source_service, ImageService) else ImageService(self.source)
        claim = service.claim_name(
            name, reuse=lambda images: self.earlier_copy(images, image['image_id']),
            discard=lambda i: replace or i.get('status') == KILLED,
            refusal=lambda images: ('Image %r (%s) already holds other bytes than the source. Set replace: true to replace '
                                    'it, or choose another name.' % (name, describe_images(images))))
        upload = self.target.image_upload(task)
        doomed = [i for i in claim.discard if i.get('status') != KILLED]
        shares = upload.shares_to_move(doomed)
        made = claim.reuse
        if made is None:
            made = self._copied(task, service, source_service, image, name, timeout)
        made = service.wait_for_status(made['image_id'], timeout=timeout)
        self.target.change_image_tags(made['image_id'], 'create', [dict(key=k, value=v) for k, v in sorted(marks.items())])
        task.record_change(image=made)
        self.finish(task, source_service, image)
        upload.replace(claim.discard, made, shares)
        task.record_change(image=made, replaced=[old['image_id'] for old in claim.discard])
        return self.target.get_image(made['image_id']) or made

    def _copied(self, task, service, source_service, image, name, timeout):
        """The copy's job sent and waited for (``start``); the image it made."""
        answer, waiter = self.start(task, service, source_service, image, name)
        task.record_change(job_id=answer['job_id'])
        job = waiter.wait_for_job(answer['job_id'], timeout, read=waiter.backend.get_job)
        made = [i for i in (self.target.get_image(image_id) for image_id in job['image_ids'] or [job['image_id']])
                if i is not None and i.get('name') == name]
        made = made[0] if made else service.find_image(name=name)
        task.record_change(image=made)
        return made

    def start(self, task, service, source_service, image, name):
        """Send the copy: (its answer ``{job_id}``, the ImageService whose project the job is read in)."""
        raise NotImplementedError

    def finish(self, task, source_service, image):
        """What the copy needs done once the replica is made (nothing, but for a share)."""


class InRegionCopier(ReplicaCopier):
    """The source's own project: Copying an Image Within a Region."""

    how = 'copy'

    def start(self, task, service, source_service, image, name):
        return self.target.copy_image(image['image_id'], name), service


class CrossRegionCopier(ReplicaCopier):
    """Another region of the source's account: Copying an Image Across Regions, sent to and read in the source's region."""

    how = 'cross_region_copy'

    def check(self, params):
        """IMS creates the image in the other region through an IAM agency (Huawei IMS API: Copying an Image Across
        Regions, ``agency_name`` is required)."""
        if not params.get('agency_name'):
            raise ImsValidationError('IMS copies an image into region %s through an IAM agency: set agency_name for this '
                                     'target (or method: stream).' % self.target.region)

    def start(self, task, service, source_service, image, name):
        return self.source.copy_image_to_region(image['image_id'], name, self.target.region,
                                                agency_name=task.params['agency_name']), source_service


class ShareCopier(InRegionCopier):
    """Another project of the source's region: the source shared with it and accepted, copied there, then unshared.

    Each step is read before it is sent, so a run cut anywhere resumes: a share left pending or accepted is used, and
    removed once the copy is made."""

    how = 'share'

    def start(self, task, service, source_service, image, name):
        image_id, project = image['image_id'], self.target.caller_project()
        member = self._member(source_service, image_id, project)
        if member is None:
            source_service.apply_shares(image_id, add=[project])
            task.record_change()
        if (member or {}).get('status') != 'accepted':
            answer = service.finish(self.target.set_member_status(image_id, project, 'accepted'), MEMBER_JOB_TIMEOUT)
            refused = member_failures(answer).get(project)
            if refused:     # a member job may end SUCCESS with its one item failed (docs/api-notes.md)
                raise ImsWaitError('Project %s could not accept the share of image %s: %s. %s' % (
                    project, image_id, refused, answer.get('reason') or 'The service gave no reason.'),
                    error_code=answer.get('error_code'))
            task.record_change()
        return super(ShareCopier, self).start(task, service, source_service, image, name)

    def finish(self, task, source_service, image):
        project = self.target.caller_project()
        if self._member(source_service, image['image_id'], project) is not None:
            source_service.apply_shares(image['image_id'], remove=[project])
            task.record_change()

    @staticmethod
    def _member(source_service, image_id, project):
        """The target's membership of the source (the owner's view of its members), or None."""
        return next((m for m in source_service.list_shares(image_id) if m.get('user_id') == project), None)
