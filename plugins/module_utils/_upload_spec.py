# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_upload's options (beyond the connection's): its argument spec and the defaults of the options only some
providers read. Here, not in the module, because ims_image_replicate runs the same upload on each target and checks
a target's options against the same spec."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._image_spec import DISK_FORMATS, IMAGE_METADATA_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._module import WAIT_ARGUMENT_SPEC


def upload_argument_spec():
    spec = dict(IMAGE_METADATA_ARGUMENT_SPEC)
    spec.update(WAIT_ARGUMENT_SPEC)
    spec.update(
        src=dict(type='path', required=True),
        name=dict(type='str', required=True),
        # The formats this module detects and checks (the metadata options list every provider's).
        disk_format=dict(type='str', choices=DISK_FORMATS),
        replace=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
        cleanup_on_failure=dict(type='bool', default=True),
        # No argument-spec defaults: the other provider refuses an option that is set (UPLOAD_PROVIDER_DEFAULTS).
        resume=dict(type='bool'),
        part_size_mb=dict(type='int'),
        max_concurrency=dict(type='int'),
        s3_validate_certs=dict(type='bool'),
        s3_ca_path=dict(type='path'),
        obs_bucket=dict(type='str'),
        obs_key=dict(type='str', no_log=False),
        keep_staged_object=dict(type='bool'),
        quick_import=dict(type='bool'),
    )
    return spec


UPLOAD_ARGUMENT_SPEC = upload_argument_spec()
# The defaults of the options only some providers read (ImsModule.provider_option_defaults).
UPLOAD_PROVIDER_DEFAULTS = dict(resume=True, part_size_mb=_transfer.DEFAULT_PART_SIZE_MB,
                                max_concurrency=_transfer.DEFAULT_MAX_CONCURRENCY, keep_staged_object=False)
