# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""workspace_image_info and workspace_image_server_info through the Huawei emulator's Workspace and Workspace App:
every query parameter, offset paging (N records cost floor(N / 100) + 1 requests, counted in the emulator's request log,
whether the service's total is right, too small or too large),
client-side filters, every way to authenticate, check mode, module_defaults, and bad input."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

import pytest

from tests.integration.conftest import BIN, REPO, TARGETS, module_env, run_module
from tests.integration.huaweicloud import CONNECTION_PREFIXES, hw  # noqa: F401  pylint: disable=unused-import

IMAGES = 'workspace_image_info'
SERVERS = 'workspace_image_server_info'
# The documented fields of each record (Huawei Workspace API: ListImages, GET /v2/{project_id}/images; Workspace App API:
# ListImageServers, GET /v1/{project_id}/image-servers).
IMAGE_FIELDS = {'id', 'name', 'image_type', 'os_type', 'architecture', 'os_version', 'disk_format', 'min_ram',
                'min_disk', 'product_code', 'created_at', 'kms_id'}
SERVER_FIELDS = {'id', 'name', 'description', 'image_ref', 'server_group_id', 'app_group_id', 'server_id',
                 'instance_id', 'image_id', 'status', 'authorize_accounts', 'create_time', 'update_time',
                 'enterprise_project_id'}


def run(hw, name, args=None, tenant='owner', auth='aksk', check=False, env=None):  # pylint: disable=redefined-outer-name
    """Run a Workspace module with the tenant's Workspace connection (workspace_endpoint, workspace_app_endpoint)."""
    module_args = hw.stack.module_args(tenant, auth=auth, service='workspace')
    module_args.update(args or {})
    return run_module(name, module_args, module_env(env or {}, drop_prefixes=CONNECTION_PREFIXES), check=check)


def listings(hw, service):  # pylint: disable=redefined-outer-name
    """The list requests the emulator received on ``service`` (``workspace`` or ``workspaceapp``)."""
    return [r for r in hw.stack.requests(service) if r['method'] == 'GET']


def api(hw, service, path, params=None):  # pylint: disable=redefined-outer-name
    """What the emulator itself answers (signed by Huawei's SDK) for the owner's project."""
    client = hw.stack.client(service=service)
    return client.ok('GET', path % hw.project(), params=params or {})


def test_every_query_parameter_of_list_images_is_sent_and_the_answer_returned_in_full(hw):  # noqa: F811
    query = dict(image_type='gold', os_type='Windows', platform='Windows', architecture='x86', package_type='general',
                 sort_field='created_at', sort_type='desc')
    expected = api(hw, 'workspace', '/v2/%s/images', dict(query, limit=100))
    assert expected['images'], 'the emulator has no record for this query: the test would prove nothing'
    hw.stack.clear_requests()

    result = run(hw, IMAGES, query)
    assert not result.failed and not result.changed, result
    (request,) = listings(hw, 'workspace')
    assert hw.query(request) == dict(query, offset='0', limit='100')
    assert [i['id'] for i in result['images']] == [i['id'] for i in expected['images']]
    assert result['total_count'] == expected['total_count'] == len(expected['images'])
    for got, sent in zip(result['images'], expected['images']):
        assert set(got) == IMAGE_FIELDS
        assert dict((k, v) for k, v in got.items() if k in sent) == sent
        assert all(got[k] is None for k in IMAGE_FIELDS - set(sent))


def test_a_look_up_by_image_id_and_private_images_sorted_by_name(hw):  # noqa: F811
    private = run(hw, IMAGES, dict(image_type='private', sort_field='name', sort_type='asc'))
    names = [i['name'] for i in private['images']]
    assert names and names == sorted(names) and {i['image_type'] for i in private['images']} == {'private'}, private

    one = run(hw, IMAGES, dict(image_id=private['images'][1]['id']))
    assert [i['id'] for i in one['images']] == [private['images'][1]['id']] and one['total_count'] == 1, one


# One image server in 6 is in another enterprise project than the default one the service lists: seeding 300
# (240) leaves 250 (200) to list.  Each runs with the service's total right, too small (the records up to the page's
# end: 100 after the first page) and too large (one page more): the emulator's switch workspace_total.
@pytest.mark.parametrize('reading', ['exact', 'low', 'high'])
@pytest.mark.parametrize('module,service,seed,count', [
    (IMAGES, 'workspace', dict(images=250), 250),
    (IMAGES, 'workspace', dict(images=200), 200),
    (SERVERS, 'workspaceapp', dict(servers=300), 250),
    (SERVERS, 'workspaceapp', dict(servers=240), 200),
], ids=['images-250', 'images-200', 'servers-250', 'servers-200'])
def test_n_records_cost_floor_n_over_100_plus_one_requests_whatever_the_total_says(hw, module, service, seed, count,  # noqa: F811
                                                                                   reading):
    hw.stack.set_switches(workspace_total=reading)
    hw.stack.seed_workspace(**seed)
    hw.stack.clear_requests()
    result = run(hw, module)
    assert not result.failed, result
    records = result['images' if module == IMAGES else 'image_servers']
    assert len(records) == count and len(set(r['id'] for r in records)) == count
    assert result['total_count' if module == IMAGES else 'count'] == count
    pages = listings(hw, service)
    # The largest page every time, the offset advanced by a page, until a short or empty page.
    assert [hw.query(r) for r in pages] == [dict(offset=str(offset), limit='100')
                                            for offset in range(0, count + 1, 100)]
    assert len(pages) == count // 100 + 1
    # Everything the task sent: the project look-up through IAM once, then the pages.
    assert [r['service'] for r in hw.stack.requests()] == ['iam'] + [service] * len(pages)


@pytest.mark.parametrize('reading', ['exact', 'low', 'high'])
@pytest.mark.parametrize('limit,pages', [(7, [(0, 7)]), (150, [(0, 100), (100, 50)])])
def test_limit_is_how_many_in_all_and_the_last_page_asks_no_more(hw, limit, pages, reading):  # noqa: F811
    hw.stack.set_switches(workspace_total=reading)
    hw.stack.seed_workspace(images=250, servers=300)
    hw.stack.clear_requests()
    images = run(hw, IMAGES, dict(limit=limit))
    servers = run(hw, SERVERS, dict(limit=limit))
    assert len(images['images']) == limit and len(servers['image_servers']) == limit, (images, servers)
    # Stopped by the limit, the module reports the service's total of the last page, right or not.
    assert images['total_count'] == servers['count'] == dict(exact=250, low=limit, high=350)[reading]
    for service in ('workspace', 'workspaceapp'):
        assert [(int(hw.query(r)['offset']), int(hw.query(r)['limit'])) for r in listings(hw, service)] == pages


def test_image_server_query_parameters_partial_name_id_and_enterprise_project(hw):  # noqa: F811
    hw.stack.seed_workspace(servers=30)
    everything = api(hw, 'workspaceapp', '/v1/%s/image-servers', dict(limit=100))['items']

    named = run(hw, SERVERS, dict(server_name='build-win'))
    assert named['image_servers'] and all('build-win' in s['name'] for s in named['image_servers']), named
    assert {s['id'] for s in named['image_servers']} == {s['id'] for s in everything if 'build-win' in s['name']}

    one = run(hw, SERVERS, dict(server_id=everything[3]['id']))
    assert [s['id'] for s in one['image_servers']] == [everything[3]['id']] and one['count'] == 1, one

    (enterprise_project,) = hw.stack.state()['workspace']['enterprise_projects'][hw.project()]
    hw.stack.clear_requests()
    in_project = run(hw, SERVERS, dict(enterprise_project_id=enterprise_project, server_name='server'))
    assert in_project['image_servers'], in_project
    assert {s['enterprise_project_id'] for s in in_project['image_servers']} == {enterprise_project}
    (request,) = listings(hw, 'workspaceapp')
    assert hw.query(request) == dict(enterprise_project_id=enterprise_project, server_name='server', offset='0',
                                     limit='100')


def test_an_enterprise_project_filter_lists_that_project_not_the_default_one(hw):  # noqa: F811
    hw.stack.seed_workspace(servers=30)
    (enterprise_project,) = hw.stack.state()['workspace']['enterprise_projects'][hw.project()]
    hw.stack.clear_requests()
    found = run(hw, SERVERS, dict(filters=dict(enterprise_project_id=enterprise_project)))
    assert found['image_servers'], found
    assert {s['enterprise_project_id'] for s in found['image_servers']} == {enterprise_project}, found
    assert [hw.query(r)['enterprise_project_id'] for r in listings(hw, 'workspaceapp')] == [enterprise_project]


def test_image_servers_come_back_in_full_with_nested_objects(hw):  # noqa: F811
    hw.stack.seed_workspace(servers=14)     # every status in the default enterprise project
    expected = api(hw, 'workspaceapp', '/v1/%s/image-servers', dict(limit=100))['items']
    result = run(hw, SERVERS)
    assert [s['id'] for s in result['image_servers']] == [s['id'] for s in expected], result
    for got, sent in zip(result['image_servers'], expected):
        assert set(got) == SERVER_FIELDS
        assert got['image_ref'] == sent['image_ref']
        assert [dict((k, v) for k, v in a.items() if v is not None) for a in got['authorize_accounts']] == \
            sent['authorize_accounts']
        assert all(set(a) == {'account', 'account_type', 'domain'} for a in got['authorize_accounts'])
        assert dict((k, v) for k, v in got.items() if k not in ('image_ref', 'authorize_accounts')) == \
            dict((k, v) for k, v in sent.items() if k not in ('image_ref', 'authorize_accounts'))
    statuses = {s['status'] for s in result['image_servers']}
    assert statuses == {'CREATING', 'ACTIVE', 'BUILDING', 'BUILT', 'ERROR', 'DELETING', 'NULL'}
    assert any(a['domain'] for s in result['image_servers'] for a in s['authorize_accounts'])


def test_filters_match_fields_the_api_cannot_filter_and_nested_ones(hw):  # noqa: F811
    hw.stack.seed_workspace(servers=300)
    hw.stack.clear_requests()
    building = run(hw, SERVERS, dict(filters={'status': 'BUILDING'}, limit=30))
    assert len(building['image_servers']) == 30 and {s['status'] for s in building['image_servers']} == {'BUILDING'}
    # Filters are matched here: the pages stay the largest until 30 match (one in 7 is BUILDING).
    assert [hw.query(r)['limit'] for r in listings(hw, 'workspaceapp')] == ['100', '100', '100']
    assert 'status' not in hw.query(listings(hw, 'workspaceapp')[0])

    gold = run(hw, SERVERS, dict(filters={'image_ref.image_type': 'gold', 'status': 'ACTIVE'}))
    assert gold['image_servers'] and all(s['image_ref']['image_type'] == 'gold' and s['status'] == 'ACTIVE'
                                         for s in gold['image_servers']), gold

    qcow2 = run(hw, IMAGES, dict(filters={'disk_format': 'qcow2', 'min_disk': 40}))
    assert qcow2['images'] and all(i['disk_format'] == 'qcow2' and i['min_disk'] == 40 for i in qcow2['images'])
    assert not qcow2.get('warnings')


def test_a_filter_on_a_field_no_record_has_warns(hw):  # noqa: F811
    result = run(hw, SERVERS, dict(filters={'stauts': 'BUILDING'}))
    assert not result.failed and result['image_servers'] == [], result
    warnings = json.dumps(result['warnings'])      # text, or the structured warnings of ansible-core 2.19+
    assert 'filters: no image server listed has the field stauts' in warnings and ' status,' in warnings, result


@pytest.mark.parametrize('auth', ['aksk', 'temporary', 'password', 'token'])
def test_every_way_to_authenticate_lists_the_same_project(hw, auth):  # noqa: F811
    expected_images = [i['id'] for i in api(hw, 'workspace', '/v2/%s/images')['images']]
    expected_servers = [s['id'] for s in api(hw, 'workspaceapp', '/v1/%s/image-servers', dict(limit=100))['items']]
    args = dict(auth_token=hw.stack.login('owner')) if auth == 'token' else {}
    auth = 'none' if auth == 'token' else auth
    images = run(hw, IMAGES, args, auth=auth)
    servers = run(hw, SERVERS, args, auth=auth)
    assert [i['id'] for i in images['images']] == expected_images, images
    assert [s['id'] for s in servers['image_servers']] == expected_servers, servers


def test_sdk_environment_variables_and_the_project_given_need_no_iam_look_up(hw):  # noqa: F811
    env = dict(hw.stack.env('owner'), IMS_WORKSPACE_ENDPOINT=hw.stack.workspace_url)
    module_args = hw.stack.module_args('owner', auth='none', service='workspace')
    del module_args['workspace_endpoint']
    result = run_module(IMAGES, module_args, module_env(env, drop_prefixes=CONNECTION_PREFIXES))
    assert not result.failed and result['images'], result
    assert not hw.stack.requests('iam')
    assert [r['project'] for r in listings(hw, 'workspace')] == [hw.project()]


def test_check_mode_lists_the_same(hw):  # noqa: F811
    normal = run(hw, SERVERS)
    checked = run(hw, SERVERS, check=True)
    assert not checked.failed and not checked.changed, checked
    assert checked['image_servers'] == normal['image_servers']
    assert not hw.writes()


@pytest.mark.parametrize('module,args,words', [
    (IMAGES, dict(limit=0), ['limit must be 1 or more', 'got 0']),
    (SERVERS, dict(limit=-5), ['limit must be 1 or more', 'got -5']),
    (IMAGES, dict(sort_field='size'), ['sort_field', 'name, created_at', 'size']),
    (IMAGES, dict(sort_type='up'), ['sort_type', 'asc, desc', 'up']),
    (IMAGES, dict(image_type='public'), ['image_type', 'gold, private', 'public']),
    (SERVERS, dict(provider='cecloud'), ['provider', 'huaweicloud', 'cecloud']),
    (SERVERS, dict(workspace_app_endpoint='ftp://app.example.com'), ['workspace_app_endpoint', 'http://']),
    (IMAGES, dict(region='CN North 4'), ['region', 'cn-north-4']),
    (IMAGES, dict(image_type='gold', filters=dict(image_type='private')),
     ['image_type gold and filters.image_type private ask for different images: give one of them.']),
    (SERVERS, dict(enterprise_project_id='0', filters=dict(enterprise_project_id='ep-1')),
     ['enterprise_project_id 0 and filters.enterprise_project_id ep-1 ask for different image servers']),
], ids=['limit-0', 'limit-negative', 'sort_field', 'sort_type', 'image_type', 'provider', 'app-endpoint', 'region',
        'image_type-and-its-filter', 'enterprise_project-and-its-filter'])
def test_bad_input_fails_clearly_before_any_request(hw, module, args, words):  # noqa: F811
    hw.stack.clear_requests()
    result = run(hw, module, args)
    assert result.failed, result
    assert all(word in result['msg'] for word in words), result['msg']
    assert hw.stack.requests() == []


def test_a_wrong_signature_is_refused_by_the_service_and_named(hw):  # noqa: F811
    tenant = hw.stack.tenant('owner')
    for module, service in ((IMAGES, 'workspace'), (SERVERS, 'workspaceapp')):
        hw.stack.clear_requests()
        result = run(hw, module, dict(secret_key='not-the-secret-key-' + tenant.secret_key[:4], project_id=hw.project()))
        assert result.failed, result
        assert result['http_status'] == 401 and result['error_code'].startswith('APIGW.'), result
        assert 'refused the credentials' in result['msg'] and 'secret_key' in result['msg'], result['msg']
        assert len(listings(hw, service)) == 1    # refused once, not retried
        assert tenant.secret_key not in json.dumps(result.result)


def test_a_service_error_is_reported_with_its_code_and_request_id(hw):  # noqa: F811
    hw.stack.set_faults(rules=[dict(service='workspaceapp', method='GET', path='/image-servers', action='error',
                                    status=500, count=10)])
    result = run(hw, SERVERS, dict(retries=1))
    assert result.failed and result['http_status'] == 500, result
    assert result['error_code'] == 'APIGW.0203' and result['request_id'], result
    assert 'image servers' in result['msg'], result['msg']
    assert len(listings(hw, 'workspaceapp')) == 2      # the first try and one retry


def test_playbook_with_module_defaults_lists_private_images_and_servers_still_building(hw):  # noqa: F811
    """The README example: one module_defaults group (endpoint = the IMS URL) for IMS and both Workspace modules."""
    hw.seed(2, prefix='golden-')
    connection = dict(hw.stack.module_args('owner', service='ims'), **hw.stack.module_args('owner', service='workspace'))
    expected_private = [i['id'] for i in api(hw, 'workspace', '/v2/%s/images', dict(image_type='private'))['images']]
    expected_building = [s['id'] for s in api(hw, 'workspaceapp', '/v1/%s/image-servers', dict(limit=100))['items']
                         if s['status'] == 'BUILDING']
    cmd = [os.path.join(BIN, 'ansible-playbook'), os.path.join(TARGETS, 'workspace_info', 'main.yml'), '-i', 'localhost,',
           '-c', 'local', '-e', json.dumps(dict(connection=connection, expected_private=expected_private,
                                                expected_building=expected_building, expected_ims=2))]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False, timeout=600,
                          env=module_env({}, drop_prefixes=CONNECTION_PREFIXES))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert 'failed=0' in proc.stdout
