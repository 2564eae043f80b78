# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider seam of ims_image_export and ims_image_share: one signature per operation, refusals before any request."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import types

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _backend
from ansible_collections.cecloud.ims.plugins.module_utils._backend import ExportTarget, RECIPIENT_ACCEPT, RECIPIENT_DROP
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.share_flow import DropReceivedShare
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import HuaweiCloudBackend
from ansible_collections.cecloud.ims.plugins.module_utils._openstack.glance import GlanceBackend
from ansible_collections.cecloud.ims.plugins.module_utils._share_flow import AnswerReceivedShare


class _Client:
    """Records the requests a backend makes; answers each with a job."""

    region = 'cn-north-4'
    auth = None

    def __init__(self):
        self.calls = []

    def call(self, method, path, json_body=None, **kwargs):  # pylint: disable=unused-argument
        self.calls.append((method, path, json_body))
        return {'job_id': 'job-1'}


def _task(backend):
    return types.SimpleNamespace(params={}, check_mode=False, result={}, service=None, backend=backend)


@pytest.mark.parametrize('target,body', [
    (ExportTarget('exports', key='dir/x.vmdk', file_format='vmdk'), {'bucket_url': 'exports:dir/x.vmdk', 'file_format': 'vmdk'}),
    (ExportTarget('exports', key='x.zvhd2', file_format='qcow2', quick=True), {'bucket_url': 'exports:x.zvhd2', 'is_quick_export': True}),
])
def test_huawei_exports_to_the_object_of_the_target(target, body):
    client = _Client()
    HuaweiCloudBackend(client).export_image('img-1', target)
    assert client.calls == [('POST', '/v1/cloudimages/img-1/file', body)]


def test_cecloud_exports_to_the_bucket_of_the_target_in_its_zone_and_cell():
    client = _Client()
    CECloudBackend(client).export_image('img-1', ExportTarget('b1', az_id='AZ0', cell_id='cell01'))
    assert client.calls == [('POST', '/api/image/v1/custom-images/img-1/export',
                             {'bucket': {'name': 'b1', 'azId': 'AZ0', 'cellId': 'cell01'}})]


@pytest.mark.parametrize('backend_class,action,flow', [
    (CECloudBackend, RECIPIENT_DROP, DropReceivedShare),
    (GlanceBackend, RECIPIENT_ACCEPT, AnswerReceivedShare),
    (HuaweiCloudBackend, RECIPIENT_ACCEPT, AnswerReceivedShare),
])
def test_each_provider_returns_the_recipient_flow_it_has(backend_class, action, flow):
    backend = backend_class(_Client())
    assert isinstance(backend.received_share(_task(backend), action), flow)


@pytest.mark.parametrize('backend_class,action,message', [
    (CECloudBackend, RECIPIENT_ACCEPT, 'The cecloud provider cannot accept or reject a received share; drop it with '
                                       'share_id and state: absent.'),
    (GlanceBackend, RECIPIENT_DROP, 'The openstack provider cannot drop a received share (share_id); it keeps shares '
                                    'until their owner removes them.'),
    (_backend.Backend, RECIPIENT_DROP, 'The None provider cannot drop a received share (share_id); it keeps shares '
                                       'until their owner removes them.'),
])
def test_a_recipient_action_the_provider_lacks_is_refused_before_any_request(backend_class, action, message):
    client = _Client()
    backend = backend_class(client)
    with pytest.raises(ImsValidationError) as err:
        backend.received_share(_task(backend), action)
    assert str(err.value) == message and client.calls == []


def test_only_glance_makes_an_image_shareable_first_and_refuses_one_that_cannot_be():
    private = dict(image_id='i1', name='n', visibility='private')
    glance = GlanceBackend(_Client())
    assert glance.sharing_changes(private, ['p1']) == {'visibility': 'shared'}
    assert glance.sharing_changes(private, []) == {}
    assert glance.sharing_changes(dict(private, visibility='shared'), ['p1']) == {}
    with pytest.raises(ImsValidationError, match='is public, and only a shared image has member projects'):
        glance.sharing_changes(dict(private, visibility='public'), ['p1'])
    for backend_class in (CECloudBackend, HuaweiCloudBackend):
        assert backend_class(_Client()).sharing_changes(private, ['p1']) == {}
