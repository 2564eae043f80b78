#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: ims_image_replicate
short_description: Make one image the same image on several clouds and regions, read once and verified
version_added: 1.0.0
description:
  - The source image (O(image), by name or id, in O(scope)) is looked up through the task's own connection options
    (any provider), so C(module_defaults) gives them. Each entry of O(targets) names a provider and its own connection
    options (secrets are not logged; each target's provider reads its own environment variables, as a task's does).
  - Before any write, every target is checked - its options and credentials, a target that is the source itself, a
    target given twice (same provider, endpoint or region, account and name), the metadata its provider's upload
    requires - and any refusal fails the task with nothing written.
  - Then each target is served one way (RV(targets[].served)). C(unchanged) - an image of the target's name holds the
    source's bytes (a hash the target reports, MD5 or SHA-512, equals the source's, or its replica marks say so), so
    nothing is written. C(native) - the target's provider copies the source itself and no byte goes through the host
    (C(huaweicloud) to C(huaweicloud) - RV(targets[].native) - in the source's project, into another region of the
    source's account, or into another project of the source's region, another account's too, through a share of the
    source that the target's credentials accept and that is removed once the target's own copy is made; O(method=stream)
    turns it off). C(streamed) - every other target; all the streamed targets of one
    batch (at most O(max_parallel)) share ONE download of the source, read once into a bounded window of memory (or,
    with O(staging=disk), a temporary file), each sent by its provider's ims_image_upload flow with that module's
    rules (the image of the name is claimed, reused, or replaced; the service's hash is checked).
  - A C(huaweicloud) source has no download - for its streamed targets IMS exports the image (as qcow2) to an OBS object,
    O(obs_bucket) and O(obs_key), through the task's O(access_key)/O(secret_key); that object is read once per batch of
    streamed targets (RV(staged_object)). An object already at that key is taken as the export an earlier run left and
    read without exporting again; once every streamed target is served it is deleted, unless O(keep_staged_object=true),
    and kept when a target failed, so that the re-run reads it again. A re-run whose targets already hold the image
    exports nothing.
  - Verified end to end - the MD5 of the bytes read is compared with the source's reported hash (for an export, the
    object's MD5 that OBS reports) and with the hash each target reports.
  - Every image made carries the marks C(ims_replica_md5) (the MD5 of its bytes) and C(ims_replica_of)
    (C(provider/region/image_id) of the source) as properties (C(openstack)) or key/value tags (the others; where a
    tag value cannot hold C(ims_replica_of), it holds the image id and C(ims_replica_from) the provider and region).
    See C(docs/image-conventions.md).
  - An image of a target's name with other bytes fails that target unless O(replace=true) (with O(force) for a shared
    image, as ims_image_upload; a C(native) target follows the same rules). One failing target does not stop the others; the task fails at the end when one did,
    with every target's result and C(changed=true) when something was made.
  - Check mode and C(--diff) give the plan of each target with no write.
