# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_export on CECloud: the export into one of the buckets the service offers for an image.

CECloud IMS API: list the buckets an image can be exported to (GET /private-images/{id}/oss-bucket-list), then
export (POST /custom-images/{id}/export); the service writes the object, its key is the service's choice.  A
download to ``dest`` is the neutral one (``_export_flow.ImageExport``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._backend import ExportTarget
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._export_flow import ImageExport


class CECloudImageExport(ImageExport):
    """``bucket``: one of the buckets the service lists for the image, its zone and cell looked up when not given."""

    def to_bucket(self, image):
        p = self.params
        buckets = self.backend.list_export_buckets(image['image_id'])
        matching = [b for b in buckets if b.get('name') == p['bucket']
                    and (p['az_id'] is None or b.get('az_id') == p['az_id'])
                    and (p['cell_id'] is None or b.get('cell_id') == p['cell_id'])]
        if len(matching) != 1:
            valid = '; '.join('%s (az_id %s, cell_id %s)' % (b.get('name'), b.get('az_id'), b.get('cell_id'))
                              for b in buckets) or 'none'
            if matching:
                raise ImsValidationError('Bucket %s exists in several zones or cells; set az_id and cell_id. '
                                         'Valid buckets: %s.' % (p['bucket'], valid))
            raise ImsValidationError('Image %s cannot be exported to bucket %s%s. Valid buckets: %s.' % (
                image['image_id'], p['bucket'],
                ' (az_id %s, cell_id %s)' % (p['az_id'], p['cell_id']) if p['az_id'] or p['cell_id'] else '', valid))
        bucket = dict(name=matching[0]['name'], az_id=matching[0].get('az_id'), cell_id=matching[0].get('cell_id'))
        self.result.update(changed=True, bucket=bucket)
        if not self.check_mode:
            self.backend.export_image(image['image_id'], ExportTarget(bucket['name'], az_id=bucket['az_id'],
                                                                      cell_id=bucket['cell_id']))
