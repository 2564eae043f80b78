# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_upload with ``provider: huaweicloud`` and a token or a password login, through the Huawei emulator:
no OBS (a token cannot sign OBS requests), the image record (POST /v2/images) then one streamed
PUT /v2/images/{id}/file (Huawei IMS API: Creating Image Metadata, Uploading an Image File), for files under 2 GiB."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import md5, write_qcow2, write_raw

SOURCE_TAG = 'ims_source_md5'
OS_VERSION = 'Ubuntu 22.04 server 64bit'
PUT_FILE = r'^/v2/images/[^/]+/file$'
TAGS_ACTION = r'^/v2/[^/]+/images/[^/]+/tags/action$'


def shown_tags(made):
    """An image's tags as GET /v2/images shows them: its string tags and its key/value tags as ``key=value``."""
    return list(made['tags']) + ['%s=%s' % (t['key'], t['value']) for t in made.get('_kv_tags') or []]


def source_of(made):
    """The MD5 the image's source tag names: tagged after the PUT, it wins over the ``pending`` given at creation."""
    values = [t.split('=', 1)[1] for t in shown_tags(made) if t.startswith(SOURCE_TAG + '=')]
    return next((v for v in values if v != 'pending'), None)


def tags_action(hw):  # pylint: disable=redefined-outer-name
    return [r for r in hw.writes() if r['method'] == 'POST' and r['path'].endswith('/tags/action')]


def args_of(src, name, **extra):
    return dict(dict(src=src, name=name, min_disk=1), **extra)


def creates(hw):  # pylint: disable=redefined-outer-name
    return [r for r in hw.writes() if r['method'] == 'POST' and r['path'] == '/v2/images']


def puts(hw):  # pylint: disable=redefined-outer-name
    return [r for r in hw.writes() if r['method'] == 'PUT' and r['path'].endswith('/file')]


def imports_or_obs(hw):  # pylint: disable=redefined-outer-name
    """Requests of the OBS path: import jobs, registrations (the emulator logs OBS itself elsewhere)."""
    return [r for r in hw.writes() if 'cloudimages' in r['path']]


# Whether the MD5 tagged after the PUT replaces the string tag ims_source_md5=pending given at creation (one tag) or stands
# beside it (two) is not documented (docs/api-notes.md, "One digest per byte"): the emulator's same_key_tags switch.
SAME_KEY_TAGS = pytest.mark.parametrize('same_key_tags', ['two', 'one'])


def source_tags(tags):
    return [t for t in tags if t.startswith(SOURCE_TAG + '=')]


@SAME_KEY_TAGS
def test_a_token_upload_creates_the_record_puts_the_file_once_and_a_second_run_changes_nothing(hw, tmp_path, same_key_tags):  # noqa: F811
    hw.stack.set_switches(same_key_tags=same_key_tags)
    src = write_qcow2(tmp_path / 'golden.qcow2', 3)
    args = args_of(src, 'hw-direct', os_version=OS_VERSION, tags=[{'key': 'team', 'value': 'ops'}])
    first = hw.module('ims_image_upload', args, auth='token')
    assert not first.failed and first.changed, first
    image = first['image']
    assert image['status'] == 'active' and image['name'] == 'hw-direct' and image['disk_format'] == 'qcow2', image
    assert first['checksum'] == md5(src) and first['hashes'] == {'md5': md5(src)}
    assert first['transfer']['bytes'] == os.path.getsize(src)
    assert 'staged_object' not in first.result and 'job_id' not in first.result
    (made,) = hw.images('hw-direct')
    assert made['id'] == image['image_id'] and made['status'] == 'active'
    assert source_of(made) == md5(src) and [t for t in shown_tags(made) if not t.startswith(SOURCE_TAG)] == ['team=ops']
    # The file is read once, by the PUT: the record is made before its MD5 is known, and tagged with it after the PUT.
    pending = [SOURCE_TAG + '=pending'] if same_key_tags == 'two' else []
    assert made['tags'] == ['team=ops'] + pending, made['tags']
    # What the module reports shows the image's tags as IMS does: one source tag where the MD5 replaced pending.
    assert source_tags(image['tags']) == pending + [SOURCE_TAG + '=' + md5(src)], image
    assert [r['path'] for r in hw.writes()][-2:] == [puts(hw)[0]['path'], tags_action(hw)[0]['path']], hw.writes()
    assert made['__os_version'] == OS_VERSION and made['min_disk'] == 1
    assert made['size'] == os.path.getsize(src) and made['checksum'] == ''     # IMS hashes nothing (checksum unused)
    assert len(creates(hw)) == 1 and len(puts(hw)) == 1 and imports_or_obs(hw) == []
    assert all(r.get('auth') == 'token' for r in hw.ims_requests()), hw.ims_requests()

    hw.stack.clear_requests()
    second = hw.module('ims_image_upload', args, auth='token')
    assert not second.failed and not second.changed, second
    assert second['image']['image_id'] == image['image_id'] and second['transfer'] == {}
    assert source_tags(second['image']['tags']) == source_tags(image['tags']), second
    assert hw.writes() == [] and len(hw.images('hw-direct')) == 1


