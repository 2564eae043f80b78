"""Workspace (ListImages) and Workspace App (ListImageServers) lists of the Huawei emulator, and its fault switches,
through real HTTP signed by huaweicloudsdkcore."""

import pytest
import requests

from tests.emulator.huawei.app import App, parse_args
from tests.unit.emulator.test_huawei_emulator import OTHER_REGION, REGION, stage_object

IMAGE_FIELDS = {'id', 'image_type', 'os_type', 'architecture', 'os_version', 'disk_format', 'name', 'min_ram', 'min_disk',
                'product_code', 'created_at', 'kms_id'}
SERVER_FIELDS = {'id', 'name', 'description', 'image_ref', 'server_group_id', 'app_group_id', 'server_id', 'instance_id',
                 'image_id', 'status', 'authorize_accounts', 'create_time', 'update_time', 'enterprise_project_id'}


def workspace(huawei, tenant='owner', region=REGION, **kwargs):
    return huawei.client(tenant, region=region, service='workspace', **kwargs)


def app(huawei, tenant='owner', region=REGION, **kwargs):
    return huawei.client(tenant, region=region, service='workspaceapp', **kwargs)


# ---------------------------------------------------------------- Workspace product images

def test_250_images_in_three_pages_of_100_with_total_count(huawei):
    huawei.seed_workspace(images=250)
    client = workspace(huawei)
    huawei.clear_requests()
    seen, offset = [], 0
    while True:
        body = client.ok('GET', f'/v2/{client.project_id}/images', params={'limit': '100', 'offset': str(offset)})
        assert body['total_count'] == 250
        seen += [i['id'] for i in body['images']]
        offset += len(body['images'])
        if offset >= body['total_count']:
            break
    assert len(seen) == len(set(seen)) == 250
    assert len(huawei.requests(service='workspace')) == 3


@pytest.mark.parametrize('reading,totals', [('exact', [250, 250, 250, 250]), ('low', [100, 200, 250, 300]),
                                            ('high', [350, 350, 350, 350])])
def test_the_totals_follow_the_setting_workspace_total(huawei, reading, totals):
    huawei.seed_workspace(images=250, servers=300)      # 250 servers in the default enterprise project
    huawei.set_switches(workspace_total=reading)
    for client, path, key in ((workspace(huawei), '/v2/{}/images', 'total_count'), (app(huawei), '/v1/{}/image-servers', 'count')):
        got = [client.ok('GET', path.format(client.project_id), params={'limit': '100', 'offset': str(offset)})[key]
               for offset in (0, 100, 200, 300)]
        assert got == totals, (path, got)


def test_a_reading_outside_its_values_or_an_unknown_switch_is_refused(huawei):
    for body in ({'workspace_total': 'sometimes'}, {'import_min_disk': 20}, {'no_such_switch': 1}, {'quota': -1}, ['quota']):
        assert requests.post(huawei.admin_url + '/_emulator/switches', json=body, timeout=10).status_code == 400, body
    assert huawei.switches()['workspace_total'] == 'exact'


def test_images_have_only_documented_fields_and_default_paging(huawei):
    client = workspace(huawei)
    body = client.ok('GET', f'/v2/{client.project_id}/images')
    assert set(body) == {'images', 'total_count'} and len(body['images']) == body['total_count'] == 12
    assert all(set(i) <= IMAGE_FIELDS for i in body['images'])
    assert any('architecture' not in i for i in body['images']) and any('kms_id' in i for i in body['images'])
    names = [i['name'] for i in body['images']]
    assert names == sorted(names)


@pytest.mark.parametrize('params, check', [
    ({'image_type': 'private'}, lambda i: i['image_type'] == 'private'),
    ({'os_type': 'Windows'}, lambda i: i['os_type'] == 'Windows'),
    ({'architecture': 'arm'}, lambda i: i.get('architecture') == 'arm'),
    ({'platform': 'Kylin'}, lambda i: i['os_version'].startswith('Kylin')),
    ({'package_type': 'workstation'}, lambda i: i['name'].startswith('Windows 10')),
])
def test_image_filters(huawei, params, check):
    huawei.seed_workspace(images=40)
    client = workspace(huawei)
    body = client.ok('GET', f'/v2/{client.project_id}/images', params=params)
    assert body['images'] and all(check(i) for i in body['images']) and body['total_count'] == len(body['images'])
    assert body['total_count'] < 40


