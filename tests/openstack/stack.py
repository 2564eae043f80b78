"""A real OpenStack Keystone + Glance on loopback, for the ``openstack`` provider's tests.

Both run from their own virtualenvs (``scripts/openstack-venv.sh``, default ``.venv-openstack/`` in
the repository, ``OPENSTACK_VENV`` to override) under gunicorn, with sqlite databases and all
state in one run folder. Keystone issues fernet tokens and serves a catalog with the image
service (public, internal and admin endpoints in RegionOne); Glance stores images in files and
validates every token with keystonemiddleware's ``auth_token`` against that Keystone, under the
stock policy. Two projects, ``proj-a`` and ``proj-b``, have one ``member`` user each.

CLI: ``python -m tests.openstack.stack [-- CMD ARGS...]`` prints ``export`` lines (or runs CMD with
them) and stops both servers on exit, Ctrl-C or SIGTERM.
"""

import argparse
import atexit
import ctypes
import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import requests

from tests.emulator.stack import REPO_ROOT, Managed, StackError, _tail, free_port

OPENSTACK_VENV = os.environ.get('OPENSTACK_VENV') or os.path.join(REPO_ROOT, '.venv-openstack')
REGION = 'RegionOne'
DOMAIN = 'Default'
MEMBER_ROLE = 'member'
# Project name -> its member user (created by start()).
PROJECT_USERS = {'proj-a': 'user-a', 'proj-b': 'user-b'}
SERVICE_PROJECT = 'service'
GLANCE_SERVICE_USER = 'glance'
HTTP_TIMEOUT = 30

KEYSTONE_CONF = """\
[DEFAULT]
debug = false

[database]
connection = sqlite:///{run}/keystone.db

[identity]
# The fewest bcrypt rounds: every password login hashes once; a real cloud's default (12) costs ~0.3 s each.
password_hash_rounds = 4

[token]
provider = fernet

[fernet_tokens]
key_repository = {run}/fernet-keys

[credential]
key_repository = {run}/credential-keys
"""

GLANCE_API_CONF = """\
[DEFAULT]
debug = false
enabled_backends = fs:file
enabled_import_methods = ['glance-direct', 'web-download']
# A single gunicorn worker serves staging and import, so no worker_self_reference_url is needed.

[database]
connection = sqlite:///{run}/glance.db

[glance_store]
default_backend = fs

[fs]
filesystem_store_datadir = {run}/images/

[os_glance_staging_store]
filesystem_store_datadir = {run}/staging/

[os_glance_tasks_store]
filesystem_store_datadir = {run}/tasks/

[oslo_concurrency]
lock_path = {run}/lock

[oslo_policy]
policy_file = {run}/glance-policy.yaml

[paste_deploy]
flavor = keystone
config_file = {run}/glance-api-paste.ini

[keystone_authtoken]
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
user_domain_name = {domain}
project_domain_name = {domain}
project_name = {service_project}
username = {service_user}
password = {service_password}
region_name = {region}

[import_filtering_opts]
# Unlike a real cloud (ports 80/443 of public hosts only), web-download may fetch from the tests'
# loopback HTTP servers on any port. Both are oslo.config lists with brackets: without them the option
# does not parse, and every URL "does not pass filtering".
allowed_hosts = [127.0.0.1,localhost]
allowed_ports = []
"""

# No overrides: Glance's built-in (stock) policy decides. A test that needs another rule writes it here.
GLANCE_POLICY = '{}\n'

_PR_SET_PDEATHSIG = 1
_RUNNING = set()
_CLEANUP_LOCK = threading.Lock()
_CLEANUP_INSTALLED = []
_PREVIOUS_HANDLERS = {}


