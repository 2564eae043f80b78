"""State and business rules of the IMS emulator (everything except HTTP)."""

import copy
import datetime
import hashlib
import json
import os
import re
import secrets
import ssl
import string
import threading
import time
import urllib.error
import urllib.request

from botocore.exceptions import BotoCoreError, ClientError

from tests.emulator._http import Switch, Switches

DEFAULT_TENANTS = {"tenants": [
    {"token": "emu-token-tenant-a-5f2c9d", "tenant_id": "7074631167042813952", "department_id": "7074631167051202560",
     "resource_group_id": "7074631167051456386", "user_id": "7085524801413873664", "name": "tenant-a"},
    {"token": "emu-token-tenant-b-81e4aa", "tenant_id": "7085523589641699328", "department_id": "7085523589700419584",
     "resource_group_id": "7085523589700419999", "user_id": "7085524801413879999", "name": "tenant-b"},
]}

EXPORT_BUCKETS = [
    {"azId": "AZ0", "cellId": "cell01", "name": "export-az0-a"},
    {"azId": "AZ0", "cellId": "cell01", "name": "export-az0-b"},
]

ENUMS = {
    'diskFormat': ('raw', 'qcow2'),
    'imageType': ('os_image', 'data_image', 'whole_image'),
    'instruction': ('32-bits', '64-bits'),
    'cpuArch': ('x86', 'arm'),
    'osType': ('linux', 'windows', 'other'),
    'platform': ('windows', 'ubuntu', 'CentOS', 'kylin', 'CCLinux', 'other'),
    'visibility': ('private', 'public', 'market'),
    'usage': ('ecs', 'bms', 'cke', 'sec'),
    'bootMode': ('BIOS', 'UEFI'),
}

# The fields of each answer's table in the CECloud IMS API document; an answer holds these and no other, so that a
# client reading a field the document does not list for that answer fails here as it would against a real service.
_LISTED = ('createdAt', 'updatedAt', 'id', 'imageId', 'imageType', 'name', 'size', 'status', 'diskFormat', 'checksum',
           'minDisk', 'minRam', 'cpuArch', 'osType', 'platform', 'progress', 'usage', 'instructions', 'uploadId',
           'imageTags', 'region', 'visibility', 'bootMode')
RESPONSE_FIELDS = {
    # GET /images: public images.
    'list_public': _LISTED + ('osVersion',),
    # GET /images/{imageId}: the detail has no osVersion in its table.
    'get_image': _LISTED,
    # GET /private-images: the tenant's images, with their owner.
    'list_private': _LISTED + ('osVersion', 'tenantName', 'owner'),
    # POST /private-images: the new image.
    'create': ('owner', 'instructions', 'imageId', 'uploadId', 'visibility', 'usage', 'departmentId', 'cpuArch', 'minDisk',
               'platform', 'createdAt', 'osVersion', 'sourceType', 'minRam', 'name', 'osType', 'progress',
               'resourceGroupId', 'id', 'diskFormat', 'imageTags', 'imageType', 'updatedAt', 'status', 'bootMode'),
    # POST /private-images/import: no table, only the example's fields.
    'import_image': ('createdAt', 'updatedAt', 'id', 'imageId', 'imageType', 'name', 'status', 'diskFormat', 'owner',
                     'minDisk', 'minRam'),
    # GET /shared-images: the image object of each share.
    'list_shared': ('createdAt', 'updatedAt', 'id', 'imageId', 'imageType', 'name', 'size', 'status', 'diskFormat',
                    'checksum', 'owner', 'minDisk', 'minRam', 'cpuArch', 'osType', 'platform', 'progress', 'usage',
                    'instructions', 'uploadId', 'imageTags', 'visibility', 'departmentId', 'resourceGroupId', 'osVersion',
                    'position', 'sourceType', 'bootMode'),
    # POST /shared-images/{shareId}/copy: the copy, the only answer with ``shared`` (and ``tags``, ``describe``).
    'copy_shared': ('minDisk', 'minRam', 'createdAt', 'updatedAt', 'usage', 'checksum', 'id', 'owner', 'osType', 'imageType',
                    'imageId', 'visibility', 'platform', 'diskFormat', 'size', 'instructions', 'name', 'status', 'cpuArch',
                    'progress', 'tags', 'bootMode', 'osVersion', 'uploadId', 'departmentId', 'describe', 'resourceGroupId',
                    'position', 'sourceType', 'shared', 'capacityPercentage', 'volumeImages', 'tenantName',
                    'departmentName', 'errMessage'),
}
# The copy's answer names imageTags ``tags``.
RESPONSE_NAMES = {'tags': 'imageTags'}

