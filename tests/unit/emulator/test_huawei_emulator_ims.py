"""The Huawei emulator's IMS writes through real HTTP, signed by huaweicloudsdkcore: members, update,
delete, copy in and across regions, export to OBS, the other create endpoints, Glance, tags, quota."""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from tests.unit.emulator.test_huawei_emulator import OTHER_REGION, REGION, s3_client, stage_object


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def one_image(client, image_id):
    images = client.ok('GET', '/v2/cloudimages', params={'id': image_id})['images']
    return images[0] if images else None


def imported(huawei, name='base', client=None):
    """An active image imported from OBS; returns its id."""
    client = client or huawei.client()
    job = client.wait_job(client.ok('POST', '/v2/cloudimages/action', json_body={
        'name': name, 'image_url': stage_object(huawei, body=b'disk-bytes-' * 64), 'min_disk': 40,
        'os_version': 'Ubuntu 22.04 server 64bit'})['job_id'])
    assert job['status'] == 'SUCCESS', job
    return job['entities']['image_id']


def error_code(resp):
    return resp.status_code, resp.json()['error']['code']


# ---------------------------------------------------------------- members

def test_share_flow_pending_accepted_rejected(huawei):
    image_id = huawei.seed_images(count=1, prefix='shared-')[0]
    owner, recipient = huawei.client(), huawei.client('recipient')
    target = huawei.recipient.projects[REGION]
    job = owner.wait_job(owner.ok('POST', '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': [target]})['job_id'])
    assert job['job_type'] == 'imsAddImageMembersJob'
    assert job['entities']['results'] == [{'image_id': image_id, 'project_id': target, 'status': 'success'}]
    members = owner.ok('GET', f'/v1/{owner.project_id}/cloudimages/{image_id}/members')
    assert [(m['member_id'], m['status']) for m in members['members']] == [(target, 'pending')]
    assert members['page_info'] == {'next_marker': None, 'current_count': 1}
    assert one_image(owner, image_id)['__imagetype'] == 'shared'

    def listed(status=None):
        params = {'__imagetype': 'shared', 'visibility': 'shared'}
        if status:
            params['member_status'] = status
        return [i['id'] for i in recipient.ok('GET', '/v2/cloudimages', params=params)['images']]
    assert listed() == [] and listed('pending') == [image_id]
    body = {'images': [image_id], 'project_id': target, 'status': 'accepted'}
    job = recipient.wait_job(recipient.ok('PUT', '/v1/cloudimages/members', json_body=body)['job_id'])
    assert job['job_type'] == 'imsUpdateImageMembersJob' and job['status'] == 'SUCCESS'
    assert listed() == [image_id] and listed('pending') == []
    recipient.wait_job(recipient.ok('PUT', '/v1/cloudimages/members', json_body=dict(body, status='rejected'))['job_id'])
    assert listed() == [] and listed('rejected') == [image_id]
    shown = recipient.ok('GET', f'/v1/{recipient.project_id}/cloudimages/{image_id}/members/{target}')
    assert shown['status'] == 'rejected'
    owner.wait_job(owner.request('DELETE', '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': [target]}).json()['job_id'])
    assert huawei.members(image_id) == [] and listed('rejected') == []


def test_member_changes_are_not_applied_before_the_job_runs(huawei):
    huawei.set_switches(transition_seconds=1.0)
    image_id = huawei.seed_images(count=1)[0]
    owner = huawei.client()
    job_id = owner.ok('POST', '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': [huawei.recipient.projects[REGION]]})['job_id']
    assert huawei.members(image_id) == []
    assert owner.wait_job(job_id)['status'] == 'SUCCESS'
    assert len(huawei.members(image_id)) == 1


@pytest.mark.parametrize('case, code', [('own project', 'IMG.0076'), ('public image', 'IMG.0106'), ('not mine', 'IMG.0027'),
                                        ('bad project', 'IMG.0001'), ('no projects', 'IMG.0001')])
