"""IAM (Huawei IAM API: POST /v3/auth/tokens, GET /v3/projects): Keystone v3 password login and the project look-up.

``POST /v3/auth/tokens`` answers 201 with the token in ``X-Subject-Token`` and a Keystone v3
token body (``catalog`` unless ``?nocatalog=true``); ``GET /v3/projects`` lists the caller's
account's projects, filtered by ``name`` (exact, so ``cn-north-4_dev`` is not a ``cn-north-4``).
"""

from tests.emulator.huawei.accounts import iso
from tests.emulator.huawei.errors import HuaweiError

# Catalog entries: (type, name, endpoint kind) -> the emulator URL of that kind for a region.
CATALOG = (('image', 'ims', 'ims'), ('identity', 'iam', 'iam'), ('object-store', 'obs', 'obs'),
           ('workspace', 'workspace', 'workspace'), ('appstream', 'workspaceapp', 'workspaceapp'))


class Iam:
    def __init__(self, accounts, urls):
        """``urls(kind, region)`` -> the emulator's URL serving that kind of endpoint for a region."""
        self.accounts = accounts
        self.urls = urls

    def create_token(self, req):
        token, record, tenant, project = self.accounts.login(req.json(shape='keystone'))
        domain = {'id': tenant['domain_id'], 'name': tenant['domain_name']}
        body = {'methods': ['password'], 'expires_at': iso(record['expires_at']), 'issued_at': iso(record['issued_at']),
                'user': {'id': tenant['user_id'], 'name': tenant['user_name'], 'domain': domain, 'password_expires_at': ''},
                'roles': [{'id': '0' * 31 + '1', 'name': 'te_admin'}, {'id': '0' * 31 + '2', 'name': 'op_service'}]}
        if project is None:
            body['domain'] = domain
        else:
            body['project'] = {'id': project['id'], 'name': project['name'], 'domain': domain}
        if req.query.get('nocatalog') != 'true':
            body['catalog'] = self._catalog()
        return 201, {'token': body}, [('X-Subject-Token', token)]

    def _catalog(self):
        catalog = []
        for service_type, name, kind in CATALOG:
            endpoints = [{'id': f'{kind}-{region}', 'interface': 'public', 'region': region, 'region_id': region,
                          'url': self.urls(kind, region)} for region in self.accounts.regions]
            catalog.append({'type': service_type, 'id': f'{kind}-service', 'name': name, 'endpoints': endpoints})
        return catalog

    def list_projects(self, req):
        tenant = req.caller.tenant
        query = req.query
        if query.get('domain_id') not in (None, '') and query['domain_id'] != tenant['domain_id']:
            raise HuaweiError('IAM.0002', 'You are not authorized to list the projects of another account.', 403, shape='gateway')
        projects = []
        for project in self.accounts.projects.values():
            if project['tenant'] != tenant['name']:
                continue
            if query.get('name') not in (None, '') and project['name'] != query['name']:
                continue
            projects.append(self._project(req, project))
        self_link = f"{req.base_url}/v3/projects" + (f'?{req.raw_query}' if req.raw_query else '')
        return 200, {'projects': projects, 'links': {'self': self_link, 'previous': None, 'next': None}}

    @staticmethod
    def _project(req, project):
        return {'id': project['id'], 'name': project['name'], 'domain_id': project['domain_id'], 'description': '',
                'enabled': True, 'parent_id': project['domain_id'], 'is_domain': False,
                'links': {'self': f"{req.base_url}/v3/projects/{project['id']}"}}
