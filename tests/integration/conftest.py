# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration fixtures: one emulator + SeaweedFS stack per session, reset before each test.

``ims.module(...)`` runs a module through its own entry point (JSON in, JSON out) for precise
assertions; ``ims.playbook(...)`` runs real ``ansible-playbook``.  Both go through real HTTP.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

import pytest
import requests

from tests.emulator.service import SWITCHES
from tests.emulator.stack import Stack
# A fixture, used by name only.
from tests.openstack.fixtures import glance, openstack_stack  # noqa: F401  pylint: disable=unused-import
# The Huawei Cloud emulator's fixtures (their contract is documented in that file).
from tests.emulator.huawei.fixtures import huawei, huawei_stack  # noqa: F401  pylint: disable=unused-import

# Python caches the bytecode of what the tests start again and again (the modules run through ``python -m``, the
# collection's plugins in every ansible-playbook, the emulators): an environment that sets PYTHONDONTWRITEBYTECODE
# would have each of those processes compile the collection anew (about a sixth of a module run's CPU). The
# __pycache__ folders are git-ignored and left out of the collection's tarball and of the sanity copy.
os.environ.pop('PYTHONDONTWRITEBYTECODE', None)
sys.dont_write_bytecode = False

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
TARGETS = os.path.join(HERE, 'targets')
# The test playbooks' own actions (save_text).
ACTION_PLUGINS = os.path.join(HERE, 'plugins', 'action')
BIN = os.path.dirname(sys.executable)
# Requests that change state on the service: the ones a refused input must never send.
STATE_CHANGING = ('POST', 'PUT', 'DELETE')

# The representative slice of the suite marked `core_range_slice` (`pytest -m core_range_slice`,
# what `make test` runs on the oldest ansible-core with OLDEST_INTEGRATION=slice): every module
# once through ansible-playbook, the roles' argument specs and a role run, one fault, one secret
# scan, the AWX/EE checks and the ansible-core version check. An entry is a file, a test (all
# its parameters) or one parametrized case.
CORE_RANGE_SLICE = (
    'test_core_version.py',
    'test_awx.py',
    'test_ims_image.py::test_playbook_ims_image',
    'test_ims_image.py::test_playbook_ims_image_share',
    'test_ims_image_info.py::test_playbook_with_module_defaults',
    'test_ims_image_upload.py::test_playbook_with_vvv_never_shows_the_token_or_the_object_storage_keys',
    'test_ims_image_export.py::test_export_playbook_downloads_and_exports',
    'test_roles.py::test_bad_variables_fail_before_any_task',
    'test_faults.py::test_object_storage_killed_mid_upload_then_a_rerun_succeeds',
    'test_secrets.py::test_playbook_at_vvv_leaks_nothing[role-image_publish]',
    # The other providers: one role each through ansible-playbook, and the Workspace modules.
    'test_openstack_roles.py::test_publish_from_a_file_uploads_shares_and_downloads',
    'test_huaweicloud_roles.py::test_image_publish_stages_through_obs_shares_exports_downloads_and_replicates_then_a_rerun_writes_nothing',
    'test_workspace_info.py::test_playbook_with_module_defaults_lists_private_images_and_servers_still_building',
)


def _slice_entries_of(nodeid):
    """The CORE_RANGE_SLICE entries that name this test ('tests/integration/test_x.py::name[case]')."""
    local = nodeid.rsplit('/', 1)[-1]
    names = {local, local.split('::')[0], local.split('[')[0]}
    return names.intersection(CORE_RANGE_SLICE)


def pytest_configure(config):
    config.addinivalue_line('markers', 'core_range_slice: the integration tests run on the oldest ansible-core '
                                       'when `make test` runs only a slice there (tests/integration/conftest.py)')


def pytest_collection_modifyitems(config, items):
    matched = set()
    for item in items:
        entries = _slice_entries_of(item.nodeid)
        if entries:
            matched |= entries
            item.add_marker(pytest.mark.core_range_slice)
    # Running the slice: an entry that names no test (renamed, removed) must not shrink it unseen.
    if 'core_range_slice' in (config.option.markexpr or '') and set(CORE_RANGE_SLICE) - matched:
        raise pytest.UsageError('CORE_RANGE_SLICE names tests that do not exist: %s'
                                % ', '.join(sorted(set(CORE_RANGE_SLICE) - matched)))


class ModuleRun:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        try:
            self.result = json.loads(proc.stdout[proc.stdout.index('{'):])
        except ValueError:
            self.result = {'failed': True, 'msg': 'no JSON result', 'stdout': proc.stdout, 'stderr': proc.stderr}

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)

    @property
    def failed(self):
        return bool(self.result.get('failed'))

    @property
    def changed(self):
        return bool(self.result.get('changed'))

    def __repr__(self):
        return 'ModuleRun(rc=%s, result=%s, stderr=%s)' % (self.rc, json.dumps(self.result)[:2000], self.stderr[-2000:])


