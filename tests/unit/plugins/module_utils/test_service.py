# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ImageService: scopes, matching, ambiguity, waiting through outages and timeouts."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._backend import Backend
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import (
    ImsApiError, ImsTransportError, ImsValidationError, ImsWaitError)
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._service import ImageService, matches_filters


class FakeBackend(Backend):
    # The scope listing of the CECloud backend, over the fake's per-scope listings.
    list_scope = CECloudBackend.list_scope
    server_filters = frozenset()
    max_page_size = 100
    scopes = ('private', 'shared', 'public')

    def __init__(self, private=(), shared=(), public=(), statuses=()):
        self.private, self.shared, self.public = list(private), list(shared), list(public)
        self.statuses = list(statuses)
        self.calls = []

    def list_private_images(self, name_contains=None, image_id=None, page_size=None):
        self.calls.append(('private', name_contains, image_id, page_size))
        return [dict(i) for i in self.private if (not name_contains or name_contains in i['name'])
                and (not image_id or i['image_id'] == image_id)]

    def list_received_shares(self, page_size=None):
        self.calls.append(('shared', page_size))
        return [dict(i) for i in self.shared]

    def list_public_images(self, page_size=None):
        self.calls.append(('public', page_size))
        return [dict(i) for i in self.public]

    def get_image(self, image_id):
        self.calls.append(('get', image_id))
        outcome = self.statuses.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def img(image_id, name, **extra):
    image = dict(image_id=image_id, name=name, status='active', visibility='private')
    image.update(extra)
    return image


def service(backend):
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    def clock():
        return now[0]
    svc = ImageService(backend, sleep=sleep, clock=clock, policy=RetryPolicy(poll_interval=1.0, max_poll_interval=4.0))
    return svc, sleeps


def test_all_scopes_in_order_tagged_and_deduplicated():
    backend = FakeBackend(private=[img('img-1', 'mine')], shared=[img('img-2', 'theirs', share_id='s-2')],
                          public=[img('img-3', 'centos', visibility='public'), img('img-1', 'mine', visibility='public')])
    svc = service(backend)[0]
    images = svc.list_images()
    assert [(i['image_id'], i['scope']) for i in images] == [('img-1', 'private'), ('img-2', 'shared'), ('img-3', 'public')]
    assert images[1]['share_id'] == 's-2'


def test_name_is_exact_and_narrowed_on_the_server():
    backend = FakeBackend(private=[img('img-1', 'web'), img('img-2', 'web-old')])
    svc = service(backend)[0]
    assert [i['image_id'] for i in svc.list_images(scope='private', name='web')] == ['img-1']
    assert backend.calls == [('private', 'web', None, 100)]


def test_limit_shrinks_the_page_when_the_server_does_all_the_matching():
    backend = FakeBackend(private=[img('img-%d' % n, 'n%d' % n) for n in range(10)])
    svc = service(backend)[0]
    assert len(svc.list_images(scope='private', limit=3)) == 3
    assert backend.calls == [('private', None, None, 3)]


def test_filter_syntax_characters_are_matched_locally_only():
    backend = FakeBackend(private=[img('img-1', 'a')])
    svc = service(backend)[0]
    assert svc.list_images(scope='private', name_contains='a|imageId:eq:x') == []
    assert backend.calls == [('private', None, None, 100)]


def test_filters_compare_as_text():
    image = img('img-1', 'a', min_disk=10, disk_format='qcow2')
    assert matches_filters(image, {'min_disk': '10', 'disk_format': 'qcow2'})
    assert not matches_filters(image, {'min_disk': 11})
    assert not matches_filters(image, {'no_such_field': 'x'})


@pytest.mark.parametrize('filters,matches', [
    ({'tag': 'web'}, True), ({'tag': 'db'}, False), ({'size_min': 100, 'size_max': '100'}, True), ({'size_min': 101}, False),
    ({'protected': 'true'}, True), ({'protected': 'True'}, True), ({'protected': False}, False),
    ({'member_status': 'pending'}, True), ({'status': 'ACTIVE'}, True), ({'os_distro': 'ubuntu'}, False),
])
def test_server_side_filters_match_as_the_api_s_listing_does(filters, matches):
    image = img('img-1', 'a', tags=['web'], size=100, protected=True)
    server_filters = ('tag', 'size_min', 'size_max', 'protected', 'member_status', 'status', 'os_distro')
    assert matches_filters(image, filters, server_filters) is matches
    assert not matches_filters(image, {'status': 'ACTIVE'}) and not matches_filters(image, {'tag': 'web'})


def test_ambiguous_name_lists_the_ids():
    backend = FakeBackend(private=[img('img-b', 'dup'), img('img-a', 'dup')])
    svc = service(backend)[0]
    with pytest.raises(ImsValidationError) as err:
        svc.find_image(name='dup')
    assert 'img-a, img-b' in err.value.message


