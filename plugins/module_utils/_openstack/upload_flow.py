# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_upload on openstack (``GlanceBackend.image_upload``).

The image record is created from the task's metadata (OpenStack Image API v2: create image, POST /v2/images),
then the file goes in one streamed PUT (``DirectPutUpload``), MD5-hashed as it is sent; Glance reports the MD5
(``checksum``) and the ``os_hash_value`` of what it stored; ``ImageRecordUpload`` compares the MD5 with the file's, and
the os_hash_value (after a second read of the file) only where Glance reports no checksum.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._openstack.glance import check_metadata, creation_body
from ansible_collections.cecloud.ims.plugins.module_utils._upload_flow import DirectPutUpload, ImageRecordUpload


class GlanceUpload(ImageRecordUpload):
    """ims_image_upload on openstack: the image record, then one PUT of its file."""

    sender = DirectPutUpload

    def check_metadata(self):
        check_metadata(self.params)

    def creation_body(self, shared):
        body = creation_body(dict(self.params, disk_format=self.disk_format))
        if shared:
            body['visibility'] = 'shared'       # Glance lists the members of a shared image only
        return body
