# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_upload's uploaders that send the file into an image record of the service itself.

ImageUploadModule checks the task, claims the image's name, creates (or reuses) the image record,
then calls the uploader its backend declares (``backend.uploader``, ``UPLOADERS``):

* ``UPLOAD_DIRECT_PUT`` (openstack, Glance v2; huaweicloud with a token or a password login):
  ``DirectPutUpload``, one streamed ``PUT /v2/images/{id}/file``, hashed as it is sent;
* ``UPLOAD_VIA_SERVICE_S3`` (cecloud): ``ServiceS3Upload``, upload-prepare, the resumable multipart
  upload to the object storage the service hands out (``_transfer.upload``), upload-done.

An uploader sends the file and records RV(checksum) and RV(transfer); on failure it adds to the
error what it did, and leaves the image record to the module's ``cleanup`` (which knows where the
record came from and ``cleanup_on_failure``).  Waiting for the image and checking the service's hashes
stay with the module: a reused image is checked the same way.  The uploader of the providers that
stage the file in the user's own object storage (huaweicloud with AK/SK) runs a whole other flow: ``_staged_upload``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._backend import UPLOAD_DIRECT_PUT, UPLOAD_VIA_SERVICE_S3
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._service import ACTIVE, SAVING, is_ambiguous


def differing_hashes(reported, local):
    """The service's hashes of an image (``reported``) that differ from the file's (``local``), by algorithm."""
    return dict((a, v) for a, v in reported.items() if a in local and local[a] != v)


class DirectPutUpload:
    """One streamed PUT of the file into the image, hashed as it is sent; ``module`` is the ImageUploadModule."""

    def __init__(self, module):
        self.module = module

    def upload(self, image_id, created):
        m = self.module
        body = _streams.FileBody(m.params['src'], m.backend.upload_hashes, size=m.size)
        started = time.time()
        try:
            m.backend.upload_file(image_id, body)
        except ImsError as exc:
            if not (is_ambiguous(exc) and self._stored_anyway(image_id, body)):
                add_notes(exc, ['%d of %d bytes were sent' % (body.sent, m.size), m.cleanup(image_id, created)])
                raise
        # From the first byte read to the service's answer (Glance has stored and hashed the file by then).
        seconds = max(time.time() - started, 1e-6)
        m.record_transfer(body.digests, _transfer.transfer_figures(body.sent, seconds, bytes=body.sent))

    def _stored_anyway(self, image_id, body):
        """After a PUT whose answer was lost: whether the service holds the whole file all the same."""
        if body.digests is None:
            return False
        try:
            image = self.module.service.get_image(image_id)
            if image and image.get('status') == SAVING:     # still storing what it received (IMS: after every PUT)
                image = self.module.settled(image_id)
        except ImsError:
            return False
        if not image or image.get('status') != ACTIVE:
            return False
        reported = self.module.backend.data_hashes(image)
        return bool(reported) and not differing_hashes(reported, body.digests)


class ServiceS3Upload:
    """upload-prepare, the S3 upload and upload-done; on failure, keep what a re-run resumes, else report it and clean up."""

    def __init__(self, module):
        self.module = module

    def upload(self, image_id, created):
        m, p = self.module, self.module.params
        try:
            target = m.backend.upload_prepare(image_id, m.size)
        except ImsError as exc:
            add_notes(exc, [m.cleanup(image_id, created)])
            raise
        verify = self._prepare_target(target)
        try:
            transfer = _transfer.upload(p['src'], target, size=m.size, part_size_mb=p['part_size_mb'],
                                        max_concurrency=p['max_concurrency'], verify=verify, timeout=p['timeout'],
                                        retries=p['retries'] + 1, resume=p['resume'])
        except ImsError as exc:
            if p['resume'] and getattr(exc, 'resumable', False):
                self._keep_for_resume(image_id, exc)
            else:
                self._report_failure(image_id, getattr(exc, 'upload_id', None), created, exc)
            raise
        for warning in transfer['warnings']:
            m.warn(warning)
        m.record_transfer(dict(md5=transfer['md5']), _transfer.upload_figures(transfer))
        try:
            m.service.report_upload(image_id, True, transfer['upload_id'])
        except ImsError as exc:
            self._report_failure(image_id, transfer['upload_id'], created, exc)
            raise

    def _prepare_target(self, target):
        """Mask the temporary keys of the service's upload target, complete its endpoint; returns the TLS check to use."""
        m, p = self.module, self.module.params
        for key in ('access_key', 'secret_key', 'session_token'):
            m.add_secret(target.get(key))
        verify = _transfer.s3_verify(p['validate_certs'], p['ca_path'], p['s3_validate_certs'], p['s3_ca_path'])
        default_scheme = 'https' if p['endpoint'].lower().startswith('https') else 'http'
        target['endpoint'] = _transfer.normalize_endpoint(target.get('endpoint'), default_scheme)
        if target['endpoint'].lower().startswith('https') and verify is False:
            m.warn('TLS verification of the object storage %s is off.' % target['endpoint'])
        return verify

    def _keep_for_resume(self, image_id, exc):
        """A transfer cut off after parts were stored: keep the queued image and the parts for the next run.

        Telling the service the upload failed would kill the image (and with it the object the parts
        belong to), so neither that nor cleanup_on_failure applies: the next run of the task reuses the
        queued image and sends only what is missing.
        """
        self.module.record_change()
        add_notes(exc, ['image %s stays queued with %d part(s) (%d bytes) of unfinished upload %s stored in the object '
                        'storage: run the task again to send only what is missing, or set resume: false to start over'
                        % (image_id, exc.parts_stored, exc.bytes_stored, exc.upload_id)])

    def _report_failure(self, image_id, upload_id, created, exc):
        """Tell the service the upload failed (it kills the image), then clean up; both noted in ``exc``."""
        m = self.module
        notes = []
        try:
            m.service.report_upload(image_id, False, upload_id)
            notes.append('the service was told the upload of %s failed' % image_id)
        except ImsError as report_error:
            notes.append('telling the service the upload failed also failed (%s)' % report_error.message)
        notes.append(m.cleanup(image_id, created))
        add_notes(exc, notes)


# backend.uploader -> the uploader that sends the file into the service's image record.
UPLOADERS = {UPLOAD_DIRECT_PUT: DirectPutUpload, UPLOAD_VIA_SERVICE_S3: ServiceS3Upload}