def test_image_id_sort_and_limit_zero(huawei):
    client = workspace(huawei)
    path = f'/v2/{client.project_id}/images'
    first = client.ok('GET', path)['images'][0]
    assert [i['id'] for i in client.ok('GET', path, params={'image_id': first['id']})['images']] == [first['id']]
    newest = client.ok('GET', path, params={'sort_field': 'created_at', 'sort_type': 'desc'})['images']
    stamps = [i.get('created_at', '') for i in newest]
    assert stamps == sorted(stamps, reverse=True)
    none = client.ok('GET', path, params={'limit': '0'})
    assert none['images'] == [] and none['total_count'] == 12


@pytest.mark.parametrize('params', [{'limit': '101'}, {'limit': '-1'}, {'offset': '-1'}, {'image_type': 'shared'},
                                    {'sort_field': 'size'}, {'sort_type': 'up'}, {'limit': 'ten'}])
def test_bad_image_queries_get_the_documented_error_body(huawei, params):
    client = workspace(huawei)
    resp = client.request('GET', f'/v2/{client.project_id}/images', params=params)
    assert resp.status_code == 400
    assert set(resp.json()) == {'error_code', 'error_msg', 'error_detail', 'encoded_authorization_message', 'request_id'}


def test_workspace_auth_and_project(huawei):
    client = workspace(huawei)
    client.secret_key = 'wrong'
    resp = client.request('GET', f'/v2/{client.project_id}/images')
    assert resp.status_code == 401 and resp.json()['error_code'] == 'APIGW.0301'
    other = workspace(huawei)
    resp = other.request('GET', f"/v2/{huawei.recipient.projects[REGION]}/images")
    assert resp.status_code == 401
    token = workspace(huawei, token=huawei.login('owner', OTHER_REGION))
    assert token.ok('GET', f'/v2/{huawei.owner.projects[OTHER_REGION]}/images')['total_count'] == 12


# ---------------------------------------------------------------- Workspace App image servers

def test_250_image_servers_in_three_pages_of_100(huawei):
    huawei.seed_workspace(servers=250)
    client = app(huawei)
    default = client.ok('GET', f'/v1/{client.project_id}/image-servers')
    assert len(default['items']) == 10
    total, seen, offset = default['count'], [], 0
    while offset < total:
        body = client.ok('GET', f'/v1/{client.project_id}/image-servers', params={'limit': '100', 'offset': str(offset)})
        seen += [s['id'] for s in body['items']]
        offset += len(body['items'])
    assert len(set(seen)) == total and total < 250  # the servers of other enterprise projects are not counted
    everything = client.ok('GET', f'/v1/{client.project_id}/image-servers', params={'limit': '100', 'enterprise_project_id': '0'})
    assert everything['count'] == total


def test_image_servers_have_every_documented_field(huawei):
    client = app(huawei)
    items = client.ok('GET', f'/v1/{client.project_id}/image-servers', params={'limit': '100'})['items']
    assert all(set(s) == SERVER_FIELDS for s in items)
    assert all(set(s['image_ref']) == {'id', 'image_type', 'spce_code', 'product_id'} for s in items)
    assert {s['status'] for s in items} >= {'ACTIVE', 'BUILDING', 'BUILT', 'CREATING', 'ERROR', 'NULL'}
    built = [s for s in items if s['status'] == 'BUILT'][0]
    creating = [s for s in items if s['status'] == 'CREATING'][0]
    assert built['image_id'] and creating['server_id'] == creating['instance_id'] == creating['image_id'] == ''
    groups = [a for s in items for a in s['authorize_accounts'] if a['account_type'] == 'USER_GROUP']
    assert groups and groups[0]['domain']


def test_image_server_filters(huawei):
    huawei.seed_workspace(servers=30)
    client = app(huawei)
    path = f'/v1/{client.project_id}/image-servers'
    partial = client.ok('GET', path, params={'server_name': 'build-win', 'limit': '100'})
    assert partial['count'] > 0 and all('build-win' in s['name'] for s in partial['items'])
    one = partial['items'][0]
    assert [s['id'] for s in client.ok('GET', path, params={'server_id': one['id']})['items']] == [one['id']]
    default = client.ok('GET', path, params={'limit': '100'})
    assert all(s['enterprise_project_id'] == '0' for s in default['items'])
    (other,) = huawei.state()['workspace']['enterprise_projects'][client.project_id]
    in_other = client.ok('GET', path, params={'limit': '100', 'enterprise_project_id': other})
    assert in_other['count'] == 30 - default['count'] and all(s['enterprise_project_id'] == other for s in in_other['items'])


