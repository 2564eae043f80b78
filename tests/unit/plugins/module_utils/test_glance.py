# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GlanceDialect and the Glance metadata rules, through real HTTP on loopback where the wire matters.

What needs a page cap or an error body the test stack's Glance does not produce is tested here:
marker paging past a capped page, a ``next`` link that repeats itself, error bodies of Glance,
keystonemiddleware and HTML pages, and the JSON patch of a change set.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core.client import ImsClient, RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._openstack.glance import (
    MAX_PAGE_SIZE, GlanceBackend, GlanceDialect, check_metadata, metadata_changes, patch_operations)
from ansible_collections.cecloud.ims.plugins.module_utils._service import ImageService
from tests.unit.plugins.module_utils.local_http import LocalServer

JSON = {'Content-Type': 'application/json'}


def client(server):
    return ImsClient(server.url, 'RegionOne', dialect=GlanceDialect(), retry_policy=RetryPolicy(retries=0))


def capped_listing(total, cap):
    """A Glance that holds ``total`` images and serves at most ``cap`` per page, with ``next`` links."""
    ids = ['%08d-0000-0000-0000-000000000000' % n for n in range(total)]

    def answer(request):
        query = parse_qs(urlsplit(request.path).query)
        limit = min(int(query['limit'][0]), cap)
        start = ids.index(query['marker'][0]) + 1 if 'marker' in query else 0
        page = ids[start:start + limit]
        body = {'images': [{'id': i, 'name': 'n%s' % i[:8]} for i in page], 'first': '/v2/images'}
        if start + limit < len(ids):
            body['next'] = '/v2/images?limit=%d&marker=%s&status=active' % (limit, page[-1])
        return 200, JSON, body
    return answer


def test_listing_asks_for_the_largest_page_and_follows_next_past_a_capped_page():
    with LocalServer(capped_listing(total=7, cap=3)) as server:
        images = list(GlanceBackend(client(server)).list_images({'status': 'active'}))

    assert len(images) == 7 and all(i['image_id'] == i['id'] for i in images)
    first = parse_qs(urlsplit(server.requests[0].path).query)
    assert first['limit'] == [str(MAX_PAGE_SIZE)] and first['status'] == ['active']
    # ceil(7 / 3) pages: the filters travel in the next link's query.
    assert len(server.requests) == 3
    assert all('status=active' in r.path for r in server.requests)


def test_a_next_link_that_repeats_its_marker_ends_the_listing():
    def answer(request):  # pylint: disable=unused-argument
        return 200, JSON, {'images': [{'id': 'a'}], 'next': '/v2/images?marker=a'}

    with LocalServer(answer) as server:
        images = list(GlanceBackend(client(server)).list_images({}))
    assert len(images) == 2 and len(server.requests) == 2


@pytest.mark.parametrize('status,headers,body,code,message', [
    (404, JSON, {'message': 'No image found with ID x<br /><br />\n', 'code': '404 Not Found', 'title': 'Not Found'},
     'HTTP404', 'No image found with ID x'),
    (401, JSON, {'error': {'code': 401, 'title': 'Unauthorized', 'message': 'The request you have made requires authentication.'}},
     'HTTP401', 'The request you have made requires authentication'),
    (400, JSON, {'error': {'code': 'IMG.0001', 'message': 'bad request'}}, 'IMG.0001', 'bad request'),
    (403, {'Content-Type': 'text/html'}, b'<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1>'
     b'Image is protected<br /><br /></body></html>', 'HTTP403', 'Image is protected'),
])
def test_error_bodies_become_an_error_with_code_message_request_id_and_status(status, headers, body, code, message):
    def answer(request):  # pylint: disable=unused-argument
        return status, dict(headers, **{'x-openstack-request-id': 'req-123'}), body

    with LocalServer(answer) as server:
        with pytest.raises(ImsApiError) as error:
            client(server).call('DELETE', '/v2/images/x', operation='delete image x')
    assert error.value.code == code and error.value.http_status == status and error.value.request_id == 'req-123'
    assert message in error.value.message and '<' not in error.value.message


