"""Accounts, projects, credentials and IAM tokens of the Huawei emulator, and the gateway's check of a request.

Two accounts (``owner`` and ``recipient``, the two sides of a share), each with a project in every
served region (named after the region, as Huawei IAM does) and one sub-project
``<region>_dev`` in the first region, a permanent AK/SK, a temporary AK/SK with its security token
and an IAM user with a password.  Every ID is fixed, so a test can name them.
"""

import collections
import datetime
import secrets
import threading
import time

from tests.emulator import huawei_auth
from tests.emulator._http import Switches
from tests.emulator.huawei.errors import HuaweiError
from tests.emulator.huawei.switches import SWITCHES

DEFAULT_REGIONS = ('cn-north-4', 'cn-east-3')
TOKEN_LIFETIME = datetime.timedelta(hours=24)


def _hex(prefix, index):
    """A fixed 32-hex-digit ID: ``prefix`` (hex) padded, then ``index``."""
    return f'{prefix}{index:0{32 - len(prefix)}x}'


DEFAULT_TENANTS = [
    {'name': 'owner', 'domain_name': 'emu-owner-account', 'domain_id': _hex('d0a1', 1),
     'user_name': 'ims-operator', 'user_id': _hex('a5e1', 1), 'password': 'Owner-Passw0rd!',
     'access_key': 'EMUOWNERAK0000000001', 'secret_key': 'EmuOwnerSecretKey000000000000000000000001',
     'temp_access_key': 'EMUOWNERTMPAK0000001', 'temp_secret_key': 'EmuOwnerTempSecret0000000000000000000001',
     'security_token': 'emu-owner-security-token-0001', 'project_prefix': 'a0'},
    {'name': 'recipient', 'domain_name': 'emu-recipient-account', 'domain_id': _hex('d0b2', 2),
     'user_name': 'ims-consumer', 'user_id': _hex('a5e2', 2), 'password': 'Recipient-Passw0rd!',
     'access_key': 'EMURECIPAK0000000002', 'secret_key': 'EmuRecipientSecretKey0000000000000000002',
     'temp_access_key': 'EMURECIPTMPAK0000002', 'temp_secret_key': 'EmuRecipientTempSecret000000000000000002',
     'security_token': 'emu-recipient-security-token-0002', 'project_prefix': 'b0'},
]

Caller = collections.namedtuple('Caller', 'tenant project via access_key')


def iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def auth_error(message):
    return HuaweiError(huawei_auth.AUTH_ERROR_CODE, f'Incorrect IAM authentication information: {message}', 401, shape='gateway')