def test_bad_shares_start_no_job(huawei, case, code):
    mine = huawei.seed_images(count=1)[0]
    theirs = huawei.seed_images(tenant='recipient', count=1)[0]
    gold = huawei.client().ok('GET', '/v2/cloudimages', params={'__imagetype': 'gold', 'limit': '1'})['images'][0]['id']
    body = {'own project': {'images': [mine], 'projects': [huawei.owner.projects[REGION]]},
            'public image': {'images': [gold], 'projects': [huawei.recipient.projects[REGION]]},
            'not mine': {'images': [theirs], 'projects': [huawei.recipient.projects[REGION]]},
            'bad project': {'images': [mine], 'projects': ['nope']},
            'no projects': {'images': [mine], 'projects': []}}[case]
    assert error_code(huawei.client().request('POST', '/v1/cloudimages/members', json_body=body)) == (400, code)
    assert huawei.jobs() == [] and huawei.members() == []


def test_accepting_an_image_not_shared_and_for_another_project(huawei):
    image_id = huawei.seed_images(count=1)[0]
    recipient = huawei.client('recipient')
    body = {'images': [image_id], 'project_id': recipient.project_id, 'status': 'accepted'}
    assert error_code(recipient.request('PUT', '/v1/cloudimages/members', json_body=body)) == (400, 'IMG.0027')
    other = dict(body, project_id=huawei.owner.projects[REGION])
    assert error_code(recipient.request('PUT', '/v1/cloudimages/members', json_body=other)) == (400, 'IMG.0030')
    assert huawei.jobs() == []


def test_member_list_pages_with_marker(huawei):
    image_id = huawei.seed_images(count=1)[0]
    owner = huawei.client()
    projects = [f'{i:032x}' for i in range(1, 6)]
    owner.wait_job(owner.ok('POST', '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': projects})['job_id'])
    seen, marker = [], None
    while True:
        params = {'limit': '2'} if marker is None else {'limit': '2', 'marker': marker}
        page = owner.ok('GET', f'/v1/{owner.project_id}/cloudimages/{image_id}/members', params=params)
        seen += [m['member_id'] for m in page['members']]
        marker = page['page_info']['next_marker']
        if marker is None:
            break
    assert sorted(seen) == projects


def test_glance_member_api_is_synchronous(huawei):
    image_id = huawei.seed_images(count=1)[0]
    owner, recipient = huawei.client(), huawei.client('recipient')
    target = huawei.recipient.projects[REGION]
    assert owner.ok('POST', f'/v2/images/{image_id}/members', json_body={'member': target})['status'] == 'pending'
    assert recipient.ok('PUT', f'/v2/images/{image_id}/members/{target}', json_body={'status': 'accepted'})['status'] == 'accepted'
    assert [m['status'] for m in owner.ok('GET', f'/v2/images/{image_id}/members')['members']] == ['accepted']
    assert owner.request('DELETE', f'/v2/images/{image_id}/members/{target}').status_code == 204
    assert huawei.jobs() == [] and huawei.members() == []


# ---------------------------------------------------------------- update and delete

def test_patch_replace_of_an_unset_attribute_is_img_0035_then_add_works(huawei):
    image_id = huawei.seed_images(count=1)[0]
    client = huawei.client()
    replace = [{'op': 'replace', 'path': '/__description', 'value': 'first'}]
    assert error_code(client.request('PATCH', f'/v2/cloudimages/{image_id}', json_body=replace)) == (400, 'IMG.0035')
    updated = client.ok('PATCH', f'/v2/cloudimages/{image_id}', json_body=[dict(replace[0], op='add')])
    assert updated['__description'] == 'first'
    three = [dict(replace[0], value='second'), {'op': 'replace', 'path': '/name', 'value': 'renamed'},
             {'op': 'add', 'path': '/min_ram', 'value': 1024}]
    updated = client.ok('PATCH', f'/v2/cloudimages/{image_id}', json_body=three)
    assert (updated['__description'], updated['name'], updated['min_ram']) == ('second', 'renamed', 1024)
    removed = client.ok('PATCH', f'/v2/cloudimages/{image_id}', json_body=[{'op': 'remove', 'path': '/__description'}])
    assert '__description' not in removed


