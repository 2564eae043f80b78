# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image, ims_image_info and ims_image_share with ``provider: openstack``, through the real Keystone + Glance.

Every module logs in with a password (``OS_*``) and reaches Glance through a recording proxy, so each
test can say which requests reached Glance: a second run writes nothing, check mode writes nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json

from tests.integration.images import write_raw
from tests.openstack.recorder import Answer

RAW_BYTES = b'raw accepts any bytes\n' * 2048


def patch_body(glance, image_id):
    return json.loads(glance.proxy.body_of('PATCH', '/v2/images/' + image_id))


# -- ims_image ---------------------------------------------------------------------------


def test_create_check_mode_then_create_then_unchanged(glance):
    args = dict(name='os-create', disk_format='raw', min_ram=512, tags=['web', 'prod'],
                properties=dict(os_distro='ubuntu', hw_firmware_type='uefi'))

    planned = glance.module('ims_image', args, check=True, diff=True)
    assert planned.changed and not planned.failed, planned
    assert planned['image']['status'] == 'queued' and planned['diff']['before'] == {}
    assert glance.writes() == [] and glance.images() == []

    created = glance.module('ims_image', args, diff=True)
    assert created.changed, created
    image = created['image']
    assert image['image_id'] == image['id'] and image['visibility'] == 'private'
    assert sorted(image['tags']) == ['prod', 'web'] and image['os_distro'] == 'ubuntu' and image['min_ram'] == 512
    assert created['diff']['after']['name'] == 'os-create'
    assert [method for method, path in glance.writes()] == ['POST']
    # A look-up by name asks Glance for that name: never the whole catalogue.
    assert any(m == 'GET' and 'name=os-create' in p and 'owner=' in p for m, p in glance.requests())

    glance.clear()
    again = glance.module('ims_image', dict(args, tags=['prod', 'web']), diff=True)
    assert not again.changed and not again.failed, again
    assert glance.writes() == []
    assert again['image']['id'] == image['id']
    assert len(glance.images()) == 1


def test_update_patches_only_what_changed_tags_and_properties_included(glance):
    image = glance.create(name='os-update', tags=['a', 'b'], os_distro='ubuntu', hw_firmware_type='bios', min_disk=1)

    planned = glance.module('ims_image', dict(name='os-update', tags=['b', 'c'], min_disk=1,
                                              properties=dict(os_distro=None, hw_firmware_type='uefi', fresh=True)),
                            check=True, diff=True)
    assert planned.changed and glance.writes() == [], planned
    assert glance.image(image['id'])['hw_firmware_type'] == 'bios'

    updated = glance.module('ims_image', dict(name='os-update', tags=['b', 'c'], min_disk=1,
                                              properties=dict(os_distro=None, hw_firmware_type='uefi', fresh=True)),
                            diff=True)
    assert updated.changed, updated
    assert glance.writes() == [('PATCH', '/v2/images/' + image['id'])]
    operations = sorted(patch_body(glance, image['id']), key=lambda o: o['path'])
    assert operations == [{'op': 'add', 'path': '/fresh', 'value': 'true'},
                          {'op': 'replace', 'path': '/hw_firmware_type', 'value': 'uefi'},
                          {'op': 'remove', 'path': '/os_distro'},
                          {'op': 'replace', 'path': '/tags', 'value': ['b', 'c']}]
    assert updated['diff'] == {'before': {'tags': ['a', 'b'], 'hw_firmware_type': 'bios', 'os_distro': 'ubuntu', 'fresh': None},
                               'after': {'tags': ['b', 'c'], 'hw_firmware_type': 'uefi', 'os_distro': None, 'fresh': 'true'}}
    now = glance.image(image['id'])
    assert sorted(now['tags']) == ['b', 'c'] and 'os_distro' not in now and now['fresh'] == 'true'

    glance.clear()
    again = glance.module('ims_image', dict(name='os-update', tags=['c', 'b'], properties=dict(os_distro=None, fresh=True)))
    assert not again.changed and glance.writes() == [], again


def test_rename_by_id_and_a_rename_into_a_taken_name_is_refused(glance):
    image = glance.create(name='os-old')
    glance.create(name='os-taken')

    refused = glance.module('ims_image', dict(id=image['id'], name='os-taken'))
    assert refused.failed and 'the name is taken by private image' in refused['msg'], refused
    assert glance.writes() == []

    renamed = glance.module('ims_image', dict(id=image['id'], name='os-new'))
    assert renamed.changed and renamed['image']['name'] == 'os-new', renamed


