# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input on ``provider: openstack`` fails with a message a user can act on, and no write reaches Glance.

Each case runs against the real Keystone + Glance through the recording proxy, and asserts that no
POST, PUT, PATCH or DELETE reached Glance and that the projects' images did not change.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest


@pytest.fixture
def images(glance, tmp_path):
    """A setting: A owns a private, a community, a protected-less shared image; returns their ids by role
    (and ``raw_file``, a raw file to upload)."""
    raw_file = tmp_path / 'other.raw'
    raw_file.write_bytes(b'y' * 8192)
    project_b = glance.project_id('proj-b')
    private = glance.create(name='bad-private')
    community = glance.create(name='bad-community', visibility='community')
    shared_elsewhere = glance.create(name='bad-shared', visibility='shared')
    queued = glance.create(name='bad-queued')
    active = glance.create(name='bad-active')
    glance.upload(active['id'], b'x' * 4096)
    glance.create(name='bad-protected', protected=True)
    glance.clear()
    return dict(project_b=project_b, private=private['id'], community=community['id'], shared=shared_elsewhere['id'],
                queued=queued['id'], active=active['id'], raw_file=str(raw_file))


def snapshot(glance):
    return dict((p, sorted(json.dumps(i, sort_keys=True) for i in glance.images(p))) for p in ('proj-a', 'proj-b'))


