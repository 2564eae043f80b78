# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input on ``provider: huaweicloud`` fails with a message a user can act on, and no write reaches IMS.

Each case runs a module against the Huawei emulator and asserts that no POST, PUT, PATCH or DELETE reached IMS
(the emulator's request log, IAM excepted) and that no image or member changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import

OS = 'Ubuntu 22.04 server 64bit'
OBS = 'obs://bad-input-bucket/images/disk.qcow2'
STRANGER = 'c0f00000000000000000000000000009'


@pytest.fixture
def setting(hw):  # noqa: F811  pylint: disable=redefined-outer-name
    """The owner's active image ``bad-own`` (shared with nobody) and a second one ``bad-other``; their ids."""
    own = hw.seed(1, prefix='bad-own-')[0]
    other = hw.seed(1, prefix='bad-other-')[0]
    hw.stack.clear_requests()
    return dict(own=own, other=other, owner_project=hw.project('owner'), recipient_project=hw.project('recipient'))


def snapshot(hw):  # pylint: disable=redefined-outer-name
    state = hw.stack.state()
    return (sorted((i['id'], i['name'], i['status'], i.get('__description')) for i in state['images']),
            sorted((m['image_id'], m['member_id'], m['status']) for m in state['members']))


# (id, module, args, runner options, words the message must hold)
CASES = [
    ('obs-url-with-https', 'ims_image', dict(name='x', import_url='https://bucket/key.qcow2', min_disk=40), {},
     ['import_url must name an OBS object as obs://<bucket>/<key>']),
    ('obs-url-without-key', 'ims_image', dict(name='x', import_url='obs://bucket-only', min_disk=40), {},
     ['obs://<bucket>/<key>', "got 'obs://bucket-only'"]),
    ('obs-url-upper-case-bucket', 'ims_image', dict(name='x', import_url='obs://My_Bucket/k', min_disk=40), {},
     ['a bucket of 3 to 63 lower-case letters']),
    ('unknown-region', 'ims_image_info', dict(region='xx-nowhere-9', endpoint='{endpoint}'), {},
     ['has no project named xx-nowhere-9', 'set project_id']),
    ('region-that-is-not-a-region-id', 'ims_image_info', dict(region='North China 4'), {},
     ["region 'North China 4' is not a Huawei Cloud region id"]),
    ('copy-from-a-region-without-endpoint', 'ims_image', dict(name='x', copy_from='bad-own-00000',
                                                              copy_from_region='ap-southeast-3', agency_name='a',
                                                              region_endpoints={}), {},
     ['Region ap-southeast-3 has no IMS endpoint', 'region_endpoints']),
    ('copy-from-the-own-region', 'ims_image', dict(name='x', copy_from='bad-own-00000', copy_from_region='{region}',
                                                   agency_name='a'), {},
     ['copy_from_region is the task\'s own region']),
    ('cross-region-copy-without-agency', 'ims_image', dict(name='x', copy_from='bad-own-00000',
                                                           copy_from_region='cn-east-3'), {},
     ['agency_name is required with copy_from_region']),
    ('copy-from-an-unknown-image', 'ims_image', dict(name='x', copy_from='no-such-image'), {},
     ["has the id or name 'no-such-image'"]),
    ('min-disk-missing-for-a-file', 'ims_image', dict(name='x', import_url=OBS), {},
     ['min_disk is required with import_url', 'from 40 to 1024']),
    ('min-disk-above-1024', 'ims_image', dict(name='x', import_url=OBS, min_disk=2000), {},
     ['from 40 to 1024', 'got 2000']),
    ('min-disk-below-40-for-a-file', 'ims_image', dict(name='x', import_url=OBS, min_disk=20), {},
     ['system disk size in GB, from 40 to 1024', 'got 20']),
    ('quick-import-min-disk-above-1024', 'ims_image', dict(name='x', import_url=OBS, min_disk=1500, quick_import=True,
                                                           image_type='data_image'), {},
     ['data disk size in GB, from 1 to 1024 with quick_import', 'got 1500']),
    ('metadata-min-disk-0', 'ims_image', dict(name='x', min_disk=0), {}, ['min_disk must be', 'from 1 to 1024', 'got 0']),
    ('arm-with-bios', 'ims_image', dict(name='x', import_url=OBS, min_disk=40, cpu_arch='arm', boot_mode='BIOS'), {},
     ['boot_mode BIOS: cpu_arch is arm', 'UEFI only']),
    ('data-disk-min-disk-below-40', 'ims_image', dict(name='x', import_url=OBS, min_disk=20, image_type='data_image'), {},
     ['data disk size in GB, from 40 to 2048']),
    ('quick-import-without-os-version', 'ims_image', dict(name='x', import_url=OBS, min_disk=40, quick_import=True), {},
     ['os_version is required for a quick import']),
    ('two-sources', 'ims_image', dict(name='x', import_url=OBS, min_disk=40, instance_id='ecs-1'), {},
     ['import_url and instance_id exclude each other']),
    ('whole-image-from-a-file', 'ims_image', dict(name='x', import_url=OBS, min_disk=40, image_type='whole_image'), {},
     ['whole_image is made from a server (instance_id) or a CBR backup']),
    ('disk-format-on-huaweicloud', 'ims_image', dict(name='x', import_url=OBS, min_disk=40, disk_format='qcow2'), {},
     ['disk_format is not used by provider huaweicloud', 'reads the format from the file']),
    ('description-with-angle-brackets', 'ims_image', dict(name='x', description='<b>golden</b>'), {},
     ['without carriage returns, "<" or ">"']),
    ('eleven-tags', 'ims_image', dict(name='x', tags=[{'key': 'k%d' % n, 'value': 'v'} for n in range(11)]), {},
     ['at most 10 tags']),
    ('tag-key-too-long', 'ims_image', dict(name='x', tags=[{'key': 'k' * 37, 'value': 'v'}]), {},
     ['tags[0] must be {key: <1 to 36 characters>']),
    ('change-of-a-fixed-option', 'ims_image', dict(name='bad-own-00000', os_version='CentOS 7.9 64bit'), {},
     ['os_version is', "IMS cannot change it once the image exists"]),
    ('rename-into-a-taken-name', 'ims_image', dict(id='{own}', name='bad-other-00000'), {}, ['the name is taken']),
    ('share-with-the-own-project', 'ims_image_share', dict(image='bad-own-00000', projects=['{owner_project}']), {},
     ['the caller\'s own project', 'not shared with the project that owns it']),
    ('share-with-a-bad-project-id', 'ims_image_share', dict(image='bad-own-00000', projects=['project-b']), {},
     ['projects must be project ids of 32 hexadecimal digits', "'project-b'"]),
    ('accept-an-image-not-shared', 'ims_image_share', dict(image='{own}', member_status='accepted'),
     dict(tenant='recipient'), ['is not shared with project', 'nothing to accept or reject']),
    ('set-a-share-back-to-pending', 'ims_image_share', dict(image='{own}', member_status='pending'),
     dict(tenant='recipient', accepted_share=True), ['member_status pending is not an answer IMS takes']),
    ('share-an-image-of-another-project', 'ims_image_share', dict(image='{own}', projects=[STRANGER]),
     dict(tenant='recipient'), ['No private image of this tenant has the id or name']),
    ('ak-without-sk', 'ims_image_info', dict(secret_key=None), {}, ['access_key is set but secret_key is not']),
    ('sk-without-ak', 'ims_image_info', dict(access_key=None), {}, ['secret_key is set but access_key is not']),
    ('password-login-without-account', 'ims_image_info', dict(user_domain_name=None), dict(auth='password'),
     ['user_domain_name is required', 'for an IAM password login']),
    ('wrong-secret-key', 'ims_image', dict(name='x', secret_key='WrongSecret000000000000000000000000000001'), {},
     ['refused the credentials (HTTP 401)', 'access_key (IMS_ACCESS_KEY, HUAWEICLOUD_SDK_AK)', 'APIGW.0301']),
    ('wrong-password', 'ims_image', dict(name='x', password='not-the-password'), dict(auth='password'),
     ['refused the login', 'password (IMS_PASSWORD)']),
    ('cecloud-option-on-huaweicloud', 'ims_image', dict(name='x', tenant_id='7074631167042813952'), {},
     ['tenant_id is not used by provider huaweicloud']),
    ('openstack-option-on-huaweicloud', 'ims_image', dict(name='x', properties={'os_distro': 'ubuntu'}), {},
     ['properties is not used by provider huaweicloud']),
    ('huawei-option-on-cecloud', 'ims_image_info', dict(provider='cecloud', endpoint='http://127.0.0.1:9', region='r',
                                                        auth_token='tok-123456', access_key=None, secret_key=None,
                                                        obs_endpoint=None, region_endpoints=None, iam_endpoint=None,
                                                        security_token='st'), {},
     ['security_token is not used by provider cecloud']),
]


def _fill(value, context):
    if isinstance(value, str):
        return value.format(**context)
    if isinstance(value, list):
        return [_fill(v, context) for v in value]
    return value


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_before_any_write(hw, setting, case):  # noqa: F811  pylint: disable=redefined-outer-name
    _name, module, args, options, words = case
    options = dict(options)
    context = dict(setting, region=hw.stack.regions[0], endpoint=hw.stack.endpoint())
    if options.pop('accepted_share', False):
        hw.module('ims_image_share', dict(image=setting['own'], projects=[setting['recipient_project']]))
        hw.module('ims_image_share', dict(image=setting['own'], member_status='accepted'), tenant='recipient')
        hw.stack.clear_requests()
    secret = hw.stack.tenant(options.get('tenant', 'owner')).secret_key
    before = snapshot(hw)
    connection = hw.connection(options.get('tenant', 'owner'), options.get('auth', 'aksk'))
    connection.update(dict((k, _fill(v, context)) for k, v in args.items()))     # None: the option is not set
    result = hw.module(module, connection, auth='none', tenant=options.get('tenant', 'owner'))
    assert result.failed and not result.changed, result
    for word in words:
        assert word in result['msg'], (word, result['msg'])
    assert secret not in result.stdout + result.stderr
    assert hw.writes() == [], hw.writes()
    assert snapshot(hw) == before
