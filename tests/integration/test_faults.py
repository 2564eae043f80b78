# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults: refused tokens, an emulator restarted mid-wait, ambiguous POSTs, random 5xx/drops/latency.

Figures (faults injected, retries observed, runs) are printed and written to tests/output/reliability/.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import tempfile
import time

import pytest

from tests.integration.conftest import REPO
from tests.integration.images import write_raw

API = '/api/image/v1'
FIGURES_DIR = os.path.join(REPO, 'tests', 'output', 'reliability')


def save_figures(name, figures):
    """Print the figures of a test and keep them as JSON for docs/reliability.md."""
    os.makedirs(FIGURES_DIR, exist_ok=True)
    with open(os.path.join(FIGURES_DIR, name + '.json'), 'w', encoding='utf-8') as handle:
        json.dump(figures, handle, indent=2, sort_keys=True)
    print('\nFIGURES %s %s' % (name, json.dumps(figures, sort_keys=True)))


def retries_observed(log):
    """Faulted requests that the client sent again (same method and path, later in the log)."""
    count = 0
    for index, entry in enumerate(log):
        if entry.get('fault') and any(e['method'] == entry['method'] and e['path'] == entry['path'] for e in log[index + 1:]):
            count += 1
    return count


def start_module(ims, name, args, tenant='tenant-a'):
    """Start a module in a subprocess (the way Ansible runs it) and return (process, args file)."""
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.' + name, handle.name],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ims.env(tenant))
    return proc, handle.name


def finish_module(proc, args_file, timeout=300):
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        os.unlink(args_file)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    try:
        return json.loads(out[out.index('{'):]), out, err
    except ValueError:
        return {'failed': True, 'msg': 'no JSON result'}, out, err


# -- 401 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize('module, args', [
    ('ims_image_info', {'scope': 'private'}),
    ('ims_image', {'name': 'never-created', 'state': 'present'}),
])
def test_a_refused_token_is_not_retried_and_says_so(auth_fail_ims, module, args):
    """AuthFail is HTTP 400 in the document's error table, 401 by the emulator's default: either reads as refused."""
    ims = auth_fail_ims
    wrong = 'expired-token-0123456789abcdef'
    run = ims.module(module, dict(args, auth_token=wrong, retries=5))
    assert run.failed, run
    assert 'the service refused the credentials (HTTP %d)' % ims.reading in run['msg'], run
    assert 'auth_token' in run['msg'] and 'wrong or expired' in run['msg']
    assert run.get('http_status') == ims.reading and run.get('error_code') == 'IMG.OperationDenied.AuthFail', run
    log = ims.requests()
    assert len(log) == 1, log
    assert log[0]['status'] == ims.reading and log[0]['method'] == 'GET'
    assert wrong not in run.stdout + run.stderr


# -- the change is made, then the answer is the service's own failure --------------------------------


@pytest.mark.parametrize('status', [500, 400], ids=['5xx', '400-internal-error'])
def test_a_create_an_update_and_an_upload_done_that_took_effect_then_failed_converge_in_the_same_run(ims, tmp_path, status):
    """The document's error table answers the service's own failures (IMG.Internal.Error, IMG.DBUpdate.Fail...)
    with HTTP 400, never 5xx: a request answered so may have been made, like one answered 500."""
    def after(method, path):
        ims.stack.set_faults(rules=[dict(method=method, path=path, action='error_after', status=status, count=1)])

    after('POST', '/private-images$')
    created = ims.module('ims_image', dict(name='made-then-failed', retries=0))
    assert not created.failed and created.changed, created
    image_id = created['image']['image_id']
    after('PUT', '/private-images/[^/]+$')
    updated = ims.module('ims_image', dict(id=image_id, min_ram=4096, retries=0))
    assert not updated.failed and updated.changed, updated
    after('POST', '/upload-done$')
    src = write_raw(tmp_path / 'made.raw', 1)
    uploaded = ims.module('ims_image_upload', dict(src=src, name='uploaded-then-failed', retries=0))
    assert not uploaded.failed and uploaded.changed, uploaded
    ims.stack.set_faults()
    assert len([r for r in ims.requests() if r['fault'] == 'error_after' and r['status'] == status]) == 3
    mine = dict((i['name'], i) for i in ims.images('tenant-a'))
    assert sorted(mine) == ['made-then-failed', 'uploaded-then-failed'], mine
    assert (mine['made-then-failed']['imageId'], mine['made-then-failed']['minRam']) == (image_id, 4096)
    assert mine['uploaded-then-failed']['status'] == 'active'


