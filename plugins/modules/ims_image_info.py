#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image_info
short_description: List and look up images of an Image Management Service (IMS)
version_added: 1.0.0
description:
  - Lists the public images, the tenant's private images and the images other tenants shared
    with it, or looks one up by id or name.
  - Pages through the service's listings automatically, with the largest page the service serves
    (C(cecloud) 100 images; C(openstack) Glance's C(api_limit_max), 1000 by default, following the C(next)
    links), and narrows listings on the server where the API allows it.
  - With C(openstack), O(name) and the O(filters) Glance supports are sent to the server (a look-up by
    name never lists the whole catalogue), and the tenant is the caller's project.
  - With C(huaweicloud), listings are C(GET /v2/cloudimages) with marker paging, 500 images a page (its
    documented default; no maximum is documented), so N images cost ceil(N / 500) requests. O(id), O(name) and
    the O(filters) IMS supports are sent to the server; the tenant is the project of O(region).
  - Each returned image carries C(scope), and images shared with the tenant carry C(share_id) and C(shared_at).
  - Images on their way out (status C(deleted), and C(pending_delete) with C(openstack)) are left out, also from a
    look-up by O(id) or O(name) right after a delete (services list a deleted image for a while), unless O(filters)
    has a C(status) key (for example with the value V(deleted)).
  - This module changes nothing, so it runs the same in check mode.
author:
  - cecloud.ims contributors (@cecloud)
extends_documentation_fragment:
  - cecloud.ims.ims
  - cecloud.ims.ims.image_query
  - cecloud.ims.ims.filters
  - cecloud.ims.ims.info_module
