# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_upload on huaweicloud with a token or a password login (``HuaweiCloudBackend.image_upload``).

Such a login cannot sign OBS requests, so the file goes to IMS directly: the image record (Huawei IMS API:
Creating Image Metadata, POST /v2/images), then one streamed PUT of its file (Uploading an Image File,
PUT /v2/images/{image_id}/file), for files under 2 GiB.  IMS computes no checksum of an image (its
``checksum`` is unused), so the record is created tagged with the file's MD5 (``SOURCE_MD5_TAG``), which
``HuaweiCloudBackend.data_hashes`` reads back: that is how a re-run knows the image holds the file.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import (
    DIRECT_UPLOAD_LIMIT, check_direct_upload, direct_upload_body)
from ansible_collections.cecloud.ims.plugins.module_utils._upload_flow import DirectPutUpload, ImageRecordUpload


class DirectUpload(ImageRecordUpload):
    """ims_image_upload on huaweicloud without AK/SK: the image record tagged with the file's MD5, then one PUT."""

    sender = DirectPutUpload
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

    def creation_body(self, shared):  # pylint: disable=unused-argument
        return direct_upload_body(dict(self.params, disk_format=self.disk_format), self.local_md5())