# -- the emulator restarted in the middle of a wait -----------------------------------------------


def test_the_wait_survives_an_emulator_restart(slow_ims, tmp_path):
    ims = slow_ims
    src = write_raw(tmp_path / 'restart.raw', 2)
    proc, args_file = start_module(ims, 'ims_image_upload', dict(src=src, name='restart-mid-wait', wait_timeout=120))
    restarted = False
    try:
        deadline = time.time() + 60
        image_id = None
        while time.time() < deadline and proc.poll() is None:
            log = ims.requests()
            done = [r for r in log if r['path'].endswith('/upload-done') and r['status'] == 200]
            if done:
                image_id = done[0]['path'].split('/')[-2]
                if any(r['method'] == 'GET' and r['path'] == '%s/images/%s' % (API, image_id) for r in log):
                    break
            time.sleep(0.05)
        assert proc.poll() is None and image_id, 'the module did not reach its wait'
        status_before = [i for i in ims.images() if i['imageId'] == image_id][0]['status']
        ims.stack.restart_emulator()
        restarted = True
    finally:
        result, out, err = finish_module(proc, args_file)
    assert restarted
    assert status_before == 'saving'
    assert not result.get('failed'), (result, err[-2000:])
    assert result['image']['image_id'] == image_id and result['image']['status'] == 'active'
    # Polls reached both the emulator before the restart and the new one (the access log spans both).
    with open(ims.stack.emu_log, encoding='utf-8') as handle:
        polls = [line for line in handle if ' GET %s/images/%s ' % (API, image_id) in line]
    polls_after = [r for r in ims.requests() if r['method'] == 'GET' and r['path'] == '%s/images/%s' % (API, image_id)]
    assert polls_after and len(polls) > len(polls_after)
    mine = [i for i in ims.images('tenant-a') if i['name'] == 'restart-mid-wait']
    assert [i['status'] for i in mine] == ['active']
    save_figures('restart_mid_wait', {'emulator_restarts': 1, 'polls_before_restart': len(polls) - len(polls_after),
                                      'polls_after_restart': len(polls_after), 'result': 'active'})


# -- ambiguous POSTs must not duplicate images -----------------------------------------------------


CREATE_ARGS = dict(name='ambiguous-create', disk_format='qcow2', min_disk=10, min_ram=1024, os_version='22.04')


@pytest.mark.parametrize('action', ['drop_after', 'error'])
def test_ims_image_create_after_an_ambiguous_failure_looks_up_by_name(ims, action):
    rule = {'method': 'POST', 'path': '^%s/private-images$' % API, 'action': action, 'status': 500, 'count': 1}
    ims.stack.set_faults(rules=[rule])
    run = ims.module('ims_image', dict(CREATE_ARGS, state='present', wait=False))
    assert not run.failed, run
    posts = [r for r in ims.requests() if r['method'] == 'POST']
    mine = [i for i in ims.images('tenant-a') if i['name'] == 'ambiguous-create']
    assert len(mine) == 1 and run['image']['image_id'] == mine[0]['imageId'], mine
    if action == 'drop_after':
        # The server created it and the answer was lost: found by name, not created a second time.
        assert [p['fault'] for p in posts] == ['drop_after'], posts
    else:
        # A 5xx: nothing was created (no image of that name), so the create was sent again, once.
        assert [p['fault'] for p in posts] == ['error', None], posts
    lookups = [r for r in ims.requests() if r['method'] == 'GET' and r['path'] == API + '/private-images']
    assert len(lookups) >= 2  # the look-up before creating, and the one after the ambiguous failure
    again = ims.module('ims_image', dict(CREATE_ARGS, state='present', wait=False))
    assert not again.failed, again
    assert len([i for i in ims.images('tenant-a') if i['name'] == 'ambiguous-create']) == 1


