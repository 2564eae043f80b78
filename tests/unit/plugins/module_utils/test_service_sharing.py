# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ImageService helpers of ims_image / ims_image_share: share diff, batching, create-once, status exclusions."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from hypothesis import given, strategies as st

from ansible_collections.cecloud.ims.plugins.module_utils._backend import Backend
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._service import (
    ImageService, NameClaim, batches, dedupe, share_plan)

USER_IDS = st.lists(st.sampled_from(['70855248014138%05d' % n for n in range(40)]), max_size=60)


@given(current=USER_IDS, users=USER_IDS, purge=st.booleans())
def test_present_plan_reaches_the_wanted_set_with_the_fewest_changes(current, users, purge):
    add, remove = share_plan(current, users, 'present', purge)
    result = (set(current) - set(remove)) | set(add)
    assert result == (set(users) if purge else set(current) | set(users))
    assert not set(add) & set(current)
    assert set(remove) <= set(current)
    assert len(add) == len(set(add)) and len(remove) == len(set(remove))
    if not purge:
        assert remove == []


@given(current=USER_IDS, users=USER_IDS)
def test_absent_plan_removes_only_listed_users_that_have_a_share(current, users):
    add, remove = share_plan(current, users, 'absent')
    assert add == []
    assert set(remove) == set(current) & set(users)
    assert len(remove) == len(set(remove))


def test_plan_orders_are_stable():
    assert share_plan(['c', 'a'], ['b', 'a', 'd', 'b'], 'present', True) == (['b', 'd'], ['c'])


def test_dedupe_and_batches():
    assert dedupe(['b', 'a', 'b', 'c', 'a']) == ['b', 'a', 'c']
    assert dedupe(None) == []
    assert [len(b) for b in batches(range(120), 50)] == [50, 50, 20]
    assert batches([], 50) == []
    assert [len(b) for b in batches(range(100), 50)] == [50, 50]


class ShareBackend(Backend):
    # The scope listing of the CECloud backend, over the fake's per-scope listings.
    list_scope = CECloudBackend.list_scope
    server_filters = frozenset()
    max_share_batch = 50
    max_page_size = 100
    scopes = ('private', 'shared', 'public')

    def __init__(self, fail_on=None, private=()):
        self.sent = []
        self.fail_on = fail_on
        self.private = list(private)
        self.creates = 0

    def add_image_members(self, image_id, principals):
        self._send('share', image_id, principals)

    def remove_image_members(self, image_id, principals):
        self._send('unshare', image_id, principals)

    def _send(self, action, image_id, user_ids):
        assert len(user_ids) <= self.max_share_batch
        if self.fail_on == (action, len(self.sent)):
            raise ImsApiError('IMG.OperationFailed.AlreadyShared', 'already shared', http_status=400, operation=action)
        self.sent.append((action, image_id, list(user_ids)))

    def list_private_images(self, name_contains=None, image_id=None, page_size=None):  # pylint: disable=unused-argument
        return [dict(i) for i in self.private if (not name_contains or name_contains in i['name'])
                and (not image_id or i['image_id'] == image_id)]

    def get_image(self, image_id):  # pylint: disable=unused-argument
        return dict(image_id='i', status='deleted')


def test_apply_shares_unshares_first_then_shares_in_batches_of_50():
    backend = ShareBackend()
    done = ImageService(backend).apply_shares('img-1', add=[str(n) for n in range(120)], remove=[str(n) for n in range(1000, 1060)])
    assert [(a, len(u)) for a, _i, u in backend.sent] == [('unshare', 50), ('unshare', 10), ('share', 50), ('share', 50), ('share', 20)]
    assert done == dict(unshared=60, shared=120)
    assert sum((u for a, _i, u in backend.sent if a == 'share'), []) == [str(n) for n in range(120)]


def test_apply_shares_says_how_far_it_got():
    backend = ShareBackend(fail_on=('share', 3))
    with pytest.raises(ImsApiError) as err:
        ImageService(backend).apply_shares('img-1', add=[str(n) for n in range(120)], remove=[str(n) for n in range(1000, 1060)])
    assert 'already shared' in err.value.message
    assert 'before this request, 60 user(s) were unshared and 50 shared; 70 of 180 were still to go' in err.value.message
    assert err.value.error_code == 'IMG.OperationFailed.AlreadyShared'


def test_apply_shares_with_nothing_to_do_sends_nothing():
    backend = ShareBackend()
    assert ImageService(backend).apply_shares('img-1') == dict(unshared=0, shared=0)
    assert backend.sent == []


def _failing(exc):
    def create():
        raise exc
    return create


@pytest.mark.parametrize('exc', [ImsTransportError('read timed out'), ImsApiError('HTTP502', 'bad gateway', http_status=502)])
def test_create_once_finds_what_an_ambiguous_failure_created(exc):
    backend = ShareBackend(private=[dict(image_id='img-1', name='web', status='queued')])
    assert ImageService(backend).create_once(_failing(exc), NameClaim('web'))['image_id'] == 'img-1'


