# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_info with ``provider: huaweicloud`` through the Huawei emulator: scopes, server-side filters, paging
(N images cost ceil(N / 500) requests), every way to authenticate."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math

import pytest

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import


def listings(hw):  # pylint: disable=redefined-outer-name
    return hw.ims_requests('GET', '/v2/cloudimages')


def test_private_scope_lists_the_project_s_images_by_owner_and_a_look_up_by_name_asks_the_server(hw):  # noqa: F811
    ids = hw.seed(3, prefix='own-')
    hw.seed(2, prefix='theirs-', tenant='recipient')
    hw.stack.clear_requests()

    mine = hw.module('ims_image_info', dict(scope='private'))
    assert not mine.failed and not mine.changed, mine
    assert sorted(i['image_id'] for i in mine['images']) == sorted(ids)
    assert all(i['scope'] == 'private' and i['image_id'] == i['id'] for i in mine['images'])
    assert any('__imagetype' in i and '__os_type' in i for i in mine['images'])
    assert [hw.query(r).get('owner') for r in listings(hw)] == [hw.project()]

    hw.stack.clear_requests()
    one = hw.module('ims_image_info', dict(scope='private', name='own-00001'))
    assert [i['image_id'] for i in one['images']] == [ids[1]], one
    (request,) = listings(hw)
    assert hw.query(request).get('name') == 'own-00001' and hw.query(request).get('limit') == '500'

    by_id = hw.module('ims_image_info', dict(id=ids[2]))
    assert [i['image_id'] for i in by_id['images']] == [ids[2]] and by_id['images'][0]['scope'] == 'private'


def test_public_scope_and_server_side_filters(hw):  # noqa: F811
    hw.seed(2, prefix='lin-', __os_type='Linux')
    hw.seed(1, prefix='win-', __os_type='Windows', __platform='Windows')
    public = hw.module('ims_image_info', dict(scope='public'))
    assert public['images'] and all(i['__imagetype'] == 'gold' for i in public['images']), public

    hw.stack.clear_requests()
    windows = hw.module('ims_image_info', dict(scope='private', filters={'__os_type': 'Windows', 'status': 'active'}))
    assert [i['name'] for i in windows['images']] == ['win-00000'], windows
    (request,) = listings(hw)
    assert hw.query(request).get('__os_type') == 'Windows' and hw.query(request).get('status') == 'active'
    assert not windows.get('warnings')

    contains = hw.module('ims_image_info', dict(scope='private', name_contains='lin-'))
    assert sorted(i['name'] for i in contains['images']) == ['lin-00000', 'lin-00001']


# page_info.next_marker: the Python SDK's model has it, Terraform says the service sends none (both readings).
@pytest.mark.parametrize('next_marker', [True, False], ids=['page_info', 'no_page_info'])
@pytest.mark.parametrize('count', [1000, 1001])
def test_n_images_cost_ceil_n_over_500_requests(hw, count, next_marker):  # noqa: F811
    hw.stack.set_switches(next_marker=next_marker)
    hw.seed(count, prefix='bulk-')
    hw.stack.clear_requests()
    result = hw.module('ims_image_info', dict(scope='private'))
    assert len(result['images']) == count and len(set(i['image_id'] for i in result['images'])) == count
    # Without page_info a full last page costs one (empty) request more: nothing says it was the last.
    extra = 0 if next_marker or count % 500 else 1
    assert len(listings(hw)) == math.ceil(count / 500.0) + extra
    assert all(('marker' in hw.query(r)) == (n > 0) for n, r in enumerate(listings(hw)))


def test_a_limit_asks_for_no_more_than_it_needs(hw):  # noqa: F811
    hw.seed(30, prefix='few-')
    hw.stack.clear_requests()
    result = hw.module('ims_image_info', dict(scope='private', limit=7))
    assert len(result['images']) == 7
    (request,) = listings(hw)
    assert hw.query(request).get('limit') == '7'


@pytest.mark.parametrize('auth', ['aksk', 'temporary', 'password'])
def test_every_way_to_authenticate_reaches_the_same_project(hw, auth):  # noqa: F811
    ids = hw.seed(1, prefix='auth-')
    result = hw.module('ims_image_info', dict(scope='private'), auth=auth)
    assert [i['image_id'] for i in result['images']] == ids, result


def test_a_token_with_its_project_found_through_iam(hw):  # noqa: F811
    ids = hw.seed(1, prefix='tok-')
    token = hw.stack.login('owner')
    result = hw.module('ims_image_info', dict(scope='private', auth_token=token), auth='none')
    assert [i['image_id'] for i in result['images']] == ids, result
    lookups = [r for r in hw.stack.requests('iam') if r['path'] == '/v3/projects']
    assert len(lookups) == 1


def test_huawei_sdk_environment_variables_are_read(hw):  # noqa: F811
    ids = hw.seed(1, prefix='env-')
    env = hw.stack.env('owner', temporary=True)
    result = hw.module('ims_image_info', dict(scope='private'), auth='none', env=env)
    assert [i['image_id'] for i in result['images']] == ids, result
    assert not [r for r in hw.stack.requests('iam') if r['path'] == '/v3/projects']     # the project came from the env
