# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retention decision and the family helpers (module_utils/_retention.py, the filters of plugins/filter/retention.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cecloud.ims.plugins.filter.retention import family_previous, image_tag, keeps_deprecation, retention_plan
from ansible_collections.cecloud.ims.plugins.module_utils import _retention

NOW = '2026-12-06T12:00:00Z'


def ago(days):
    moment = datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def image(name, days, **fields):
    return dict({'image_id': 'id-' + name, 'name': name, 'status': 'active', 'visibility': 'private',
                 'created_at': ago(days), 'deprecated': False, 'deprecated_at': None}, **fields)


def actions(result):
    return [(r['name'], r['action']) for r in result['rows']]


def test_without_the_new_variables_the_newest_n_are_kept_and_the_rest_deleted_at_once():
    images = [image('g-%d' % d, d) for d in range(5)] + [image('other', 9), image('g-q', 0, status='queued')]
    result = retention_plan(images, keep=2, pattern='^g-', now=NOW)
    assert actions(result) == [('g-q', 'skip'), ('g-0', 'keep'), ('g-1', 'keep'), ('g-2', 'delete'), ('g-3', 'delete'),
                               ('g-4', 'delete')]
    assert [i['name'] for i in result['kept']] == ['g-0', 'g-1'] and [i['name'] for i in result['delete']] == ['g-2', 'g-3', 'g-4']
    assert result['delete'][0]['retention_reason'] == 'older than the newest 2'
    assert result['replaced_by'] == 'id-g-0'


def test_keep_days_pinned_shared_and_protected_are_kept_or_skipped_with_their_reason():
    images = [image('g-0', 0), image('g-1', 2), image('g-2', 8, tags=['ims_pinned=true']),
              image('g-3', 9, visibility='shared'), image('g-4', 10, protected=True), image('g-5', 11),
              image('g-6', 12, image_tags=[{'key': 'ims_pinned', 'value': 'True'}]), image('g-7', 13)]
    result = retention_plan(images, keep=1, keep_days=5, pattern='^g-', shared_ids=['id-g-7'], now=NOW)
    reasons = {r['name']: (r['action'], r['reason']) for r in result['rows']}
    assert reasons['g-0'] == ('keep', 'newest 1 (number 1)')
    assert reasons['g-1'] == ('keep', 'newer than keep_days 5 (2 days old)')
    assert reasons['g-2'] == ('keep', 'pinned (ims_pinned: true)') and reasons['g-6'][0] == 'keep'
    assert reasons['g-3'][0] == 'skip' and reasons['g-3'][1].startswith('shared')
    assert reasons['g-7'][0] == 'skip' and reasons['g-7'][1].startswith('shared')
    assert reasons['g-4'] == ('skip', 'protected: set image_retention_force to remove it')
    assert reasons['g-5'] == ('delete', 'older than the newest 1 and keep_days 5')
    assert [i['name'] for i in result['skipped_shared']] == ['g-3', 'g-7'] and [i['name'] for i in result['skipped_protected']] == ['g-4']
    forced = retention_plan(images, keep=1, keep_days=5, pattern='^g-', shared_ids=['id-g-7'], force=True, now=NOW)
    assert [i['name'] for i in forced['delete']] == ['g-3', 'g-4', 'g-5', 'g-7']
    assert 'g-2' in [i['name'] for i in forced['kept']]          # pinned wins over force


def test_grace_days_deprecate_first_then_delete_what_was_deprecated_long_enough():
    images = [image('g-0', 0), image('g-1', 1), image('g-2', 20, deprecated=True, deprecated_at=ago(10)),
              image('g-3', 30, deprecated=True, deprecated_at=ago(2)), image('g-4', 40, deprecated=True),
              image('g-5', 1.5, deprecated=True, deprecated_at=ago(1))]
    result = retention_plan(images, keep=1, grace_days=7, pattern='^g-', now=NOW)
    reasons = {r['name']: (r['action'], r['reason']) for r in result['rows']}
    assert reasons['g-1'] == ('deprecate', 'older than the newest 1: deprecated now, deleted after grace_days 7')
    assert reasons['g-2'] == ('delete', 'deprecated since %s (10 days >= grace_days 7)' % ago(10))
    assert reasons['g-3'] == ('keep', 'deprecated since %s (2 days < grace_days 7): deleted later' % ago(2))
    assert reasons['g-4'][0] == 'deprecate' and 'without a date' in reasons['g-4'][1]
    assert reasons['g-5'][0] == 'keep'
    # grace 0: what is deprecated goes on the next run.
    zero = retention_plan(images, keep=1, grace_days=0, pattern='^g-', now=NOW)
    assert [i['name'] for i in zero['delete']] == ['g-5', 'g-2', 'g-3'] and [i['name'] for i in zero['deprecate']] == ['g-1', 'g-4']
    assert zero['replaced_by'] == 'id-g-0'


