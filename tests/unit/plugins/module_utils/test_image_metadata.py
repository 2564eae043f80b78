# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Metadata carried between providers (docs/replication.md): a record of each provider, as its service returns it,
mapped to every other provider and back; what a target cannot hold is reported, what it needs is asked for."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import itertools

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _backend, _providers
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud import api as cecloud_api
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud import image_options as cecloud_options
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import ims as huawei
from ansible_collections.cecloud.ims.plugins.module_utils._image_metadata import carry_over
from ansible_collections.cecloud.ims.plugins.module_utils._openstack import glance
from tests.emulator.huawei import model as huawei_model
from tests.emulator.huawei.bodies import common_fields, file_fields

PROVIDERS = ('cecloud', 'openstack', 'huaweicloud')
# An AK/SK login: Huawei's upload imports through OBS and takes every option.
AKSK = dict(access_key='AK', secret_key='SK')


# -- records as each service returns them --------------------------------------------------------------------------

def cecloud_source():
    """GET /private-images item of the CECloud emulator (its camelCase fields), as the backend reads it."""
    return cecloud_api._image({  # pylint: disable=protected-access
        'imageId': 'img-golden0000001', 'name': 'golden', 'status': 'active', 'diskFormat': 'qcow2', 'minDisk': 20,
        'minRam': 1024, 'cpuArch': 'arm', 'osType': 'linux', 'platform': 'kylin', 'instructions': '64-bits',
        'osVersion': 'kylin-v10-sp3', 'bootMode': 'UEFI', 'usage': 'ecs', 'imageType': 'os_image',
        'description': 'the golden image', 'describe': 'the golden image', 'visibility': 'private',
        'imageTags': [{'key': 'env', 'value': 'prod'}, {'key': 'team', 'value': 'infra'}]})


def glance_source():
    """GET /v2/images/{id} of a real Glance for an image openstacksdk uploaded, with the common properties."""
    return glance._image({  # pylint: disable=protected-access
        'id': '3c4a3ed0-6a1b-4c5e-9f3a-1d2b3c4d5e6f', 'name': 'golden', 'status': 'active', 'visibility': 'private',
        'protected': False, 'disk_format': 'qcow2', 'container_format': 'bare', 'min_disk': 50, 'min_ram': 2048,
        'size': 1024, 'checksum': 'a' * 32, 'os_hash_algo': 'sha512', 'os_hash_value': 'b' * 128, 'os_hidden': False,
        'owner': 'p' * 32, 'tags': ['env=prod', 'golden'], 'os_type': 'linux', 'os_distro': 'ubuntu',
        'os_version': 'Ubuntu 22.04 server 64bit', 'architecture': 'x86_64', 'hw_firmware_type': 'uefi',
        'hw_machine_type': 'q35', 'description': 'the golden image', 'stores': 'file',
        'owner_specified.openstack.md5': 'a' * 32, 'owner_specified.openstack.object': 'images/golden',
        'os_glance_failed_import': '', 'created_at': '2026-01-01T00:00:00Z', 'updated_at': '2026-01-01T00:00:00Z',
        'self': '/v2/images/x', 'file': '/v2/images/x/file', 'schema': '/v2/schemas/image'})


def huawei_view(record):
    """A record of the Huawei emulator as GET /v2/cloudimages shows it: key/value tags listed as ``key=value``."""
    view = dict((k, v) for k, v in record.items() if k.startswith('__') or not k.startswith('_'))
    view['tags'] = list(record['tags']) + ['%s=%s' % (t['key'], t['value']) for t in record['_kv_tags']]
    view['image_id'] = view['id']
    return view


def huawei_source():
    record = huawei_model.new_image('p' * 32, 'cn-north-4', 'golden', status='active', min_disk=40, min_ram=4096,
                                    __description='the golden image', hw_firmware_type='uefi',
                                    _kv_tags=[{'key': 'env', 'value': 'prod'}, {'key': huawei.SOURCE_MD5_TAG, 'value': 'c' * 32}],
                                    **huawei_model.os_fields('CentOS 7.9 64bit'))
    return huawei_view(record)


SOURCES = dict(cecloud=cecloud_source, openstack=glance_source, huaweicloud=huawei_source)


# -- what each provider makes of its upload options: its own creation code, and the emulator's ------------------

def cecloud_made(options):
    tenant = dict(tenant_id='t1', department_id='d1')
    return cecloud_options.predicted_image(cecloud_options.creation_spec(options, tenant), 'active', image_id='img-made')


def glance_made(options):
    params = dict(options)
    glance.check_metadata(params)
    return glance._image(dict(glance.creation_body(params), id='made', status='active'))  # pylint: disable=protected-access


