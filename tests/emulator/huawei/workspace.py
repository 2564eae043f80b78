"""Workspace ``ListImages``, ``GET /v2/{project_id}/images``, and Workspace App ``ListImageServers``,
``GET /v1/{project_id}/image-servers``.

Records are generated per project, deterministically from their index, so a test can ask for 250
of them (``seed``) and page through.  Fields absent from a record are absent from the answer, as the
API reference's examples omit ``architecture``, ``product_code``, ``created_at`` and ``kms_id`` on some images.
"""

import datetime
import threading
import uuid

from tests.emulator.huawei.errors import HuaweiError

DEFAULT_IMAGES = 12
DEFAULT_SERVERS = 8
WORKSPACE_MAX_LIMIT = 100
APP_DEFAULT_LIMIT, APP_MAX_LIMIT = 10, 100
SERVER_STATUSES = ('ACTIVE', 'BUILDING', 'BUILT', 'CREATING', 'ERROR', 'DELETING', 'NULL')
# (name, os_type, platform, os_version, architecture, disk_format, package types)
IMAGE_KINDS = (
    ('Windows Server 2019 Datacenter 64bit Workspace', 'Windows', 'Windows', 'Windows Server 2019 Datacenter 64bit', 'x86', 'zvhd2',
     ('general', 'enterprise', 'ultimate')),
    ('Windows 10 Enterprise 64bit Workspace', 'Windows', 'Windows', 'Windows 10 Enterprise 64bit', 'x86', 'zvhd2', ('workstation', 'dedicated')),
    ('Euler_Online_Tenant_vAG', 'Linux', 'EulerOS', 'EulerOS 2.2 64bit', 'x86', 'qcow2', ('general',)),
    ('UOS 20 Desktop 64bit', 'Linux', 'UnionTech OS', 'UnionTech OS Desktop 20 64bit', 'arm', 'qcow2', ('agile', 'general')),
    ('Ubuntu 22.04 Desktop 64bit', 'Linux', 'Ubuntu', 'Ubuntu 22.04 desktop 64bit', 'x86', 'qcow2', ('solver', 'general')),
    ('Kylin V10 Desktop arm64', 'Linux', 'Kylin', 'Kylin Desktop V10 64bit', 'arm', 'raw', ('enterprise',)),
)


def workspace_error(code, message, status=400, app=False):
    return HuaweiError(code, message, status, shape='gateway' if app else 'workspace')


def _int_query(query, key, default, low, high, code, app):
    text = query.get(key)
    if text in (None, ''):
        return default
    try:
        value = int(text)
    except ValueError:
        raise workspace_error(code, f'{key} must be an integer.', app=app) from None
    if not low <= value <= (high if high is not None else value):
        bound = f'from {low} to {high}' if high is not None else f'at least {low}'
        raise workspace_error(code, f'{key} must be {bound}.', app=app)
    return value


def _stamp(index, base=datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)):
    moment = base + datetime.timedelta(hours=7 * index, seconds=index * 13, microseconds=(index * 37 % 1000) * 1000)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def product_image(project, index):
    name, os_type, platform, os_version, arch, disk_format, packages = IMAGE_KINDS[index % len(IMAGE_KINDS)]
    gold = index % 3 != 2
    record = {'id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'workspace-image/{project}/{index}')), 'image_type': 'gold' if gold else 'private',
              'os_type': os_type, 'os_version': os_version, 'disk_format': disk_format,
              'name': name if index < len(IMAGE_KINDS) else f'{name} {index:03d}', 'min_ram': 0, 'min_disk': 40 + 10 * (index % 5),
              '_platform': platform, '_package_types': packages}
    if index % 4 != 3:  # like the API reference's examples, some images lack the optional fields
        record.update(architecture=arch, created_at=_stamp(index)[:-5] + 'Z')
    if gold and index % 4 != 3:
        record['product_code'] = f'00301-{110000 + index}-0--0'
    if not gold and index % 2:
        record['kms_id'] = str(uuid.uuid5(uuid.NAMESPACE_URL, f'kms/{project}/{index}'))
    return record


def image_server(project, index):
    status = SERVER_STATUSES[index % len(SERVER_STATUSES)]
    created = status not in ('CREATING', 'NULL')
    marketplace = index % 2 == 0
    server = {
        'id': str(697612196993040384 + index * 7919), 'name': f'image-server-{index:03d}' if index % 5 else f'build-win-{index:03d}',
        'description': '' if index % 3 else f'Image instance {index} for the application streaming image.',
        'image_ref': {'id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'source/{index % 4}')),
                      'image_type': 'gold' if marketplace else ('private', 'public', 'shared', 'other')[index % 4],
                      'spce_code': '90a6e84bb3e822fe54999b6be5bbae1e' if marketplace else '', 'product_id': ''},
        'server_group_id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'aps-group/{project}/{index}')),
        'app_group_id': str(627991243116249088 + index) if created else '',
        'server_id': f"wksapp-{uuid.uuid5(uuid.NAMESPACE_URL, f'aps/{project}/{index}')}" if created else '',
        'instance_id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'ecs/{project}/{index}')) if created else '',
        'image_id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'built/{project}/{index}')) if status == 'BUILT' else '',
        'status': status,
        'authorize_accounts': [{'account': f'user{index:04d}', 'account_type': 'USER'}],
        'create_time': _stamp(index), 'update_time': _stamp(index + 1),
        'enterprise_project_id': '0' if index % 6 != 5 else str(uuid.uuid5(uuid.NAMESPACE_URL, f'ep/{project}')),
    }
    if index % 4 == 1:
        server['authorize_accounts'].append({'account': 'desktop-users', 'account_type': 'USER_GROUP', 'domain': 'example.local'})
    return server


