# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's promise as a stateful property: sequences of tasks, some under faults.

A hypothesis state machine runs the real modules (``ims.module``: each module's own entry point,
through real HTTP) against an emulator whose transitions take seconds, not the suite's 0.3 s.
Tenant A creates, renames, updates, uploads (with and without ``wait``, with ``replace``), shares,
unshares and deletes images from a few names and file contents; tenant B copies what A shared.
Any step may run under one injected fault (FAULT_KINDS: a 5xx before the change, a 5xx or a 400
IMG.Internal.Error after it, or a reply dropped before or after the service acted), once or several
times in a row.

Before every task run, a model (``Model``) reads the emulator's own state and says what the task must
come to: it succeeds and changes something, succeeds and changes nothing, or meets a conflict (a name
held by an image of another file or another disk format, an id no image has, a shared image to delete,
an image the service refuses to share or delete in its status) and is refused with a message the model
names. An image still ``saving`` may turn ``active`` while the task runs: the model then allows what
either status leads to. Whether the fault was met is read from the emulator's fault rule (its count).

After every task run, reading the emulator's own state (never the module's result):
  1. no two private images of one tenant carry one name (whatever their status, deleted aside);
  2. a task that changed the service's state says ``changed: true``, and returns the image it made;
     a task that says ``changed: true`` changed something; no task fails with a bug (a traceback);
  3. liveness: a run that met no fault comes to one of the model's outcomes, so a task that meets
     no conflict succeeds, with the predicted ``changed``; a run that met a fault and succeeded
     comes to one of the model's successes;
  4. a task that failed under a fault, run again without faults, converges: the re-run comes to the
     model's outcome (a success when the task met no conflict), and a third run changes nothing.
A ``repeat`` rule runs the previous task again at once (the image of a ``wait: false`` upload is
still ``saving`` then): a task that succeeded must report no change the second time.

``make test`` runs the bounded variant (EXAMPLES sequences of at most STEPS steps, derandomized); the
variant marked ``long`` (LONG_EXAMPLES sequences of at most LONG_STEPS steps, 10 s transitions) runs
only when selected: ``make property-long`` (= ``pytest -m long tests/integration/test_properties.py``).
Each prints a ``FIGURES`` line (sequences, steps, module runs, what the model expected).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import hashlib
import os
import re

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from tests.emulator.stack import Stack
from tests.integration.conftest import Ims
from tests.integration.images import write_qcow2, write_raw
from tests.integration.test_faults import save_figures

TENANTS = ('tenant-a', 'tenant-b')
NAMES = ('alpha', 'beta')                 # tenant A's image names: few, so that tasks meet on one image
COPY_NAMES = ('copy-one', 'copy-two')     # tenant B's names for copies of what A shared
CONTENTS = ('raw-one', 'raw-two', 'qcow2-three')
# Every task: few retries (a fault of count 3 outlasts them); a wait that a transition never outlasts.
COMMON_ARGS = dict(retries=2, timeout=20)
WAIT_ARGS = dict(wait_timeout=120)
MODULES_THAT_WAIT = ('ims_image', 'ims_image_upload')
MODULE_TIMEOUT = 300
# The bounded run of make test (on ``slow_ims``: its transitions outlast a module run, 1 to 4 s on a busy
# machine, so that the next task meets a ``saving`` image) and the long one (make property-long).
EXAMPLES, STEPS = 5, 10
LONG_EXAMPLES, LONG_STEPS, LONG_TRANSITION_SECONDS = 40, 25, 10.0

