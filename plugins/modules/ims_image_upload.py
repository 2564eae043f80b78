#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ims_image_upload
short_description: Upload a local qcow2 or raw file as a private image of an Image Management Service (IMS)
version_added: 0.1.0
description:
  - Creates the image's metadata, asks the service where to put the file, uploads the file to that
    object storage (S3 API, multipart with parallel parts, path-style addressing, signature v4), tells the
    service the result, waits until the image is C(active) and compares the service's checksum with the
    file's MD5.
  - The file is read in place and the MD5 is computed by a thread beside the upload, so memory stays flat
    whatever the file size and hashing adds no second pass of wall time.
  - Idempotent by O(name). An C(active) private image of that name whose checksum equals the file's MD5 is
    left alone. A C(queued) image of that name (left by a failed run) with the same disk format is reused
    instead of creating another. An C(active) image of that name with another checksum fails the task,
    unless O(replace=true).
  - On a transfer error the service is told that the upload C(failed) and, with O(cleanup_on_failure=true),
    the metadata this run created is deleted; the task fails with the cause.
  - The temporary object-storage credentials the service hands out never appear in results, logs or errors.
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
      - Image name, 1 to 128 characters, not starting or ending with a space.
      - Letters, digits, C(-), C(.), C(_), spaces and Chinese characters only.
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
    type: bool
    default: false
  cleanup_on_failure:
    description:
      - Whether to delete the image metadata this run created when the upload fails
        (after the service was told the upload C(failed)).
      - A C(queued) image reused from an earlier run is not deleted.
    type: bool
    default: true
  part_size_mb:
    description:
      - Size of one multipart part in MiB, between 5 and 5120. Files smaller than one part go in one request.
      - The part grows automatically when the file would need more than 10000 parts.
      - Memory used by the upload is about O(part_size_mb) times O(max_concurrency) at most.
    type: int
    default: 16
  max_concurrency:
    description:
      - How many parts are uploaded at the same time, between 1 and 64.
    type: int
    default: 4
  s3_validate_certs:
    description:
      - Whether to verify the TLS certificate of the object storage the file is uploaded to.
      - When not set, O(validate_certs) applies.
    type: bool
  s3_ca_path:
    description:
      - A CA bundle (PEM) to verify the object storage's certificate with.
      - When not set, O(ca_path) applies (unless O(s3_validate_certs=false)).
    type: path
extends_documentation_fragment:
  - cecloud.ims.ims
  - cecloud.ims.ims.wait
  - cecloud.ims.ims.image_metadata
attributes:
  check_mode:
    support: full
    description: Makes the same look-ups as a normal run and hashes the file; creates, uploads and deletes nothing.
  diff_mode:
    support: full
    description: Shows the image before and after (name, status, disk format, checksum).
requirements:
  - boto3
notes:
  - O(timeout) and O(retries) also apply to each request to the object storage.
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
    - In check mode, the existing image, or the image that would be created (without C(image_id)).
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
  description: MD5 of the local file.
  returned: success
  type: str
  sample: 29a9d18dc5e0aa0f14707cffda13fa92
replaced:
  description: Ids of the images of the same name that O(replace=true) deleted.
  returned: when an image was replaced
  type: list
  elements: str
  sample: [img-kvvfk28fcjc0mt]
transfer:
  description: Figures of the upload; empty when nothing was uploaded.
  returned: always
  type: dict
  contains:
    bytes:
      description: Bytes uploaded.
      type: int
      sample: 27205947
    seconds:
      description: Duration of the upload, MD5 included.
      type: float
      sample: 0.21
    mib_per_s:
      description: Throughput in MiB per second.
      type: float
      sample: 123.5
  sample:
    bytes: 27205947
    seconds: 0.21
    mib_per_s: 123.5
