"""The Huawei emulator through real HTTP, signed by huaweicloudsdkcore's own signer.

Gateway auth, IAM, the /v2/cloudimages listing, image-creating jobs.  Each test starts from a
reset service (the ``huawei`` fixture).
"""

import datetime
import time

import boto3
import pytest
import requests

from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.signer import SdkHmacSha256Auth

REGION = 'cn-north-4'
OTHER_REGION = 'cn-east-3'


def s3_client(stack, tenant='owner'):
    data = stack.tenant(tenant)
    return boto3.client('s3', endpoint_url=stack.obs_url, aws_access_key_id=data.access_key,
                        aws_secret_access_key=data.secret_key, region_name='us-east-1')


def stage_object(stack, bucket='staging', key='disk.qcow2', body=b'qcow2 bytes ' * 100):
    client = s3_client(stack)
    try:
        client.create_bucket(Bucket=bucket)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    client.put_object(Bucket=bucket, Key=key, Body=body)
    return f'{bucket}:{key}'


def observe_job(client, job_id, image_name, timeout=60):
    """Poll the job and the image of that name until the job ends: the distinct (job, image) states seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        job = client.ok('GET', f'/v1/{client.project_id}/jobs/{job_id}')
        images = client.ok('GET', '/v2/cloudimages', params={'name': image_name})['images']
        state = (job['status'], images[0]['status'] if images else None)
        if not seen or seen[-1] != state:
            seen.append(state)
        if job['status'] in ('SUCCESS', 'FAIL'):
            return job, seen
        assert time.monotonic() < deadline, seen
        time.sleep(0.02)


def assert_gateway_401(resp, message):
    assert resp.status_code == 401, resp.text
    body = resp.json()
    assert body['error_code'] == 'APIGW.0301'
    assert body['error_msg'] == f'Incorrect IAM authentication information: {message}'
    assert body['request_id'] == resp.headers['X-Request-Id']


# ---------------------------------------------------------------- gateway auth

def test_sdk_signed_request_is_accepted_with_request_id(huawei):
    resp = huawei.client().request('GET', '/v2/cloudimages', params=[('__imagetype', 'gold'), ('name', 'CentOS 7.9 64bit')])
    assert resp.status_code == 200, resp.text
    assert [i['name'] for i in resp.json()['images']] == ['CentOS 7.9 64bit']
    assert len(resp.headers['X-Request-Id']) == 32


def test_the_collection_signer_is_accepted_too(huawei):
    owner = huawei.owner
    for auth in (SdkHmacSha256Auth(owner.access_key, owner.secret_key, project_id=owner.projects[REGION]),
                 SdkHmacSha256Auth(owner.temp_access_key, owner.temp_secret_key, project_id=owner.projects[REGION],
                                   security_token=owner.security_token)):
        resp = requests.get(huawei.endpoint() + '/v2/cloudimages', params=[('name', 'a b+\u00e4'), ('__imagetype', 'private')],
                            auth=auth, timeout=30)
        assert resp.status_code == 200, resp.text
    wrong = SdkHmacSha256Auth(owner.access_key, 'wrong-secret', project_id=owner.projects[REGION])
    assert requests.get(huawei.endpoint() + '/v2/cloudimages', auth=wrong, timeout=30).status_code == 401


def test_a_domain_scoped_token_cannot_call_ims(huawei):
    owner = huawei.owner
    resp = requests.post(huawei.auth_url + '/auth/tokens', timeout=30, json={'auth': {'identity': {'methods': ['password'], 'password': {
        'user': {'name': owner.user_name, 'password': owner.password, 'domain': {'name': owner.domain_name}}}},
        'scope': {'domain': {'name': owner.domain_name}}}})
    assert resp.status_code == 201 and 'project' not in resp.json()['token']
    assert_gateway_401(huawei.client(token=resp.headers['X-Subject-Token']).request('GET', '/v2/cloudimages'),
                       'the token is not scoped to a project')


def test_wrong_secret_key_is_refused_and_nothing_is_created(huawei):
    client = huawei.client()
    client.secret_key = 'not-the-secret'
    resp = client.request('POST', '/v2/cloudimages/action', json_body={'name': 'x', 'image_url': 'b:k', 'min_disk': 40})
    assert_gateway_401(resp, 'verify aksk signature fail')
    assert huawei.images() == [] and huawei.jobs() == []


def test_an_access_key_is_locked_after_more_than_5_bad_signatures(huawei):
    bad = huawei.client()
    bad.secret_key = 'wrong'
    good = huawei.client()
    for dummy in range(5):
        assert_gateway_401(bad.request('GET', '/v2/cloudimages'), 'verify aksk signature fail')
    assert good.request('GET', '/v2/cloudimages').status_code == 200  # a good one resets the count
    for dummy in range(6):
        bad.request('GET', '/v2/cloudimages')
    assert_gateway_401(good.request('GET', '/v2/cloudimages'), 'the access key is locked after repeated signature failures')
    assert huawei.client('recipient').request('GET', '/v2/cloudimages').status_code == 200
    huawei.reset()
    assert good.request('GET', '/v2/cloudimages').status_code == 200


def test_unknown_access_key_is_refused(huawei):
    client = huawei.client()
    client.access_key = 'EMUUNKNOWNAK00000000'
    assert_gateway_401(client.request('GET', '/v2/cloudimages'), 'Get secretKey failed')


@pytest.mark.parametrize('minutes, accepted', [(-14, True), (14, True), (-16, False), (16, False)])
def test_x_sdk_date_within_15_minutes(huawei, minutes, accepted):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    resp = huawei.client().request('GET', '/v2/cloudimages', params={'limit': '1'}, sdk_date=moment.strftime('%Y%m%dT%H%M%SZ'))
    if accepted:
        assert resp.status_code == 200, resp.text
    else:
        assert_gateway_401(resp, 'X-Sdk-Date differs from the server time by more than 15 minutes')


def test_temporary_keys_need_their_security_token(huawei):
    assert huawei.client(temporary=True).request('GET', '/v2/cloudimages').status_code == 200
    without_token = huawei.client(temporary=True)
    without_token.security_token = None
    assert_gateway_401(without_token.request('GET', '/v2/cloudimages'), 'verify security token fail')
    wrong_token = huawei.client(temporary=True)
    wrong_token.security_token = 'another-token'
    assert_gateway_401(wrong_token.request('GET', '/v2/cloudimages'), 'verify security token fail')


def test_no_credentials_at_all(huawei):
    resp = huawei.client(token='').session.get(huawei.endpoint() + '/v2/cloudimages', timeout=30)
    assert_gateway_401(resp, 'x-auth-token not found')


def test_x_project_id_of_another_account_is_refused(huawei):
    client = huawei.client()
    client.project_id = huawei.recipient.projects[REGION]
    assert_gateway_401(client.request('GET', '/v2/cloudimages'), 'the X-Project-Id is not a project of this account')


@pytest.mark.parametrize('reading, status, project', [('refuse', 401, None), ('ignore', 200, 'region'), ('trust', 200, 'sub')])
def test_an_x_project_id_the_signature_does_not_cover_follows_the_switch(huawei, reading, status, project):
    huawei.set_switches(unsigned_project_id=reading)
    client = huawei.client()
    client.project_id = None            # signed without X-Project-Id, which is then added on the way
    huawei.clear_requests()
    resp = client.request('GET', '/v2/cloudimages', params={'limit': '1'})
    assert resp.status_code == 200
    resp = client.session.get(resp.request.url, headers=dict(resp.request.headers, **{'X-Project-Id': huawei.owner.sub_project}),
                              timeout=30)
    if status == 401:
        assert_gateway_401(resp, 'the X-Project-Id header is not signed (not in SignedHeaders)')
        return
    assert resp.status_code == 200, resp.text
    expected = huawei.owner.sub_project if project == 'sub' else huawei.owner.projects[REGION]
    assert [r['project'] for r in huawei.requests()] == [huawei.owner.projects[REGION], expected]


def test_project_of_the_other_region_is_img_0030(huawei):
    client = huawei.client(region=REGION)
    client.base_url = huawei.endpoint(OTHER_REGION)
    resp = client.request('GET', '/v2/cloudimages')
    assert resp.status_code == 400
    assert resp.json()['error']['code'] == 'IMG.0030'


def test_unknown_path_and_trailing_slash_are_apigw_0101(huawei):
    client = huawei.client()
    for path in ('/v2/cloudimages/', '/v9/nothing'):
        resp = client.request('GET', path)
        assert resp.status_code == 404, path
        assert resp.json()['error_code'] == 'APIGW.0101'


# ---------------------------------------------------------------- IAM

def login_body(tenant, scope):
    return {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': tenant.user_name, 'password': tenant.password, 'domain': {'name': tenant.domain_name}}}}, 'scope': scope}}


def test_password_login_returns_a_token_scoped_to_the_region_project(huawei):
    owner = huawei.owner
    resp = huawei.client(token='').session.post(huawei.auth_url + '/auth/tokens', json=login_body(owner, {'project': {'name': REGION}}),
                                                timeout=30)
    assert resp.status_code == 201, resp.text
    token = resp.json()['token']
    assert token['project'] == {'id': owner.projects[REGION], 'name': REGION,
                                'domain': {'id': owner.domain_id, 'name': owner.domain_name}}
    assert token['user']['name'] == owner.user_name
    images = [c for c in token['catalog'] if c['type'] == 'image'][0]
    assert {(e['region'], e['url']) for e in images['endpoints']} == set(huawei.region_endpoints.items())
    assert 'X-IAM-Trace-Id' in resp.headers
    subject = resp.headers['X-Subject-Token']
    listed = huawei.client(token=subject).request('GET', '/v2/cloudimages', params={'owner': owner.projects[REGION]})
    assert listed.status_code == 200, listed.text


def test_login_without_catalog_and_by_project_id(huawei):
    owner = huawei.owner
    resp = huawei.client(token='').session.post(huawei.auth_url + '/auth/tokens?nocatalog=true', timeout=30,
                                                json=login_body(owner, {'project': {'id': owner.projects[OTHER_REGION]}}))
    assert resp.status_code == 201
    assert 'catalog' not in resp.json()['token']
    assert resp.json()['token']['project']['name'] == OTHER_REGION


def test_wrong_password_is_a_keystone_401(huawei):
    tenant = huawei.owner
    body = login_body(tenant, {'project': {'name': REGION}})
    body['auth']['identity']['password']['user']['password'] = 'wrong'
    resp = huawei.client(token='').session.post(huawei.auth_url + '/auth/tokens', json=body, timeout=30)
    assert resp.status_code == 401
    assert resp.json()['error']['code'] == 401
    assert 'X-Subject-Token' not in resp.headers


def test_revoked_and_forged_tokens_are_refused(huawei):
    token = huawei.login('owner')
    assert huawei.client(token=token).request('GET', '/v2/cloudimages').status_code == 200
    assert_gateway_401(huawei.client(token='MIIforged').request('GET', '/v2/cloudimages'), 'decrypt token fail')
    huawei.revoke_tokens()
    assert_gateway_401(huawei.client(token=token).request('GET', '/v2/cloudimages'), 'token expires')


def test_project_look_up_by_region_name_finds_exactly_one(huawei):
    iam = huawei.client(service='iam')
    body = iam.ok('GET', '/v3/projects', params={'name': REGION})
    assert [p['id'] for p in body['projects']] == [huawei.owner.projects[REGION]]
    assert body['projects'][0]['domain_id'] == huawei.owner.domain_id
    assert set(body) == {'projects', 'links'}
    everything = iam.ok('GET', '/v3/projects')['projects']
    assert {p['name'] for p in everything} == {REGION, OTHER_REGION, REGION + '_dev'}
    assert iam.ok('GET', '/v3/projects', params={'name': 'xx-nowhere-1'})['projects'] == []


def test_project_look_up_with_a_token(huawei):
    token = huawei.login('recipient')
    body = huawei.client('recipient', service='iam', token=token).ok('GET', '/v3/projects', params={'name': OTHER_REGION})
    assert [p['id'] for p in body['projects']] == [huawei.recipient.projects[OTHER_REGION]]


# ---------------------------------------------------------------- GET /v2/cloudimages

def test_marker_paging_with_next_marker_costs_one_request_per_page(huawei):
    huawei.seed_images(count=1205, prefix='bulk-')
    client = huawei.client()
    huawei.clear_requests()
    ids, marker, pages = [], None, 0
    while True:
        params = {'owner': huawei.owner.projects[REGION], 'limit': '500', 'sort_key': 'name', 'sort_dir': 'asc'}
        if marker:
            params['marker'] = marker
        body = client.ok('GET', '/v2/cloudimages', params=params)
        pages += 1
        ids += [i['id'] for i in body['images']]
        marker = body['page_info'].get('next_marker')
        if not marker:
            break
    assert pages == 3 and len(ids) == len(set(ids)) == 1205
    assert len(huawei.requests()) == 3


def test_without_next_marker_the_last_page_is_short_or_empty(huawei):
    huawei.seed_images(count=4)
    huawei.set_switches(next_marker=False)
    body = huawei.client().ok('GET', '/v2/cloudimages', params={'owner': huawei.owner.projects[REGION], 'limit': '2'})
    assert len(body['images']) == 2 and 'page_info' not in body


def test_page_cap_serves_fewer_than_asked(huawei):
    huawei.seed_images(count=5)
    huawei.set_switches(page_cap=2)
    body = huawei.client().ok('GET', '/v2/cloudimages', params={'owner': huawei.owner.projects[REGION], 'limit': '5'})
    assert len(body['images']) == 2 and body['page_info']['next_marker'] == body['images'][-1]['id']


@pytest.mark.parametrize('params, code', [
    ({'limit': '1001'}, 'IMG.0001'), ({'limit': '0'}, 'IMG.0001'), ({'limit': 'x'}, 'IMG.0001'),
    ({'__imagetype': 'bogus'}, 'IMG.0024'), ({'member_status': 'accepted'}, 'IMG.0001'),
    ({'sort_key': 'owner'}, 'IMG.0001'), ({'marker': 'not-an-image'}, 'IMG.0027'),
    ({'created_at': 'after:2020-01-01T00:00:00Z'}, 'IMG.0001'),
])
def test_bad_list_queries_get_ims_error_bodies(huawei, params, code):
    resp = huawei.client().request('GET', '/v2/cloudimages', params=params)
    assert resp.status_code == 400, resp.text
    assert resp.json() == {'error': {'code': code, 'message': resp.json()['error']['message']}}


def test_server_side_filters(huawei):
    huawei.seed_images(count=2, prefix='linux-')
    huawei.seed_images(count=1, prefix='win-', __os_type='Windows', __platform='Windows', disk_format='qcow2')
    client = huawei.client()

    def names(**query):
        return sorted(i['name'] for i in client.ok('GET', '/v2/cloudimages', params=dict(query, __imagetype='private'))['images'])
    assert names() == ['linux-00000', 'linux-00001', 'win-00000']
    assert names(__os_type='Windows') == ['win-00000']
    assert names(disk_format='qcow2', __platform='Windows') == ['win-00000']
    assert names(name='linux-00001') == ['linux-00001']
    assert names(created_at='lt:2000-01-01T00:00:00Z') == []
    gold = client.ok('GET', '/v2/cloudimages', params={'__imagetype': 'gold', 'visibility': 'public', 'protected': 'true',
                                                       'architecture': 'arm'})['images']
    assert [i['__support_arm'] for i in gold] == ['true']
    assert all(i['__imagetype'] == 'market' for i in client.ok('GET', '/v2/cloudimages', params={'__imagetype': 'market'})['images'])


def test_each_region_lists_its_own_images(huawei):
    huawei.seed_images(region=OTHER_REGION, count=1, prefix='east-')
    north = huawei.client(region=REGION).ok('GET', '/v2/cloudimages', params={'__imagetype': 'private'})['images']
    east = huawei.client(region=OTHER_REGION).ok('GET', '/v2/cloudimages', params={'__imagetype': 'private'})['images']
    assert north == [] and [i['name'] for i in east] == ['east-00000']


def test_glance_show_and_list(huawei):
    (image_id,) = huawei.seed_images(count=1)
    client = huawei.client()
    shown = client.ok('GET', f'/v2/images/{image_id}')
    assert shown['id'] == image_id and shown['self'] == f'/v2/images/{image_id}'
    missing = client.request('GET', '/v2/images/00000000-0000-0000-0000-000000000000')
    assert missing.status_code == 404 and missing.json()['error']['code'] == 'IMG.0027'
    huawei.seed_images(count=3, prefix='more-')
    page = client.ok('GET', '/v2/images', params={'owner': huawei.owner.projects[REGION], 'limit': '3'})
    assert len(page['images']) == 3 and 'marker=' in page['next'] and page['schema'] == '/v2/schemas/images'


# ---------------------------------------------------------------- jobs

def test_import_from_obs_runs_the_job_and_the_image_statuses(huawei):
    client = huawei.client()
    url = stage_object(huawei)
    job_id = client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'from-obs', 'image_url': url, 'min_disk': 40,
                                                                    'os_version': 'CentOS 7.9 64bit'})['job_id']
    job, seen = observe_job(client, job_id, 'from-obs')
    assert seen[0] == ('INIT', None) and seen[-1] == ('SUCCESS', 'active')
    assert ('RUNNING', 'queued') in seen and ('RUNNING', 'saving') in seen
    assert job['job_type'] == 'imsImportImageJob' and job['fail_reason'] is None
    image = client.ok('GET', '/v2/cloudimages', params={'id': job['entities']['image_id']})['images'][0]
    assert image['__os_version'] == 'CentOS 7.9 64bit' and image['disk_format'] == 'qcow2'
    assert image['__data_origin'] == f'file,{url}' and image['__image_size'] == str(len(b'qcow2 bytes ' * 100))


def test_a_missing_object_fails_the_job_and_kills_the_image(huawei):
    client = huawei.client()
    stage_object(huawei)
    job_id = client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'no-file', 'image_url': 'staging:absent.qcow2',
                                                                    'min_disk': 40})['job_id']
    job = client.wait_job(job_id)
    assert (job['status'], job['error_code']) == ('FAIL', 'IMG.0057')
    assert 'staging:absent.qcow2' in job['fail_reason']
    assert [i['status'] for i in huawei.images(name='no-file')] == ['killed']


def test_injected_job_failure(huawei):
    huawei.set_job_faults([{'job_type': 'imsCreateImageByInstance', 'error_code': 'IMG.0010', 'fail_reason': 'busy'}])
    server = [s for s in huawei.state()['servers'] if s['project'] == huawei.owner.projects[REGION]][0]
    client = huawei.client()
    job = client.wait_job(client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'ecs-img', 'instance_id': server['id']})['job_id'])
    assert (job['status'], job['error_code'], job['fail_reason']) == ('FAIL', 'IMG.0010', 'busy')
    again = client.wait_job(client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'ecs-img2', 'instance_id': server['id']})['job_id'])
    assert again['status'] == 'SUCCESS'


def test_server_with_data_disks_reports_sub_jobs(huawei):
    server = [s for s in huawei.state()['servers'] if s['project'] == huawei.owner.projects[REGION]][0]
    client = huawei.client()
    body = {'name': 'sys', 'instance_id': server['id'],
            'data_images': [{'name': 'data-1', 'volume_id': server['data_volumes'][0]}]}
    job = client.wait_job(client.ok('POST', '/v2/cloudimages/action', json_body=body)['job_id'])
    assert job['status'] == 'SUCCESS' and 'image_id' not in job['entities']
    made = {s['entities']['image_name']: s['entities']['image_id'] for s in job['entities']['sub_jobs_result']}
    assert set(made) == {'sys', 'data-1'}
    data = client.ok('GET', '/v2/cloudimages', params={'id': made['data-1']})['images'][0]
    assert data['virtual_env_type'] == 'DataImage' and data['status'] == 'active'


@pytest.mark.parametrize('body, code', [
    ({'image_url': 'b:k', 'min_disk': 40}, 'IMG.0013'),
    ({'name': 'x', 'image_url': 'no-colon', 'min_disk': 40}, 'IMG.0017'),
    ({'name': 'x', 'image_url': 'bucket:key', 'min_disk': 0}, 'IMG.0055'),
    ({'name': 'x', 'image_url': 'bucket:key', 'min_disk': 40, 'os_version': 'Plan 9'}, 'IMG.0056'),
    ({'name': 'x', 'instance_id': 'not-a-server'}, 'IMG.0005'),
    ({'name': ' lead', 'image_url': 'bucket:key', 'min_disk': 40}, 'IMG.0003'),
    ({'name': 'x'}, 'IMG.0001'),
    ({}, 'IMG.0007'),
])
def test_bad_create_bodies_start_no_job(huawei, body, code):
    resp = huawei.client().request('POST', '/v2/cloudimages/action', json_body=body)
    assert resp.status_code == 400 and resp.json()['error']['code'] == code, resp.text
    assert huawei.jobs() == [] and huawei.images() == []


def test_a_job_is_only_visible_to_its_project(huawei):
    client = huawei.client()
    job_id = client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'a', 'image_url': stage_object(huawei), 'min_disk': 40})['job_id']
    other = huawei.client('recipient')
    resp = other.request('GET', f'/v1/{other.project_id}/jobs/{job_id}')
    assert resp.status_code == 404
    mismatch = other.request('GET', f'/v1/{client.project_id}/jobs/{job_id}')
    assert mismatch.status_code == 400 and mismatch.json()['error']['code'] == 'IMG.0030'
    client.wait_job(job_id)


def test_a_reset_stops_the_jobs_of_the_state_before_it(huawei):
    huawei.set_switches(transition_seconds=0.5)
    client = huawei.client()
    client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'before-reset', 'image_url': stage_object(huawei), 'min_disk': 40})
    huawei.reset()
    huawei.set_switches(transition_seconds=0.5)
    time.sleep(3)
    assert huawei.images(name='before-reset') == [] and huawei.jobs() == []