CASES = [
    # (id, module, args, project, runner options, words the message must hold)
    ('wrong-password', 'ims_image', dict(name='x'), 'proj-a', dict(env=dict(OS_PASSWORD='not-the-password')),
     ['refused the login', 'password (IMS_PASSWORD, OS_PASSWORD)', 'username']),
    ('bad-token', 'ims_image', dict(name='x', auth_token='gAAAA-not-a-token', project_id='0123abcd'),
     'proj-a', dict(env=dict(OS_AUTH_URL='', OS_USERNAME='', OS_PASSWORD='', OS_PROJECT_NAME='')),
     ['refused the credentials (HTTP 401)', 'auth_token']),
    ('region-without-image-endpoint', 'ims_image', dict(name='x', region='Nowhere'), 'proj-a', dict(catalog=True),
     ['has no image endpoint for interface public in region Nowhere', 'RegionOne']),
    ('cecloud-option-on-openstack', 'ims_image', dict(name='x', tenant_id='7074631167042813952'), 'proj-a', {},
     ['tenant_id is not used by provider openstack']),
    ('cecloud-module-option-on-openstack', 'ims_image', dict(name='x', image_type='os_image'), 'proj-a', {},
     ['image_type is not used by provider openstack']),
    ('openstack-option-on-cecloud', 'ims_image', dict(provider='cecloud', name='x', container_format='bare',
                                                      endpoint='http://127.0.0.1:9', region='r', auth_token='tok-123456'),
     'proj-a', dict(env=dict(OS_AUTH_URL='', OS_USERNAME='', OS_PASSWORD='', OS_PROJECT_NAME='')),
     ['container_format is not used by provider cecloud']),
    ('users-on-openstack', 'ims_image_share', dict(image='bad-private', users=['7085524801413873664']), 'proj-a', {},
     ['users is not used by provider openstack']),
    ('share-of-a-community-image', 'ims_image_share', dict(image='bad-community', projects=['{project_b}']), 'proj-a', {},
     ['is community', 'only a shared image has member projects']),
    ('share-of-another-projects-private-image', 'ims_image_share', dict(image='{private}', projects=['{project_b}']),
     'proj-b', {}, ['No private image of this tenant has the id or name']),
    ('accept-an-image-nobody-shared', 'ims_image_share', dict(image='{shared}', member_status='accepted'), 'proj-b', {},
     ['is not shared with project', 'nothing to accept or reject']),
    ('accept-by-an-unknown-name', 'ims_image_share', dict(image='nobody-shared-this', member_status='accepted'),
     'proj-b', {}, ["No image shared with project", "'nobody-shared-this'"]),
    ('member-status-with-projects', 'ims_image_share', dict(image='bad-shared', member_status='accepted',
                                                            projects=['{project_b}']), 'proj-a', {},
     ['member_status answers a share']),
    ('project-id-with-a-blank', 'ims_image_share', dict(image='bad-private', projects=['not a project']), 'proj-a', {},
     ['projects must be project ids', "'not a project'"]),
    ('reserved-property', 'ims_image', dict(name='bad-private', properties=dict(owner='someone')), 'proj-a', {},
     ['properties cannot set this field: owner']),
    ('tag-that-is-no-string', 'ims_image', dict(name='bad-private', tags=[dict(key='env', value='prod')]), 'proj-a', {},
     ['tags[0] must be a text', 'Glance tags are plain strings']),
    ('deactivate-a-queued-image', 'ims_image', dict(name='bad-queued', status='deactivated'), 'proj-a', {},
     ['is queued', 'status: deactivated applies to an image that is active']),
    ('disk-format-of-an-active-image', 'ims_image', dict(name='bad-active', disk_format='qcow2'), 'proj-a', {},
     ['disk_format of image', 'cannot change', 'Create a new image instead']),
    ('import-url-not-http', 'ims_image', dict(name='bad-new', import_url='ftp://example.com/disk.raw'), 'proj-a', {},
     ['import_url must be an http:// or https:// URL']),
    ('create-with-an-id', 'ims_image', dict(id='00000000-0000-0000-0000-000000000000', name='bad-new'), 'proj-a', {},
     ['An image cannot be created with a given id']),
    ('name-too-long', 'ims_image', dict(name='n' * 256), 'proj-a', {}, ['name must be 1 to 255 characters']),
    ('deactivate-on-create', 'ims_image', dict(name='bad-new', status='deactivated'), 'proj-a', {},
     ['status: deactivated needs an image that holds data']),
    ('upload-bytes-that-are-not-the-disk-format', 'ims_image_upload', dict(src='{raw_file}', name='bad-new',
                                                                           disk_format='qcow2'), 'proj-a', {},
     ['disk_format is qcow2 but', 'lacks the qcow2 magic']),
    ('second-upload-to-an-active-image', 'ims_image_upload', dict(src='{raw_file}', name='bad-active'), 'proj-a', {},
     ["Image 'bad-active' ({active} (active", 'already holds another file', 'Set replace: true']),
    ('s3-option-of-an-upload-on-openstack', 'ims_image_upload', dict(src='{raw_file}', name='bad-new',
                                                                     s3_ca_path='/etc/ssl/ca.pem'), 'proj-a', {},
     ['s3_ca_path is not used by provider openstack']),
    ('export-to-a-bucket-on-openstack', 'ims_image_export', dict(image='bad-active', bucket='export-az0-a'), 'proj-a',
     {}, ['The openstack provider cannot export an image to a bucket (bucket); use dest']),
    ('export-of-a-queued-image', 'ims_image_export', dict(image='bad-queued', dest='{raw_file}.out'), 'proj-a', {},
     ['is queued; only active images can be downloaded']),
    ('member-status-on-cecloud', 'ims_image_info', dict(provider='cecloud', member_status='pending',
                                                        endpoint='http://127.0.0.1:9', region='r', auth_token='tok-123456'),
     'proj-a', dict(env=dict(OS_AUTH_URL='', OS_USERNAME='', OS_PASSWORD='', OS_PROJECT_NAME='')),
     ['member_status is not used by provider cecloud']),
    # -- the connection --------------------------------------------------------------------------------
    ('wrong-username', 'ims_image', dict(name='x'), 'proj-a', dict(env=dict(OS_USERNAME='nobody-here')),
     ['refused the login', 'username (IMS_USERNAME, OS_USERNAME)']),
    ('password-login-without-a-password', 'ims_image', dict(name='x'), 'proj-a', dict(env=dict(OS_PASSWORD='')),
     ['password is required', 'for a Keystone password login']),
    ('password-login-without-a-project', 'ims_image', dict(name='x'), 'proj-a', dict(env=dict(OS_PROJECT_NAME='')),
     ['project_name or project_id is required for a Keystone password login']),
    ('auth-url-that-is-no-url', 'ims_image', dict(name='x', auth_url='keystone.example:5000'), 'proj-a', {},
     ['auth_url must be an http:// or https:// URL']),
    ('endpoint-that-is-no-url', 'ims_image', dict(name='x', endpoint='glance.example:9292'), 'proj-a', {},
     ['endpoint must be an http:// or https:// URL']),
    ('token-without-an-endpoint', 'ims_image', dict(name='x', auth_token='gAAAA-not-a-token', project_id='0123abcd'),
     'proj-a', dict(catalog=True, env=dict(OS_AUTH_URL='', OS_USERNAME='', OS_PASSWORD='', OS_PROJECT_NAME='')),
     ['endpoint is required', 'log in with a password']),
    ('token-without-a-project-id', 'ims_image', dict(name='x', auth_token='gAAAA-not-a-token'), 'proj-a',
     dict(env=dict(OS_AUTH_URL='', OS_USERNAME='', OS_PASSWORD='', OS_PROJECT_NAME='')),
     ["needs the caller's project id", 'set project_id (or OS_PROJECT_ID)']),
    ('interface-that-is-no-catalog-interface', 'ims_image', dict(name='x', interface='private'), 'proj-a',
     dict(catalog=True), ['value of interface must be one of: public, internal, admin']),
    ('interface-from-the-environment', 'ims_image', dict(name='x'), 'proj-a', dict(catalog=True, env=dict(OS_INTERFACE='private')),
     ['interface from IMS_INTERFACE or OS_INTERFACE must be one of public, internal, admin']),
    ('cecloud-department-on-openstack', 'ims_image_info', dict(department_id='7074631167051202560'), 'proj-a', {},
     ['department_id is not used by provider openstack', 'department_id is an option of provider cecloud']),
    ('copy-from-share-on-openstack', 'ims_image', dict(name='bad-new', copy_from_share='img-share-x'), 'proj-a', {},
     ['copy_from_share is not used by provider openstack']),
    ('share-id-on-openstack', 'ims_image_share', dict(share_id='img-share-x', state='absent'), 'proj-a', {},
     ['share_id is not used by provider openstack']),
    # -- image metadata --------------------------------------------------------------------------------
    ('visibility-of-another-provider', 'ims_image', dict(name='bad-new', visibility='market'), 'proj-a', {},
     ['visibility market is not accepted by provider openstack', 'private, shared, community, public']),
    ('visibility-of-another-provider-on-update', 'ims_image', dict(name='bad-private', visibility='market'), 'proj-a', {},
     ['visibility market is not accepted by provider openstack']),
    ('reserved-properties-id-and-status', 'ims_image', dict(name='bad-private', properties=dict(id='x', status='active')),
     'proj-a', {}, ['properties cannot set these fields: id, status']),
    ('negative-min-disk', 'ims_image', dict(name='bad-private', min_disk=-1), 'proj-a', {}, ['min_disk must be 0 or more']),
    ('min-ram-that-is-no-number', 'ims_image', dict(name='bad-private', min_ram='lots'), 'proj-a', {},
     ["min_ram", "unable to convert to int"]),
    ('empty-tag', 'ims_image', dict(name='bad-private', tags=['ok', ' ']), 'proj-a', {}, ['tags[1] must be a text']),
    ('container-format-of-an-active-image', 'ims_image', dict(name='bad-active', container_format='ovf'), 'proj-a', {},
     ['container_format of image', 'cannot change']),
    ('delete-a-protected-image-without-force', 'ims_image', dict(name='bad-protected', state='absent'), 'proj-a', {},
     ['is protected', 'force: true']),
    # -- sharing ---------------------------------------------------------------------------------------
    ('unknown-member-status', 'ims_image_share', dict(image='{shared}', member_status='maybe'), 'proj-b', {},
     ['value of member_status must be one of']),
    ('accept-a-private-image-of-another-project', 'ims_image_share', dict(image='{private}', member_status='accepted'),
     'proj-b', {}, ['is not shared with project', 'nothing to accept or reject']),
    ('project-id-with-a-slash', 'ims_image_share', dict(image='bad-private', projects=['../proj-b']), 'proj-a', {},
     ['projects must be project ids', "'../proj-b'"]),
    ('share-without-projects', 'ims_image_share', dict(image='bad-private'), 'proj-a', {},
     ['projects is required with image']),
    ('purge-with-state-absent', 'ims_image_share', dict(image='bad-private', projects=[], purge=True, state='absent'),
     'proj-a', {}, ['purge applies to state: present']),
]


@pytest.mark.parametrize('module,args,project,options,words', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_fails_before_any_write(glance, images, module, args, project, options, words):
    before = snapshot(glance)
    args = dict((k, _fill(v, images)) for k, v in args.items() if v is not None)
    result = glance.module(module, args, project=project, **options)

    assert result.failed, result
    message = result['msg']
    for word in words:
        assert _fill(word, images) in message, message
    assert glance.writes() == []
    assert snapshot(glance) == before
    secrets = list(glance.stack.passwords.values()) + ['not-the-password', 'gAAAA-not-a-token']
    assert not any(secret in json.dumps(result.result) for secret in secrets)


def _fill(value, images):
    if isinstance(value, str):
        return value.format(**images) if '{' in value else value
    if isinstance(value, list):
        return [_fill(v, images) for v in value]
    return value
