# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One adapter per provider's test stack: what the contract tests (test_contract.py) need to know of it.

An adapter gives a module's connection options, the provider's own options of a behaviour (``users`` or
``projects`` for a share, an upload's staging bucket) and the service's own view (its images, members,
request log, a fault that loses the reply to a create), so that the test bodies are written once.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import hashlib
import http.server
import threading
import uuid

from tests.contract.runner import run_module
from tests.emulator.huawei.model import STORE_BUCKET
from tests.integration.huaweicloud import Huawei
from tests.openstack.recorder import Answer

CECLOUD_API = '/api/image/v1'
# A user of CECloud that owns no emulator tenant (19 digits, the service's user ids).
CECLOUD_RECIPIENT = '7085524801413810001'


def md5_of(data):
    return hashlib.md5(data).hexdigest()


class Cloud:
    """The interface every adapter implements; ``name`` is the provider's."""

    name = None
    # The ims_image_share option that names who an image is shared with.
    share_option = None

    def module(self, name, args=None, who='owner', check=False):
        """Run module ``name`` in process as ``who`` (``owner`` or ``recipient``) with the stack's connection."""
        connection, env = self.connection(who)
        return run_module(name, dict(connection, **(args or {})), env, check=check)

    def connection(self, who):
        """(module options, environment variables) of ``who``'s login."""
        raise NotImplementedError

    def seed_image(self, prefix):
        """An active image made on the service's side (not by a module); returns (id, name)."""
        raise NotImplementedError

    def create_args(self, name):
        """ims_image options that create an image called ``name`` in one request (no data)."""
        return dict(name=name)

    def lose_next_create_reply(self):
        """The next create request takes effect, and its reply is lost on the way back (the client sees a 5xx or no answer)."""
        raise NotImplementedError

    def create_requests(self):
        """How many create requests reached the service."""
        raise NotImplementedError

    def images(self, name):
        """Ids of the images called ``name`` the service holds (not those on their way out)."""
        raise NotImplementedError

    def min_ram(self, image_id):
        raise NotImplementedError

    def recipient(self):
        """The id of the principal (user or project) an image is shared with."""
        raise NotImplementedError

    def members(self, image_id):
        """The ids the service shares the image with."""
        raise NotImplementedError

    @contextlib.contextmanager
    def held_import(self, name):
        """Yields ims_image options that import an image called ``name``, which stays unfinished inside the block."""
        raise NotImplementedError
        yield  # pylint: disable=unreachable

    def upload_args(self, src, name):
        return dict(src=src, name=name)

    def export_args(self, image, dest):
        return dict(image=image, dest=dest)

    def stored_md5(self, image_id):
        """The MD5 of the bytes the service keeps for the image (its own record, not the module's report)."""
        raise NotImplementedError

    def clear_requests(self):
        raise NotImplementedError

    def requests(self):
        """The requests the service saw since clear_requests()."""
        raise NotImplementedError


class CECloud(Cloud):
    """The CECloud emulator (tests/emulator), ``ims`` of tests/integration/conftest.py."""

    name = 'cecloud'
    share_option = 'users'

    def __init__(self, ims, http_dir):
        self.ims = ims
        self.stack = ims.stack
        self.http_dir = http_dir

    def connection(self, who):
        tenant = self.stack.tenant('tenant-a' if who == 'owner' else 'tenant-b')
        return dict(provider='cecloud', endpoint=self.stack.url, region=self.stack.region, auth_token=tenant['token'],
                    tenant_id=tenant['tenant_id'], department_id=tenant['department_id'],
                    resource_group_id=tenant.get('resource_group_id') or None), {}

    def _mine(self):
        owner = self.stack.tenant('tenant-a')['tenant_id']
        images = self.stack.state()['images']
        return [i for i in (images.values() if isinstance(images, dict) else images) if i.get('owner') == owner]

    def _image(self, image_id):
        return next((i for i in self._mine() if i['imageId'] == image_id), None)

    def seed_image(self, prefix):
        image_id = self.stack.seed(tenant='tenant-a', count=1, prefix=prefix, status='active', with_object=True)['imageIds'][0]
        return image_id, self._image(image_id)['name']

    def create_args(self, name):
        return dict(name=name, disk_format='qcow2', min_disk=10)

    def lose_next_create_reply(self):
        self.stack.set_faults(rules=[{'method': 'POST', 'path': '^%s/private-images$' % CECLOUD_API, 'action': 'drop_after',
                                      'count': 1}])

    def create_requests(self):
        return len([r for r in self.stack.requests() if r['method'] == 'POST' and r['path'] == CECLOUD_API + '/private-images'])

    def images(self, name):
        return [i['imageId'] for i in self._mine() if i['name'] == name and i['status'] != 'deleted']

    def min_ram(self, image_id):
        return self._image(image_id)['minRam']

    def recipient(self):
        return CECLOUD_RECIPIENT

    def members(self, image_id):
        return sorted(s['userId'] for s in self.stack.state()['shares'] if s.get('imageId') == image_id)

    @contextlib.contextmanager
    def held_import(self, name):
        root, base = self.http_dir
        (root / 'held.qcow2').write_bytes(b'QFI\xfb' + b'\0' * 65536)
        with self.stack.hold_transitions():
            yield dict(name=name, import_url=base + '/held.qcow2', min_disk=10)

    def stored_md5(self, image_id):
        return self._image(image_id)['checksum']

    def clear_requests(self):
        self.stack.clear_requests()

    def requests(self):
        return [(r['method'], r['path']) for r in self.stack.requests()]


class OpenStack(Cloud):
    """The real Keystone + Glance (tests/openstack), ``glance`` of tests/openstack/fixtures.py: modules log in with a
    password and reach Glance through the harness's recording proxy."""

    name = 'openstack'
    share_option = 'projects'

    def __init__(self, glance):
        self.glance = glance
        self._lose = False

    def connection(self, who):
        project = 'proj-a' if who == 'owner' else 'proj-b'
        return dict(provider='openstack', endpoint=self.glance.proxy.url, retries=0), self.glance.stack.env(project)

    def seed_image(self, prefix):
        name = prefix + uuid.uuid4().hex[:6]
        image = self.glance.create(name=name)
        self.glance.upload(image['id'], b'contract seed\n' * 1024)
        return image['id'], name

    def create_args(self, name):
        return dict(name=name, disk_format='raw')

    def lose_next_create_reply(self):
        """The proxy sends the create to Glance itself, then answers 502 in Glance's place."""
        def create_then_fail(method, path, body):
            if method != 'POST' or path != '/v2/images' or self._lost:
                return body
            self._lost = True
            assert self.glance.call('POST', path, data=body, headers={'Content-Type': 'application/json'}).status_code == 201
            return Answer(502, '<html><body>502 Bad Gateway</body></html>', {'Content-Type': 'text/html'})
        self._lost = False
        self.glance.proxy.on_request = create_then_fail

    def create_requests(self):
        return self.glance.requests().count(('POST', '/v2/images'))

    def images(self, name):
        return [i['id'] for i in self.glance.images() if i['name'] == name and i['status'] not in ('deleted', 'pending_delete')]

    def min_ram(self, image_id):
        return self.glance.image(image_id)['min_ram']

    def recipient(self):
        return self.glance.project_id('proj-b')

    def members(self, image_id):
        return sorted(m['member_id'] for m in self.glance.members(image_id))

    @contextlib.contextmanager
    def held_import(self, name):
        """web-download from a loopback server that answers only once the block is left: the import stays unfinished."""
        release = threading.Event()

        class Held(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # pylint: disable=invalid-name
                release.wait(120)
                body = b'held\n' * 1024
                self.send_response(200)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Held)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield dict(name=name, disk_format='raw', import_url='http://127.0.0.1:%d/held.raw' % server.server_address[1])
        finally:
            release.set()
            server.shutdown()
            server.server_close()

    def stored_md5(self, image_id):
        return self.glance.image(image_id)['checksum']

    def clear_requests(self):
        self.glance.clear()

    def requests(self):
        return self.glance.requests()


class HuaweiCloud(Cloud):
    """The Huawei Cloud emulator (tests/emulator/huawei), ``hw`` of tests/integration/huaweicloud.py."""

    name = 'huaweicloud'
    share_option = 'projects'

    def __init__(self, huawei):
        self.hw = Huawei(huawei)
        self.stack = huawei
        self._bucket = None

    def connection(self, who):
        return self.hw.connection('owner' if who == 'owner' else 'recipient'), {}

    def seed_image(self, prefix):
        (image_id,) = self.hw.seed(prefix=prefix)
        return image_id, self._image(image_id)['name']

    def _image(self, image_id):
        return next((i for i in self.hw.images() if i['id'] == image_id), None)

    def create_args(self, name):
        return dict(name=name, min_disk=40)

    def lose_next_create_reply(self):
        self.stack.set_faults(rules=[{'method': 'POST', 'path': '^/v2/images$', 'action': 'drop_after', 'count': 1}])

    def create_requests(self):
        return len([r for r in self.stack.requests() if r['method'] == 'POST' and r['path'] == '/v2/images'])

    def images(self, name):
        return [i['id'] for i in self.hw.images(name=name)]

    def min_ram(self, image_id):
        return self._image(image_id)['min_ram']

    def recipient(self):
        return self.hw.project('recipient')

    def members(self, image_id):
        return sorted(m['member_id'] for m in self.stack.members(image_id))

    @contextlib.contextmanager
    def held_import(self, name):
        """An import job that runs longer than the task waits (the emulator's transitions made long)."""
        url = self.hw.put_object()
        self.stack.set_switches(transition_seconds=60)
        yield dict(name=name, import_url=url, min_disk=40)

    @property
    def bucket(self):
        if self._bucket is None:
            self._bucket = 'contract-%s' % uuid.uuid4().hex[:12]
            self.hw.obs().create_bucket(Bucket=self._bucket)
        return self._bucket

    def upload_args(self, src, name):
        return dict(src=src, name=name, obs_bucket=self.bucket, min_disk=40, part_size_mb=5, max_concurrency=2)

    def export_args(self, image, dest):
        return dict(image=image, dest=dest, obs_bucket=self.bucket)

    def stored_md5(self, image_id):
        """IMS reports no hash of an image's data: the MD5 of the bytes the emulator keeps for it (an object in its
        own OBS bucket)."""
        record = next(i for i in self.stack.images() if i['id'] == image_id)
        return md5_of(self.hw.obs().get_object(Bucket=STORE_BUCKET, Key=record['_object'])['Body'].read())

    def clear_requests(self):
        self.stack.clear_requests()

    def requests(self):
        return [(r['method'], r['path']) for r in self.stack.requests()]