def test_protected_image_is_deleted_only_with_force(glance):
    image = glance.create(name='os-protected', protected=True)

    refused = glance.module('ims_image', dict(name='os-protected', state='absent'))
    assert refused.failed and 'is protected' in refused['msg'] and 'force: true' in refused['msg'], refused
    assert glance.writes() == [] and glance.image(image['id']) is not None

    planned = glance.module('ims_image', dict(name='os-protected', state='absent', force=True), check=True)
    assert planned.changed and glance.writes() == [] and glance.image(image['id']) is not None

    deleted = glance.module('ims_image', dict(name='os-protected', state='absent', force=True), diff=True)
    assert deleted.changed and deleted['diff']['after'] == {}, deleted
    assert glance.writes() == [('PATCH', '/v2/images/' + image['id']), ('DELETE', '/v2/images/' + image['id'])]
    assert glance.image(image['id']) is None

    glance.clear()
    gone = glance.module('ims_image', dict(name='os-protected', state='absent', force=True))
    assert not gone.changed and gone['image'] == {} and glance.writes() == []


def test_a_delete_whose_reply_is_lost_is_read_back_and_says_changed(glance):
    """The proxy deletes the image on Glance, then answers 502 in Glance's place; the client's retry gets 404."""
    image = glance.create(name='os-lost-delete')
    path = '/v2/images/' + image['id']

    def delete_then_fail(method, target, body):
        if method != 'DELETE' or glance.requests().count(('DELETE', path)) > 1:
            return body
        assert glance.call('DELETE', target).status_code == 204
        return Answer(502, '<html><body>502 Bad Gateway</body></html>', {'Content-Type': 'text/html'})
    glance.proxy.on_request = delete_then_fail

    deleted = glance.module('ims_image', dict(name='os-lost-delete', state='absent', retries=1))
    assert deleted.changed and not deleted.failed, deleted
    assert glance.writes() == [('DELETE', path), ('DELETE', path)]
    assert glance.image(image['id']) is None
    again = glance.module('ims_image', dict(name='os-lost-delete', state='absent'))
    assert not again.changed and not again.failed, again


def test_deactivate_then_reactivate(glance):
    image = glance.create(name='os-active')
    glance.upload(image['id'], RAW_BYTES)

    planned = glance.module('ims_image', dict(name='os-active', status='deactivated'), check=True)
    assert planned.changed and planned['image']['status'] == 'deactivated' and glance.writes() == [], planned

    deactivated = glance.module('ims_image', dict(name='os-active', status='deactivated'), diff=True)
    assert deactivated.changed and deactivated['image']['status'] == 'deactivated', deactivated
    assert deactivated['diff'] == {'before': {'status': 'active'}, 'after': {'status': 'deactivated'}}
    assert glance.writes() == [('POST', '/v2/images/%s/actions/deactivate' % image['id'])]

    glance.clear()
    again = glance.module('ims_image', dict(name='os-active', status='deactivated'))
    assert not again.changed and glance.writes() == [], again

    reactivated = glance.module('ims_image', dict(name='os-active', status='active'))
    assert reactivated.changed and reactivated['image']['status'] == 'active', reactivated
    assert glance.image(image['id'])['status'] == 'active'


def test_import_from_a_url_with_web_download(glance, http_dir, tmp_path):
    root, base_url = http_dir
    write_raw(str(root / 'disk.raw'), 3)
    expected_md5 = hashlib.md5((root / 'disk.raw').read_bytes()).hexdigest()
    args = dict(name='os-import', disk_format='raw', import_url=base_url + '/disk.raw', wait_timeout=300)

    imported = glance.module('ims_image', args)
    assert imported.changed and not imported.failed, imported
    assert imported['image']['status'] == 'active' and imported['image']['checksum'] == expected_md5
    writes = glance.writes()
    assert writes[0] == ('POST', '/v2/images') and writes[1] == ('POST', '/v2/images/%s/import' % imported['image']['id'])
    assert json.loads(glance.proxy.body_of('POST', '/v2/images/%s/import' % imported['image']['id'])) == {
        'method': {'name': 'web-download', 'uri': base_url + '/disk.raw'}}

    glance.clear()
    again = glance.module('ims_image', args)
    assert not again.changed and glance.writes() == [], again


