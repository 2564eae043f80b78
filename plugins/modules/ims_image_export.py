#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image_export
short_description: Export a private image of an Image Management Service (IMS) to a bucket, or download it
version_added: 1.0.0
description:
  - With O(bucket) (provider cecloud), asks the service to export the image file into one of the
    object-storage buckets it offers for the image. O(az_id) and O(cell_id) are looked up with the service's bucket list when omitted;
    an unknown bucket fails the task with the list of valid ones.
  - With O(dest), downloads the image file (cecloud, and openstack with C(GET /v2/images/{id}/file)). The
    HTTP status is checked before any byte is written (an error page never becomes the file). The bytes are
    streamed to a temporary file in the destination's folder while a thread hashes them; the file replaces
    O(dest) only when its size and hash match the image's, so a failed, corrupted or interrupted download
    never leaves a partial O(dest). Memory stays flat whatever the image size.
  - The hash checked is the strongest the service reports, on openstack the C(os_hash_value) (by
    C(os_hash_algo), SHA-512 by default), else the C(checksum) (MD5); one is enough to know the bytes are
    the ones the service computed all its hashes of. RV(verified) says which, in one shape on every provider. An image that reports no hash
    is downloaded with its size checked only, and the task warns that it could not be verified.
  - Only C(active) images can be exported or downloaded.
  - With C(provider=huaweicloud), O(bucket) and O(key) name the OBS object IMS's export job writes (a bucket of the
    task's region); the job is waited for. IMS never overwrites an object, so an object already at that key is taken
    as the export an earlier run made and the task is unchanged (O(force=true) deletes it and exports again).
  - With C(provider=huaweicloud) and O(dest), IMS exports the image to a staging object in O(obs_bucket), which is
    downloaded through OBS's S3 API (O(obs_endpoint), the task's O(access_key)/O(secret_key)) into a temporary file
    beside O(dest), checked (its size, and its MD5 where the object's ETag is one; a warning says when only the
    size could be checked), renamed over O(dest), and deleted unless O(keep_staged_object=true). O(dest) is marked
    with an extended attribute naming the image, the format, the size and the MD5, so a re-run leaves a O(dest)
    that still holds that export alone; on a file system without extended attributes a re-run exports again
    (the task warns).
author:
  - cecloud.ims contributors (@cecloud)
options:
  image:
    description:
      - Id or name of the tenant's private image.
      - A name that several private images carry fails the task with their ids.
    type: str
    required: true
  bucket:
    description:
      - Name of the bucket to export the image file to; one of the buckets the service lists for the image.
      - The service writes the object; where (its key) is the service's choice.
      - Mutually exclusive with O(dest).
      - "Providers: cecloud."
    type: str
  az_id:
    description:
      - Availability zone of O(bucket). Looked up with the bucket list when omitted.
      - "Providers: cecloud."
    type: str
  key:
    description:
      - The key of the object IMS writes the image file to in O(bucket); required with O(bucket) there.
      - No spaces (IMS refuses them); an existing object is not overwritten (see the description).
      - "Providers: huaweicloud."
    type: str
  file_format:
    description:
      - The format IMS converts the image to when exporting; V(qcow2) when not set.
      - "Providers: huaweicloud."
    type: str
    choices: [qcow2, vhd, zvhd, vmdk]
  quick_export:
    description:
      - Use IMS's quick export (no conversion, the file is ZVHD2; required above 128 GB). Excludes O(file_format).
        Default V(false).
      - "Providers: huaweicloud."
    type: bool
  obs_bucket:
    description:
      - With O(dest), the OBS bucket of the staging object IMS exports to before the download. Required with O(dest)
        there.
      - "Providers: huaweicloud."
    type: str
  obs_key:
    description:
      - With O(dest), the key of the staging object; C(ims-export/<image id>.<format>) when not set.
      - A staging object already at that key (kept by an earlier run) is downloaded instead of exporting again.
      - "Providers: huaweicloud."
    type: str
  keep_staged_object:
    description:
      - With O(dest), whether to keep the staging object after the download (default V(false), it is deleted).
      - "Providers: huaweicloud."
    type: bool
  wait_timeout:
    description:
      - Seconds to wait for IMS's export job, between 1 and 86400. Default V(1800).
      - "Providers: huaweicloud."
    type: int
  cell_id:
    description:
      - Cell of O(bucket). Looked up with the bucket list when omitted.
      - "Providers: cecloud."
    type: str
  dest:
    description:
      - Local path to download the image file to, on the host the module runs on.
      - When it is an existing folder, the file is named C(<image id>.<disk format>) inside it.
      - Its folder must exist. A path that ends with C(/) names a folder, which must then exist too; the task
        fails before any request otherwise.
      - A file that replaces an existing O(dest) keeps the existing file's mode unless O(mode) is set; a new
        file gets the default mode (C(0666) less the umask). O(mode), O(owner), O(group) and the other file
        attributes are applied after the download, and also to a O(dest) that already holds the image's bytes.
      - Mutually exclusive with O(bucket).
    type: path
  force:
    description:
      - Download even when O(dest) already holds the image's bytes (same size and hash).
      - Without it, a O(dest) holding other bytes is replaced, and one holding the same bytes is left alone.
    type: bool
    default: false
