"""The Huawei emulator process: its servers, its control API and its command line.

``python -m tests.emulator.huawei [--regions cn-north-4,cn-east-3] [--s3-endpoint URL ...]`` prints
one ``HUAWEI_EMULATOR_<KIND>=<url>`` line per port, then ``HUAWEI_EMULATOR_READY=1``.
"""

import argparse
import os
import signal
import sys
import threading

from tests.emulator._http import RequestLog, Switches, add_switch_option
from tests.emulator.huawei.accounts import DEFAULT_REGIONS, Accounts
from tests.emulator.huawei.http import HuaweiFaults, HuaweiServer
from tests.emulator.huawei.iam import Iam
from tests.emulator.huawei.ims import Ims
from tests.emulator.huawei.model import STORE_BUCKET
from tests.emulator.huawei.switches import SWITCHES
from tests.emulator.huawei.workspace import Workspace


class App:
    """Everything the servers share: accounts, IMS state, switches, faults, the request log."""

    def __init__(self, regions=DEFAULT_REGIONS, store=None, obs_endpoint=None, transition=0.3, host='127.0.0.1', switches=None):
        self.host = host
        self.switches = Switches(SWITCHES, dict({'transition_seconds': transition}, **(switches or {})))
        self.accounts = Accounts(regions, switches=self.switches)
        self.ims = Ims(self.accounts, store=store, switches=self.switches)
        self.faults = HuaweiFaults()
        self.log = RequestLog()
        self.obs_endpoint = obs_endpoint
        self.servers = {}
        self.iam = Iam(self.accounts, self.url_of)
        self.workspace = Workspace(self.accounts)
        self.handlers = {'ims': self.ims, 'iam': self.iam, 'workspace': self.workspace, 'workspaceapp': self.workspace}

    def url_of(self, kind, region=None):
        if kind == 'obs':
            return self.obs_endpoint or ''
        if kind == 'ims':
            return self.servers[f'ims:{region}'].url
        return self.servers[kind].url

    def start(self, ports=None):
        """Bind every port (0 = any free port) and serve each on a thread."""
        ports = ports or {}
        names = [('ims', r) for r in self.accounts.regions] + [('iam', None), ('workspace', None), ('workspaceapp', None)]
        for kind, region in names:
            scope = f'{kind}:{region}' if region else kind
            server = HuaweiServer((self.host, int(ports.get(scope, 0))), self, kind, region)
            self.servers[scope] = server
            threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True, name=scope).start()

    def stop(self):
        self.ims.stopping.set()
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def urls(self):
        return {scope: server.url for scope, server in self.servers.items()}

    # ------------------------------------------------------------ control API

    def admin(self, method, path, body):
        """Answer one ``/_emulator/...`` request; None for an unknown one."""
        action = ADMIN.get((method, path))
        return None if action is None else action(self, body)

    def describe(self, body):  # pylint: disable=unused-argument
        return {'urls': self.urls(), 'regions': self.accounts.regions, 'obs_endpoint': self.obs_endpoint,
                'accounts': self.accounts.describe()}

    def reset_state(self):
        self.ims.reset()
        self.workspace.reset()
        self.accounts.reset_locks()


# The control actions of this emulator's own (_http.CONTROL_ACTIONS, answered by every port, are the shared ones).
ADMIN = {
    ('GET', '/_emulator/config'): App.describe,
    ('GET', '/_emulator/state'): lambda app, body: dict(app.ims.snapshot(), workspace=app.workspace.snapshot()),
    ('POST', '/_emulator/job-faults'): lambda app, body: app.ims.job_faults.set(body.get('rules')) or app.ims.job_faults.describe(),
    ('POST', '/_emulator/seed/images'): lambda app, body: app.ims.seed_images(body),
    ('POST', '/_emulator/seed/workspace'): lambda app, body: app.workspace.seed(body),
    ('POST', '/_emulator/tokens/revoke'): lambda app, body: app.accounts.revoke_tokens() or {'ok': True},
}


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(prog='python -m tests.emulator.huawei', description='Huawei Cloud IMS/IAM/Workspace emulator')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--regions', default=','.join(DEFAULT_REGIONS))
    parser.add_argument('--port', action='append', default=[], metavar='SCOPE=PORT',
                        help='a fixed port for one server, e.g. ims:cn-north-4=8443 (repeatable)')
    parser.add_argument('--s3-endpoint', default=env('HUAWEI_EMU_S3_ENDPOINT'))
    parser.add_argument('--s3-access-key', default=env('HUAWEI_EMU_S3_ACCESS_KEY'))
    parser.add_argument('--s3-secret-key', default=env('HUAWEI_EMU_S3_SECRET_KEY'))
    parser.add_argument('--transition-seconds', type=float, default=0.3)
    add_switch_option(parser, SWITCHES)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    store = None
    if args.s3_endpoint:
        from tests.emulator.s3 import S3Backend  # pylint: disable=import-outside-toplevel
        store = S3Backend(args.s3_endpoint, args.s3_access_key, args.s3_secret_key)
        store.ensure_bucket(STORE_BUCKET)
    app = App(regions=[r for r in args.regions.split(',') if r], store=store, obs_endpoint=args.s3_endpoint,
              transition=args.transition_seconds, host=args.host, switches=dict(args.switches))
    app.start(dict(p.split('=', 1) for p in args.port))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    for scope, url in sorted(app.urls().items()):
        sys.stdout.write(f"HUAWEI_EMULATOR_{scope.upper().replace(':', '_').replace('-', '_')}={url}\n")
    sys.stdout.write('HUAWEI_EMULATOR_READY=1\n')
    sys.stdout.flush()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        app.stop()
    return 0
