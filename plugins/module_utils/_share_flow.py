# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_share's recipient side where the caller answers a share by its member status (Glance, Huawei IMS).

The image shared with the caller's project has the project as a member, whose status the member itself
sets: ``accepted`` (the image appears in the caller's listings), ``rejected`` or ``pending``.  The
backend reads the membership (``get_member``) and sets it (``set_member_status``, which answers the
member or, on Huawei IMS, a member job that is waited for and the membership read back).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError, ImsWaitError
from ansible_collections.cecloud.ims.plugins.module_utils._flow import Flow
from ansible_collections.cecloud.ims.plugins.module_utils._service import MEMBER_JOB_TIMEOUT, member_failures


class AnswerReceivedShare(Flow):
    """``image`` with ``member_status``: the caller's member status of an image shared with its project."""

    def run(self):
        task, p = self.task, self.params
        project = self.backend.caller_project()
        image_id = self._received_image_id(project)
        member = self.backend.get_member(image_id, project)
        if member is None:
            raise ImsValidationError('Image %s is not shared with project %s (it has no such member), so there is nothing '
                                     'to accept or reject. Its owner shares it with cecloud.ims.ims_image_share and projects.'
                                     % (image_id, project))
        changed = member.get('status') != p['member_status']
        task.set_diff(dict(image_id=image_id, member_status=member.get('status')),
                      dict(image_id=image_id, member_status=p['member_status']))
        if changed and not task.check_mode:
            extra = dict(vault_id=p['vault_id']) if p['vault_id'] else {}
            answer = self.service.finish(self.backend.set_member_status(image_id, project, p['member_status'], **extra),
                                         MEMBER_JOB_TIMEOUT)
            refused = member_failures(answer).get(project)
            if refused:     # a member job may end SUCCESS with its one item failed (docs/api-notes.md)
                raise ImsWaitError('The member status of image %s stayed %s for project %s: %s. %s' % (
                    image_id, member.get('status'), project, refused, answer.get('reason') or 'The service gave no reason.'),
                    error_code=answer.get('error_code'))
            task.record_change(image_id=image_id)
            if answer.get('job_id'):        # a job: the membership is read back
                answer = self.backend.get_member(image_id, project) or dict(member, status=p['member_status'])
            member = answer
        elif changed:
            member = dict(member, status=p['member_status'])
        task.exit_json(changed=changed, image_id=image_id, member=member, added=[], removed=[])

    def _received_image_id(self, project):
        """The id of the image ``image`` names: an id as it is, else the one image of that name shared with ``project``."""
        ref = self.params['image']
        if self.backend.is_image_id(ref):
            return ref
        self.service.member_status = 'all'
        images = [i for i in self.service.list_images(scope='shared', name=ref) if i.get('owner') != project]
        if len(images) != 1:
            raise ImsValidationError('%s image shared with project %s is called %r%s; give the image id instead.' % (
                'No' if not images else '%d images' % len(images), project, ref,
                '' if not images else ' (%s)' % ', '.join(sorted(i['image_id'] for i in images))))
        return images[0]['image_id']
