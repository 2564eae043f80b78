#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: workspace_image_info
short_description: List the desktop product images of Huawei Cloud Workspace
version_added: 1.0.0
description:
  - Lists the product images that Huawei Cloud Workspace (cloud desktops) can build desktops from in the project of
    O(region) - Huawei's public images (V(gold)) and the project's private IMS images usable for desktops - with
    Workspace's C(ListImages) API (C(GET /v2/{project_id}/images)).
  - Every query parameter of the API is an option, filtered by the service. O(filters) matches, on the returned
    images, the fields the API cannot filter (O(filters) with C(disk_format=qcow2)).
  - Pages automatically with C(offset)/C(limit) and the largest page the API serves (100 images), so N images cost
    floor(N / 100) + 1 requests; listing stops on an empty or short page, or once O(limit) images are found - never
    on the service's C(total_count), which can be wrong.
  - Authenticates exactly as the IMS modules with C(huaweicloud) (AK/SK signing, an IAM password login or a
    token; the project of O(region) is given, learnt at login or looked up through IAM). The service's URL is
    O(workspace_endpoint), not O(endpoint) (a C(module_defaults) group sets that one to the IMS URL, and this module
    ignores it).
  - This module changes nothing, so it runs the same in check mode.
author:
  - cecloud.ims contributors (@cecloud)
options:
  provider:
    description:
      - Workspace is a Huawei Cloud service, so V(huaweicloud) is the only value (the default). The
        E(IMS_PROVIDER) environment variable is not read.
    type: str
    default: huaweicloud
    choices: [huaweicloud]
  image_id:
    description:
      - Return only the image with this id (an IMS image id).
    type: str
  image_type:
    description:
      - V(gold) are Huawei's public images, V(private) the project's private images.
    type: str
    choices: [gold, private]
  os_type:
    description:
      - Return only images of this OS type, as the service names them (C(Linux), C(Windows), C(Other)).
    type: str
  platform:
    description:
      - Return only images of this OS platform (family), for example V(Windows). The service does not return the
        platform of an image, so this is the only way to select by it.
    type: str
  architecture:
    description:
      - Return only images of this architecture, V(x86) or V(arm) as the service names them.
    type: str
  package_type:
    description:
      - Return only images of this desktop package series. The API does not list its values; Workspace's product
        series are C(general), C(enterprise), C(ultimate), C(workstation), C(dedicated), C(solver) and C(agile).
    type: str
  sort_field:
    description:
      - Sort the images by this field; the service sorts by V(name) when it is not set.
    type: str
    choices: [name, created_at]
  sort_type:
    description:
      - Ascending or descending order of O(sort_field); the service sorts ascending when it is not set.
    type: str
    choices: [asc, desc]
  limit:
    description:
      - Return at most this many images in all (1 or more); the last page asks for no more than are still wanted.
      - Without it, every image is returned.
    type: int
extends_documentation_fragment:
  - cecloud.ims.ims
  - cecloud.ims.ims.filters
  - cecloud.ims.ims.info_module
notes:
  - O(filters) keys are the fields of RV(images) (RV(images[].name), RV(images[].os_version),
    RV(images[].disk_format), RV(images[].min_disk), RV(images[].kms_id)...); every one is present, so V(null)
    matches a field the service left out. Workspace filters none of them itself.
  - O(filters) C(image_type), C(os_type), C(platform), C(architecture) and C(package_type) name the options of those
    names; a task that gives an option and its filter with different values fails before any request, naming both.
  - With O(filters) and O(limit), pages stay 100 images until O(limit) images match.
  - O(endpoint), O(region_endpoints) and O(obs_endpoint) are the IMS modules' options and are not used here.
  - With a password login the token is scoped to the project of O(region), which is also the C(project_id) of
    the request path.
seealso:
  - module: cecloud.ims.workspace_image_server_info
  - module: cecloud.ims.ims_image_info
'''

EXAMPLES = r'''
- name: Private desktop images of the project (AK/SK signing)
  cecloud.ims.workspace_image_info:
    region: cn-north-4
    access_key: "{{ huawei_ak }}"
    secret_key: "{{ huawei_sk }}"
    image_type: private
  register: private_desktop_images

- name: Newest five public Linux x86 images for the enterprise package, in qcow2
  cecloud.ims.workspace_image_info:
    region: cn-north-4
    image_type: gold
    os_type: Linux
    architecture: x86
    package_type: enterprise
    sort_field: created_at
    sort_type: desc
    limit: 5
    filters:
      disk_format: qcow2
  register: newest

