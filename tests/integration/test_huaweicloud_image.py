# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image with ``provider: huaweicloud`` through the Huawei emulator: images made by jobs (OBS file, quick
import, data image, server with data disks, whole image), updates of what changed, delete, copies in and across
regions, check mode, --diff and idempotency."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from tests.integration.conftest import assert_look_ups_leave_out_a_deleted_image
from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import

OS_VERSION = 'Ubuntu 22.04 server 64bit'
EAST = 'cn-east-3'


def from_obs(hw, name='web', **more):  # pylint: disable=redefined-outer-name
    return dict(dict(name=name, import_url=hw.put_object(), min_disk=40, os_version=OS_VERSION), **more)


def write_paths(hw):  # pylint: disable=redefined-outer-name
    return [(r['method'], r['path']) for r in hw.writes()]


def test_from_an_obs_file_check_mode_then_create_then_unchanged(hw):  # noqa: F811
    args = from_obs(hw, description='golden', tags=[{'key': 'env', 'value': 'prod'}])

    planned = hw.module('ims_image', args, check=True, diff=True)
    assert planned.changed and not planned.failed, planned
    assert planned['image']['status'] == 'queued' and planned['diff']['before'] == {}
    assert hw.writes() == [] and hw.images(name='web') == []

    created = hw.module('ims_image', args, diff=True)
    assert created.changed and not created.failed, created
    image = created['image']
    assert image['status'] == 'active' and image['__description'] == 'golden' and image['__os_version'] == OS_VERSION
    assert created['image_ids'] == [image['image_id']] and created['job_id']
    assert write_paths(hw) == [('POST', '/v2/cloudimages/action')]
    (job,) = hw.stack.jobs()
    assert job['status'] == 'SUCCESS'

    hw.stack.clear_requests()
    again = hw.module('ims_image', args, diff=True)
    assert not again.changed and not again.failed, again
    assert again['image']['image_id'] == image['image_id'] and hw.writes() == []
    assert len(hw.images(name='web')) == 1


def test_an_update_patches_only_what_changed_and_tags_go_through_the_tag_api(hw):  # noqa: F811
    args = from_obs(hw, description='first', tags=[{'key': 'env', 'value': 'prod'}, {'key': 'team', 'value': 'a'}])
    image_id = hw.module('ims_image', args)['image']['image_id']
    hw.stack.clear_requests()

    change = dict(args, description='second', min_ram=2048, tags=[{'key': 'env', 'value': 'dev'}])
    planned = hw.module('ims_image', change, check=True, diff=True)
    assert planned.changed and hw.writes() == [], planned
    assert planned['diff']['before']['__description'] == 'first' and planned['diff']['after']['min_ram'] == 2048

    updated = hw.module('ims_image', change, diff=True)
    assert updated.changed and not updated.failed, updated
    assert updated['image']['__description'] == 'second' and updated['image']['min_ram'] == 2048
    (patch,) = [r for r in hw.writes() if r['method'] == 'PATCH']
    assert patch['path'] == '/v2/cloudimages/' + image_id
    tag_writes = [r for r in hw.writes() if r['path'].endswith('/tags/action')]
    assert len(tag_writes) == 2             # the team tag deleted, env overwritten
    tags = hw.module('ims_image_info', dict(id=image_id))['images'][0]
    assert tags['__description'] == 'second'

    hw.stack.clear_requests()
    again = hw.module('ims_image', change)
    assert not again.changed and hw.writes() == [], again


def test_a_fixed_option_that_differs_is_refused_before_any_write(hw):  # noqa: F811
    args = from_obs(hw)
    hw.module('ims_image', args)
    hw.stack.clear_requests()
    refused = hw.module('ims_image', dict(args, min_disk=60))
    assert refused.failed and 'min_disk is 40, requested 60' in refused['msg'], refused
    assert hw.writes() == []


