#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: workspace_image_server_info
short_description: List the image servers of Huawei Cloud Workspace App
version_added: 1.0.0
description:
  - Lists the image servers (image instances) of Huawei Cloud Workspace Application Streaming (Workspace App) in
    the project of O(region) - the temporary servers that application-streaming images are built on - with
    Workspace App's C(ListImageServers) API (C(GET /v1/{project_id}/image-servers)), and tells their state
    (RV(image_servers[].status)).
  - Every query parameter of the API is an option, filtered by the service. O(filters) matches, on the returned
    image servers, the fields the API cannot filter, such as C(status=BUILDING) in O(filters).
  - Pages automatically with C(offset)/C(limit), always asking for the largest page the API serves (100; its
    default is 10), so N image servers cost floor(N / 100) + 1 requests; listing stops on an empty or short page, or
    once O(limit) image servers are found - never on the service's C(count), which can be wrong.
  - Authenticates exactly as the IMS modules with C(huaweicloud) (AK/SK signing, an IAM password login or a
    token; the project of O(region) is given, learnt at login or looked up through IAM). The service's URL is
    O(workspace_app_endpoint), not O(endpoint) (a C(module_defaults) group sets that one to the IMS URL, and this
    module ignores it).
  - This module changes nothing, so it runs the same in check mode.
author:
  - cecloud.ims contributors (@cecloud)
options:
  provider:
    description:
      - Workspace App is a Huawei Cloud service, so V(huaweicloud) is the only value (the default). The
        E(IMS_PROVIDER) environment variable is not read.
    type: str
    default: huaweicloud
    choices: [huaweicloud]
  server_name:
    description:
      - Return only image servers whose name contains this text (the service matches part of the name).
    type: str
  server_id:
    description:
      - Return only the image server with this id - its RV(image_servers[].id) (a number such as
        C(697612196993040384)), not the APS server id RV(image_servers[].server_id).
    type: str
  enterprise_project_id:
    description:
      - Return only the image servers of this enterprise project. The service lists those of the default enterprise
        project (C(0)) when it is not set.
    type: str
  limit:
    description:
      - Return at most this many image servers in all (1 or more); the last page asks for no more than are still
        wanted.
      - Without it, every image server is returned.
    type: int
extends_documentation_fragment:
  - cecloud.ims.ims
  - cecloud.ims.ims.filters
  - cecloud.ims.ims.info_module
notes:
  - O(filters) keys are the fields of RV(image_servers) (RV(image_servers[].status), RV(image_servers[].image_id),
    RV(image_servers[].app_group_id)...), and those of RV(image_servers[].image_ref) as C(image_ref.<field>)
    (C(image_ref.image_type)). Workspace App filters none of them itself, but C(enterprise_project_id).
  - O(filters) C(enterprise_project_id) names the option of that name - without O(enterprise_project_id) it is sent
    as the query parameter too (Workspace App lists only the default enterprise project otherwise); with a different
    O(enterprise_project_id) the task fails before any request, naming both.
  - O(filters) C(status) is one of C(CREATING), C(ACTIVE), C(BUILDING), C(BUILT), C(ERROR), C(DELETING) and C(NULL)
    (not set).
  - With O(filters) and O(limit), pages stay 100 image servers until O(limit) of them match.
  - O(endpoint), O(region_endpoints) and O(obs_endpoint) are the IMS modules' options and are not used here.
  - Which host serves Workspace App depends on the region (see O(workspace_app_endpoint)); Huawei's SDK and its
    Terraform provider disagree outside mainland China, so set O(workspace_app_endpoint) if the default does not answer.
seealso:
  - module: cecloud.ims.workspace_image_info
  - module: cecloud.ims.ims_image_info
'''

EXAMPLES = r'''
- name: Image servers still building their image
  cecloud.ims.workspace_image_server_info:
    region: cn-north-4
    access_key: "{{ huawei_ak }}"
    secret_key: "{{ huawei_sk }}"
    filters:
      status: BUILDING
  register: building

- name: The images the finished image servers produced
  cecloud.ims.workspace_image_server_info:
    region: cn-north-4
    server_name: build-win
    filters:
      status: BUILT
  register: built

- name: Print them
  ansible.builtin.debug:
    msg: "{{ built.image_servers | map(attribute='image_id') | list }}"

- name: One image server of an enterprise project, in a region outside mainland China
  cecloud.ims.workspace_image_server_info:
    region: ap-southeast-1
    server_id: "697612196993040384"
    enterprise_project_id: 9b6c8f4e-2f0a-4d89-b2d5-3c0a6e2b9f10
  register: one
