# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_info against the emulator: scopes, look-ups, paging cost, errors."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import http.server
import threading

import pytest

from tests.integration.conftest import assert_look_ups_leave_out_a_deleted_image


def list_requests(ims, path):
    return [r for r in ims.requests() if r['method'] == 'GET' and r['path'] == '/api/image/v1' + path]


def test_playbook_with_module_defaults(ims):
    ims.stack.seed(tenant='tenant-a', count=7, prefix='bulk-')
    proc = ims.playbook('ims_image_info/main.yml', extra_vars={'expected_bulk': 7})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'failed=0' in proc.stdout


def test_public_images_are_listed(ims):
    run = ims.module('ims_image_info', {'scope': 'public'})
    assert not run.failed and not run.changed, run
    assert len(run['images']) >= 3
    assert {i['scope'] for i in run['images']} == {'public'}
    assert all(i['visibility'] == 'public' and i['status'] == 'active' for i in run['images'])


def test_250_private_images_cost_3_requests(ims):
    ims.stack.seed(tenant='tenant-a', count=250, prefix='bulk-')
    ims.stack.clear_requests()
    run = ims.module('ims_image_info', {'scope': 'private'})
    assert not run.failed, run
    assert len(run['images']) == 250
    assert len({i['image_id'] for i in run['images']}) == 250
    pages = list_requests(ims, '/private-images')
    assert [r['query'] for r in pages] == ['size=100&current=%d' % n for n in (1, 2, 3)]
    assert len(ims.requests()) == 3


def test_all_scopes_tag_each_image_and_carry_share_ids(ims):
    ims.stack.seed(tenant='tenant-a', count=2, prefix='mine-')
    theirs = ims.stack.seed(tenant='tenant-b', count=1, prefix='theirs-')
    image_id = _seeded_ids(theirs)[0]
    ims.api('POST', '/private-images/%s/share' % image_id, tenant='tenant-b',
            json={'shares': {'user_ids': [ims.stack.tenant('tenant-a')['user_id']]}})
    run = ims.module('ims_image_info', {})
    assert not run.failed, run
    scopes = [i['scope'] for i in run['images']]
    assert scopes == sorted(scopes, key=['private', 'shared', 'public'].index)
    assert scopes.count('private') == 2 and scopes.count('shared') == 1 and scopes.count('public') >= 3
    shared = [i for i in run['images'] if i['scope'] == 'shared'][0]
    assert shared['image_id'] == image_id and shared['share_id'].startswith('img-share-')
    assert all('share_id' not in i for i in run['images'] if i['scope'] != 'shared')


def test_lookups_by_id_name_contains_filters_and_limit(ims):
    seeded = _seeded_ids(ims.stack.seed(tenant='tenant-a', count=5, prefix='web-'))
    ims.stack.seed(tenant='tenant-a', count=3, prefix='db-', status='queued')
    by_id = ims.module('ims_image_info', {'id': seeded[2], 'scope': 'private'})
    assert [i['image_id'] for i in by_id['images']] == [seeded[2]]
    contains = ims.module('ims_image_info', {'scope': 'private', 'name_contains': 'web-'})
    assert sorted(i['image_id'] for i in contains['images']) == sorted(seeded)
    queued = ims.module('ims_image_info', {'scope': 'private', 'filters': {'status': 'queued'}})
    assert len(queued['images']) == 3 and all(i['name'].startswith('db-') for i in queued['images'])
    ims.stack.clear_requests()
    limited = ims.module('ims_image_info', {'scope': 'private', 'limit': 2})
    assert len(limited['images']) == 2
    assert [r['query'] for r in ims.requests()] == ['size=2&current=1']
    name = contains['images'][0]['name']
    exact = ims.module('ims_image_info', {'name': name})
    assert [i['name'] for i in exact['images']] == [name]
    assert ims.module('ims_image_info', {'id': 'img-doesnotexist'})['images'] == []


def test_check_mode_returns_the_same(ims):
    ims.stack.seed(tenant='tenant-a', count=3, prefix='cm-')
    normal = ims.module('ims_image_info', {'scope': 'private'})
    checked = ims.module('ims_image_info', {'scope': 'private'}, check=True)
    assert checked['images'] == normal['images'] and not checked.changed


def test_limit_below_one_fails_before_any_request(ims):
    run = ims.module('ims_image_info', {'limit': 0})
    assert run.failed and 'limit must be 1 or more' in run['msg']
    assert ims.requests() == []


@pytest.mark.parametrize('missing,variable', [('IMS_ENDPOINT', 'endpoint'), ('IMS_REGION', 'region')])
def test_missing_endpoint_or_region_names_option_and_variable(ims, missing, variable):
    run = ims.module('ims_image_info', {}, env={missing: ''})
    assert run.failed
    assert variable in run['msg'] and missing in run['msg']
    assert ims.requests() == []


def test_unreachable_endpoint_reports_url_and_cause_after_retries(ims):
    run = ims.module('ims_image_info', {'scope': 'public', 'retries': 2}, env={'IMS_ENDPOINT': 'http://127.0.0.1:9'})
    assert run.failed
    assert 'http://127.0.0.1:9/api/image/v1/images' in run['msg']
    assert '3 attempt(s)' in run['msg'] and 'Connection refused' in run['msg']