NAME_RE = re.compile('^[A-Za-z0-9\\-._ \u4e00-\u9fff]{1,128}$')
USER_ID_RE = re.compile(r'^[0-9]{19}$')
MESSAGES = {
    'Success': '调用成功',
    'IMG.InvalidParameter': '参数错误',
    'IMG.DBGet.NoData': '资源不存在',
    'IMG.Internal.Error': '服务内部错误',
    'IMG.OperationFailed.ImageSize': '镜像大小不匹配',
    'IMG.OperationDenied.ActionNotMatchStatus': '当前状态无法操作',
    'IMG.OperationFailed.UploadNotAllowed': '当前镜像不允许上传',
    'IMG.OperationFailed.DownloadNotAllowed': '当前镜像不允许下载',
    'IMG.OperationFailed.DeleteNotAllowed': '当前镜像不允许删除',
    'IMG.OperationDenied.Identity': '对不起，您没有该资源的操作权限',
    'IMG.OperationDenied.AuthFail': '鉴权入参异常，请检查参数',
    'IMG.OperationFailed.ModifyMinDiskSize': '磁盘大小不能比原磁盘小',
    'IMG.OperationFailed.ActionNotMatch': '该镜像无法共享',
    'IMG.OperationFailed.DuplicateUserId': '含有重复用户ID',
    'IMG.OperationFailed.InvalidUserId': '无效的用户ID',
    'IMG.OperationFailed.AlreadyShared': '含有已共享用户',
    'IMG.OperationFailed.NotShared': '含有未共享用户',
    'IMG.OperationFailed.ImageIsShared': '无法删除已共享的镜像',
}
# The switches (README.md, "Switches"): the document's ambiguities (docs/api-notes.md), each answerable both ways.
SWITCHES = {
    'auth_fail_status': Switch.reading({401: 'the HTTP status of IMG.OperationDenied.AuthFail is 401',
                                        400: 'it is 400, as the error table says'}),
    'share_total': Switch.reading({'records': '``total`` of GET /private-images/{id}/share counts records, as its example and every other list',
                                   'pages': 'it counts pages (总页数), as its field table says'}),
    'image_detail': Switch.reading({'any': 'GET /images/{id} answers every image the caller may see',
                                    'public': 'only public ones (it is listed beside the public list, without the 私有镜像 mark '
                                              'every private-image call carries)'}),
    'checksum': Switch.reading({'md5': 'the digest ``checksum`` holds (the document never names its algorithm) is MD5',
                                'sha256': 'SHA-256', 'sha512': 'SHA-512'}),
    'list_order': Switch.reading({'newest': 'GET /images and GET /private-images list the newest image first',
                                  'oldest': 'they list the oldest first (the document names no order)'}),
}
# The only filter terms the private list documents (``name:lk:xxx|imageId:eq:img-xxx``).
FILTER_TERMS = (('name', 'lk'), ('imageId', 'eq'))
IMPORT_S3_ATTEMPTS = 3
S3_ERRORS = (BotoCoreError, ClientError, OSError)


class ApiError(Exception):
    def __init__(self, code, detail=None, status=400):
        super().__init__(code)
        self.code = code
        self.status = status
        base = MESSAGES.get(code, code)
        self.message = f'{base}: {detail}' if detail else base


def invalid(detail):
    return ApiError('IMG.InvalidParameter', detail)


def now_iso():
    return f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z"


def _rand(n):
    alphabet = string.ascii_lowercase + string.digits
    return ''.join(secrets.choice(alphabet) for dummy in range(n))


def load_tenants(path):
    if not path:
        return copy.deepcopy(DEFAULT_TENANTS['tenants'])
    with open(path, encoding='utf-8') as fh:
        data = json.load(fh)
    tenants = data['tenants'] if isinstance(data, dict) else data
    for tenant in tenants:
        for key in ('token', 'tenant_id', 'department_id', 'user_id', 'name'):
            if not tenant.get(key):
                raise ValueError(f'tenant entry lacks {key}')
        tenant.setdefault('resource_group_id', '')
    return tenants


# ---------------------------------------------------------------- validation helpers

def _require(body, key):
    if key not in body or body[key] is None:
        raise invalid(f'{key} is required')
    return body[key]


def _str_field(body, key, required=True, allow_empty=True):
    if not required and body.get(key) is None:
        return None
    value = _require(body, key)
    if not isinstance(value, str):
        raise invalid(f'{key} must be a string')
    if not allow_empty and not value:
        raise invalid(f'{key} must not be empty')
    return value


def _enum_field(body, key, required=True, default=None):
    if not required and body.get(key) in (None, ''):
        return default
    value = _require(body, key)
    if value not in ENUMS[key]:
        raise invalid(f"{key} must be one of {'|'.join(ENUMS[key])}")
    return value


def _int_field(body, key, required=True, default=0):
    if not required and body.get(key) is None:
        return default
    value = _require(body, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f'{key} must be an integer')
    if value < 0:
        raise invalid(f'{key} must not be negative')
    return value


def check_name(value, key='name'):
    if not isinstance(value, str):
        raise invalid(f'{key} must be a string')
    if not NAME_RE.match(value):
        raise invalid(f'{key} must be 1-128 characters of A-Z a-z 0-9 - . _ space or Chinese')
    if value != value.strip(' '):
        raise invalid(f'{key} must not start or end with a space')
    return value


def _description(body):
    value = body.get('description')
    if value in (None, ''):
        return ''
    if not isinstance(value, str) or not 2 <= len(value) <= 256:
        raise invalid('description must be a string of 2-256 characters')
    return value


def _tags(body):
    value = body.get('imageTags')
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid('imageTags must be an array')
    return value


def unwrap(body):
    """Accept ``{"image": {...}}`` as well as the flat body of the document's examples."""
    if isinstance(body.get('image'), dict):
        merged = dict(body['image'])
        merged.update({k: v for k, v in body.items() if k != 'image'})
        return merged
    return body


