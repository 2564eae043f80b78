"""Fixtures: one SeaweedFS + emulator stack for the whole session."""

import os
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.dependencies import missing, require_module  # noqa: E402  pylint: disable=wrong-import-position

requests = require_module('requests', 'it is in requirements-dev.txt')
require_module('boto3', 'it is in requirements-dev.txt')

from tests.emulator.stack import Stack, StackError, find_weed  # noqa: E402  pylint: disable=wrong-import-position
# The Huawei emulator's fixtures, used by name.
from tests.emulator.huawei.fixtures import huawei, huawei_stack  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import

API = '/api/image/v1'


class Client:
    def __init__(self, stack, tenant='tenant-a'):  # pylint: disable=redefined-outer-name
        self.stack = stack
        self.tenant = stack.tenant(tenant)
        self.session = requests.Session()
        self.session.headers.update({'Authorization': f"Bearer {self.tenant['token']}", 'x-regionid': stack.region})

    def call(self, method, path, **kwargs):
        kwargs.setdefault('timeout', 30)
        return self.session.request(method, self.stack.url + API + path, **kwargs)

    def ok(self, method, path, **kwargs):
        resp = self.call(method, path, **kwargs)
        assert resp.status_code == 200, resp.text
        doc = resp.json()
        assert doc['code'] == 'Success', doc
        return doc.get('data')

    def err(self, method, path, code, status=400, **kwargs):
        resp = self.call(method, path, **kwargs)
        assert resp.status_code == status, resp.text
        assert resp.json()['code'] == code, resp.text
        return resp.json()

    def image_body(self, name='img-test', **extra):
        body = {'diskFormat': 'qcow2', 'minDisk': 10, 'minRam': 512, 'name': name, 'imageType': 'os_image',
                'instruction': '64-bits', 'cpuArch': 'x86', 'osType': 'linux', 'platform': 'CentOS',
                'visibility': 'private', 'usage': 'ecs', 'departmentId': self.tenant['department_id'],
                'resourceGroupId': '', 'tenantId': self.tenant['tenant_id']}
        body.update(extra)
        return body

    def create(self, name='img-test', **extra):
        return self.ok('POST', '/private-images', json=self.image_body(name, **extra))

    def wait_status(self, image_id, wanted, timeout=20):
        deadline = time.time() + timeout
        while True:
            data = self.ok('GET', f"/images/{image_id}")
            if data['status'] in wanted:
                return data
            assert time.time() < deadline, data
            time.sleep(0.05)


@pytest.fixture(name='stack', scope='session')
def stack_fixture():
    try:
        find_weed()
    except StackError as exc:
        missing(str(exc))
    with Stack(transition_seconds=0.3) as running:
        yield running


@pytest.fixture
def client_a(stack):  # pylint: disable=redefined-outer-name
    return Client(stack, 'tenant-a')


@pytest.fixture
def client_b(stack):  # pylint: disable=redefined-outer-name
    return Client(stack, 'tenant-b')


@pytest.fixture
def client_factory():
    return Client
