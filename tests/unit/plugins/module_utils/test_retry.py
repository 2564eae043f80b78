# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RetryPolicy is the one retry policy: one change of it changes every layer that repeats or waits (the HTTP client
and its resend after a 401, the S3/OBS clients, ImageService.converge and its polls), and its numbers are today's."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from tests.unit.plugins.module_utils.module_args import patch_module_args

from ansible_collections.cecloud.ims.plugins.module_utils._backend import Backend
from ansible_collections.cecloud.ims.plugins.module_utils._core import object_storage as _object_storage
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import NoAuth
from ansible_collections.cecloud.ims.plugins.module_utils._core.client import ImsClient
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsTransportError
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule, WAIT_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._service import RESEND, ImageService

CONNECTION = dict(endpoint='http://127.0.0.1:9', region='region0', auth_token='tok-123456')
STORAGE = dict(obs_endpoint='http://127.0.0.1:9', access_key='AK', secret_key='SK')


class Client:
    """What ImageService reads of a backend's client: its policy."""

    def __init__(self, retry_policy):
        self.retry_policy = retry_policy


class JobBackend(Backend):
    """A backend whose jobs answer from a script (a dict, or an exception to raise)."""

    job_waiter = True
    settle_window = 0.0

    def __init__(self, policy, script=()):
        self.client = Client(policy)
        self.script = list(script)

    def get_job(self, job_id):
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome, job_id=job_id)


def service_of(policy, script=()):
    """The ImageService of a backend whose client has ``policy``, on a fake clock."""
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds
    return ImageService(JobBackend(policy, script), sleep=sleep, clock=lambda: now[0])


def task_policy(retries=0):
    return RetryPolicy.from_params(dict(CONNECTION, retries=retries))


def s3_max_attempts(client):
    """How many times in all the S3 client sends a request (botocore's total_max_attempts, from max_attempts)."""
    return client.meta.config.retries['total_max_attempts']


class RenewingAuth(NoAuth):
    """Renews its credentials after every 401."""

    def __init__(self):
        super(RenewingAuth, self).__init__()
        self.renewals = 0

    def renew(self):
        self.renewals += 1
        return True


class Session:
    """Answers every request with the next status of ``statuses``."""

    def __init__(self, *statuses):
        self.statuses = list(statuses)
        self.calls = 0

    def request(self, method, url, **kwargs):  # pylint: disable=unused-argument
        self.calls += 1
        answer = requests.Response()
        answer.status_code = self.statuses.pop(0)
        answer._content = b'{}'  # pylint: disable=protected-access
        answer._content_consumed = True  # pylint: disable=protected-access
        return answer


def test_the_numbers_are_those_the_collection_always_had():
    policy = RetryPolicy()
    assert (policy.retries, policy.base_delay, policy.max_delay, policy.auth_resends) == (5, 0.5, 15.0, 1)
    assert (policy.converge_attempts, policy.upload_done_attempts, policy.settle_looks) == (3, 6, 2)
    assert (policy.poll_interval, policy.poll_growth, policy.max_poll_interval) == (0.5, 1.5, 5.0)
    # The object storage clients' botocore max_attempts (repeats after the first attempt): the task's retries + 1.
    assert [RetryPolicy(retries=n).s3_retries()['max_attempts'] for n in (0, 5)] == [1, 6]
    assert RetryPolicy().s3_retries()['mode'] == 'standard'


def test_a_number_the_policy_does_not_have_is_refused():
    with pytest.raises(TypeError):
        RetryPolicy(converge_atempts=4)


