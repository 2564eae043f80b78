#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image
short_description: Create, import, copy, update and delete images of an Image Management Service (IMS)
version_added: 0.1.0
description:
  - Manages one private image of the tenant, identified by O(id) or by O(name).
  - Creates the image when no private image has that name; either metadata only (the image stays
    C(queued) until a file is uploaded, see M(cecloud.ims.ims_image_upload)), or imported from
    O(import_url) (the service fetches the file), or copied from an image another tenant shared with
    this one (O(copy_from_share)).
  - Updates an existing image in place. Only the options a task sets are compared, and the image is
    written only when one of them differs. The service's update replaces the whole field set, so the
    module sends the image's current values with the requested changes applied.
  - O(name), O(instruction), O(cpu_arch), O(os_type), O(os_version), O(platform), O(min_disk),
    O(min_ram) and O(boot_mode) can change on an existing image. O(min_disk) can only grow, and
    O(disk_format), O(image_type), O(visibility), O(usage), O(description) and O(tags) are fixed once
    the image exists; a task that asks otherwise fails before any request is sent, saying why.
  - Deletes the image with O(state=absent). An image shared with other users is not deleted unless
    O(force=true), which first removes every share (in batches of 50 users).
  - Every option is checked before the first request that changes anything.
  - Keeps one private image per name. A create, import or copy whose name another private image carries
    finds that image instead; a rename (O(id) with O(name)) into a name another image carries is refused
    before any request that changes state, naming that image's id.
  - A task that fails after it changed something (an import that times out, a delete after its shares
    were removed) reports C(changed=true) and the image.
  - With C(huaweicloud), images are made by IMS's asynchronous jobs - from an OBS file (O(import_url)), a server
    (O(instance_id), with O(data_images)), a whole server or CBR backup (O(image_type=whole_image)), a copy
    (O(copy_from), across regions with O(copy_from_region)); without a source, the metadata only (C(POST /v2/images)).
    O(wait) covers the job and then the image's status; a job that fails fails the task with IMS's reason and error
    code. Only what changed is sent (C(PATCH /v2/cloudimages/{id})); O(name), O(description), O(min_ram) and
    O(boot_mode) can change on an existing image, O(tags) through IMS's tag API, and the other options are fixed.
author:
  - cecloud.ims contributors (@cecloud)
