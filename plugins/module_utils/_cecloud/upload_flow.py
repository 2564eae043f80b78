# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_upload on cecloud (``CECloudBackend.image_upload``).

The image record is created from the task's metadata in the task's tenant (POST /private-images), then
``ServiceS3Upload`` sends the file: upload-prepare (where to put it, with temporary keys), the resumable
multipart upload to that object storage (``_core.transfer.upload``), upload-done.  The rest (one image
per name, reuse, replace, check mode, the check of the service's checksum) is ``ImageRecordUpload``'s.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.image_options import (
    complete_creation, creation_spec, predicted_image, validate_metadata)
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._service import ACTIVE
from ansible_collections.cecloud.ims.plugins.module_utils._upload_flow import ImageRecordUpload, check_multipart_options
from ansible_collections.cecloud.ims.plugins.module_utils._upload_source import transfer_input


class ServiceS3Upload:
    """upload-prepare, the S3 upload of the flow's source and upload-done; on failure, keep what a re-run resumes, else
    report it and clean up."""

    def __init__(self, flow):
        self.flow = flow

    @staticmethod
    def check_options(params):
        check_multipart_options(params)

    def upload(self, image_id, created):
        f, p = self.flow, self.flow.params
        try:
            target = f.backend.upload_prepare(image_id, f.size)
        except ImsError as exc:
            add_notes(exc, [f.cleanup(image_id, created)])
            raise
        verify = self._prepare_target(target)
        try:
            with transfer_input(f.source) as given:
                transfer = _transfer.upload(given['path'], target, size=f.size, part_size_mb=p['part_size_mb'],
                                            max_concurrency=p['max_concurrency'], verify=verify, timeout=p['timeout'],
                                            retry_policy=f.service.policy, resume=p['resume'], stream=given['stream'])
        except ImsError as exc:
            if p['resume'] and getattr(exc, 'resumable', False):
                self._keep_for_resume(image_id, exc)
            else:
                self._report_failure(image_id, getattr(exc, 'upload_id', None), created, exc)
            raise
        for warning in transfer['warnings']:
            f.task.warn(warning)
        f.record_transfer(dict(md5=transfer['md5']), _transfer.upload_figures(transfer))
        try:
            f.service.report_upload(image_id, True, transfer['upload_id'])
        except ImsError as exc:
            self._report_failure(image_id, transfer['upload_id'], created, exc)
            raise

    def _prepare_target(self, target):
        """Mask the temporary keys of the service's upload target, complete its endpoint; returns the TLS check to use."""
        f, p = self.flow, self.flow.params
        for key in ('access_key', 'secret_key', 'session_token'):
            f.task.add_secret(target.get(key))
        verify = _transfer.s3_verify(p['validate_certs'], p['ca_path'], p['s3_validate_certs'], p['s3_ca_path'])
        default_scheme = 'https' if p['endpoint'].lower().startswith('https') else 'http'
        target['endpoint'] = _transfer.normalize_endpoint(target.get('endpoint'), default_scheme)
        if target['endpoint'].lower().startswith('https') and verify is False:
            f.task.warn('TLS verification of the object storage %s is off.' % target['endpoint'])
        return verify

    def _keep_for_resume(self, image_id, exc):
        """A transfer cut off after parts were stored: keep the queued image and the parts for the next run.

        Telling the service the upload failed would kill the image (and with it the object the parts
        belong to), so neither that nor cleanup_on_failure applies: the next run of the task reuses the
        queued image and sends only what is missing.
        """
        self.flow.task.record_change()
        add_notes(exc, ['image %s stays queued with %d part(s) (%d bytes) of unfinished upload %s stored in the object '
                        'storage: run the task again to send only what is missing, or set resume: false to start over'
                        % (image_id, exc.parts_stored, exc.bytes_stored, exc.upload_id)])

    def _report_failure(self, image_id, upload_id, created, exc):
        """Tell the service the upload failed (it kills the image), then clean up; both noted in ``exc``."""
        notes = []
        try:
            self.flow.service.report_upload(image_id, False, upload_id)
            notes.append('the service was told the upload of %s failed' % image_id)
        except ImsError as report_error:
            notes.append('telling the service the upload failed also failed (%s)' % report_error.message)
        notes.append(self.flow.cleanup(image_id, created))
        add_notes(exc, notes)


class CECloudUpload(ImageRecordUpload):
    """ims_image_upload on cecloud: the image record in the task's tenant, the file through the service's object storage."""

    sender = ServiceS3Upload

    def __init__(self, task):
        super(CECloudUpload, self).__init__(task)
        self.tenant = None

    def check_metadata(self):
        validate_metadata(self.params)

    def check_file(self):
        self.tenant = self.backend.tenant()     # refused before any request when unset

    def creation_body(self, shared):
        # A CECloud image is shared by user ids whatever it was created as.
        return creation_spec(self.params, self.tenant, disk_format=self.disk_format)

    def planned_image(self, body):
        return predicted_image(body, ACTIVE)

    def completed(self, image, body):
        return complete_creation(self.service, image, body)
