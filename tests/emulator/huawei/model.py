"""The IMS image model (Huawei IMS API: image attributes): records, the caller's view of one, list filters, seeds.

A record holds the documented attributes (strings where Huawei sends strings) plus private keys
starting with ``_`` (region, where its bytes are, key/value tags).  ``view()`` computes what
depends on who asks: ``__imagetype`` and ``visibility`` (IMS classification fields: an image with members is ``shared``
for its owner and for its members).
"""

import datetime
import re
import uuid

from tests.emulator.huawei.errors import img

# Where image bytes live (a bucket of the emulator's own in SeaweedFS), and what images made from servers hold.
STORE_BUCKET = 'ims-emulator-image-store'
SYNTHETIC_DISK = b'emulated disk image written by the Huawei emulator\n' * 1024
HUAWEI_PUBLIC_PROJECT = '0' * 24 + 'c0ffee00'
STATUSES = ('queued', 'saving', 'active', 'killed', 'deleted')
IMAGE_TYPES = ('gold', 'private', 'shared', 'market')
DISK_FORMATS = ('zvhd2', 'vhd', 'zvhd', 'raw', 'qcow2', 'iso')
# os_version -> (__platform, __os_type, __os_bit); what GET /v1/cloudimages/os_version serves.
OS_VERSIONS = {
    'CentOS 7.9 64bit': ('CentOS', 'Linux', '64'),
    'CentOS 8.2 64bit': ('CentOS', 'Linux', '64'),
    'Ubuntu 22.04 server 64bit': ('Ubuntu', 'Linux', '64'),
    'Ubuntu 20.04 server 64bit': ('Ubuntu', 'Linux', '64'),
    'Debian GNU/Linux 11.1.0 64bit': ('Debian', 'Linux', '64'),
    'EulerOS 2.5 64bit': ('EulerOS', 'Linux', '64'),
    'Huawei Cloud EulerOS 2.0 64bit': ('Huawei Cloud EulerOS', 'Linux', '64'),
    'Windows Server 2019 Standard 64bit': ('Windows', 'Windows', '64'),
    'Windows Server 2022 Datacenter 64bit': ('Windows', 'Windows', '64'),
    'Other Linux(64 bit)': ('Other', 'Linux', '64'),
    'Other Linux(32 bit)': ('Other', 'Linux', '32'),
    'Other Windows(64 bit)': ('Other', 'Windows', '64'),
}
DEFAULT_OS_VERSION = 'Other Linux(64 bit)'
NAME_RE = re.compile('^[A-Za-z0-9\\-._ \u4e00-\u9fff]{1,128}$')
OBS_URL_RE = re.compile(r'^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9]):([^\s].*)$')
EXTENSIONS = {'qcow2': 'qcow2', 'vhd': 'vhd', 'vhdx': 'vhd', 'zvhd': 'zvhd', 'zvhd2': 'zvhd2', 'raw': 'raw', 'img': 'raw',
              'vmdk': 'qcow2', 'qed': 'qcow2', 'vdi': 'qcow2', 'qcow': 'qcow2', 'iso': 'iso'}
SORT_KEYS = ('created_at', 'name', 'container_format', 'disk_format', 'status', 'id', 'size')
TIME_OPS = {'gt': lambda a, b: a > b, 'gte': lambda a, b: a >= b, 'lt': lambda a, b: a < b, 'lte': lambda a, b: a <= b,
            'eq': lambda a, b: a == b, 'neq': lambda a, b: a != b}
# Query parameters of GET /v2/cloudimages compared as strings with the attribute of the same name.
EXACT_FILTERS = ('__isregistered', '__system__cmkid', 'owner', 'id', 'status', 'name', 'container_format',
                 'disk_format', '__os_bit', '__platform', '__os_type', 'virtual_env_type', '__support_kvm',
                 '__support_xen', '__support_largememory', '__support_diskintensive', '__support_highperformance',
                 '__support_xen_gpu_type', '__support_kvm_gpu_type', '__support_xen_hana', '__support_kvm_infiniband')


