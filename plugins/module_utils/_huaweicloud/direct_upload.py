# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_upload on huaweicloud with a token or a password login (``HuaweiCloudBackend.image_upload``).

Such a login cannot sign OBS requests, so the file goes to IMS directly: the image record (Huawei IMS API:
Creating Image Metadata, POST /v2/images), then one streamed PUT of its file (Uploading an Image File,
PUT /v2/images/{image_id}/file), for files under 2 GiB.  IMS computes no checksum of an image (its
``checksum`` is unused), so the image carries the file's MD5 in a tag (``SOURCE_MD5_TAG``), which
``HuaweiCloudBackend.data_hashes`` reads back: that is how a re-run knows the image holds the file.

The file is read once, by the PUT, which hashes it as it sends it: the record is created with the tag's value
SOURCE_PENDING, and the MD5 is tagged when the PUT returned (with the task's 9 tags, at creation: ``tags_after_put``) (Adding Tags, POST
/v2/{project_id}/images/{image_id}/tags/action).  An image still pending once it is no longer saving is a failed
run's (docs/api-notes.md, "One digest per byte"): queued, it is filled; active or killed, deleted with
cleanup_on_failure (or replace) and uploaded again, so a re-run converges on one image.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsValidationError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import (
    DIRECT_UPLOAD_LIMIT, SOURCE_MD5_TAG, SOURCE_PENDING, TAGS_MAX, check_direct_upload, direct_upload_body, source_pending,
    source_tag)
from ansible_collections.cecloud.ims.plugins.module_utils._service import QUEUED, SAVING
from ansible_collections.cecloud.ims.plugins.module_utils._upload_flow import (
    EMPTY, LEFTOVER, UNKNOWN, DirectPutUpload, ImageRecordUpload)


class TaggedPutUpload(DirectPutUpload):
    """The PUT, hashing the file as it sends it, then the image tagged with that MD5."""

    def upload(self, image_id, created):
        super(TaggedPutUpload, self).upload(image_id, created)
        f = self.flow
        if not f.tags_after_put():
            return
        try:
            f.backend.change_image_tags(image_id, 'create', [dict(key=SOURCE_MD5_TAG, value=f.hashes['md5'])])
        except ImsError as exc:
            add_notes(exc, ['the file was sent, but the image was not tagged with its MD5 (%s): a re-run takes it for a '
                            'failed run\'s' % SOURCE_MD5_TAG, f.cleanup(image_id, created)])
            raise

    def reported(self, image, body):
        # An image still pending was made by this run: IMS hashes nothing, and it turns active only once it holds a
        # PUT whole, the one whose body was read and hashed to its end.
        return body.digests if source_pending(image) else super(TaggedPutUpload, self).reported(image, body)


class DirectUpload(ImageRecordUpload):
    """ims_image_upload on huaweicloud without AK/SK: the image record, one PUT, then the file's MD5 as a tag."""

    sender = TaggedPutUpload
    marks_source = True

    def check_metadata(self):
        check_direct_upload(self.params)

    def check_file(self):
        if self.size >= DIRECT_UPLOAD_LIMIT:
            raise ImsValidationError(
                'The file has %d bytes: with a token or a password login IMS takes the file in one PUT '
                '/v2/images/{id}/file, for files under %d bytes (2 GiB) only. Log in with access_key and secret_key '
                '(HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK) and set obs_bucket: the file is then staged in OBS and '
                'imported, whatever its size.' % (self.size, DIRECT_UPLOAD_LIMIT))

    def tags_after_put(self):
        """Whether the MD5 is tagged after the PUT (the file read once), not at creation (read once more before it).

        Where IMS keeps the pending string tag apart from the key/value tag that follows (docs/api-notes.md), the image
        shows both: with the task's TAGS_MAX - 1 tags that second one would not fit.
        """
        return len(self.params['tags'] or []) < TAGS_MAX - 1

    def creation_body(self, shared):  # pylint: disable=unused-argument
        return direct_upload_body(dict(self.params, disk_format=self.disk_format),
                                  SOURCE_PENDING if self.tags_after_put() else self.local_md5())

    def planned_image(self, body):
        # Check mode reads the file (its checksum is in the result): the image would carry its MD5.
        pending = source_tag(SOURCE_PENDING)
        return dict(body, tags=[source_tag(self.local_md5()) if t == pending else t for t in body['tags']])

    def kind(self, image):
        if not source_pending(image):
            return super(DirectUpload, self).kind(image)
        status = image.get('status')
        if status == QUEUED:
            return EMPTY if image.get('disk_format') == self.disk_format else LEFTOVER
        if status == SAVING:
            return UNKNOWN      # a PUT just ended, its tag on the way: settled first
        return LEFTOVER         # the file went in, its MD5 never did: which file it holds cannot be told