def test_a_password_login_streams_a_file_above_the_signed_body_limit(hw, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 13)      # above 12 MB: the emulator streams it to the image store
    run = hw.module('ims_image_upload', args_of(src, 'hw-direct-password'), auth='password')
    assert not run.failed and run.changed, run
    assert run['image']['status'] == 'active' and run['image']['disk_format'] == 'raw', run['image']
    (made,) = hw.images('hw-direct-password')
    assert made['size'] == os.path.getsize(src) and source_of(made) == md5(src)
    assert hw.stack.stored_md5(made['id']) == md5(src)
    assert len(puts(hw)) == 1 and [r.get('auth') for r in puts(hw)] == ['token']
    again = hw.module('ims_image_upload', args_of(src, 'hw-direct-password'), auth='password')
    assert not again.changed and not again.failed, again


def test_check_mode_predicts_the_image_and_writes_nothing(hw, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 2)
    run = hw.module('ims_image_upload', args_of(src, 'hw-direct-check'), auth='token', check=True, diff=True)
    assert not run.failed and run.changed, run
    assert run['image']['name'] == 'hw-direct-check' and run['image']['status'] == 'active'
    assert '%s=%s' % (SOURCE_TAG, md5(src)) in run['image']['tags'] and run['checksum'] == md5(src)
    assert run['diff']['before'] == {} and run['diff']['after']['name'] == 'hw-direct-check', run['diff']
    assert hw.writes() == [] and hw.images('hw-direct-check') == []


def test_the_reply_to_the_put_lost_then_one_image_and_the_put_not_sent_again(hw, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 2)
    hw.stack.set_switches(transition_seconds=1)         # still saving when the module reads it after the lost reply
    hw.stack.set_faults(rules=[dict(method='PUT', path=PUT_FILE, action='drop_after', count=1)])
    run = hw.module('ims_image_upload', args_of(src, 'hw-direct-lost'), auth='token')
    hw.stack.set_faults()
    hw.stack.set_switches(transition_seconds=0.3)
    assert not run.failed and run.changed, run
    assert len(puts(hw)) == 1 and puts(hw)[0]['fault'] == 'drop_after', puts(hw)
    (made,) = hw.images('hw-direct-lost')
    assert made['status'] == 'active' and run['image']['image_id'] == made['id']
    assert run['checksum'] == md5(src)
    again = hw.module('ims_image_upload', args_of(src, 'hw-direct-lost'), auth='token')
    assert not again.changed and len(hw.images('hw-direct-lost')) == 1, again


def test_the_reply_to_the_create_lost_then_one_image(hw, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 2)
    hw.stack.set_faults(rules=[dict(method='POST', path='^/v2/images$', action='drop_after', count=1)])
    run = hw.module('ims_image_upload', args_of(src, 'hw-direct-lost-create'), auth='token')
    hw.stack.set_faults()
    assert not run.failed and run.changed, run
    assert len(creates(hw)) == 1 and len(puts(hw)) == 1
    (made,) = hw.images('hw-direct-lost-create')
    assert made['status'] == 'active' and made['id'] == run['image']['image_id']