# The API requests a fault can hit: (method, path regex).
ENDPOINTS = {
    'create': ('POST', '/private-images$'),
    'update': ('PUT', '/private-images/[^/]+$'),
    'delete': ('DELETE', '/private-images/[^/]+$'),
    'prepare': ('POST', '/upload-prepare$'),
    'done': ('POST', '/upload-done$'),
    'share': ('POST', '/share$'),
    'unshare': ('POST', '/unshare$'),
    'members': ('GET', '/private-images/[^/]+/share$'),
    'list': ('GET', '/private-images$'),
    'get': ('GET', '/images/[^/]+$'),
    'received': ('GET', '/shared-images$'),
    'copy': ('POST', '/copy$'),
}
# The faults a step may meet: name -> the emulator rule's fields (tests/emulator/_http.py, Faults.set) beside
# method, path and count. A new fault is one more entry. error: 5xx before the change; error_after: the
# change is made, then 5xx; internal_after: the change is made, then 400 IMG.Internal.Error (the status of the
# service's own failures in the error table); drop_*: no reply, before or after the service acted.
FAULT_KINDS = {
    'error': dict(action='error', status=500),
    'error_after': dict(action='error_after', status=500),
    'internal_after': dict(action='error_after', status=400),
    'drop_before': dict(action='drop_before', status=500),
    'drop_after': dict(action='drop_after', status=500),
}
# 1: a passing glitch; 3: outlasts one request's retries; 8: several requests in a row.
COUNTS = (1, 3, 8)
# The fields whose change is a change made by a task (checksum and size follow the transition).
TRACKED_FIELDS = ('name', 'diskFormat', 'minRam', 'osVersion')
# saving -> active happens by itself after a task: both count as one state.
SETTLED = {'saving': 'active'}


class Fault(collections.namedtuple('Fault', 'endpoint kind count')):
    """One emulator fault rule, named so that a failing sequence reads as a recipe."""

    def rule(self):
        method, path = ENDPOINTS[self.endpoint]
        return dict(FAULT_KINDS[self.kind], method=method, path=path, count=self.count)

    def met(self, stack):
        """Whether a request met the rule (the emulator counts a rule down each time it applies it)."""
        return any(r['count'] < self.count for r in stack.faults()['rules'])


def faults(*endpoints):
    """No fault (half of the draws), or one fault on one of ``endpoints``."""
    return st.none() | st.builds(Fault, st.sampled_from(endpoints), st.sampled_from(tuple(FAULT_KINDS)), st.sampled_from(COUNTS))


class Snapshot:
    """The emulator's state as far as the collection is concerned: images of our tenants and shares."""

    def __init__(self, stack):
        state = stack.state()
        owners = dict((stack.tenant(t)['tenant_id'], t) for t in TENANTS)
        self.images = [dict(i, tenant=owners[i['owner']]) for i in state['images']
                       if i.get('owner') in owners and i['status'] != 'deleted']
        self.share_records = state['shares']
        self.shares = sorted((s['imageId'], s['userId']) for s in state['shares'])

    def of(self, tenant, name=None):
        return [i for i in self.images if i['tenant'] == tenant and (name is None or i['name'] == name)]

    def ids(self):
        return set(i['imageId'] for i in self.images)

    def fingerprint(self):
        images = sorted((i['imageId'], SETTLED.get(i['status'], i['status'])) + tuple(str(i.get(f)) for f in TRACKED_FIELDS)
                        for i in self.images)
        return images, self.shares

    def duplicates(self):
        """{(tenant, name): [(id, status), ...]} for every name that two images of one tenant carry."""
        by_name = collections.defaultdict(list)
        for image in self.images:
            by_name[(image['tenant'], image['name'])].append((image['imageId'], image['status']))
        return dict((k, v) for k, v in by_name.items() if len(v) > 1)


class Task(collections.namedtuple('Task', 'label module args tenant')):
    """A module run as a playbook task would make it."""

    def module_args(self):
        args = dict(COMMON_ARGS, **(WAIT_ARGS if self.module in MODULES_THAT_WAIT else {}))
        args.update(self.args)
        return args


# -- what a task must come to --------------------------------------------------------------------------

CHANGED, UNCHANGED = 'succeeds, changed', 'succeeds, unchanged'


class Refused(collections.namedtuple('Refused', 'conflict message')):
    """A conflict the task meets: it must fail, with a message that matches the regex ``message``."""

    def __str__(self):
        return 'refused (%s)' % self.conflict