- name: Is this image usable for desktops? (credentials from HUAWEICLOUD_SDK_AK/SK)
  cecloud.ims.workspace_image_info:
    region: ap-southeast-1
    image_id: d6b368bc-a24d-4fb5-a8fb-727356a53f33
  register: one

- name: Through a private gateway, with an IAM password login
  cecloud.ims.workspace_image_info:
    region: cn-north-4
    workspace_endpoint: https://workspace.gateway.example.com
    username: deployer
    password: "{{ iam_password }}"
    user_domain_name: my-account
  register: through_gateway
'''

RETURN = r'''
images:
  description:
    - The desktop product images, in the service's order (O(sort_field), O(sort_type)), as Workspace returns them
      (its field names are snake_case already). Every documented field is present; one the service left out is
      V(null).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: IMS image id.
      type: str
      sample: d6b368bc-a24d-4fb5-a8fb-727356a53f33
    name:
      description: Image name.
      type: str
      sample: Euler_Online_Tenant_vAG
    image_type:
      description: C(gold) (a public image) or C(private) (a private image).
      type: str
      sample: gold
    os_type:
      description: C(Linux), C(Windows) or C(Other).
      type: str
      sample: Linux
    architecture:
      description: C(x86) or C(arm).
      type: str
      sample: x86
    os_version:
      description: The OS version.
      type: str
      sample: EulerOS 2.2 64bit
    disk_format:
      description: C(vhd), C(raw), C(qcow2) or C(zvhd2).
      type: str
      sample: qcow2
    min_ram:
      description: Memory the image needs, in MB (normally 0).
      type: int
      sample: 0
    min_disk:
      description: System disk the image needs, in GB (40 to 1024).
      type: int
      sample: 50
    product_code:
      description: Product (marketplace) code of the image.
      type: str
      sample: 00301-110002-0--0
    created_at:
      description: When the image was created (UTC).
      type: str
      sample: '2024-03-01T14:00:13Z'
    kms_id:
      description: Id of the KMS key of an encrypted image.
      type: str
      sample: 2d6f3c3e-6d0a-4c69-8c5a-5b3c5a0f1e11
  sample:
    - id: d6b368bc-a24d-4fb5-a8fb-727356a53f33
      name: Euler_Online_Tenant_vAG
      image_type: gold
      os_type: Linux
      architecture: x86
      os_version: EulerOS 2.2 64bit
      disk_format: qcow2
      min_ram: 0
      min_disk: 50
      product_code: 00301-110002-0--0
      created_at: '2024-03-01T14:00:13Z'
      kms_id: null
total_count:
  description:
    - How many images there are for the query (every page, before O(filters)) - counted when every page was read,
      else (O(limit) reached first) the service's C(total_count) of the last page read, which can be wrong.
  returned: always
  type: int
  sample: 12
'''

from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.workspace import IMAGE_TYPES, SORT_FIELDS, SORT_TYPES
from ansible_collections.cecloud.ims.plugins.module_utils._workspace_info import COMMON_ARGUMENT_SPEC, WorkspaceInfoModule

QUERY_OPTIONS = ('image_id', 'image_type', 'os_type', 'platform', 'architecture', 'package_type', 'sort_field',
                 'sort_type')


class WorkspaceImageInfoModule(WorkspaceInfoModule):
    name = 'workspace_image_info'
    argument_spec = dict(
        COMMON_ARGUMENT_SPEC,
        image_id=dict(type='str'),
        image_type=dict(type='str', choices=list(IMAGE_TYPES)),
        os_type=dict(type='str'),
        platform=dict(type='str'),
        architecture=dict(type='str'),
        package_type=dict(type='str'),
        sort_field=dict(type='str', choices=list(SORT_FIELDS)),
        sort_type=dict(type='str', choices=list(SORT_TYPES)),
    )
    query_options = QUERY_OPTIONS
    # image_id is the record's id; sort_* select no record.
    filter_options = ('image_type', 'os_type', 'platform', 'architecture', 'package_type')
    result_key = 'images'
    total_key = 'total_count'
    what = 'image'

    def list_records(self, backend, query, listing):
        return backend.list_images(query, listing)


def main():
    WorkspaceImageInfoModule()()


if __name__ == '__main__':
    main()
