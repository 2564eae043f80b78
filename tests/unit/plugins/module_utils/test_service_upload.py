# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upload flows each provider returns, and the helpers every upload flow shares."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.upload_flow import CECloudUpload, ServiceS3Upload
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._openstack.glance import GlanceBackend
from ansible_collections.cecloud.ims.plugins.module_utils._openstack.upload_flow import GlanceUpload
from ansible_collections.cecloud.ims.plugins.module_utils._upload_flow import DirectPutUpload, differing_hashes


class FakeTask:
    """What a flow reads of a task when it is made (no request, no module)."""

    def __init__(self, backend):
        self.params, self.check_mode, self.result, self.service, self.backend = {}, False, {}, None, backend


def test_each_backend_returns_the_upload_flow_that_sends_its_file():
    cecloud = CECloudBackend(client=None).image_upload(FakeTask(None))
    assert isinstance(cecloud, CECloudUpload) and cecloud.sender is ServiceS3Upload
    openstack = GlanceBackend(client=None).image_upload(FakeTask(None))
    assert isinstance(openstack, GlanceUpload) and openstack.sender is DirectPutUpload
    assert 'boto3' in CECloudBackend.upload_libraries({}) and GlanceBackend.upload_libraries({}) == {}


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