@pytest.mark.parametrize('operations, code', [
    ([{'op': 'replace', 'path': '/name', 'value': ' bad'}], 'IMG.0003'),
    ([{'op': 'replace', 'path': '/status', 'value': 'active'}], 'IMG.0001'),
    ([{'op': 'move', 'path': '/name', 'value': 'x'}], 'IMG.0001'),
    ([{'op': 'add', 'path': '/hw_firmware_type', 'value': 'efi'}], 'IMG.0141'),
])
def test_bad_patches_change_nothing(huawei, operations, code):
    image_id = huawei.seed_images(count=1, prefix='keep-')[0]
    assert error_code(huawei.client().request('PATCH', f'/v2/cloudimages/{image_id}', json_body=operations)) == (400, code)
    assert huawei.images(name='keep-00000')[0]['updated_at'] == huawei.images(name='keep-00000')[0]['created_at']


def test_patch_needs_an_active_image_of_ones_own(huawei):
    queued = huawei.seed_images(count=1, status='queued')[0]
    theirs = huawei.seed_images(tenant='recipient', count=1)[0]
    body = [{'op': 'add', 'path': '/__description', 'value': 'x'}]
    assert error_code(huawei.client().request('PATCH', f'/v2/cloudimages/{queued}', json_body=body)) == (400, 'IMG.0046')
    assert error_code(huawei.client().request('PATCH', f'/v2/cloudimages/{theirs}', json_body=body)) == (400, 'IMG.0027')


def test_glance_patch_dialects(huawei):
    image_id = huawei.seed_images(count=1)[0]
    client = huawei.client()
    v21 = client.request('PATCH', f'/v2/images/{image_id}', data=b'[{"op": "replace", "path": "/name", "value": "g21"}]',
                         content_type='application/openstack-images-v2.1-json-patch')
    assert v21.status_code == 200 and v21.json()['name'] == 'g21'
    v20 = client.request('PATCH', f'/v2/images/{image_id}', data=b'[{"add": "/description", "value": "d"}]',
                         content_type='application/openstack-images-v2.0-json-patch')
    assert v20.status_code == 200 and v20.json()['__description'] == 'd'
    plain = client.request('PATCH', f'/v2/images/{image_id}', json_body=[])
    assert plain.status_code == 415


@pytest.mark.parametrize('reading', ['documented', 'any'])
def test_glance_patch_takes_name_description_and_custom_attributes_or_any_lower_case_one(huawei, reading):
    huawei.set_switches(glance_patch=reading)
    image_id = huawei.seed_images(count=1)[0]
    client = huawei.client()

    def patch(path, value):
        body = json.dumps([{'op': 'add', 'path': path, 'value': value}]).encode('utf-8')
        return client.request('PATCH', f'/v2/images/{image_id}', data=body, content_type='application/openstack-images-v2.1-json-patch')
    for path, value in (('/name', 'renamed'), ('/description', 'd'), ('/build_id', '42')):
        assert patch(path, value).status_code == 200, path
    for path, value in (('/min_ram', '1024'), ('/hw_firmware_type', 'uefi'), ('/enterprise_project_id', '0')):
        resp = patch(path, value)
        if reading == 'documented':
            assert error_code(resp) == (400, 'IMG.0001'), path
        else:
            assert resp.status_code == 200, (path, resp.text)
    assert error_code(patch('/status', 'active')) == (400, 'IMG.0001')     # never, in either reading


@pytest.mark.parametrize('reading', [40, 1])
def test_min_disk_of_a_file_import_follows_the_setting_import_min_disk(huawei, reading):
    huawei.set_switches(import_min_disk=reading)
    client = huawei.client()
    body = {'name': 'small', 'image_url': stage_object(huawei), 'min_disk': 20}
    resp = client.request('POST', '/v2/cloudimages/action', json_body=body)
    if reading == 40:
        assert error_code(resp) == (400, 'IMG.0055') and 'from 40 to 1024' in resp.text
    else:
        assert resp.status_code == 200, resp.text
    quick = dict(body, name='quick', image_url=stage_object(huawei, key='disk.raw'), os_version='Ubuntu 22.04 server 64bit')
    assert client.request('POST', '/v2/cloudimages/quickimport/action', json_body=quick).status_code == 200   # 1-1024


