# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_upload and ims_image_export ``dest`` with ``provider: openstack``, through the real Keystone + Glance.

Uploads are one streamed PUT hashed while it is sent, compared with the checksum and os_hash_value
Glance computed; downloads are verified while they stream. The recording proxy in front of Glance
shows which requests reached it, and injects the faults: a connection cut mid-PUT, a byte flipped
on the way (either direction), a 401 before the body is read.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os

from tests.integration.images import write_qcow2, write_raw
from tests.openstack.recorder import Answer


def hashes(path):
    with open(path, 'rb') as handle:
        data = handle.read()
    return dict(md5=hashlib.md5(data).hexdigest(), sha512=hashlib.sha512(data).hexdigest())


def flip_one_byte(data, at=1000):
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


# -- ims_image_upload --------------------------------------------------------------------


def test_upload_check_mode_then_upload_then_unchanged(glance, tmp_path):
    src = write_raw(tmp_path / 'disk.raw', 2)
    local = hashes(src)
    args = dict(src=src, name='up-new', min_ram=256, tags=['built'], properties=dict(os_distro='cirros'))

    planned = glance.module('ims_image_upload', args, check=True, diff=True)
    assert planned.changed and not planned.failed, planned
    # One digest: Glance's checksum (MD5) checks the bytes, so the task computes no SHA-512 of the file.
    assert planned['checksum'] == local['md5'] and planned['hashes'] == dict(md5=local['md5'])
    assert 'os_hash_value' not in planned['image'] and planned['image']['status'] == 'active'
    assert planned['diff']['before'] == {} and planned['diff']['after']['checksum'] == local['md5']
    assert glance.writes() == [] and glance.images() == []

    uploaded = glance.module('ims_image_upload', args, diff=True)
    assert uploaded.changed and not uploaded.failed, uploaded
    image = uploaded['image']
    assert image['status'] == 'active' and image['checksum'] == local['md5']
    assert image['os_hash_algo'] == 'sha512' and image['os_hash_value'] == local['sha512']
    assert image['min_ram'] == 256 and image['tags'] == ['built'] and image['os_distro'] == 'cirros'
    assert image['disk_format'] == 'raw' and image['visibility'] == 'private'
    assert uploaded['hashes'] == dict(md5=local['md5']) and uploaded['transfer']['bytes'] == 2 * 1024 * 1024
    # One POST, one PUT of the file: the bytes were read and hashed once, on their way.
    assert glance.writes() == [('POST', '/v2/images'), ('PUT', '/v2/images/%s/file' % image['id'])]
    assert glance.image(image['id'])['size'] == os.path.getsize(src)

    glance.clear()
    again = glance.module('ims_image_upload', args, diff=True)
    assert not again.changed and not again.failed, again
    assert again['image']['id'] == image['id'] and again['checksum'] == local['md5']
    assert glance.writes() == [] and len(glance.images()) == 1


def test_a_qcow2_file_is_detected_and_uploaded_as_qcow2(glance, tmp_path):
    src = write_qcow2(tmp_path / 'disk.qcow2', 1)
    uploaded = glance.module('ims_image_upload', dict(src=src, name='up-qcow2'))
    assert uploaded.changed and uploaded['image']['disk_format'] == 'qcow2', uploaded
    assert uploaded['image']['checksum'] == hashes(src)['md5']


def test_other_bytes_under_an_active_name_are_refused_unless_replace(glance, tmp_path):
    first = write_raw(tmp_path / 'one.raw', 1, seed=b'one')
    second = write_raw(tmp_path / 'two.raw', 1, seed=b'two')
    old = glance.module('ims_image_upload', dict(src=first, name='up-replace'))['image']
    glance.clear()

    refused = glance.module('ims_image_upload', dict(src=second, name='up-replace'))
    assert refused.failed and not refused.changed, refused
    assert 'already holds another file' in refused['msg'] and 'replace: true' in refused['msg']
    assert old['id'] in refused['msg'] and hashes(second)['md5'] in refused['msg']
    assert glance.writes() == []

    planned = glance.module('ims_image_upload', dict(src=second, name='up-replace', replace=True), check=True, diff=True)
    assert planned.changed and planned['replaced'] == [old['id']], planned
    assert glance.writes() == []

    replaced = glance.module('ims_image_upload', dict(src=second, name='up-replace', replace=True))
    assert replaced.changed and replaced['replaced'] == [old['id']], replaced
    new = replaced['image']
    assert new['id'] != old['id'] and new['checksum'] == hashes(second)['md5']
    # The new image is active before the old one goes: an image of that name at every moment, never two after.
    assert [m for m, _p in glance.writes()] == ['POST', 'PUT', 'DELETE']
    assert [i['id'] for i in glance.images()] == [new['id']]

    glance.clear()
    again = glance.module('ims_image_upload', dict(src=second, name='up-replace', replace=True))
    assert not again.changed and glance.writes() == [], again


