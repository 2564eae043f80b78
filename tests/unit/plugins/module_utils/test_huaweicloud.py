# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""provider huaweicloud over real HTTP (a scripted loopback server): auth schemes, the project look-up,
options and environment variables, the dialect (errors, statuses, paging), the IMG.0035 retry, jobs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import core as _huaweicloud_core
from ansible_collections.cecloud.ims.plugins.module_utils._core.client import ImsClient, RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import (
    HuaweiCloudBackend, HuaweiImsDialect, check_image_options, creation_request, image_changes, job_outcome,
    obs_image_url, tag_changes)
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.core import (
    HuaweiAkSkAuth, HuaweiPasswordAuth, HuaweiTokenAuth)
from ansible_collections.cecloud.ims.plugins.module_utils._service import ImageService

from tests.unit.plugins.module_utils import provider_params
from tests.unit.plugins.module_utils.provider_params import task_params

from .local_http import LocalServer

AK = 'AKEXAMPLEEXAMPLE0001'
SK = 'SKexampleSecretKey0000000000000000000001'
PROJECT = '0123456789abcdef0123456789abcdef'
OTHER_PROJECT = 'fedcba9876543210fedcba9876543210'
REGION = 'cn-north-4'


pytestmark = pytest.mark.usefixtures('no_provider_env')


def loaded(**options):
    """The task's connection options as provider huaweicloud reads them (environment, defaults, checks)."""
    return provider_params.loaded('huaweicloud', **options)


def connect(url, **options):
    options.setdefault('region', REGION)
    options.setdefault('endpoint', url)
    options.setdefault('iam_endpoint', url + '/v3')
    params, scheme = loaded(**options)
    client = ImsClient(params['endpoint'], params['region'], auth=scheme.from_params(params),
                       dialect=HuaweiImsDialect(), retry_policy=RetryPolicy(retries=0))
    return HuaweiCloudBackend(client, params)


def projects(*ids):
    return {'projects': [{'id': i, 'name': REGION, 'domain_id': 'd' * 32, 'enabled': True} for i in ids]}


def images(count, start=0):
    return [{'id': '00000000-0000-4000-8000-%012d' % n, 'name': 'img-%d' % n, 'status': 'active', 'owner': PROJECT,
             '__os_type': 'Linux'} for n in range(start, start + count)]


def query_of(request):
    return dict((k, v[0]) for k, v in parse_qs(urlsplit(request.path).query, keep_blank_values=True).items())


# -- auth -----------------------------------------------------------------------------------

def test_aksk_without_project_id_finds_the_region_s_project_through_iam_and_signs_with_it():
    def answer(request):
        if request.path.startswith('/v3/projects'):
            return 200, {}, projects(PROJECT)
        return 200, {}, {'images': []}
    with LocalServer(answer) as server:
        backend = connect(server.url, access_key=AK, secret_key=SK)
        assert backend.get_image('00000000-0000-4000-8000-000000000001') is None
        assert backend.get_image('00000000-0000-4000-8000-000000000002') is None
    lookup, first, second = server.requests
    assert urlsplit(lookup.path).path == '/v3/projects' and query_of(lookup) == {'name': REGION}
    assert 'X-Project-Id' not in lookup.headers and lookup.headers['Authorization'].startswith('SDK-HMAC-SHA256 Access=' + AK)
    for request in (first, second):     # looked up once
        assert request.headers['X-Project-Id'] == PROJECT
        assert 'x-project-id' in request.headers['Authorization']
        assert SK not in json.dumps(request.headers)


@pytest.mark.parametrize('found,fragment', [
    ((), 'has no project named cn-north-4 for these credentials: check region'),
    ((PROJECT, OTHER_PROJECT), 'has 2 projects named cn-north-4 (%s, %s): set project_id' % (PROJECT, OTHER_PROJECT)),
])
def test_the_project_look_up_needs_exactly_one_project(found, fragment):
    with LocalServer(lambda request: (200, {}, projects(*found))) as server:
        backend = connect(server.url, access_key=AK, secret_key=SK)
        with pytest.raises(ImsValidationError) as err:
            backend.get_image('00000000-0000-4000-8000-000000000001')
    assert fragment in str(err.value)
    assert len(server.requests) == 1        # nothing reached IMS