@pytest.mark.parametrize('reading', ['refuse', 'uefi'])
def test_an_arm_image_with_bios_is_refused_or_made_uefi_as_the_setting_says(huawei, reading):
    huawei.set_switches(arm_bios=reading)
    client = huawei.client()
    body = {'name': 'arm', 'image_url': stage_object(huawei), 'min_disk': 40, 'architecture': 'arm', 'hw_firmware_type': 'bios'}
    resp = client.request('POST', '/v2/cloudimages/action', json_body=body)
    if reading == 'refuse':
        assert error_code(resp) == (400, 'IMG.0141')
        del body['hw_firmware_type']
        resp = client.request('POST', '/v2/cloudimages/action', json_body=body)
    job = client.wait_job(resp.json()['job_id'])
    image = one_image(client, job['entities']['image_id'])
    assert (image['__support_arm'], image['hw_firmware_type']) == ('true', 'uefi')
    to_bios = [{'op': 'replace', 'path': '/hw_firmware_type', 'value': 'bios'}]
    resp = client.request('PATCH', f"/v2/cloudimages/{image['id']}", json_body=to_bios)
    if reading == 'refuse':
        assert error_code(resp) == (400, 'IMG.0141')
    else:
        assert resp.status_code == 200 and resp.json()['hw_firmware_type'] == 'uefi'
    assert one_image(client, image['id'])['hw_firmware_type'] == 'uefi'


def test_delete_answers_204_and_the_image_disappears_later(huawei):
    huawei.set_switches(transition_seconds=1.0)
    image_id = huawei.seed_images(count=1)[0]
    client = huawei.client()
    resp = client.request('DELETE', f'/v2/images/{image_id}')
    assert resp.status_code == 204 and resp.content == b''
    assert one_image(client, image_id)['status'] == 'deleted'
    wait_until(lambda: one_image(client, image_id) is None)
    assert huawei.images() == []


@pytest.mark.parametrize('case, code', [('protected', 'IMG.0028'), ('public', 'IMG.0094'), ('theirs', 'IMG.0027'),
                                        ('shared with me', 'IMG.0092')])
def test_deletes_that_are_refused(huawei, case, code):
    client = huawei.client('recipient')
    if case == 'public':
        image_id = client.ok('GET', '/v2/cloudimages', params={'__imagetype': 'gold', 'limit': '1'})['images'][0]['id']
    elif case == 'protected':
        image_id = huawei.seed_images(tenant='recipient', count=1, protected=True)[0]
    else:
        image_id = huawei.seed_images(count=1)[0]
        if case == 'shared with me':
            owner = huawei.client()
            owner.wait_job(owner.ok('POST', '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': [client.project_id]})['job_id'])
    resp = client.request('DELETE', f'/v2/images/{image_id}')
    assert resp.status_code in (400, 404) and resp.json()['error']['code'] == code


def test_an_image_being_created_cannot_be_deleted(huawei):
    huawei.set_switches(transition_seconds=1.0)
    client = huawei.client()
    job_id = client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'busy', 'image_url': stage_object(huawei), 'min_disk': 40})['job_id']
    wait_until(lambda: huawei.images(name='busy'))
    assert error_code(client.request('DELETE', f"/v2/images/{huawei.images(name='busy')[0]['id']}")) == (400, 'IMG.0090')
    client.wait_job(job_id)


# ---------------------------------------------------------------- copy

def test_copy_in_region_copies_the_bytes(huawei):
    source = imported(huawei)
    client = huawei.client()
    job = client.wait_job(client.ok('POST', f'/v1/cloudimages/{source}/copy', json_body={'name': 'copy', 'description': 'c'})['job_id'])
    assert job['job_type'] == 'imsCopyImageInRegionJob' and job['status'] == 'SUCCESS'
    copy = one_image(client, job['entities']['image_id'])
    assert (copy['name'], copy['__originalimagename'], copy['__description']) == ('copy', source, 'c')
    assert copy['__os_version'] == 'Ubuntu 22.04 server 64bit'