'''

from ansible_collections.cecloud.ims.plugins.module_utils import _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._transfer import BOTO3_IMPORT_ERROR, HAS_BOTO3
from ansible_collections.cecloud.ims.plugins.module_utils._backend import UPLOAD_VIA_SERVICE_S3
from ansible_collections.cecloud.ims.plugins.module_utils._errors import ImsError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._image_options import (
    IMAGE_METADATA_ARGUMENT_SPEC, creation_spec, validate_metadata)
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule, WAIT_ARGUMENT_SPEC

ACTIVE = 'active'
QUEUED = 'queued'
SAVING = 'saving'


def _spec():
    spec = dict(IMAGE_METADATA_ARGUMENT_SPEC)
    spec.update(WAIT_ARGUMENT_SPEC)
    spec.update(
        src=dict(type='path', required=True),
        name=dict(type='str', required=True),
        replace=dict(type='bool', default=False),
        cleanup_on_failure=dict(type='bool', default=True),
        part_size_mb=dict(type='int', default=_transfer.DEFAULT_PART_SIZE_MB),
        max_concurrency=dict(type='int', default=_transfer.DEFAULT_MAX_CONCURRENCY),
        s3_validate_certs=dict(type='bool'),
        s3_ca_path=dict(type='path'),
    )
    return spec


def _summary(image):
    if not image:
        return {}
    return dict((k, image.get(k)) for k in ('image_id', 'name', 'status', 'disk_format', 'checksum', 'size'))


class ImageUploadModule(ImsModule):
    argument_spec = _spec()
    extra_libraries = dict(boto3=(HAS_BOTO3, BOTO3_IMPORT_ERROR))

    def run(self):
        p = self.params
        # The one uploader strategy this module has today: the service hands out object storage (S3) to upload to.
        self.require(self.backend.uploader == UPLOAD_VIA_SERVICE_S3, 'hand out object storage for an upload, the one '
                     'way ims_image_upload uploads today', 'upload the file with the provider\'s own tools')
        validate_metadata(p)
        if not _transfer.MIN_PART_SIZE_MB <= p['part_size_mb'] <= _transfer.MAX_PART_SIZE_MB:
            raise ImsValidationError('part_size_mb must be between %d and %d; got %s.' % (
                _transfer.MIN_PART_SIZE_MB, _transfer.MAX_PART_SIZE_MB, p['part_size_mb']))
        if not 1 <= p['max_concurrency'] <= _transfer.MAX_CONCURRENCY:
            raise ImsValidationError('max_concurrency must be between 1 and %d; got %s.' % (
                _transfer.MAX_CONCURRENCY, p['max_concurrency']))
        size = _transfer.check_source(p['src'])
        detected = _transfer.detect_disk_format(p['src'])
        if p['disk_format'] and p['disk_format'] != detected:
            raise ImsValidationError('disk_format is %s but %s is a %s file (%s); fix disk_format or omit it to use the '
                                     'detected format.' % (p['disk_format'], p['src'], detected,
                                                           'it starts with the qcow2 magic' if detected == 'qcow2'
                                                           else 'it lacks the qcow2 magic QFI\\xfb'))
        tenant = self.tenant()
        self.result['transfer'] = {}

        same_name = self.service.list_images(scope='private', name=p['name'])
        if any(i.get('status') == SAVING for i in same_name) and p['wait']:
            # A run that timed out, or a concurrent one: let the service finish before comparing.
            for image in same_name:
                if image.get('status') == SAVING:
                    image.update(self.service.wait_for_status(image['image_id'], timeout=p['wait_timeout']))
        active = [i for i in same_name if i.get('status') == ACTIVE]
        local_md5 = None
        if active:
            same_size = [i for i in active if i.get('size') in (None, size)]
            local_md5 = _transfer.md5_file(p['src']) if same_size else None
            current = [i for i in active if local_md5 and (i.get('checksum') or '').lower() == local_md5]
            if current:
                self.result['checksum'] = local_md5
                self.set_diff(_summary(current[0]), _summary(current[0]))
                self.exit_json(image=current[0])
            if not p['replace']:
                raise ImsValidationError(
                    'Image %r (%s) already holds another file: its checksum is %s, %s has MD5 %s. Set replace: true '
                    'to upload a new image and delete the old one, or choose another name.' % (
                        p['name'], ', '.join(i['image_id'] for i in active), ', '.join(str(i.get('checksum')) for i in active),
                        p['src'], local_md5 or '(not computed: the sizes differ)'))
        reusable = [i for i in same_name if i.get('status') == QUEUED and i.get('disk_format') == detected]
        image = reusable[0] if reusable else None

        planned = dict(image or creation_spec(p, tenant, disk_format=detected))
        planned.update(status=ACTIVE, disk_format=detected, size=size)
        if local_md5:
            planned['checksum'] = local_md5
        self.set_diff(_summary(active[0]) if active else _summary(image), _summary(planned))
        self.result['changed'] = True
        if self.check_mode:
            self.exit_json(image=planned)

        created = image is None
        if created:
            spec = creation_spec(p, tenant, disk_format=detected)
            image = self.service.create_once(lambda: self.backend.create_image(spec), p['name'],
                                             known_ids=[i['image_id'] for i in same_name])
        image_id = image['image_id']
        self.result['image'] = image
        transfer = self._transfer(image_id, size, created)
        self.result['checksum'] = transfer['md5']
        self.result['transfer'] = dict(bytes=transfer['bytes'], seconds=round(transfer['seconds'], 3),
                                       mib_per_s=_transfer.mib_per_s(transfer['bytes'], transfer['seconds']))

        if p['wait'] or active:
            image = self.service.wait_for_status(image_id, timeout=p['wait_timeout'])
            self.result['image'] = image
            checksum = (image.get('checksum') or '').lower()
            if checksum and checksum != transfer['md5']:
                self._cleanup(image_id, created)
                raise ImsError('Image %s became active with checksum %s, but %s has MD5 %s: the object storage did not '
                               'keep the bytes sent.%s' % (image_id, checksum, p['src'], transfer['md5'],
                                                           ' The image was deleted.' if created and p['cleanup_on_failure'] else ''))
        else:
            image = self.service.get_image(image_id) or image
            self.result['image'] = image
        for old in active:
            self.backend.delete_image(old['image_id'])
            self.result.setdefault('replaced', []).append(old['image_id'])
        self.set_diff(_summary(active[0]) if active else {}, _summary(image))

    def _transfer(self, image_id, size, created):
        """upload-prepare, the S3 upload and upload-done; on failure, report it and clean up."""
        p = self.params
        target = self.backend.upload_prepare(image_id, size)
        for key in ('access_key', 'secret_key', 'session_token'):
            self.add_secret(target.get(key))
        verify = _transfer.s3_verify(p['validate_certs'], p['ca_path'], p['s3_validate_certs'], p['s3_ca_path'])
        default_scheme = 'https' if p['endpoint'].lower().startswith('https') else 'http'
        target['endpoint'] = _transfer.normalize_endpoint(target.get('endpoint'), default_scheme)
        if target['endpoint'].lower().startswith('https') and verify is False:
            self.warn('TLS verification of the object storage %s is off.' % target['endpoint'])
        try:
            transfer = _transfer.upload(p['src'], target, size=size, part_size_mb=p['part_size_mb'],
                                        max_concurrency=p['max_concurrency'], verify=verify, timeout=p['timeout'],
                                        retries=p['retries'] + 1)
        except ImsError as exc:
            self._report_failure(image_id, getattr(exc, 'upload_id', None), created, exc)
            raise
        try:
            self.service.report_upload(image_id, True, transfer['upload_id'])
        except ImsError as exc:
            self._report_failure(image_id, transfer['upload_id'], created, exc)
            raise
        return transfer

    def _report_failure(self, image_id, upload_id, created, exc):
        notes = []
        try:
            self.service.report_upload(image_id, False, upload_id)
            notes.append('the service was told the upload of %s failed' % image_id)
        except ImsError as report_error:
            notes.append('telling the service the upload failed also failed (%s)' % report_error.message)
        notes.append(self._cleanup(image_id, created))
        exc.message = '%s (%s).' % (exc.message.rstrip('.'), '; '.join(n for n in notes if n))
        exc.args = (exc.message,)

    def _cleanup(self, image_id, created):
        if not created:
            return 'image %s, reused from an earlier run, was kept' % image_id
        if not self.params['cleanup_on_failure']:
            return 'image %s was kept (cleanup_on_failure is false)' % image_id
        try:
            self.backend.delete_image(image_id)
        except ImsError as exc:
            return 'deleting image %s failed: %s' % (image_id, exc.message)
        self.result.pop('image', None)
        return 'image %s was deleted' % image_id


def main():
    ImageUploadModule()()


if __name__ == '__main__':
    main()
