# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ImageService's job waiter and the settle window of converge(), with a fake clock (no real waiting)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._backend import Backend
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError, ImsWaitError
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._service import RESEND, ImageService


class JobBackend(Backend):
    """get_job answers from a script: a dict, or an exception to raise."""

    job_waiter = True
    settle_window = 0.0

    def __init__(self, script):
        self.script = list(script)
        self.reads = 0

    def get_job(self, job_id):
        self.reads += 1
        outcome = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome, job_id=job_id)


def service(backend):
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds
    return ImageService(backend, sleep=sleep, clock=lambda: now[0], policy=RetryPolicy(poll_interval=1.0, max_poll_interval=4.0)), sleeps


def test_a_job_is_polled_with_backoff_until_it_succeeds():
    backend = JobBackend([{'status': 'INIT'}, {'status': 'RUNNING'}, {'status': 'RUNNING'},
                          {'status': 'SUCCESS', 'image_id': 'i-1'}])
    svc, sleeps = service(backend)
    assert svc.wait_for_job('j-1', timeout=60)['image_id'] == 'i-1'
    assert sleeps == [1.0, 1.5, 2.25] and backend.reads == 4


@pytest.mark.parametrize('failure', [ImsTransportError('connection reset'),
                                     ImsApiError('HTTP503', 'busy', http_status=503),
                                     ImsApiError('APIGW.0308', 'throttled', http_status=429)])
def test_a_poll_that_fails_in_passing_leaves_the_job_unknown_and_the_wait_goes_on(failure):
    backend = JobBackend([failure, failure, {'status': 'RUNNING'}, failure, {'status': 'SUCCESS'}])
    svc, _sleeps = service(backend)
    assert svc.wait_for_job('j-1', timeout=60)['status'] == 'SUCCESS'
    assert backend.reads == 5


def test_a_poll_refused_for_good_ends_the_wait():
    backend = JobBackend([ImsApiError('IMG.0001', 'no such job', http_status=404)])
    with pytest.raises(ImsApiError):
        service(backend)[0].wait_for_job('j-1', timeout=60)


def test_a_failed_job_reports_its_reason_and_error_code():
    backend = JobBackend([{'status': 'RUNNING'}, {'status': 'FAIL', 'job_type': 'imsImportImageJob',
                                                  'reason': 'the file is not readable', 'error_code': 'IMG.0057'}])
    with pytest.raises(ImsWaitError) as err:
        service(backend)[0].wait_for_job('j-1', timeout=60)
    assert 'Job j-1 (imsImportImageJob) failed: the file is not readable (IMG.0057).' == err.value.message
    assert err.value.error_code == 'IMG.0057'


def test_the_wait_ends_at_wait_timeout_with_the_last_status():
    backend = JobBackend([{'status': 'RUNNING'}, ImsTransportError('timed out')])
    svc, sleeps = service(backend)
    with pytest.raises(ImsWaitError) as err:
        svc.wait_for_job('j-1', timeout=10)
    assert 'Timed out after 10s waiting for job j-1 to succeed; last status: unknown (timed out).' == err.value.message
    assert sum(sleeps) == pytest.approx(10)


def test_finish_waits_for_the_job_an_answer_names_and_passes_other_answers_through():
    backend = JobBackend([{'status': 'SUCCESS'}])
    svc = service(backend)[0]
    assert svc.finish({'job_id': 'j-1'}, 60)['status'] == 'SUCCESS'
    member = {'member_id': 'p', 'status': 'accepted'}
    assert svc.finish(member, 60) is member and backend.reads == 1


def test_a_write_whose_effect_shows_late_is_not_resent_within_the_settle_window():
    backend = JobBackend([{'status': 'SUCCESS'}])
    backend.settle_window = 30.0
    svc, sleeps = service(backend)
    looks = []
    sends = []

    def send():
        sends.append(1)
        raise ImsTransportError('reply lost')

    def settled():
        looks.append(1)
        return 'the image' if len(looks) == 6 else RESEND     # the job's image shows up on the sixth look
    assert svc.converge(send, settled) == 'the image'
    assert len(sends) == 1 and sum(sleeps) < 30


def test_without_a_settle_window_two_looks_decide():
    svc, _sleeps = service(JobBackend([{'status': 'SUCCESS'}]))
    outcomes = iter([RESEND, RESEND, 'found'])
    sends = []

    def send():
        sends.append(1)
        if len(sends) == 1:
            raise ImsTransportError('reply lost')
        return 'sent again'
    assert svc.converge(send, lambda: next(outcomes)) == 'sent again'
    assert len(sends) == 2


def test_wait_until_listed_polls_the_name_until_the_image_shows_up():
    class Listing(Backend):
        scopes = ('private',)
        server_filters = frozenset()
        job_waiter = True
        calls = 0

        def list_scope(self, scope, **kwargs):
            Listing.calls += 1
            return [{'image_id': 'i-1', 'name': 'n', 'status': 'queued'}] if Listing.calls >= 3 else []
    svc, sleeps = service(Listing(client=None))
    assert svc.wait_until_listed('n', timeout=60)['image_id'] == 'i-1'
    assert len(sleeps) == 2