def test_a_recipient_copies_an_accepted_share_only(huawei):
    source = imported(huawei)
    owner, recipient = huawei.client(), huawei.client('recipient')
    owner.wait_job(owner.ok('POST', '/v1/cloudimages/members', json_body={'images': [source], 'projects': [recipient.project_id]})['job_id'])
    assert error_code(recipient.request('POST', f'/v1/cloudimages/{source}/copy', json_body={'name': 'mine'})) == (400, 'IMG.0196')
    recipient.wait_job(recipient.ok('PUT', '/v1/cloudimages/members', json_body={
        'images': [source], 'project_id': recipient.project_id, 'status': 'accepted'})['job_id'])
    job = recipient.wait_job(recipient.ok('POST', f'/v1/cloudimages/{source}/copy', json_body={'name': 'mine'})['job_id'])
    assert one_image(recipient, job['entities']['image_id'])['owner'] == recipient.project_id


def test_cross_region_copy_job_lives_in_the_source_region(huawei):
    source = imported(huawei)
    north, east = huawei.client(region=REGION), huawei.client(region=OTHER_REGION)
    body = {'name': 'east-copy', 'region': OTHER_REGION, 'project_name': OTHER_REGION, 'agency_name': 'ims_admin_agency'}
    job_id = north.ok('POST', f'/v1/cloudimages/{source}/cross_region_copy', json_body=body)['job_id']
    assert east.request('GET', f'/v1/{east.project_id}/jobs/{job_id}').status_code == 404
    job = north.wait_job(job_id)
    assert job['status'] == 'SUCCESS'
    copied = one_image(east, job['entities']['image_id'])
    assert (copied['name'], copied['owner'], copied['status']) == ('east-copy', huawei.owner.projects[OTHER_REGION], 'active')
    assert one_image(north, job['entities']['image_id']) is None
    assert [i['_region'] for i in huawei.images(name='east-copy')] == [OTHER_REGION]


@pytest.mark.parametrize('change, code', [({'region': REGION}, 'IMG.0001'), ({'region': 'xx-nowhere-1'}, 'IMG.0001'),
                                          ({'project_name': 'cn-east-3_x'}, 'IMG.0145'), ({'agency_name': ''}, 'IMG.0001'),
                                          ({'name': ''}, 'IMG.0013')])
def test_bad_cross_region_copies(huawei, change, code):
    source = huawei.seed_images(count=1)[0]
    body = dict({'name': 'c', 'region': OTHER_REGION, 'project_name': OTHER_REGION, 'agency_name': 'a'}, **change)
    assert error_code(huawei.client().request('POST', f'/v1/cloudimages/{source}/cross_region_copy', json_body=body)) == (400, code)
    assert huawei.jobs() == []


# ---------------------------------------------------------------- export, register, other creates

def test_export_writes_the_image_bytes_to_obs(huawei):
    source = imported(huawei)
    client = huawei.client()
    s3 = s3_client(huawei)
    s3.create_bucket(Bucket='exports')
    job = client.wait_job(client.ok('POST', f'/v1/cloudimages/{source}/file', json_body={
        'bucket_url': 'exports:out/base.qcow2', 'file_format': 'qcow2'})['job_id'])
    assert (job['job_type'], job['status'], job['entities']['image_id']) == ('imsNativeExportImageJob', 'SUCCESS', source)
    assert s3.get_object(Bucket='exports', Key='out/base.qcow2')['Body'].read() == b'disk-bytes-' * 64
    again = client.wait_job(client.ok('POST', f'/v1/cloudimages/{source}/file', json_body={
        'bucket_url': 'exports:out/base.qcow2', 'file_format': 'qcow2'})['job_id'])
    assert (again['status'], again['error_code']) == ('FAIL', 'IMG.0070')
    missing = client.wait_job(client.ok('POST', f'/v1/cloudimages/{source}/file', json_body={
        'bucket_url': 'no-such-bucket:x.vhd', 'is_quick_export': True})['job_id'])
    assert (missing['status'], missing['error_code']) == ('FAIL', 'IMG.0069')


@pytest.mark.parametrize('body, code', [({'bucket_url': 'bkt:k', 'file_format': 'iso'}, 'IMG.0072'),
                                        ({'bucket_url': 'b', 'file_format': 'qcow2'}, 'IMG.0017'),
                                        ({'bucket_url': 'bkt:with space', 'file_format': 'qcow2'}, 'IMG.0175')])