def _die_with_parent():
    """In the child, before exec: get SIGINT (gunicorn's quick shutdown) when the process that started it dies,
    even by SIGKILL."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGINT)
    except (OSError, AttributeError):
        pass


def _stop_all_running():
    for stack in list(_RUNNING):
        stack.stop()


def _on_signal(signum, frame):  # pylint: disable=unused-argument
    """Stop the servers, then let the signal do what it did before (pytest's or the CLI's handler, or exit)."""
    _stop_all_running()
    previous = _PREVIOUS_HANDLERS.pop(signum, signal.SIG_DFL)
    signal.signal(signum, previous)
    os.kill(os.getpid(), signum)


def _install_cleanup():
    """Once per process: atexit and SIGTERM/SIGHUP stop every running stack."""
    with _CLEANUP_LOCK:
        if _CLEANUP_INSTALLED:
            return
        _CLEANUP_INSTALLED.append(True)
        atexit.register(_stop_all_running)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGHUP):
                _PREVIOUS_HANDLERS[signum] = signal.signal(signum, _on_signal)


class VenvMissing(StackError):
    """The OpenStack virtualenvs are not installed (scripts/openstack-venv.sh)."""


class Process:
    """One child process (a gunicorn server or a set-up command) with its own log, known by PID: gunicorn renames
    itself. Its whole process group is stopped."""

    def __init__(self, name, command, workdir, env):
        self.name = name
        self.command = command
        self.workdir = workdir
        self.env = env
        self.log = os.path.join(workdir, name + '.log')
        self.proc = None

    def start(self, stdin=None):
        """Start it; ``stdin`` (bytes) is written to its standard input, which is then closed."""
        with open(self.log, 'ab') as log:
            self.proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                         stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                                         cwd=self.workdir, env=self.env, start_new_session=True,
                                         preexec_fn=_die_with_parent)  # pylint: disable=subprocess-popen-preexec-fn
        if stdin is not None:
            with self.proc.stdin:
                self.proc.stdin.write(stdin)
        return self

    def wait(self, timeout):
        """Wait for a command to finish; StackError with its log's tail unless it succeeded."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            status = 'a timeout of %.0f s' % timeout
        if status != 0:
            raise StackError(f'{self.name} failed ({status}):\n{_tail(self.log)}')

    def check_alive(self):
        if self.proc is None or self.proc.poll() is not None:
            raise StackError(f'{self.name} exited with {self.proc.returncode if self.proc else "?"}:\n{_tail(self.log)}')

    def stop(self, grace=1.0):
        """SIGINT (gunicorn's quick shutdown), then SIGKILL to its whole group (the workers) after ``grace`` seconds:
        Keystone's worker takes seconds to exit after it says so, and the run folder is thrown away anyway."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # start_new_session: its group id is its PID
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.proc = None


class OpenStackStack(Managed):
    """Keystone + Glance. Use as a context manager (or start()/stop()); the servers are always stopped.

    ``timeout``: for each set-up step and readiness wait; generous, as a loaded 2-core machine has been seen
    taking a minute to start both.
    """

    def __init__(self, venv=None, workdir=None, timeout=300.0):
        self.venv = venv or OPENSTACK_VENV
        self.timeout = timeout
        self._own_workdir = workdir is None
        self.workdir = workdir
        self.keystone_port = self.glance_port = 0
        self.admin_password = secrets.token_urlsafe(16)
        self.service_password = secrets.token_urlsafe(16)
        self.passwords = {user: secrets.token_urlsafe(16) for user in PROJECT_USERS.values()}
        self.project_ids = {}
        self.keystone = self.glance = None
        self._processes = []
        self.timings = {}

    # ------------------------------------------------------------ addresses and credentials

    @property
    def auth_url(self):
        """The Keystone v3 identity endpoint (OS_AUTH_URL)."""
        return f'http://127.0.0.1:{self.keystone_port}/v3'

    @property
    def image_url(self):
        """The Glance endpoint registered in the catalog (public, internal and admin)."""
        return f'http://127.0.0.1:{self.glance_port}'

    def user(self, project):
        return PROJECT_USERS[project]

    def env(self, project='proj-a'):
        """The OS_* variables of the member user of ``project`` (password auth, scoped to that project)."""
        user = PROJECT_USERS[project]
        return {'OS_AUTH_URL': self.auth_url, 'OS_USERNAME': user, 'OS_PASSWORD': self.passwords[user],
                'OS_PROJECT_NAME': project, 'OS_USER_DOMAIN_NAME': DOMAIN, 'OS_PROJECT_DOMAIN_NAME': DOMAIN,
                'OS_REGION_NAME': REGION, 'OS_INTERFACE': 'public', 'OS_IDENTITY_API_VERSION': '3'}

    def token(self, project='proj-a'):
        """A project-scoped token of the member user of ``project``."""
        user = PROJECT_USERS[project]
        return self._login(user, self.passwords[user], project)

    def admin_token(self):
        return self._login('admin', self.admin_password, 'admin')

    def _login(self, user, password, project):
        body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'name': DOMAIN}, 'password': password}}},
            'scope': {'project': {'name': project, 'domain': {'name': DOMAIN}}}}}
        response = requests.post(self.auth_url + '/auth/tokens', json=body, timeout=HTTP_TIMEOUT)
        if response.status_code != 201:
            raise StackError(f'Keystone login of {user} in {project}: HTTP {response.status_code} {response.text[:500]}')
        return response.headers['X-Subject-Token']

    # ------------------------------------------------------------ lifecycle

    def start(self):
        """Configure, set up and start both servers; return when Glance answers a user's token."""
        began = time.monotonic()
        self._check_venv()
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix='ims-openstack-')
        _install_cleanup()
        _RUNNING.add(self)
        self.keystone_port = free_port()
        self.glance_port = free_port(taken=(self.keystone_port,))
        self._write_keystone_config()
        self._write_glance_config()
        # The two schema set-ups are independent, and Glance's server needs Keystone only at its first request:
        # Glance is migrated and started while Keystone is set up.
        glance_db = self._spawn('glance-manage', 'glance', ['glance-manage', '--config-file', self._path('glance-api.conf'),
                                                            'db_sync'], self._glance_env())
        keystone_setup = self._spawn('keystone-manage', 'keystone', ['python', '-m', 'tests.openstack.keystone_setup'],
                                     self._keystone_env(), stdin=self._keystone_setup_request())
        glance_db.wait(self.timeout)
        self.glance = self._gunicorn('glance', 'glance.wsgi.api:application', self.glance_port, self._glance_env(), threads=8)
        keystone_setup.wait(self.timeout)
        self._check_keys()
        self.timings['keystone_setup'] = time.monotonic() - began
        self.keystone = self._gunicorn('keystone', 'tests.openstack.keystone_wsgi:application', self.keystone_port,
                                       self._keystone_env(), threads=4)
        self._provision(self._wait_until(self.keystone, self.admin_token))
        self.timings['keystone_ready'] = time.monotonic() - began
        token = self.token('proj-a')
        self._wait_until(self.glance, lambda: self._glance_lists_images(token))
        self.timings['total'] = time.monotonic() - began

    def stop(self):
        for process in reversed(self._processes):
            process.stop()
        self._processes = []
        self.glance = self.keystone = None
        _RUNNING.discard(self)
        if self._own_workdir and self.workdir and os.environ.get('IMS_OPENSTACK_KEEP_WORKDIR') != '1':
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def _check_venv(self):
        for tool in ('keystone/bin/python', 'keystone/bin/gunicorn', 'glance/bin/glance-manage', 'glance/bin/gunicorn'):
            if not os.access(os.path.join(self.venv, tool), os.X_OK):
                raise VenvMissing(f'{os.path.join(self.venv, tool)} is missing: run scripts/openstack-venv.sh '
                                  f'(make openstack-venv) first')

    def _path(self, name):
        return os.path.join(self.workdir, name)

    def _spawn(self, name, venv, command, env, stdin=None):
        """Start ``command`` (its first word a program of that virtualenv), stopped by stop() if still running."""
        command = [os.path.join(self.venv, venv, 'bin', command[0])] + command[1:]
        process = Process(name, command, self.workdir, env)
        self._processes.append(process)
        return process.start(stdin)

    def _gunicorn(self, name, app, port, env, threads):
        return self._spawn(name, name, ['gunicorn', '--bind', f'127.0.0.1:{port}', '--workers', '1', '--threads', str(threads),
                                        '--timeout', '600', '--graceful-timeout', '5', '--pythonpath', REPO_ROOT,
                                        '--access-logfile', self._path(name + '-access.log'), app], env)

    def _wait_until(self, server, probe):
        """Call ``probe`` until it returns (its value is returned) or the server exits or time runs out."""
        deadline = time.monotonic() + self.timeout
        while True:
            server.check_alive()
            try:
                return probe()
            except (requests.RequestException, StackError) as exc:
                if time.monotonic() > deadline:
                    raise StackError(f'{server.name} not ready within {self.timeout:.0f}s ({exc}):\n{_tail(server.log)}') from None
            time.sleep(0.2)

    # ------------------------------------------------------------ Keystone

    def _keystone_env(self):
        return dict(os.environ, OS_KEYSTONE_CONFIG_FILES=self._path('keystone.conf'), PYTHONPATH=REPO_ROOT,
                    PYTHONWARNINGS='ignore::DeprecationWarning')

    def _write_keystone_config(self):
        with open(self._path('keystone.conf'), 'w', encoding='utf-8') as fh:
            fh.write(KEYSTONE_CONF.format(run=self.workdir))

    def _keystone_setup_request(self):
        """The keystone-manage commands, for tests/openstack/keystone_setup.py: schema, keys, admin + catalog."""
        owner = ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name, '--keystone-group', grp.getgrgid(os.getgid()).gr_name]
        commands = [['db_sync'], ['fernet_setup'] + owner, ['credential_setup'] + owner,
                    ['bootstrap', '--bootstrap-password=' + self.admin_password, '--bootstrap-region-id', REGION,
                     '--bootstrap-admin-url', self.auth_url, '--bootstrap-internal-url', self.auth_url,
                     '--bootstrap-public-url', self.auth_url]]
        return json.dumps({'config_file': self._path('keystone.conf'), 'commands': commands}).encode('utf-8')

    def _check_keys(self):
        """keystone-manage has been seen writing keys to /etc/keystone/ whatever the config said: make sure."""
        for folder in ('fernet-keys', 'credential-keys'):
            if not os.path.exists(self._path(os.path.join(folder, '0'))):
                raise StackError(f'keystone-manage wrote no keys into {self._path(folder)}')

    def _provision(self, admin_token):
        """Through the v3 API as admin: the image service and its endpoints, Glance's service user, the projects."""
        api = _AdminApi(self.auth_url, admin_token)
        domain_id = api.get('/domains', name=DOMAIN)['domains'][0]['id']
        roles = {role['name']: role['id'] for role in api.get('/roles')['roles']}
        for needed in (MEMBER_ROLE, 'service'):
            if needed not in roles:
                raise StackError(f'keystone-manage bootstrap made no "{needed}" role (roles: {sorted(roles)})')
        service = api.post('/services', {'service': {'type': 'image', 'name': 'glance', 'enabled': True}})['service']
        for interface in ('public', 'internal', 'admin'):
            api.post('/endpoints', {'endpoint': {'service_id': service['id'], 'interface': interface,
                                                 'region_id': REGION, 'url': self.image_url, 'enabled': True}})
        api.project_user(domain_id, SERVICE_PROJECT, GLANCE_SERVICE_USER, self.service_password, roles['service'])
        for project, user in PROJECT_USERS.items():
            self.project_ids[project] = api.project_user(domain_id, project, user, self.passwords[user], roles[MEMBER_ROLE])

    # ------------------------------------------------------------ Glance

    def _glance_env(self):
        return dict(os.environ, OS_GLANCE_CONFIG_DIR=self.workdir, PYTHONWARNINGS='ignore::DeprecationWarning')

    def _write_glance_config(self):
        for folder in ('images', 'staging', 'tasks', 'lock'):
            os.makedirs(self._path(folder), exist_ok=True)
        settings = {'run': self.workdir, 'keystone': f'http://127.0.0.1:{self.keystone_port}', 'domain': DOMAIN,
                    'service_project': SERVICE_PROJECT, 'service_user': GLANCE_SERVICE_USER,
                    'service_password': self.service_password, 'region': REGION}
        with open(self._path('glance-api.conf'), 'w', encoding='utf-8') as fh:
            fh.write(GLANCE_API_CONF.format(**settings))
        with open(self._path('glance-policy.yaml'), 'w', encoding='utf-8') as fh:
            fh.write(GLANCE_POLICY)
        # The paste pipelines Glance ships with ("keystone" flavor: authtoken, context, the v2 API).
        shutil.copy(os.path.join(self.venv, 'glance', 'etc', 'glance', 'glance-api-paste.ini'), self._path('glance-api-paste.ini'))

    def _glance_lists_images(self, token):
        response = requests.get(self.image_url + '/v2/images', headers={'X-Auth-Token': token}, timeout=HTTP_TIMEOUT)
        if response.status_code != 200:
            raise StackError(f'GET /v2/images: HTTP {response.status_code} {response.text[:300]}')


