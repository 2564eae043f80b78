# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_export dest on openstack for what the real Glance does not make: an image that reports no hash."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json

import pytest
from tests.unit.plugins.module_utils.module_args import patch_module_args

from ansible_collections.cecloud.ims.plugins.modules.ims_image_export import ImageExportModule
from tests.unit.plugins.module_utils.local_http import LocalServer

IMAGE_ID = '0b6f6c4e-5d3c-4c57-9a3e-2b7e8f1d0a11'
PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
DATA = b'bytes nobody hashed\n' * 500


pytestmark = pytest.mark.usefixtures('no_provider_env')


def glance_without_hashes(request):
    """An image Glance shows with no checksum and no os_hash_value (a location added by an admin, an old record)."""
    if request.path == '/v2/images/%s' % IMAGE_ID:
        return 200, {'Content-Type': 'application/json'}, dict(
            id=IMAGE_ID, name='no-hash', status='active', owner=PROJECT, visibility='private', disk_format='raw',
            size=len(DATA), checksum=None, os_hash_algo=None, os_hash_value=None)
    if request.path == '/v2/images/%s/file' % IMAGE_ID:
        return 200, {'Content-Type': 'application/octet-stream'}, DATA
    return 404, {}, {'message': 'not here'}


def test_an_image_without_hashes_is_downloaded_with_a_warning_that_it_could_not_be_verified(tmp_path, capsys):
    dest = tmp_path / 'disk.raw'
    with LocalServer(glance_without_hashes) as server:
        args = dict(provider='openstack', endpoint=server.url, auth_token='gAAAA-token', project_id=PROJECT, retries=0,
                    image=IMAGE_ID, dest=str(dest))
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                ImageExportModule()()
    result = json.loads(capsys.readouterr().out)
    assert result['changed'] and not result.get('failed'), result
    assert dest.read_bytes() == DATA
    assert result['verified'] == dict(algorithm='none', value=None, size=len(DATA)), result
    assert result['checksum'] == hashlib.md5(DATA).hexdigest()
    warnings = json.dumps(result.get('warnings'))
    assert 'reports no checksum' in warnings and 'cannot be verified, only their size' in warnings