def test_ims_image_upload_create_after_a_dropped_answer_does_not_duplicate(ims, tmp_path):
    src = write_raw(tmp_path / 'ambiguous.raw', 1)
    ims.stack.set_faults(rules=[{'method': 'POST', 'path': '^%s/private-images$' % API, 'action': 'drop_after', 'count': 1}])
    run = ims.module('ims_image_upload', dict(src=src, name='ambiguous-upload'))
    creates = [r for r in ims.requests() if r['method'] == 'POST' and r['path'] == API + '/private-images']
    mine = [i for i in ims.images('tenant-a') if i['name'] == 'ambiguous-upload']
    assert len(creates) == 1, creates
    assert not run.failed, run
    assert [i['status'] for i in mine] == ['active'], mine


# -- a DELETE whose answer is lost or ambiguous ------------------------------------------------------


@pytest.mark.parametrize('action, count, answers', [
    # The delete is made, then every attempt (the first and the client's two retries) is answered 500.
    ('error_after', 3, ['error_after'] * 3),
    # The delete is made, the reply is lost; the retry is answered "image status is deleted" (400), or "not found"
    # once the emulator has reaped the deleted image (the retry's jitter decides which).
    ('drop_after', 1, ['drop_after', None]),
    ('error_after', 1, ['error_after', None]),
], ids=['every-answer-500', 'dropped-then-already-deleted', '500-then-already-deleted'])
def test_a_delete_whose_answer_is_lost_is_read_back_and_says_changed(ims, action, count, answers):
    created = ims.module('ims_image', dict(CREATE_ARGS, name='lost-delete', wait=False))
    assert created.changed and not created.failed, created
    image_id = created['image']['image_id']
    ims.stack.set_faults(rules=[{'method': 'DELETE', 'path': '^%s/private-images/' % API, 'action': action,
                                 'status': 500, 'count': count}])
    deleted = ims.module('ims_image', dict(name='lost-delete', state='absent', retries=2))
    assert deleted.changed and not deleted.failed, deleted
    assert deleted['image']['image_id'] == image_id
    deletes = [r for r in ims.requests() if r['method'] == 'DELETE']
    assert [r['fault'] for r in deletes] == answers, deletes
    if answers[-1] is None:
        assert deletes[-1]['code'] in ('IMG.OperationDenied.ActionNotMatchStatus', 'IMG.DBGet.NoData'), deletes
    assert [i['status'] for i in ims.images('tenant-a') if i['imageId'] == image_id] in ([], ['deleted'])
    again = ims.module('ims_image', dict(name='lost-delete', state='absent'))
    assert not again.changed and not again.failed, again


# -- random faults: the image_publish role 10 times ------------------------------------------------


RUNS = 10
FAULTS = dict(error_rate=0.2, drop_rate=0.05, latency_ms=200)


@pytest.mark.slow
def test_image_publish_role_converges_under_random_faults(ims, tmp_path):
    src = write_raw(tmp_path / 'golden.raw', 1)
    user_b = ims.stack.tenant('tenant-b')['user_id']
    name = 'golden-under-faults'
    figures = dict(runs=RUNS, successes=0, faults=dict(FAULTS), requests=0, faults_injected=0, errors_5xx=0,
                   drops_before=0, drops_after=0, retries_observed=0, failures=[])
    for run in range(RUNS):
        ims.stack.set_faults()
        ims.stack.reset()
        ims.stack.clear_requests()
        ims.stack.set_faults(seed=1000 + run, **FAULTS)
        result_file = str(tmp_path / ('result-%d.json' % run))
        proc = ims.playbook('roles/run_role.yml', extra_vars=dict(
            role_under_test='image_publish', result_file=result_file, image_publish_name=name, image_publish_src=src,
            image_publish_share_with=[user_b], image_publish_share_purge=True, image_publish_export_bucket='export-az0-a'))
        log = ims.requests()
        ims.stack.set_faults()
        figures['requests'] += len(log)
        figures['faults_injected'] += len([e for e in log if e.get('fault')])
        figures['errors_5xx'] += len([e for e in log if e.get('fault') == 'error'])
        figures['drops_before'] += len([e for e in log if e.get('fault') == 'drop_before'])
        figures['drops_after'] += len([e for e in log if e.get('fault') == 'drop_after'])
        figures['retries_observed'] += retries_observed(log)
        if proc.returncode != 0:
            failed = [line for line in proc.stdout.splitlines() if 'FAILED' in line or '"msg"' in line]
            figures['failures'].append({'run': run, 'lines': failed[-3:]})
            continue
        mine = [i for i in ims.images('tenant-a') if i['name'] == name]
        leftovers = [i for i in ims.images('tenant-a') if i['status'] in ('queued', 'killed', 'saving')]
        assert [i['status'] for i in mine] == ['active'], (run, mine)
        assert leftovers == [], (run, leftovers)
        shares = ims.api('GET', '/private-images/%s/share' % mine[0]['imageId'])['list']
        assert [s['userId'] for s in shares] == [user_b], (run, shares)
        with open(result_file, encoding='utf-8') as handle:
            assert json.load(handle)['image']['image_id'] == mine[0]['imageId']
        figures['successes'] += 1
    save_figures('image_publish_under_faults', figures)
    assert figures['faults_injected'] > 0
    assert figures['successes'] == RUNS, figures['failures']