def test_import_that_fails_fails_the_task_and_a_rerun_imports_again(glance, http_dir):
    root, base_url = http_dir
    args = dict(name='os-import-retry', disk_format='raw', import_url=base_url + '/late.raw', wait_timeout=120)

    failed = glance.module('ims_image', args)
    assert failed.failed and failed.changed and 'the import into store' in failed['msg'], failed
    assert [i['status'] for i in glance.images()] == ['queued']

    write_raw(str(root / 'late.raw'), 1)
    left = glance.images()[0]['id']
    glance.clear()
    retried = glance.module('ims_image', args)
    assert retried.changed and retried['image']['status'] == 'active', retried
    assert retried['replaced_failed_import'] == left
    assert glance.writes() == [('DELETE', '/v2/images/' + left), ('POST', '/v2/images'),
                               ('POST', '/v2/images/%s/import' % retried['image']['id'])]
    assert len(glance.images()) == 1


def test_the_endpoint_comes_from_the_catalog(glance):
    created = glance.module('ims_image', dict(name='os-catalog'), catalog=True)
    assert created.changed, created
    listed = glance.module('ims_image_info', dict(scope='private', name='os-catalog'), catalog=True)
    assert [i['id'] for i in listed['images']] == [created['image']['id']], listed
    assert glance.requests() == []      # the proxy was not in the way: the catalog's URL was used


# -- ims_image_info ----------------------------------------------------------------------


def test_info_scopes_filters_and_member_status(glance):
    project_b = glance.project_id('proj-b')
    mine = glance.create(name='os-info-mine', tags=['gold'], os_distro='ubuntu')
    glance.create(name='os-info-other', tags=['tin'])
    offered = glance.create(name='os-info-offered', visibility='shared')
    accepted = glance.create(name='os-info-accepted', visibility='shared')
    for image in (offered, accepted):
        assert glance.call('POST', '/v2/images/%s/members' % image['id'], json={'member': project_b}).status_code == 200
    assert glance.call('PUT', '/v2/images/%s/members/%s' % (accepted['id'], project_b), 'proj-b',
                       json={'status': 'accepted'}).status_code == 200
    theirs = glance.create(project='proj-b', name='os-info-b')

    private_a = glance.module('ims_image_info', dict(scope='private'))
    assert sorted(i['name'] for i in private_a['images']) == [
        'os-info-accepted', 'os-info-mine', 'os-info-offered', 'os-info-other'], private_a

    shared_b = glance.module('ims_image_info', dict(scope='shared'), project='proj-b')
    assert [i['id'] for i in shared_b['images']] == [accepted['id']], shared_b
    pending_b = glance.module('ims_image_info', dict(scope='shared', member_status='pending'), project='proj-b')
    assert [i['id'] for i in pending_b['images']] == [offered['id']], pending_b

    every_b = glance.module('ims_image_info', dict(scope='all'), project='proj-b')
    assert {(i['id'], i['scope']) for i in every_b['images']} == {(theirs['id'], 'private'), (accepted['id'], 'shared')}

    glance.clear()
    tagged = glance.module('ims_image_info', dict(scope='private', filters=dict(tag='gold', os_distro='ubuntu')))
    assert [i['id'] for i in tagged['images']] == [mine['id']] and not tagged.get('warnings'), tagged
    assert all('tag=gold' in p and 'os_distro=ubuntu' in p for m, p in glance.requests() if p.startswith('/v2/images?'))

    contains = glance.module('ims_image_info', dict(scope='private', name_contains='info-o'))
    assert sorted(i['name'] for i in contains['images']) == ['os-info-offered', 'os-info-other'], contains

    by_id = glance.module('ims_image_info', dict(scope='shared', id=accepted['id']), project='proj-b')
    assert [i['id'] for i in by_id['images']] == [accepted['id']], by_id
    assert glance.module('ims_image_info', dict(scope='private', id=accepted['id']), project='proj-b')['images'] == []

    # A filter that names an option (member_status) or a field a scope fixes (visibility) asks what it says.
    by_filter = glance.module('ims_image_info', dict(filters=dict(member_status='pending')), project='proj-b')
    assert [(i['id'], i['scope']) for i in by_filter['images']] == [(offered['id'], 'shared')], by_filter
    shared_out = glance.module('ims_image_info', dict(scope='private', name_contains='os-info', filters=dict(visibility='shared')))
    assert sorted(i['name'] for i in shared_out['images']) == ['os-info-accepted', 'os-info-offered'], shared_out
    kept_private = glance.module('ims_image_info', dict(name_contains='os-info', filters=dict(visibility='private')))
    assert sorted((i['name'], i['scope']) for i in kept_private['images']) == [
        ('os-info-mine', 'private'), ('os-info-other', 'private')], kept_private
    # A look-up by id matches the filters Glance would have applied to a listing.
    assert glance.module('ims_image_info', dict(id=mine['id'], filters=dict(tag='tin')))['images'] == []
    assert [i['id'] for i in glance.module('ims_image_info', dict(id=mine['id'], filters=dict(tag='gold')))['images']] == [
        mine['id']]
    glance.clear()
    both = glance.module('ims_image_info', dict(name='os-info-mine', filters=dict(name='os-info-other')))
    assert both.failed and both['msg'] == ('name os-info-mine and filters.name os-info-other ask for different images: '
                                           'give one of them.'), both
    assert glance.requests() == [] or all(p.startswith('/v3') for _m, p in glance.requests()), glance.requests()