class Workspace:
    """Both list APIs over per-project records."""

    def __init__(self, accounts):
        self.accounts = accounts
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.images = {p: [product_image(p, i) for i in range(DEFAULT_IMAGES)] for p in self.accounts.projects}
            self.servers = {p: [image_server(p, i) for i in range(DEFAULT_SERVERS)] for p in self.accounts.projects}

    def seed(self, body):
        """``{"project", "images": N, "servers": M}``: replace that project's records with N and M generated ones."""
        project = body['project']
        if project not in self.accounts.projects:
            raise ValueError(f'unknown project {project}')
        with self.lock:
            if body.get('images') is not None:
                self.images[project] = [product_image(project, i) for i in range(int(body['images']))]
            if body.get('servers') is not None:
                self.servers[project] = [image_server(project, i) for i in range(int(body['servers']))]
            return {'images': len(self.images[project]), 'servers': len(self.servers[project])}

    def snapshot(self):
        with self.lock:
            return {'images': {p: len(v) for p, v in self.images.items()}, 'servers': {p: len(v) for p, v in self.servers.items()},
                    'enterprise_projects': {p: sorted({s['enterprise_project_id'] for s in v} - {'0'}) for p, v in self.servers.items()}}

    def _project(self, req, project_id, app):
        """The path's project, which must be the caller's (X-Project-Id or token scope, else one of its account)."""
        project = req.project or (project_id if self.accounts.tenant_of_project(project_id) is req.tenant else None)
        if project != project_id:
            raise workspace_error('APIGW.0301', 'Incorrect IAM authentication information: the project ID in the URL '
                                  'does not match the credentials', 401, app=app)
        return project

    # ------------------------------------------------------------ GET /v2/{project_id}/images (ListImages)

    def list_images(self, req, project_id):
        project = self._project(req, project_id, app=False)
        query = req.query
        if query.get('image_type') not in (None, '', 'gold', 'private'):
            raise workspace_error('WKS.0001', 'image_type must be gold or private.')
        if query.get('sort_field') not in (None, '', 'name', 'created_at'):
            raise workspace_error('WKS.0001', 'sort_field must be name or created_at.')
        if query.get('sort_type') not in (None, '', 'asc', 'desc'):
            raise workspace_error('WKS.0001', 'sort_type must be asc or desc.')
        limit = _int_query(query, 'limit', WORKSPACE_MAX_LIMIT, 0, WORKSPACE_MAX_LIMIT, 'WKS.0001', app=False)
        offset = _int_query(query, 'offset', 0, 0, None, 'WKS.0001', app=False)
        with self.lock:
            found = [i for i in self.images.get(project, []) if self._image_matches(i, query)]
        key = query.get('sort_field') or 'name'
        found.sort(key=lambda i: (i.get(key) or '', i['id']), reverse=query.get('sort_type') == 'desc')
        page = found[offset:offset + limit]
        return 200, {'images': [{k: v for k, v in i.items() if not k.startswith('_')} for i in page],
                     'total_count': self._total(len(found), offset, len(page))}

    def _total(self, matching, offset, page):
        """The total an answer reports.  ListImages' example shows ``total_count`` 1 beside two images: with the
        switch ``workspace_total`` ``low`` it counts the records up to this page's end only, with ``high`` one
        page (100) more than there are; ``exact`` (the default) counts them all."""
        reading = self.accounts.switches['workspace_total']
        if reading == 'low':
            return offset + page
        if reading == 'high':
            return matching + WORKSPACE_MAX_LIMIT
        return matching

    @staticmethod
    def _image_matches(image, query):
        for key, attribute in (('os_type', 'os_type'), ('image_type', 'image_type'), ('platform', '_platform'),
                               ('architecture', 'architecture'), ('image_id', 'id')):
            if query.get(key) not in (None, '') and image.get(attribute) != query[key]:
                return False
        if query.get('package_type') not in (None, '') and query['package_type'] not in image['_package_types']:
            return False
        return True

    # ------------------------------------------------------------ GET /v1/{project_id}/image-servers (ListImageServers)

    def list_image_servers(self, req, project_id):
        project = self._project(req, project_id, app=True)
        query = req.query
        limit = _int_query(query, 'limit', APP_DEFAULT_LIMIT, 1, APP_MAX_LIMIT, 'WKS.00200001', app=True)
        offset = _int_query(query, 'offset', 0, 0, None, 'WKS.00200001', app=True)
        ep = query.get('enterprise_project_id') or '0'
        with self.lock:
            found = [s for s in self.servers.get(project, [])
                     if (query.get('server_name') or '') in s['name']
                     and query.get('server_id') in (None, '', s['id'])
                     and s['enterprise_project_id'] == ep]
        found.sort(key=lambda s: (s['create_time'], s['id']), reverse=True)
        page = found[offset:offset + limit]
        return 200, {'count': self._total(len(found), offset, len(page)), 'items': page}
