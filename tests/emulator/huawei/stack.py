"""Start an S3 server acting as OBS (SeaweedFS, or rclone's serve s3) + the Huawei emulator as subprocesses, and talk to both.

``HuaweiStack`` is a context manager; both processes are stopped on exit, also when the start
fails half-way.  Its attributes are the fixture contract (see ``fixtures.py``).  ``client()``
gives a signed client (huaweicloudsdkcore's own signer, a test-only dependency) for set-up and
checks.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from urllib.parse import urlencode, urlsplit

from tests.emulator._http import add_switch_option
from tests.emulator.huawei.accounts import DEFAULT_REGIONS, DEFAULT_TENANTS
from tests.emulator.huawei.model import STORE_BUCKET
from tests.emulator.huawei.switches import SWITCHES
from tests.emulator.stack import HEALTH_BUCKET, S3_SERVERS, EmulatorStack, _stop, make_s3_server, start_process, switch_args

URL_PREFIX = 'HUAWEI_EMULATOR_'


def _url_lines(lines):
    """{scope: URL} of the Huawei emulator's ports, once it has printed them all (its READY line)."""
    pairs = dict(line.split('=', 1) for line in lines if line.startswith(URL_PREFIX) and '=' in line)
    if pairs.get(URL_PREFIX + 'READY') != '1':
        return None
    return {k[len(URL_PREFIX):]: v for k, v in pairs.items() if k != URL_PREFIX + 'READY'}


class Tenant:
    """One account's credentials: ``name``, ``access_key``/``secret_key`` (permanent), ``temp_access_key``/
    ``temp_secret_key``/``security_token`` (temporary), ``user_name``/``password``/``domain_name``/``domain_id``
    (IAM login), ``user_id``, ``projects`` ({region: project id}) and ``sub_project`` (``<region>_dev``)."""

    def __init__(self, data):
        self.__dict__.update(data)

    def project(self, region):
        return self.projects[region]

    def __repr__(self):
        return f'Tenant({self.name!r}, projects={self.projects!r})'  # never the keys