def test_a_failed_put_deletes_the_record_it_made_and_a_rerun_makes_one_image(hw, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 2)
    hw.stack.set_faults(rules=[dict(method='PUT', path=PUT_FILE, action='status', status=500, count=1)])
    failed = hw.module('ims_image_upload', args_of(src, 'hw-direct-fails', retries=0), auth='token')
    hw.stack.set_faults()
    assert failed.failed and failed.changed, failed
    assert 'was deleted' in failed['msg'], failed['msg']
    assert len(puts(hw)) == 1 and hw.images('hw-direct-fails') == []
    rerun = hw.module('ims_image_upload', args_of(src, 'hw-direct-fails'), auth='token')
    assert not rerun.failed and rerun.changed and len(hw.images('hw-direct-fails')) == 1, rerun


def test_a_queued_record_a_failed_run_kept_is_reused_and_kept_again_on_failure(hw, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 2)
    args = args_of(src, 'hw-direct-reuse', retries=0)
    hw.stack.set_faults(rules=[dict(method='PUT', path=PUT_FILE, action='status', status=503, count=2)])
    kept = hw.module('ims_image_upload', dict(args, cleanup_on_failure=False), auth='token')
    assert kept.failed and kept.changed and 'cleanup_on_failure is false' in kept['msg'], kept
    (queued,) = hw.images('hw-direct-reuse')
    assert queued['status'] == 'queued'
    reused = hw.module('ims_image_upload', args, auth='token')
    hw.stack.set_faults()
    assert reused.failed and 'reused from an earlier run, was kept' in reused['msg'], reused
    assert [i['id'] for i in hw.images('hw-direct-reuse')] == [queued['id']] and len(creates(hw)) == 1
    done = hw.module('ims_image_upload', args, auth='token')
    assert not done.failed and done.changed and done['image']['image_id'] == queued['id'], done
    assert len(creates(hw)) == 1 and len(hw.images('hw-direct-reuse')) == 1


def test_another_file_under_the_name_is_refused_then_replaced_with_replace(hw, tmp_path):  # noqa: F811
    old_src = write_raw(tmp_path / 'old.raw', 2, seed=b'old')
    new_src = write_raw(tmp_path / 'new.raw', 2, seed=b'new')
    first = hw.module('ims_image_upload', args_of(old_src, 'hw-direct-replace'), auth='token')
    assert first.changed and not first.failed, first
    hw.stack.clear_requests()
    refused = hw.module('ims_image_upload', args_of(new_src, 'hw-direct-replace'), auth='token')
    assert refused.failed and not refused.changed and 'another file' in refused['msg'], refused
    assert hw.writes() == []
    replaced = hw.module('ims_image_upload', args_of(new_src, 'hw-direct-replace', replace=True), auth='token', diff=True)
    assert not replaced.failed and replaced.changed, replaced
    assert replaced['replaced'] == [first['image']['image_id']]
    (left,) = hw.images('hw-direct-replace')
    assert left['id'] == replaced['image']['image_id'] and source_of(left) == md5(new_src)


def test_wait_false_returns_the_saving_image_and_the_next_run_reuses_it(hw, tmp_path):  # noqa: F811
    src = write_raw(tmp_path / 'disk.raw', 2)
    hw.stack.set_switches(transition_seconds=3)
    first = hw.module('ims_image_upload', args_of(src, 'hw-direct-nowait', wait=False), auth='token')
    hw.stack.set_switches(transition_seconds=0.3)
    assert not first.failed and first.changed and first['image']['status'] == 'saving', first
    second = hw.module('ims_image_upload', args_of(src, 'hw-direct-nowait'), auth='token')
    assert not second.failed and second['image']['status'] == 'active', second
    assert second['image']['image_id'] == first['image']['image_id'] and len(hw.images('hw-direct-nowait')) == 1
    assert len(puts(hw)) == 1


