# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_deprecation: the neutral fields read from the convention's keys, deprecated_at's formats, the changes a task asks."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _backend
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._deprecation import (
    DeprecationRequest, deprecation_of, utc_text)


class Keeps(_backend.Backend):
    name = 'keeps'
    keeps_deprecation = True
    hide_field = 'os_hidden'


class Cannot(_backend.Backend):
    name = 'plain'


def params(**given):
    return dict(dict(deprecated=None, deprecated_at=None, replaced_by=None, hidden=None), **given)


def test_the_neutral_fields_come_from_the_convention_keys():
    assert deprecation_of({}) == dict(deprecated=False, deprecated_at=None, replaced_by=None, hidden=False)
    assert deprecation_of({'ims_deprecated_at': '2026-12-01T00:00:00Z', 'ims_replaced_by': 'b', 'os_hidden': 'true'}) == \
        dict(deprecated=True, deprecated_at='2026-12-01T00:00:00Z', replaced_by='b', hidden=True)
    assert deprecation_of({'os_hidden': False, 'ims_deprecated_at': ''})['deprecated'] is False


@pytest.mark.parametrize('given, kept', [
    ('2026-12-01', '2026-12-01T00:00:00Z'),
    ('2026-12-01T10:20:30Z', '2026-12-01T10:20:30Z'),
    ('2026-12-01T10:20:30', '2026-12-01T10:20:30Z'),
    ('2026-12-01T10:20:30+08:00', '2026-12-01T02:20:30Z'),
    ('2026-12-01 10:20:30.123456z', '2026-12-01T10:20:30Z'),
])
def test_deprecated_at_takes_a_date_or_a_date_and_time_and_keeps_utc(given, kept):
    assert utc_text(given) == kept


@pytest.mark.parametrize('given', ['yesterday', '2026-13-01', '2026-12-01T25:00:00Z', '', '01/12/2026'])
def test_a_deprecated_at_that_is_no_date_is_refused(given):
    with pytest.raises(ImsValidationError, match='deprecated_at must be an ISO 8601 date'):
        utc_text(given)


def test_now_is_the_default():
    now = datetime.datetime(2026, 12, 6, 23, 0, 5, tzinfo=datetime.timezone.utc)
    assert utc_text(None, now=now) == '2026-12-06T23:00:05Z'


def test_what_a_provider_cannot_keep_is_refused_naming_it():
    with pytest.raises(ImsValidationError, match='^The plain provider cannot mark an image deprecated'):
        DeprecationRequest(params(deprecated=True), Cannot(None))
    with pytest.raises(ImsValidationError, match='^The plain provider cannot hide an image'):
        DeprecationRequest(params(hidden=True), Cannot(None))
    DeprecationRequest(params(deprecated=False, hidden=False), Cannot(None))    # every image of it is so already
    with pytest.raises(ImsValidationError, match='set deprecated: true'):
        DeprecationRequest(params(deprecated=False, replaced_by='x'), Keeps(None))
    with pytest.raises(ImsValidationError, match='replaced_by must not be empty'):
        DeprecationRequest(params(deprecated=True, replaced_by=' '), Keeps(None))


def test_changes_keep_what_is_there_and_undeprecating_removes_both_keys():
    image = {'image_id': 'a', 'ims_deprecated_at': '2026-12-01T00:00:00Z', 'ims_replaced_by': 'b', 'os_hidden': False}
    again = DeprecationRequest(params(deprecated=True), Keeps(None))
    assert again.changes(image, None, 'os_hidden') == {}
    assert again.changes(image, 'b', 'os_hidden') == {}
    assert again.changes(image, 'c', 'os_hidden') == {'ims_replaced_by': ('b', 'c')}
    dated = DeprecationRequest(params(deprecated=True, deprecated_at='2026-12-02'), Keeps(None))
    assert dated.changes(image, None, 'os_hidden') == {'ims_deprecated_at': ('2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z')}
    undo = DeprecationRequest(params(deprecated=False, hidden=True), Keeps(None))
    assert undo.changes(image, None, 'os_hidden') == {'ims_deprecated_at': ('2026-12-01T00:00:00Z', None),
                                                      'ims_replaced_by': ('b', None), 'os_hidden': (False, True)}
    assert DeprecationRequest(params(deprecated=False), Keeps(None)).changes({'image_id': 'a'}, None, 'os_hidden') == {}