class HuaweiStack(EmulatorStack):
    def __init__(self, transition_seconds=0.3, regions=DEFAULT_REGIONS, s3=None, workdir=None, timeout=60.0, switches=None,
                 s3_server='seaweedfs'):
        """``s3``: an S3 server to reuse (it must accept the tenants' keys); by default one of ``s3_server``
        (a key of S3_SERVERS) is started.
        ``switches``: what ``set_switches()`` takes, in force from the start and after every reset (README.md, "Switches")."""
        self.s3_server = s3_server
        self.transition_seconds = transition_seconds
        self.start_switches = dict(switches or {})
        self.regions = list(regions)
        self.timeout = timeout
        self._own_tmp = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix='huawei-emu-')
        self._external_s3 = s3 is not None
        self.s3 = s3
        self.stdout_path = os.path.join(self.workdir, 'emulator.out')
        self.stderr_path = os.path.join(self.workdir, 'emulator.err')
        self.proc = None
        self.urls = {}
        self.tenants = {}

    # ------------------------------------------------------------ lifecycle

    def start(self):
        if self.s3 is None:
            # Only the permanent keys: no S3 server here can check an X-Amz-Security-Token of Huawei's, so temporary
            # keys are refused by this OBS whether or not the token is sent (docs/api-notes.md, "Huawei emulator").
            keys = [(t['access_key'], t['secret_key']) for t in DEFAULT_TENANTS]
            self.s3 = make_s3_server(self.s3_server, os.path.join(self.workdir, 's3'), extra_credentials=keys)
        if not self._external_s3 and self.s3.proc is None:
            self.s3.start(self.timeout)
        self._start_emulator()
        config = self.admin('GET', 'config')
        self.tenants = {name: Tenant(data) for name, data in config['accounts'].items()}

    def stop(self):
        _stop(self.proc)
        self.proc = None
        if not self._external_s3 and self.s3 is not None:
            self.s3.stop()
        if self._own_tmp and os.environ.get('IMS_EMU_KEEP_WORKDIR') != '1':
            shutil.rmtree(self.workdir, ignore_errors=True)

    def command(self):
        return [sys.executable, '-m', 'tests.emulator.huawei', '--regions', ','.join(self.regions),
                '--s3-endpoint', self.s3.endpoint, '--s3-access-key', self.s3.access_key, '--s3-secret-key', self.s3.secret_key,
                '--transition-seconds', str(self.transition_seconds)] + switch_args(self.start_switches)

    def _start_emulator(self):
        self.proc, self.urls = start_process(self.command(), self.stdout_path, self.stderr_path, self.timeout, _url_lines,
                                             'Huawei emulator')

    # ------------------------------------------------------------ where things are

    @property
    def region_endpoints(self):
        """{region: IMS URL}, one port per region."""
        return {region: self.urls['IMS_' + region.upper().replace('-', '_')] for region in self.regions}

    def endpoint(self, region=None):
        return self.region_endpoints[region or self.regions[0]]

    @property
    def iam_url(self):
        return self.urls['IAM']

    @property
    def auth_url(self):
        """The Keystone v3 root, what ``auth_url`` / ``iam_endpoint`` options take."""
        return self.iam_url + '/v3'

    @property
    def obs_url(self):
        return self.s3.endpoint

    @property
    def workspace_url(self):
        return self.urls['WORKSPACE']

    @property
    def workspace_app_url(self):
        return self.urls['WORKSPACEAPP']

    @property
    def owner(self):
        return self.tenants['owner']

    @property
    def recipient(self):
        return self.tenants['recipient']

    @property
    def project_ids(self):
        """{tenant name: {region: project id}}."""
        return {name: dict(t.projects) for name, t in self.tenants.items()}

    def tenant(self, name='owner'):
        return name if isinstance(name, Tenant) else self.tenants[name]

    def module_args(self, tenant='owner', region=None, auth='aksk', service='ims'):
        """Connection options of a huaweicloud module for one tenant and region.  ``auth``: ``aksk``
        (permanent keys), ``temporary`` (keys + security token), ``password`` (IAM login), ``token`` (an IAM token
        obtained here, as ``auth_token``) or ``none``.
        ``service``: ``ims`` (the IMS modules: endpoint, region_endpoints, obs_endpoint) or ``workspace``
        (the Workspace modules: workspace_endpoint, workspace_app_endpoint)."""
        data = self.tenant(tenant)
        region = region or self.regions[0]
        args = {'provider': 'huaweicloud', 'region': region, 'iam_endpoint': self.auth_url}
        if service == 'ims':
            args.update(endpoint=self.endpoint(region), obs_endpoint=self.obs_url, region_endpoints=self.region_endpoints)
        else:
            args.update(workspace_endpoint=self.workspace_url, workspace_app_endpoint=self.workspace_app_url)
        if auth == 'aksk':
            args.update(access_key=data.access_key, secret_key=data.secret_key)
        elif auth == 'temporary':
            args.update(access_key=data.temp_access_key, secret_key=data.temp_secret_key, security_token=data.security_token)
        elif auth == 'password':
            args.update(username=data.user_name, password=data.password, user_domain_name=data.domain_name, auth_url=self.auth_url)
        elif auth == 'token':
            args['auth_token'] = self.login(tenant, region)
        return args

    def env(self, tenant='owner', region=None, temporary=False):
        """Huawei SDK environment variables (huaweicloudsdkcore's names) for one tenant's keys."""
        data = self.tenant(tenant)
        region = region or self.regions[0]
        env = {'HUAWEICLOUD_SDK_AK': data.temp_access_key if temporary else data.access_key,
               'HUAWEICLOUD_SDK_SK': data.temp_secret_key if temporary else data.secret_key,
               'HUAWEICLOUD_SDK_PROJECT_ID': data.projects[region], 'HUAWEICLOUD_SDK_IAM_ENDPOINT': self.iam_url}
        if temporary:
            env['HUAWEICLOUD_SDK_SECURITY_TOKEN'] = data.security_token
        return env

    # ------------------------------------------------------------ control and inspection

    @property
    def admin_url(self):
        return self.iam_url  # any port serves the control API

    def clear_obs(self):
        """Empty OBS: every bucket and object, also the image bytes of the emulator's own store (after a reset)."""
        client = self._store_client()
        for bucket in client.list_buckets().get('Buckets', []):
            name = bucket['Name']
            if name == HEALTH_BUCKET:
                continue
            for page in client.get_paginator('list_objects_v2').paginate(Bucket=name):
                for item in page.get('Contents', []):
                    client.delete_object(Bucket=name, Key=item['Key'])
            if name != STORE_BUCKET:
                client.delete_bucket(Bucket=name)

    def stored_md5(self, image_id):
        """The MD5 of the bytes the emulator's image store holds for an image (an upload or an import put there)."""
        digest = hashlib.md5()
        for chunk in self._store_client().get_object(Bucket=STORE_BUCKET, Key=image_id)['Body'].iter_chunks(1024 * 1024):
            digest.update(chunk)
        return digest.hexdigest()

    def _store_client(self):
        """A boto3 client of the S3 server with its admin keys (OBS and the emulator's image store)."""
        from tests.emulator.s3 import make_client  # pylint: disable=import-outside-toplevel
        return make_client(self.s3.endpoint, self.s3.access_key, self.s3.secret_key)

    def images(self, name=None, region=None, tenant=None):
        """Private images in the emulator's state (with their private ``_`` keys), filtered."""
        images = self.state()['images']
        if name is not None:
            images = [i for i in images if i['name'] == name]
        if region is not None:
            images = [i for i in images if i['_region'] == region]
        if tenant is not None:
            projects = set(self.tenant(tenant).projects.values()) | {self.tenant(tenant).sub_project}
            images = [i for i in images if i['owner'] in projects]
        return images

    def members(self, image_id=None):
        members = self.state()['members']
        return [m for m in members if image_id is None or m['image_id'] == image_id]

    def jobs(self, job_type=None):
        return [j for j in self.state()['jobs'] if job_type is None or j['job_type'] == job_type]

    def requests(self, service=None):
        """The request log of every port: method, path, query, status, code, service, tenant, project, fault."""
        return [r for r in self.admin('GET', 'requests') if service is None or r.get('service') == service]

    def writes(self):
        """Requests that may change state: POST/PUT/PATCH/DELETE, except the IAM login and the project look-up."""
        return [r for r in self.requests() if r['method'] in ('POST', 'PUT', 'PATCH', 'DELETE') and r.get('service') != 'iam']

    def set_job_faults(self, rules=None):
        """The next jobs matching a rule ``{"job_type": regex, "error_code", "fail_reason", "count"}`` end in FAIL;
        with ``"projects": [...]`` only those projects' items of the next matching member job fail."""
        return self.admin('POST', 'job-faults', {'rules': rules or []})

    def seed_images(self, tenant='owner', region=None, count=1, prefix='seed-', **attributes):
        """``count`` private images at once (no job), ``active`` unless ``status=`` says otherwise; returns their ids."""
        region = region or self.regions[0]
        body = dict(attributes, project=self.tenant(tenant).projects[region], region=region, count=count, prefix=prefix)
        return self.admin('POST', 'seed/images', body)['ids']

    def seed_workspace(self, tenant='owner', region=None, images=None, servers=None):
        """Replace one project's Workspace product images and/or Workspace App image servers with ``images`` /
        ``servers`` generated records (12 and 8 by default after a reset)."""
        body = {'project': self.tenant(tenant).projects[region or self.regions[0]], 'images': images, 'servers': servers}
        return self.admin('POST', 'seed/workspace', body)

    def revoke_tokens(self):
        """Every IAM token issued so far is refused from now on (``token expires``)."""
        return self.admin('POST', 'tokens/revoke')

    def client(self, tenant='owner', region=None, service='ims', temporary=False, token=None):
        from tests.emulator.huawei.client import SignedClient  # pylint: disable=import-outside-toplevel
        region = region or self.regions[0]
        base = {'ims': self.endpoint(region), 'iam': self.iam_url, 'workspace': self.workspace_url,
                'workspaceapp': self.workspace_app_url}[service]
        data = self.tenant(tenant)
        project = None if service == 'iam' else data.projects[region]
        if temporary:
            return SignedClient(base, data.temp_access_key, data.temp_secret_key, project, security_token=data.security_token)
        return SignedClient(base, data.access_key, data.secret_key, project, token=token)

    def login(self, tenant='owner', region=None):
        """An IAM token scoped to the tenant's project of ``region`` (the X-Subject-Token)."""
        data = self.tenant(tenant)
        body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': data.user_name, 'password': data.password, 'domain': {'name': data.domain_name}}}},
            'scope': {'project': {'name': region or self.regions[0]}}}}
        req = urllib.request.Request(self.auth_url + '/auth/tokens?' + urlencode({'nocatalog': 'true'}), method='POST',
                                     data=json.dumps(body).encode('utf-8'), headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.headers['X-Subject-Token']

    def host_of(self, kind='ims', region=None):
        return urlsplit(self.endpoint(region) if kind == 'ims' else self.urls[kind.upper()]).netloc


def export_lines(stack, tenant='owner'):
    """``export NAME=value`` lines: where everything listens and the tenant's Huawei SDK variables."""
    env = dict(stack.env(tenant), HUAWEI_EMU_IAM_URL=stack.iam_url, HUAWEI_EMU_OBS_URL=stack.obs_url,
               HUAWEI_EMU_WORKSPACE_URL=stack.workspace_url, HUAWEI_EMU_WORKSPACE_APP_URL=stack.workspace_app_url)
    for region, url in stack.region_endpoints.items():
        env[f"HUAWEI_EMU_IMS_{region.upper().replace('-', '_')}"] = url
    return [f'export {key}={value}' for key, value in sorted(env.items())]


def main(argv=None):
    """``python -m tests.emulator.huawei.stack [--transition-seconds S]``: run until Ctrl-C, printing export lines."""
    import argparse  # pylint: disable=import-outside-toplevel
    parser = argparse.ArgumentParser(prog='python -m tests.emulator.huawei.stack', description='An S3 server (as OBS) + the Huawei emulator')
    parser.add_argument('--transition-seconds', type=float, default=3.0)
    add_switch_option(parser, SWITCHES)
    parser.add_argument('--s3-server', choices=sorted(S3_SERVERS), default='seaweedfs', help='the S3 server acting as OBS')
    args = parser.parse_args(argv)
    try:
        with HuaweiStack(transition_seconds=args.transition_seconds, switches=dict(args.switches), s3_server=args.s3_server) as stack:
            sys.stdout.write('\n'.join(export_lines(stack)) + '\n# stack running; Ctrl-C to stop\n')
            sys.stdout.flush()
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