options:
  state:
    description:
      - V(present) creates the image or brings it to the requested metadata.
      - V(absent) deletes it. An image that does not exist is left alone (not changed).
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - Id of the image to manage. With O(id), O(name) is the name the image should have (a rename).
      - An image is never created with a given id; when no private image has it, O(state=present) fails.
      - One of O(id) and O(name) is required.
    type: str
    aliases: [image_id]
  import_url:
    description:
      - Create the image by having the service fetch its file (the system disk) from this C(http://)
        or C(https://) URL.
      - Used only when the image does not exist yet; a task that finds the image by name leaves it
        as it is (an image whose import failed, C(killed), makes the task fail; delete it to import again).
      - With O(wait=true) the task waits until the image is C(active); a failed import fails the task
        with the service's message.
      - With C(huaweicloud), the URL of an OBS object, V(obs://<bucket>/<key>) (a bucket of the task's region);
        O(min_disk) is required; O(image_type=data_image) makes a data disk image, O(quick_import) uses IMS's quick
        import (large RAW or ZVHD2 files).
      - With C(openstack), the image is created, then Glance's interoperable import (method C(web-download))
        fetches the URL; a server that does not offer C(web-download) (C(GET /v2/info/import)) makes the task
        fail before any request that changes anything. A re-run finds the image by name; while it is still
        C(queued) it is imported again, into a new image when the earlier import failed (the failed one is
        deleted, see RV(replaced_failed_import)).
    type: str
  volume_images:
    description:
      - Data disk images imported together with O(import_url).
      - "Providers: cecloud."
    type: list
    elements: dict
    suboptions:
      url:
        description:
          - C(http://) or C(https://) URL of the data disk image file.
        type: str
        required: true
      min_disk:
        description:
          - Minimum size of the data disk in GiB, 0 or more.
        type: int
        required: true
  copy_from_share:
    description:
      - Create the image as a private copy of an image another tenant shared with this one;
        the value is the share id (C(share_id) of M(cecloud.ims.ims_image_info) with O(cecloud.ims.ims_image_info#module:scope=shared)).
      - The copy is called O(name), which is required, and gets O(description). Other metadata options
        that can change on an existing image are applied to the copy; the fixed ones must match the
        shared image.
      - Used only when no private image is called O(name) yet.
      - "Providers: cecloud."
    type: str
  force:
    description:
      - With O(state=absent), delete the image even when it is shared with other users, removing
        every share first. Without it, deleting a shared image fails and lists the users.
      - With C(openstack), delete the image even when it is protected (O(protected)), unprotecting it first.
        Without it, deleting a protected image fails before any request. Glance deletes shared images.
    type: bool
    default: false
  quick_import:
    description:
      - Import O(import_url) with IMS's quick import (C(POST /v2/cloudimages/quickimport/action)), for large RAW
        (with its bitmap) or ZVHD2 files; a system disk image then needs O(os_version). Default V(false).
      - "Providers: huaweicloud."
    type: bool
  instance_id:
    description:
      - Create the image from this ECS server (its system disk; with O(image_type=whole_image), the whole server).
      - "Providers: huaweicloud."
    type: str
  data_images:
    description:
      - With O(instance_id), data disk images made from the server's data disks together with the system disk image.
      - "Providers: huaweicloud."
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the data disk image.
        type: str
        required: true
      volume_id:
        description: Id of the server's data disk (EVS volume).
        type: str
        required: true
      description:
        description: Description of the data disk image.
        type: str
  backup_id:
    description:
      - Create a whole image (O(image_type=whole_image), the default with this option) from this CBR backup.
      - "Providers: huaweicloud."
    type: str
  vault_id:
    description:
      - The CBR vault of a whole image made from a server (O(instance_id) with O(image_type=whole_image)), or of the
        target of a cross-region copy of a whole image.
      - "Providers: huaweicloud."
    type: str
  copy_from:
    description:
      - Create the image as a copy of this image (id or name) - the project's own, or one shared with it and accepted.
      - The copy is called O(name); used only when no image of the project has that name yet (a re-run finds it).
      - With O(copy_from_region), the source is in that region and the copy is made in O(region), where the task
        runs, so it is idempotent by O(name) there.
      - "Providers: huaweicloud."
    type: str
  copy_from_region:
    description:
      - The region of O(copy_from), for a copy across regions (C(POST /v1/cloudimages/{id}/cross_region_copy), sent
        to that region, whose job is read there). Its IMS endpoint is O(region_endpoints) of it, or Huawei's public one.
      - Needs credentials that reach both regions (AK/SK or a password login; not O(auth_token)).
      - "Providers: huaweicloud."
    type: str
  agency_name:
    description:
      - The IAM agency that lets IMS act in the target region of a cross-region copy (required with
        O(copy_from_region), as IMS requires it).
      - "Providers: huaweicloud."
    type: str
  status:
    description:
      - V(deactivated) deactivates an active image (its data can no longer be read or booted);
        V(active) reactivates a deactivated image. Unset leaves the status as it is.
      - A task that asks this of an image in another status (C(queued), for example) fails before any request.
      - "Providers: openstack."
    type: str
    choices: [active, deactivated]
extends_documentation_fragment:
  - cecloud.ims.ims
  - cecloud.ims.ims.image_metadata
  - cecloud.ims.ims.wait
attributes:
  check_mode:
    support: full
    description: Makes the same look-ups as a normal run and reports what would change, without changing it.
  diff_mode:
    support: full
    description: Shows the fields that change, before and after (the whole image when it is created or deleted).
notes:
  - An image whose status is C(deleted) (on its way out) counts as absent.
  - O(wait) applies after an import or a copy (until C(active)) and after a delete (until the image is gone).
    An image that is C(saving) when it should be deleted is waited for first.
seealso:
  - module: cecloud.ims.ims_image_info
  - module: cecloud.ims.ims_image_share
  - module: cecloud.ims.ims_image_upload
'''

EXAMPLES = r'''
- name: Create the metadata of an image (it stays queued until a file is uploaded)
  cecloud.ims.ims_image:
    endpoint: https://ims.example.com:8443
    region: region0
    auth_token: "{{ ims_token }}"
    tenant_id: "7074631167042813952"
    department_id: "7074631167051202560"
    name: golden-centos8
    description: Golden CentOS 8 image
    disk_format: qcow2
    os_type: linux
    platform: CentOS
    os_version: "8.5"
    min_disk: 20
    min_ram: 1024
    tags:
      - key: env
        value: prod
  register: created

# The tasks below get the connection from the play, for example:
#   module_defaults:
#     group/cecloud.ims.ims:
#       endpoint: https://ims.example.com:8443
#       region: region0
#       auth_token: "{{ ims_token }}"
#       tenant_id: "7074631167042813952"
#       department_id: "7074631167051202560"

- name: Import a Kylin image from a URL and wait until it is active
  cecloud.ims.ims_image:
    name: kylin-v10-sp3
    import_url: https://mirror.example.com/images/kylinv10sp3.qcow2
    volume_images:
      - url: https://mirror.example.com/images/kylin-data.qcow2
        min_disk: 50
    platform: kylin
    os_version: kylin-v10-sp3
    cpu_arch: arm
    min_disk: 40
    wait_timeout: 1800

- name: Grow the minimum disk and switch to UEFI (no request when already so)
  cecloud.ims.ims_image:
    name: kylin-v10-sp3
    min_disk: 60
    boot_mode: UEFI

- name: Rename an image found by id
  cecloud.ims.ims_image:
    id: img-kvvfk28fcjc0mt
    name: kylin-v10-sp3-2026-01

- name: Copy an image another tenant shared with us
  cecloud.ims.ims_image:
    name: vendor-appliance-copy
    copy_from_share: img-share-60sya19krz8c0lnf6n5c
    description: Our copy of the vendor appliance

- name: Delete an image even if it is still shared
  cecloud.ims.ims_image:
    name: kylin-v10-sp3-2026-01
    state: absent
    force: true

- name: Huawei Cloud - a system image from an OBS file (AK/SK from HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK)
  cecloud.ims.ims_image:
    provider: huaweicloud
    region: cn-north-4
    name: ubuntu-golden
    import_url: obs://my-images/ubuntu-22.04.qcow2
    min_disk: 40
    os_version: Ubuntu 22.04 server 64bit
    description: Golden Ubuntu image
    tags:
      - key: env
        value: prod
    wait_timeout: 1800

- name: Huawei Cloud - copy it into another region (the task runs in the target region)
  cecloud.ims.ims_image:
    provider: huaweicloud
    region: cn-east-3
    name: ubuntu-golden
    copy_from: ubuntu-golden
    copy_from_region: cn-north-4
'''

RETURN = r'''
image:
  description:
    - The image, as the service returns it with field names in snake_case (C(imageId) is C(image_id),
      C(minDisk) is C(min_disk)).
    - After a delete, the image as it was before; an empty dict when there was no image to delete.
    - In check mode, the image as it would be (a new image has no C(image_id) yet).
  returned: always
  type: dict
  contains:
    image_id:
      description: Image id.
      type: str
      sample: img-kvvfk28fcjc0mt
    name:
      description: Image name.
      type: str
      sample: golden-centos8
    status:
      description: One of C(queued), C(saving), C(active), C(killed), C(deleted).
      type: str
      sample: active
    disk_format:
      description: C(qcow2) or C(raw).
      type: str
      sample: qcow2
    min_disk:
      description: Minimum system disk in GiB.
      type: int
      sample: 20
    min_ram:
      description: Minimum memory in MiB.
      type: int
      sample: 1024
    instructions:
      description: Word size of the operating system (the O(instruction) option).
      type: str
      sample: 64-bits
    image_tags:
      description: Image tags (the O(tags) option).
      type: list
      elements: dict
      sample: [{key: env, value: prod}]
    err_message:
      description: Why the service failed the image, when it is C(killed).
      type: str
      sample: ""
    __description:
      description: C(huaweicloud) - the description (O(description)). IMS's C(__) properties keep their names.
      type: str
      returned: with C(huaweicloud)
      sample: Golden Ubuntu image
    __os_version:
      description: C(huaweicloud) - the OS version (O(os_version)).
      type: str
      returned: with C(huaweicloud)
      sample: Ubuntu 22.04 server 64bit
    __imagetype:
      description: C(huaweicloud) - C(private), or C(shared) once the image has members.
      type: str
      returned: with C(huaweicloud)
      sample: private
    __data_origin:
      description: C(huaweicloud) - where the image was made from (C(file,<bucket>:<key>), C(instance,<server id>)).
      type: str
      returned: with C(huaweicloud)
      sample: file,my-images:ubuntu-22.04.qcow2
    __originalimagename:
      description: C(huaweicloud) - the image a copy was made from.
      type: str
      returned: with C(huaweicloud), for copies
      sample: 3b8a4f1c-0000-4000-8000-000000000001
  sample:
    image_id: img-kvvfk28fcjc0mt
    name: golden-centos8
    status: active
    disk_format: qcow2
    image_type: os_image
    checksum: 29a9d18dc5e0aa0f14707cffda13fa92
    size: 27205947
    min_disk: 20
    min_ram: 1024
    cpu_arch: x86
    os_type: linux
    os_version: "8.5"
    platform: CentOS
    instructions: 64-bits
    boot_mode: BIOS
    visibility: private
    usage: ecs
    image_tags: [{key: env, value: prod}]
replaced_failed_import:
  description:
    - C(openstack) - the id of the image a failed O(import_url) import had left (C(queued)), deleted by this run,
      which imported into a new image instead.
  returned: when such an image was replaced
  type: str
  sample: 616299f5-f566-4131-ace6-8daa3f60191f
job_id:
  description: C(huaweicloud) - the id of the job that made the image (or was still making it, with O(wait=false)).
  returned: when a job was started
  type: str
  sample: ff8080814dbd65d7014dbe0d84db0013
image_ids:
  description: C(huaweicloud) - every image the job made (the system disk image and its data disk images).
  returned: when a job that made images was waited for
  type: list
  elements: str
  sample: [3b8a4f1c-0000-4000-8000-000000000001]
unshared:
  description: The user ids whose shares were removed before the delete (O(force=true)).
  returned: when O(state=absent) removed shares
  type: list
  elements: str
  sample: ["7085524801413873664"]
'''

from ansible_collections.cecloud.ims.plugins.module_utils._openstack import glance as _glance
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import ims as _huaweicloud
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.image_options import (
    IMAGE_FIELD, complete_creation, creation_spec, metadata_changes, predicted_image, validate_metadata)
from ansible_collections.cecloud.ims.plugins.module_utils._image_spec import IMAGE_METADATA_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._module import WAIT_ARGUMENT_SPEC, ImsModule
from ansible_collections.cecloud.ims.plugins.module_utils._service import (
    ACTIVE, DELETED, GONE, KILLED, QUEUED, SAVING, ImageService)
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_name

DEACTIVATED = 'deactivated'
_URL_SCHEMES = ('http://', 'https://')


def _argument_spec():
    spec = dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        id=dict(type='str', aliases=['image_id']),
        import_url=dict(type='str'),
        volume_images=dict(type='list', elements='dict', options=dict(
            url=dict(type='str', required=True),
            min_disk=dict(type='int', required=True),
        )),
        copy_from_share=dict(type='str'),
        force=dict(type='bool', default=False),
        status=dict(type='str', choices=['active', 'deactivated']),
        quick_import=dict(type='bool'),
        instance_id=dict(type='str'),
        data_images=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            volume_id=dict(type='str', required=True),
            description=dict(type='str'),
        )),
        backup_id=dict(type='str'),
        vault_id=dict(type='str'),
        copy_from=dict(type='str'),
        copy_from_region=dict(type='str'),
        agency_name=dict(type='str'),
    )
    spec.update(IMAGE_METADATA_ARGUMENT_SPEC)
    spec.update(WAIT_ARGUMENT_SPEC)
    return spec


def _apply(image, changes):
    """The image with ``changes`` ({option: (current, wanted)}) applied, as the service would return it."""
    image = dict(image)
    for option, (_current, wanted) in changes.items():
        image[IMAGE_FIELD.get(option, option)] = wanted
    return image


def _carries(params):
    """A test of whether an image already has every value ``params`` set (an update that took effect)."""
    def carries(image):
        try:
            return not metadata_changes(image, params)
        except ImsValidationError:
            return False
    return carries


def _patched_view(image, after):
    """The image with the patch's ``after`` values applied (a None property is removed), as Glance would return it."""
    image = dict(image)
    for field, value in after.items():
        if value is None:
            image.pop(field, None)
        else:
            image[field] = value
    return image


def _url_problem(url):
    if not isinstance(url, str) or not url.lower().startswith(_URL_SCHEMES) or len(url.split('://', 1)[1]) == 0 \
            or any(c.isspace() for c in url):
        return 'must be an http:// or https:// URL'
    return None


class ImageModule(ImsModule):
    name = 'ims_image'
    argument_spec = _argument_spec()
    module_kwargs = dict(
        required_one_of=[('id', 'name')],
        mutually_exclusive=[('import_url', 'copy_from_share')],
        required_by=dict(volume_images=['import_url']),
    )
    provider_option_defaults = dict(quick_import=False)

    def run(self):
        self._validate()
        p = self.params
        image = self.service.find_image(image_id=p['id'], name=None if p['id'] else p['name'])
        if image is not None:
            image.pop('scope', None)    # the image as the service returns it, the same on every run
        if self.backend.job_waiter:
            return self._run_jobs(image)
        if self.backend.updates_by_patch:
            return self._run_patched(image)
        if p['state'] == 'absent':
            self._absent(image)
        elif image is None:
            self._create()
        else:
            self._update(image)

    # -- checks before any request ---------------------------------------------

    def _validate(self):
        p = self.params
        if self.backend.job_waiter:
            return _huaweicloud.check_image_options(p)
        if self.backend.updates_by_patch:
            _glance.check_metadata(p)
        else:
            validate_metadata(p)
        if p['id'] is not None and not p['id'].strip():
            raise ImsValidationError('id must not be empty.')
        if p['import_url'] is not None and _url_problem(p['import_url']):
            raise ImsValidationError('import_url %s; got %r.' % (_url_problem(p['import_url']), p['import_url']))
        for index, volume in enumerate(p['volume_images'] or []):
            if _url_problem(volume['url']):
                raise ImsValidationError('volume_images[%d].url %s; got %r.' % (index, _url_problem(volume['url']), volume['url']))
            if volume['min_disk'] < 0:
                raise ImsValidationError('volume_images[%d].min_disk must be 0 or more; got %s.' % (index, volume['min_disk']))
        if p['copy_from_share'] is not None:
            if not p['copy_from_share'].strip():
                raise ImsValidationError('copy_from_share must not be empty.')
            if p['name'] is None:
                raise ImsValidationError('copy_from_share needs name: the name of the copy.')
            check_name(p['name'])

    # -- present ---------------------------------------------------------------

    def _refuse_create_by_id(self, owner='private image'):
        if self.params['id']:
            raise ImsValidationError('No %s has id %s. An image cannot be created with a given id: omit id and set name '
                                     'to create one.' % (owner, self.params['id']))

    def _create(self):
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

    def _send_create(self, claim, send):
        """The image ``send()`` creates under ``claim``, noted at once: a later failure still reports it."""
        image = self.service.create_once(send, claim)
        self.record_change(image=image)
        return image

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
            return self._created(_apply(predicted, changes))
        image = self._send_create(
            claim, lambda: self.backend.copy_received_share(p['copy_from_share'], tenant, p['name'], p['description']))
        # The detail the wait read has no osVersion, which the full update must carry: the private listing has it.
        image = self._wait_active(image)
        image = self.service.find_image(image_id=image['image_id']) or image
        changes = metadata_changes(image, dict(p, description=None))    # the description went with the copy
        if changes:
            self.service.update_image(image, dict((o, c[1]) for o, c in changes.items()), applied=_carries(dict(p, description=None)))
            self.record_change(image=_apply(image, changes))
            image = self.service.get_image(image['image_id']) or _apply(image, changes)
        return self._created(image)

    def _created(self, image):
        self.set_diff({}, image)
        self.exit_json(changed=True, image=image)

    def _wait_active(self, image):
        if not self.params['wait']:
            return image
        return self.service.wait_for_status(image['image_id'], timeout=self.params['wait_timeout'])

    def _update(self, image):
        p = self.params
        if image.get('status') == KILLED and (p['import_url'] or p['copy_from_share']):
            raise ImsValidationError('Image %s (%s) exists from an earlier run and is killed: %s. Delete it (state: absent) '
                                     'to create it again.' % (image.get('name'), image.get('image_id'),
                                                              image.get('err_message') or 'the service gave no reason'))
        changes = metadata_changes(image, p)
        # A rename must not give the image a name another image carries: refused here, in check mode too.
        claim = self.service.claim_name(p['name'], own_id=image['image_id']) if 'name' in changes else None
        self.set_diff(dict((o, c[0]) for o, c in changes.items()), dict((o, c[1]) for o, c in changes.items()))
        if changes and not self.check_mode:
            self.service.update_image(image, dict((o, c[1]) for o, c in changes.items()), claim, applied=_carries(p))
            self.record_change(image=_apply(image, changes))
        if self.check_mode:
            image = _apply(image, changes)
        else:
            if image.get('status') == SAVING and p['wait'] and (p['import_url'] or p['copy_from_share']):
                image = self._wait_active(image)
            elif changes:
                image = self.service.get_image(image['image_id']) or _apply(image, changes)
        self.exit_json(changed=bool(changes), image=image)

    # -- absent ----------------------------------------------------------------

    def _absent(self, image):
        p = self.params
        if image is None:
            self.exit_json(changed=False, image={})
        users = [s.get('user_id') for s in self.service.list_shares(image['image_id'])]
        if users and not p['force']:
            shown = ', '.join(users[:10]) + (', ...' if len(users) > 10 else '')
            raise ImsValidationError('Image %s (%s) is shared with %d user(s) (%s), and the service does not delete a shared '
                                     'image. Remove the shares first (cecloud.ims.ims_image_share), or set force: true to '
                                     'remove them and delete the image.' % (image.get('name'), image['image_id'], len(users), shown))
        self.set_diff(image, {})
        result = dict(changed=True, image=image)
        if users:
            result['unshared'] = users
        if self.check_mode:
            self.exit_json(**result)
        if image.get('status') == SAVING and p['wait']:
            self.service.wait_for_status(image['image_id'], statuses=(ACTIVE, KILLED, 'queued'), fail_statuses=(),
                                         timeout=p['wait_timeout'])
        if users:
            self.service.apply_shares(image['image_id'], remove=users)
            self.record_change(image=image, unshared=users)
        self.service.delete_once(image['image_id'])
        self.record_change(image=image)
        if p['wait']:
            self.service.wait_until_gone(image['image_id'], timeout=p['wait_timeout'], gone_statuses=(DELETED,))
        self.exit_json(**result)

    # -- providers whose updates are JSON patches (openstack) ---------------------

    def _run_patched(self, image):
        p = self.params
        if p['state'] == 'absent':
            return self._delete_patched(image)
        if image is None:
            return self._create_patched()
        return self._update_patched(image)

    def _check_import_offered(self):
        """A URL import needs the server's web-download method: refused before any write where it is not offered."""
        offered = self.backend.import_methods()
        if 'web-download' not in offered:
            raise ImsValidationError('import_url needs the web-download import method, and this image service offers %s '
                                     '(GET /v2/info/import). Upload the file with cecloud.ims.ims_image_upload instead.'
                                     % (', '.join(offered) or 'no import method'))

    def _create_patched(self):
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
        image = self.service.create_once(lambda: self.backend.create_image(body), claim)
        self.record_change(image=image)
        if p['import_url']:
            image = self._import_patched(image)
        self._created(image)

    def _import_patched(self, image):
        """web-download into a queued image; with wait, until it is active (then deactivated if the task says so)."""
        p = self.params
        self.backend.import_from_url(image['image_id'], p['import_url'])
        self.record_change(image=image)
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
        self.record_change(replaced_failed_import=image['image_id'])
        return self._create_patched()

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

    def _update_patched(self, image):
        p = self.params
        reimport = bool(p['import_url']) and image.get('status') == QUEUED
        if reimport:
            self._check_import_offered()
            if _glance.import_failure(image) and not p['id']:
                return self._replace_failed_import(image)
        changes = _glance.metadata_changes(image, p)
        action = None if reimport else self._status_action(image)
        if 'name' in changes:
            self.service.claim_name(changes['name'][1], own_id=image['image_id'])     # one image per name
        before = dict((f, c[0]) for f, c in changes.items())
        after = dict((f, c[1]) for f, c in changes.items())
        if action:
            before['status'], after['status'] = image.get('status'), p['status']
        if reimport:
            before['status'], after['status'] = QUEUED, ACTIVE if p['wait'] else 'importing'
        self.set_diff(before, after)
        changed = bool(changes or action or reimport)
        if self.check_mode or not changed:
            self.exit_json(changed=changed, image=_patched_view(image, after))
        if changes:
            image = self.backend.update_image(image, dict((f, c[1]) for f, c in changes.items()))
            self.record_change(image=image)
        if action == 'deactivate':
            self.backend.deactivate_image(image['image_id'])
        elif action == 'reactivate':
            self.backend.reactivate_image(image['image_id'])
        if reimport:
            image = self._import_patched(image)
        elif action:
            image = self.service.get_image(image['image_id']) or image
        self.exit_json(changed=True, image=image)

    def _delete_patched(self, image):
        p = self.params
        if image is None:
            self.exit_json(changed=False, image={})
        if image.get('protected') and not p['force']:
            raise ImsValidationError('Image %s (%s) is protected, and Glance does not delete a protected image. Set '
                                     'protected: false first, or force: true to unprotect and delete it.' % (
                                         image.get('name'), image['image_id']))
        self.set_diff(image, {})
        if self.check_mode:
            self.exit_json(changed=True, image=image)
        if image.get('protected'):
            self.backend.update_image(image, dict(protected=False))
        self.service.delete_once(image['image_id'])
        if p['wait']:
            self.service.wait_until_gone(image['image_id'], timeout=p['wait_timeout'], gone_statuses=GONE)
        self.exit_json(changed=True, image=image)

    # -- providers whose images are made by asynchronous jobs (huaweicloud) ----------------

    # When wait_timeout runs out (the service's clock), set by _run_jobs.
    _deadline = None

    def _run_jobs(self, image):
        self._deadline = self.service.clock() + self.params['wait_timeout']
        if self.params['state'] == 'absent':
            return self._absent(image)
        if image is None:
            return self._create_by_job()
        return self._update_by_patch(image)

    def _remaining(self):
        """Seconds left of wait_timeout, which covers the job and then the image's status."""
        return max(1, self._deadline - self.service.clock())

    def _create_by_job(self):
        p = self.params
        self._refuse_create_by_id('image of this project')
        if p['copy_from']:
            return self._copy_by_job()
        kind, body = _huaweicloud.creation_request(p)
        claim = self.service.claim_name(p['name'])
        predicted = _huaweicloud.predicted_image(p, body)
        if self.check_mode:
            return self._created(predicted)
        if kind == 'create_image':     # metadata only: synchronous, the image stays queued until a file comes
            image = self._send_create(claim, lambda: self.backend.create_image(body))
            return self._created(self._sync_tags(image))
        submit = getattr(self.backend, kind)
        image = self._send_create(claim, lambda: self._made_by_job(lambda: submit(body), predicted))
        self._created(self._wait_active_by_job(image))

    def _made_by_job(self, submit, predicted, read_job=None):
        """``submit()`` a job that makes the image in this region; with wait, the image the job made, else the image
        as soon as it is listed (so that a re-run finds it).

        ``read_job`` reads the job where it lives (the source region of a cross-region copy)."""
        answer = submit()
        self.record_change(job_id=answer['job_id'])
        if not self.params['wait']:
            return self.service.wait_until_listed(self.params['name'], self._remaining())
        job = self.service.wait_for_job(answer['job_id'], self._remaining(), read=read_job)
        self.result['job_id'], self.result['image_ids'] = job.get('job_id') or answer['job_id'], job['image_ids']
        for image_id in job['image_ids']:
            image = self.backend.get_image(image_id)
            if image is not None and image.get('name') == self.params['name']:
                return image
        found = self.service.find_image(name=self.params['name'])
        return found or dict(predicted, image_id=job['image_id'])

    def _wait_active_by_job(self, image):
        if not self.params['wait'] or not image.get('image_id') or image.get('status') == ACTIVE:
            return image
        return self.service.wait_for_status(image['image_id'], timeout=self._remaining())

    def _copy_by_job(self):
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
            image = self.backend.update_image(image, dict((a, c[1]) for a, c in changes.items()))
            self.record_change(image=image)
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

    def _update_by_patch(self, image):
        p = self.params
        if image.get('status') == KILLED and any(p[o] for o in _huaweicloud.SOURCES):
            raise ImsValidationError('Image %s (%s) exists from an earlier run and is killed: the job that made it failed. '
                                     'Delete it (state: absent) to create it again.' % (image.get('name'), image.get('image_id')))
        changes = _huaweicloud.image_changes(image, p)
        tags = self._tag_plan(image)
        if 'name' in changes:
            self.service.claim_name(changes['name'][1], own_id=image['image_id'])     # one image per name
        before = dict((a, c[0]) for a, c in changes.items())
        after = dict((a, c[1]) for a, c in changes.items())
        if tags:
            before['tags'], after['tags'] = tags['before'], _huaweicloud.tag_list(p)
        self.set_diff(before, after)
        if self.check_mode or not (changes or tags):
            if not self.check_mode and p['wait'] and image.get('status') in (QUEUED, SAVING) and \
                    image.get('__data_origin'):
                image = self.service.wait_for_status(image['image_id'], timeout=self._remaining())
            self.exit_json(changed=bool(changes or tags), image=_patched_view(image, after))
        image = self._until_updatable(image)
        if changes:
            image = self.backend.update_image(image, dict((a, c[1]) for a, c in changes.items()))
            self.record_change(image=image)
        if tags:
            self._apply_tags(image, tags)
        self.exit_json(changed=True, image=image)

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
        self.record_change(image=image)

    def _sync_tags(self, image):
        tags = self._tag_plan(image)
        if tags:
            self._apply_tags(image, tags)
        return image


def main():
    ImageModule()()


if __name__ == '__main__':
    main()