def test_bad_exports(huawei, body, code):
    source = huawei.seed_images(count=1)[0]
    assert error_code(huawei.client().request('POST', f'/v1/cloudimages/{source}/file', json_body=body)) == (400, code)


def test_register_an_obs_file_into_glance_metadata(huawei):
    client = huawei.client()
    created = client.request('POST', '/v2/images', json_body={'name': 'meta', 'disk_format': 'qcow2', 'min_disk': 40})
    assert created.status_code == 201 and created.json()['status'] == 'queued' and created.json()['properties'] == {}
    image_id = created.json()['id']
    job = client.wait_job(client.ok('PUT', f'/v1/cloudimages/{image_id}/upload', json_body={'image_url': stage_object(huawei)})['job_id'])
    assert job['job_type'] == 'imsNativeImportImageJob' and job['entities']['image_id'] == image_id
    assert one_image(client, image_id)['status'] == 'active'
    second = client.request('PUT', f'/v1/cloudimages/{image_id}/upload', json_body={'image_url': stage_object(huawei)})
    assert error_code(second) == (400, 'IMG.0046')


def test_glance_upload_with_a_token_streams_large_bodies(huawei):
    client = huawei.client(token=huawei.login('owner'))
    image_id = client.ok('POST', '/v2/images', expect=201, json_body={'name': 'direct', 'disk_format': 'raw'})['id']
    payload = b'\x01' * (13 * 1024 * 1024)
    resp = client.request('PUT', f'/v2/images/{image_id}/file', data=payload, content_type='application/octet-stream')
    assert resp.status_code == 204, resp.text
    wait_until(lambda: one_image(client, image_id)['status'] == 'active')
    assert one_image(client, image_id)['__image_size'] == str(len(payload))
    again = client.request('PUT', f'/v2/images/{image_id}/file', data=b'x', content_type='application/octet-stream')
    assert error_code(again) == (409, 'IMG.0046')


def test_after_the_put_the_image_is_saving_then_active_and_reports_no_checksum(huawei):
    huawei.set_switches(transition_seconds=1)
    client = huawei.client(token=huawei.login('owner'))
    image_id = client.ok('POST', '/v2/images', expect=201, json_body={'name': 'direct-small', 'disk_format': 'raw'})['id']
    resp = client.request('PUT', f'/v2/images/{image_id}/file', data=b'\x02' * 4096, content_type='application/octet-stream')
    assert resp.status_code == 204 and resp.content == b''
    assert one_image(client, image_id)['status'] == 'saving'     # PUT /v2/images/{id}/file: 204, then poll until active
    wait_until(lambda: one_image(client, image_id)['status'] == 'active')
    assert one_image(client, image_id)['checksum'] == ''        # IMS: checksum unused