def test_a_given_project_id_and_security_token_are_sent_and_signed_without_a_look_up():
    with LocalServer(lambda request: (200, {}, {'images': []})) as server:
        connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT, security_token='TOKENEXAMPLE').get_image('x')
    (request,) = server.requests
    assert request.headers['X-Project-Id'] == PROJECT and request.headers['X-Security-Token'] == 'TOKENEXAMPLE'
    assert 'x-security-token' in request.headers['Authorization']


def test_a_refused_signature_names_the_options_and_carries_the_gateway_s_request_id():
    body = {'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information: verify aksk signature fail',
            'request_id': 'req-77'}
    with LocalServer(lambda request: (401, {}, body)) as server:
        with pytest.raises(ImsApiError) as err:
            connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT).get_image('x')
    assert err.value.code == 'APIGW.0301' and err.value.request_id == 'req-77' and err.value.http_status == 401
    assert 'access_key (IMS_ACCESS_KEY, HUAWEICLOUD_SDK_AK)' in err.value.message
    assert SK not in err.value.message


def test_password_login_scopes_the_token_to_the_region_s_project_and_sends_it():
    def answer(request):
        if request.path == '/v3/auth/tokens':
            token = {'expires_at': '2099-01-01T00:00:00.000000Z', 'project': {'id': PROJECT, 'name': REGION},
                     'catalog': []}
            return 201, {'X-Subject-Token': 'iam-token-1'}, {'token': token}
        return 200, {}, {'images': []}
    with LocalServer(answer) as server:
        backend = connect(server.url, username='alice', password='pw-secret', user_domain_name='acme')
        backend.get_image('x')
        assert backend.caller_project() == PROJECT
    login, call = server.requests
    auth = login.json()['auth']
    assert auth['identity']['password']['user'] == {'name': 'alice', 'password': 'pw-secret', 'domain': {'name': 'acme'}}
    assert auth['scope'] == {'project': {'name': REGION}}
    assert call.headers['X-Auth-Token'] == 'iam-token-1' and 'Authorization' not in call.headers


def test_a_token_is_sent_as_x_auth_token_and_cannot_reach_another_region():
    def answer(request):
        if request.path.startswith('/v3/projects'):
            return 200, {}, projects(PROJECT)
        return 200, {}, {'images': []}
    with LocalServer(answer) as server:
        backend = connect(server.url, auth_token='iam-token-2')
        assert backend.caller_project() == PROJECT
        backend.get_image('x')
        with pytest.raises(ImsValidationError) as err:
            backend.in_region('cn-south-1')
    assert all(r.headers['X-Auth-Token'] == 'iam-token-2' for r in server.requests)
    assert 'Use AK/SK (access_key, secret_key) or a password login' in str(err.value)


# -- options ------------------------------------------------------------------------------------

