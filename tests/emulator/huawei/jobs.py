"""IMS asynchronous jobs (Huawei IMS API: GET /v1/{project_id}/jobs/{job_id}): ``INIT`` -> ``RUNNING`` -> ``SUCCESS`` / ``FAIL``.

A job is a list of stages run one after the other on a thread, ``transition`` seconds apart, each
under the state lock.  A stage raising ``JobFailure`` ends the job in ``FAIL`` with its
``error_code`` and ``fail_reason``.  Failures can also be forced by a test (``JobFaults``).

Two switches are read by the runner at every job (README.md, "Switches"):
``image_lag`` (seconds a job stays ``INIT`` before its first stage, on top of one transition: a busy
service lists a new image seconds after the POST) and ``job_reason_in`` (where a failed job says why).
"""

import re
import threading
import uuid

from tests.emulator.huawei.accounts import iso, utcnow


class JobFailure(Exception):
    def __init__(self, code, reason, projects=None):
        super().__init__(f'{code}: {reason}')
        self.code = code
        self.reason = reason
        # Member jobs: only these projects fail (their entities.results[] item), the others are applied.
        self.projects = projects


class JobFaults:
    """Rules ``{"job_type": regex (default any), "error_code", "fail_reason", "count" (default 1, -1 = always),
    "projects" (member jobs only)}``: the next matching jobs fail instead of succeeding.  A rule with
    ``projects`` fails only those projects' items of a member job (``take_projects``); the others are applied."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def set(self, rules):
        parsed = []
        for rule in rules or []:
            parsed.append({'job_type': re.compile(rule.get('job_type') or '.*'), 'pattern': rule.get('job_type') or '.*',
                           'error_code': rule.get('error_code') or 'IMG.1075',
                           'fail_reason': rule.get('fail_reason') or 'the job failed (a fault injected by the test)',
                           'count': int(rule.get('count', 1)), 'projects': list(rule.get('projects') or [])})
        with self.lock:
            self.rules = parsed

    def describe(self):
        with self.lock:
            return [{k: v for k, v in r.items() if k != 'job_type'} for r in self.rules]

    def take(self, job_type, partial=False):
        """The failure a job of this type must end with (``partial``: the member projects that must fail), or None."""
        with self.lock:
            for rule in self.rules:
                if rule['count'] != 0 and bool(rule['projects']) == partial and rule['job_type'].fullmatch(job_type):
                    if rule['count'] > 0:
                        rule['count'] -= 1
                    return JobFailure(rule['error_code'], rule['fail_reason'], set(rule['projects']) or None)
        return None


def unlocked(stage):
    """Mark a stage that does slow I/O (object storage): it runs without the state lock and takes it itself."""
    stage.unlocked = True
    return stage


def new_job(job_type, project, region, entities=None):
    return {'job_id': uuid.uuid4().hex, 'job_type': job_type, 'status': 'INIT', 'begin_time': iso(utcnow()),
            'end_time': None, 'error_code': None, 'fail_reason': None, 'entities': dict(entities or {}),
            '_project': project, '_region': region}


def public_job(job):
    return {k: v for k, v in job.items() if not k.startswith('_')}


class JobRunner:
    """Runs job stages on threads; the switches (``transition_seconds``...) are read at every step, so a test may change them."""

    def __init__(self, lock, switches, stopping, faults):
        self.lock = lock
        self.switches = switches
        self.stopping = stopping
        self.faults = faults
        # Bumped by a reset: a job of the state before it stops instead of writing into the new one.
        self.generation = 0

    def start(self, job, stages, on_fail=None):
        """``stages``: callables run in order (each under the lock); ``on_fail(failure)`` cleans up after a FAIL."""
        threading.Thread(target=self._run, args=(job, stages, on_fail, self.generation), daemon=True,
                         name=f"job-{job['job_id']}").start()

    def later(self, action):
        """Run ``action`` under the lock one transition from now (a delete finishing in the background)."""
        generation = self.generation

        def wait_then_act():
            if not self._pause(generation):
                with self.lock:
                    action()
        threading.Thread(target=wait_then_act, daemon=True, name='later').start()

    def _run(self, job, stages, on_fail, generation):
        forced = self.faults.take(job['job_type'])
        if self._pause(generation, self.switches['image_lag']):
            return
        with self.lock:
            job['status'] = 'RUNNING'
        for index, stage in enumerate(stages):
            if self._pause(generation):
                return
            try:
                if forced is not None and index == len(stages) - 1:
                    raise forced
                if getattr(stage, 'unlocked', False):
                    stage()
                else:
                    with self.lock:
                        if generation != self.generation:
                            return
                        stage()
            except JobFailure as failure:
                with self.lock:
                    self._fail(job, failure, on_fail)
                return
            except Exception as exc:  # pylint: disable=broad-except  # e.g. object storage went away mid-job
                with self.lock:
                    self._fail(job, JobFailure('IMG.1075', f'The job failed: {type(exc).__name__}'), on_fail)
                return
        with self.lock:
            job.update(status='SUCCESS', end_time=iso(utcnow()))

    def _pause(self, generation, extra=0.0):
        """Sleep one transition (and ``extra``); True when the emulator is stopping or was reset meanwhile."""
        return self.stopping.wait(self.switches['transition_seconds'] + extra) or generation != self.generation

    def _fail(self, job, failure, on_fail):
        job.update(status='FAIL', end_time=iso(utcnow()))
        place = self.switches['job_reason_in']
        if place in ('both', 'top'):
            job.update(error_code=failure.code, fail_reason=failure.reason)
        if place in ('both', 'entities'):
            job['entities'].update(error_code=failure.code, error=failure.reason)
        if place == 'sub_job':
            sub = {'status': 'FAIL', 'job_id': uuid.uuid4().hex, 'job_type': job['job_type'], 'begin_time': job['begin_time'],
                   'end_time': job['end_time'], 'error_code': failure.code, 'fail_reason': failure.reason, 'entities': {}}
            job['entities'].update(sub_jobs_result=[sub], sub_jobs_list=[sub['job_id']])
        if on_fail is not None:
            on_fail(failure)
