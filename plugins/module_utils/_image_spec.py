# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The image metadata options shared by ims_image and ims_image_upload: their argument spec, for every provider.

The options have no argument-spec defaults on purpose: on an existing image only the options a
task sets are compared and changed; each provider fills the gaps when it creates an image.
Mirrored exactly by the ``cecloud.ims.ims.image_metadata`` doc fragment.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DISK_FORMATS = ['qcow2', 'raw']
# Every disk format of any provider (the choices of disk_format); each backend declares its own.
ALL_DISK_FORMATS = ['aki', 'ami', 'ari', 'iso', 'ploop', 'qcow2', 'raw', 'vdi', 'vhd', 'vhdx', 'vmdk']
CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed']

IMAGE_METADATA_ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    description=dict(type='str'),
    disk_format=dict(type='str', choices=ALL_DISK_FORMATS),
    image_type=dict(type='str', choices=['os_image', 'data_image', 'whole_image']),
    instruction=dict(type='str', choices=['32-bits', '64-bits']),
    cpu_arch=dict(type='str', choices=['x86', 'arm']),
    os_type=dict(type='str', choices=['linux', 'windows', 'other']),
    os_version=dict(type='str'),
    platform=dict(type='str', choices=['windows', 'ubuntu', 'CentOS', 'kylin', 'CCLinux', 'other']),
    min_disk=dict(type='int'),
    min_ram=dict(type='int'),
    boot_mode=dict(type='str', choices=['BIOS', 'UEFI']),
    visibility=dict(type='str', choices=['private', 'public', 'market', 'shared', 'community']),
    usage=dict(type='str', choices=['ecs', 'bms', 'cke', 'sec']),
    # cecloud: dicts ({key, value}); openstack: strings. Checked by the provider's rules.
    tags=dict(type='list', elements='raw'),
    container_format=dict(type='str', choices=CONTAINER_FORMATS),
    protected=dict(type='bool'),
    properties=dict(type='dict'),
)
