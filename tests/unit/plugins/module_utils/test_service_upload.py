# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The uploaders into the service's image record, and the helpers every upload flow shares."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._backend import UPLOAD_VIA_OBJECT_STORAGE
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._service_upload import (
    UPLOADERS, DirectPutUpload, ServiceS3Upload, differing_hashes)


@pytest.mark.parametrize('provider,uploader', [('cecloud', ServiceS3Upload), ('openstack', DirectPutUpload),
                                               ('huaweicloud', None)])
def test_each_backend_declares_the_uploader_that_sends_its_file(provider, uploader):
    declared = _providers.get(provider).backend.uploader
    assert UPLOADERS.get(declared) is uploader
    assert (declared == UPLOAD_VIA_OBJECT_STORAGE) == (uploader is None)    # staged: _staged_upload's own run


def test_differing_hashes_names_only_the_algorithms_both_sides_have_and_that_differ():
    reported = dict(md5='a' * 32, sha512='b' * 128, sha256='c' * 64)
    local = dict(md5='a' * 32, sha512='d' * 128)
    assert differing_hashes(reported, local) == dict(sha512='b' * 128)
    assert differing_hashes(reported, dict(md5='a' * 32)) == {}


def test_upload_figures_show_the_throughput_of_the_bytes_this_run_sent():
    transfer = dict(bytes=3 * _transfer.MIB, bytes_sent=_transfer.MIB, bytes_reused=2 * _transfer.MIB, parts_sent=1,
                    parts_reused=2, resumed=True, seconds=0.5, md5='0' * 32, upload_id='u-1', warnings=[])
    assert _transfer.upload_figures(transfer) == dict(bytes=3 * _transfer.MIB, bytes_sent=_transfer.MIB,
                                                      bytes_reused=2 * _transfer.MIB, parts_sent=1, parts_reused=2,
                                                      resumed=True, seconds=0.5, mib_per_s=2.0)


def test_transfer_figures_of_one_put():
    assert _transfer.transfer_figures(4 * _transfer.MIB, 2.0004, bytes=4 * _transfer.MIB) == dict(
        bytes=4 * _transfer.MIB, seconds=2.0, mib_per_s=2.0)


def test_add_notes_appends_what_the_failure_handling_did_leaving_out_empty_notes():
    exc = ImsError('PUT of image img-1 failed.')
    add_notes(exc, ['10 of 20 bytes were sent', None, '', 'image img-1 was deleted'])
    assert exc.message == 'PUT of image img-1 failed (10 of 20 bytes were sent; image img-1 was deleted).'
    assert str(exc) == exc.message