def now_text(moment=None):
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def check_name(name, missing_code='IMG.0013'):
    if name in (None, ''):
        raise img(missing_code, 'The image name is missing.')
    if not isinstance(name, str):
        raise img('IMG.0003', 'The image name format is invalid.')
    if len(name) > 128:
        raise img('IMG.0002', 'The image name is too long (more than 128 characters).')
    if not NAME_RE.match(name) or name != name.strip(' '):
        raise img('IMG.0003', 'The image name format is invalid: letters, digits, -, ., _, spaces and Chinese '
                              'characters only, no leading or trailing space.')
    return name


def check_description(value):
    if value in (None, ''):
        return ''
    if not isinstance(value, str):
        raise img('IMG.0054', 'The description format is invalid.')
    if len(value) > 1024:
        raise img('IMG.0004', 'The description is too long (more than 1024 characters).')
    if '\r' in value or '<' in value or '>' in value:
        raise img('IMG.0054', 'The description must not contain a carriage return, < or >.')
    return value


def parse_obs_url(url, field='image_url'):
    """``bucket:object`` (10) -> (bucket, key); IMG.0017 otherwise."""
    match = OBS_URL_RE.match(url) if isinstance(url, str) else None
    if not match or match.group(2).startswith('/'):
        raise img('IMG.0017', f'The {field} format is incorrect: expected bucket:object.')
    return match.group(1), match.group(2)


def disk_format_of(key):
    extension = key.rsplit('.', 1)[-1].lower() if '.' in key else ''
    return EXTENSIONS.get(extension)


def os_fields(os_version):
    if os_version not in OS_VERSIONS:
        raise img('IMG.0056', f'The OS version {os_version!r} is invalid (see GET /v1/cloudimages/os_version).')
    platform, os_type, bit = OS_VERSIONS[os_version]
    return {'__os_version': os_version, '__platform': platform, '__os_type': os_type, '__os_bit': bit}


def new_image(owner, region, name, **fields):
    """A private image record, ``queued``, with every attribute a fresh IMS image has."""
    image_id = str(uuid.uuid4())
    stamp = now_text()
    record = {
        'id': image_id, 'name': name, 'status': 'queued', 'visibility': 'private', 'protected': False,
        'container_format': 'bare', 'disk_format': 'zvhd2', 'owner': owner, 'min_disk': 40, 'min_ram': 0,
        'size': 0, 'virtual_size': 0, 'checksum': '', 'tags': [], 'created_at': stamp, 'updated_at': stamp,
        'self': f'/v2/images/{image_id}', 'file': f'/v2/images/{image_id}/file', 'schema': '/v2/schemas/image',
        'enterprise_project_id': '0', 'hw_vif_multiqueue_enabled': 'false',
        '__imagetype': 'private', '__isregistered': 'true', '__image_size': '0',
        '__image_source_type': 'uds', '__image_location': '', '__originalimagename': '', '__backup_id': '',
        '__data_origin': '', '__lazyloading': 'true', '__os_feature_list': '', '__support_agent_list': '',
        '__is_config_init': 'false', '__support_kvm': 'true', 'virtual_env_type': 'FusionCompute',
        '_region': region, '_object': None, '_kv_tags': [], '_deleting': False, '_job': None,
    }
    record.update(os_fields(DEFAULT_OS_VERSION))
    record.update(fields)
    record['__image_location'] = f'ims-store/{image_id}'
    return record


def public_image(region, index, name, os_version, image_type='gold', arm=False, min_disk=40, size=2 * 1024 ** 3):
    stamp = now_text(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(days=index))
    record = new_image(HUAWEI_PUBLIC_PROJECT, region, name, status='active', visibility='public', protected=True,
                       min_disk=min_disk, created_at=stamp, updated_at=stamp, active_at=stamp, __imagetype=image_type,
                       __image_size=str(size), size=0, disk_format='zvhd2', __is_config_init='true',
                       __support_agent_list='hss,ces', **os_fields(os_version))
    record['id'] = str(uuid.uuid5(uuid.NAMESPACE_URL, f'huawei-emulator/{region}/{name}'))
    record['self'] = f"/v2/images/{record['id']}"
    record['file'] = f"/v2/images/{record['id']}/file"
    if arm:
        record['__support_arm'] = 'true'
        record['hw_firmware_type'] = 'uefi'
    if image_type == 'market':
        record['__productcode'] = f'00301-{index:06d}-0--0'
        record['__is_offshelved'] = 'false'
        record['__system_support_market'] = True
    return record