def test_a_task_s_client_service_and_object_storage_share_its_policy(capsys):
    class Recording(ImsModule):
        argument_spec = dict(WAIT_ARGUMENT_SPEC)

        def run(self):
            policy = self.client.retry_policy
            storage = _object_storage.from_params(dict(self.params, **STORAGE))
            # What CECloud's S3 upload (ServiceS3Upload) builds its client with: the policy of the task's ImageService.
            direct = _transfer.make_s3_client('http://127.0.0.1:9', 'AK', 'SK', retry_policy=self.service.policy)
            self.result.update(retries=policy.retries, shared=self.service.policy is policy,
                               storage=s3_max_attempts(storage.client), direct=s3_max_attempts(direct))
    with patch_module_args(dict(CONNECTION, retries=2)):
        with pytest.raises(SystemExit):
            Recording()()
    result = json.loads(capsys.readouterr().out)
    assert (result['retries'], result['shared'], result['storage'], result['direct']) == (2, True, 4, 4), result


def test_one_edit_of_the_s3_rule_changes_both_object_storage_clients(monkeypatch):
    params = dict(CONNECTION, retries=2, timeout=30, validate_certs=True, ca_path=None, **STORAGE)
    assert s3_max_attempts(_object_storage.from_params(params).client) == 4
    monkeypatch.setattr(RetryPolicy, 's3_retries', lambda self: {'max_attempts': self.retries, 'mode': 'standard'})
    assert s3_max_attempts(_object_storage.from_params(params).client) == 3
    assert s3_max_attempts(_transfer.make_s3_client('http://127.0.0.1:9', 'AK', 'SK', retry_policy=task_policy(2))) == 3


@pytest.mark.parametrize('edited,sends', [(None, 3), (5, 5)], ids=['as-shipped', 'edited'])
def test_converge_sends_as_often_as_the_policy_says(monkeypatch, edited, sends):
    if edited:
        monkeypatch.setattr(RetryPolicy, 'converge_attempts', edited)
    sent = []

    def send():
        sent.append(1)
        raise ImsTransportError('reply lost')
    with pytest.raises(ImsTransportError):
        service_of(task_policy()).converge(send, lambda: RESEND)
    assert len(sent) == sends


@pytest.mark.parametrize('edited', [False, True], ids=['as-shipped', 'edited'])
def test_which_failed_polls_a_wait_outlasts_is_the_policy_s(monkeypatch, edited):
    if edited:     # a stricter rule: only a request that got no answer leaves the job's state unknown
        monkeypatch.setattr(RetryPolicy, 'is_transient', staticmethod(lambda exc: isinstance(exc, ImsTransportError)))
    busy = ImsApiError('HTTP503', 'unavailable', http_status=503)
    svc = service_of(task_policy(), [ImsTransportError('reset'), busy, {'status': 'SUCCESS'}])
    if edited:
        with pytest.raises(ImsApiError):
            svc.wait_for_job('job-1', timeout=60)
    else:
        assert svc.wait_for_job('job-1', timeout=60)['status'] == 'SUCCESS'


@pytest.mark.parametrize('edited,sent', [(None, 2), (2, 3)], ids=['as-shipped', 'edited'])
def test_the_resends_after_a_401_are_the_policy_s(monkeypatch, edited, sent):
    if edited:
        monkeypatch.setattr(RetryPolicy, 'auth_resends', edited)
    session = Session(401, 401, 200)
    client = ImsClient('http://127.0.0.1:9', 'region0', auth=RenewingAuth(), retry_policy=task_policy(), session=session)
    if sent == 3:
        assert client.send('GET', '/x').status_code == 200
    else:
        with pytest.raises(ImsApiError):
            client.send('GET', '/x')
    assert session.calls == sent


@pytest.mark.parametrize('edited', [False, True], ids=['as-shipped', 'edited'])
def test_the_poll_pauses_are_the_policy_s(monkeypatch, edited):
    if edited:
        monkeypatch.setattr(RetryPolicy, 'poll_interval', 2.0)
    pauses = []
    svc = ImageService(JobBackend(task_policy(), [{'status': 'RUNNING'}] * 4 + [{'status': 'SUCCESS'}]), sleep=pauses.append,
                       clock=lambda: 0.0)
    svc.wait_for_job('job-1', timeout=60)
    assert pauses == ([2.0, 3.0, 4.5, 5.0] if edited else [0.5, 0.75, 1.125, 1.6875])
