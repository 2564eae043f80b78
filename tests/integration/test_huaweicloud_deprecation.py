# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image's deprecation options with ``provider: huaweicloud`` through the Huawei emulator (the state kept as the
custom attributes ims_deprecated_at / ims_replaced_by of PATCH /v2/cloudimages/{id}), and with ``provider: cecloud``
through the CECloud emulator, which refuses it (docs/api-notes.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import

UTC_TEXT = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$')


def stored(hw, image_id):  # pylint: disable=redefined-outer-name
    return next(i for i in hw.images() if i['id'] == image_id)


def test_deprecate_check_mode_then_deprecate_then_unchanged_then_undeprecate(hw):  # noqa: F811
    old_id, new_id = hw.seed(count=2, prefix='dep-')
    old_name = stored(hw, old_id)['name']
    args = dict(name=old_name, deprecated=True, replaced_by=stored(hw, new_id)['name'], deprecated_at='2026-12-01')
    hw.stack.clear_requests()

    planned = hw.module('ims_image', args, check=True, diff=True)
    assert planned.changed and not planned.failed, planned
    assert hw.writes() == [] and 'ims_deprecated_at' not in stored(hw, old_id)
    assert planned['diff'] == {'before': {'ims_deprecated_at': None, 'ims_replaced_by': None},
                               'after': {'ims_deprecated_at': '2026-12-01T00:00:00Z', 'ims_replaced_by': new_id}}

    deprecated = hw.module('ims_image', args, diff=True)
    assert deprecated.changed and not deprecated.failed, deprecated
    assert [(r['method'], r['path']) for r in hw.writes()] == [('PATCH', '/v2/cloudimages/' + old_id)]
    image = stored(hw, old_id)
    assert (image['ims_deprecated_at'], image['ims_replaced_by']) == ('2026-12-01T00:00:00Z', new_id), image
    result = deprecated['image']
    assert (result['deprecated'], result['deprecated_at'], result['replaced_by'], result['hidden']) == \
        (True, '2026-12-01T00:00:00Z', new_id, False), result

    hw.stack.clear_requests()
    again = hw.module('ims_image', dict(name=old_name, deprecated=True), diff=True)
    assert not again.changed and not again.failed and hw.writes() == [], again
    assert again['image']['deprecated_at'] == '2026-12-01T00:00:00Z' and again['image']['replaced_by'] == new_id

    undeprecated = hw.module('ims_image', dict(name=old_name, deprecated=False), diff=True)
    assert undeprecated.changed and not undeprecated.failed, undeprecated
    assert undeprecated['diff']['after'] == {'ims_deprecated_at': None, 'ims_replaced_by': None}
    image = stored(hw, old_id)
    assert 'ims_deprecated_at' not in image and 'ims_replaced_by' not in image
    assert undeprecated['image']['deprecated'] is False

    hw.stack.clear_requests()
    still = hw.module('ims_image', dict(name=old_name, deprecated=False))
    assert not still.changed and hw.writes() == [], still


def test_deprecated_now_by_default_and_bad_input_refused_before_any_write(hw):  # noqa: F811
    (image_id,) = hw.seed(count=1, prefix='dep-now-')
    name = stored(hw, image_id)['name']

    now = hw.module('ims_image', dict(name=name, deprecated=True))
    assert now.changed and UTC_TEXT.match(stored(hw, image_id)['ims_deprecated_at']), now

    hw.stack.clear_requests()
    hidden = hw.module('ims_image', dict(name=name, hidden=True))
    assert hidden.failed and hidden['msg'].startswith('The huaweicloud provider cannot hide an image'), hidden
    assert hw.stack.requests() == []
    bad_date = hw.module('ims_image', dict(name=name, deprecated=True, deprecated_at='2026-13-45'))
    assert bad_date.failed and 'deprecated_at must be an ISO 8601 date' in bad_date['msg'], bad_date
    assert [r for r in hw.stack.requests() if r.get('service') != 'iam'] == []
    missing = hw.module('ims_image', dict(name=name, deprecated=True, replaced_by='dep-nowhere'))
    assert missing.failed and "replaced_by 'dep-nowhere' names no image" in missing['msg'], missing
    assert hw.writes() == []


def test_cecloud_refuses_deprecation_before_any_request_and_no_image_of_it_is_deprecated(ims):
    image_id = ims.stack.seed(tenant='tenant-a', count=1, prefix='dep-', status='active')['imageIds'][0]
    name = next(i for i in ims.images() if i['imageId'] == image_id)['name']
    ims.stack.clear_requests()

    refused = ims.module('ims_image', dict(name=name, deprecated=True))
    assert refused.failed and refused['msg'].startswith('The cecloud provider cannot mark an image deprecated'), refused
    hidden = ims.module('ims_image', dict(name=name, hidden=True))
    assert hidden.failed and hidden['msg'].startswith('The cecloud provider cannot hide an image'), hidden
    assert ims.requests() == []

    plain = ims.module('ims_image', dict(name=name, deprecated=False, hidden=False))
    assert not plain.changed and not plain.failed, plain
    assert (plain['image']['deprecated'], plain['image']['deprecated_at'], plain['image']['hidden']) == (False, None, False)
    assert [r for r in ims.requests() if r['method'] != 'GET'] == []