def comes_to(outcome, result):
    """Whether a module run's ``result`` is ``outcome`` (CHANGED, UNCHANGED or a Refused)."""
    if isinstance(outcome, Refused):
        return result.failed and re.search(outcome.message, result.get('msg') or '') is not None
    return not result.failed and result.changed == (outcome == CHANGED)


def conflicts(outcomes):
    return [o for o in outcomes if isinstance(o, Refused)]


def statuses_during(image):
    """The statuses an image may have while a task runs: a ``saving`` one may turn ``active`` meanwhile."""
    return (image['status'],) + ((SETTLED[image['status']],) if image['status'] in SETTLED else ())


# The service refuses these (CECloud IMS API: share, POST /share; delete, DELETE /private-images/{id}).
NOT_ACTIVE = Refused('the service shares active images only', 'ActionNotMatch')
STILL_SAVING = Refused('the service does not delete a saving image', 'ActionNotMatchStatus')
COPY_SOURCE = Refused('the image is the source of a copy in progress', 'DeleteNotAllowed')


class Model:
    """What each task must come to in the emulator's state ``snapshot``: a set of outcomes.

    ``sources``: {file path: (size, md5, disk format)} of the files uploaded; ``contents``: {image id: md5 of
    the file an upload put into it}, for the images still ``saving`` (the service shows their checksum once
    they are ``active``).
    """

    def __init__(self, snapshot, sources, contents, user_b):
        self.snapshot = snapshot
        self.sources = sources
        self.contents = contents
        self.user_b = user_b

    def predict(self, task):
        return frozenset(getattr(self, task.label.replace(' ', '_'))(**task.args))

    def _named(self, tenant, name):
        images = self.snapshot.of(tenant, name)
        return images[0] if images else None

    def _shared(self, image):
        return any(s['imageId'] == image['imageId'] for s in self.snapshot.share_records)

    def _copying(self, image):
        """Whether a copy of ``image`` is in progress (the emulator's job of the copy names its source)."""
        return any(i['status'] == 'saving' and (i.get('_job') or {}).get('source') == image['imageId'] for i in self.snapshot.images)

    def _deletable(self, image, status):
        """Deleting ``image`` once it is ``status`` (ims_image and a replacing upload wait for a saving one)."""
        return {CHANGED, COPY_SOURCE} if status == 'active' and self._copying(image) else {CHANGED}

    # -- tenant A -------------------------------------------------------------------------------------

    def create(self, name, disk_format):
        image = self._named('tenant-a', name)
        if image is None:
            return {CHANGED}
        if image['diskFormat'] != disk_format:
            return {Refused('the image of the name has another disk format', r'disk_format of image \S+ is \w+; it cannot be changed')}
        return {UNCHANGED}

    def update(self, name, min_ram, os_version):
        image = self._named('tenant-a', name)
        if image is None:
            return {CHANGED}
        return {UNCHANGED if (str(image['minRam']), image['osVersion'] or '') == (str(min_ram), os_version) else CHANGED}

    def rename(self, id, name):  # pylint: disable=redefined-builtin
        image = next((i for i in self.snapshot.of('tenant-a') if i['imageId'] == id), None)
        if image is None:
            return {Refused('no image has the id', 'No private image has id')}
        if image['name'] == name:
            return {UNCHANGED}
        if self._named('tenant-a', name) is not None:
            return {Refused('another image carries the new name', 'the name is taken by private image')}
        return {CHANGED}

    def upload(self, name, src, wait, replace):
        image = self._named('tenant-a', name)
        if image is None:
            return {CHANGED}
        outcomes = set()
        for status in statuses_during(image):
            outcomes |= self._upload_over(image, status, self.sources[src], wait, replace)
        return outcomes

    def _upload_over(self, image, status, source, wait, replace):
        """An upload of ``source`` under the name of ``image``, which is ``status`` when the task reads it."""
        if status in ('queued', 'killed'):
            # Queued with the file's disk format: the upload fills it; queued with another, or killed: a failed
            # run's leftover, which the upload deletes (cleanup_on_failure) before it makes a new image.
            return {CHANGED}
        size, md5, dummy = source
        if image['size'] != size:
            holds_src = {False}
        else:
            checksum = image['checksum'] or self.contents.get(image['imageId'])
            holds_src = {checksum == md5} if checksum else {True, False}
        if status == 'saving':
            # No checksum while saving: an image of the file's size is taken for the upload an earlier run
            # started (ims_image_upload's documented reuse), checked against the file only with wait.
            if image['size'] == size:
                return set(UNCHANGED if same or not wait else Refused('the saving image of the name holds another file '
                                                                      'of the same size', 'did not keep the bytes sent')
                           for same in holds_src)
        outcomes = set()
        for same in holds_src:
            if same:
                outcomes.add(UNCHANGED)
            elif not replace:
                outcomes.add(Refused('the name holds another file', 'already holds another file'))
            elif status == 'active' and self._shared(image):
                outcomes.add(Refused('replace would delete a shared image', 'replace: true would delete'))
            else:
                outcomes |= self._deletable(image, status)
        return outcomes

    def share(self, image, state, **_):
        target = self._named('tenant-a', image)
        if target is None:
            return {Refused('no image has the name', 'No private image of this tenant has the id or name')}
        if (target['imageId'], self.user_b) in self.snapshot.shares:
            return {CHANGED if state == 'absent' else UNCHANGED}
        if state == 'absent':
            return {UNCHANGED}
        return set(CHANGED if status == 'active' else NOT_ACTIVE for status in statuses_during(target))

    def delete(self, name, force, wait, **_):
        image = self._named('tenant-a', name)
        if image is None:
            return {UNCHANGED}
        if self._shared(image) and not force:
            return {Refused('the image is shared', 'is shared with')}
        outcomes = set()
        for status in statuses_during(image):
            outcomes |= {STILL_SAVING} if status == 'saving' and not wait else self._deletable(image, status)
        return outcomes

    # -- tenant B -------------------------------------------------------------------------------------

    def copy(self, copy_from_share, name, wait):
        if self._named('tenant-b', name) is not None:
            return {UNCHANGED}
        if not any(s['shareId'] == copy_from_share for s in self.snapshot.share_records):
            return {Refused('the share is gone', 'No image is shared with this tenant under share id')}
        return {CHANGED}

    def delete_copy(self, name, **_):
        return {UNCHANGED if self._named('tenant-b', name) is None else CHANGED}


