# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider contract: what every provider does the same, written once and run against each provider's stack.

``cloud`` (conftest.py) is one stack behind its adapter (stacks.py, memory_provider/adapter.py); the modules
run in this process (runner.py). A provider-specific detail lives in its adapter, never in a test body.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._backend import EXPORT_TO_FILE, Backend
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._image_metadata import carry_over
from tests.integration.images import md5, write_raw

WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')


def writes(cloud):
    return [r for r in cloud.requests() if r[0] in WRITES]


def test_find_by_name_and_by_id(cloud):
    image_id, name = cloud.seed_image('c-find-')

    by_name = cloud.module('ims_image_info', dict(name=name, scope='private'))
    assert [i['image_id'] for i in by_name['images']] == [image_id], by_name
    by_id = cloud.module('ims_image_info', dict(id=image_id))
    assert [(i['image_id'], i['name']) for i in by_id['images']] == [(image_id, name)], by_id
    none = cloud.module('ims_image_info', dict(name=name + '-none', scope='private'))
    assert none['images'] == [], none

    cloud.clear_requests()
    found = cloud.module('ims_image', dict(id=image_id))
    assert not found.failed and not found.changed and found['image']['name'] == name, found
    assert writes(cloud) == []


def test_a_create_whose_reply_is_lost_makes_one_image_and_says_changed(cloud):
    args = cloud.create_args('c-lost')
    cloud.lose_next_create_reply()

    created = cloud.module('ims_image', args)
    assert created.changed and not created.failed, created
    assert cloud.create_requests() == 1         # read back, not sent again
    assert cloud.images('c-lost') == [created['image']['image_id']]

    again = cloud.module('ims_image', args)
    assert not again.changed and not again.failed, again
    assert cloud.images('c-lost') == [created['image']['image_id']] and cloud.create_requests() == 1


def test_an_update_changes_what_differs_and_a_second_run_changes_nothing(cloud):
    image_id, name = cloud.seed_image('c-update-')
    wanted = 4096 if cloud.min_ram(image_id) != 4096 else 8192

    updated = cloud.module('ims_image', dict(name=name, min_ram=wanted))
    assert updated.changed and not updated.failed, updated
    assert cloud.min_ram(image_id) == wanted

    cloud.clear_requests()
    again = cloud.module('ims_image', dict(name=name, min_ram=wanted))
    assert not again.changed and not again.failed, again
    assert writes(cloud) == []


def test_share_then_read_back(cloud):
    image_id, _name = cloud.seed_image('c-share-')
    recipient = cloud.recipient()

    shared = cloud.module('ims_image_share', {'image': image_id, cloud.share_option: [recipient]})
    assert shared.changed and not shared.failed, shared
    assert [s['user_id'] for s in shared['shares']] == [recipient], shared
    assert cloud.members(image_id) == [recipient]

    cloud.clear_requests()
    again = cloud.module('ims_image_share', {'image': image_id, cloud.share_option: [recipient]})
    assert not again.changed and [s['user_id'] for s in again['shares']] == [recipient], again
    assert writes(cloud) == []


def test_a_wait_that_runs_out_fails_with_a_clear_message_and_says_what_it_made(cloud):
    with cloud.held_import('c-wait') as args:
        timed_out = cloud.module('ims_image', dict(args, wait_timeout=1))
        assert timed_out.failed and timed_out['msg'].startswith('Timed out after 1s waiting for '), timed_out
        assert timed_out.changed, timed_out     # the import was started: a re-run waits for it, never starts another


def upload(cloud, tmp_path, name):
    src = write_raw(tmp_path / (name + '.raw'), 1, seed=name.encode())
    uploaded = cloud.module('ims_image_upload', cloud.upload_args(src, name))
    assert uploaded.changed and not uploaded.failed, uploaded
    return uploaded, src


def test_an_upload_is_verified_against_what_the_service_keeps(cloud, tmp_path):
    uploaded, src = upload(cloud, tmp_path, 'c-upload')
    assert uploaded['checksum'] == md5(src) and uploaded['image']['status'] == 'active', uploaded
    assert cloud.images('c-upload') == [uploaded['image']['image_id']]
    assert cloud.stored_md5(uploaded['image']['image_id']) == md5(src)

    again = cloud.module('ims_image_upload', cloud.upload_args(src, 'c-upload'))
    assert not again.changed and not again.failed, again
    assert cloud.images('c-upload') == [uploaded['image']['image_id']]


def test_a_download_holds_the_image_bytes_verified(cloud, tmp_path):
    uploaded, src = upload(cloud, tmp_path, 'c-export')
    dest = str(tmp_path / 'out.img')

    exported = cloud.module('ims_image_export', cloud.export_args('c-export', dest))
    assert exported.changed and not exported.failed, exported
    assert md5(dest) == md5(src) and exported['checksum'] == md5(src), exported
    assert exported['verified']['size'] == os.path.getsize(src)

    again = cloud.module('ims_image_export', cloud.export_args(uploaded['image']['image_id'], dest))
    assert not again.changed and not again.failed, again