notes:
  - O(filters) keys are the fields of RV(images) in snake_case, for example C(status), C(disk_format), C(os_type),
    C(min_disk).
  - O(filters) with C(openstack) - the keys C(status), C(tag), C(disk_format), C(container_format), C(os_distro),
    C(size_min), C(size_max), C(owner), C(visibility), C(member_status), C(protected) and C(os_hidden) are filters
    of Glance's listing (C(tag) matches an image with that tag, C(size_min)/C(size_max) bound its size in bytes).
  - O(filters) with C(huaweicloud) - the query parameters of C(GET /v2/cloudimages) are filters of IMS's listing,
    among them C(status), C(name), C(__os_type), C(__platform), C(__os_bit), C(__imagetype), C(disk_format), C(tag)
    (C(key=value)), C(visibility), C(member_status), C(min_disk), C(min_ram), C(virtual_env_type), C(architecture),
    C(enterprise_project_id), C(flavor_id), C(created_at)/C(updated_at) (C(gt:2026-01-01T00:00:00Z)),
    C(__whole_image) and the C(__support_*) flags.
  - O(filters) keys that name an option - C(id) and C(image_id) (O(id)), C(name) (O(name)) and, with C(openstack) and
    C(huaweicloud), C(member_status) (O(member_status)). A C(member_status) filter sets O(member_status) when the task
    leaves it unset, so the filter C(member_status) V(pending) lists the pending shares; only images shared with the
    caller have a member status, so the other scopes then list none. A task that gives an option and its filter with
    different values fails before any request, naming both.
  - O(filters) keys that a scope fixes - a filter that asks another value lists nothing of that scope, instead of
    the scope's value replacing the filter's; with C(openstack), C(visibility) (V(private) the private scope's
    C(all) by default, the others their own) and C(owner) (the private scope's the caller's project); with
    C(huaweicloud), C(__imagetype) and C(visibility) (V(shared) of the shared scope, C(__imagetype) V(gold) of
    the public one, V(market) of the market one) and C(owner) (the private scope's). With O(scope=private) and
    C(openstack), C(visibility) selects among the project's images (V(shared), V(public)...).
  - O(filters) with O(id) and C(openstack) - the image read by id matches the Glance filters too (C(tag), C(size_min),
    C(status)...), as a listing would.
'''

EXAMPLES = r'''
- name: List every image the tenant can use
  cecloud.ims.ims_image_info:
  register: all_images

- name: Find our golden images that are ready
  cecloud.ims.ims_image_info:
    scope: private
    name_contains: golden-
    filters:
      status: active
      disk_format: qcow2
  register: golden

- name: Look one image up by id, with the connection given explicitly
  cecloud.ims.ims_image_info:
    endpoint: https://ims.example.com:8443
    region: region0
    auth_token: "{{ ims_token }}"
    id: img-kvvfk28fcjc0mt
  register: one

- name: Images other tenants shared with us
  cecloud.ims.ims_image_info:
    scope: shared
  register: received

- name: Print the share ids of the received images
  ansible.builtin.debug:
    msg: "{{ received.images | map(attribute='share_id') | list }}"

- name: Huawei Cloud - active Linux images of our project, filtered by IMS itself
  cecloud.ims.ims_image_info:
    provider: huaweicloud
    region: cn-north-4
    access_key: "{{ huawei_ak }}"
    secret_key: "{{ huawei_sk }}"
    scope: private
    filters:
      status: active
      __os_type: Linux
  register: linux_images

- name: Huawei Cloud - shares waiting for our answer (credentials from HUAWEICLOUD_SDK_AK/SK)
  cecloud.ims.ims_image_info:
    provider: huaweicloud
    region: cn-north-4
    scope: shared
    member_status: pending
  register: pending
'''

RETURN = r'''
images:
  description:
    - The images found, as the service returns them with field names in snake_case
      (C(imageId) is C(image_id), C(minDisk) is C(min_disk)), plus C(scope).
  returned: always
  type: list
  elements: dict
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
      description:
        - One of C(queued), C(saving), C(active), C(killed) (C(openstack) has more, for example C(importing)).
        - C(deleted) (and C(pending_delete) with C(openstack)) only when O(filters) has a C(status) key.
      type: str
      sample: active
    disk_format:
      description: C(qcow2) or C(raw).
      type: str
      sample: qcow2
    deprecated:
      description:
        - Whether the image is deprecated (M(cecloud.ims.ims_image)'s O(cecloud.ims.ims_image#module:deprecated); the image
          property C(ims_deprecated_at), docs/image-conventions.md). Always V(false) with C(cecloud).
      type: bool
      sample: false
    deprecated_at:
      description: When the deprecation counts from, C(YYYY-MM-DDTHH:MM:SSZ) (UTC); None when the image is not deprecated.
      type: str
      sample: "2026-12-01T00:00:00Z"
    replaced_by:
      description: The id of the image that replaces a deprecated one (the property C(ims_replaced_by)), or None.
      type: str
      sample: 616299f5-f566-4131-ace6-8daa3f60191f
    hidden:
      description: Whether the image is hidden from ordinary listings (Glance's C(os_hidden)). Always V(false) with C(cecloud)
        and C(huaweicloud).
      type: bool
      sample: false
    checksum:
      description: MD5 of the image file, as the service computed it.
      type: str
      sample: 29a9d18dc5e0aa0f14707cffda13fa92
    size:
      description: Size of the image file in bytes.
      type: int
      sample: 27205947
    min_disk:
      description: Minimum system disk in GiB.
      type: int
      sample: 5
    min_ram:
      description: Minimum memory in MiB.
      type: int
      sample: 512
    visibility:
      description: C(private), C(public) or C(market).
      type: str
      sample: private
    scope:
      description: Where the image was found, one of C(private), C(shared) or C(public).
      type: str
      sample: private
    share_id:
      description: Id of the share, for images other tenants shared with this one (O(scope=shared)).
      type: str
      returned: for shared images
      sample: img-share-60sya19krz8c0lnf6n5c
    shared_at:
      description:
        - When the image was shared with this tenant (the share's creation time, ISO 8601).
        - The tenant that shared it is the image's C(owner).
      type: str
      returned: for shared images
      sample: '2023-07-14T08:06:23.135Z'
    department_id:
      description: C(cecloud) - the department of the image's owner (only the listing of received shares gives it).
      type: str
      returned: for shared images with C(cecloud)
      sample: "7074631167051202560"
    resource_group_id:
      description: C(cecloud) - the resource group of the image (only the listing of received shares gives it).
      type: str
      returned: for shared images with C(cecloud)
      sample: "7074631167051456386"
    position:
      description: C(cecloud) - where the service stores the image (only the listing of received shares gives it).
      type: str
      returned: for shared images with C(cecloud)
      sample: s3
    source_type:
      description: C(cecloud) - how the image was made (only the listing of received shares gives it).
      type: str
      returned: for shared images with C(cecloud)
      sample: import
    member_status:
      description: C(huaweicloud) - the caller's member status of an image shared with it (C(accepted), C(pending), C(rejected)).
      type: str
      returned: for shared images with C(huaweicloud)
      sample: pending
    __imagetype:
      description:
        - C(huaweicloud) - IMS's class of the image, C(gold) (public), C(private), C(shared) (shared out or with the
          caller) or C(market). IMS's C(__) extension properties are returned under their own names.
      type: str
      returned: with C(huaweicloud)
      sample: private
    __os_type:
      description: C(huaweicloud) - C(Linux), C(Windows) or C(Other).
      type: str
      returned: with C(huaweicloud)
      sample: Linux
    __os_version:
      description: C(huaweicloud) - the OS version, one of IMS's list (C(GET /v1/cloudimages/os_version)).
      type: str
      returned: with C(huaweicloud)
      sample: Ubuntu 22.04 server 64bit
    __platform:
      description: C(huaweicloud) - the OS platform, for example C(Ubuntu), C(CentOS), C(Windows), C(Other).
      type: str
      returned: with C(huaweicloud)
      sample: Ubuntu
    __description:
      description: C(huaweicloud) - the image's description.
      type: str
      returned: with C(huaweicloud), when set
      sample: Golden Ubuntu image
    __image_size:
      description: C(huaweicloud) - the size of the image file in bytes (a string, as IMS sends it).
      type: str
      returned: with C(huaweicloud)
      sample: "2147483648"
    __data_origin:
      description: C(huaweicloud) - where the image comes from, C(<kind>,<id or url>) (C(file,bucket:key), C(instance,<id>)).
      type: str
      returned: with C(huaweicloud), when known
      sample: file,images:ubuntu.qcow2
  sample:
    - image_id: img-kvvfk28fcjc0mt
      name: golden-centos8
      status: active
      disk_format: qcow2
      image_type: os_image
      checksum: 29a9d18dc5e0aa0f14707cffda13fa92
      size: 27205947
      min_disk: 5
      min_ram: 512
      cpu_arch: x86
      os_type: linux
      platform: CentOS
      instructions: 64-bits
      visibility: private
      scope: private
'''

from ansible_collections.cecloud.ims.plugins.module_utils._image_query import (
    QUERY_ARGUMENT_SPEC, QUERY_MUTUALLY_EXCLUSIVE, find_images)
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule


class ImageInfoModule(ImsModule):
    name = 'ims_image_info'
    argument_spec = QUERY_ARGUMENT_SPEC
    module_kwargs = dict(mutually_exclusive=QUERY_MUTUALLY_EXCLUSIVE)

    def run(self):
        self.exit_json(images=find_images(self))


def main():
    ImageInfoModule()()


if __name__ == '__main__':
    main()