@pytest.mark.parametrize('params', [{'limit': '0'}, {'limit': '101'}, {'offset': '-1'}])
def test_bad_image_server_queries(huawei, params):
    client = app(huawei)
    resp = client.request('GET', f'/v1/{client.project_id}/image-servers', params=params)
    assert resp.status_code == 400 and set(resp.json()) == {'error_code', 'error_msg', 'request_id'}


# ---------------------------------------------------------------- fault switches

def test_error_before_the_change_creates_nothing(huawei):
    huawei.set_faults(rules=[{'method': 'POST', 'path': '^/v2/cloudimages/action$', 'action': 'status', 'status': 500}])
    resp = huawei.client().request('POST', '/v2/cloudimages/action', json_body={'name': 'x', 'image_url': stage_object(huawei), 'min_disk': 40})
    assert resp.status_code == 500 and resp.json()['error_code'] == 'APIGW.0203'
    assert huawei.jobs() == [] and huawei.requests()[-1]['fault'] == 'status'


def test_error_after_the_change_hides_the_job(huawei):
    huawei.set_faults(rules=[{'method': 'POST', 'path': '^/v1/cloudimages/members$', 'action': 'error_after', 'status': 503}])
    image_id = huawei.seed_images(count=1)[0]
    resp = huawei.client().request('POST', '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': [huawei.recipient.projects[REGION]]})
    assert resp.status_code == 503
    assert [j['job_type'] for j in huawei.jobs()] == ['imsAddImageMembersJob']


def test_dropped_reply_after_the_change(huawei):
    huawei.set_faults(rules=[{'method': 'POST', 'path': 'action$', 'action': 'drop_after'}])
    with pytest.raises(requests.ConnectionError):
        huawei.client().request('POST', '/v2/cloudimages/action', json_body={'name': 'lost', 'image_url': stage_object(huawei), 'min_disk': 40})
    assert len(huawei.jobs()) == 1


def test_throttling_is_apigw_0308(huawei):
    huawei.set_faults(rules=[{'path': '^/v2/cloudimages$', 'action': 'status', 'status': 429}])
    resp = huawei.client().request('GET', '/v2/cloudimages')
    assert resp.status_code == 429 and resp.json()['error_code'] == 'APIGW.0308'


def test_a_rule_can_target_one_region_and_counts_down(huawei):
    huawei.set_faults(rules=[{'service': f'ims:{OTHER_REGION}', 'path': '^/v2/cloudimages$', 'action': 'status', 'status': 502, 'count': 2}])
    assert huawei.client(region=REGION).request('GET', '/v2/cloudimages').status_code == 200
    east = huawei.client(region=OTHER_REGION)
    assert [east.request('GET', '/v2/cloudimages').status_code for dummy in range(3)] == [502, 502, 200]


def test_latency_and_job_poll_failures(huawei):
    huawei.set_faults(rules=[{'path': '/jobs/', 'action': 'status', 'status': 503, 'count': 3}])
    client = huawei.client()
    job_id = client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'p', 'image_url': stage_object(huawei), 'min_disk': 40})['job_id']
    codes = [client.request('GET', f'/v1/{client.project_id}/jobs/{job_id}').status_code for dummy in range(4)]
    assert codes == [503, 503, 503, 200]
    huawei.set_faults(latency_ms=50)
    assert client.wait_job(job_id)['status'] == 'SUCCESS'
    assert huawei.faults()['latency_ms'] == 50


def test_switches_given_at_the_start_are_what_a_reset_restores():
    app = App(regions=[REGION], transition=0.1,
              switches=dict(parse_args(['--switch', 'workspace_total=low', '--switch', 'import_min_disk=1']).switches))
    app.start()
    try:
        url = app.servers['iam'].url + '/_emulator/'
        assert requests.post(url + 'switches', json={'workspace_total': 'exact', 'arm_bios': 'uefi'}, timeout=10).ok
        assert requests.post(url + 'reset', timeout=10).ok
        got = requests.get(url + 'switches', timeout=10).json()
        assert (got['workspace_total'], got['import_min_disk'], got['arm_bios'], got['transition_seconds']) == ('low', 1, 'refuse', 0.1)
    finally:
        app.stop()