def test_replacing_a_shared_image_needs_force_and_moves_its_members(glance, tmp_path):
    first = write_raw(tmp_path / 'one.raw', 1, seed=b'one')
    second = write_raw(tmp_path / 'two.raw', 1, seed=b'two')
    old = glance.module('ims_image_upload', dict(src=first, name='up-shared', visibility='shared'))['image']
    project_b = glance.project_id('proj-b')
    assert glance.call('POST', '/v2/images/%s/members' % old['id'], json={'member': project_b}).status_code == 200
    glance.clear()

    refused = glance.module('ims_image_upload', dict(src=second, name='up-shared', replace=True))
    assert refused.failed and 'force: true' in refused['msg'] and project_b in refused['msg'], refused
    assert glance.writes() == []

    moved = glance.module('ims_image_upload', dict(src=second, name='up-shared', replace=True, force=True))
    assert moved.changed and moved['shares_moved'] == {old['id']: [project_b]}, moved
    new = moved['image']
    assert new['visibility'] == 'shared' and [m['member_id'] for m in glance.members(new['id'])] == [project_b]
    assert [i['id'] for i in glance.images()] == [new['id']]


def test_bytes_that_do_not_match_disk_format_are_refused_before_any_write(glance, tmp_path):
    src = write_raw(tmp_path / 'disk.raw', 1)
    refused = glance.module('ims_image_upload', dict(src=src, name='up-format', disk_format='qcow2'))
    assert refused.failed and 'disk_format is qcow2 but' in refused['msg'] and 'lacks the qcow2 magic' in refused['msg']
    assert glance.writes() == [] and glance.images() == []


def test_a_connection_cut_mid_put_deletes_the_record_it_created(glance, tmp_path):
    src = write_raw(tmp_path / 'disk.raw', 2)
    glance.proxy.cut_body_after = 256 * 1024

    failed = glance.module('ims_image_upload', dict(src=src, name='up-cut'))
    assert failed.failed, failed
    assert failed['msg'].startswith('PUT ') and '/file: no answer' in failed['msg'], failed
    assert 'of 2097152 bytes were sent' in failed['msg']
    assert 'was deleted' in failed['msg']
    # A failure after a change says so, and what it made.
    assert failed.changed and failed['image']['status'] == 'deleted'
    image_id = failed['image']['id']
    assert glance.writes() == [('POST', '/v2/images'), ('PUT', '/v2/images/%s/file' % image_id),
                               ('DELETE', '/v2/images/' + image_id)]
    assert glance.images() == []

    glance.proxy.cut_body_after = None
    glance.clear()
    retried = glance.module('ims_image_upload', dict(src=src, name='up-cut'))
    assert retried.changed and retried['image']['status'] == 'active', retried
    assert len(glance.images()) == 1


def test_a_queued_record_left_by_a_failed_run_is_reused(glance, tmp_path):
    src = write_raw(tmp_path / 'disk.raw', 1)
    glance.proxy.cut_body_after = 64 * 1024
    kept = glance.module('ims_image_upload', dict(src=src, name='up-kept', cleanup_on_failure=False))
    assert kept.failed and 'was kept (cleanup_on_failure is false)' in kept['msg'], kept
    queued = glance.images()
    assert [i['status'] for i in queued] == ['queued']

    glance.proxy.cut_body_after = None
    glance.clear()
    reused = glance.module('ims_image_upload', dict(src=src, name='up-kept'))
    assert reused.changed and reused['image']['id'] == queued[0]['id'], reused
    assert [m for m, _p in glance.writes()] == ['PUT']