# -- the object storage killed in the middle of an upload -------------------------------------------


def test_object_storage_killed_mid_upload_then_a_rerun_succeeds(ims, tmp_path):
    src = write_raw(tmp_path / 'big.raw', 160)
    args = dict(src=src, name='s3-killed', part_size_mb=5, max_concurrency=1, retries=1)
    proc, args_file = start_module(ims, 'ims_image_upload', args)
    stopped = False
    try:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if any(r['path'].endswith('/upload-prepare') and r['status'] == 200 for r in ims.requests()):
                break
            time.sleep(0.02)
        time.sleep(0.3)
        assert proc.poll() is None, 'the upload finished before the object storage could be stopped'
        ims.stack.stop_s3()
        stopped = True
        result, out, err = finish_module(proc, args_file)
    finally:
        if proc.poll() is None:
            proc.kill()
        if stopped:
            ims.stack.start_s3()
    assert stopped
    assert result.get('failed'), result
    assert 'Uploading %s to object storage' % src in result['msg'], result
    done = [r for r in ims.requests() if r['method'] == 'POST' and r['path'].endswith('/upload-done')]
    deleted = [r for r in ims.requests() if r['method'] == 'DELETE']
    # Parts stored before the stop are kept for the re-run (resume: true), else the failure is reported and cleaned up.
    kept = 'stays queued' in result['msg']
    assert kept or (len(done) == 1 and done[0]['status'] == 200) or deleted, (done, deleted, result['msg'])
    assert ims.stack.s3_secret_key not in out + err and ims.stack.s3_access_key not in out + err
    rerun = ims.module('ims_image_upload', args)
    assert not rerun.failed, rerun
    mine = [i for i in ims.images('tenant-a') if i['name'] == 's3-killed' and i['status'] != 'deleted']
    assert [i['status'] for i in mine] == ['active'], mine


# -- a failing upload-prepare ------------------------------------------------------------------------


def test_a_failing_upload_prepare_leaves_no_queued_image_and_says_what_it_made(ims, tmp_path):
    src = write_raw(tmp_path / 'prepare.raw', 1)
    ims.stack.set_faults(rules=[{'method': 'POST', 'path': '/upload-prepare$', 'action': 'error', 'status': 500, 'count': 50}])
    run = ims.module('ims_image_upload', dict(src=src, name='prepare-fails', retries=1))
    ims.stack.set_faults()
    assert run.failed, run
    assert 'prepare the upload' in run['msg'] and 'was deleted' in run['msg'], run['msg']
    left = [i for i in ims.images('tenant-a') if i['name'] == 'prepare-fails' and i['status'] != 'deleted']
    assert left == [], left
    # The run created an image (and deleted it): it says so, with the image's id.
    assert run.changed and run['image']['image_id'] and run['image']['status'] == 'deleted', run
    rerun = ims.module('ims_image_upload', dict(src=src, name='prepare-fails'))
    assert not rerun.failed and rerun.changed, rerun
    mine = [i for i in ims.images('tenant-a') if i['name'] == 'prepare-fails' and i['status'] != 'deleted']
    assert [i['status'] for i in mine] == ['active'], mine