# -- ims_image_share ---------------------------------------------------------------------


def test_share_a_to_b_accept_reject_purge(glance):
    project_b = glance.project_id('proj-b')
    image = glance.create(name='os-share')
    args = dict(image='os-share', projects=[project_b])

    planned = glance.module('ims_image_share', args, check=True, diff=True)
    assert planned.changed and planned['added'] == [project_b] and glance.writes() == [], planned
    assert glance.image(image['id'])['visibility'] == 'private'

    shared = glance.module('ims_image_share', args, diff=True)
    assert shared.changed and shared['visibility'] == 'shared', shared
    assert shared['diff'] == {'before': {'image_id': image['id'], 'projects': [], 'visibility': 'private'},
                              'after': {'image_id': image['id'], 'projects': [project_b], 'visibility': 'shared'}}
    assert glance.writes() == [('PATCH', '/v2/images/' + image['id']), ('POST', '/v2/images/%s/members' % image['id'])]
    assert [(m['member_id'], m['status']) for m in glance.members(image['id'])] == [(project_b, 'pending')]

    glance.clear()
    again = glance.module('ims_image_share', args)
    assert not again.changed and glance.writes() == [], again

    accept = dict(image=image['id'], member_status='accepted')
    assert glance.module('ims_image_share', accept, project='proj-b', check=True).changed
    assert glance.writes() == []
    accepted = glance.module('ims_image_share', accept, project='proj-b', diff=True)
    assert accepted.changed and accepted['member']['status'] == 'accepted', accepted
    assert glance.writes() == [('PUT', '/v2/images/%s/members/%s' % (image['id'], project_b))]
    listed = glance.module('ims_image_info', dict(scope='shared'), project='proj-b')
    assert [i['id'] for i in listed['images']] == [image['id']]

    glance.clear()
    by_name = glance.module('ims_image_share', dict(image='os-share', member_status='accepted'), project='proj-b')
    assert not by_name.changed and glance.writes() == [], by_name

    rejected = glance.module('ims_image_share', dict(image='os-share', member_status='rejected'), project='proj-b')
    assert rejected.changed and rejected['member']['status'] == 'rejected', rejected
    assert glance.module('ims_image_info', dict(scope='shared'), project='proj-b')['images'] == []

    glance.clear()
    purged = glance.module('ims_image_share', dict(image='os-share', projects=[], purge=True), diff=True)
    assert purged.changed and purged['removed'] == [project_b], purged
    assert glance.writes() == [('DELETE', '/v2/images/%s/members/%s' % (image['id'], project_b))]
    assert glance.members(image['id']) == []


def test_share_state_absent_removes_only_the_listed_projects(glance):
    project_b = glance.project_id('proj-b')
    image = glance.create(name='os-share-absent', visibility='shared')
    glance.call('POST', '/v2/images/%s/members' % image['id'], json={'member': project_b})

    glance.clear()
    absent = glance.module('ims_image_share', dict(image=image['id'], projects=[project_b], state='absent'))
    assert absent.changed and absent['removed'] == [project_b], absent
    glance.clear()
    again = glance.module('ims_image_share', dict(image=image['id'], projects=[project_b], state='absent'))
    assert not again.changed and glance.writes() == [], again