def test_a_data_disk_image_and_a_quick_import(hw):  # noqa: F811
    data = hw.module('ims_image', dict(name='data-1', import_url=hw.put_object(key='d/data.qcow2'), min_disk=100,
                                       image_type='data_image'))
    assert data.changed and data['image']['virtual_env_type'] == 'DataImage', data
    quick = hw.module('ims_image', dict(name='quick-1', import_url=hw.put_object(key='big.zvhd2'), min_disk=40,
                                        os_version=OS_VERSION, quick_import=True))
    assert quick.changed and quick['image']['status'] == 'active', quick
    assert write_paths(hw) == [('POST', '/v1/cloudimages/dataimages/action'), ('POST', '/v2/cloudimages/quickimport/action')]


def test_an_image_of_a_server_with_its_data_disks_and_a_whole_image_of_its_backup(hw):  # noqa: F811
    project = hw.project()
    server = next(s for s in hw.stack.state()['servers'] if s['project'] == project)
    backup = next(b for b in hw.stack.state()['backups'] if b['project'] == project)
    data_images = [dict(name='srv-data-%d' % n, volume_id=v) for n, v in enumerate(server['data_volumes'])]
    made = hw.module('ims_image', dict(name='srv-sys', instance_id=server['id'], data_images=data_images))
    assert made.changed and not made.failed, made
    assert made['image']['name'] == 'srv-sys' and len(made['image_ids']) == 3
    assert sorted(i['name'] for i in hw.images(tenant='owner')) == ['srv-data-0', 'srv-data-1', 'srv-sys']

    whole = hw.module('ims_image', dict(name='srv-whole', backup_id=backup['id']))
    assert whole.changed and whole['image']['status'] == 'active', whole
    (body,) = [r for r in hw.writes() if r['path'] == '/v1/cloudimages/wholeimages/action']
    assert body['status'] == 200


# Where a failed job says why (Huawei IMS API: Querying the Asynchronous Job Status, GET /v1/{project_id}/jobs/{job_id}:
# the job, its entities, a sub-job): each place alone.
@pytest.mark.parametrize('place', ['both', 'top', 'entities', 'sub_job'])
def test_a_failed_job_fails_the_task_with_its_reason_and_error_code_and_reports_the_change(hw, place):  # noqa: F811
    hw.stack.set_switches(job_reason_in=place)
    hw.stack.set_job_faults([{'job_type': 'imsImportImageJob', 'error_code': 'IMG.0059', 'fail_reason': 'the file is too large',
                              'count': 1}])
    failed = hw.module('ims_image', from_obs(hw, name='doomed'))
    assert failed.failed and failed.changed, failed
    assert 'the file is too large' in failed['msg'] and failed['error_code'] == 'IMG.0059' and failed['job_id']

    rerun = hw.module('ims_image', from_obs(hw, name='doomed'))
    assert rerun.failed and 'is killed' in rerun['msg'] and 'state: absent' in rerun['msg'], rerun
    assert len([w for w in hw.writes() if w['method'] == 'POST']) == 1


def test_a_missing_obs_object_fails_the_job_with_ims_s_reason(hw):  # noqa: F811
    url = hw.put_object() + '-missing'
    failed = hw.module('ims_image', dict(name='nofile', import_url=url, min_disk=40))
    assert failed.failed and failed.get('error_code') == 'IMG.0057', failed


def test_wait_false_returns_the_job_and_a_rerun_waits_for_the_image(hw):  # noqa: F811
    hw.stack.set_switches(transition_seconds=1.0)
    args = from_obs(hw, name='later', wait=False)
    started = hw.module('ims_image', args)
    assert started.changed and started['job_id'] and started['image']['status'] in ('queued', 'saving'), started
    waited = hw.module('ims_image', dict(args, wait=True))
    assert not waited.changed and waited['image']['status'] == 'active', waited
    assert len([w for w in hw.writes() if w['method'] == 'POST']) == 1