def test_a_204_is_success_without_data():
    with LocalServer(lambda request: (204, {}, b'')) as server:
        assert client(server).call('POST', '/v2/images/x/actions/deactivate') is None


def test_get_image_is_none_for_404_and_raises_otherwise():
    def answer(request):
        return (404, JSON, {'message': 'gone'}) if request.path.endswith('/gone') else (500, JSON, {'message': 'boom'})

    with LocalServer(answer) as server:
        backend = GlanceBackend(client(server))
        assert backend.get_image('gone') is None
        with pytest.raises(ImsApiError):
            backend.get_image('broken')


def test_patch_adds_replaces_and_removes_only_what_changed():
    image = {'name': 'a', 'tags': ['x'], 'os_distro': 'ubuntu', 'min_disk': 1}
    changes = metadata_changes(image, dict(name='a', tags=['y', 'x'], min_disk=1,
                                           properties={'os_distro': None, 'hw_firmware_type': 'uefi', 'missing': None}))
    assert changes == {'tags': (['x'], ['x', 'y']), 'os_distro': ('ubuntu', None), 'hw_firmware_type': (None, 'uefi')}
    operations = patch_operations(image, dict((k, v[1]) for k, v in changes.items()))
    assert operations == [{'op': 'add', 'path': '/hw_firmware_type', 'value': 'uefi'},
                          {'op': 'remove', 'path': '/os_distro'},
                          {'op': 'replace', 'path': '/tags', 'value': ['x', 'y']}]
    assert patch_operations({'a/b': '1'}, {'a/b': '2'}) == [{'op': 'replace', 'path': '/a~1b', 'value': '2'}]


def test_formats_are_fixed_once_the_image_holds_data():
    image = {'image_id': 'i', 'status': 'active', 'disk_format': 'raw', 'container_format': 'bare'}
    with pytest.raises(ImsValidationError, match='disk_format of image i cannot change: the image is active'):
        metadata_changes(image, dict(disk_format='qcow2'))
    assert metadata_changes(dict(image, status='queued'), dict(disk_format='qcow2')) == {'disk_format': ('raw', 'qcow2')}


def test_properties_are_text_and_glance_fields_are_refused():
    params = dict(properties={'hw_qemu_guest_agent': True, 'hw_vif_multiqueue_enabled': False, 'cores': 2, 'gone': None})
    check_metadata(params)
    assert params['properties'] == {'hw_qemu_guest_agent': 'true', 'hw_vif_multiqueue_enabled': 'false', 'cores': '2',
                                    'gone': None}
    with pytest.raises(ImsValidationError, match='properties cannot set these fields: name, status'):
        check_metadata(dict(properties={'status': 'active', 'name': 'x'}))


@pytest.mark.parametrize('visibility', ['private', 'shared', 'community', 'public'])
def test_glance_visibilities_pass(visibility):
    check_metadata(dict(visibility=visibility))


def test_another_providers_visibility_is_refused_naming_glances():
    with pytest.raises(ImsValidationError, match='visibility market is not accepted by provider openstack; use one of '
                                                 'private, shared, community, public.'):
        check_metadata(dict(visibility='market'))


def test_look_ups_leave_out_an_image_on_its_way_out_unless_a_status_filter_asks():
    """Glance's delayed delete keeps a deleted image as ``pending_delete``: no look-up hands it to a playbook as an image."""
    going = {'id': '00000000-0000-0000-0000-00000000dead', 'name': 'going', 'status': 'pending_delete', 'owner': 'p1',
             'visibility': 'private'}

    def answer(request):
        if urlsplit(request.path).path == '/v2/images/' + going['id']:
            return 200, JSON, going
        return 200, JSON, {'images': [going]}

    with LocalServer(answer) as server:
        service = ImageService(GlanceBackend(client(server), {'project_id': 'p1'}))
        assert service.list_images(scope='private', image_id=going['id']) == []
        assert service.list_images(name='going') == []
        assert service.find_image(name='going') is None
        asked = service.list_images(scope='private', name='going', filters={'status': 'pending_delete'})
    assert [(i['image_id'], i['status']) for i in asked] == [(going['id'], 'pending_delete')]
    assert 'status=pending_delete' in server.requests[-1].path