class Ims:
    """What a test needs: the stack, module and playbook runners, and the emulator's view."""

    def __init__(self, stack):
        self.stack = stack
        self.reading = None     # the reading of a ``*_ims`` fixture of _reading_fixture

    def env(self, tenant='tenant-a', extra=None):
        env = dict(self.stack.env(tenant))
        env.update(self.stack.extra_env())
        env.update(extra or {})
        return module_env(env)

    def module(self, name, args=None, tenant='tenant-a', check=False, diff=False, env=None, timeout=600):
        """Run ``cecloud.ims.<name>`` once, the way Ansible does on the target, and return its result."""
        return run_module(name, args, self.env(tenant, env), check=check, diff=diff, timeout=timeout)

    def playbook(self, playbook, extra_vars=None, tenant='tenant-a', check=False, diff=False, verbosity=0, env=None,
                 timeout=900, args=()):
        """Run ``ansible-playbook`` (a path relative to tests/integration/targets, or absolute)."""
        path = playbook if os.path.isabs(playbook) else os.path.join(TARGETS, playbook)
        cmd = [os.path.join(BIN, 'ansible-playbook'), path, '-i', 'localhost,', '-c', 'local']
        if extra_vars:
            cmd += ['-e', json.dumps(extra_vars)]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        cmd += list(args)
        return subprocess.run(cmd, capture_output=True, text=True, env=self.env(tenant, env), timeout=timeout,
                              cwd=REPO, check=False)

    def api(self, method, path, tenant='tenant-a', **kwargs):
        """A raw API call as one tenant (set-up and checks), returning the envelope's data."""
        token = self.stack.tenant(tenant)['token']
        response = requests.request(method, self.stack.url + '/api/image/v1' + path, timeout=60,
                                    headers={'Authorization': 'Bearer ' + token, 'x-regionid': self.stack.region}, **kwargs)
        body = response.json()
        assert body['code'] == 'Success', body
        return body['data']

    def requests(self):
        return self.stack.requests()

    def state_changing_requests(self):
        return [r for r in self.stack.requests() if r['method'] in STATE_CHANGING]

    def images(self, tenant=None):
        """The emulator's images (of one tenant's id when given), straight from its state."""
        images = self.stack.state()['images']
        if isinstance(images, dict):
            images = list(images.values())
        if tenant:
            owner = self.stack.tenant(tenant)['tenant_id']
            images = [i for i in images if i.get('owner') == owner]
        return images


def module_env(variables, drop_prefixes=('IMS_',)):
    """This process's environment without the connection variables (``drop_prefixes``), plus ``variables``
    and what Ansible needs to find the collection."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(drop_prefixes))
    # The venv's tools first on PATH, however pytest was started: a task that runs `ansible`
    # uses the ansible-core under test (test_core_version.py checks it).
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, PYTHONPATH=COLLECTIONS + os.pathsep + REPO,
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='False',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='False',
               ANSIBLE_ACTION_PLUGINS=ACTION_PLUGINS)
    env.update(variables)
    return env


def run_module(name, args, env, check=False, diff=False, timeout=600):
    """Run ``cecloud.ims.<name>`` once, the way Ansible does on the target (JSON in, JSON out), with ``env``."""
    module_args = dict(args or {})
    module_args.update(_ansible_check_mode=check, _ansible_diff=diff)
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': module_args}, handle)
    try:
        proc = subprocess.run([sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.' + name, handle.name],
                              capture_output=True, text=True, env=env, timeout=timeout, check=False)
    finally:
        os.unlink(handle.name)
    return ModuleRun(proc)


class _QuietFileHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def http_dir(tmp_path):
    """A loopback HTTP server over a fresh directory (import sources): yields (directory, base URL)."""
    root = tmp_path / 'www'
    root.mkdir()
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_QuietFileHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield root, 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def assert_look_ups_leave_out_a_deleted_image(harness, image_id, name):
    """Right after ``state: absent`` (the service still lists the image as ``deleted``), ``ims_image_info`` finds
    nothing by id or by name unless a status filter asks, and a second delete changes nothing."""
    assert harness.module('ims_image_info', dict(id=image_id))['images'] == []
    assert harness.module('ims_image_info', dict(name=name))['images'] == []
    asked = harness.module('ims_image_info', dict(name=name, scope='private', filters=dict(status='deleted')))['images']
    assert [(i['image_id'], i['status']) for i in asked] == [(image_id, 'deleted')], asked
    again = harness.module('ims_image', dict(name=name, state='absent'))
    assert not again.changed and again['image'] == {}, again


@pytest.fixture(scope='session')
def stack():
    with Stack(transition_seconds=0.3) as running:
        yield running


def _fresh(stack):  # pylint: disable=redefined-outer-name
    stack.set_faults()
    stack.reset()
    stack.clear_requests()
    return Ims(stack)


@pytest.fixture
def ims(stack):  # pylint: disable=redefined-outer-name
    return _fresh(stack)


def _reading_fixture(name):
    """An ``ims`` whose emulator answers one ambiguity of the API document (its switch ``name``, see
    tests/emulator/README.md) each way in turn: a test that takes it runs once per reading, ``ims.reading``
    says which (the next test's reset restores the default)."""
    @pytest.fixture(params=list(SWITCHES[name].values), ids=lambda value: '%s=%s' % (name, value))
    def fixture(request, stack):  # pylint: disable=redefined-outer-name
        fresh = _fresh(stack)
        stack.set_switches(**{name: request.param})
        fresh.reading = request.param
        return fresh
    return fixture


auth_fail_ims = _reading_fixture('auth_fail_status')
share_total_ims = _reading_fixture('share_total')
image_detail_ims = _reading_fixture('image_detail')
checksum_ims = _reading_fixture('checksum')
list_order_ims = _reading_fixture('list_order')


# Long enough that an image is still ``saving`` (and a deleted one still listed) when the next task runs:
# the window in which a real service's races show, which the 0.3 s of ``stack`` hides.
SLOW_TRANSITION_SECONDS = 6.0


@pytest.fixture(scope='session')
def slow_stack(stack):  # pylint: disable=redefined-outer-name
    """A second emulator (the same object storage) whose transitions take SLOW_TRANSITION_SECONDS."""
    with Stack(transition_seconds=SLOW_TRANSITION_SECONDS, s3=stack) as running:
        yield running


@pytest.fixture
def slow_ims(slow_stack):  # pylint: disable=redefined-outer-name
    return _fresh(slow_stack)
