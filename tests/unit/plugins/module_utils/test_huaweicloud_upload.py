# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The huaweicloud backend's upload flows: AK/SK stage the file in OBS, a token or a password login sends it in one PUT
(under 2 GiB), and what the direct upload sends and refuses (Huawei IMS API: Creating Image Metadata, POST /v2/images; Uploading an Image File)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.direct_upload import DirectUpload
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import (
    DIRECT_UPLOAD_LIMIT, HuaweiCloudBackend, check_direct_upload, direct_upload_body, source_pending)
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.staged_upload import StagedUpload
from ansible_collections.cecloud.ims.plugins.module_utils._openstack.upload_flow import GlanceUpload

from tests.unit.plugins.module_utils.test_huaweicloud import AK, SK, connect
from tests.unit.plugins.module_utils.test_service_upload import FakeTask

pytestmark = pytest.mark.usefixtures('no_provider_env')

MD5 = '0123456789abcdef0123456789abcdef'
PASSWORD = dict(username='u', password='p', user_domain_name='a')


def backend_of(**options):
    """The backend of a task with these connection options, as ImsModule builds it (no request is made)."""
    return connect('http://127.0.0.1:9', **options)


def flow_of(size=0, **options):
    """The upload flow the backend of a task with these connection options returns, for a file of ``size`` bytes."""
    backend = backend_of(**options)
    flow = backend.image_upload(FakeTask(backend))
    flow.size = size
    return flow


@pytest.mark.parametrize('options,flow,boto3', [
    (dict(access_key=AK, secret_key=SK), StagedUpload, True),
    (dict(access_key=AK, secret_key=SK, security_token='t' * 20), StagedUpload, True),
    (PASSWORD, DirectUpload, False),
    (dict(auth_token='t' * 20), DirectUpload, False),
])
def test_the_login_chooses_the_upload_flow(options, flow, boto3):
    assert isinstance(flow_of(**options), flow)
    assert ('boto3' in HuaweiCloudBackend.upload_libraries(options)) is boto3


def test_keys_from_the_environment_choose_obs_too(monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', AK)
    monkeypatch.setenv('HUAWEICLOUD_SDK_SK', SK)
    assert isinstance(flow_of(), StagedUpload)


def test_a_token_upload_takes_files_under_2_gib_only():
    flow_of(DIRECT_UPLOAD_LIMIT - 1, auth_token='t' * 20).check_file()
    with pytest.raises(ImsValidationError) as refused:
        flow_of(DIRECT_UPLOAD_LIMIT, auth_token='t' * 20).check_file()
    assert 'under 2147483648 bytes' in refused.value.message and 'access_key and secret_key' in refused.value.message
    assert 'obs_bucket' in refused.value.message


def test_aksk_stages_the_file_whatever_its_size():
    assert isinstance(flow_of(50 * DIRECT_UPLOAD_LIMIT, access_key=AK, secret_key=SK), StagedUpload)


def test_the_metadata_create_carries_huawei_s_fields_and_the_file_s_md5_as_a_tag():
    params = dict(name='tiny', os_version='Ubuntu 22.04 server 64bit', min_disk=1, min_ram=512, disk_format='qcow2',
                  tags=[{'key': 'team', 'value': 'ops'}])
    assert direct_upload_body(params, MD5) == {
        'name': 'tiny', '__os_version': 'Ubuntu 22.04 server 64bit', 'min_disk': 1, 'min_ram': 512, 'disk_format': 'qcow2',
        'tags': ['team=ops', 'ims_source_md5=%s' % MD5]}
    assert direct_upload_body(dict(name='bare', disk_format='raw'), MD5) == {
        'name': 'bare', 'disk_format': 'raw', 'tags': ['ims_source_md5=%s' % MD5]}


def test_the_image_s_hashes_are_its_source_tag():
    assert HuaweiCloudBackend.data_hashes({'tags': ['team=ops', 'ims_source_md5=%s' % MD5.upper()], 'checksum': ''}) == {
        'md5': MD5}
    assert HuaweiCloudBackend.data_hashes({'tags': ['team=ops'], 'checksum': ''}) == {}
    assert DirectUpload.marks_source is True and GlanceUpload.marks_source is False


def test_a_pending_source_tag_names_no_md5_and_the_md5_tagged_after_the_put_wins():
    pending = {'tags': ['team=ops', 'ims_source_md5=pending'], 'checksum': ''}
    assert HuaweiCloudBackend.data_hashes(pending) == {} and source_pending(pending)
    # Where IMS shows the string tag given at creation beside the key/value tag added after the PUT.
    both = {'tags': ['ims_source_md5=pending', 'ims_source_md5=%s' % MD5]}
    assert HuaweiCloudBackend.data_hashes(both) == {'md5': MD5} and not source_pending(both)
    assert direct_upload_body(dict(name='bare', disk_format='raw')) == {
        'name': 'bare', 'disk_format': 'raw', 'tags': ['ims_source_md5=pending']}


@pytest.mark.parametrize('options,fragment', [
    (dict(obs_bucket='stage'), 'obs_bucket: staging the file in OBS takes access_key and secret_key'),
    (dict(quick_import=True, obs_key='a.raw'), 'obs_key, quick_import: staging'),
    (dict(keep_staged_object=True), 'keep_staged_object: staging'),
    (dict(description='d'), 'description cannot be set by an upload with a token or a password login'),
    (dict(os_type='linux', boot_mode='UEFI'), 'os_type, boot_mode cannot be set'),
    (dict(image_type='data_image'), 'image_type cannot be set'),
    (dict(min_disk=0), 'min_disk must be the system disk size in GB, from 1 to 1024'),
    (dict(tags=[{'key': 'ims_source_md5', 'value': MD5}]), 'the key ims_source_md5 is the module'),
    (dict(tags=[{'key': 'k%d' % i, 'value': 'v'} for i in range(10)]), 'at most 9 tags'),
    (dict(name=' lead'), 'name'),
    (dict(visibility='public'), 'visibility is not used by provider huaweicloud'),
])
def test_the_direct_upload_refuses_what_it_cannot_do(options, fragment):
    params = dict(dict(name='tiny', disk_format='raw', keep_staged_object=False, quick_import=None), **options)
    with pytest.raises(ImsValidationError) as refused:
        check_direct_upload(params)
    assert fragment in refused.value.message


def test_the_direct_upload_takes_its_options_and_reads_tags_given_as_text():
    params = dict(name='tiny', disk_format='raw', image_type='os_image', min_disk=1, keep_staged_object=False,
                  quick_import=False, tags=['key=team, value=ops'])
    check_direct_upload(params)
    assert params['tags'] == [{'key': 'team', 'value': 'ops'}]