def test_refused_token_says_so_and_is_not_retried(ims):
    run = ims.module('ims_image_info', {'scope': 'public'}, env={'IMS_AUTH_TOKEN': 'not-a-valid-token-123'})
    assert run.failed and 'refused the credentials' in run['msg'] and run['http_status'] == 401
    assert len(ims.requests()) == 1
    assert 'not-a-valid-token-123' not in run.stdout


class _HtmlErrorHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # pylint: disable=invalid-name
        body = b'<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>'
        self.send_response(502)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


def test_non_json_error_body_reports_status_and_body_start(ims):
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _HtmlErrorHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        run = ims.module('ims_image_info', {'scope': 'public', 'retries': 0},
                         env={'IMS_ENDPOINT': 'http://127.0.0.1:%d' % server.server_address[1]})
    finally:
        server.shutdown()
        server.server_close()
    assert run.failed
    assert 'HTTP 502' in run['msg'] and '<html><head><title>502 Bad Gateway' in run['msg']


def _seeded_ids(seed_answer):
    """Image ids from the emulator's seed answer."""
    return seed_answer['imageIds']


@pytest.fixture
def capped_ims(stack):
    """An emulator that serves at most 50 items per page whatever ``size`` asks (``total`` stays true)."""
    from tests.emulator.stack import Stack  # pylint: disable=import-outside-toplevel
    from tests.integration.conftest import Ims  # pylint: disable=import-outside-toplevel
    with Stack(transition_seconds=0.3, s3=stack, emulator_args=['--page-cap', '50']) as capped:
        yield Ims(capped)


def test_a_service_that_caps_pages_below_the_asked_size_is_paged_to_its_total(capped_ims):
    capped_ims.stack.seed(tenant='tenant-a', count=120, prefix='capped-')
    capped_ims.stack.clear_requests()
    run = capped_ims.module('ims_image_info', {'scope': 'private'})
    assert not run.failed, run
    assert sorted(i['name'] for i in run['images']) == ['capped-%05d' % n for n in range(120)]
    # The first page asks for 100 and gets 50; the rest are asked at the size the service serves.
    pages = list_requests(capped_ims, '/private-images')
    assert [r['query'] for r in pages] == ['size=100&current=1', 'size=50&current=2', 'size=50&current=3']
    assert len(capped_ims.requests()) == 3


def test_a_filter_key_no_image_has_is_a_warning_naming_the_keys_they_have(ims):
    from tests.integration.test_tls import warning_texts  # pylint: disable=import-outside-toplevel
    ims.stack.seed(tenant='tenant-a', count=3, prefix='typo-')
    run = ims.module('ims_image_info', {'scope': 'private', 'filters': {'stauts': 'active'}})
    assert not run.failed and run['images'] == [], run
    warnings = [w for w in warning_texts(run) if 'stauts' in w]
    assert len(warnings) == 1, warning_texts(run)
    assert 'status' in warnings[0] and 'disk_format' in warnings[0] and 'image_id' in warnings[0], warnings[0]

    fine = ims.module('ims_image_info', {'scope': 'private', 'filters': {'status': 'killed'}})
    assert not fine.failed and fine['images'] == [] and warning_texts(fine) == [], fine
    found = ims.module('ims_image_info', {'scope': 'private', 'filters': {'status': 'active', 'disk_format': 'qcow2'}})
    assert len(found['images']) == 3 and warning_texts(found) == [], found


def test_the_fields_only_shared_images_carry_are_documented_in_return(ims):
    import yaml  # pylint: disable=import-outside-toplevel
    from ansible_collections.cecloud.ims.plugins.modules import ims_image_info  # pylint: disable=import-outside-toplevel
    theirs = _seeded_ids(ims.stack.seed(tenant='tenant-b', count=1, prefix='doc-'))[0]
    ims.api('POST', '/private-images/%s/share' % theirs, tenant='tenant-b',
            json={'shares': {'user_ids': [ims.stack.tenant('tenant-a')['user_id']]}})
    ims.stack.seed(tenant='tenant-a', count=1, prefix='own-')
    run = ims.module('ims_image_info', {'scope': 'all'})
    assert not run.failed, run
    shared = [i for i in run['images'] if i['scope'] == 'shared']
    others = [i for i in run['images'] if i['scope'] != 'shared']
    only_shared = set().union(*[set(i) for i in shared]) - set().union(*[set(i) for i in others])
    # The received-share listing (GET /shared-images) also gives the image's department, resource group, position
    # and source type, which no other listing has.
    assert only_shared == {'share_id', 'shared_at', 'department_id', 'resource_group_id', 'position', 'source_type'}, only_shared
    documented = yaml.safe_load(ims_image_info.RETURN)['images']['contains']
    assert only_shared <= set(documented), only_shared - set(documented)
    assert shared[0]['shared_at'].startswith('20')


def test_an_image_being_deleted_is_listed_only_when_a_status_filter_asks(ims):
    """The private list shows a deleted image (``status: deleted``) until it disappears: a look-up right after
    ``state: absent`` must find no image, whichever order and load the tests run in."""
    image_id = ims.module('ims_image', dict(name='going'))['image']['image_id']
    with ims.stack.hold_transitions():
        deleted = ims.module('ims_image', dict(name='going', state='absent'))
        assert deleted.changed and not deleted.failed, deleted
        assert [(i['imageId'], i['status']) for i in ims.images() if i['name'] == 'going'] == [(image_id, 'deleted')]
        assert_look_ups_leave_out_a_deleted_image(ims, image_id, 'going')
        assert [i['imageId'] for i in ims.images() if i['name'] == 'going'] == [image_id]
