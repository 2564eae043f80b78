# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Workspace wire format where the emulator cannot reach: hosts by region, paging against totals that lie or a
service that ignores ``offset``, error bodies answered with HTTP 200, records with fields left out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._core.client import ImsClient, RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.core import HuaweiAkSkAuth
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.workspace import (
    Listing, WorkspaceBackend, image_server, product_image)

from tests.unit.plugins.module_utils import provider_params
from tests.unit.plugins.module_utils.provider_params import task_params

from .local_http import LocalServer

AK = 'AKEXAMPLEEXAMPLE0001'
SK = 'SKexampleSecretKey0000000000000000000001'
PROJECT = '0123456789abcdef0123456789abcdef'


pytestmark = pytest.mark.usefixtures('no_provider_env')


def loaded(**options):
    """Provider huaweicloud's options, with the AK/SK unless given."""
    return provider_params.loaded('huaweicloud', **dict({'access_key': AK, 'secret_key': SK}, **options))[0]


@pytest.mark.parametrize('region,workspace,app', [
    ('cn-north-4', 'https://workspace.cn-north-4.myhuaweicloud.com', 'https://appstream.cn-north-4.myhuaweicloud.com'),
    ('cn-southwest-2', 'https://workspace.cn-southwest-2.myhuaweicloud.com',
     'https://appstream.cn-southwest-2.myhuaweicloud.com'),
    ('cn-east-5', 'https://workspace.cn-east-5.myhuaweicloud.com', 'https://workspace.cn-east-5.myhuaweicloud.com'),
    ('ap-southeast-1', 'https://workspace.ap-southeast-1.myhuaweicloud.com',
     'https://workspace.ap-southeast-1.myhuaweicloud.com'),
])
def test_the_endpoints_default_to_the_sdk_s_host_of_the_region(region, workspace, app):
    params = loaded(region=region)
    assert (params['workspace_endpoint'], params['workspace_app_endpoint']) == (workspace, app)
    assert params['endpoint'] == 'https://ims.%s.myhuaweicloud.com' % region     # IMS's own, untouched


def test_the_endpoints_come_from_the_options_then_the_environment(monkeypatch):
    monkeypatch.setenv('IMS_WORKSPACE_ENDPOINT', 'https://ws.example.com')
    monkeypatch.setenv('IMS_WORKSPACE_APP_ENDPOINT', 'https://app-env.example.com')
    params = loaded(region='cn-north-4', workspace_app_endpoint='https://app.example.com')
    assert (params['workspace_endpoint'], params['workspace_app_endpoint']) == (
        'https://ws.example.com', 'https://app.example.com')


@pytest.mark.parametrize('option', ['workspace_endpoint', 'workspace_app_endpoint'])
def test_a_bad_workspace_url_is_named(option):
    with pytest.raises(ImsValidationError, match=option):
        loaded(region='cn-north-4', **{option: 'workspace.example.com'})


def test_the_workspace_options_are_refused_by_the_other_providers():
    params = task_params(provider='cecloud', workspace_endpoint='https://ws.example.com')
    with pytest.raises(ImsValidationError, match='workspace_endpoint is not used by provider cecloud'):
        _providers.get('cecloud').load(params)


def backend(url):
    params = loaded(region='cn-north-4', project_id=PROJECT, workspace_endpoint=url, workspace_app_endpoint=url)
    client = ImsClient(params['endpoint'], params['region'], auth=HuaweiAkSkAuth.from_params(params),
                       retry_policy=RetryPolicy(retries=0))
    return WorkspaceBackend(client, params)


def offsets(server):
    return [(int(q['offset'][0]), int(q['limit'][0])) for q in (parse_qs(urlsplit(r.path).query) for r in server.requests)]


def records(count, start=0):
    return [{'id': 'img-%03d' % n, 'name': 'n%03d' % n} for n in range(start, start + count)]


# Whatever the total says - none, right, too small (ListImages' example shows 1 beside two images; 100 at a page's end), too
# large - the empty page ends the listing, every record is listed, and the total is the records counted.
@pytest.mark.parametrize('claimed', [None, 200, 100, 1, 1000])
def test_offset_paging_stops_on_an_empty_page_whatever_the_total_says(claimed):
    rows = records(200)

    def answer(request):
        query = parse_qs(urlsplit(request.path).query)
        offset, limit = int(query['offset'][0]), int(query['limit'][0])
        body = {'images': rows[offset:offset + limit]}
        if claimed is not None:
            body['total_count'] = claimed
        return 200, {}, body

    with LocalServer(answer) as server:
        listing = Listing()
        found = list(backend(server.url).list_images({}, listing))
    assert [i['id'] for i in found] == [r['id'] for r in rows]
    assert offsets(server) == [(0, 100), (100, 100), (200, 100)]
    assert listing.total == 200
    assert all(urlsplit(r.path).path == '/v2/%s/images' % PROJECT for r in server.requests)


def test_a_service_that_ignores_offset_is_read_once_and_records_are_not_repeated():
    with LocalServer(lambda request: (200, {}, {'items': records(100), 'count': 1000})) as server:
        found = list(backend(server.url).list_image_servers({}, Listing()))
    assert len(found) == 100 and len(server.requests) == 2


def test_records_that_shift_between_pages_are_returned_once():
    pages = [records(100), records(100, start=99)[:51]]      # one record created at the top between the pages

    with LocalServer(lambda request: (200, {}, {'items': pages[len(server.requests) - 1], 'count': 150})) as server:
        found = list(backend(server.url).list_image_servers({}, Listing()))
    assert [s['id'] for s in found] == ['img-%03d' % n for n in range(150)]
    assert offsets(server) == [(0, 100), (100, 100)]


def test_an_error_body_answered_with_200_is_an_error():
    body = {'error_code': 'WKS.0001', 'error_msg': 'The request message is empty', 'error_detail': '',
            'encoded_authorization_message': ''}
    with LocalServer(lambda request: (200, {'X-Request-Id': 'req-1'}, body)) as server:
        with pytest.raises(ImsApiError) as caught:
            list(backend(server.url).list_images({}, Listing()))
    assert (caught.value.code, caught.value.request_id, caught.value.http_status) == ('WKS.0001', 'req-1', 200)
    assert 'The request message is empty' in str(caught.value)


def test_a_limit_asks_for_no_more_than_it_needs_and_never_for_zero():
    listing = Listing(wanted=3)
    assert listing.page_size(100) == 3
    for _dummy in range(3):
        listing.take()
    assert listing.satisfied() and listing.page_size(100) == 1


def test_records_carry_every_documented_field_and_not_set_statuses_read_null():
    image = product_image({'id': 'i', 'name': 'n', 'minDisk': 40})
    assert image['min_disk'] == 40 and image['kms_id'] is None and image['architecture'] is None
    for status in ('NULL', 'null', None):
        server = image_server({'id': '1', 'status': status, 'image_ref': {'id': 'x', 'image_type': 'gold'},
                               'authorize_accounts': [{'account': 'u', 'account_type': 'USER'}]})
        assert server['status'] == 'NULL'
    assert server['image_ref'] == {'id': 'x', 'image_type': 'gold', 'spce_code': None, 'product_id': None}
    assert server['authorize_accounts'] == [{'account': 'u', 'account_type': 'USER', 'domain': None}]
    assert image_server({'status': 'BUILDING', 'image_ref': None, 'authorize_accounts': None}) == dict(
        image_server({}), status='BUILDING')