def test_bytes_corrupted_on_the_way_up_are_caught_and_the_image_deleted(glance, tmp_path):
    src = write_raw(tmp_path / 'disk.raw', 1)
    glance.proxy.on_request = lambda method, path, body: flip_one_byte(body) if path.endswith('/file') else body

    failed = glance.module('ims_image_upload', dict(src=src, name='up-corrupt'))
    assert failed.failed and 'the service did not keep the bytes sent' in failed['msg'], failed
    assert hashes(src)['md5'] in failed['msg'] and 'was deleted' in failed['msg']
    assert failed.changed and glance.images() == []


def without_checksum(method, path, content):  # pylint: disable=unused-argument
    """Glance's image answers with ``checksum`` null: a Glance that reports only its os_hash_value."""
    if not path.startswith('/v2/images') or path.split('?')[0].endswith('/file') or not content.startswith(b'{'):
        return content
    answer = json.loads(content)
    for image in answer.get('images', [answer]):
        if isinstance(image, dict) and 'checksum' in image:
            image['checksum'] = None
    return json.dumps(answer).encode()


def test_without_a_checksum_the_os_hash_value_is_compared_after_a_second_read(glance, tmp_path):
    """The PUT hashes MD5 only; where Glance reports no checksum its os_hash_value (SHA-512) is checked instead."""
    src = write_raw(tmp_path / 'disk.raw', 1)
    glance.proxy.on_response = without_checksum
    uploaded = glance.module('ims_image_upload', dict(src=src, name='up-sha-only'))
    assert uploaded.changed and not uploaded.failed, uploaded
    assert uploaded['image']['checksum'] is None and uploaded['image']['os_hash_value'] == hashes(src)['sha512']
    assert uploaded['checksum'] == hashes(src)['md5'] and uploaded['hashes'] == hashes(src)

    glance.clear()
    again = glance.module('ims_image_upload', dict(src=src, name='up-sha-only'))
    assert not again.changed and not again.failed and again['image']['id'] == uploaded['image']['id'], again
    assert glance.writes() == []

    glance.proxy.on_request = lambda method, path, body: flip_one_byte(body) if path.endswith('/file') else body
    failed = glance.module('ims_image_upload', dict(src=src, name='up-sha-only-corrupt'))
    assert failed.failed and 'the service did not keep the bytes sent' in failed['msg'], failed
    assert hashes(src)['sha512'] in failed['msg'] and hashes(src)['md5'] not in failed['msg'], failed
    assert 'was deleted' in failed['msg'] and [i['name'] for i in glance.images()] == ['up-sha-only']


def test_a_401_before_the_body_is_read_is_resent_from_the_first_byte(glance, tmp_path):
    """The Keystone token is refused once at the PUT: the module logs in again and sends the whole file again."""
    src = write_raw(tmp_path / 'disk.raw', 1)
    refused = []

    def refuse_first_put(method, path, body):
        if path.endswith('/file') and not refused:
            refused.append(len(body))
            return Answer(401, json.dumps({'error': {'code': 401, 'title': 'Unauthorized',
                                                     'message': 'The request you have made requires authentication.'}}))
        return body
    glance.proxy.on_request = refuse_first_put

    uploaded = glance.module('ims_image_upload', dict(src=src, name='up-401'))
    assert uploaded.changed and not uploaded.failed, uploaded
    assert uploaded['image']['checksum'] == hashes(src)['md5'] and uploaded['hashes'] == dict(md5=hashes(src)['md5'])
    puts = [p for m, p in glance.writes() if m == 'PUT']
    assert len(puts) == 2 and refused == [os.path.getsize(src)]


def test_options_of_the_s3_upload_are_refused_on_openstack(glance, tmp_path):
    src = write_raw(tmp_path / 'disk.raw', 1)
    refused = glance.module('ims_image_upload', dict(src=src, name='up-s3', part_size_mb=64))
    assert refused.failed and 'part_size_mb is not used by provider openstack' in refused['msg'], refused
    assert glance.writes() == []


# -- ims_image_export dest -------------------------------------------------------------------


def active_image(glance, tmp_path, name='ex-src', size_mib=2):
    src = write_raw(tmp_path / ('%s.raw' % name), size_mib, seed=name.encode())
    image = glance.create(name=name)
    with open(src, 'rb') as handle:
        glance.upload(image['id'], handle.read())
    glance.clear()
    return image['id'], src


