# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an ``openstack`` provider test needs: modules run as a project's user, raw Glance calls, the requests seen.

Modules log in to the real Keystone (password, ``OS_*`` variables) and reach Glance through a
RecordingProxy (``endpoint``), so a test can count what reached Glance; ``catalog=True`` leaves
``endpoint`` out, so the module takes the image endpoint from the catalog (and bypasses the proxy).
"""

import requests

from tests.openstack.recorder import RecordingProxy

HTTP_TIMEOUT = 60


class GlanceHarness:
    def __init__(self, stack):
        self.stack = stack
        self.proxy = RecordingProxy(stack.image_url)
        self._tokens = {}

    def project_id(self, project='proj-a'):
        return self.stack.project_ids[project]

    def module(self, name, args=None, project='proj-a', check=False, diff=False, catalog=False, env=None):
        """Run ``cecloud.ims.<name>`` with ``provider: openstack`` as the member user of ``project``."""
        # Imported here: tests.integration.conftest imports this package's fixtures.
        from tests.integration.conftest import module_env, run_module
        module_args = dict(provider='openstack', retries=0)
        if not catalog:
            module_args['endpoint'] = self.proxy.url
        module_args.update(args or {})
        variables = dict(self.stack.env(project))
        variables.update(env or {})
        return run_module(name, module_args, module_env(variables, drop_prefixes=('IMS_', 'OS_')), check=check, diff=diff)

    def writes(self):
        return self.proxy.writes()

    def requests(self):
        return list(self.proxy.requests)

    def clear(self):
        self.proxy.clear()

    # -- raw Glance, for set-up and checks -------------------------------------------

    def token(self, project):
        if project not in self._tokens:
            self._tokens[project] = self.stack.token(project)
        return self._tokens[project]

    def call(self, method, path, project='proj-a', **kwargs):
        headers = dict(kwargs.pop('headers', {}), **{'X-Auth-Token': self.token(project)})
        return requests.request(method, self.stack.image_url + path, headers=headers, timeout=HTTP_TIMEOUT, **kwargs)

    def image(self, image_id, project='proj-a'):
        response = self.call('GET', '/v2/images/' + image_id, project)
        return response.json() if response.status_code == 200 else None

    def images(self, project='proj-a', **params):
        """The images ``project`` owns (all pages)."""
        params = dict(params, owner=self.project_id(project), limit=1000)
        response = self.call('GET', '/v2/images', project, params=params)
        assert response.status_code == 200, response.text
        return response.json()['images']

    def create(self, project='proj-a', **fields):
        body = dict(dict(disk_format='raw', container_format='bare', visibility='private'), **fields)
        response = self.call('POST', '/v2/images', project, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def upload(self, image_id, data, project='proj-a'):
        """PUT the bytes of a queued image (the test's own upload: it makes an image active)."""
        response = self.call('PUT', '/v2/images/%s/file' % image_id, project, data=data,
                             headers={'Content-Type': 'application/octet-stream'})
        assert response.status_code == 204, response.text

    def members(self, image_id, project='proj-a'):
        response = self.call('GET', '/v2/images/%s/members' % image_id, project)
        return response.json()['members'] if response.status_code == 200 else []

    def cleanup(self):
        """Delete every image of both projects (unprotected first), so that each test starts empty."""
        for project in self.stack.project_ids:
            # Glance leaves hidden images (os_hidden) out of a listing that does not ask for them.
            for image in self.images(project) + self.images(project, os_hidden='true'):
                if image.get('protected'):
                    self.call('PATCH', '/v2/images/' + image['id'], project,
                              json=[{'op': 'replace', 'path': '/protected', 'value': False}],
                              headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
                self.call('DELETE', '/v2/images/' + image['id'], project)

    def close(self):
        self.proxy.close()