def test_delete_waits_until_gone_and_a_shared_image_needs_force(hw):  # noqa: F811
    image = hw.module('ims_image', from_obs(hw, name='gone'))['image']
    hw.module('ims_image_share', dict(image='gone', projects=[hw.project('recipient')]))

    refused = hw.module('ims_image', dict(name='gone', state='absent'))
    assert refused.failed and 'force: true' in refused['msg'], refused
    planned = hw.module('ims_image', dict(name='gone', state='absent', force=True), check=True, diff=True)
    assert planned.changed and planned['diff']['after'] == {} and hw.images(name='gone'), planned

    deleted = hw.module('ims_image', dict(name='gone', state='absent', force=True))
    assert deleted.changed and deleted['unshared'] == [hw.project('recipient')], deleted
    assert hw.images(name='gone') == []
    assert hw.module('ims_image_info', dict(id=image['image_id']))['images'] == []
    again = hw.module('ims_image', dict(name='gone', state='absent'))
    assert not again.changed and again['image'] == {}, again


def test_an_image_being_deleted_is_listed_only_when_a_status_filter_asks(hw):  # noqa: F811
    """IMS lists a deleted image (``status: deleted``) until its removal ends in the background: a look-up right
    after ``state: absent`` must find no image, whichever order and load the tests run in."""
    (image_id,) = hw.stack.seed_images(name='going')
    # The removal waits one transition: long enough that the image is still there for every look-up below.
    hw.stack.set_switches(transition_seconds=120)
    deleted = hw.module('ims_image', dict(name='going', state='absent'))
    assert deleted.changed and not deleted.failed, deleted
    (record,) = hw.stack.images(name='going')
    assert record['_deleting'] and record['status'] == 'deleted', record
    assert_look_ups_leave_out_a_deleted_image(hw, image_id, 'going')
    assert hw.stack.images(name='going') == [record]


def test_copy_in_the_region_is_idempotent_by_name(hw):  # noqa: F811
    source = hw.module('ims_image', from_obs(hw, name='src'))['image']
    copy = hw.module('ims_image', dict(name='src-copy', copy_from='src', description='a copy'), diff=True)
    assert copy.changed and copy['image']['__originalimagename'] == source['image_id'], copy
    assert copy['image']['__description'] == 'a copy'
    hw.stack.clear_requests()
    again = hw.module('ims_image', dict(name='src-copy', copy_from='src'))
    assert not again.changed and hw.writes() == [], again


def test_copy_across_regions_runs_in_the_target_and_reads_the_job_in_the_source(hw):  # noqa: F811
    source = hw.module('ims_image', from_obs(hw, name='far'))['image']
    args = dict(name='far', copy_from=source['image_id'], copy_from_region=hw.stack.regions[0], agency_name='ims_agency')
    planned = hw.module('ims_image', args, region=EAST, check=True)
    assert planned.changed and hw.images(region=EAST) == [], planned

    hw.stack.clear_requests()
    copied = hw.module('ims_image', args, region=EAST)
    assert copied.changed and not copied.failed, copied
    assert copied['image']['image_id'] != source['image_id'] and copied['image']['status'] == 'active'
    assert [i['name'] for i in hw.images(region=EAST)] == ['far']
    job_reads = [r for r in hw.stack.requests() if '/jobs/' in r['path']]
    assert job_reads and all(r['service'] == 'ims:' + hw.stack.regions[0] for r in job_reads)

    hw.stack.clear_requests()
    again = hw.module('ims_image', args, region=EAST)
    assert not again.changed and hw.writes() == [], again


def test_metadata_only_then_a_rename_into_a_taken_name_is_refused(hw):  # noqa: F811
    queued = hw.module('ims_image', dict(name='meta-only', min_disk=20))
    assert queued.changed and queued['image']['status'] == 'queued', queued
    assert write_paths(hw) == [('POST', '/v2/images')]
    hw.module('ims_image', from_obs(hw, name='taken'))
    hw.stack.clear_requests()
    refused = hw.module('ims_image', dict(id=queued['image']['image_id'], name='taken'))
    assert refused.failed and 'the name is taken' in refused['msg'], refused
    assert hw.writes() == []


def test_the_job_body_is_what_the_reference_documents(hw):  # noqa: F811
    hw.module('ims_image', from_obs(hw, name='body', os_type='linux', boot_mode='UEFI', cpu_arch='x86', min_ram=1024))
    (job,) = hw.stack.jobs()
    image = hw.images(name='body')[0]
    assert image['hw_firmware_type'] == 'uefi' and image['__os_type'] == 'Linux' and image['min_ram'] == 1024, json.dumps(job)