def test_a_delete_waits_until_the_image_is_gone(cloud):
    image_id, name = cloud.seed_image('c-delete-')

    deleted = cloud.module('ims_image', dict(name=name, state='absent'))
    assert deleted.changed and not deleted.failed and deleted['image']['image_id'] == image_id, deleted
    assert cloud.images(name) == []     # gone when the task returns: it waited

    cloud.clear_requests()
    again = cloud.module('ims_image', dict(name=name, state='absent'))
    assert not again.changed and again['image'] == {}, again
    assert writes(cloud) == []


def test_bad_option_values_are_refused_before_any_request(cloud):
    cloud.clear_requests()
    refused = cloud.module('ims_image', dict(cloud.create_args('c-refused'), min_ram=-1))
    assert refused.failed and 'min_ram must be 0 or more; got -1.' in refused['msg'], refused
    shared = cloud.module('ims_image_share', {'image': 'c-refused', cloud.share_option: ['not an id!']})
    assert shared.failed and "%s must be" % cloud.share_option in shared['msg'] and "'not an id!'" in shared['msg'], shared
    assert cloud.requests() == []


def test_deprecation_is_kept_on_the_image_where_the_provider_can_keep_it_and_refused_before_any_request_elsewhere(cloud):
    image_id, name = cloud.seed_image('c-deprecate-')
    (listed,) = cloud.module('ims_image_info', dict(id=image_id))['images']
    assert (listed['deprecated'], listed['deprecated_at'], listed['replaced_by'], listed['hidden']) == (False, None, None, False)

    cloud.clear_requests()
    deprecated = cloud.module('ims_image', dict(name=name, deprecated=True, deprecated_at='2026-12-01'))
    if not _providers.PROVIDERS[cloud.name].backend.keeps_deprecation:
        assert deprecated.failed and deprecated['msg'].startswith(
            'The %s provider cannot mark an image deprecated' % cloud.name), deprecated
        assert cloud.requests() == []
        return
    assert deprecated.changed and not deprecated.failed, deprecated
    read_back = cloud.module('ims_image', dict(id=image_id))['image']
    assert (read_back['deprecated'], read_back['deprecated_at']) == (True, '2026-12-01T00:00:00Z'), read_back

    cloud.clear_requests()
    again = cloud.module('ims_image', dict(name=name, deprecated=True))
    assert not again.changed and not again.failed and writes(cloud) == [], again
    undeprecated = cloud.module('ims_image', dict(name=name, deprecated=False))
    assert undeprecated.changed and undeprecated['image']['deprecated'] is False, undeprecated


def test_a_replica_target_that_is_the_source_is_refused_before_any_write(cloud):
    image_id, name = cloud.seed_image('c-replica-')
    connection, _env = cloud.connection('owner')
    cloud.clear_requests()

    refused = cloud.module('ims_image_replicate', dict(image=image_id, targets=[dict(connection)]))
    assert refused.failed and 'source image itself' in refused['msg'], refused
    assert name in refused['msg'] and writes(cloud) == []


def test_an_image_s_own_metadata_is_upload_options_its_provider_takes_whole(cloud):
    """Backend.image_metadata and upload_metadata (docs/replication.md), without a request: a provider's own image,
    read into the neutral metadata, is options the same provider's upload takes with nothing dropped or asked for; a
    provider without the mapping refuses, naming itself."""
    image_id, _name = cloud.seed_image('c-meta-')
    (image,) = cloud.module('ims_image_info', dict(id=image_id))['images']
    connection, _env = cloud.connection('owner')
    backend = _providers.PROVIDERS[cloud.name].backend
    cloud.clear_requests()
    try:
        metadata = backend.image_metadata(image)
    except ImsValidationError as exc:
        assert str(exc).startswith('The %s provider cannot read an image\'s metadata' % cloud.name), exc
        return
    carried = carry_over(metadata, cloud.name, params=connection)
    assert (carried.dropped, carried.required) == ([], []), (metadata, carried.options)
    assert cloud.requests() == []


def test_a_provider_that_downloads_an_image_reads_it_for_a_streamed_replica(cloud):
    """Backend.replica_read, as declared: a provider whose image ims_image_export writes to a local file reads it for
    ims_image_replicate's streamed targets too (a download, or its own reader: Huawei's export to OBS); the others
    answer None, and a replication that needs their bytes is refused before any write."""
    backend = _providers.PROVIDERS[cloud.name].backend
    reads = backend.replica_read is not Backend.replica_read or backend.open_download is not Backend.open_download
    assert reads == (EXPORT_TO_FILE in backend.export_targets), (cloud.name, backend.export_targets)