def test_huawei_sdk_variables_fill_the_options_and_the_endpoints_default_to_the_region(monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', AK)
    monkeypatch.setenv('HUAWEICLOUD_SDK_SK', SK)
    monkeypatch.setenv('HUAWEICLOUD_SDK_SECURITY_TOKEN', 'st')
    monkeypatch.setenv('HUAWEICLOUD_SDK_PROJECT_ID', PROJECT)
    monkeypatch.setenv('HUAWEICLOUD_SDK_IAM_ENDPOINT', 'https://iam.example.com')
    monkeypatch.setenv('IMS_REGION', 'ap-southeast-1')
    params, scheme = loaded()
    assert scheme is HuaweiAkSkAuth
    assert (params['access_key'], params['secret_key'], params['security_token'], params['project_id']) == (
        AK, SK, 'st', PROJECT)
    assert params['endpoint'] == 'https://ims.ap-southeast-1.myhuaweicloud.com'
    assert params['obs_endpoint'] == 'https://obs.ap-southeast-1.myhuaweicloud.com'
    assert params['iam_endpoint'] == 'https://iam.example.com'


def test_ims_variables_come_before_huawei_s(monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_SDK_AK', 'sdk-ak')
    monkeypatch.setenv('IMS_ACCESS_KEY', 'ims-ak')
    monkeypatch.setenv('HUAWEICLOUD_SDK_SK', SK)
    params, _scheme = loaded(region=REGION)
    assert params['access_key'] == 'ims-ak'


@pytest.mark.parametrize('env,scheme', [
    (dict(IMS_ACCESS_KEY=AK, IMS_SECRET_KEY=SK, IMS_USERNAME='u', IMS_PASSWORD='p', IMS_USER_DOMAIN_NAME='a',
          IMS_AUTH_TOKEN='t'), HuaweiAkSkAuth),
    (dict(IMS_USERNAME='u', IMS_PASSWORD='p', IMS_USER_DOMAIN_NAME='a', IMS_AUTH_TOKEN='t'), HuaweiPasswordAuth),
    (dict(IMS_AUTH_TOKEN='t'), HuaweiTokenAuth),
])
def test_aksk_comes_first_then_a_password_login_then_a_token(monkeypatch, env, scheme):
    """The order among the credentials of the environment; a task that gives two is refused
    (test_credential_precedence)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert loaded(region=REGION)[1] is scheme


@pytest.mark.parametrize('options,fragment', [
    (dict(access_key=AK), 'access_key is set but secret_key is not: AK/SK signing needs both.'),
    (dict(secret_key=SK), 'secret_key is set but access_key is not'),
    (dict(username='u', password='p'), 'user_domain_name is required: set the user_domain_name option or the '
                                       'IMS_USER_DOMAIN_NAME environment variable for an IAM password login.'),
    (dict(), 'access_key is required'),
    (dict(access_key=AK, secret_key=SK, region='CN North 4'), "region 'CN North 4' is not a Huawei Cloud region id"),
    (dict(access_key=AK, secret_key=SK, region_endpoints={'cn-south-1': 'ftp://x'}), 'region_endpoints[cn-south-1] must be'),
    (dict(access_key=AK, secret_key=SK, obs_endpoint='obs.example.com'), 'obs_endpoint must be an http:// or https:// URL'),
])
def test_bad_connection_options_fail_before_any_request(options, fragment):
    options.setdefault('region', REGION)
    with pytest.raises(ImsValidationError) as err:
        loaded(**options)
    assert fragment in str(err.value)
    assert SK not in str(err.value)


def test_a_missing_region_is_named():
    with pytest.raises(ImsValidationError) as err:
        loaded(access_key=AK, secret_key=SK)
    assert 'region is required: set the region option or the IMS_REGION environment variable.' == str(err.value)


@pytest.mark.parametrize('option,value', [('tenant_id', 't-1'), ('project_name', 'demo'), ('interface', 'internal')])
def test_options_of_other_providers_are_refused(option, value):
    with pytest.raises(ImsValidationError) as err:
        loaded(region=REGION, access_key=AK, secret_key=SK, **{option: value})
    assert '%s is not used by provider huaweicloud' % option in str(err.value)


def test_huawei_options_are_refused_by_the_other_providers():
    params = task_params(access_key=AK, obs_endpoint='https://obs.example.com')
    with pytest.raises(ImsValidationError) as err:
        _providers.get('openstack').load(params)
    assert 'access_key, obs_endpoint are not used by provider openstack' in str(err.value)


def test_every_secret_option_is_no_log():
    spec = _providers.CONNECTION_ARGUMENT_SPEC
    assert all(spec[o].get('no_log') for o in ('access_key', 'secret_key', 'security_token', 'password', 'auth_token'))


# -- the dialect ------------------------------------------------------------------------------------

@pytest.mark.parametrize('status,headers,body,code,request_id', [
    (400, {'X-Request-Id': 'r-1'}, {'error': {'code': 'IMG.0027', 'message': 'The image does not exist.'}}, 'IMG.0027', 'r-1'),
    (404, {}, {'error_code': 'APIGW.0101', 'error_msg': 'The API does not exist', 'request_id': 'r-2'}, 'APIGW.0101', 'r-2'),
    (500, {'X-Request-Id': 'r-3'}, b'<html><body><h1>500 Internal Server Error</h1></body></html>', 'HTTP500', 'r-3'),
])
def test_both_error_shapes_and_other_bodies_become_ims_api_errors(status, headers, body, code, request_id):
    with LocalServer(lambda request: (status, headers, body)) as server:
        with pytest.raises(ImsApiError) as err:
            connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT).get_image('x')
    assert (err.value.code, err.value.request_id, err.value.http_status) == (code, request_id, status)


def test_a_delete_answers_204():
    with LocalServer(lambda request: (204, {}, b'')) as server:
        backend = connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT)
        backend.delete_image('3b8a4f1c-0000-4000-8000-000000000001')
    assert server.requests[0].path == '/v2/images/3b8a4f1c-0000-4000-8000-000000000001'


def paged_server(total, page_info):
    catalogue = images(total)

    def answer(request):
        query = query_of(request)
        limit = int(query['limit'])
        ids = [i['id'] for i in catalogue]
        start = ids.index(query['marker']) + 1 if 'marker' in query else 0
        page = catalogue[start:start + limit]
        body = {'images': page}
        if page_info:
            more = start + limit < total
            body['page_info'] = {'next_marker': page[-1]['id']} if more else {}
        return 200, {}, body
    return LocalServer(answer)


@pytest.mark.parametrize('total,page_info,requests_made', [
    (1000, True, 2), (1001, True, 3), (999, False, 2), (1000, False, 3), (0, False, 1), (10000, True, 20),
])
def test_n_images_cost_one_request_per_page_of_500_and_no_empty_page(total, page_info, requests_made):
    with paged_server(total, page_info) as server:
        backend = connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT)
        listed = list(backend.list_scope('private'))
    assert len(listed) == total and len(set(i['image_id'] for i in listed)) == total
    assert len(server.requests) == requests_made
    assert all(query_of(r)['limit'] == '500' and query_of(r)['owner'] == PROJECT for r in server.requests)


@pytest.mark.parametrize('scope,expected', [
    ('public', {'__imagetype': 'gold'}),
    ('market', {'__imagetype': 'market'}),
    ('shared', {'__imagetype': 'shared', 'visibility': 'shared', 'member_status': 'accepted'}),
])
def test_each_scope_is_asked_of_the_server_with_the_server_side_filters(scope, expected):
    with LocalServer(lambda request: (200, {}, {'images': []})) as server:
        backend = connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT)
        list(backend.list_scope(scope, name='web', filters={'__os_type': 'Linux', 'status': 'active', 'color': 'x'}))
    query = query_of(server.requests[0])
    assert query == dict(expected, name='web', __os_type='Linux', status='active', limit='500')


@pytest.mark.parametrize('filters,found', [
    ({'tag': 'env=prod'}, True), ({'tag': 'env=test'}, False), ({'tag': 'env=prod', '__os_type': 'Windows'}, False),
])
def test_a_look_up_by_id_matches_the_server_side_filters_as_a_listing_does(filters, found):
    image = dict(images(1)[0], tags=['env=prod'])

    def answer(request):        # IMS applies the filters of GET /v2/cloudimages to ?id= as to any listing
        query = query_of(request)
        matches = query.get('id') in (None, image['id']) and query.get('tag') in [None] + image['tags'] and \
            query.get('__os_type') in (None, image['__os_type'])
        return 200, {}, {'images': [image] if matches else []}
    with LocalServer(answer) as server:
        service = ImageService(connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT))
        by_id = service.list_images(scope='private', image_id=image['id'], filters=filters)
        listed = service.list_images(scope='private', filters=filters)
    assert [i['image_id'] for i in by_id] == [i['image_id'] for i in listed] == ([image['id']] if found else [])
    by_id_query, listing_query = query_of(server.requests[0]), query_of(server.requests[1])
    assert by_id_query.pop('id') == image['id'] and by_id_query.pop('limit') == listing_query.pop('limit') == '500'
    assert by_id_query == listing_query == dict(filters, owner=PROJECT)


def test_a_patch_refused_with_img_0035_is_sent_again_as_add():
    patches = []

    def answer(request):
        patches.append(request.json())
        if len(patches) == 1:
            return 400, {}, {'error': {'code': 'IMG.0035', 'message': 'The attribute does not exist.'}}
        return 200, {}, {'id': 'i-1', 'name': 'n', '__description': 'new'}
    with LocalServer(answer) as server:
        backend = connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT)
        image = backend.update_image({'image_id': 'i-1', '__description': ''}, {'__description': 'new'})
    assert patches == [[{'op': 'replace', 'path': '/__description', 'value': 'new'}],
                       [{'op': 'add', 'path': '/__description', 'value': 'new'}]]
    assert image['image_id'] == 'i-1' and server.requests[0].path == '/v2/cloudimages/i-1'
    assert server.requests[0].headers['Content-Type'] == 'application/json'


# -- jobs and small helpers ----------------------------------------------------------------------------

def test_a_job_names_its_images_from_entities_or_sub_jobs_and_its_failure():
    assert job_outcome({'status': 'success', 'entities': {'image_id': 'a'}})['image_id'] == 'a'
    job = job_outcome({'status': 'SUCCESS', 'entities': {'sub_jobs_result': [
        {'status': 'SUCCESS', 'entities': {'image_id': 'b'}}, {'status': 'SUCCESS', 'entities': {'image_id': 'c'}}]}})
    assert (job['image_id'], job['image_ids']) == ('b', ['b', 'c'])
    failed = job_outcome({'status': 'FAIL', 'entities': {'sub_jobs_result': [
        {'status': 'FAIL', 'fail_reason': 'disk too small', 'error_code': 'IMG.0055'}]}})
    assert (failed['reason'], failed['error_code']) == ('disk too small', 'IMG.0055')


def test_the_job_is_read_in_the_caller_s_project():
    body = {'job_id': 'j1', 'status': 'RUNNING', 'entities': {}}
    with LocalServer(lambda request: (200, {}, body)) as server:
        job = connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT).get_job('j1')
    assert job['status'] == 'RUNNING' and server.requests[0].path == '/v1/%s/jobs/j1' % PROJECT


@pytest.mark.parametrize('url,expected', [
    ('obs://my-bucket/images/a.qcow2', 'my-bucket:images/a.qcow2'),
    ('obs://b.c-d/x y.vhd', 'b.c-d:x y.vhd'),
])
def test_obs_urls_become_bucket_colon_key(url, expected):
    assert obs_image_url(url) == expected


@pytest.mark.parametrize('url', ['https://b/k', 'obs://B/k', 'obs://b', 'obs://bucket/', 'obs://bucket/dir/', 'obs:/b/k',
                                 'obs://ab/k', 'obs://bu..cket/k'])
def test_malformed_obs_urls_are_refused(url):
    with pytest.raises(ImsValidationError) as err:
        obs_image_url(url)
    assert 'obs://<bucket>/<key>' in str(err.value)


def test_another_region_needs_its_endpoint_unless_both_are_huawei_s_public_ones():
    with LocalServer(lambda request: (200, {}, {})) as server:
        backend = connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT,
                          region_endpoints={'cn-south-1': server.url + '/south'})
        assert backend.in_region('cn-south-1').client.endpoint == server.url + '/south'
        with pytest.raises(ImsValidationError) as err:
            backend.in_region('ap-southeast-3')
    assert 'Region ap-southeast-3 has no IMS endpoint' in str(err.value)
    public = HuaweiCloudBackend.region_endpoint.__get__(type('B', (), dict(
        params={'endpoint': 'https://ims.cn-north-4.myhuaweicloud.com'}, region='cn-north-4'))())
    assert public('cn-south-1') == 'https://ims.cn-south-1.myhuaweicloud.com'


# -- ims_image's options as IMS requests ---------------------------------------------------------------

def task(**options):
    params = dict((k, None) for k in ('name', 'description', 'min_disk', 'min_ram', 'os_version', 'os_type', 'cpu_arch',
                                      'boot_mode', 'tags', 'image_type', 'import_url', 'instance_id', 'backup_id',
                                      'copy_from', 'copy_from_region', 'quick_import', 'data_images', 'vault_id',
                                      'agency_name', 'disk_format', 'visibility'))
    params.update(name='n', region=REGION)
    params.update(options)
    check_image_options(params)
    return params


@pytest.mark.parametrize('options,method,fields', [
    (dict(import_url='obs://bkt/a.qcow2', min_disk=40, os_type='linux', boot_mode='UEFI'), 'create_image_from',
     dict(image_url='bkt:a.qcow2', min_disk=40, os_type='Linux', hw_firmware_type='uefi')),
    (dict(import_url='obs://bkt/a.zvhd2', min_disk=40, quick_import=True, os_version='CentOS 7.9 64bit'), 'quick_import',
     dict(image_url='bkt:a.zvhd2', os_version='CentOS 7.9 64bit')),
    (dict(import_url='obs://bkt/d.raw', min_disk=100, image_type='data_image'), 'create_data_image',
     dict(image_url='bkt:d.raw', min_disk=100)),
    (dict(import_url='obs://bkt/d.raw', min_disk=100, image_type='data_image', quick_import=True), 'quick_import',
     dict(type='DataImage')),
    (dict(instance_id='ecs-1', data_images=[dict(name='d', volume_id='v', description=None)]), 'create_image_from',
     dict(instance_id='ecs-1', data_images=[dict(name='d', volume_id='v')])),
    (dict(instance_id='ecs-1', image_type='whole_image', vault_id='vault-1'), 'create_whole_image',
     dict(instance_id='ecs-1', vault_id='vault-1')),
    (dict(backup_id='cbr-1'), 'create_whole_image', dict(backup_id='cbr-1', whole_image_type='CBR')),
    (dict(min_disk=20, tags=[{'key': 'k', 'value': 'v'}]), 'create_image', dict(min_disk=20)),
])
def test_each_source_goes_to_its_endpoint(options, method, fields):
    chosen, body = creation_request(task(**options))
    assert chosen == method
    assert dict((k, body.get(k)) for k in fields) == fields


@pytest.mark.parametrize('kind,path', [
    ('create_image_from', '/v2/cloudimages/action'), ('quick_import', '/v2/cloudimages/quickimport/action'),
    ('create_data_image', '/v1/cloudimages/dataimages/action'), ('create_whole_image', '/v1/cloudimages/wholeimages/action'),
])
def test_a_creation_request_runs_as_the_job_of_its_endpoint(kind, path):
    with LocalServer(lambda request: (200, {}, {'job_id': 'job-1'})) as server:
        answer = connect(server.url, access_key=AK, secret_key=SK, project_id=PROJECT).create_by_job(kind, {'name': 'n'})
    assert answer == {'job_id': 'job-1', 'region': REGION}
    assert (server.requests[0].method, server.requests[0].path, json.loads(server.requests[0].body)) == ('POST', path, {'name': 'n'})


def test_only_updatable_attributes_that_differ_are_changes_and_fixed_ones_are_refused():
    image = {'image_id': 'i', 'name': 'n', '__description': 'old', 'min_ram': 0, 'min_disk': 40, '__os_type': 'Linux'}
    assert image_changes(image, task(description='old', boot_mode='BIOS', os_type='linux', min_disk=40)) == {}
    assert image_changes(image, task(description='new', min_ram=512, boot_mode='UEFI')) == {
        '__description': ('old', 'new'), 'min_ram': (0, 512), 'hw_firmware_type': ('bios', 'uefi')}
    with pytest.raises(ImsValidationError) as err:
        image_changes(image, task(min_disk=60, os_type='windows'))
    assert "min_disk is 40, requested 60; os_type is 'Linux', requested 'Windows'" in str(err.value)


# min_disk per create request (docs/api-notes.md, "min_disk"): None = accepted.
@pytest.mark.parametrize('options,refused', [
    (dict(import_url='obs://bkt/a.qcow2', min_disk=39), 'system disk size in GB, from 40 to 1024, larger'),
    (dict(import_url='obs://bkt/a.qcow2', min_disk=40), None),
    (dict(import_url='obs://bkt/a.raw', min_disk=1, quick_import=True, os_version='CentOS 7.9 64bit'), None),
    (dict(import_url='obs://bkt/a.raw', min_disk=1025, quick_import=True, os_version='CentOS 7.9 64bit'),
     'from 1 to 1024 with quick_import'),
    (dict(import_url='obs://bkt/d.raw', min_disk=20, image_type='data_image', quick_import=True), None),
    (dict(import_url='obs://bkt/d.raw', min_disk=2048, image_type='data_image', quick_import=True),
     'data disk size in GB, from 1 to 1024 with quick_import'),
    (dict(import_url='obs://bkt/d.raw', min_disk=39, image_type='data_image'), 'data disk size in GB, from 40 to 2048'),
    (dict(min_disk=1), None),
    (dict(min_disk=1025), 'min_disk must be the system disk size in GB, from 1 to 1024'),
])
def test_min_disk_follows_the_bounds_of_each_create_request(options, refused):
    if refused is None:
        task(**options)
        return
    with pytest.raises(ImsValidationError) as err:
        task(**options)
    assert refused in str(err.value)


def test_an_arm_image_never_boots_with_bios():
    with pytest.raises(ImsValidationError) as err:
        task(import_url='obs://bkt/a.qcow2', min_disk=40, cpu_arch='arm', boot_mode='BIOS')
    assert 'boot_mode BIOS: cpu_arch is arm, and IMS boots Arm images with UEFI only' in str(err.value)
    arm = {'image_id': 'i', 'name': 'n', '__support_arm': 'true'}       # hw_firmware_type absent: UEFI on Arm
    assert image_changes(arm, task(boot_mode='UEFI')) == {}
    with pytest.raises(ImsValidationError) as err:
        image_changes(dict(arm, hw_firmware_type='uefi'), task(boot_mode='BIOS'))
    assert 'image n (i) is an Arm image' in str(err.value)


def test_tags_become_exactly_the_task_s():
    current = [{'key': 'env', 'value': 'prod'}, {'key': 'old', 'value': ''}, {'key': 'same', 'value': 'x'}]
    create, delete = tag_changes(current, task(tags=[{'key': 'env', 'value': 'dev'}, {'key': 'same', 'value': 'x'}]))
    assert create == [{'key': 'env', 'value': 'dev'}] and delete == [{'key': 'old', 'value': ''}]


@pytest.mark.parametrize('iam_endpoint,expected', [
    ('https://iam.example.com', 'https://iam.example.com/v3'),       # a host, as the SDK's variable names it
    ('https://iam.example.com/', 'https://iam.example.com/v3'),
    ('https://iam.example.com/v3', 'https://iam.example.com/v3'),    # the Keystone root itself
    (None, 'https://iam.cn-north-4.myhuaweicloud.com/v3'),
])
def test_the_iam_endpoint_is_a_host_or_the_keystone_root(iam_endpoint, expected):
    assert _huaweicloud_core.identity_url(dict(region='cn-north-4', iam_endpoint=iam_endpoint)) == expected
    assert _huaweicloud_core.identity_url(dict(region='cn-north-4', iam_endpoint=iam_endpoint,
                                               auth_url='https://login.example.com/v3')) == 'https://login.example.com/v3'