def test_find_by_id_uses_the_private_filter():
    backend = FakeBackend(private=[img('img-1', 'a'), img('img-2', 'b')])
    svc = service(backend)[0]
    assert svc.find_image(image_id='img-2')['name'] == 'b'
    assert svc.find_image(image_id='img-9') is None


def test_wait_returns_the_active_image_after_saving():
    backend = FakeBackend(statuses=[img('i', 'n', status='saving'), img('i', 'n', status='saving'), img('i', 'n')])
    svc, sleeps = service(backend)
    assert svc.wait_for_status('i')['status'] == 'active'
    assert sleeps == [1.0, 1.5]


def test_wait_fails_with_the_services_reason_when_killed():
    backend = FakeBackend(statuses=[img('i', 'n', status='killed', err_message='download of http://x failed: 404')])
    svc = service(backend)[0]
    with pytest.raises(ImsWaitError) as err:
        svc.wait_for_status('i')
    assert 'turned killed: download of http://x failed: 404' in err.value.message


def test_wait_times_out_with_the_duration_and_last_status():
    backend = FakeBackend(statuses=[img('i', 'n', status='saving')] * 50)
    svc, sleeps = service(backend)
    with pytest.raises(ImsWaitError) as err:
        svc.wait_for_status('i', timeout=10)
    assert err.value.message == 'Timed out after 10s waiting for image i to become active; last status: saving.'
    assert sum(sleeps) == pytest.approx(10)


def test_wait_rides_out_an_outage():
    backend = FakeBackend(statuses=[img('i', 'n', status='saving'), ImsTransportError('connection refused'),
                                    ImsApiError('HTTP502', 'bad gateway', http_status=502), img('i', 'n')])
    svc = service(backend)[0]
    assert svc.wait_for_status('i')['status'] == 'active'


def test_wait_does_not_hide_a_client_error():
    backend = FakeBackend(statuses=[ImsApiError('IMG.OperationDenied.AuthFail', 'token refused', http_status=401)])
    svc = service(backend)[0]
    with pytest.raises(ImsApiError):
        svc.wait_for_status('i')


def test_wait_until_gone():
    backend = FakeBackend(statuses=[img('i', 'n', status='deleted'), None])
    svc = service(backend)[0]
    assert svc.wait_until_gone('i') is None


class MemberBackend(Backend):
    """Shares for one image; ``drop`` lists the calls whose answer is lost (after or before acting)."""
    max_share_batch = 50

    def __init__(self, current=(), drop=()):
        self.members = list(current)
        self.drop = list(drop)
        self.calls = []

    def list_image_members(self, image_id):  # pylint: disable=unused-argument
        return [dict(user_id=u) for u in self.members]

    def add_image_members(self, image_id, principals):
        self._act('share', image_id, principals)

    def remove_image_members(self, image_id, principals):
        self._act('unshare', image_id, principals)

    def _act(self, action, image_id, user_ids):  # pylint: disable=unused-argument
        self.calls.append((action, list(user_ids)))
        lost = self.drop.pop(0) if self.drop else None
        if lost == 'before':
            raise ImsTransportError('connection dropped before the request was processed')
        if action == 'share':
            self.members += [u for u in user_ids if u not in self.members]
        else:
            self.members = [u for u in self.members if u not in user_ids]
        if lost == 'after':
            raise ImsApiError('HTTP502', 'bad gateway', http_status=502)


@pytest.mark.parametrize('lost', ['after', 'before'])
def test_an_ambiguous_share_batch_is_checked_then_only_the_rest_is_sent(lost):
    backend = MemberBackend(current=['u1'], drop=[lost])
    svc = service(backend)[0]
    assert svc.apply_shares('img', add=['u2', 'u3'], remove=['u1']) == dict(unshared=1, shared=2)
    assert sorted(backend.members) == ['u2', 'u3']
    if lost == 'after':
        # The unshare took effect although its answer was lost: the share list says so, nothing is resent.
        assert backend.calls == [('unshare', ['u1']), ('share', ['u2', 'u3'])]
    else:
        assert backend.calls == [('unshare', ['u1']), ('unshare', ['u1']), ('share', ['u2', 'u3'])]


def test_a_refused_share_batch_is_not_resent():
    class Refusing(MemberBackend):
        def add_image_members(self, image_id, principals):
            self.calls.append(('share', list(principals)))
            raise ImsApiError('IMG.OperationFailed.InvalidUserId', 'invalid user', http_status=400)
    backend = Refusing()
    with pytest.raises(ImsApiError):
        service(backend)[0].apply_shares('img', add=['u2'])
    assert backend.calls == [('share', ['u2'])]