@pytest.mark.parametrize('private', [[], [dict(image_id='img-1', name='web', status='deleted')],
                                     [dict(image_id='img-1', name='web', status='queued'), dict(image_id='img-2', name='web', status='queued')]],
                         ids=['nothing-created', 'only-deleted', 'two-candidates'])
def test_create_once_reraises_when_it_cannot_tell(private):
    backend = ShareBackend(private=private)
    exc = ImsTransportError('read timed out')
    with pytest.raises(ImsTransportError) as err:
        ImageService(backend, sleep=lambda seconds: None).create_once(_failing(exc), NameClaim('web'))
    assert err.value is exc


class LaggingListing(ShareBackend):
    """Its listing shows a created image only from the ``lag``-th look after the create on."""

    def __init__(self, lag, fail_first):
        super(LaggingListing, self).__init__()
        self.lag = lag
        self.fail_first = fail_first
        self.looks = 0

    def create(self):
        self.creates += 1
        self.private.append(dict(image_id='img-%d' % self.creates, name='web', status='queued'))
        if self.creates <= self.fail_first:
            raise ImsTransportError('read timed out')
        return self.private[-1]

    def list_private_images(self, name_contains=None, image_id=None, page_size=None):
        self.looks += 1
        return super(LaggingListing, self).list_private_images(name_contains, image_id, page_size) if self.looks >= self.lag else []


def test_create_once_looks_twice_before_resending_so_a_lagging_listing_makes_no_duplicate():
    backend = LaggingListing(lag=2, fail_first=1)
    sleeps = []
    image = ImageService(backend, sleep=sleeps.append, policy=RetryPolicy(poll_interval=0.5)).create_once(backend.create, NameClaim('web'))
    assert (image['image_id'], backend.creates, backend.looks, sleeps) == ('img-1', 1, 2, [0.5])


def test_create_once_resends_when_two_looks_find_nothing():
    backend = LaggingListing(lag=3, fail_first=1)
    sleeps = []
    image = ImageService(backend, sleep=sleeps.append, policy=RetryPolicy(poll_interval=0.5)).create_once(backend.create, NameClaim('web'))
    assert (image['image_id'], backend.creates, backend.looks, sleeps) == ('img-2', 2, 2, [0.5])


def test_create_once_does_not_look_after_a_clear_refusal():
    backend = ShareBackend(private=[dict(image_id='img-1', name='web', status='queued')])
    with pytest.raises(ImsApiError):
        ImageService(backend).create_once(_failing(ImsApiError('IMG.InvalidParameter', 'bad', http_status=400)), NameClaim('web'))


def test_find_image_ignores_excluded_statuses_and_images_on_their_way_out():
    backend = ShareBackend(private=[dict(image_id='img-1', name='web', status='killed'), dict(image_id='img-2', name='web', status='active'),
                                    dict(image_id='img-3', name='web', status='deleted')])
    svc = ImageService(backend)
    with pytest.raises(ImsValidationError) as refused:
        svc.find_image(name='web')
    assert 'img-3' not in str(refused.value)
    assert svc.find_image(name='web', exclude_statuses=('killed',))['image_id'] == 'img-2'


def test_wait_until_gone_accepts_gone_statuses():
    svc = ImageService(ShareBackend(), sleep=lambda s: None)
    assert svc.wait_until_gone('i', timeout=5, gone_statuses=('deleted',))['status'] == 'deleted'


class StrictMembers(Backend):
    """Members whose removal is refused outright (400) when one of the projects is no member (a reading of Huawei's
    DELETE /v1/cloudimages/members, the emulator's ``remove_non_member: reject``)."""
    max_share_batch = 50

    def __init__(self, members):
        self.members = set(members)
        self.sent = []

    def list_image_members(self, image_id):  # pylint: disable=unused-argument
        return [dict(user_id=m) for m in sorted(self.members)]

    def remove_image_members(self, image_id, principals):  # pylint: disable=unused-argument
        self.sent.append(list(principals))
        if not set(principals) <= self.members:
            raise ImsApiError('IMG.0027', 'a project is not a member', http_status=400, operation='unshare')
        self.members -= set(principals)


def test_an_unshare_refused_because_a_user_left_meanwhile_is_sent_again_for_the_others():
    backend = StrictMembers(['a', 'b'])
    backend.members.discard('b')        # removed by someone else after the task listed the members
    assert ImageService(backend).apply_shares('img-1', remove=['a', 'b']) == dict(unshared=2, shared=0)
    assert backend.sent == [['a', 'b'], ['a']] and backend.members == set()


def test_an_unshare_refused_for_another_reason_is_raised():
    backend = StrictMembers(['a', 'b'])

    def refuse(image_id, user_ids):  # pylint: disable=unused-argument
        raise ImsApiError('IMG.0047', 'not the owner', http_status=400, operation='unshare')
    backend.remove_image_members = refuse
    with pytest.raises(ImsApiError) as err:
        ImageService(backend).apply_shares('img-1', remove=['a', 'b'])
    assert err.value.error_code == 'IMG.0047'