class Figures:
    """What a run of the machine did, for the note (docs/reliability.md)."""

    def __init__(self):
        self.counts = collections.Counter()
        self.refusals = collections.Counter()

    def add(self, key, value=1):
        self.counts[key] += value

    def refused(self, message):
        """A re-run without faults that failed (a refusal of the task itself), by its message without ids."""
        self.add('re-run refused')
        self.refusals[re.sub(r'img-[a-z0-9-]+|[0-9]+|https?://\S+', '#', message or '')[:120]] += 1

    def expected(self, outcomes, fault_met):
        """Count a run by what the model expected of it."""
        if fault_met:
            self.add('runs that met their fault')
        elif not conflicts(outcomes):
            self.add('runs without fault or conflict (must succeed)')
        elif len(outcomes) == len(conflicts(outcomes)):
            self.add('runs that met a conflict (must be refused)')
        else:
            self.add('runs racing a transition (refused or not)')


class CollectionMachine(RuleBasedStateMachine):
    """Set by the test before the run: ``ims`` (an Ims on the property stack), ``files``, ``sources``, ``figures``."""

    ims = None
    files = None
    sources = None
    figures = None

    def __init__(self):
        super().__init__()
        self.ims.stack.set_faults()
        self.ims.stack.reset()
        self.last = None
        self.last_failed = False
        self.contents = {}
        self.user_b = self.ims.stack.tenant('tenant-b')['user_id']
        self.figures.add('sequences')

    # -- running a task and checking the invariants --------------------------------------------------

    def run_task(self, task, fault):
        """Run ``task`` under ``fault``; check the invariants; a failed faulted task is re-run twice."""
        self.figures.add('steps')
        if fault is not None:
            self.figures.add('faulted steps')
        result, expected = self._checked_run(task, fault)
        self.last, self.last_failed = task, result.failed
        if fault is not None and result.failed:
            self.figures.add('failed under a fault')
            again, dummy = self._checked_run(task, None, why='re-run without faults after a failure under %r' % (fault,))
            if not conflicts(expected):
                self.require(not again.failed, task, again, 'the task met no conflict: its re-run without faults must '
                             'converge (succeed)', fault=fault)
            third, dummy = self._checked_run(task, None, why='third run, after the re-run')
            self.last_failed = third.failed
            if not again.failed:
                self.require(not third.failed and not third.changed, task, third,
                             'a third run after a successful re-run must change nothing')
            else:
                self.figures.refused(again.get('msg'))
                self.require(third.failed and third.get('msg') == again.get('msg'), task, third,
                             'a re-run that failed must fail the same way the next time')

    def _checked_run(self, task, fault, why=None):
        """One run of ``task`` (under ``fault``): returns its result and what the model expected of it."""
        stack = self.ims.stack
        before = Snapshot(stack)
        expected = Model(before, self.sources, self.contents, self.user_b).predict(task)
        if fault is not None:
            stack.set_faults(rules=[fault.rule()])
        try:
            result = self.ims.module(task.module, task.module_args(), tenant=task.tenant, timeout=MODULE_TIMEOUT)
            met = fault is not None and fault.met(stack)
        finally:
            stack.set_faults()
        self.figures.add('module runs')
        self.figures.expected(expected, met)
        after = Snapshot(stack)
        context = dict(fault=fault, fault_met=met, why=why, expected=sorted(str(o) for o in expected))
        self._check_outcome(task, result, expected, met, context)
        self.require(not after.duplicates(), task, result, 'two images of one name: %r' % after.duplicates(), **context)
        self.require('Unexpected error' not in (result.get('msg') or ''), task, result, 'a bug in the module', **context)
        if before.fingerprint() != after.fingerprint():
            self.require(result.changed, task, result, 'the task changed the state but reports changed: false',
                         before=before.fingerprint(), after=after.fingerprint(), **context)
        elif not result.failed:
            self.require(not result.changed, task, result, 'changed: true, but nothing changed', **context)
        made = after.ids() - before.ids()
        returned = (result.get('image') or {}).get('image_id')
        self.require(not made or returned in made, task, result, 'the task made %s but returns image %r' % (
            sorted(made), returned), **context)
        self._note_contents(task, after)
        return result, expected

    def _check_outcome(self, task, result, expected, met, context):
        """Liveness: a run that met no fault comes to an outcome of the model; one that met it, if it succeeds, to a success."""
        if not met:
            self.require(any(comes_to(o, result) for o in expected), task, result,
                         'the task met no fault: it must come to what the model expects', **context)
        elif not result.failed:
            self.require(any(comes_to(o, result) for o in expected if not isinstance(o, Refused)), task, result,
                         'a task that succeeds under a fault must come to a success the model expects', **context)

    def _note_contents(self, task, after):
        """Which file each image of tenant A holds: an upload's image, once saving, holds the upload's file; an
        active image's checksum must be that file's MD5."""
        for image in after.of('tenant-a'):
            if image['status'] in ('saving', 'active') and image['size']:
                if task.module == 'ims_image_upload' and image['name'] == task.args['name']:
                    self.contents.setdefault(image['imageId'], self.sources[task.args['src']][1])
                known = self.contents.get(image['imageId'])
                self.require(image['status'] != 'active' or known in (None, image['checksum']), task, None,
                             'image %s holds %s, but its upload sent the file of MD5 %s' % (image['imageId'], image['checksum'], known))

    def require(self, condition, task, result, problem, **context):
        """Assert one invariant of one task run, saying which task, under what, and what it returned."""
        assert condition, '%s\n  task %s %s as %s (%s)\n  result %r' % (
            problem, task.module, task.args, task.tenant, ', '.join('%s=%r' % kv for kv in sorted(context.items())), result)

    def _image_named(self, tenant, name):
        images = Snapshot(self.ims.stack).of(tenant, name)
        return images[0] if images else None

    # -- tenant A ------------------------------------------------------------------------------------

    @rule(name=st.sampled_from(NAMES), disk_format=st.sampled_from(('raw', 'qcow2')), fault=faults('create', 'list'))
    def create(self, name, disk_format, fault):
        self.run_task(Task('create', 'ims_image', dict(name=name, disk_format=disk_format), 'tenant-a'), fault)

    @rule(name=st.sampled_from(NAMES), min_ram=st.sampled_from((1024, 2048)), os_version=st.sampled_from(('22.04', '24.04')),
          fault=faults('update', 'list', 'get'))
    def update(self, name, min_ram, os_version, fault):
        self.run_task(Task('update', 'ims_image', dict(name=name, min_ram=min_ram, os_version=os_version), 'tenant-a'), fault)

    @rule(source=st.sampled_from(NAMES), new_name=st.sampled_from(NAMES), fault=faults('update', 'list', 'get'))
    def rename(self, source, new_name, fault):
        """``id`` of the image now called ``source``, ``name: new_name`` (nothing to do when there is none)."""
        image = self._image_named('tenant-a', source)
        if image is not None:
            self.run_task(Task('rename', 'ims_image', dict(id=image['imageId'], name=new_name), 'tenant-a'), fault)

    @rule(name=st.sampled_from(NAMES), content=st.sampled_from(CONTENTS), wait=st.booleans(), replace=st.booleans(),
          fault=faults('create', 'prepare', 'done', 'list', 'get', 'delete'))
    def upload(self, name, content, wait, replace, fault):
        args = dict(name=name, src=self.files[content], wait=wait, replace=replace)
        self.run_task(Task('upload', 'ims_image_upload', args, 'tenant-a'), fault)

    @rule(name=st.sampled_from(NAMES), state=st.sampled_from(('present', 'absent')),
          fault=faults('share', 'unshare', 'members', 'list'))
    def share(self, name, state, fault):
        users = [self.ims.stack.tenant('tenant-b')['user_id']]
        self.run_task(Task('share', 'ims_image_share', dict(image=name, users=users, state=state), 'tenant-a'), fault)

    @rule(name=st.sampled_from(NAMES), force=st.booleans(), wait=st.booleans(),
          fault=faults('delete', 'unshare', 'members', 'list', 'get'))
    def delete(self, name, force, wait, fault):
        self.run_task(Task('delete', 'ims_image', dict(name=name, state='absent', force=force, wait=wait), 'tenant-a'), fault)

    # -- tenant B ------------------------------------------------------------------------------------

    @rule(source=st.sampled_from(NAMES), name=st.sampled_from(COPY_NAMES), wait=st.booleans(),
          fault=faults('copy', 'received', 'list', 'get'))
    def copy_share(self, source, name, wait, fault):
        """Tenant B copies the share of A's image now called ``source`` (nothing to do when there is none)."""
        image = self._image_named('tenant-a', source)
        user_b = self.ims.stack.tenant('tenant-b')['user_id']
        shares = [s for s in self.ims.stack.state()['shares']
                  if image is not None and s['imageId'] == image['imageId'] and s['userId'] == user_b]
        if shares:
            args = dict(copy_from_share=shares[0]['shareId'], name=name, wait=wait)
            self.run_task(Task('copy', 'ims_image', args, 'tenant-b'), fault)

    @rule(name=st.sampled_from(COPY_NAMES), fault=faults('delete', 'members', 'list'))
    def delete_copy(self, name, fault):
        self.run_task(Task('delete copy', 'ims_image', dict(name=name, state='absent'), 'tenant-b'), fault)

    # -- the same task twice -------------------------------------------------------------------------

    @precondition(lambda self: self.last is not None)
    @rule()
    def repeat(self):
        """The previous task again, at once and without faults: a success must now report no change."""
        task = self.last
        first_failed = self.last_failed
        self.figures.add('steps')
        result, dummy = self._checked_run(task, None, why='the previous task, repeated')
        self.last_failed = result.failed
        if not first_failed:
            self.require(not result.failed and not result.changed, task, result,
                         'the same task, run again at once, must succeed and change nothing')