def test_download_verified_then_unchanged_then_mode(glance, tmp_path):
    image_id, src = active_image(glance, tmp_path)
    dest = str(tmp_path / 'out' / 'disk.raw')
    os.mkdir(os.path.dirname(dest))

    planned = glance.module('ims_image_export', dict(image='ex-src', dest=dest), check=True, diff=True)
    assert planned.changed and not os.path.exists(dest), planned
    assert planned['diff']['before'] == {'path': dest, 'state': 'absent'}
    assert planned['diff']['after']['sha512'] == hashes(src)['sha512']

    downloaded = glance.module('ims_image_export', dict(image='ex-src', dest=dest))
    assert downloaded.changed and not downloaded.failed, downloaded
    assert hashes(dest) == hashes(src) and downloaded['checksum'] == hashes(src)['md5']
    assert downloaded['verified'] == dict(algorithm='sha512', value=hashes(src)['sha512'], size=os.path.getsize(src))
    assert downloaded['transfer']['bytes'] == os.path.getsize(src)
    assert os.listdir(os.path.dirname(dest)) == ['disk.raw']
    assert glance.writes() == [] and ('GET', '/v2/images/%s/file' % image_id) in glance.requests()

    glance.clear()
    again = glance.module('ims_image_export', dict(image=image_id, dest=dest), diff=True)
    assert not again.changed and not again.failed, again
    assert not any(p.endswith('/file') for _m, p in glance.requests())
    assert again['diff']['before']['sha512'] == hashes(src)['sha512']

    moded = glance.module('ims_image_export', dict(image=image_id, dest=dest, mode='0600'))
    assert moded.changed and moded['mode'] == '0600' and not any(p.endswith('/file') for _m, p in glance.requests())
    assert oct(os.stat(dest).st_mode & 0o777) == '0o600'


def test_a_dest_holding_other_bytes_is_replaced(glance, tmp_path):
    _image_id, src = active_image(glance, tmp_path, size_mib=1)
    dest = tmp_path / 'disk.raw'
    dest.write_bytes(b'x' * os.path.getsize(src))
    replaced = glance.module('ims_image_export', dict(image='ex-src', dest=str(dest)))
    assert replaced.changed and hashes(str(dest)) == hashes(src), replaced


def test_bytes_corrupted_on_the_way_down_leave_dest_as_it_was(glance, tmp_path):
    image_id, _src = active_image(glance, tmp_path, size_mib=1)
    dest = tmp_path / 'disk.raw'
    dest.write_bytes(b'previous content')
    glance.proxy.on_response = lambda method, path, content: flip_one_byte(content) if path.endswith('/file') else content

    failed = glance.module('ims_image_export', dict(image=image_id, dest=str(dest)))
    assert failed.failed and 'do not match the image checksum (SHA512' in failed['msg'], failed
    assert dest.read_bytes() == b'previous content' and os.listdir(str(tmp_path)) == ['disk.raw', 'ex-src.raw']


def test_an_error_answer_is_never_written_to_dest(glance, tmp_path):
    """The image is deactivated between the look-up and the download: Glance answers 403, dest stays as it was."""
    image_id, _src = active_image(glance, tmp_path, size_mib=1)
    dest = tmp_path / 'disk.raw'
    dest.write_bytes(b'previous content')

    def deactivate_first(method, path, body):
        if path.endswith('/file'):
            response = glance.call('POST', '/v2/images/%s/actions/deactivate' % image_id)
            assert response.status_code == 204, response.text
        return body
    glance.proxy.on_request = deactivate_first

    failed = glance.module('ims_image_export', dict(image=image_id, dest=str(dest)))
    assert failed.failed and 'deactivated' in failed['msg'], failed
    assert 'download image %s' % image_id in failed['msg']
    assert dest.read_bytes() == b'previous content' and sorted(os.listdir(str(tmp_path))) == ['disk.raw', 'ex-src.raw']


def test_bucket_is_refused_on_openstack_with_what_to_use_instead(glance, tmp_path):
    active_image(glance, tmp_path, size_mib=1)
    refused = glance.module('ims_image_export', dict(image='ex-src', bucket='b1'))
    assert refused.failed and refused['msg'] == ('The openstack provider cannot export an image to a bucket (bucket); '
                                                 'use dest to download the image.'), refused
    assert glance.requests() == []