def test_a_token_upload_of_2_gib_or_more_is_refused_before_its_body_is_read(huawei):
    client = huawei.client(token=huawei.login('owner'))
    image_id = client.ok('POST', '/v2/images', expect=201, json_body={'name': 'direct-huge', 'disk_format': 'raw'})['id']
    url = urlsplit(client.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest('PUT', f'/v2/images/{image_id}/file')
        for name, value in (('X-Auth-Token', client.token), ('Content-Type', 'application/octet-stream'),
                            ('Content-Length', str(2 * 1024 ** 3))):
            connection.putheader(name, value)
        connection.endheaders()
        resp = connection.getresponse()
        assert resp.status == 413 and json.loads(resp.read())['error_code'] == 'APIGW.0201'
    finally:
        connection.close()
    assert huawei.images(name='direct-huge')[0]['status'] == 'queued'


def test_the_metadata_create_takes_tags_of_1_to_255_characters(huawei):
    client = huawei.client()
    made = client.ok('POST', '/v2/images', expect=201, json_body={'name': 'tagged', 'tags': ['a=b', 'x' * 255]})
    assert made['tags'] == ['a=b', 'x' * 255]
    for tags in (['x' * 256], [''], [1], 'a=b'):
        assert error_code(client.request('POST', '/v2/images', json_body={'name': 'bad-tags', 'tags': tags})) == (400, 'IMG.0115')
    assert huawei.images(name='bad-tags') == []


def test_aksk_signed_bodies_above_12_mb_are_refused(huawei):
    client = huawei.client()
    image_id = client.ok('POST', '/v2/images', expect=201, json_body={'name': 'big'})['id']
    resp = client.request('PUT', f'/v2/images/{image_id}/file', data=b'\x00' * (12 * 1024 * 1024 + 1), content_type='application/octet-stream')
    assert resp.status_code == 413 and resp.json()['error_code'] == 'APIGW.0201'
    assert huawei.images(name='big')[0]['status'] == 'queued'


def test_quick_import_takes_raw_or_zvhd2_only(huawei):
    client = huawei.client()
    body = {'name': 'quick', 'image_url': stage_object(huawei, key='disk.raw'), 'min_disk': 40, 'os_version': 'CentOS 7.9 64bit'}
    job = client.wait_job(client.ok('POST', '/v2/cloudimages/quickimport/action', json_body=body)['job_id'])
    assert job['status'] == 'SUCCESS' and one_image(client, job['entities']['image_id'])['disk_format'] == 'raw'
    qcow = dict(body, image_url=stage_object(huawei, key='disk.qcow2'))
    assert error_code(client.request('POST', '/v2/cloudimages/quickimport/action', json_body=qcow)) == (400, 'IMG.0057')
    no_os = {k: v for k, v in body.items() if k != 'os_version'}
    assert error_code(client.request('POST', '/v2/cloudimages/quickimport/action', json_body=no_os)) == (400, 'IMG.0056')
    data = dict(no_os, type='DataImage', name='quick-data')
    job = client.wait_job(client.ok('POST', '/v2/cloudimages/quickimport/action', json_body=data)['job_id'])
    assert one_image(client, job['entities']['image_id'])['virtual_env_type'] == 'DataImage'


def test_data_image_from_obs(huawei):
    client = huawei.client()
    body = {'name': 'data', 'image_url': stage_object(huawei), 'min_disk': 100, 'os_type': 'Linux'}
    job = client.wait_job(client.ok('POST', '/v1/cloudimages/dataimages/action', json_body=body)['job_id'])
    assert job['job_type'] == 'imsImportDataImageJob'
    assert one_image(client, job['entities']['image_id'])['virtual_env_type'] == 'DataImage'
    assert error_code(client.request('POST', '/v1/cloudimages/dataimages/action', json_body=dict(body, min_disk=20))) == (400, 'IMG.0055')


def test_whole_images_from_a_server_and_a_cbr_backup(huawei):
    state = huawei.state()
    project = huawei.owner.projects[REGION]
    backup = [b for b in state['backups'] if b['project'] == project][0]
    plain_server = [s for s in state['servers'] if s['project'] == project and s['id'] != backup['server']][0]
    client = huawei.client()
    job = client.wait_job(client.ok('POST', '/v1/cloudimages/wholeimages/action', json_body={
        'name': 'whole-cbr', 'backup_id': backup['id'], 'whole_image_type': 'CBR'})['job_id'])
    assert job['job_type'] == 'imsCreateWholeImageByBackupJob'
    whole = one_image(client, job['entities']['image_id'])
    assert whole['__whole_image'] is True and whole['__backup_id'] == backup['id']
    job = client.wait_job(client.ok('POST', '/v1/cloudimages/wholeimages/action', json_body={
        'name': 'whole-ecs', 'instance_id': plain_server['id']})['job_id'])
    assert job['job_type'] == 'imsCreateWholeImageByInstanceJob' and job['status'] == 'SUCCESS'
    needs_vault = client.request('POST', '/v1/cloudimages/wholeimages/action', json_body={'name': 'w', 'instance_id': backup['server']})
    assert error_code(needs_vault) == (400, 'IMG.0185')
    twice = client.request('POST', '/v1/cloudimages/wholeimages/action', json_body={'name': 'w2', 'backup_id': backup['id'], 'whole_image_type': 'CBR'})
    assert error_code(twice) == (400, 'IMG.0001')
    assert error_code(client.request('POST', f"/v1/cloudimages/{whole['id']}/copy", json_body={'name': 'c'})) == (400, 'IMG.0130')


# ---------------------------------------------------------------- tags, quota, versions

def test_key_value_tags(huawei):
    image_id = huawei.seed_images(count=1)[0]
    client = huawei.client()
    base = f'/v2/{client.project_id}/images/{image_id}/tags'
    assert client.request('POST', base, json_body={'tag': {'key': 'env', 'value': 'prod'}}).status_code == 204
    assert client.request('POST', base + '/action', json_body={'action': 'create', 'tags': [{'key': 'team', 'value': 'a'}]}).status_code == 204
    assert sorted(t['key'] for t in client.ok('GET', base)['tags']) == ['env', 'team']
    assert [i['id'] for i in client.ok('GET', '/v2/cloudimages', params={'tag': 'env=prod'})['images']] == [image_id]
    assert client.request('DELETE', base + '/env').status_code == 204
    assert client.request('DELETE', base + '/env').status_code == 404
    assert client.ok('GET', f'/v2/{client.project_id}/images/tags')['tags'] == [{'key': 'team', 'values': ['a']}]
    found = client.ok('POST', f'/v2/{client.project_id}/images/resource_instances/action', json_body={
        'action': 'filter', 'tags': [{'key': 'team', 'values': ['a']}], 'limit': '10', 'offset': '0'})
    assert found['total_count'] == 1 and found['resources'][0]['resource_id'] == image_id


def test_quota_counts_private_images(huawei):
    huawei.seed_images(count=3)
    resources = huawei.client().ok('GET', '/v1/cloudimages/quota')['quotas']['resources']
    image = [r for r in resources if r['type'] == 'image'][0]
    assert (image['used'], image['quota']) == (3, 100)
    huawei.set_switches(quota=3)
    resp = huawei.client().request('POST', '/v2/images', json_body={'name': 'over'})
    assert error_code(resp) == (400, 'IMG.0015')


def test_versions_os_versions_and_schemas(huawei):
    client = huawei.client()
    resp = client.request('GET', '/')
    assert resp.status_code == 300 and resp.json()['versions'][0]['status'] == 'CURRENT'
    platforms = client.ok('GET', '/v1/cloudimages/os_version')
    assert isinstance(platforms, list) and any(v['os_version'] == 'CentOS 7.9 64bit' for p in platforms for v in p['version_list'])
    assert client.ok('GET', '/v2/schemas/image')['name'] == 'image'


def test_job_progress_endpoint(huawei):
    client = huawei.client()
    job_id = client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'prog', 'image_url': stage_object(huawei), 'min_disk': 40})['job_id']
    early = client.ok('GET', f'/v1/cloudimages/job/{job_id}')
    assert early['status'] in ('INIT', 'RUNNING') and early['entities']['process_percent'] == 50.0
    client.wait_job(job_id)
    done = client.ok('GET', f'/v1/cloudimages/job/{job_id}')
    assert done['entities']['process_percent'] == 100.0 and done['entities']['image_name'] == 'prog'