def _write_contents(folder):
    """({content: path}, {path: (size, md5, disk format)}) of the files the uploads send."""
    files, sources = {}, {}
    for content in CONTENTS:
        path = folder / (content + '.img')
        disk_format = 'qcow2' if content.startswith('qcow2') else 'raw'
        files[content] = (write_qcow2 if disk_format == 'qcow2' else write_raw)(path, 1, seed=content.encode())
        with open(files[content], 'rb') as handle:
            sources[files[content]] = (os.path.getsize(files[content]), hashlib.md5(handle.read()).hexdigest(), disk_format)
    return files, sources


def _run_machine(ims, tmp_path, examples, steps, figures_name):
    figures = Figures()
    files, sources = _write_contents(tmp_path)
    machine = type('CollectionMachineRun', (CollectionMachine,), dict(ims=ims, files=files, sources=sources, figures=figures))
    try:
        run_state_machine_as_test(machine, settings=settings(
            max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck), print_blob=False))
    finally:
        save_figures(figures_name, dict(figures.counts, transition_seconds=ims.stack.transition_seconds, max_examples=examples,
                                        stateful_step_count=steps, refusals=dict(figures.refusals)))


def test_tasks_under_faults_converge_and_tasks_without_conflict_succeed(slow_ims, tmp_path):
    _run_machine(slow_ims, tmp_path, EXAMPLES, STEPS, 'property_tasks')


