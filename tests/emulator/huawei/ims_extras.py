"""Tags, quota, OS versions, API versions and schemas (Huawei IMS API and its Glance v2 endpoints).  A mixin of ``Ims``."""

from tests.emulator.huawei import model
from tests.emulator.huawei.errors import img

TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_PER_IMAGE = 36, 43, 10
VERSIONS = (('v2.2', 'CURRENT'), ('v2.1', 'SUPPORTED'), ('v2.0', 'SUPPORTED'), ('v1.1', 'DEPRECATED'), ('v1.0', 'DEPRECATED'))
SCHEMAS = {
    'image': {'name': 'image', 'properties': {'id': {'type': 'string'}, 'name': {'type': ['null', 'string']},
                                              'status': {'type': 'string', 'enum': list(model.STATUSES)}},
              'links': [{'href': '{self}', 'rel': 'self'}, {'href': '{file}', 'rel': 'enclosure'}],
              'additionalProperties': {'type': 'string'}},
    'member': {'name': 'member', 'properties': {'status': {'type': 'string', 'enum': ['pending', 'accepted', 'rejected']},
                                                'member_id': {'type': 'string'}, 'image_id': {'type': 'string'}}},
}


def _check_tag(tag):
    if not isinstance(tag, dict) or not isinstance(tag.get('key'), str) or not tag['key'] or not isinstance(tag.get('value'), str):
        raise img('IMG.0115', 'A tag needs a non-empty key and a value.')
    if len(tag['key']) > TAG_KEY_MAX or len(tag['value']) > TAG_VALUE_MAX:
        raise img('IMG.0115', f'A tag key has at most {TAG_KEY_MAX} characters, a value at most {TAG_VALUE_MAX}.')
    return {'key': tag['key'], 'value': tag['value']}