def test_glance_list_follows_next_links(huawei):
    huawei.seed_images(count=7, prefix='g-')
    client = huawei.client()
    seen, path, params = [], '/v2/images', {'owner': huawei.owner.projects[REGION], 'limit': '3', 'sort_key': 'name', 'sort_dir': 'asc'}
    while True:
        page = client.ok('GET', path, params=params)
        seen += [i['name'] for i in page['images']]
        if 'next' not in page:
            break
        path, dummy, query = page['next'].partition('?')
        params = [tuple(pair.split('=', 1)) for pair in query.split('&')]
    assert seen == [f'g-{i:05d}' for i in range(7)]


def test_deprecated_glance_v1_endpoints(huawei):
    image_id = huawei.seed_images(count=1, prefix='old-')[0]
    client = huawei.client()
    detail = client.ok('GET', '/v1.1/images/detail', params={'name': 'old-00000'})['images']
    assert [(i['id'], i['deleted'], i['is_public']) for i in detail] == [(image_id, False, False)]
    head = client.request('HEAD', f'/v1/images/{image_id}')
    assert head.status_code == 200 and head.headers['X-Image-Meta-Name'] == 'old-00000' and head.content == b''
    assert client.request('DELETE', f'/v1.1/images/{image_id}').status_code == 204
    assert client.ok('GET', '/v1.1/images/detail', params={'name': 'old-00000'})['images'][0]['deleted'] is True