@pytest.mark.parametrize('auth', ['token', 'password'])
def test_a_file_of_2_gib_is_refused_before_any_request(hw, tmp_path, auth):  # noqa: F811
    src = str(tmp_path / 'huge.raw')
    with open(src, 'wb') as handle:
        handle.truncate(2 * 1024 ** 3)          # sparse: no time, no disk
    hw.stack.clear_requests()
    run = hw.module('ims_image_upload', args_of(src, 'hw-direct-huge'), auth=auth)
    assert run.failed and not run.changed, run
    assert 'under 2147483648 bytes' in run['msg'] and 'access_key and secret_key' in run['msg'], run['msg']
    assert hw.ims_requests() == [] and hw.writes() == []


def test_a_queued_record_a_failed_run_of_another_file_left_is_filled_with_this_one(hw, tmp_path):  # noqa: F811
    # A queued record holds no file yet, so which file it was made for does not matter (the MD5 is tagged after the PUT).
    other = write_raw(tmp_path / 'other.raw', 2, seed=b'other')
    src = write_raw(tmp_path / 'disk.raw', 2)
    hw.stack.set_faults(rules=[dict(method='PUT', path=PUT_FILE, action='status', status=503, count=1)])
    left = hw.module('ims_image_upload', args_of(other, 'hw-direct-other', retries=0, cleanup_on_failure=False),
                     auth='token')
    hw.stack.set_faults()
    assert left.failed, left
    (queued,) = hw.images('hw-direct-other')
    assert queued['status'] == 'queued' and source_of(queued) is None and SOURCE_TAG + '=pending' in shown_tags(queued)
    run = hw.module('ims_image_upload', args_of(src, 'hw-direct-other'), auth='token')
    assert not run.failed and run.changed and 'replaced' not in run.result, run
    (made,) = hw.images('hw-direct-other')
    assert made['id'] == queued['id'] == run['image']['image_id']
    assert source_of(made) == md5(src) and hw.stack.stored_md5(made['id']) == md5(src)


@SAME_KEY_TAGS
def test_a_failure_between_the_put_and_the_tag_converges_on_one_image(hw, tmp_path, same_key_tags):  # noqa: F811
    hw.stack.set_switches(same_key_tags=same_key_tags)
    src = write_raw(tmp_path / 'disk.raw', 2)
    args = args_of(src, 'hw-direct-untagged', retries=0)
    hw.stack.set_faults(rules=[dict(method='POST', path=TAGS_ACTION, action='status', status=500, count=1)])
    kept = hw.module('ims_image_upload', dict(args, cleanup_on_failure=False), auth='token')
    hw.stack.set_faults()
    assert kept.failed and kept.changed and 'not tagged with its MD5' in kept['msg'], kept
    (untagged,) = hw.images('hw-direct-untagged')
    # Saving or already active: the next run waits for a pending image that is saving, then reads its status.
    assert untagged['status'] in ('saving', 'active') and source_of(untagged) is None, untagged
    # Which file it holds cannot be told: without cleanup_on_failure it is refused, never taken for this file's.
    hw.stack.clear_requests()
    refused = hw.module('ims_image_upload', dict(args, cleanup_on_failure=False), auth='token')
    assert refused.failed and not refused.changed and 'left by a failed run' in refused['msg'], refused
    assert hw.writes() == []
    rerun = hw.module('ims_image_upload', args, auth='token')
    assert not rerun.failed and rerun.changed and rerun['replaced'] == [untagged['id']], rerun
    (made,) = hw.images('hw-direct-untagged')
    assert made['id'] == rerun['image']['image_id'] and source_of(made) == md5(src)
    assert source_tags(shown_tags(made))[-1:] == [SOURCE_TAG + '=' + md5(src)], made
    info = hw.module('ims_image_info', dict(name='hw-direct-untagged'), auth='token')
    (listed,) = info['images']
    assert source_tags(listed['tags']) == source_tags(rerun['image']['tags']) == source_tags(shown_tags(made)), (info, rerun)
    assert len(source_tags(listed['tags'])) == (2 if same_key_tags == 'two' else 1), listed