class UploadBackend(Backend):
    def __init__(self, outcomes, status_after):
        self.outcomes = list(outcomes)
        self.status_after = status_after
        self.done_calls = 0

    def upload_done(self, image_id, success, upload_id=None):  # pylint: disable=unused-argument
        self.done_calls += 1
        outcome = self.outcomes.pop(0)
        if outcome:
            raise outcome

    def get_image(self, image_id):
        return img(image_id, 'n', status=self.status_after)


@pytest.mark.parametrize('status_after,calls', [('saving', 1), ('active', 1), ('queued', 2)])
def test_upload_done_after_a_lost_answer_is_judged_by_the_image_status(status_after, calls):
    backend = UploadBackend([ImsTransportError('connection reset'), None], status_after)
    service(backend)[0].report_upload('img', True, 'upload-1')
    assert backend.done_calls == calls


def test_upload_done_failed_report_counts_killed_as_taken():
    backend = UploadBackend([ImsApiError('HTTP503', 'unavailable', http_status=503)], 'killed')
    service(backend)[0].report_upload('img', False)
    assert backend.done_calls == 1


def test_converge_gives_up_after_the_attempts_with_the_original_error():
    policy = RetryPolicy()
    backend = UploadBackend([ImsTransportError('reset %d' % n) for n in range(policy.upload_done_attempts)], 'queued')
    with pytest.raises(ImsTransportError) as err:
        service(backend)[0].report_upload('img', True)
    assert backend.done_calls == policy.upload_done_attempts > policy.converge_attempts
    assert err.value.message == 'reset %d' % (policy.upload_done_attempts - 1)


class DeleteBackend(Backend):
    """One image; ``outcomes`` are the DELETE answers (an exception, or None for 204), ``after`` what a read shows."""

    def __init__(self, outcomes, after):
        self.outcomes = list(outcomes)
        self.after = list(after)
        self.deletes = 0

    def delete_image(self, image_id):  # pylint: disable=unused-argument
        self.deletes += 1
        outcome = self.outcomes.pop(0)
        if outcome:
            raise outcome

    def get_image(self, image_id):
        return self.after.pop(0)


def resent(exc):
    exc.resent = True
    return exc


@pytest.mark.parametrize('answer, after', [
    (ImsApiError('HTTP502', 'bad gateway', http_status=502), None),
    (ImsTransportError('connection reset'), img('i', 'n', status='pending_delete')),
    (resent(ImsApiError('HTTP404', 'not found', http_status=404)), None),
    (resent(ImsApiError('IMG.OperationDenied.ActionNotMatchStatus', 'image status is deleted', http_status=400)),
     img('i', 'n', status='deleted')),
], ids=['502-gone', 'reset-pending-delete', 'retry-not-found', 'retry-already-deleted'])
def test_a_delete_whose_answer_is_lost_or_answers_a_retry_is_read_back(answer, after):
    backend = DeleteBackend([answer], [after])
    service(backend)[0].delete_once('i')
    assert backend.deletes == 1


def test_an_ambiguous_delete_that_left_the_image_is_sent_again():
    backend = DeleteBackend([ImsApiError('HTTP503', 'unavailable', http_status=503), None], [img('i', 'n')] * 2)
    service(backend)[0].delete_once('i')
    assert backend.deletes == 2


@pytest.mark.parametrize('retried', [False, True])
def test_a_refused_delete_is_not_sent_again(retried):
    """A refusal is the service's word on the request, even when it answers the client's retry: not resent."""
    refusal = ImsApiError('IMG.OperationFailed.ImageIsShared', 'unshare the image first', http_status=400)
    backend = DeleteBackend([resent(refusal) if retried else refusal], [img('i', 'n')] * 2)
    with pytest.raises(ImsApiError) as err:
        service(backend)[0].delete_once('i')
    assert err.value is refusal and backend.deletes == 1


class IdShapedBackend(FakeBackend):
    @staticmethod
    def is_image_id(value):
        return value.startswith('img-')


def test_resolve_image_by_id_then_name_skipping_deleted_images():
    backend = IdShapedBackend(private=[img('img-1', 'web'), img('img-2', 'img-lookalike'), img('img-3', 'old', status='deleted')])
    svc = service(backend)[0]
    assert svc.resolve_image('img-1')['name'] == 'web'
    assert svc.resolve_image('img-lookalike')['image_id'] == 'img-2'
    backend.calls = []
    assert svc.resolve_image('web')['image_id'] == 'img-1'
    assert backend.calls == [('private', 'web', None, 100)]  # not id-shaped: no look-up by id
    with pytest.raises(ImsValidationError) as err:
        svc.resolve_image('img-3')
    assert "No private image of this tenant has the id or name 'img-3'" in err.value.message
