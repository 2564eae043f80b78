#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image
short_description: Create, import, copy, update and delete images of an Image Management Service (IMS)
version_added: 1.0.0
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
  deprecated:
    description:
      - V(true) marks the image deprecated, a state between in use and deleted that other tools can read
        (docs/image-conventions.md); V(false) undeprecates it (removes O(deprecated_at) and O(replaced_by)). Unset leaves the
        state as it is.
      - M(cecloud.ims.ims_image_info) leaves deprecated images out unless asked for them.
      - Applies to an existing image (O(state=present)); a task that asks it of an image that does not exist fails before
        any request that changes anything.
      - With C(openstack) and C(huaweicloud), kept as the image properties C(ims_deprecated_at) and C(ims_replaced_by).
        C(cecloud) refuses V(true) before any request (its update request has no field that can hold the state; see
        docs/api-notes.md); V(false) is the state of every C(cecloud) image.
    type: bool
  deprecated_at:
    description:
      - With O(deprecated=true), when the deprecation counts from (retention counts its grace period from it), as an ISO
        8601 date (V(2026-12-01), midnight UTC) or date and time (V(2026-12-01T10:00:00Z); an offset is converted to UTC,
        a time without one is UTC). Kept as C(YYYY-MM-DDTHH:MM:SSZ).
      - Default the time of the run that deprecates the image; a re-run of an already deprecated image keeps the time it has.
      - A value that is no date is refused before any request.
    type: str
  replaced_by:
    description:
      - With O(deprecated=true), the image that replaces this one - its id (an image the caller sees), or the name of an
        image of the caller. Kept as that image's id.
      - An image that does not exist is refused before any request that changes anything.
    type: str
  hidden:
    description:
      - V(true) hides the image from ordinary listings (Glance's C(os_hidden); C(GET /v2/images) lists it only with
        C(os_hidden=true)); V(false) shows it again. Unset leaves it as it is. Independent of O(deprecated).
      - The image can still be used by its id, and M(cecloud.ims.ims_image) still finds it by name.
      - Only C(openstack) can hide an image; C(cecloud) and C(huaweicloud) refuse V(true) before any request (their APIs
        document no way to hide one), and V(false) is the state of all their images.
    type: bool
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

- name: Deprecate an image in favour of its successor (openstack or huaweicloud)
  cecloud.ims.ims_image:
    name: golden-ubuntu-2026-11
    deprecated: true
    replaced_by: golden-ubuntu-2026-12

- name: Hide it from ordinary Glance listings too (openstack)
  cecloud.ims.ims_image:
    name: golden-ubuntu-2026-11
    hidden: true

- name: Undeprecate it
  cecloud.ims.ims_image:
    name: golden-ubuntu-2026-11
    deprecated: false
    hidden: false

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
    agency_name: ims_admin_agency   # the IAM agency that lets IMS act in the target region (required)
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
    deprecated:
      description: Whether the image is deprecated (O(deprecated)); always V(false) with C(cecloud).
      type: bool
      returned: when the image was looked up or changed by O(deprecated) or O(hidden)
      sample: true
    deprecated_at:
      description: When the deprecation counts from (O(deprecated_at)), C(YYYY-MM-DDTHH:MM:SSZ); None when not deprecated.
      type: str
      returned: when the image was looked up or changed by O(deprecated) or O(hidden)
      sample: "2026-12-01T00:00:00Z"
    replaced_by:
      description: The id of the image that replaces this one (O(replaced_by)), or None.
      type: str
      returned: when the image was looked up or changed by O(deprecated) or O(hidden)
      sample: 616299f5-f566-4131-ace6-8daa3f60191f
    hidden:
      description: Whether the image is hidden from ordinary listings (O(hidden)).
      type: bool
      returned: when the image was looked up or changed by O(deprecated) or O(hidden)
      sample: false
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

from ansible_collections.cecloud.ims.plugins.module_utils._image_spec import IMAGE_METADATA_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._module import WAIT_ARGUMENT_SPEC, ImsModule


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
        deprecated=dict(type='bool'),
        deprecated_at=dict(type='str'),
        replaced_by=dict(type='str'),
        hidden=dict(type='bool'),
    )
    spec.update(IMAGE_METADATA_ARGUMENT_SPEC)
    spec.update(WAIT_ARGUMENT_SPEC)
    return spec


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
        self.backend.image_lifecycle(self.task).run()


def main():
    ImageModule()()


if __name__ == '__main__':
    main()