def huawei_made(options):
    """The staged import's request (POST /v2/cloudimages/action), and the record the Huawei emulator makes of it."""
    params = dict(options, name='golden', import_url='obs://bucket/golden.qcow2', region='cn-north-4')
    huawei.check_image_options(params)
    kind, body = huawei.creation_request(params)
    assert kind == 'create_image_from'
    fields = dict(common_fields(body), min_disk=body['min_disk'], **file_fields(body))
    return huawei_view(huawei_model.new_image('p' * 32, 'cn-north-4', 'golden', status='active', **fields))


MADE = dict(cecloud=cecloud_made, openstack=glance_made, huaweicloud=huawei_made)


def metadata_of(provider, record):
    return _providers.get(provider).backend.image_metadata(record)


def kept(metadata, carried, target):
    """``metadata`` less what ``carried`` reports dropped (or changed) and what ``target`` reads from the file."""
    dropped = set(d['option'] for d in carried.dropped)
    out = dict((k, v) for k, v in metadata.items() if k not in dropped and k not in ('tags', 'properties'))
    pairs = [(t['key'], t['value']) if isinstance(t, dict) else t for t in metadata.get('tags') or []]
    out['tags'] = sorted((k, v) for k, v in pairs if 'tags.' + k not in dropped)
    out['properties'] = dict((k, v) for k, v in (metadata.get('properties') or {}).items() if 'properties.' + k not in dropped)
    if target == 'huaweicloud':
        out.pop('disk_format', None)
    return out


def assert_holds(expected, metadata):
    got = dict(metadata, tags=sorted((t['key'], t['value']) for t in metadata.get('tags') or []),
               properties=metadata.get('properties') or {})
    for option, value in expected.items():
        if option not in ('container_format', 'image_type', 'usage') or value not in ('bare', 'os_image', 'ecs'):
            assert got.get(option) == value, option


@pytest.mark.parametrize('source,target', list(itertools.permutations(PROVIDERS, 2)))
def test_there_and_back(source, target):
    """A record of ``source`` made on ``target`` and back: every option survives but what was reported dropped."""
    original = metadata_of(source, SOURCES[source]())
    there = carry_over(original, target, params=AKSK)
    assert there.required == []
    on_target = metadata_of(target, MADE[target](there.options))
    expected = kept(original, there, target)
    assert_holds(expected, on_target)
    back = carry_over(on_target, source, params=AKSK)
    assert back.required == []
    returned = metadata_of(source, MADE[source](back.options))
    assert_holds(kept(expected, back, source), returned)


@pytest.mark.parametrize('provider', PROVIDERS)
def test_same_provider_keeps_everything(provider):
    original = metadata_of(provider, SOURCES[provider]())
    carried = carry_over(original, provider, params=AKSK)
    assert (carried.dropped, carried.required) == ([], [])
    assert_holds(kept(original, carried, provider), metadata_of(provider, MADE[provider](carried.options)))


def test_source_readings():
    """Each provider's fields read into the neutral names (docs/replication.md, the table's first columns)."""
    assert metadata_of('cecloud', cecloud_source()) == dict(
        disk_format='qcow2', min_disk=20, min_ram=1024, image_type='os_image', os_type='linux',
        os_version='kylin-v10-sp3', platform='kylin', cpu_arch='arm', instruction='64-bits', boot_mode='UEFI',
        usage='ecs', description='the golden image', tags=[dict(key='env', value='prod'), dict(key='team', value='infra')])
    assert metadata_of('openstack', glance_source()) == dict(
        disk_format='qcow2', container_format='bare', min_disk=50, min_ram=2048, description='the golden image',
        os_version='Ubuntu 22.04 server 64bit', os_type='linux', platform='ubuntu', cpu_arch='x86', instruction='64-bits',
        boot_mode='UEFI', tags=[dict(key='env', value='prod'), dict(key='golden', value='')],
        properties=dict(hw_machine_type='q35'))
    assert metadata_of('huaweicloud', huawei_source()) == dict(
        min_disk=40, min_ram=4096, description='the golden image', os_version='CentOS 7.9 64bit', os_type='linux',
        platform='CentOS', cpu_arch='x86', instruction='64-bits', boot_mode='UEFI', image_type='os_image',
        tags=[dict(key='env', value='prod')])


def test_glance_targets_get_the_common_properties():
    carried = carry_over(metadata_of('cecloud', cecloud_source()), 'openstack')
    assert carried.options == dict(
        disk_format='qcow2', min_disk=20, min_ram=1024, tags=['env=prod', 'team=infra'],
        properties=dict(description='the golden image', os_version='kylin-v10-sp3', os_type='linux',
                        os_distro='kylin', architecture='aarch64', hw_firmware_type='uefi'))
    assert carried.dropped == []


