#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image_share
short_description: Share images of an Image Management Service (IMS) with other users, or drop a received share
version_added: 1.0.0
description:
  - Owner side (O(image)) - manages the set of users a private image is shared with. The module reads the
    image's current shares (every page), works out the difference with O(users), and sends only that
    difference, in requests of at most 50 user ids (the service's limit). Repeated user ids are ignored.
  - With O(purge=true) the share set becomes exactly O(users); users not listed lose their share.
  - Recipient side (O(share_id)) - with O(state=absent), removes a share this tenant received from another
    tenant. A share that is not (or no longer) received leaves the task unchanged.
  - With C(provider=openstack) (Glance v2), images are shared with projects (O(projects)), and a private image
    becomes C(visibility=shared) when it gets its first member (an image that is C(public) or C(community)
    cannot have members, and fails before any request). Each member project then accepts or rejects the image
    (O(image) with O(member_status), as that project); until it accepts, the image is not in its listings.
  - With C(provider=huaweicloud), images are shared with projects (O(projects), 32 hexadecimal digits each) of the same
    region through IMS's member API, in batches of 50, each waited for as a job; the member list is read back on every
    run, so members added or removed outside the task are corrected. The recipient project accepts or rejects
    (O(member_status), with O(vault_id) for a whole image made from a CBR backup). An image is never shared with its own
    project (refused before any request).
  - Every option is checked before the first request that changes anything.
author:
  - cecloud.ims contributors (@cecloud)
options:
  image:
    description:
      - Id or name of the private image to share (owner side).
      - With O(member_status) (C(openstack), recipient side), the id or name of an image another project
        shared with the caller's project.
      - A value that looks like an image id (C(img-...)) is looked up as an id first, then as a name.
        A name that several private images carry fails and lists their ids.
      - Exactly one of O(image) and O(share_id) is required.
    type: str
  users:
    description:
      - User ids of the tenants' users to share the image with (O(state=present)) or to stop sharing it
        with (O(state=absent)).
      - Each is the service's 19-digit numeric user id, as a string (quote it in YAML so that it is not
        read as a number).
      - Required on the owner side with O(state=absent). Not allowed with O(share_id).
      - "Providers: cecloud."
    type: list
    elements: str
  projects:
    description:
      - Project ids to share the image with (O(state=present)) or to stop sharing it with (O(state=absent)),
        the owner side of C(openstack) and C(huaweicloud). Each new member starts C(pending) until its project accepts.
      - With O(purge=true) the member set becomes exactly O(projects).
      - "Providers: huaweicloud, openstack."
    type: list
    elements: str
  member_status:
    description:
      - Recipient side of C(openstack) - the caller's answer to an image another project shared with it
        (O(image)) - V(accepted) (the image appears in the caller's listings), V(rejected), or V(pending)
        (undecided again).
      - An image that is not shared with the caller's project fails before any request that changes anything.
      - C(huaweicloud) accepts V(accepted) and V(rejected) only.
      - "Providers: huaweicloud, openstack."
    type: str
    choices: [accepted, rejected, pending]
  vault_id:
    description:
      - With O(member_status=accepted), the CBR vault that accepts a whole image made from a CBR backup (IMS needs one).
      - "Providers: huaweicloud."
    type: str
  state:
    description:
      - V(present) shares the image with O(users) (and with O(purge=true) with nobody else).
      - V(absent) stops sharing it with O(users); with O(share_id), removes the received share.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove the shares of users that are not in O(users).
        O(users=[]) with O(purge=true) removes every share of the image.
    type: bool
    default: false
  share_id:
    description:
      - Id of a share another tenant gave this one (C(share_id) of M(cecloud.ims.ims_image_info) with
        O(cecloud.ims.ims_image_info#module:scope=shared)), to remove with O(state=absent) (recipient side).
      - "Providers: cecloud."
    type: str
extends_documentation_fragment:
  - cecloud.ims.ims
attributes:
  check_mode:
    support: full
    description: Makes the same look-ups as a normal run and reports the users it would add and remove.
  diff_mode:
    support: full
    description: Shows the sorted user ids of the share set before and after (recipient side, the share ids).
seealso:
  - module: cecloud.ims.ims_image
  - module: cecloud.ims.ims_image_info
'''

EXAMPLES = r'''
- name: Share the golden image with two users (users it is already shared with stay)
  cecloud.ims.ims_image_share:
    endpoint: https://ims.example.com:8443
    region: region0
    auth_token: "{{ ims_token }}"
    image: golden-centos8
    users:
      - "7085524801413873664"
      - "7085524801413879999"

- name: Share exactly with these users, removing every other share
  cecloud.ims.ims_image_share:
    image: img-kvvfk28fcjc0mt
    users: "{{ project_user_ids }}"
    purge: true
  register: shared

- name: Show who was added and removed
  ansible.builtin.debug:
    msg: "added {{ shared.added | length }}, removed {{ shared.removed | length }}"

- name: Stop sharing with one user
  cecloud.ims.ims_image_share:
    image: golden-centos8
    users: ["7085524801413879999"]
    state: absent

- name: Stop sharing with everybody
  cecloud.ims.ims_image_share:
    image: golden-centos8
    users: []
    purge: true

- name: As the recipient, drop an image another tenant shared with us
  cecloud.ims.ims_image_share:
    share_id: img-share-60sya19krz8c0lnf6n5c
    state: absent

- name: OpenStack - share an image with two projects (it becomes visibility shared)
  cecloud.ims.ims_image_share:
    provider: openstack
    image: golden-ubuntu
    projects:
      - 0e6c2b4a3a8d4d6f9a4e8f6b2c1d0a11
      - 5d1f8e7c6b5a4d3c2b1a0f9e8d7c6b22

- name: OpenStack - as a member project, accept the image
  cecloud.ims.ims_image_share:
    provider: openstack
    image: 3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e
    member_status: accepted

- name: Huawei Cloud - share exactly with these projects (members added elsewhere are removed)
  cecloud.ims.ims_image_share:
    provider: huaweicloud
    region: cn-north-4
    image: ubuntu-golden
    projects:
      - 0e6c2b4a3a8d4d6f9a4e8f6b2c1d0a11
    purge: true

- name: Huawei Cloud - as the recipient project, accept the image shared with it
  cecloud.ims.ims_image_share:
    provider: huaweicloud
    region: cn-north-4
    image: ubuntu-golden
    member_status: accepted
'''

RETURN = r'''
shares:
  description:
    - Owner side - the image's shares after the task, as the service lists them, in snake_case.
    - In check mode, the shares as they would be (an added user has only C(user_id)).
  returned: owner side (O(image))
  type: list
  elements: dict
  contains:
    share_id:
      description: Share id.
      type: str
      sample: img-share-mabwezvcbsap5apvppho
    user_id:
      description: The user the image is shared with.
      type: str
      sample: "7085524801413873664"
    user_name:
      description: The user's name.
      type: str
      sample: lptest
  sample:
    - share_id: img-share-mabwezvcbsap5apvppho
      image_id: img-2fpe4gppddvq8c
      user_id: "7085524801413873664"
      user_name: lptest
      created_at: "2023-07-14T07:47:08.853Z"
added:
  description: User ids the image was (or, in check mode, would be) shared with.
  returned: always
  type: list
  elements: str
  sample: ["7085524801413873664"]
removed:
  description:
    - Owner side - user ids whose shares were (or would be) removed.
    - Recipient side - the removed share id, or nothing when the share was not received.
  returned: always
  type: list
  elements: str
  sample: ["7085524801413879999"]
image_id:
  description: Id of the shared image.
  returned: owner side, and recipient side when the share was found
  type: str
  sample: img-kvvfk28fcjc0mt
member:
  description:
    - C(openstack) recipient side - the caller's membership after the task (C(member_id), C(status), C(image_id)).
    - In check mode, as it would be.
  returned: with O(member_status)
  type: dict
  sample: {member_id: 5d1f8e7c6b5a4d3c2b1a0f9e8d7c6b22, image_id: 3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e, status: accepted}
visibility:
  description: C(openstack) owner side - the image's visibility after the task (C(shared) once it has members).
  returned: owner side with C(openstack)
  type: str
  sample: shared
'''

from ansible_collections.cecloud.ims.plugins.module_utils._backend import RECIPIENT_ACCEPT, RECIPIENT_DROP
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule
from ansible_collections.cecloud.ims.plugins.module_utils._service import dedupe, share_plan

# The option that names who an image is shared with, by the kind of the provider's share principal.
PRINCIPAL_OPTIONS = dict(user='users', project='projects')


class ImageShareModule(ImsModule):
    name = 'ims_image_share'
    argument_spec = dict(
        image=dict(type='str'),
        users=dict(type='list', elements='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        purge=dict(type='bool', default=False),
        share_id=dict(type='str'),
        projects=dict(type='list', elements='str'),
        member_status=dict(type='str', choices=['accepted', 'rejected', 'pending']),
        vault_id=dict(type='str'),
    )

    def run(self):
        recipient = self._validate()
        if recipient is not None:
            recipient.run()
        else:
            self._owner()

    @property
    def principals(self):
        """The option that names who an image is shared with: ``users`` (cecloud) or ``projects`` (openstack)."""
        return PRINCIPAL_OPTIONS[self.backend.share_principal.kind]

    def _validate(self):
        """Check the task before any request; returns the recipient side's flow, or None on the owner side."""
        p = self.params
        if p['image'] is None and p['share_id'] is None:
            raise ImsValidationError('Set image (to manage the shares of an image this tenant owns) or share_id with '
                                     'state: absent (to remove a share this tenant received).')
        if p['share_id'] is not None:
            if p['image'] is not None:
                raise ImsValidationError('image and share_id exclude each other: image manages the shares of an image this '
                                         'tenant owns, share_id removes a share it received.')
            if p['users'] is not None:
                raise ImsValidationError('users cannot be given with share_id: a received share is removed as a whole, for '
                                         'this tenant only. To choose users, share an image you own with image and users.')
            if p['state'] != 'absent':
                raise ImsValidationError('share_id works with state: absent only (it removes a received share). To make a '
                                         'private copy of a received image, use cecloud.ims.ims_image with copy_from_share.')
            if p['purge']:
                raise ImsValidationError('purge applies to the shares of an image you own (image), not to share_id.')
            if not p['share_id'].strip():
                raise ImsValidationError('share_id must not be empty.')
            return self.backend.received_share(self.task, RECIPIENT_DROP)
        if not p['image'].strip():
            raise ImsValidationError('image must not be empty.')
        principal = self.backend.share_principal
        self.require(principal is not None, 'share images', 'share them with the service\'s own tools')
        if p['member_status'] is not None:
            if p['projects'] is not None or p['purge'] or p['state'] != 'present':
                raise ImsValidationError('member_status answers a share the caller\'s project received (image, as that '
                                         'project); projects, purge and state: absent manage the members of an image it owns.')
            return self.backend.received_share(self.task, RECIPIENT_ACCEPT)
        who = self.principals
        if p[who] is None:
            raise ImsValidationError('%s is required with image: the %s ids to share the image with (state: present) '
                                     'or to stop sharing it with (state: absent).' % (who, principal.kind))
        if p['purge'] and p['state'] == 'absent':
            raise ImsValidationError('purge applies to state: present (make the share set exactly %s); with state: absent, '
                                     'list the %s to remove, or use %s: [] with purge: true to remove every share.'
                                     % (who, who, who))
        principal.check(who, p[who])
        own = self.backend.own_principal() if p['state'] == 'present' else None
        if own is not None and own in p[who]:
            raise ImsValidationError('%s holds %s, the caller\'s own project: an image is not shared with the project that '
                                     'owns it.' % (who, own))
        return None

    # -- owner side ------------------------------------------------------------

    def _owner(self):
        p = self.params
        who = self.principals
        image = self.service.resolve_image(self.params['image'])
        image_id = image['image_id']
        before = self.service.list_shares(image_id) if self.backend.can_have_members(image) else []
        add, remove = share_plan([s.get('user_id') for s in before], dedupe(p[who]), state=p['state'], purge=p['purge'])
        # Where an image must change to get members (Glance: visibility shared), the backend says how.
        prepare = self.backend.sharing_changes(image, add)
        changed = bool(add or remove or prepare)
        removed = set(remove)
        if prepare and not self.check_mode:
            self.backend.prepare_sharing(image, prepare)
        if changed and not self.check_mode:
            self.service.apply_shares(image_id, add=add, remove=remove, progress=self._record_batch(image_id))
            after = self.service.list_shares(image_id)
        else:
            after = [s for s in before if s.get('user_id') not in removed] + [dict(user_id=u, image_id=image_id) for u in add]
        before_view = dict(image_id=image_id)
        before_view[who] = sorted(s.get('user_id') for s in before)
        after_view = dict(image_id=image_id)
        after_view[who] = sorted(s.get('user_id') for s in after)
        for field, value in prepare.items():
            before_view[field], after_view[field] = image.get(field), value
        self.set_diff(before_view, after_view)
        result = dict(changed=changed, image_id=image_id, shares=after, added=add, removed=remove)
        for field in self.backend.sharing_fields:
            result[field] = prepare.get(field, image.get(field))
        self.exit_json(**result)

    def _record_batch(self, image_id):
        """What the service took so far, in the result: a later failing batch then reports it."""
        made = dict(share=[], unshare=[])

        def record(action, users):
            made[action].extend(users)
            self.record_change(image_id=image_id, added=list(made['share']), removed=list(made['unshare']))
        return record


def main():
    ImageShareModule()()


if __name__ == '__main__':
    main()