def test_a_family_selects_by_tag_on_every_provider_form():
    images = [image('a', 1, image_tags=[{'key': 'ims_family', 'value': 'gold'}]),      # cecloud
              image('b', 2, tags=['ims_family=gold', 'other']),                          # huaweicloud, openstack text tag
              image('c', 3, ims_family='gold'),                                          # a Glance property
              image('d', 4, tags=['ims_family=silver']), image('e', 5)]
    result = retention_plan(images, keep=1, family='gold', now=NOW)
    assert actions(result) == [('a', 'keep'), ('b', 'delete'), ('c', 'delete')]
    both = retention_plan(images, keep=0, family='gold', pattern='^[ab]$', now=NOW)
    assert actions(both) == [('a', 'delete'), ('b', 'delete')]
    assert both['replaced_by'] is None


@pytest.mark.parametrize('settings, message', [
    (dict(grace_days=-1, pattern='x'), 'image_retention_grace_days must be 0 or more; got -1'),
    (dict(keep_days=-0.5, pattern='x'), 'image_retention_keep_days must be 0 or more'),
    (dict(keep=-1, pattern='x'), 'image_retention_keep must be 0 or more'),
    (dict(keep=1.5, pattern='x'), 'image_retention_keep must be a whole number'),
    (dict(grace_days='soon', pattern='x'), 'image_retention_grace_days must be a number'),
    (dict(pattern='('), "the name pattern '(' is not a valid Python regular expression"),
    (dict(), 'give a family (image_retention_family), a prefix or a regex'),
])
def test_bad_settings_are_refused_with_the_variable_named(settings, message):
    with pytest.raises(AnsibleFilterError) as caught:
        retention_plan([image('x', 1)], **settings)
    assert message in str(caught.value)


def test_the_table_has_a_header_and_one_aligned_line_per_image():
    result = retention_plan([image('long-name-0', 0), image('n-1', 3)], keep=1, pattern='n', now=NOW)
    lines = result['table']
    assert lines[0].split() == ['NAME', 'IMAGE', 'ID', 'CREATED', 'ACTION', 'REASON']
    assert len(lines) == 3 and lines[1].index('keep') == lines[2].index('delete') == lines[0].index('ACTION')


def test_times_in_every_form_the_providers_answer():
    assert _retention.parse_time('2026-12-06T12:00:00.123Z') == _retention.parse_time('2026-12-06 12:00:00.123+00:00')
    assert _retention.parse_time('2026-12-06T20:00:00+08:00') == _retention.parse_time('2026-12-06T12:00:00')
    assert _retention.parse_time('2026-12-06T12:00:00.1234567Z').year == 2026
    with pytest.raises(_retention.RetentionError):
        _retention.parse_time('yesterday')


def test_family_previous_are_the_older_current_unpinned_images_of_the_family():
    tag = {'image_tags': [{'key': 'ims_family', 'value': 'gold'}]}
    new = image('g-new', 0, **tag)
    images = [new, image('g-newer', -1, **tag), image('g-1', 1, **tag), image('g-2', 2, deprecated=True, **tag),
              image('g-3', 3, image_tags=tag['image_tags'] + [{'key': 'ims_pinned', 'value': 'true'}]),
              image('g-4', 4, status='queued', **tag), image('g-5', 5, **tag), image('s-1', 1)]
    assert [i['name'] for i in family_previous(images, 'gold', new)] == ['g-1', 'g-5']
    # In check mode the new image has no id: all others of the family, not one of its name.
    assert [i['name'] for i in family_previous(images, 'gold', {'name': 'g-new'})] == ['g-newer', 'g-1', 'g-5']
    assert family_previous(images, '', new) == []


def test_image_tag_takes_the_form_of_the_providers_tags():
    assert image_tag([{'key': 'a', 'value': '1'}, {'key': 'ims_family', 'value': 'x'}], 'ims_family', 'gold', 'cecloud') == [
        {'key': 'a', 'value': '1'}, {'key': 'ims_family', 'value': 'gold'}]
    assert image_tag(['golden', 'ims_family=x'], 'ims_family', 'gold', 'openstack') == ['golden', 'ims_family=gold']
    assert image_tag(None, 'ims_family', 'gold', 'huaweicloud') == [{'key': 'ims_family', 'value': 'gold'}]
    with pytest.raises(AnsibleFilterError, match='unknown provider nope'):
        image_tag([], 'k', 'v', 'nope')


def test_keeps_deprecation_asks_the_provider_registry():
    assert keeps_deprecation('openstack') is True and keeps_deprecation('huaweicloud') is True
    assert keeps_deprecation('cecloud') is False
    with pytest.raises(AnsibleFilterError, match='unknown provider aws'):
        keeps_deprecation('aws')