PUBLIC_IMAGES = (
    ('CentOS 7.9 64bit', 'CentOS 7.9 64bit', False),
    ('Ubuntu 22.04 server 64bit', 'Ubuntu 22.04 server 64bit', False),
    ('Debian 11.1.0 64bit', 'Debian GNU/Linux 11.1.0 64bit', False),
    ('Huawei Cloud EulerOS 2.0 Standard 64 bit', 'Huawei Cloud EulerOS 2.0 64bit', False),
    ('Huawei Cloud EulerOS 2.0 Standard 64 bit ARM', 'Huawei Cloud EulerOS 2.0 64bit', True),
    ('Windows Server 2019 Standard 64bit', 'Windows Server 2019 Standard 64bit', False),
)
MARKET_IMAGES = (('LAMP Stack Ubuntu 22.04', 'Ubuntu 22.04 server 64bit'),)


def seed_public(region):
    images = [public_image(region, i, name, version, arm=arm) for i, (name, version, arm) in enumerate(PUBLIC_IMAGES)]
    images += [public_image(region, 100 + i, name, version, image_type='market') for i, (name, version) in enumerate(MARKET_IMAGES)]
    return images


# ---------------------------------------------------------------- the caller's view and filters

def probe(record, project, members):
    """The record with what depends on the caller computed (``__imagetype``, ``visibility``, ``tags``), without
    copying it: what the list filters and sorting read."""
    overrides = {'tags': list(record['tags']) + [f"{t['key']}={t['value']}" for t in record['_kv_tags']]}
    if record['__imagetype'] in ('private', 'shared'):
        shared = 'shared' if bool(members) or record['owner'] != project else 'private'
        overrides.update({'__imagetype': shared, 'visibility': shared})
    return Probe(overrides, record)


class Probe:
    """A record seen through a few overriding attributes (cheaper than a copy, faster than a ChainMap)."""

    __slots__ = ('overrides', 'record')

    def __init__(self, overrides, record):
        self.overrides = overrides
        self.record = record

    def get(self, key, default=None):
        return self.overrides[key] if key in self.overrides else self.record.get(key, default)

    def __getitem__(self, key):
        return self.overrides[key] if key in self.overrides else self.record[key]


def view(record, project, members):
    """The image as ``project`` sees it: private keys dropped, ``__imagetype``/``visibility`` computed."""
    return public(probe(record, project, members))


def public(probed):
    out = {k: v for k, v in probed.record.items() if not k.startswith('_') or k.startswith('__')}
    out.update(probed.overrides)
    return out


def _time_filter(text, attribute_value):
    op, sep, moment = text.partition(':')
    if not sep or op not in TIME_OPS:
        raise img('IMG.0001', f'The time filter {text!r} must be <op>:<time>, op one of {", ".join(TIME_OPS)}.')
    parsed = _parse_time(moment)
    return TIME_OPS[op](_parse_time(attribute_value), parsed)


def _parse_time(text):
    for fmt in ('%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M:%S'):
        try:
            return datetime.datetime.strptime(text, fmt)
        except (TypeError, ValueError):
            continue
    raise img('IMG.0001', f'The time {text!r} must be yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-dd HH:mm:ss.')


def _bool_text(value):
    return 'true' if value in (True, 'true', 'True') else 'false'


