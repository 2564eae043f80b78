#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image_share
short_description: Share images of an Image Management Service (IMS) with other users, or drop a received share
version_added: 0.1.0
description:
  - Owner side (O(image)) - manages the set of users a private image is shared with. The module reads the
    image's current shares (every page), works out the difference with O(users), and sends only that
    difference, in requests of at most 50 user ids (the service's limit). Repeated user ids are ignored.
  - With O(purge=true) the share set becomes exactly O(users); users not listed lose their share.
  - Recipient side (O(share_id)) - with O(state=absent), removes a share this tenant received from another
    tenant. A share that is not (or no longer) received leaves the task unchanged.
  - Every option is checked before the first request that changes anything.
author:
  - cecloud.ims contributors (@cecloud)
options:
  image:
    description:
      - Id or name of the private image to share (owner side).
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
    type: list
    elements: str
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
'''

from ansible_collections.cecloud.ims.plugins.module_utils._backend import RECIPIENT_DROP
from ansible_collections.cecloud.ims.plugins.module_utils._errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule
from ansible_collections.cecloud.ims.plugins.module_utils._service import dedupe, share_plan


class ImageShareModule(ImsModule):
    argument_spec = dict(
        image=dict(type='str'),
        users=dict(type='list', elements='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        purge=dict(type='bool', default=False),
        share_id=dict(type='str'),
    )

    def run(self):
        self._validate()
        if self.params['share_id'] is not None:
            self._drop_received()
        else:
            self._owner()

    def _validate(self):
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
            self.require(RECIPIENT_DROP in self.backend.recipient_actions, 'drop a received share (share_id)',
                         'it keeps shares until their owner removes them')
            return
        if not p['image'].strip():
            raise ImsValidationError('image must not be empty.')
        if p['users'] is None:
            raise ImsValidationError('users is required with image: the user ids to share the image with (state: present) '
                                     'or to stop sharing it with (state: absent).')
        if p['purge'] and p['state'] == 'absent':
            raise ImsValidationError('purge applies to state: present (make the share set exactly users); with state: absent, '
                                     'list the users to remove, or use users: [] with purge: true to remove every share.')
        principal = self.backend.share_principal
        self.require(principal is not None, 'share images', 'share them with the service\'s own tools')
        principal.check('users', p['users'])

    # -- owner side ------------------------------------------------------------

    def _owner(self):
        p = self.params
        image = self.service.resolve_image(self.params['image'])
        image_id = image['image_id']
        before = self.service.list_shares(image_id)
        users = dedupe(p['users'])
        add, remove = share_plan([s.get('user_id') for s in before], users, state=p['state'], purge=p['purge'])
        changed = bool(add or remove)
        removed = set(remove)
        if changed and not self.check_mode:
            self.service.apply_shares(image_id, add=add, remove=remove)
            after = self.service.list_shares(image_id)
        else:
            after = [s for s in before if s.get('user_id') not in removed] + [dict(user_id=u, image_id=image_id) for u in add]
        self.set_diff(dict(image_id=image_id, users=sorted(s.get('user_id') for s in before)),
                      dict(image_id=image_id, users=sorted(s.get('user_id') for s in after)))
        self.exit_json(changed=changed, image_id=image_id, shares=after, added=add, removed=remove)

    # -- recipient side --------------------------------------------------------

    def _drop_received(self):
        share_id = self.params['share_id']
        received = list(self.backend.list_received_shares())
        share = next((s for s in received if s.get('share_id') == share_id), None)
        before = sorted(s.get('share_id') for s in received)
        if share is None:
            self.set_diff(dict(share_ids=before), dict(share_ids=before))
            self.exit_json(changed=False, added=[], removed=[])
        self.set_diff(dict(share_ids=before), dict(share_ids=[s for s in before if s != share_id]))
        if not self.check_mode:
            self.backend.delete_received_share(share_id)
        self.exit_json(changed=True, added=[], removed=[share_id], image_id=share.get('image_id'))


def main():
    ImageShareModule()()


if __name__ == '__main__':
    main()