@pytest.mark.slow
@pytest.mark.long
def test_tasks_under_faults_long_run(stack, tmp_path):
    """The long variant: ``make property-long``."""
    with Stack(transition_seconds=LONG_TRANSITION_SECONDS, s3=stack) as slower:
        _run_machine(Ims(slower), tmp_path, LONG_EXAMPLES, LONG_STEPS, 'property_tasks_long')


# -- what the property test found, each as one focused test -------------------------------------------


def test_an_upload_beside_a_queued_image_of_another_format_makes_no_second_image(ims, tmp_path):
    """Found by the property test: ``ims_image`` (qcow2 by default) leaves a queued image; uploading a raw
    file under that name created a second image instead of refusing or replacing the empty one."""
    assert not ims.module('ims_image', dict(name='format-clash', disk_format='qcow2')).failed
    run = ims.module('ims_image_upload', dict(src=write_raw(tmp_path / 'clash.raw', 1), name='format-clash'))
    mine = [i for i in ims.images('tenant-a') if i['name'] == 'format-clash' and i['status'] != 'deleted']
    assert len(mine) == 1, (run, mine)


def test_a_rename_answered_5xx_after_it_took_effect_reports_changed(ims):
    """Found by the property test: the PUT of a rename took effect, the replies were 5xx beyond the retries,
    and the failure said ``changed: false`` about an image that now carries the new name."""
    image_id = ims.module('ims_image', dict(name='before-rename'))['image']['image_id']
    ims.stack.set_faults(rules=[Fault('update', 'error_after', 3).rule()])  # 3 replies: more than retries=2 absorb
    run = ims.module('ims_image', dict(id=image_id, name='after-rename', retries=2))
    ims.stack.set_faults()
    assert [i['name'] for i in ims.images('tenant-a') if i['imageId'] == image_id] == ['after-rename']
    assert run.changed, run