def check_list_query(query):
    """Refuse the values of GET /v2/cloudimages that the reference enumerates."""
    if query.get('__imagetype') not in (None, '') and query['__imagetype'] not in IMAGE_TYPES:
        raise img('IMG.0024', f"The image type {query['__imagetype']!r} is wrong: gold, private, shared or market.")
    if query.get('status') not in (None, '') and query['status'] not in STATUSES:
        raise img('IMG.0001', f"The status {query['status']!r} is invalid.")
    if query.get('member_status') not in (None, ''):
        if query['member_status'] not in ('accepted', 'rejected', 'pending'):
            raise img('IMG.0001', f"The member_status {query['member_status']!r} is invalid.")
        if query.get('visibility') != 'shared':
            raise img('IMG.0001', 'member_status requires visibility=shared.')
    if query.get('visibility') not in (None, '', 'public', 'private', 'shared'):
        raise img('IMG.0001', f"The visibility {query['visibility']!r} is invalid.")
    if query.get('architecture') not in (None, '', 'x86', 'arm'):
        raise img('IMG.0212', 'The architecture must be x86 or arm.')
    if query.get('sort_key') not in (None, '') and query['sort_key'] not in SORT_KEYS:
        raise img('IMG.0001', f"The sort_key {query['sort_key']!r} is invalid: {', '.join(SORT_KEYS)}.")
    if query.get('sort_dir') not in (None, '', 'asc', 'desc'):
        raise img('IMG.0001', 'The sort_dir must be asc or desc.')


def _legacy_tags(image):
    """Old ``key.value`` tags are queried as ``key=value`` (GET /v2/cloudimages)."""
    return [t if '=' in t else t.replace('.', '=', 1) for t in image['tags']]


def _checks(query):
    """One predicate on the viewed image per filter present in ``query`` (built once per request)."""
    given = {k: v for k, v in query.items() if v not in (None, '')}
    checks = []
    for key in EXACT_FILTERS + ('min_ram', 'min_disk'):
        if key in given:
            checks.append(lambda i, k=key, v=given[key]: str(i.get(k, '')) == v)
    for key in ('__imagetype', 'visibility'):
        if key in given:
            checks.append(lambda i, k=key, v=given[key]: i.get(k) == v)
    for key in ('protected', '__whole_image'):
        if key in given:
            checks.append(lambda i, k=key, v=given[key].lower(): _bool_text(i.get(k)) == v)
    if 'tag' in given:
        checks.append(lambda i, v=given['tag']: v in _legacy_tags(i))
    if 'architecture' in given:
        checks.append(lambda i, v=given['architecture']: ('arm' if i.get('__support_arm') == 'true' else 'x86') == v)
    if given.get('enterprise_project_id', 'all_granted_eps') != 'all_granted_eps':
        checks.append(lambda i, v=given['enterprise_project_id']: i.get('enterprise_project_id', '0') == v)
    for key in ('created_at', 'updated_at'):
        if key in given:
            _time_filter(given[key], '2000-01-01T00:00:00Z')  # refuse a malformed filter even on an empty listing
            checks.append(lambda i, k=key, v=given[key]: _time_filter(v, i[k]))
    if 'flavor_id' in given:
        checks.append(lambda i: i.get('visibility') == 'public')
    return checks


def image_filter(query):
    """``matches(image, member_status)``: whether a viewed image passes every filter of ``query``;
    ``member_status`` is the caller's membership status of it (None when the caller owns it or it is public):
    shared images show once accepted, or with the ``member_status`` asked for (IMS members API)."""
    checks = _checks(query)
    wanted = query.get('member_status') or None

    def matches(image, member_status):
        if member_status is not None and member_status != (wanted or 'accepted'):
            return False
        if wanted and member_status is None:
            return False
        return all(check(image) for check in checks)
    return matches


def sort_images(images, sort_key, sort_dir):
    key = sort_key or 'created_at'
    reverse = (sort_dir or 'desc') == 'desc'
    if key == 'size':
        return sorted(images, key=lambda i: (int(i.get('size') or 0), i['id']), reverse=reverse)
    return sorted(images, key=lambda i: (str(i.get(key, '')), i['id']), reverse=reverse)
