# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image's deprecation options with ``provider: openstack``, through the real Keystone + Glance: the state kept
as the properties ims_deprecated_at / ims_replaced_by and Glance's os_hidden (docs/image-conventions.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

UTC_TEXT = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$')


def patch_body(glance, image_id):
    return json.loads(glance.proxy.body_of('PATCH', '/v2/images/' + image_id))


def test_deprecate_in_check_mode_then_deprecate_then_unchanged_then_undeprecate(glance):
    old = glance.create(name='os-dep-old')
    new = glance.create(name='os-dep-new')
    args = dict(name='os-dep-old', deprecated=True, replaced_by='os-dep-new')

    planned = glance.module('ims_image', args, check=True, diff=True)
    assert planned.changed and not planned.failed, planned
    assert glance.writes() == [] and 'ims_deprecated_at' not in glance.image(old['id'])
    assert planned['diff']['before'] == {'ims_deprecated_at': None, 'ims_replaced_by': None}, planned['diff']
    assert UTC_TEXT.match(planned['diff']['after']['ims_deprecated_at']) and \
        planned['diff']['after']['ims_replaced_by'] == new['id'], planned['diff']
    assert planned['image']['deprecated'] is True and planned['image']['replaced_by'] == new['id']

    deprecated = glance.module('ims_image', args, diff=True)
    assert deprecated.changed and not deprecated.failed, deprecated
    assert glance.writes() == [('PATCH', '/v2/images/' + old['id'])]
    stored = glance.image(old['id'])
    assert UTC_TEXT.match(stored['ims_deprecated_at']) and stored['ims_replaced_by'] == new['id'], stored
    image = deprecated['image']
    assert (image['deprecated'], image['deprecated_at'], image['replaced_by'], image['hidden']) == \
        (True, stored['ims_deprecated_at'], new['id'], False), image

    glance.clear()
    again = glance.module('ims_image', args, diff=True)
    assert not again.changed and not again.failed, again
    assert glance.writes() == [] and again['image']['deprecated_at'] == stored['ims_deprecated_at']

    # An explicit date is kept in UTC; the image named by its id is the same replacement.
    dated = glance.module('ims_image', dict(name='os-dep-old', deprecated=True, replaced_by=new['id'],
                                            deprecated_at='2026-11-30T23:00:00-02:00'), diff=True)
    assert dated.changed and dated['diff']['after'] == {'ims_deprecated_at': '2026-12-01T01:00:00Z'}, dated
    assert glance.image(old['id'])['ims_deprecated_at'] == '2026-12-01T01:00:00Z'

    undeprecated = glance.module('ims_image', dict(name='os-dep-old', deprecated=False), diff=True)
    assert undeprecated.changed and not undeprecated.failed, undeprecated
    assert sorted(patch_body(glance, old['id']), key=lambda o: o['path']) == [
        {'op': 'remove', 'path': '/ims_deprecated_at'}, {'op': 'remove', 'path': '/ims_replaced_by'}]
    stored = glance.image(old['id'])
    assert 'ims_deprecated_at' not in stored and 'ims_replaced_by' not in stored
    assert undeprecated['image']['deprecated'] is False and undeprecated['image']['replaced_by'] is None

    glance.clear()
    still = glance.module('ims_image', dict(name='os-dep-old', deprecated=False))
    assert not still.changed and glance.writes() == [], still


def test_a_hidden_image_leaves_glance_listings_and_is_still_found_by_name(glance):
    image = glance.create(name='os-hidden')

    hidden = glance.module('ims_image', dict(name='os-hidden', hidden=True, deprecated=True), diff=True)
    assert hidden.changed and not hidden.failed, hidden
    assert hidden['diff']['before']['os_hidden'] is False and hidden['diff']['after']['os_hidden'] is True
    assert hidden['image']['hidden'] is True and hidden['image']['deprecated'] is True
    assert [i['id'] for i in glance.images()] == []
    assert [i['id'] for i in glance.images(os_hidden='true')] == [image['id']]

    # A re-run looks the name up among hidden images too: the same image, unchanged, and no second one.
    glance.clear()
    again = glance.module('ims_image', dict(name='os-hidden', hidden=True, deprecated=True))
    assert not again.changed and not again.failed and again['image']['image_id'] == image['id'], again
    assert glance.writes() == []
    found = glance.module('ims_image', dict(name='os-hidden', disk_format='raw', min_ram=0))
    assert not found.changed and found['image']['image_id'] == image['id'], found
    assert len(glance.images(os_hidden='true')) == 1

    shown = glance.module('ims_image', dict(name='os-hidden', hidden=False, deprecated=False))
    assert shown.changed and shown['image']['hidden'] is False and shown['image']['deprecated'] is False, shown
    assert [i['id'] for i in glance.images()] == [image['id']]


def test_bad_deprecation_input_is_refused_before_any_write(glance):
    image = glance.create(name='os-dep-bad')

    glance.clear()
    missing = glance.module('ims_image', dict(name='os-dep-bad', deprecated=True, replaced_by='os-dep-nowhere'))
    assert missing.failed and "replaced_by 'os-dep-nowhere' names no image" in missing['msg'], missing
    assert glance.writes() == []

    itself = glance.module('ims_image', dict(name='os-dep-bad', deprecated=True, replaced_by=image['id']))
    assert itself.failed and 'itself' in itself['msg'] and glance.writes() == [], itself

    glance.clear()
    bad_date = glance.module('ims_image', dict(name='os-dep-bad', deprecated=True, deprecated_at='next tuesday'))
    assert bad_date.failed and 'deprecated_at must be an ISO 8601 date' in bad_date['msg'], bad_date
    assert glance.requests() == []

    alone = glance.module('ims_image', dict(name='os-dep-bad', replaced_by='x'))
    assert alone.failed and 'set deprecated: true' in alone['msg'] and glance.requests() == [], alone

    nothing = glance.module('ims_image', dict(name='os-dep-none', deprecated=True))
    assert nothing.failed and 'apply to an existing image' in nothing['msg'] and glance.writes() == [], nothing
    assert 'ims_deprecated_at' not in glance.image(image['id'])