class ExtraOps:

    # ------------------------------------------------------------ key/value tags

    def _tagged(self, req, project_id, image_id):
        req.require_path_project(project_id)
        return self._own_image(req, image_id)

    def list_image_tags(self, req, project_id, image_id):
        with self.lock:
            return 200, {'tags': [dict(t) for t in self._tagged(req, project_id, image_id)['_kv_tags']]}

    def add_image_tag(self, req, project_id, image_id):
        tag = _check_tag(req.json().get('tag'))
        with self.lock:
            self._set_tags(self._tagged(req, project_id, image_id), [tag])
        return 204, None

    def _set_tags(self, record, tags):
        current = {t['key']: t for t in record['_kv_tags']}
        for tag in tags:
            current[tag['key']] = tag
        strings = record['tags']
        if self.switches['same_key_tags'] == 'one':     # README.md, "Switches": the string tag of the key is replaced
            keys = {tag['key'] for tag in tags}
            strings = [t for t in strings if '=' not in t or t.split('=', 1)[0] not in keys]
        if len(current) + len(strings) > TAGS_PER_IMAGE:
            raise img('IMG.0116', f'An image has at most {TAGS_PER_IMAGE} tags.')
        record['tags'], record['_kv_tags'] = strings, list(current.values())

    def batch_image_tags(self, req, project_id, image_id):
        body = req.json()
        if body.get('action') not in ('create', 'delete'):
            raise img('IMG.0001', 'action must be create or delete (case-sensitive).')
        tags = body.get('tags')
        if not isinstance(tags, list) or not tags:
            raise img('IMG.0001', 'tags must be a non-empty array.')
        tags = [_check_tag(t) if body['action'] == 'create' else self._tag_key(t) for t in tags]
        if len({t['key'] for t in tags}) != len(tags):
            raise img('IMG.0115', 'The tag keys must be unique.')
        with self.lock:
            record = self._tagged(req, project_id, image_id)
            if body['action'] == 'create':
                self._set_tags(record, tags)
            else:
                keys = {t['key'] for t in tags}
                record['_kv_tags'] = [t for t in record['_kv_tags'] if t['key'] not in keys]
        return 204, None

    @staticmethod
    def _tag_key(tag):
        if not isinstance(tag, dict) or not isinstance(tag.get('key'), str) or not tag['key']:
            raise img('IMG.0115', 'A tag to delete needs its key.')
        return {'key': tag['key']}

    def delete_image_tag(self, req, project_id, image_id, key):
        with self.lock:
            record = self._tagged(req, project_id, image_id)
            if key not in {t['key'] for t in record['_kv_tags']}:
                raise img('IMG.0115', f'The image has no tag {key!r}.', 404)
            record['_kv_tags'] = [t for t in record['_kv_tags'] if t['key'] != key]
        return 204, None

    def list_project_tags(self, req, project_id):
        req.require_path_project(project_id)
        values = {}
        with self.lock:
            for record in self.images.values():
                if record['owner'] == req.project and record['_region'] == req.region:
                    for tag in record['_kv_tags']:
                        values.setdefault(tag['key'], set()).add(tag['value'])
        return 200, {'tags': [{'key': k, 'values': sorted(v)} for k, v in sorted(values.items())]}

    def resource_instances(self, req, project_id):
        req.require_path_project(project_id)
        body = req.json()
        if body.get('action') not in ('filter', 'count'):
            raise img('IMG.0001', 'action must be filter or count.')
        try:
            limit, offset = int(body.get('limit', '10')), int(body.get('offset', '0'))
        except (TypeError, ValueError):
            raise img('IMG.0001', 'limit and offset are strings of digits.') from None
        if not 1 <= limit <= 1000 or offset < 0:
            raise img('IMG.0001', 'limit must be from 1 to 1000 and offset not negative.')
        with self.lock:
            found = [r for r in self.images.values() if r['owner'] == req.project and r['_region'] == req.region
                     and self._tag_match(r, body)]
            found.sort(key=lambda r: r['created_at'])
            resources = [{'resource_id': r['id'], 'resource_name': r['name'], 'resource_detail': {'status': r['status']},
                          'tags': [dict(t) for t in r['_kv_tags']]} for r in found[offset:offset + limit]]
        if body['action'] == 'count':
            return 200, {'total_count': len(found)}
        return 200, {'resources': resources, 'total_count': len(found)}

    @staticmethod
    def _tag_match(record, body):
        tags = {t['key']: t['value'] for t in record['_kv_tags']}

        def has(spec):
            return spec['key'] in tags and (not spec.get('values') or tags[spec['key']] in spec['values'])
        if body.get('without_any_tag') is True and tags:
            return False
        checks = ((body.get('tags'), all, True), (body.get('tags_any'), any, True),
                  (body.get('not_tags'), all, False), (body.get('not_tags_any'), any, False))
        for specs, combine, wanted in checks:
            if specs and combine(has(s) for s in specs) != wanted:
                return False
        for match in body.get('matches') or []:
            field = {'resource_name': record['name'], 'resource_id': record['id']}.get(match.get('key'))
            if field is None or match.get('value', '') not in field:
                return False
        return True

    def glance_add_tag(self, req, image_id, tag):
        if '=' in tag or '.' in tag or not 1 <= len(tag) <= 255:
            raise img('IMG.0115', 'A Glance tag has 1-255 characters and neither = nor .')
        with self.lock:
            record = self._own_image(req, image_id)
            if tag not in record['tags']:
                record['tags'].append(tag)
        return 204, None

    def glance_delete_tag(self, req, image_id, tag):
        with self.lock:
            record = self._own_image(req, image_id)
            if tag in record['tags']:
                record['tags'].remove(tag)
        return 204, None

    # ------------------------------------------------------------ quota, OS versions, versions, schemas

    def quota(self, req):
        with self.lock:
            used = self._private_count(req.project)
            shared = sum(1 for image_id, per in self.members.items() if per and self.images.get(image_id, {}).get('owner') == req.project)
        return 200, {'quotas': {'resources': [
            {'type': 'image', 'used': used, 'quota': self.switches['quota'], 'min': 1, 'max': 1000},
            {'type': 'image_shared', 'used': shared, 'quota': 100, 'min': 1, 'max': 1000},
            {'type': 'image_member', 'used': 0, 'quota': 256, 'min': 1, 'max': 256}]}}

    def os_versions(self, req):
        tag = req.query.get('tag')
        if tag not in (None, '', 'bms', 'uefi', 'arm', 'x86'):
            raise img('IMG.0001', 'tag must be bms, uefi, arm or x86.')
        platforms = {}
        for version, (platform, os_type, bit) in model.OS_VERSIONS.items():
            platforms.setdefault(platform, []).append({'platform': platform, 'os_version_key': version, 'os_version': version,
                                                       'os_bit': int(bit), 'os_type': os_type})
        return 200, [{'platform': p, 'version_list': v} for p, v in sorted(platforms.items())]

    def api_versions(self, req):
        return 300, {'versions': [self._version(req, v, s) for v, s in VERSIONS]}

    def api_version(self, req, version):
        for name, status in VERSIONS:
            if name == version or name == version + '.0':
                return 300, {'versions': [self._version(req, name, status)]}
        raise img('IMG.0001', f'The API version {version} does not exist.', 404)

    @staticmethod
    def _version(req, name, status):
        return {'id': name, 'status': status, 'updated': '2024-01-01T00:00:00Z',
                'links': [{'href': f"{req.base_url}/{name.split('.')[0]}/", 'rel': 'self'}]}

    def schema(self, req, name):  # pylint: disable=unused-argument
        if name in SCHEMAS:
            return 200, SCHEMAS[name]
        if name.rstrip('s') in SCHEMAS:
            singular = SCHEMAS[name.rstrip('s')]
            return 200, {'name': name, 'properties': {name: {'type': 'array', 'items': singular}},
                         'links': [{'href': '{first}', 'rel': 'first'}, {'href': '{next}', 'rel': 'next'}]}
        raise img('IMG.0001', f'The schema {name} does not exist.', 404)

    # ------------------------------------------------------------ deprecated Glance v1 / v1.1 (8)

    def _v1_image(self, record):
        return {'id': record['id'], 'name': record['name'], 'status': record['status'], 'deleted': record['_deleting'],
                'deleted_at': record['updated_at'] if record['_deleting'] else None, 'container_format': record['container_format'],
                'disk_format': record['disk_format'], 'created_at': record['created_at'], 'updated_at': record['updated_at'],
                'min_disk': record['min_disk'], 'min_ram': record['min_ram'], 'protected': record['protected'],
                'is_public': record['__imagetype'] in ('gold', 'market'), 'owner': record['owner'], 'checksum': record['checksum'],
                'size': int(record.get('size') or 0), 'virtual_size': int(record.get('virtual_size') or 0),
                'properties': {k: v for k, v in record.items() if k.startswith('__') and isinstance(v, str)}}

    def v11_list_detail(self, req):
        query = req.query
        with self.lock:
            images = [self._v1_image(r) for r in self.images.values() if self._visible(r, req)]
        for key in ('name', 'container_format', 'disk_format', 'status'):
            if query.get(key) not in (None, ''):
                images = [i for i in images if str(i[key]) == query[key]]
        for key, keep in (('size_min', lambda size, bound: size >= bound), ('size_max', lambda size, bound: size <= bound)):
            if query.get(key) not in (None, ''):
                try:
                    bound = int(query[key])
                except ValueError:
                    raise img('IMG.0001', f'{key} must be an integer.') from None
                images = [i for i in images if keep(i['size'], bound)]
        if query.get('changes-since') not in (None, ''):
            images = [i for i in images if i['updated_at'] >= query['changes-since']]
        return 200, {'images': images}

    def v1_head(self, req, image_id):
        with self.lock:
            image = self._v1_image(self._image(req, image_id, status=404))
        headers = [('X-Image-Meta-' + key.capitalize(), '' if image[key] is None else str(image[key]).lower() if isinstance(image[key], bool)
                    else str(image[key]))
                   for key in ('id', 'name', 'status', 'deleted', 'container_format', 'disk_format', 'checksum', 'protected',
                               'min_disk', 'min_ram', 'size', 'is_public', 'owner', 'created_at', 'updated_at')]
        headers.append(('Etag', image['checksum']))
        return 200, None, headers

    def v11_delete(self, req, image_id):
        return self.glance_delete(req, image_id)
