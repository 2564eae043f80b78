#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image_upload
short_description: Upload a local qcow2 or raw file as a private image of an Image Management Service (IMS)
version_added: 1.0.0
description:
  - "With O(provider=cecloud): creates the image's metadata, asks the service where to put the file, uploads
    the file to that object storage (S3 API, multipart with parallel parts, path-style addressing, signature
    v4), tells the service the result, waits until the image is C(active) and compares the service's checksum
    with the file's MD5. The file is read in place and the MD5 is computed by a thread beside the upload."
  - "With O(provider=openstack) (Glance v2): creates the image record (C(POST /v2/images)), then sends the
    file in one streamed C(PUT /v2/images/{id}/file), computing its MD5 and SHA-512 while it is sent (the
    file is read once), and compares them with the C(checksum) and C(os_hash_value) Glance computed of what
    it stored (a hash algorithm other than Glance's default SHA-512 costs one more read of the file). A
    login token about to expire is renewed before the PUT; a PUT refused with HTTP 401 is sent again from
    the file's first byte after a new login."
  - Memory stays flat whatever the file size, and hashing adds no second pass of wall time.
  - Idempotent by O(name), and never makes a second private image of that name. An C(active) image of
    that name whose checksum equals the file's MD5 (and, on openstack, whose C(os_hash_value) equals the
    file's hash) is left alone, without any request that writes. A C(saving) image of that name with the
    file's checksum, or with no checksum yet and the file's size, is the upload an earlier run started
    (for example with O(wait=false)), so it is reused, and waited for only when O(wait=true). A C(queued)
    image of that name with the same disk format (left by a failed run) is reused instead of creating
    another. C(killed) images of that name, and C(queued) ones of another disk format, are deleted when
    O(cleanup_on_failure=true).
  - An image of that name that holds another file fails the task before anything is uploaded, unless
    O(replace=true). A re-run after an interrupted replace (the new image active beside the old one)
    deletes the old one.
  - A broken upload is resumed by the next run (O(resume=true), the default; cecloud). The run finds the
    unfinished multipart upload of the image's object on the object storage itself (no local state file, so a
    re-run from another host resumes too), keeps each stored part whose size and ETag equal the MD5 of the
    same byte range of O(src), sends only the missing or different parts, completes the upload and verifies
    the image as usual. A part that does not match is sent again, never trusted.
  - On a transfer error after parts were stored (and O(resume=true)), the C(queued) image and the stored parts
    are kept for the next run, which reuses the image, asks the service for fresh credentials and resumes;
    the task fails with the cause and says what it kept. On any other transfer error the service is told
    that the upload C(failed) (cecloud) and, with O(cleanup_on_failure=true), the metadata this run created
    is deleted. A task that fails after it changed something reports C(changed=true) and what it made
    (RV(image), RV(replaced)).
  - The temporary object-storage credentials the service hands out never appear in results, logs or errors.
  - With C(provider=huaweicloud) and AK/SK (O(access_key), O(secret_key)), the file is staged in an OBS bucket of the
    user (O(obs_bucket), O(obs_key)) through
    OBS's S3-compatible API at O(obs_endpoint), signed with the same O(access_key)/O(secret_key) (and
    O(security_token)), multipart with parallel parts, each part's MD5 checked by OBS, resumable. The staged object's
    size and multipart ETag are checked, an IMS import job makes the image from C(obs://<obs_bucket>/<obs_key>) (a quick import for RAW
    files from 128 GiB up, see O(quick_import)), the job and then the image's status are waited for, and the staged
    object is deleted once the image is C(active) unless O(keep_staged_object=true).
  - With C(provider=huaweicloud) and a token (O(auth_token)) or a password login (O(username), O(password),
    O(user_domain_name)), which cannot sign OBS requests, the file goes to IMS directly, as on openstack - the image
    record (C(POST /v2/images), from O(name), O(os_version), O(min_disk), O(min_ram), O(tags) and the detected
    O(disk_format)), then one streamed C(PUT /v2/images/{id}/file), never repeated once it may have reached IMS - for
    files under 2 GiB, IMS's limit for this path; a larger file is refused before any request (log in with AK/SK to
    stage it in OBS). O(description), O(os_type), O(cpu_arch), O(boot_mode) and another O(image_type) than
    V(os_image) cannot be set this way and are refused, as are the OBS options. The file is read once, while it is sent;
    the new image is tagged C(ims_source_md5=pending), then with the file's MD5 once the PUT returned (with 9 O(tags),
    at creation, after a read of its own). A re-run deletes an image still pending that is not queued (a failed run's)
    with O(cleanup_on_failure=true), and uploads again.
  - With C(provider=huaweicloud), IMS documents the image's C(checksum) as unused and computes none, so the module tags
    the image with the file's identity (tag C(ims_source_md5)); a re-run tells by that tag whether the image of the
    name holds O(src). Through OBS the identity is made of the MD5s of the file's parts, which OBS checks one by one,
    so the file is hashed once - C(<MD5 of the parts' MD5s>-<parts>-<part size in MiB>), the staged object's multipart
    ETag and the part size; a file of one part, the direct upload and an image of an earlier version are told by the
    file's MD5. A re-run reads the file the way the tag says, whatever its O(part_size_mb). An image of the name
    without that tag, or telling another file, holds another file (O(replace)). That the stored bytes are the file's
    is checked by the image turning C(active) after the upload (IMS hashes nothing).
author:
  - cecloud.ims contributors (@cecloud)
options:
  src:
    description:
      - Path of the local image file (qcow2 or raw) on the host the module runs on.
      - It must be a readable, non-empty regular file.
    type: path
    required: true
  name:
    description:
      - Image name. On cecloud 1 to 128 characters, not starting or ending with a space; letters, digits,
        C(-), C(.), C(_), spaces and Chinese characters only. On openstack 1 to 255 characters.
      - Identifies the image; a task that runs again finds the image it uploaded by this name.
    type: str
    required: true
  disk_format:
    description:
      - Format of the file.
      - When omitted, it is detected from the file (V(qcow2) when the file starts with the qcow2 magic
        C(QFI\xfb), else V(raw)). When set and the file says otherwise, the task fails before any request.
    type: str
    choices: [qcow2, raw]
  replace:
    description:
      - What to do when an C(active) image of this name holds another file (another checksum).
      - V(false) fails the task and leaves the image alone.
      - V(true) uploads the file as a new image and deletes the old one once the new one is C(active).
        The module then waits for the new image whatever O(wait) says.
      - An old image that is shared with other users is not replaced unless O(force=true); the task fails
        before anything is uploaded and lists the users.
    type: bool
    default: false
  force:
    description:
      - With O(replace=true), replace an image that is shared with other users too. The new image is
        shared with the same users first, then the old image is unshared and deleted, so the users keep an
        image of this name at every moment (RV(shares_moved) lists them).
      - On openstack the new image is then created with C(visibility=shared), and its member projects start
        C(pending) (each recipient accepts it again with M(cecloud.ims.ims_image_share)).
    type: bool
    default: false
  cleanup_on_failure:
    description:
      - Whether to delete the image metadata this run created when the upload fails
        (after the service was told the upload C(failed), on cecloud), or when the service's hashes of the
        stored image are not the file's.
      - A transfer that breaks after parts were stored, with O(resume=true), is not such a failure; it is an
        upload to finish, so its C(queued) image and its parts are kept for the next run whatever this option
        says (deleting the image would throw the stored parts away). To give it up, run the task with
        O(resume=false), which starts over, or delete the image.
      - A C(queued) image reused from an earlier run is not deleted.
      - Also whether to delete the C(killed) images of this name (and C(queued) ones of another disk format)
        that failed runs left, before uploading.
    type: bool
    default: true
  resume:
    description:
      - Whether to resume an unfinished multipart upload of the image's object that an earlier run left.
      - V(true) lists the unfinished uploads of the object (S3 C(ListMultipartUploads), then C(ListParts)),
        keeps each stored part whose size and ETag equal the MD5 of the same byte range of O(src), and sends
        the rest. The part size of the earlier attempt is kept (read from its stored parts), so the ranges
        line up whatever O(part_size_mb) says. The other unfinished uploads of the object, and one that cannot
        be resumed (another part size or another file), are aborted, so no orphaned parts keep costing storage.
      - Where the object storage cannot list uploads or parts (C(NotImplemented), C(AccessDenied)), the task
        warns and starts over from byte 0.
      - V(false) aborts the unfinished uploads of the object and starts over.
      - Default V(true).
      - "Providers: cecloud, huaweicloud (the staged object)."
    type: bool
  part_size_mb:
    description:
      - Size of one multipart part in MiB, between 5 and 5120. Files smaller than one part go in one request.
      - The part grows automatically when the file would need more than 10000 parts.
      - A resumed upload keeps the part size of the attempt it resumes.
      - Memory used by the upload is about O(part_size_mb) times O(max_concurrency) at most.
      - Default V(16).
      - "Providers: cecloud, huaweicloud (the staged object)."
    type: int
  max_concurrency:
    description:
      - How many parts are uploaded at the same time, between 1 and 64.
      - Default V(4).
      - "Providers: cecloud, huaweicloud (the staged object)."
    type: int
  obs_bucket:
    description:
      - The OBS bucket (of the task's region, storage class Standard) the file is staged in before IMS imports it.
      - Required with C(provider=huaweicloud) and AK/SK. It must exist; an unknown bucket fails the task before any
        change. Refused with a token or a password login (the file then goes to IMS in one PUT).
      - "Providers: huaweicloud."
    type: str
  obs_key:
    description:
      - The key of the staged object in O(obs_bucket).
      - Defaults to the image name with the format's extension (C(<name>.qcow2), C(<name>.raw)).
      - An existing object of that key is overwritten.
      - "Providers: huaweicloud."
    type: str
  keep_staged_object:
    description:
      - Whether to keep the staged object in O(obs_bucket) once the image is C(active) (default V(false), it is deleted).
      - The staged object is always kept while IMS is still importing from it (O(wait=false), or a timed-out wait); a
        later run of the task deletes it once the image is C(active).
      - "Providers: huaweicloud."
    type: bool
  quick_import:
    description:
      - Whether to make the image with IMS's quick import (RAW files only; O(os_version) is then required for a
        system disk image).
      - When not set, a RAW file of 128 GiB or more is quick-imported (below that size IMS recommends the normal
        import), any other file imported normally.
      - "Providers: huaweicloud."
    type: bool
  s3_validate_certs:
    description:
      - Whether to verify the TLS certificate of the object storage the file is uploaded to.
      - When not set, O(validate_certs) applies.
      - "Providers: cecloud, huaweicloud (the staged object)."
    type: bool
  s3_ca_path:
    description:
      - A CA bundle (PEM) to verify the object storage's certificate with.
      - When not set, O(ca_path) applies (unless O(s3_validate_certs=false)).
      - "Providers: cecloud, huaweicloud (the staged object)."
    type: path
extends_documentation_fragment:
  - cecloud.ims.ims
  - cecloud.ims.ims.wait
  - cecloud.ims.ims.image_metadata
attributes:
  check_mode:
    support: full
    description:
      - Makes the same look-ups as a normal run and hashes the file (so RV(checksum) and the predicted
        RV(image) show the file's MD5); creates, uploads and deletes nothing.
      - Reports in RV(replaced) every image the real run would delete.
  diff_mode:
    support: full
    description:
      - Shows the image before and after (name, status, disk format, checksum); when images are deleted
        (replaced, or left by failed runs), one more entry per deleted image.
requirements:
  - boto3 (provider cecloud only)
notes:
  - O(timeout) and O(retries) also apply to each request to the object storage.
  - On openstack the PUT of the file is not repeated after it may have reached Glance (Glance refuses a
    second PUT into an image that took data); a failed PUT leaves the image record, which the module deletes
    (O(cleanup_on_failure)) or, when it was reused, keeps C(queued) for the next run.
  - With C(provider=huaweicloud) and AK/SK, the image is made by an asynchronous job; O(wait_timeout) covers the job
    and then the image's status. A token or a password login cannot sign OBS requests, so the file then goes in one PUT
    to IMS (under 2 GiB; as on openstack, a failed PUT leaves the image record, deleted or, when reused, kept), and
    O(wait_timeout) covers the image's status after it.
  - Metadata options set the new image's fields; they are not compared with an existing image
    (use M(cecloud.ims.ims_image) to change the metadata of an image).
  - The object storage is addressed path-style with signature v4 and region C(us-east-1), which
    S3-compatible object stores accept.
seealso:
  - module: cecloud.ims.ims_image_export
  - module: cecloud.ims.ims_image
'''

EXAMPLES = r'''
- name: Upload a qcow2 image (format detected from the file)
  cecloud.ims.ims_image_upload:
    src: /srv/images/centos8-golden.qcow2
    name: centos8-golden
    os_type: linux
    platform: CentOS
    os_version: centos-8.2
    min_disk: 20
    min_ram: 1024
  register: upload

- name: Show how fast it went
  ansible.builtin.debug:
    msg: "{{ upload.image.image_id }}: {{ upload.transfer.mib_per_s }} MiB/s"
  when: upload.changed

- name: Upload to Huawei Cloud IMS, staging the file in an OBS bucket
  cecloud.ims.ims_image_upload:
    provider: huaweicloud
    region: cn-north-4
    access_key: "{{ huawei_ak }}"
    secret_key: "{{ huawei_sk }}"
    src: /srv/images/ubuntu-22.04-golden.qcow2
    name: ubuntu-22.04-golden
    obs_bucket: my-image-staging
    min_disk: 40
    os_version: Ubuntu 22.04 server 64bit
    wait_timeout: 3600

# huawei_token: an IAM token scoped to the region's project (X-Subject-Token of POST /v3/auth/tokens). Given to the
# task, it is the credential used: AK/SK exported in HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK are not read.
- name: Upload a small file to Huawei Cloud IMS with an IAM token (one PUT, no OBS bucket; files under 2 GiB)
  cecloud.ims.ims_image_upload:
    provider: huaweicloud
    region: cn-north-4
    auth_token: "{{ huawei_token }}"
    src: /srv/images/tiny-rescue.qcow2
    name: tiny-rescue
    min_disk: 1
    os_version: Ubuntu 22.04 server 64bit

- name: Publish a rebuilt image under the same name, deleting the old one once the new is active
  cecloud.ims.ims_image_upload:
    endpoint: https://ims.example.com:8443
    region: region0
    auth_token: "{{ ims_token }}"
    tenant_id: "{{ ims_tenant_id }}"
    department_id: "{{ ims_department_id }}"
    src: /srv/images/kylin-v10.raw
    name: kylin-v10
    disk_format: raw
    platform: kylin
    replace: true
    part_size_mb: 64
    max_concurrency: 8
    wait_timeout: 3600
    s3_ca_path: /etc/pki/tls/certs/object-storage-ca.pem
'''

RETURN = r'''
image:
  description:
    - The image, as the service returns it with field names in snake_case.
    - In check mode, the existing image, or the image that would be created (without C(image_id)), in
      the same shape as a real run's.
    - When the task fails after creating the image, the image as last seen (C(status=deleted) when
      O(cleanup_on_failure) deleted it).
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
      description: C(active) after a wait; C(saving) or C(queued) with O(wait=false).
      type: str
      sample: active
    disk_format:
      description: C(qcow2) or C(raw).
      type: str
      sample: qcow2
    checksum:
      description: MD5 of the image file, as the service computed it (equal to the local file's).
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
    min_disk: 20
    min_ram: 1024
    image_type: os_image
    visibility: private
checksum:
  description:
    - MD5 of the local file.
    - With C(provider=huaweicloud) through OBS, the file's identity its image is tagged with (C(ims_source_md5)), for a
      file of several parts C(<MD5 of the parts' MD5s>-<parts>-<part size in MiB>) (the file is hashed once, by its
      parts); for a file of one part its MD5.
  returned: success, and check mode
  type: str
  sample: 29a9d18dc5e0aa0f14707cffda13fa92
hashes:
  description:
    - The hashes of the local file computed by the task, by algorithm, each equal to the service's hash of the
      stored image. V(md5), computed as the file is sent; on openstack Glance's C(os_hash_algo) (V(sha512) by
      default) too only where Glance reports no C(checksum) (then by a second read of the file).
  returned: success, and check mode
  type: dict
  sample: {md5: 29a9d18dc5e0aa0f14707cffda13fa92}
replaced:
  description:
    - Ids of the images of the same name the task deleted (would delete, in check mode) - replaced by
      O(replace=true), or left by failed runs.
  returned: when an image was deleted
  type: list
  elements: str
  sample: [img-kvvfk28fcjc0mt]
shares_moved:
  description: For each replaced image that was shared (O(force=true)), the user ids the new image was shared with.
  returned: when the shares of a replaced image were moved
  type: dict
  sample: {img-kvvfk28fcjc0mt: ["7085524801413879999"]}
staged_object:
  description: C(huaweicloud) - the OBS object the file was staged in, and what became of it.
  returned: with C(huaweicloud) and AK/SK
  type: dict
  contains:
    bucket:
      description: O(obs_bucket).
      type: str
      sample: my-image-staging
    key:
      description: The object's key (O(obs_key)).
      type: str
      sample: ubuntu-22.04-golden.qcow2
    size:
      description: Bytes staged, when this run uploaded the file.
      type: int
      sample: 27205947
    etag:
      description: The staged object's ETag (for a multipart upload, the MD5 of the parts' MD5s and their count).
      type: str
      sample: 4f6a1ec2b1d3a6f3c1e5a2e0b9c8d7e6-2
    deleted:
      description: Whether this run deleted the staged object.
      type: bool
      sample: true
    kept:
      description: Whether the staged object was kept (O(keep_staged_object), or IMS still imports from it).
      type: bool
      sample: false
    upload_id:
      description: The unfinished multipart upload a failed run left for the next run to resume.
      type: str
      sample: 2~0QiRhbBq0eqmrNz
job_id:
  description: C(huaweicloud) - the id of the IMS job that made the image.
  returned: when this run started an import job
  type: str
  sample: 4010a32c6d7b2d01816ee2b7c8b9b0d8
transfer:
  description: Figures of the upload; empty when nothing was uploaded.
  returned: always
  type: dict
  contains:
    bytes:
      description: Size of the object the upload completed (bytes sent by this run plus bytes reused).
      type: int
      sample: 27205947
    bytes_sent:
      description: Bytes this run sent to the object storage.
      type: int
      sample: 8388608
    bytes_reused:
      description: Bytes of parts an earlier attempt stored that matched the file and were kept.
      type: int
      sample: 18817339
    parts_sent:
      description: Parts this run sent (1 for a file sent in one request).
      type: int
      sample: 1
    parts_reused:
      description: Parts of an earlier attempt that were kept.
      type: int
      sample: 2
    resumed:
      description: Whether the upload resumed an earlier attempt (at least one stored part was kept).
      type: bool
      sample: true
    seconds:
      description: Duration of the upload, hashing (and the check of the stored parts) included.
      type: float
      sample: 0.21
    mib_per_s:
      description: Throughput of the bytes this run sent (RV(transfer.bytes_sent)), in MiB per second.
      type: float
      sample: 123.5
  sample:
    bytes: 27205947
    bytes_sent: 8388608
    bytes_reused: 18817339
    parts_sent: 1
    parts_reused: 2
    resumed: true
    seconds: 0.21
    mib_per_s: 38.1
'''

from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule
from ansible_collections.cecloud.ims.plugins.module_utils._upload_spec import UPLOAD_PROVIDER_DEFAULTS, upload_argument_spec


class ImageUploadModule(ImsModule):
    name = 'ims_image_upload'
    argument_spec = upload_argument_spec()
    provider_option_defaults = UPLOAD_PROVIDER_DEFAULTS

    @property
    def extra_libraries(self):
        return self.provider.backend.upload_libraries(self.params)

    def run(self):
        self.backend.image_upload(self.task).run()


def main():
    ImageUploadModule()()


if __name__ == '__main__':
    main()