extends_documentation_fragment:
  - cecloud.ims.ims
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: Makes the same look-ups (and hashes an existing O(dest)); exports, downloads and changes nothing.
  diff_mode:
    support: partial
    description:
      - With O(dest), shows the file before (C(state=absent), or its size, and its hash when the size matches
        the image's; the key is the algorithm, C(md5) or C(sha512)) and after (the image's size and hash), and
        the file attributes that change.
      - With O(bucket), shows nothing (see the notes).
notes:
  - With C(provider=cecloud), an export to a bucket always reports C(changed), and a second run exports again. The CECloud API
    offers no way to see an export that was done or what a bucket holds (no export job or task list, and
    no credentials for the export buckets), so the module cannot tell. Guard the task with C(when) or run
    it from a handler when a repeated export costs too much.
  - The download uses the service's own download endpoint, so it needs no object-storage credentials.
seealso:
  - module: cecloud.ims.ims_image_upload
'''

EXAMPLES = r'''
- name: Export an image to the export bucket (zone and cell looked up)
  cecloud.ims.ims_image_export:
    image: centos8-golden
    bucket: export-az0-a

- name: Export with the zone and cell given
  cecloud.ims.ims_image_export:
    image: img-ja541mkm4kxt67
    bucket: export-az0-a
    az_id: AZ0
    cell_id: cell01

- name: Download an image for an offline site, verified against the image checksum
  cecloud.ims.ims_image_export:
    image: centos8-golden
    dest: /srv/mirror/centos8-golden.qcow2
  register: download

- name: Download into a folder, readable by the owner and group only
  cecloud.ims.ims_image_export:
    image: centos8-golden
    dest: /srv/mirror/
    mode: '0640'
    group: mirror

- name: Export a Huawei Cloud image to an OBS object as VMDK
  cecloud.ims.ims_image_export:
    provider: huaweicloud
    region: cn-north-4
    image: ubuntu-22.04-golden
    bucket: my-exports
    key: golden/ubuntu-22.04.vmdk
    file_format: vmdk

- name: Download a Huawei Cloud image through a staging object
  cecloud.ims.ims_image_export:
    provider: huaweicloud
    region: cn-north-4
    image: ubuntu-22.04-golden
    obs_bucket: my-image-staging
    dest: /srv/mirror/ubuntu-22.04.qcow2

- name: Show the checksum of the downloaded file
  ansible.builtin.debug:
    msg: "{{ download.dest }} has MD5 {{ download.checksum }}"

- name: Stop unless a hash checked the bytes, not their size alone (one test for every provider)
  ansible.builtin.assert:
    that: download.verified.algorithm != 'none'
    fail_msg: "{{ download.dest }} was checked by its size only ({{ download.verified.size }} bytes)"
'''

RETURN = r'''
image:
  description: The image, as the service returns it with field names in snake_case.
  returned: always
  type: dict
  contains:
    image_id:
      description: Image id.
      type: str
      sample: img-ja541mkm4kxt67
    name:
      description: Image name.
      type: str
      sample: centos8-golden
    status:
      description: Always C(active).
      type: str
      sample: active
    disk_format:
      description: C(qcow2) or C(raw).
      type: str
      sample: qcow2
    checksum:
      description: MD5 of the image file.
      type: str
      sample: 29a9d18dc5e0aa0f14707cffda13fa92
    size:
      description: Size of the image file in bytes.
      type: int
      sample: 27205947
  sample:
    image_id: img-ja541mkm4kxt67
    name: centos8-golden
    status: active
    disk_format: qcow2
    checksum: 29a9d18dc5e0aa0f14707cffda13fa92
    size: 27205947
bucket:
  description: The bucket the image was exported to.
  returned: with O(bucket)
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
      sample: export-az0-a
    az_id:
      description: Availability zone.
      type: str
      sample: AZ0
    cell_id:
      description: Cell.
      type: str
      sample: cell01
  sample:
    name: export-az0-a
    az_id: AZ0
    cell_id: cell01
object:
  description: C(huaweicloud) - the OBS object of an export to O(bucket).
  returned: with O(bucket) and C(huaweicloud)
  type: dict
  contains:
    bucket:
      description: O(bucket).
      type: str
      sample: my-exports
    key:
      description: O(key).
      type: str
      sample: golden/ubuntu-22.04.vmdk
    file_format:
      description: The exported format (C(zvhd2) for a quick export).
      type: str
      sample: vmdk
    size:
      description: The object's size in bytes.
      type: int
      sample: 27205947
    etag:
      description: The object's ETag.
      type: str
      sample: 29a9d18dc5e0aa0f14707cffda13fa92
    exported:
      description: Whether this run exported it (V(false) - the object was there already).
      type: bool
      sample: true