options:
  image:
    description: The source image's name or id, looked up in O(scope) with the task's connection.
    type: str
    required: true
  scope:
    description: Where the source image is looked up.
    type: str
    choices: [private, shared]
    default: private
  targets:
    description:
      - The targets, each a provider, its connection options, and the image to make there.
      - The connection options are the ones of the task (see above), for the target's provider.
    type: list
    elements: dict
    required: true
    suboptions:
      provider:
        description: The target's provider.
        type: str
        required: true
        choices: [cecloud, huaweicloud, openstack]
      name:
        description: The target image's name. Default the source's name.
        type: str
      metadata:
        description:
          - Options of M(cecloud.ims.ims_image_upload) for this target (metadata such as O(ignore:os_type), and that
            provider's upload options such as O(ignore:obs_bucket)); they override what is carried over from the source.
          - Metadata the source has that the target's provider cannot hold is reported in RV(targets[].metadata_dropped).
        type: dict
      tags:
        description: Tags added to the target image (key -> value).
        type: dict
      agency_name:
        description:
          - C(huaweicloud), a native copy into another region of the source's account - the IAM agency through which
            IMS creates the image there (Huawei IMS, cross-region copy). Without it such a target is refused before any
            write.
        type: str
      endpoint:
        description: As the task's O(endpoint), for this target.
        type: str
      region:
        description: As the task's O(region), for this target.
        type: str
      auth_token:
        description: As the task's O(auth_token), for this target.
        type: str
      extra_headers:
        description: As the task's O(extra_headers), for this target.
        type: dict
      tenant_id:
        description: As the task's O(tenant_id), for this target.
        type: str
      department_id:
        description: As the task's O(department_id), for this target.
        type: str
      resource_group_id:
        description: As the task's O(resource_group_id), for this target.
        type: str
      auth_url:
        description: As the task's O(auth_url), for this target.
        type: str
      username:
        description: As the task's O(username), for this target.
        type: str
      password:
        description: As the task's O(password), for this target.
        type: str
      project_name:
        description: As the task's O(project_name), for this target.
        type: str
      project_id:
        description: As the task's O(project_id), for this target.
        type: str
      user_domain_name:
        description: As the task's O(user_domain_name), for this target.
        type: str
      project_domain_name:
        description: As the task's O(project_domain_name), for this target.
        type: str
      interface:
        description: As the task's O(interface), for this target.
        type: str
        choices: [public, internal, admin]
      access_key:
        description: As the task's O(access_key), for this target.
        type: str
      secret_key:
        description: As the task's O(secret_key), for this target.
        type: str
      security_token:
        description: As the task's O(security_token), for this target.
        type: str
      iam_endpoint:
        description: As the task's O(iam_endpoint), for this target.
        type: str
      region_endpoints:
        description: As the task's O(region_endpoints), for this target.
        type: dict
      obs_endpoint:
        description: As the task's O(obs_endpoint), for this target.
        type: str
      workspace_endpoint:
        description: As the task's O(workspace_endpoint), for this target.
        type: str
      workspace_app_endpoint:
        description: As the task's O(workspace_app_endpoint), for this target.
        type: str
      validate_certs:
        description: As the task's O(validate_certs), for this target.
        type: bool
        default: true
      ca_path:
        description: As the task's O(ca_path), for this target.
        type: path
      timeout:
        description: As the task's O(timeout), for this target.
        type: float
        default: 30.0
      retries:
        description: As the task's O(retries), for this target.
        type: int
        default: 5
  replace:
    description: Replace an image of a target's name that holds other bytes (M(cecloud.ims.ims_image_upload)'s O(ignore:replace)).
    type: bool
    default: false
  force:
    description:
      - With O(replace), replace a shared image too, moving its shares to the new image before the old one is deleted
        (M(cecloud.ims.ims_image_upload)'s O(ignore:force)). Every provider, C(streamed) and C(native) targets alike.
    type: bool
    default: false
  max_parallel:
    description:
      - The most targets in flight at once. Streamed targets beyond it wait for the next batch, which reads the source
        again (RV(source_reads) says how many reads were made).
    type: int
    default: 3
  staging:
    description:
      - C(memory) - each batch's targets read the source's download through a bounded window of memory.
      - C(disk) - the download is written to a temporary file in O(staging_dir) first, then read by each target.
    type: str
    choices: [memory, disk]
    default: memory
  staging_dir:
    description: The folder of the temporary file of O(staging=disk). Default the system's temporary folder.
    type: path
  method:
    description:
      - C(auto) - a target the provider can copy itself is copied natively (no byte through the host).
      - C(stream) - every target that needs the bytes takes them through the host.
    type: str
    choices: [auto, stream]
    default: auto
  wait_timeout:
    description: Seconds each target's image, copy job, export job or upload may take to become C(active).
    type: int
    default: 600
  obs_bucket:
    description:
      - The OBS bucket, in the source's region, that IMS exports the source image to when a target takes its bytes
        through the host (streamed); required then, and refused before any write when missing.
      - Not needed when every target is unchanged or copied natively.
      - "Providers: huaweicloud."
    type: str
  obs_key:
    description:
      - The key of the exported object in O(obs_bucket); C(ims-export/<image id>.qcow2) when not set.
      - An object already at that key is read instead of exporting again (see the description).
      - "Providers: huaweicloud."
    type: str
  keep_staged_object:
    description:
      - Whether to keep the exported object once every streamed target is served (default V(false), it is deleted).
      - "Providers: huaweicloud."
    type: bool
extends_documentation_fragment:
  - cecloud.ims.ims
author:
  - cecloud.ims contributors (@cecloud)
"""

EXAMPLES = r"""
- name: One golden image on CECloud, OpenStack and two Huawei Cloud regions
  cecloud.ims.ims_image_replicate:
    image: golden-2026.12
    targets:
      - provider: openstack
        auth_url: https://keystone.example.com:5000/v3
        username: deploy
        password: "{{ os_password }}"
        project_name: images
        user_domain_name: Default
        project_domain_name: Default
      - provider: huaweicloud
        region: cn-north-4
        access_key: "{{ hw_ak }}"
        secret_key: "{{ hw_sk }}"
        metadata:
          obs_bucket: image-staging
      - provider: huaweicloud
        region: ap-southeast-1
        name: golden-2026.12-sg
        tags:
          team: platform
    max_parallel: 3
  register: replicated

- name: See the plan of each target, changing nothing
  cecloud.ims.ims_image_replicate:
    image: golden-2026.12
    targets:
      - provider: cecloud
        tenant_id: "{{ other_tenant }}"
        auth_token: "{{ other_token }}"
  check_mode: true
  diff: true
"""

RETURN = r"""
source:
  description: The source image.
  returned: when it was found
  type: dict
  contains:
    provider:
      description: The source's provider.
      type: str
    region:
      description: The source's region.
      type: str
    image_id:
      description: The source image's id.
      type: str
    name:
      description: The source image's name.
      type: str
    checksum:
      description: The MD5 the source reports of its data.
      type: str
  sample: {provider: cecloud, region: cn-beijing-1, image_id: 3b5d..., name: golden, checksum: 9e107d9d372bb6826bd81d3542a419d6}
targets:
  description: One entry per target, in the order of O(targets).
  returned: when the targets were planned
  type: list
  elements: dict
  contains:
    provider:
      description: The target's provider.
      type: str
    region:
      description: The target's region.
      type: str
    name:
      description: The target image's name.
      type: str
    image_id:
      description: The target image's id (none in check mode for an image to make).
      type: str
    checksum:
      description: The MD5 the target reports of the image (or its replica mark).
      type: str
    served:
      description: C(unchanged), C(native), C(streamed), C(failed), or C(planned) (check mode).
      type: str
    plan:
      description: The way a target that needs the image was to be served (C(native) or C(streamed)).
      type: str
    native:
      description:
        - How the provider copies a C(native) target (C(huaweicloud) - C(copy) in the source's project,
          C(cross_region_copy), C(share) - shared, accepted, copied, unshared); null for the others.
      type: str
    bytes_moved:
      description: Bytes this run sent to the target.
      type: int
    seconds:
      description: Seconds the target took.
      type: float
    error:
      description: Why the target failed.
      type: str
    metadata_dropped:
      description: The source's metadata the target's provider cannot hold (the mapping is docs/replication.md).
      type: list
      elements: dict
      contains:
        option:
          description: The neutral option, or C(properties.<key>), C(tags.<key>).
          type: str
        value:
          description: The source's value.
          type: raw
        reason:
          description: Why the target cannot hold it.
          type: str
    changed:
      description: Whether this run changed the target.
      type: bool
  sample:
    - {provider: openstack, region: RegionOne, name: golden, image_id: 7c1f..., checksum: 9e107d9d372bb6826bd81d3542a419d6,
       served: streamed, plan: streamed, native: null, bytes_moved: 27205947, seconds: 3.2, error: null, metadata_dropped: [],
       changed: true}
source_reads:
  description: How many times the source's bytes were read (one per batch of streamed targets; 0 when none needed them).
  returned: when the targets were planned
  type: int
  sample: 1
staged_object:
  description: The OBS object the source was exported to for its streamed targets (a C(huaweicloud) source).
  returned: when a huaweicloud source had streamed targets
  type: dict
  contains:
    bucket:
      description: O(obs_bucket).
      type: str
    key:
      description: The object's key.
      type: str
    file_format:
      description: The format of the exported file (C(qcow2)).
      type: str
    exported:
      description: Whether this run exported the image (false - an object an earlier run left was read).
      type: bool
    job_id:
      description: The export job's id, when this run exported.
      type: str
    size:
      description: The object's size in bytes.
      type: int
    etag:
      description: The object's ETag.
      type: str
    deleted:
      description: Whether the object was deleted at the end of the run.
      type: bool
    kept:
      description: Whether the object was kept (O(keep_staged_object), or a target failed, so that a re-run reads it).
      type: bool
    error:
      description: Why the object could not be deleted (every target was served).
      type: str
  sample: {bucket: replica-staging, key: ims-export/0b7c....qcow2, file_format: qcow2, exported: true, size: 27205947,
           etag: 9e107d9d372bb6826bd81d3542a419d6, deleted: true}
failed_targets:
  description: The indexes in O(targets) of the targets that failed.
  returned: when the targets were planned
  type: list
  elements: int
  sample: []
"""

from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule
from ansible_collections.cecloud.ims.plugins.module_utils._providers import connection_argument_spec


def _target_spec():
    spec = {}
    for option, value in connection_argument_spec().items():
        # Each target's provider reads its own environment variables (Provider.load), as a task's does.
        spec[option] = dict((k, v) for k, v in value.items() if k != 'fallback')
    spec['provider'] = dict(type='str', required=True, choices=spec['provider']['choices'])
    spec.update(name=dict(type='str'), metadata=dict(type='dict'), tags=dict(type='dict'), agency_name=dict(type='str'))
    return spec


class ImageReplicateModule(ImsModule):
    name = 'ims_image_replicate'

    @property
    def argument_spec(self):
        # Built when the module runs: the targets' provider choices are the registry's then.
        return dict(
            image=dict(type='str', required=True),
            scope=dict(type='str', choices=['private', 'shared'], default='private'),
            targets=dict(type='list', elements='dict', required=True, options=_target_spec()),
            replace=dict(type='bool', default=False),
            force=dict(type='bool', default=False),
            max_parallel=dict(type='int', default=3),
            staging=dict(type='str', choices=['memory', 'disk'], default='memory'),
            staging_dir=dict(type='path'),
            method=dict(type='str', choices=['auto', 'stream'], default='auto'),
            wait_timeout=dict(type='int', default=600),
            obs_bucket=dict(type='str'),
            obs_key=dict(type='str', no_log=False),
            keep_staged_object=dict(type='bool'),
        )

    provider_option_defaults = dict(keep_staged_object=False)

    def run(self):
        self.backend.image_replicate(self.task).run()


def main():
    ImageReplicateModule()()


if __name__ == '__main__':
    main()