def page_params(query, required=True, default_size=10):
    result = {}
    for key, default in (('size', default_size), ('current', 1)):
        raw = query.get(key)
        if raw in (None, ''):
            if required:
                raise invalid(f'query parameter {key} is required')
            result[key] = default
            continue
        try:
            result[key] = int(raw)
        except ValueError:
            raise invalid(f'query parameter {key} must be an integer') from None
    if result['size'] < 1:
        raise invalid('size must be >= 1')
    if result['current'] < 1:
        raise invalid('current must be >= 1')
    return result['size'], result['current']


def paginate(items, size, current, page_cap=None, total_pages=False):
    """One page of ``items``. ``page_cap`` plays a service that serves fewer items than asked: it
    clamps ``size`` (and the offset follows the clamped size) while ``total`` stays true.
    ``total_pages``: ``total`` counts pages of the served size, not items."""
    if page_cap:
        size = min(size, page_cap)
    start = (current - 1) * size
    total = -(-len(items) // size) if total_pages else len(items)
    return {'size': size, 'current': current, 'total': total, 'list': items[start:start + size]}


def parse_filter(text):
    conds = []
    for part in (text or '').split('|'):
        if not part:
            continue
        pieces = part.split(':', 2)
        if len(pieces) != 3:
            raise invalid(f'filter term {part!r} must be field:op:value')
        field, op, value = pieces
        if (field, op) not in FILTER_TERMS:
            raise invalid(f'filter term {field}:{op} is not one of name:lk, imageId:eq')
        conds.append((field, op, value))
    return conds


def _match(image, conds):
    for field, op, value in conds:
        actual = image.get(field)
        actual = '' if actual is None else (json.dumps(actual) if isinstance(actual, (list, dict, bool)) else str(actual))
        if op == 'eq' and actual != value:
            return False
        if op == 'lk' and value.lower() not in actual.lower():
            return False
    return True


def _url_ok(url):
    return isinstance(url, str) and re.match(r'^https?://[^/\s]+', url) is not None


class Service:
    """All emulator state, guarded by one lock, persisted to a JSON file after every change."""

    def __init__(self, s3=None, state_file=None, transition=0.5, tenants=None, region='region0', page_cap=None, switches=None):
        self.s3 = s3
        self.page_cap = page_cap
        self.switches = Switches(SWITCHES, switches)
        self.state_file = state_file
        self.transition = transition
        # Cleared by a test that needs images to stay ``saving`` (or ``deleted`` ones listed) until it says so
        # (``Stack.hold_transitions``): a race window that does not depend on how fast a loaded machine runs the next task.
        self.transitions_released = threading.Event()
        self.transitions_released.set()
        self.region = region
        self.tenants = tenants if tenants is not None else load_tenants(None)
        self.by_token = {t['token']: t for t in self.tenants}
        self.by_tenant_id = {t['tenant_id']: t for t in self.tenants}
        self.by_user_id = {t['user_id']: t for t in self.tenants}
        self.by_name = {t['name']: t for t in self.tenants}
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.images = {}
        self.shares = {}
        self.next_id = 1
        self.bucket = f"iaas-image-{secrets.token_hex(16)}"
        self.export_buckets = copy.deepcopy(EXPORT_BUCKETS)
        # What upload-prepare hands out in place of the emulator's own S3 address and keys (admin
        # switch): a proxy in front of SeaweedFS, or another identity's keys (fresh credentials).
        self.upload_target = {}
        if state_file and os.path.exists(state_file):
            self._load()
        else:
            self._seed_public()
            self.save()

    # ------------------------------------------------------------ persistence

    def _load(self):
        with open(self.state_file, encoding='utf-8') as fh:
            data = json.load(fh)
        self.images = data['images']
        self.shares = data['shares']
        self.next_id = data['next_id']
        self.bucket = data['bucket']

    def save(self):
        if not self.state_file:
            return
        with self.lock:
            data = json.dumps({'images': self.images, 'shares': self.shares, 'next_id': self.next_id, 'bucket': self.bucket})
            tmp = f"{self.state_file}.tmp"
            with open(tmp, 'w', encoding='utf-8') as fh:
                fh.write(data)
            os.replace(tmp, self.state_file)

    def _alloc_id(self):
        value = self.next_id
        self.next_id += 1
        return value

    def _seed_public(self):
        samples = [
            ('CentOS-7.9-x86_64', 'CentOS', 'linux', 'x86', '7.9'),
            ('Ubuntu-22.04-x86_64', 'ubuntu', 'linux', 'x86', '22.04'),
            ('Kylin-V10-SP3-arm', 'kylin', 'linux', 'arm', 'kylin-v10-sp3'),
            ('Windows-Server-2019', 'windows', 'windows', 'x86', '2019'),
        ]
        for name, platform, os_type, arch, version in samples:
            image = self._new_image('system', {
                'name': name, 'platform': platform, 'osType': os_type, 'cpuArch': arch, 'osVersion': version,
                'visibility': 'public', 'diskFormat': 'qcow2', 'imageType': 'os_image', 'instruction': '64-bits',
                'minDisk': 20, 'minRam': 1024, 'usage': 'ecs', 'bootMode': 'BIOS', 'departmentId': '', 'resourceGroupId': ''})
            checksum = secrets.token_hex(hashlib.new(self.switches['checksum']).digest_size)
            image.update(status='active', size=27205947, checksum=checksum, progress='100', _seeded=True)

    # ------------------------------------------------------------ helpers

    def tenant_for_token(self, token):
        return self.by_token.get(token)

    def _new_image(self, owner, fields, source_type=''):
        stamp = now_iso()
        owner_tenant = self.by_tenant_id.get(owner)
        image = {
            'createdAt': stamp, 'updatedAt': stamp, 'id': self._alloc_id(), 'imageId': f"img-{_rand(14)}",
            'imageType': fields.get('imageType') or 'os_image', 'name': fields['name'], 'size': 0, 'status': 'queued',
            'diskFormat': fields['diskFormat'], 'checksum': '', 'owner': owner, 'minDisk': fields['minDisk'],
            'minRam': fields['minRam'], 'cpuArch': fields['cpuArch'], 'osType': fields['osType'],
            'platform': fields['platform'], 'progress': '0', 'usage': fields['usage'], 'instructions': fields['instruction'],
            'uploadId': '', 'imageTags': fields.get('imageTags') or [], 'region': self.region,
            'visibility': fields['visibility'], 'bootMode': fields.get('bootMode') or 'BIOS',
            'osVersion': fields.get('osVersion') or '', 'departmentId': fields.get('departmentId') or '',
            'resourceGroupId': fields.get('resourceGroupId') or '', 'description': fields.get('description') or '',
            'describe': fields.get('description') or '', 'position': 's3', 'sourceType': source_type, 'shared': False,
            'capacityPercentage': '', 'volumeImages': fields.get('volumeImages'), 'errMessage': '',
            'tenantName': owner_tenant['name'] if owner_tenant else owner, 'departmentName': '', 'resourceGroupName': '',
        }
        self.images[image['imageId']] = image
        return image

    @staticmethod
    def answer(image, action):
        """The image as the answer of ``action`` shows it: the fields of that answer's table (RESPONSE_FIELDS) only."""
        return dict((k, copy.deepcopy(image[RESPONSE_NAMES.get(k, k)])) for k in RESPONSE_FIELDS[action]
                    if RESPONSE_NAMES.get(k, k) in image)

    def _get(self, image_id):
        image = self.images.get(image_id)
        if image is None:
            raise ApiError('IMG.DBGet.NoData', f'image {image_id} not found')
        return image

    def _owned(self, tenant, image_id):
        image = self._get(image_id)
        if image['owner'] != tenant['tenant_id']:
            raise ApiError('IMG.OperationDenied.Identity', f'image {image_id} belongs to another tenant')
        return image

    def _check_identity(self, tenant, body, rg_required=False):
        tenant_id = _str_field(body, 'tenantId', allow_empty=False)
        department_id = _str_field(body, 'departmentId', allow_empty=False)
        rg = _str_field(body, 'resourceGroupId', required=rg_required)
        if tenant_id != tenant['tenant_id'] or department_id != tenant['department_id']:
            raise ApiError('IMG.OperationDenied.Identity', 'tenantId/departmentId do not match the caller')
        if rg and tenant.get('resource_group_id') and rg != tenant['resource_group_id']:
            raise ApiError('IMG.OperationDenied.Identity', 'resourceGroupId does not match the caller')
        return rg or ''

    def _image_fields(self, body, import_mode=False):
        fields = {
            'diskFormat': _enum_field(body, 'diskFormat'),
            'minDisk': _int_field(body, 'minDisk'),
            'minRam': _int_field(body, 'minRam'),
            'name': check_name(_require(body, 'name')),
            'imageType': _enum_field(body, 'imageType', required=not import_mode, default='os_image'),
            'instruction': _enum_field(body, 'instruction'),
            'cpuArch': _enum_field(body, 'cpuArch'),
            'description': _description(body),
            'osType': _enum_field(body, 'osType'),
            'platform': _enum_field(body, 'platform'),
            'visibility': _enum_field(body, 'visibility'),
            'imageTags': _tags(body),
            'usage': _enum_field(body, 'usage'),
            'bootMode': _enum_field(body, 'bootMode', required=False, default='BIOS'),
            'osVersion': _str_field(body, 'osVersion', required=import_mode) or '',
        }
        if not import_mode and 'osVersion' in body:
            # Only import and update take it (their tables list it; create's does not).
            raise invalid('osVersion is not a parameter of POST /private-images (set it by PUT once the image exists)')
        if import_mode and fields['visibility'] != 'private':
            raise invalid('visibility must be private for an import')
        return fields

    def _touch(self, image, **changes):
        image.update(changes)
        image['updatedAt'] = now_iso()

    def _refresh_shared(self, image_id):
        image = self.images.get(image_id)
        if image is not None:
            image['shared'] = any(s['imageId'] == image_id for s in self.shares.values())

    # ------------------------------------------------------------ public / detail

    def list_public(self, tenant, query):  # pylint: disable=unused-argument
        size, current = page_params(query)
        with self.lock:
            items = [self.answer(i, 'list_public') for i in self.images.values() if i['visibility'] == 'public']
        self._in_list_order(items)
        return paginate(items, size, current, self.page_cap)

    def _in_list_order(self, items):
        """Sort a listing of images by creation (their ``id`` grows with it), as the switch ``list_order`` says."""
        items.sort(key=lambda i: (i['createdAt'], i['id']), reverse=self.switches['list_order'] == 'newest')

    def get_image(self, tenant, image_id):
        with self.lock:
            image = self._get(image_id)
            visible = (image['visibility'] == 'public' or image['owner'] == tenant['tenant_id']
                       or any(s['imageId'] == image_id and s['userId'] == tenant['user_id'] for s in self.shares.values()))
            if not visible or (self.switches['image_detail'] == 'public' and image['visibility'] != 'public'):
                raise ApiError('IMG.DBGet.NoData', f'image {image_id} not found')
            return self.answer(image, 'get_image')

    # ------------------------------------------------------------ private images

    def list_private(self, tenant, query):
        size, current = page_params(query)
        conds = parse_filter(query.get('filter'))
        with self.lock:
            items = [self.answer(i, 'list_private') for i in self.images.values() if i['owner'] == tenant['tenant_id']]
        items = [i for i in items if _match(i, conds)]
        self._in_list_order(items)
        return paginate(items, size, current, self.page_cap)

    def create(self, tenant, body):
        body = unwrap(body)
        fields = self._image_fields(body)
        fields['resourceGroupId'] = self._check_identity(tenant, body)
        fields['departmentId'] = body['departmentId']
        with self.lock:
            image = self._new_image(tenant['tenant_id'], fields)
            self.save()
            return self.answer(image, 'create')

    def update(self, tenant, image_id, body):
        body = unwrap(body)
        with self.lock:
            image = self._owned(tenant, image_id)
            fields = {
                'bootMode': _enum_field(body, 'bootMode'), 'cpuArch': _enum_field(body, 'cpuArch'),
                'diskFormat': _enum_field(body, 'diskFormat'), 'instruction': _enum_field(body, 'instruction'),
                'minDisk': _int_field(body, 'minDisk'), 'minRam': _int_field(body, 'minRam'),
                'name': check_name(_require(body, 'name')), 'osType': _enum_field(body, 'osType'),
                'osVersion': _str_field(body, 'osVersion'), 'platform': _enum_field(body, 'platform'),
            }
            if fields['diskFormat'] != image['diskFormat']:
                raise invalid(f"diskFormat must equal the current value {image['diskFormat']}")
            if image['status'] == 'deleted':
                raise ApiError('IMG.OperationDenied.ActionNotMatchStatus', 'image is deleted')
            if fields['minDisk'] < image['minDisk']:
                raise ApiError('IMG.OperationFailed.ModifyMinDiskSize', f"minDisk {fields['minDisk']} < {image['minDisk']}")
            changes = dict(fields)
            changes['instructions'] = changes.pop('instruction')
            if 'description' in body:
                raise invalid('description is not a parameter of PUT /private-images/{imageId}')
            self._touch(image, **changes)
            self.save()

    def upload_prepare(self, tenant, image_id, body):
        with self.lock:
            image = self._owned(tenant, image_id)
            size = _int_field(body, 'size')
            if size <= 0:
                raise invalid('size must be > 0')
            if image['status'] != 'queued':
                raise ApiError('IMG.OperationFailed.UploadNotAllowed', f"image status is {image['status']}")
            self._touch(image, _prepared_size=size)
            self.save()
        target = self.upload_target
        return {'image_url': '', 'accessKey': target.get('access_key') or (self.s3.access_key if self.s3 else ''),
                'secretKey': target.get('secret_key') or (self.s3.secret_key if self.s3 else ''),
                'token': '', 'bucket': self.bucket, 'file': image_id,
                'domain': target.get('domain') or (self.s3.endpoint if self.s3 else '')}

    def admin_upload_target(self, body):
        """Set (or, with an empty body, clear) what upload-prepare hands out: ``domain``, ``access_key``, ``secret_key``."""
        unknown = set(body) - {'domain', 'access_key', 'secret_key'}
        if unknown:
            raise invalid(f"unknown upload-target fields {sorted(unknown)}")
        with self.lock:
            self.upload_target = {k: v for k, v in body.items() if v}
            return dict(self.upload_target)

    def upload_done(self, tenant, image_id, body):
        with self.lock:
            image = self._owned(tenant, image_id)
            result = _require(body, 'result')
            if result not in ('success', 'failed'):
                raise invalid('result must be success or failed')
            upload_id = _str_field(body, 'uploadId', required=False) or ''
            if image['status'] != 'queued':
                raise ApiError('IMG.OperationFailed.UploadNotAllowed', f"image status is {image['status']}")
            if result == 'failed':
                self._touch(image, status='killed', uploadId=upload_id, errMessage='upload reported as failed by the client')
                self.save()
                return
            prepared = image.get('_prepared_size')
            if not prepared:
                raise ApiError('IMG.OperationFailed.UploadNotAllowed', 'upload-prepare was not called')
        try:
            actual = self.s3.head_size(self.bucket, image_id)
        except S3_ERRORS as exc:
            raise ApiError('IMG.Internal.Error', f'object storage unavailable: {exc}') from None
        if actual is None:
            raise ApiError('IMG.OperationFailed.ImageSize', f'object {self.bucket}/{image_id} does not exist')
        if actual != prepared:
            raise ApiError('IMG.OperationFailed.ImageSize', f'object size {actual} differs from prepared size {prepared}')
        with self.lock:
            if image['status'] != 'queued':
                raise ApiError('IMG.OperationFailed.UploadNotAllowed', f"image status is {image['status']}")
            # The service checked the object's size against the prepared one: it shows it while saving.
            self._start_job(image, {'kind': 'upload'}, uploadId=upload_id, size=actual)

    def import_image(self, tenant, body):
        body = unwrap(body)
        fields = self._image_fields(body, import_mode=True)
        url = _require(body, 'imageUrl')
        if not _url_ok(url):
            raise invalid('imageUrl must be an http or https URL')
        volumes = body.get('volumeImages')
        if volumes is not None:
            if not isinstance(volumes, list):
                raise invalid('volumeImages must be an array')
            for vol in volumes:
                if not isinstance(vol, dict) or (vol.get('imageUrl') is not None and not _url_ok(vol.get('imageUrl'))):
                    raise invalid('volumeImages[].imageUrl must be an http or https URL')
                if vol.get('minDisk') is not None and not re.match(r'^[0-9]+$', str(vol['minDisk'])):
                    raise invalid('volumeImages[].minDisk must be a non-negative integer')
            fields['volumeImages'] = volumes
        fields['resourceGroupId'] = self._check_identity(tenant, body)
        fields['departmentId'] = body['departmentId']
        with self.lock:
            image = self._new_image(tenant['tenant_id'], fields, source_type='import')
            self._start_job(image, {'kind': 'import', 'url': url})
            return self.answer(image, 'import_image')

    def download(self, tenant, image_id):
        with self.lock:
            image = self._owned(tenant, image_id)
            if image['status'] != 'active':
                raise ApiError('IMG.OperationFailed.DownloadNotAllowed', f"image status is {image['status']}")
        try:
            length, body = self.s3.open(self.bucket, image_id)
        except S3_ERRORS as exc:
            raise ApiError('IMG.Internal.Error', f'object storage: {exc}') from None
        return length, body, f"{image_id}.{image['diskFormat']}"

    def delete(self, tenant, image_id):
        with self.lock:
            image = self._owned(tenant, image_id)
            if image['status'] in ('saving', 'deleted'):
                raise ApiError('IMG.OperationDenied.ActionNotMatchStatus', f"image status is {image['status']}")
            if any(s['imageId'] == image_id for s in self.shares.values()):
                raise ApiError('IMG.OperationFailed.ImageIsShared', 'unshare the image first')
            if any(i['status'] == 'saving' and i.get('_job', {}).get('source') == image_id for i in self.images.values()):
                raise ApiError('IMG.OperationFailed.DeleteNotAllowed', 'a copy of this image is in progress')
            self._touch(image, status='deleted', _deleted_at=time.time())
            self.save()

    # ------------------------------------------------------------ sharing

    def _user_ids(self, tenant, image, body):
        shares = body.get('shares')
        if not isinstance(shares, dict):
            raise invalid('shares object is required')
        ids = shares.get('user_ids')
        if not isinstance(ids, list) or not 1 <= len(ids) <= 50:
            raise invalid('shares.user_ids must be an array of 1-50 user ids')
        for uid in ids:
            if not isinstance(uid, str) or not USER_ID_RE.match(uid):
                raise ApiError('IMG.OperationFailed.InvalidUserId', f'user id {uid!r} is not a 19-digit string')
        if len(set(ids)) != len(ids):
            raise ApiError('IMG.OperationFailed.DuplicateUserId')
        owner = self.by_tenant_id.get(image['owner'])
        for uid in ids:
            if uid == tenant['user_id'] or (owner and uid == owner['user_id']):
                raise ApiError('IMG.OperationFailed.InvalidUserId', f'cannot share an image with its owner ({uid})')
        return ids

    def _existing_share(self, image_id, user_id):
        for share in self.shares.values():
            if share['imageId'] == image_id and share['userId'] == user_id:
                return share
        return None

    def share(self, tenant, image_id, body):
        with self.lock:
            image = self._owned(tenant, image_id)
            ids = self._user_ids(tenant, image, body)
            if image['status'] != 'active' or image['visibility'] != 'private':
                raise ApiError('IMG.OperationFailed.ActionNotMatch', 'only active private images can be shared')
            already = [u for u in ids if self._existing_share(image_id, u)]
            if already:
                raise ApiError('IMG.OperationFailed.AlreadyShared', ','.join(already))
            for uid in ids:
                stamp = now_iso()
                user = self.by_user_id.get(uid)
                share = {'createdAt': stamp, 'updatedAt': stamp, 'id': self._alloc_id(), 'shareId': f"img-share-{_rand(20)}",
                         'imageId': image_id, 'userId': uid, 'image': None, 'userName': user['name'] if user else ''}
                self.shares[share['shareId']] = share
            self._refresh_shared(image_id)
            self.save()

    def unshare(self, tenant, image_id, body):
        with self.lock:
            image = self._owned(tenant, image_id)
            ids = self._user_ids(tenant, image, body)
            missing = [u for u in ids if not self._existing_share(image_id, u)]
            if missing:
                raise ApiError('IMG.OperationFailed.NotShared', ','.join(missing))
            for uid in ids:
                del self.shares[self._existing_share(image_id, uid)['shareId']]
            self._refresh_shared(image_id)
            self.save()

    def list_image_shares(self, tenant, image_id, query):
        size, current = page_params(query, required=False)
        with self.lock:
            self._owned(tenant, image_id)
            items = [copy.deepcopy(s) for s in self.shares.values() if s['imageId'] == image_id]
        items.sort(key=lambda s: s['id'], reverse=True)
        return paginate(items, size, current, self.page_cap, total_pages=self.switches['share_total'] == 'pages')

    def list_shared(self, tenant, query):
        size, current = page_params(query)
        order = query.get('orderBy') or 'createdAt:desc'
        match = re.match(r'^(createdAt|updatedAt|id):(asc|desc)$', order)
        if not match:
            raise invalid('orderBy must be createdAt|updatedAt|id followed by :asc or :desc')
        with self.lock:
            items = []
            for share in self.shares.values():
                if share['userId'] == tenant['user_id'] and share['imageId'] in self.images:
                    item = copy.deepcopy(share)
                    item['image'] = self.answer(self.images[share['imageId']], 'list_shared')
                    items.append(item)
        field = match.group(1)
        items.sort(key=lambda s: (s[field], s['id']), reverse=match.group(2) == 'desc')
        return paginate(items, size, current, self.page_cap)

    def delete_share(self, tenant, share_id):
        with self.lock:
            share = self.shares.get(share_id)
            if share is None:
                raise ApiError('IMG.DBGet.NoData', f'share {share_id} not found')
            image = self.images.get(share['imageId'])
            if share['userId'] != tenant['user_id'] and (image is None or image['owner'] != tenant['tenant_id']):
                raise ApiError('IMG.OperationDenied.Identity', f'share {share_id} is not yours')
            del self.shares[share_id]
            self._refresh_shared(share['imageId'])
            self.save()

    def copy_shared(self, tenant, share_id, body):
        body = unwrap(body)
        name = check_name(_require(body, 'name'))
        description = _description(body)
        with self.lock:
            share = self.shares.get(share_id)
            if share is None or share['imageId'] not in self.images:
                raise ApiError('IMG.DBGet.NoData', f'share {share_id} not found')
            if share['userId'] != tenant['user_id']:
                raise ApiError('IMG.OperationDenied.Identity', f'share {share_id} was not shared with you')
            rg = self._check_identity(tenant, body, rg_required=True)
            src = self.images[share['imageId']]
            if src['status'] != 'active':
                raise ApiError('IMG.OperationDenied.ActionNotMatchStatus', f"source image status is {src['status']}")
            fields = {k: src[k] for k in ('diskFormat', 'minDisk', 'minRam', 'imageType', 'cpuArch', 'osType', 'platform',
                                          'usage', 'bootMode', 'osVersion', 'imageTags')}
            fields.update(name=name, description=description, instruction=src['instructions'], visibility='private',
                          departmentId=body['departmentId'], resourceGroupId=rg)
            image = self._new_image(tenant['tenant_id'], fields, source_type='copy')
            self._start_job(image, {'kind': 'copy', 'source': src['imageId']})
            return self.answer(image, 'copy_shared')

    # ------------------------------------------------------------ export

    def bucket_list(self, tenant, image_id):
        with self.lock:
            self._owned(tenant, image_id)
        return copy.deepcopy(self.export_buckets)

    def export(self, tenant, image_id, body):
        bucket = body.get('bucket')
        if not isinstance(bucket, dict):
            raise invalid('bucket object is required')
        for key in ('name', 'azId', 'cellId'):
            _str_field(bucket, key, allow_empty=False)
        with self.lock:
            image = self._owned(tenant, image_id)
            if not any(b == {'name': bucket['name'], 'azId': bucket['azId'], 'cellId': bucket['cellId']} for b in self.export_buckets):
                valid = ', '.join(f"{b['name']} (azId {b['azId']}, cellId {b['cellId']})" for b in self.export_buckets)
                raise invalid(f'bucket must be one of: {valid}')
            if image['status'] != 'active':
                raise ApiError('IMG.OperationDenied.ActionNotMatchStatus', f"image status is {image['status']}")
            key = f"{image_id}.{image['diskFormat']}"
        try:
            self.s3.copy(self.bucket, image_id, bucket['name'], key)
        except S3_ERRORS as exc:
            raise ApiError('IMG.Internal.Error', f'export failed: {exc}') from None

    # ------------------------------------------------------------ background work

    def _start_job(self, image, job, **changes):
        job['started'] = time.time()
        self._touch(image, status='saving', progress='0', errMessage='', _job=job, **changes)
        self.save()
        self._spawn(image['imageId'])

    def _spawn(self, image_id):
        threading.Thread(target=self._run_job, args=(image_id,), daemon=True, name=f"job-{image_id}").start()

    def resume_jobs(self):
        with self.lock:
            pending = [i['imageId'] for i in self.images.values() if i['status'] == 'saving']
            for image_id in pending:
                self.images[image_id].setdefault('_job', {'kind': 'noop', 'started': time.time()})
        for image_id in pending:
            self._spawn(image_id)
        threading.Thread(target=self._reaper, daemon=True, name='reaper').start()

    def _finish(self, image_id, job, **changes):
        remaining = job['started'] + self.transition - time.time()
        if remaining > 0:
            time.sleep(remaining)
        self.transitions_released.wait()
        with self.lock:
            image = self.images.get(image_id)
            if image is None or image['status'] != 'saving' or image.get('_job') is not job:
                return
            image.pop('_job', None)
            self._touch(image, **changes)
            self.save()

    def _run_job(self, image_id):
        with self.lock:
            image = self.images.get(image_id)
            if image is None or image['status'] != 'saving':
                return
            job = image['_job']
        kind = job['kind']
        if kind == 'noop':
            self._finish(image_id, job, status='active', progress='100')
        elif kind == 'import':
            self._run_import(image_id, job)
        else:
            self._run_s3_job(image_id, job)

    def _run_s3_job(self, image_id, job):
        delay = 0.2
        while not self.stopping.is_set():
            try:
                if job['kind'] == 'copy':
                    self.s3.copy(self.bucket, job['source'], self.bucket, image_id)
                checksum, size = self.s3.digest_of(self.bucket, image_id, self.switches['checksum'])
                break
            except S3_ERRORS:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
        else:
            return
        self._finish(image_id, job, status='active', progress='100', checksum=checksum, size=size)

    def _open_url(self, url):
        context = None
        if url.startswith('https:'):
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return urllib.request.urlopen(url, timeout=30, context=context)  # pylint: disable=consider-using-with

    def _run_import(self, image_id, job):
        error = None
        for attempt in range(IMPORT_S3_ATTEMPTS):
            try:
                response = self._open_url(job['url'])
            except urllib.error.HTTPError as exc:
                error = f'cannot fetch imageUrl: HTTP {exc.code} {exc.reason}'
                break
            except (urllib.error.URLError, OSError, ValueError) as exc:
                error = f"cannot fetch imageUrl: {getattr(exc, 'reason', exc)}"
                break
            try:
                with response:
                    checksum, size = self.s3.put_stream(self.bucket, image_id, response, self.switches['checksum'])
                self._finish(image_id, job, status='active', progress='100', checksum=checksum, size=size)
                return
            except (BotoCoreError, ClientError) as exc:
                error = f'object storage error: {exc}'
                time.sleep(0.5 * (attempt + 1))
            except OSError as exc:
                error = f'reading imageUrl failed: {exc}'
                break
        self._finish(image_id, job, status='killed', errMessage=error)

    def _reaper(self):
        while not self.stopping.wait(0.05):
            gone = []
            # Held transitions keep deleted images listed too, so a test can look at one right after its delete.
            if not self.transitions_released.is_set():
                continue
            with self.lock:
                cutoff = time.time() - self.transition
                for image in list(self.images.values()):
                    if image['status'] == 'deleted' and image.get('_deleted_at', 0) <= cutoff:
                        del self.images[image['imageId']]
                        gone.append(image['imageId'])
                if gone:
                    self.save()
            for image_id in gone:
                try:
                    self.s3.delete(self.bucket, image_id)
                except S3_ERRORS + (AttributeError,):
                    pass

    # ------------------------------------------------------------ admin

    def admin_state(self):
        with self.lock:
            return {'images': copy.deepcopy(list(self.images.values())), 'shares': copy.deepcopy(list(self.shares.values())),
                    'bucket': self.bucket, 'exportBuckets': copy.deepcopy(self.export_buckets), 'region': self.region}

    def admin_hold(self, body):
        if body.get('held'):
            self.transitions_released.clear()
        else:
            self.transitions_released.set()
        return {'held': not self.transitions_released.is_set()}

    def admin_reset(self):
        self.transitions_released.set()
        with self.lock:
            self.upload_target = {}
            self.images = {k: v for k, v in self.images.items() if v.get('_seeded')}
            self.shares = {}
            self.save()

    def admin_seed(self, body):
        tenant = self.by_name.get(body.get('tenant', 'tenant-a'))
        if tenant is None:
            raise invalid(f"unknown tenant {body.get('tenant')!r}")
        count = body.get('count', 1)
        status = body.get('status', 'active')
        if not isinstance(count, int) or not 1 <= count <= 100000 or status not in ('queued', 'saving', 'active', 'killed'):
            raise invalid('count must be 1..100000 and status queued|saving|active|killed')
        prefix = body.get('prefix', 'seed-')
        object_size = body.get('object_size', 1024)
        # created_at: one ISO 8601 time, or one per image (index order): images made in the past, for tests of ages.
        stamps = body.get('created_at', body.get('createdAt'))
        if stamps is not None and not isinstance(stamps, list):
            stamps = [stamps] * count
        if stamps is not None and (len(stamps) != count or not all(isinstance(t, str) and t for t in stamps)):
            raise invalid('created_at must be a time, or a list of one time per image')
        image_tags = body.get('image_tags') or body.get('imageTags') or []
        created = []
        with self.lock:
            for index in range(count):
                fields = {'name': f'{prefix}{index:05d}', 'diskFormat': 'qcow2', 'minDisk': 10, 'minRam': 512,
                          'imageType': 'os_image', 'instruction': '64-bits', 'cpuArch': 'x86', 'osType': 'linux',
                          'platform': 'CentOS', 'visibility': body.get('visibility', 'private'), 'usage': 'ecs',
                          'departmentId': tenant['department_id'], 'resourceGroupId': tenant.get('resource_group_id', '')}
                fields['imageTags'] = [dict(tag) for tag in image_tags]
                image = self._new_image(tenant['tenant_id'], fields)
                image['status'] = status
                if stamps is not None:
                    image.update(createdAt=stamps[index], updatedAt=stamps[index])
                if status == 'saving':
                    image['_job'] = {'kind': 'noop', 'started': time.time()}
                if status == 'active':
                    image['progress'] = '100'
                created.append(image)
            self.save()
        if body.get('with_object') and status == 'active':
            data = b'\0' * int(object_size)
            checksum = hashlib.new(self.switches['checksum'], data, usedforsecurity=False).hexdigest()
            for image in created:
                self.s3.put_bytes(self.bucket, image['imageId'], data)
                image.update(size=len(data), checksum=checksum)
            self.save()
        for image in created:
            if image['status'] == 'saving':
                self._spawn(image['imageId'])
        return {'imageIds': [i['imageId'] for i in created]}
