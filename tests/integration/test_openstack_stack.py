# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test stack's Keystone + Glance behave like a real OpenStack cloud, seen with plain ``requests``.

No collection code runs here: these are the facts the ``openstack`` provider is later tested against
(login and catalog, hashes of an upload, ownership, members, 401/403/404/409).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

import pytest
import requests

from tests.openstack.stack import DOMAIN, REGION

IMAGE_BYTES = b'not a real disk, but raw accepts any bytes\n' * 4096


def login(stack, project, password=None):
    """Keystone v3 password login of ``project``'s member user, scoped to that project."""
    user = stack.user(project)
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': user, 'domain': {'name': DOMAIN}, 'password': stack.passwords[user] if password is None else password}}},
        'scope': {'project': {'name': project, 'domain': {'name': DOMAIN}}}}}
    return requests.post(stack.auth_url + '/auth/tokens', json=body, timeout=60)


class Glance:
    """Glance v2 as the member user of one project."""

    def __init__(self, stack, project):
        self.url = stack.image_url
        self.token = stack.token(project)
        self.project_id = stack.project_ids[project]

    def call(self, method, path, **kwargs):
        headers = dict(kwargs.pop('headers', {}), **{'X-Auth-Token': self.token})
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def ids(self, **params):
        response = self.call('GET', '/v2/images', params=params)
        assert response.status_code == 200, response.text
        return [image['id'] for image in response.json()['images']]


@pytest.fixture(scope='module')
def glance_a(openstack_stack):
    return Glance(openstack_stack, 'proj-a')


@pytest.fixture(scope='module')
def glance_b(openstack_stack):
    return Glance(openstack_stack, 'proj-b')


@pytest.fixture
def image_of_a(glance_a):
    """An image record (queued, no data) of project A, deleted afterwards."""
    response = glance_a.call('POST', '/v2/images', json={'name': 'stack-test', 'disk_format': 'raw', 'container_format': 'bare'})
    assert response.status_code == 201, response.text
    image = response.json()
    yield image
    glance_a.call('DELETE', '/v2/images/' + image['id'])


def test_password_login_returns_a_token_and_a_catalog_with_the_image_service(openstack_stack):
    response = login(openstack_stack, 'proj-a')

    assert response.status_code == 201, response.text
    assert response.headers['X-Subject-Token']
    token = response.json()['token']
    assert token['project']['name'] == 'proj-a'
    assert token['project']['id'] == openstack_stack.project_ids['proj-a']
    assert 'member' in [role['name'] for role in token['roles']]
    images = [service for service in token['catalog'] if service['type'] == 'image']
    assert len(images) == 1
    endpoints = {(e['interface'], e['region_id']): e['url'] for e in images[0]['endpoints']}
    assert endpoints == {(interface, REGION): openstack_stack.image_url for interface in ('public', 'internal', 'admin')}


def test_wrong_password_is_401_and_the_answer_does_not_echo_it(openstack_stack):
    response = login(openstack_stack, 'proj-a', password='not-the-password-42')

    assert response.status_code == 401
    assert 'X-Subject-Token' not in response.headers
    assert 'not-the-password-42' not in response.text


def test_a_token_glance_does_not_know_is_401(openstack_stack):
    response = requests.get(openstack_stack.image_url + '/v2/images', headers={'X-Auth-Token': 'gAAAAAbogus'}, timeout=60)

    assert response.status_code == 401


def test_upload_is_hashed_by_glance_and_a_second_upload_is_409(glance_a, image_of_a):
    assert image_of_a['status'] == 'queued'
    assert image_of_a['owner'] == glance_a.project_id
    assert image_of_a['visibility'] == 'shared'  # the stock default: shareable, but seen by its owner only

    path = '/v2/images/%s/file' % image_of_a['id']
    upload = glance_a.call('PUT', path, data=IMAGE_BYTES, headers={'Content-Type': 'application/octet-stream'})
    assert upload.status_code == 204, upload.text

    image = glance_a.call('GET', '/v2/images/' + image_of_a['id']).json()
    assert image['status'] == 'active'
    assert image['size'] == len(IMAGE_BYTES)
    assert image['checksum'] == hashlib.md5(IMAGE_BYTES).hexdigest()
    assert image['os_hash_algo'] == 'sha512'
    assert image['os_hash_value'] == hashlib.sha512(IMAGE_BYTES).hexdigest()
    download = glance_a.call('GET', path)
    assert download.status_code == 200
    assert download.content == IMAGE_BYTES

    again = glance_a.call('PUT', path, data=b'other bytes', headers={'Content-Type': 'application/octet-stream'})
    assert again.status_code == 409
    assert glance_a.call('GET', '/v2/images/' + image_of_a['id']).json()['checksum'] == image['checksum']


def test_sharing_with_another_project_needs_its_acceptance(glance_a, glance_b, image_of_a):
    image_id = image_of_a['id']
    members = '/v2/images/%s/members' % image_id
    assert glance_b.call('GET', '/v2/images/' + image_id).status_code == 404

    added = glance_a.call('POST', members, json={'member': glance_b.project_id})
    assert added.status_code == 200, added.text
    assert added.json()['status'] == 'pending'
    # Pending: B can read it by id, but its default list does not show it.
    assert glance_b.call('GET', '/v2/images/' + image_id).status_code == 200
    assert image_id in glance_b.ids(visibility='shared', member_status='pending')
    assert image_id not in glance_b.ids()
    # Only the member decides its status.
    owner_accepts = glance_a.call('PUT', '%s/%s' % (members, glance_b.project_id), json={'status': 'accepted'})
    assert owner_accepts.status_code == 403

    accepted = glance_b.call('PUT', '%s/%s' % (members, glance_b.project_id), json={'status': 'accepted'})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()['status'] == 'accepted'
    assert image_id in glance_b.ids(visibility='shared', member_status='accepted')
    assert image_id in glance_b.ids()

    # A member may use the image, not change it.
    assert glance_b.call('DELETE', '/v2/images/' + image_id).status_code == 403
    assert glance_b.call('POST', members, json={'member': glance_a.project_id}).status_code == 403
    assert glance_a.call('GET', '/v2/images/' + image_id).status_code == 200


def test_a_private_image_cannot_have_members(glance_a, glance_b, image_of_a):
    patch = glance_a.call('PATCH', '/v2/images/' + image_of_a['id'], data='[{"op": "replace", "path": "/visibility", "value": "private"}]',
                          headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
    assert patch.status_code == 200, patch.text

    added = glance_a.call('POST', '/v2/images/%s/members' % image_of_a['id'], json={'member': glance_b.project_id})

    assert added.status_code == 403


def test_import_methods_include_web_download(glance_a):
    response = glance_a.call('GET', '/v2/info/import')

    assert response.status_code == 200
    assert set(response.json()['import-methods']['value']) >= {'glance-direct', 'web-download'}
