# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_replicate's native Huawei copies through the Huawei emulator (two accounts): a copy into another account's
project through a share the target accepts, and ``force`` replacing a shared image with a native copy. The images are
seeded (no upload): IMS copies them, so no byte goes through the host either way."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.test_replicate import replicate, served

NAME = 'golden'
COPY_JOB = 'imsCopyImageInRegionJob'


def seeded(hw, name=NAME, tenant='owner'):  # pylint: disable=redefined-outer-name
    return hw.seed(1, name=name, tenant=tenant)[0]


def active(hw, name, tenant):  # pylint: disable=redefined-outer-name
    return [i for i in hw.images(name=name, tenant=tenant) if i['status'] == 'active']


def member_requests(hw):  # pylint: disable=redefined-outer-name
    return [(r['method'], r['path']) for r in hw.ims_requests(path_start='/v1/cloudimages/members') if r['method'] != 'GET']


def share(hw, image_id, project):  # pylint: disable=redefined-outer-name
    client = hw.stack.client('owner')
    job = client.ok('POST', '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': [project]})
    assert client.wait_job(job['job_id'])['status'] == 'SUCCESS'


def test_another_account_is_served_natively_through_a_share_a_cut_run_converges_and_a_rerun_moves_nothing(hw):  # noqa: F811
    source_id = seeded(hw)
    source, target = hw.connection('owner'), hw.connection('recipient', 'password')
    planned = replicate(source, NAME, [target], check=True)
    assert planned.changed and served(planned) == ['planned'], planned
    assert planned['targets'][0]['plan'] == 'native' and planned['targets'][0]['native'] == 'share'
    assert hw.writes() == []

    hw.stack.set_job_faults([{'job_type': COPY_JOB}])      # cut after the share was added and accepted
    cut = replicate(source, NAME, [target])
    assert cut.failed and cut.changed and served(cut) == ['failed'], cut
    assert [m['status'] for m in hw.stack.members(source_id)] == ['accepted']
    assert active(hw, NAME, 'recipient') == []

    hw.stack.clear_requests()
    run = replicate(source, NAME, [target])
    assert not run.failed and run.changed and served(run) == ['native'] and run['source_reads'] == 0, run
    assert run['targets'][0]['native'] == 'share' and run['targets'][0]['bytes_moved'] == 0
    assert [r for r in hw.stack.requests() if r['path'].endswith('/file')] == []
    assert member_requests(hw) == [('DELETE', '/v1/cloudimages/members')]     # the share reused, then removed
    made = hw.images(name=NAME, tenant='recipient')      # the killed copy of the cut run is gone
    assert [i['id'] for i in made] == [run['targets'][0]['image_id']] and made[0]['owner'] == hw.project('recipient'), made
    assert made[0]['status'] == 'active' and made[0]['__originalimagename'] == source_id
    assert {t['key']: t['value'] for t in made[0]['_kv_tags']}['ims_replica_of'] == source_id, made
    assert hw.stack.members(source_id) == []        # the share was only the way: the target owns its copy

    hw.stack.clear_requests()
    again = replicate(source, NAME, [target])
    assert not again.failed and not again.changed and served(again) == ['unchanged'], again
    assert hw.writes() == []


def test_force_replaces_a_shared_image_with_a_native_copy_and_moves_its_shares(hw):  # noqa: F811
    seeded(hw)
    old_id = seeded(hw, 'golden-copy')
    share(hw, old_id, hw.project('recipient'))
    source, target = hw.connection('owner'), dict(hw.connection('owner'), name='golden-copy')
    hw.stack.clear_requests()
    refused = replicate(source, NAME, [target], replace=True)
    assert refused.failed and served(refused) == ['failed'] and 'force: true' in refused['targets'][0]['error'], refused
    assert hw.writes() == [] and not refused.changed

    run = replicate(source, NAME, [target], replace=True, force=True)
    assert not run.failed and served(run) == ['native'] and run['targets'][0]['native'] == 'copy', run
    after = hw.images(name='golden-copy')
    assert [i['id'] for i in after] == [run['targets'][0]['image_id']] and after[0]['id'] != old_id, after
    assert [m['member_id'] for m in hw.stack.members(after[0]['id'])] == [hw.project('recipient')]
    assert hw.stack.members(old_id) == []


@pytest.mark.parametrize('parent', ['source', 'empty'])
def test_a_copy_cut_before_its_marks_is_finished_or_replaced_on_a_rerun(hw, parent):  # noqa: F811
    """A run cut between IMS's copy and the replica marks: the re-run finishes the copy it finds by its parent image
    (``__originalimagename``); where IMS leaves that empty (the emulator's ``copy_parent``), the unmarked copy is an
    image of other bytes to the re-run, replaced with replace: true - one image of the name either way."""
    hw.stack.set_switches(copy_parent=parent)
    seeded(hw)
    source, target = hw.connection('owner'), dict(hw.connection('owner'), name='golden-copy', retries=0)
    hw.stack.set_faults(rules=[{'method': 'POST', 'path': '/tags/action$', 'action': 'error', 'status': 500, 'count': 1}])
    cut = replicate(source, NAME, [target])
    assert cut.failed and cut.changed and served(cut) == ['failed'], cut
    rerun = replicate(source, NAME, [target])
    if parent == 'empty':
        assert rerun.failed and 'replace: true' in rerun['targets'][0]['error'], rerun
        rerun = replicate(source, NAME, [target], replace=True)
    assert not rerun.failed and served(rerun) == ['native'], rerun
    assert [i['id'] for i in hw.images(name='golden-copy')] == [rerun['targets'][0]['image_id']]
    assert len(hw.stack.jobs(COPY_JOB)) == (1 if parent == 'source' else 2)