staged_object:
  description: C(huaweicloud) - the staging object of a download to O(dest), and what became of it.
  returned: with O(dest) and C(huaweicloud)
  type: dict
  contains:
    bucket:
      description: O(obs_bucket).
      type: str
      sample: my-image-staging
    key:
      description: The staging object's key.
      type: str
      sample: ims-export/0b4b3c1e-0d8f-4b7e-9a55-6d2ef1e1a0c1.qcow2
    exported:
      description: Whether this run exported the image to it (V(false) - kept by an earlier run).
      type: bool
      sample: true
    deleted:
      description: Whether it was deleted after the download.
      type: bool
      sample: true
job_id:
  description: C(huaweicloud) - the id of IMS's export job.
  returned: when this run exported the image
  type: str
  sample: 4010a32c6d7b2d01816ee2b7c8b9b0d8
dest:
  description: Path of the downloaded file.
  returned: with O(dest)
  type: str
  sample: /srv/mirror/centos8-golden.qcow2
checksum:
  description:
    - MD5 of the file at RV(dest) (equal to the image's checksum).
    - On openstack, when the download was verified by C(os_hash_value), the image's C(checksum), which
      Glance computed of the same bytes.
  returned: with O(dest)
  type: str
  sample: 29a9d18dc5e0aa0f14707cffda13fa92
verified:
  description:
    - What the bytes of the file at RV(dest) were checked against, in one shape on every provider. The file replaces
      RV(dest) only when it passed these checks.
    - RV(verified.algorithm) is V(none) when the service reports no hash the bytes can be checked against (the task
      warns); C(verified.algorithm != 'none') tells, on any provider, that they were checked by a hash.
    - With C(huaweicloud), the hash is the staging object's ETag - the MD5 of its bytes, or for an object completed
      from parts the MD5 of its parts' MD5s (then RV(verified.part_size) is set). A re-run that finds RV(dest)
      unchanged since its download reports the checks that download passed.
  returned: with O(dest), except in check mode with C(huaweicloud) when the file is to be downloaded
  type: dict
  contains:
    algorithm:
      description:
        - The hash the bytes were checked against - V(sha512) (or another C(os_hash_algo) of Glance), V(md5), or
          V(none) when the bytes could be checked by their size only.
      type: str
      sample: sha512
    value:
      description:
        - The file's hex digest by RV(verified.algorithm), the one the service reported; V(null) with V(none).
      type: str
      sample: 0b8c3a...
    size:
      description:
        - The size in bytes the file was checked to have (the service's); V(null) when the service reports none.
      type: int
      sample: 27205947
    part_size:
      description:
        - The part size of a multipart ETag the bytes were checked against part by part; RV(verified.value) is then the
          file's MD5, computed while it was downloaded.
      returned: with C(huaweicloud), when the staging object was completed from parts
      type: int
      sample: 16777216
  sample:
    algorithm: md5
    value: 29a9d18dc5e0aa0f14707cffda13fa92
    size: 27205947
mode:
  description: Mode of the file at RV(dest), in octal (with O(dest); from Ansible's file facts, as the
    C(uid), C(gid), C(owner), C(group), C(size) and C(state) keys).
  returned: with O(dest)
  type: str
  sample: '0640'
transfer:
  description: Figures of the download; empty when nothing was downloaded.
  returned: with O(dest)
  type: dict
  contains:
    bytes:
      description: Bytes downloaded.
      type: int
      sample: 27205947
    seconds:
      description: Duration of the download, verification included.
      type: float
      sample: 0.15
    mib_per_s:
      description: Throughput in MiB per second.
      type: float
      sample: 172.9
  sample:
    bytes: 27205947
    seconds: 0.15
    mib_per_s: 172.9
'''

from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule

# Seconds an export job may take (Terraform waits 20 minutes for IMS's export jobs).
DEFAULT_WAIT_TIMEOUT = 1800


class ImageExportModule(ImsModule):
    name = 'ims_image_export'
    argument_spec = dict(
        image=dict(type='str', required=True),
        bucket=dict(type='str'),
        az_id=dict(type='str'),
        cell_id=dict(type='str'),
        dest=dict(type='path'),
        force=dict(type='bool', default=False),
        key=dict(type='str', no_log=False),
        file_format=dict(type='str', choices=['qcow2', 'vhd', 'zvhd', 'vmdk']),
        quick_export=dict(type='bool'),
        obs_bucket=dict(type='str'),
        obs_key=dict(type='str', no_log=False),
        keep_staged_object=dict(type='bool'),
        wait_timeout=dict(type='int'),
    )
    module_kwargs = dict(mutually_exclusive=[('bucket', 'dest')], required_one_of=[('bucket', 'dest')],
                         required_by=dict(az_id='bucket', cell_id='bucket', key='bucket', obs_bucket='dest',
                                          obs_key='dest', keep_staged_object='dest'),
                         add_file_common_args=True)
    # bucket is no provider option: on openstack it is refused by the export flow (no export target of the provider),
    # which says to use dest.
    # file_format has none: its default (qcow2) would count as set beside quick_export, which excludes it.
    provider_option_defaults = dict(quick_export=False, keep_staged_object=False, wait_timeout=DEFAULT_WAIT_TIMEOUT)

    def run(self):
        self.backend.image_export(self.task).run()


def main():
    ImageExportModule()()


if __name__ == '__main__':
    main()