'''

RETURN = r'''
image_servers:
  description:
    - The image servers, newest first as the service orders them, as Workspace App returns them (its field names
      are snake_case already). Every documented field is present; one the service left out is V(null), and an id
      not set yet is often an empty string.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Id of the image server (image instance), a number as a string.
      type: str
      sample: '697612196993040384'
    name:
      description: Name of the image server.
      type: str
      sample: test_instance_1
    description:
      description: Its description (may be empty).
      type: str
      sample: A test of creating an image instance.
    status:
      description:
        - C(CREATING) (being created), C(ACTIVE) (running, ready for apps to be installed), C(BUILDING) (the image
          is being built), C(BUILT) (the image task finished, RV(image_servers[].image_id) is set), C(ERROR)
          (abnormal), C(DELETING) (being deleted) or C(NULL) (not set).
        - The service's C(null) (Huawei's SDK spelling) and a JSON null are returned as C(NULL).
      type: str
      sample: BUILDING
    image_ref:
      description: The source image the image server was created from.
      type: dict
      contains:
        id:
          description: Id of the source image (an IMS image id).
          type: str
          sample: da02e5ca-c6ec-4685-8ecb-f116bb5bdd2c
        image_type:
          description: C(gold) (a KooGallery image), C(public), C(private), C(shared) or C(other).
          type: str
          sample: gold
        spce_code:
          description: Specification code of a KooGallery image (C(gold)); the service spells the field C(spce_code).
          type: str
          sample: 90a6e84bb3e822fe54999b6be5bbae1e
        product_id:
          description: Product id of a KooGallery image (C(gold)).
          type: str
          sample: ''
    server_group_id:
      description: Id of the APS server group.
      type: str
      sample: dae99966-76c4-4995-adaf-e8e2ab36869a
    app_group_id:
      description: Id of the application group.
      type: str
      sample: '627991243116249088'
    server_id:
      description: Id of the APS server (not the id to pass as O(server_id)).
      type: str
      sample: wksapp-08722b58-6900-4c03-bfc0-99e1a056b8ad
    instance_id:
      description: Id of the ECS the image server runs on.
      type: str
      sample: 989e6391-43b5-49a7-a684-6c36e7ad714a
    image_id:
      description: Id of the image the image server produced (empty until it is built).
      type: str
      sample: ''
    authorize_accounts:
      description: The users (of type C(USER)) allowed to use the applications of the application group.
      type: list
      elements: dict
      contains:
        account:
          description: User or user group name.
          type: str
          sample: user001
        account_type:
          description: C(USER) or C(USER_GROUP).
          type: str
          sample: USER
        domain:
          description: Domain name (often not set).
          type: str
          sample: example.local
    create_time:
      description: When the image server was created (UTC, ISO 8601 with milliseconds).
      type: str
      sample: '2024-05-07T07:54:21.009Z'
    update_time:
      description: When it was last updated (UTC, ISO 8601 with milliseconds).
      type: str
      sample: '2024-05-07T07:54:22.329Z'
    enterprise_project_id:
      description: Its enterprise project (C(0) is the default one).
      type: str
      sample: '0'
  sample:
    - id: '627989489700044800'
      name: test_instance_2
      description: ''
      image_ref:
        id: da02e5ca-c6ec-4685-8ecb-f116bb5bdd2c
        image_type: gold
        spce_code: 90a6e84bb3e822fe54999b6be5bbae1e
        product_id: ''
      server_group_id: 898dda82-4d61-4c3d-bff2-679e61cd34f3
      app_group_id: '627991243116249088'
      server_id: wksapp-08722b58-6900-4c03-bfc0-99e1a056b8ad
      instance_id: 989e6391-43b5-49a7-a684-6c36e7ad714a
      image_id: ''
      status: ACTIVE
      authorize_accounts:
        - account: user001
          account_type: USER
          domain: null
      create_time: '2023-10-28T04:58:34.058Z'
      update_time: '2023-10-28T05:05:33.826Z'
      enterprise_project_id: '0'
count:
  description:
    - How many image servers there are for the query (every page, before O(filters)) - counted when every page was
      read, else (O(limit) reached first) the service's C(count) of the last page read, which can be wrong.
  returned: always
  type: int
  sample: 2
'''

from ansible_collections.cecloud.ims.plugins.module_utils._workspace_info import COMMON_ARGUMENT_SPEC, WorkspaceInfoModule

QUERY_OPTIONS = ('server_name', 'server_id', 'enterprise_project_id')


class WorkspaceImageServerInfoModule(WorkspaceInfoModule):
    name = 'workspace_image_server_info'
    argument_spec = dict(
        COMMON_ARGUMENT_SPEC,
        server_name=dict(type='str'),
        server_id=dict(type='str'),
        enterprise_project_id=dict(type='str'),
    )
    query_options = QUERY_OPTIONS
    # server_name matches part of the name, server_id is the record's id: neither is the field of the same name.
    # Without the option the service lists the default enterprise project only, so the filter is sent too.
    filter_options = ('enterprise_project_id',)
    forwarded_filters = ('enterprise_project_id',)
    result_key = 'image_servers'
    total_key = 'count'
    what = 'image server'

    def list_records(self, backend, query, listing):
        return backend.list_image_servers(query, listing)


def main():
    WorkspaceImageServerInfoModule()()


if __name__ == '__main__':
    main()