def test_what_a_target_cannot_hold_is_reported():
    carried = carry_over(metadata_of('openstack', glance_source()), 'cecloud')
    assert carried.dropped == [dict(option='properties.hw_machine_type', value='q35',
                                    reason='CECloud images have no free properties')]
    carried = carry_over(dict(platform='debian', os_type='linux'), 'cecloud')
    assert [d['option'] for d in carried.dropped] == ['platform'] and 'platform' not in carried.options


def test_huawei_wants_its_own_os_version_and_a_disk_size():
    carried = carry_over(dict(os_version='22.04', platform='ubuntu', min_disk=0), 'huaweicloud', params=AKSK)
    assert [d['option'] for d in carried.dropped] == ['os_version', 'platform']
    assert [r['option'] for r in carried.required] == ['min_disk']
    given = carry_over(dict(os_version='22.04', min_disk=0), 'huaweicloud', params=AKSK,
                       overrides=dict(os_version='Ubuntu 22.04 server 64bit', min_disk=40))
    assert (given.dropped, given.required) == ([], [])
    assert given.options == dict(os_version='Ubuntu 22.04 server 64bit', min_disk=40)
    raised = carry_over(dict(min_disk=20), 'huaweicloud', params=AKSK)
    assert raised.options == dict(min_disk=40) and raised.dropped[0]['option'] == 'min_disk'


def test_huawei_direct_upload_takes_less():
    """A token login's upload (POST /v2/images) cannot set the description, the OS type, the CPU or the firmware."""
    metadata = metadata_of('openstack', glance_source())
    carried = carry_over(metadata, 'huaweicloud', params=dict(auth_token='t'))
    # x86 and Linux are what IMS assumes without them: not reported; UEFI and the description are lost, and said so.
    assert sorted(d['option'] for d in carried.dropped if d['reason'].startswith('an upload with a token')) == [
        'boot_mode', 'description']
    arm = carry_over(dict(cpu_arch='arm', os_type='windows'), 'huaweicloud', params=dict(auth_token='t'))
    assert sorted(d['option'] for d in arm.dropped) == ['cpu_arch', 'os_type']
    assert carried.required == []
    assert carried.options['os_version'] == 'Ubuntu 22.04 server 64bit'
    params = dict(carried.options, name='golden', disk_format='qcow2')
    huawei.check_direct_upload(params)      # what the upload would refuse before any request: nothing


def test_huawei_tag_limits():
    tags = [dict(key='k%02d' % i, value='v') for i in range(12)] + [dict(key='k' * 40, value='v')]
    carried = carry_over(dict(tags=tags), 'huaweicloud', params=dict(auth_token='t'), tags=dict(origin='cecloud'))
    assert [t['key'] for t in carried.options['tags']] == ['origin'] + ['k%02d' % i for i in range(8)]
    assert sorted(d['option'] for d in carried.dropped) == sorted(['tags.k%02d' % i for i in range(8, 12)] + ['tags.' + 'k' * 40])
    huawei.check_upload_tags(carried.options['tags'])


def test_task_tags_win_over_carried_ones():
    carried = carry_over(dict(tags=[dict(key='env', value='prod')]), 'openstack', tags=dict(env='staging', golden=None))
    assert carried.options['tags'] == ['env=staging', 'golden']


def test_cecloud_refuses_a_format_it_cannot_take():
    carried = carry_over(dict(disk_format='vmdk'), 'cecloud')
    assert [r['option'] for r in carried.required] == ['disk_format'] and 'disk_format' not in carried.options


def test_arm_bios_is_asked_for_not_changed():
    carried = carry_over(dict(cpu_arch='arm', boot_mode='BIOS', min_disk=40), 'huaweicloud', params=AKSK)
    assert [r['option'] for r in carried.required] == ['boot_mode']


def test_module_tags_and_derived_fields_are_not_carried():
    assert 'tags' not in metadata_of('huaweicloud', huawei_view(huawei_model.new_image(
        'p' * 32, 'r', 'n', _kv_tags=[{'key': huawei.SOURCE_MD5_TAG, 'value': 'c' * 32}])))
    record = dict(glance_source(), deprecated=True, hidden=False, scope='private', replaced_by=None)
    assert set(metadata_of('openstack', record)['properties']) == {'hw_machine_type'}


def test_a_provider_without_a_mapping_refuses():
    class Plain(_backend.Backend):
        name = 'plain'
    with pytest.raises(ImsValidationError, match='The plain provider cannot read an image'):
        Plain.image_metadata({})
    with pytest.raises(ImsValidationError, match='The plain provider cannot take an image'):
        Plain.upload_metadata({}, {})