class Accounts:
    """Tenants, their projects per region, AK/SK pairs and issued tokens."""

    def __init__(self, regions=DEFAULT_REGIONS, tenants=None, switches=None):
        self.regions = list(regions)
        self.tenants = [dict(t) for t in (tenants or DEFAULT_TENANTS)]
        self.lock = threading.Lock()
        self.projects = {}
        self.credentials = {}
        self.key_owner = {}
        for tenant in self.tenants:
            tenant['projects'] = {}
            for index, region in enumerate(self.regions, start=1):
                project = {'id': _hex(tenant['project_prefix'] + 'f0', index), 'name': region, 'region': region,
                           'domain_id': tenant['domain_id'], 'tenant': tenant['name']}
                tenant['projects'][region] = project['id']
                self.projects[project['id']] = project
            sub = {'id': _hex(tenant['project_prefix'] + 'f5', 1), 'name': f'{self.regions[0]}_dev', 'region': self.regions[0],
                   'domain_id': tenant['domain_id'], 'tenant': tenant['name']}
            tenant['sub_project'] = sub['id']
            self.projects[sub['id']] = sub
            self.credentials[tenant['access_key']] = huawei_auth.Credential(tenant['secret_key'])
            self.credentials[tenant['temp_access_key']] = huawei_auth.Credential(tenant['temp_secret_key'], tenant['security_token'])
            self.key_owner[tenant['access_key']] = self.key_owner[tenant['temp_access_key']] = tenant
        self.by_name = {t['name']: t for t in self.tenants}
        self.tokens = {}
        # Huawei locks an AK for 5 minutes after more than 5 consecutive signature failures (the API Gateway's signing rules):
        # the switches ak_lock_after, ak_lock_seconds.
        self.switches = switches or Switches(SWITCHES)
        self.signature_failures = {}
        self.locked_until = {}

    def reset_locks(self):
        with self.lock:
            self.signature_failures.clear()
            self.locked_until.clear()

    # ------------------------------------------------------------ look-ups

    def tenant_of_project(self, project_id):
        project = self.projects.get(project_id)
        return self.by_name[project['tenant']] if project else None

    def region_project(self, tenant, region):
        return tenant['projects'].get(region)

    def describe(self):
        """Everything a test may use to authenticate, per tenant (the fixture's view)."""
        out = {}
        for tenant in self.tenants:
            out[tenant['name']] = {k: v for k, v in tenant.items() if k != 'project_prefix'}
            out[tenant['name']]['projects'] = dict(tenant['projects'])
        return out

    # ------------------------------------------------------------ tokens (IAM)

    def login(self, body):
        """Keystone v3 password login; returns (token text, token record).  Raises keystone-shaped 401/400."""
        try:
            identity = body['auth']['identity']
        except (KeyError, TypeError):
            raise HuaweiError('Bad Request', 'The request body must hold auth.identity.', 400, shape='keystone') from None
        if 'password' not in (identity.get('methods') or []):
            raise HuaweiError('Bad Request', 'Only the password method is served by this IAM.', 400, shape='keystone')
        user = ((identity.get('password') or {}).get('user')) or {}
        domain = user.get('domain') or {}
        tenant = next((t for t in self.tenants if domain.get('name') in (t['domain_name'], None) and domain.get('id') in (t['domain_id'], None)
                       and (domain.get('name') or domain.get('id')) and user.get('name') == t['user_name']), None)
        if tenant is None or not secrets.compare_digest(str(user.get('password') or ''), tenant['password']):
            raise HuaweiError('Unauthorized', 'The username or password is wrong.', 401, shape='keystone')
        project = self._scope(tenant, body['auth'].get('scope'))
        now = utcnow()
        record = {'tenant': tenant['name'], 'project': project['id'] if project else None, 'issued_at': now,
                  'expires_at': now + TOKEN_LIFETIME, 'revoked': False}
        token = 'MIIEmu' + secrets.token_urlsafe(96)
        with self.lock:
            self.tokens[token] = record
        return token, record, tenant, project

    def _count_signature(self, verdict, now):
        """Lock an AK after ``ak_lock_after`` consecutive bad signatures; a locked AK fails even when signed well."""
        access_key = verdict.access_key
        if access_key not in self.credentials or not self.switches['ak_lock_after']:
            return
        with self.lock:
            if self.locked_until.get(access_key, 0) > now:
                raise auth_error('the access key is locked after repeated signature failures')
            if verdict.reason == 'bad-signature':
                self.signature_failures[access_key] = self.signature_failures.get(access_key, 0) + 1
                if self.signature_failures[access_key] > self.switches['ak_lock_after']:
                    self.locked_until[access_key] = now + self.switches['ak_lock_seconds']
                    self.signature_failures[access_key] = 0
            elif verdict.ok:
                self.signature_failures[access_key] = 0

    def _scope(self, tenant, scope):
        if not scope:
            return None
        if 'domain' in scope:
            return None
        wanted = scope.get('project') or {}
        for project in self.projects.values():
            if project['tenant'] != tenant['name']:
                continue
            if wanted.get('id') == project['id'] or (wanted.get('id') is None and wanted.get('name') == project['name']):
                return project
        raise HuaweiError('Unauthorized', 'The project in the scope does not exist in this account.', 401, shape='keystone')

    def revoke_tokens(self):
        """Every token issued so far stops working (``token expires``), as after a password change."""
        with self.lock:
            for record in self.tokens.values():
                record['revoked'] = True

    # ------------------------------------------------------------ the gateway's check

    def _unsigned_project(self, project):
        """An X-Project-Id the signature does not cover: anyone on the way could have set it, so it is refused
        (switch ``unsigned_project_id``: ``refuse``), ignored as if absent (``ignore``: the project of the region),
        or trusted (``trust``).  The references only say the SDK signs every header it sends."""
        reading = self.switches['unsigned_project_id']
        if reading == 'refuse':
            raise auth_error('the X-Project-Id header is not signed (not in SignedHeaders)')
        return project if reading == 'trust' else None

    def authenticate(self, method, raw_path, raw_query, headers, body, now=None):
        """The caller of one request, or a HuaweiError with the gateway's 401 (Huawei API Gateway error codes)."""
        received = huawei_auth.received_headers(headers)
        token = received.get('x-auth-token')
        if token is not None and 'authorization' not in received:
            with self.lock:
                record = self.tokens.get(token.strip())
            if record is None:
                raise auth_error('decrypt token fail')
            if record['revoked'] or utcnow() >= record['expires_at']:
                raise auth_error('token expires')
            return Caller(self.by_name[record['tenant']], record['project'], 'token', None)
        now = time.time() if now is None else now
        verdict = huawei_auth.verify(method, raw_path, raw_query, headers, body, self.credentials, now=now)
        self._count_signature(verdict, now)
        if not verdict.ok:
            raise HuaweiError(verdict.body['error_code'], verdict.body['error_msg'], verdict.status, shape='gateway')
        tenant = self.key_owner[verdict.access_key]
        project = verdict.project_id.strip() if verdict.project_id else None
        if project is not None and not verdict.project_signed:
            project = self._unsigned_project(project)
        if project is not None and self.tenant_of_project(project) is not tenant:
            raise auth_error('the X-Project-Id is not a project of this account')
        return Caller(tenant, project, 'aksk', verdict.access_key)