class _AdminApi:
    """The few Keystone v3 admin calls start() makes."""

    def __init__(self, url, token):
        self.url = url
        self.headers = {'X-Auth-Token': token}

    def get(self, path, **params):
        return self._call('GET', path, params=params)

    def post(self, path, body):
        return self._call('POST', path, json=body)

    def _call(self, method, path, **kwargs):
        response = requests.request(method, self.url + path, headers=self.headers, timeout=HTTP_TIMEOUT, **kwargs)
        if response.status_code not in (200, 201, 204):
            raise StackError(f'Keystone {method} {path}: HTTP {response.status_code} {response.text[:500]}')
        return response.json() if response.content else {}

    def project_user(self, domain_id, project, user, password, role_id):
        """A project, and a user of the same domain holding ``role_id`` on it. Returns the project id."""
        project_id = self.post('/projects', {'project': {'name': project, 'domain_id': domain_id}})['project']['id']
        user = {'name': user, 'domain_id': domain_id, 'password': password, 'default_project_id': project_id}
        user_id = self.post('/users', {'user': user})['user']['id']
        self._call('PUT', f'/projects/{project_id}/users/{user_id}/roles/{role_id}')
        return project_id


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.openstack.stack',
                                     description='Run Keystone + Glance on loopback until Ctrl-C (printing export lines of '
                                                 'their OS_* variables), or around a command')
    parser.add_argument('--project', default='proj-a', choices=sorted(PROJECT_USERS), help='whose OS_* variables')
    parser.add_argument('command', nargs=argparse.REMAINDER, help='-- CMD ARGS...: run CMD with the OS_* variables, then stop')
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: the servers stop on the way out
    try:
        with OpenStackStack() as stack:
            env = stack.env(args.project)
            if command:
                return subprocess.call(command, env=dict(os.environ, **env))
            lines = [f'export {key}={value}' for key, value in sorted(env.items())]
            lines += [f'# Glance (the image endpoint in the catalog): {stack.image_url}',
                      f'# run folder: {stack.workdir}; started in {stack.timings["total"]:.1f} s; Ctrl-C to stop']
            print('\n'.join(lines), flush=True)
            while True:
                signal.pause()
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
