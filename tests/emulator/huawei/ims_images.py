"""IMS image writes besides the create endpoint (Huawei IMS API: update, quick import, data and whole images,
register, export, copy, cross-region copy, and Glance v2 update, delete, create and upload).

Quick import, data and full-ECS images, register, export to OBS, in-region and cross-region
copy, update (both PATCH dialects), delete, Glance metadata create and upload.  A mixin of ``Ims``.
"""

import re

from tests.emulator.huawei import model
from tests.emulator.huawei.bodies import common_fields, int_in
from tests.emulator.huawei.errors import HuaweiError, img
from tests.emulator.huawei.jobs import JobFailure, new_job, unlocked
from tests.emulator.huawei.model import STORE_BUCKET, SYNTHETIC_DISK

# PATCH /v2/cloudimages/{id} paths besides custom lower-case attributes.
UPDATABLE = ('name', '__description', 'min_ram', 'max_ram', 'hw_firmware_type', 'hw_vif_multiqueue_enabled',
             'enterprise_project_id', '__is_config_init', '__support_fc_inject', '__support_xen', '__support_largememory',
             '__support_diskintensive', '__support_highperformance', '__support_xen_gpu_type', '__support_kvm_gpu_type',
             '__support_xen_hana', '__support_kvm_infiniband', '__support_amd', '__support_kvm_hi1822_hisriov',
             '__support_kvm_hi1822_hivirtionet')
# Attributes no PATCH may change: the custom-attribute rule must not reach them.
FIXED = ('id', 'status', 'owner', 'visibility', 'protected', 'created_at', 'updated_at', 'self', 'file', 'schema',
         'disk_format', 'container_format', 'size', 'checksum', 'min_disk', 'tags', 'virtual_size')
CUSTOM_ATTRIBUTE_RE = re.compile('^[a-z][a-z0-9_]{0,254}$')
# The documented attributes of an image without a leading "__": none is a custom attribute, so Glance's PATCH
# (PATCH /v2/images/{image_id}: "only the name, description and custom attributes") refuses them with the switch glance_patch "documented".
IMAGE_ATTRIBUTES = FIXED + ('min_ram', 'max_ram', 'active_at', 'enterprise_project_id', '_sys_enterprise_project_id',
                            'hw_firmware_type', 'hw_vif_multiqueue_enabled', 'os_shutdown_timeout', 'properties',
                            'virtual_env_type', 'architecture')
EXPORT_FORMATS = ('qcow2', 'vhd', 'zvhd', 'vmdk')
GLANCE_PATCH_TYPES = ('application/openstack-images-v2.1-json-patch', 'application/openstack-images-v2.0-json-patch')
AKSK_BODY_LIMIT = 12 * 1024 * 1024
# What switch export_bytes=converted appends to an exported file: other bytes than the ones imported.
CONVERTED = b'\0exported-by-the-emulator-in-another-format'


class _Appended:
    """A readable stream, then ``tail``: an exported file whose bytes differ from the image's (export_bytes)."""

    def __init__(self, body, tail):
        self._body = body
        self._tail = tail

    def read(self, size=-1):
        data = self._body.read(size)
        if data:
            return data
        data, self._tail = self._tail, b''
        return data


def _unset(record, attribute):
    return record.get(attribute) in (None, '')


class ImageOps:

    # ------------------------------------------------------------ other create endpoints (quick import, data and whole images)

    def quick_import(self, req):
        body = req.json()
        name = model.check_name(body.get('name'))
        data_image = body.get('type') == 'DataImage'
        if not data_image and body.get('os_version') in (None, ''):
            raise img('IMG.0056', 'os_version is required to quick-import a system disk image.')
        if body.get('license_type') not in (None, 'platform', 'byol'):
            raise img('IMG.0001', 'license_type must be platform or byol.')
        if body.get('image_url') in (None, ''):
            raise img('IMG.0017', 'image_url is required.')
        job_type = 'imsImportDataImageJob' if data_image else 'imsImportImageJob'
        return self._create_from_file(req, body, name, common_fields(body), quick=True, data_image=data_image, job_type=job_type)

    def create_data_image(self, req):
        body = req.json()
        name = model.check_name(body.get('name'))
        if body.get('os_type') not in (None, 'Linux', 'Windows'):
            raise img('IMG.0122', 'os_type must be Linux or Windows.')
        if body.get('image_url') in (None, ''):
            raise img('IMG.0017', 'image_url is required.')
        fields = common_fields(body)
        if body.get('cmk_id'):
            fields['__system__cmkid'] = body['cmk_id']
        return self._create_from_file(req, body, name, fields, data_image=True, job_type='imsImportDataImageJob')

    def create_whole_image(self, req):
        body = req.json()
        name = model.check_name(body.get('name'))
        fields = dict(common_fields(body), __whole_image=True)
        with self.lock:
            if body.get('backup_id'):
                backup = self.backups.get(body['backup_id'])
                if backup is None or backup['project'] != req.project:
                    raise img('IMG.0020', f"The backup {body['backup_id']} does not exist.")
                if body.get('whole_image_type') != 'CBR':
                    raise img('IMG.0193', 'whole_image_type must be CBR for a CBR backup.')
                if any(r.get('__backup_id') == backup['id'] and not r['_deleting'] for r in self.images.values()):
                    raise img('IMG.0001', f"The backup {backup['id']} already has a full-ECS image.")
                fields.update(__backup_id=backup['id'], __data_origin=f"instance,{backup['server']}")
                job_type = 'imsCreateWholeImageByBackupJob'
            elif body.get('instance_id'):
                server = self._server(req, body['instance_id'])
                if any(b['server'] == server['id'] for b in self.backups.values()) and not body.get('vault_id'):
                    raise img('IMG.0185', 'vault_id is required: the server is backed up by CBR.')
                fields.update(__data_origin=f"instance,{server['id']}",
                              __backup_id=f"autobackup-{server['id'][:8]}" if body.get('vault_id') else '')
                job_type = 'imsCreateWholeImageByInstanceJob'
            else:
                raise img('IMG.0012', 'instance_id or backup_id is required.')
            self._check_quota(req)
            return self._start_made(req, new_job(job_type, req.project, req.region), [(name, fields)])

    # ------------------------------------------------------------ register and Glance upload

    def register_image(self, req, image_id):
        body = req.json()
        bucket, key = model.parse_obs_url(body.get('image_url'))
        with self.lock:
            record = self._metadata_only(req, image_id)
            record['_job'] = 'register'
            job = new_job('imsNativeImportImageJob', req.project, req.region)
            fields = {'disk_format': model.disk_format_of(key) or record['disk_format'], '__data_origin': f'file,{bucket}:{key}',
                      '__root_origin': 'file'}
            record.update(fields)
            return self._run_job(job, self._file_stages([(record, (bucket, key))], job), self._kill([record]))

    def _metadata_only(self, req, image_id):
        """An image made by POST /v2/images that has no data yet."""
        record = self._own_image(req, image_id)
        if record['status'] != 'queued' or record['_object'] is not None or record['_job'] is not None:
            raise img('IMG.0046', f"The image {image_id} is {record['status']}: only a queued image without data takes a file.")
        return record

    def glance_upload(self, req, image_id):
        content_type = (req.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if content_type != 'application/octet-stream':
            raise img('IMG.0001', 'The Content-Type of an upload must be application/octet-stream.', 415)
        with self.lock:
            try:
                record = self._metadata_only(req, image_id)
            except HuaweiError as exc:
                raise img(exc.code, exc.message, 409) from None
            record['_job'] = 'upload'
            self._set_status(record, 'saving')
        try:
            size = self._store_upload(record, req.body)
        except Exception:  # pylint: disable=broad-except
            with self.lock:
                record['_job'] = None
                self._set_status(record, 'killed')
            raise
        with self.lock:
            record.update(_object=record['id'], __image_size=str(size), size=size)

        def active():
            record['_job'] = None
            self._set_status(record, 'active')
        self.runner.later(active)
        return 204, None

    def _store_upload(self, record, body):
        if self.store is None:
            raise img('IMG.0069', 'The emulator runs without object storage.', 500)
        if isinstance(body, (bytes, bytearray)):
            self.store.put_bytes(STORE_BUCKET, record['id'], bytes(body))
            return len(body)
        return self.store.put_stream(STORE_BUCKET, record['id'], body)[1]

    # ------------------------------------------------------------ export

    def export_image(self, req, image_id):
        body = req.json()
        bucket, key = model.parse_obs_url(body.get('bucket_url'), field='bucket_url')
        if ' ' in key:
            raise img('IMG.0175', 'The exported file name must not contain spaces.')
        if len(key) > 1024:
            raise img('IMG.0074', 'The exported file name is too long.')
        quick = body.get('is_quick_export') is True
        if not quick and body.get('file_format') not in EXPORT_FORMATS:
            raise img('IMG.0072', f"file_format must be one of {', '.join(EXPORT_FORMATS)} (or is_quick_export).")
        with self.lock:
            record = self._exportable(req, image_id)
            record['_exporting'] = True
            job = new_job('imsNativeExportImageJob', req.project, req.region, {'image_id': image_id, 'image_name': record['name']})

            @unlocked
            def write():
                self._export_object(record, bucket, key)

            def done():
                record['_exporting'] = False

            def on_fail(failure):  # pylint: disable=unused-argument
                record['_exporting'] = False
            return self._run_job(job, [write, done], on_fail)

    def _exportable(self, req, image_id):
        record = self._image(req, image_id)
        if record['__imagetype'] in ('gold', 'market'):
            raise img('IMG.0071', f'The public image {image_id} cannot be exported.')
        if record['owner'] != req.project:
            raise img('IMG.0047', f'Only the owner may export image {image_id}.')
        if record.get('__whole_image'):
            raise img('IMG.0130', 'A full-ECS image cannot be exported or replicated.')
        if record['disk_format'] == 'iso':
            raise img('IMG.0167', 'An ISO image cannot be exported.')
        if record['status'] != 'active':
            raise img('IMG.0046', f"The image {image_id} is {record['status']}, not active.")
        if record.get('_exporting'):
            raise img('IMG.0148', f'The image {image_id} is being exported.')
        return record

    def _export_object(self, record, bucket, key):
        self._require_bucket(bucket)
        if self.store.head_size(bucket, key) is not None:
            raise JobFailure('IMG.0070', f'The object {bucket}:{key} exists already.')
        if record['_object'] and self.switches['export_bytes'] == 'converted':
            self.store.put_stream(bucket, key, _Appended(self.store.open(STORE_BUCKET, record['_object'])[1], CONVERTED))
        elif record['_object']:
            self.store.copy(STORE_BUCKET, record['_object'], bucket, key)
        else:
            self.store.put_bytes(bucket, key, SYNTHETIC_DISK)

    # ------------------------------------------------------------ copy, in region and across regions

    def _copy_source(self, req, image_id):
        record = self._image(req, image_id)
        if record['owner'] != req.project:
            status = self._member_status(record, req.project)
            if status is None:
                raise img('IMG.0047', f'The image {image_id} is not yours to copy.')
            if status != 'accepted':
                raise img('IMG.0196', 'A shared image must be accepted before it is copied.')
            if record.get('__system__cmkid'):
                raise img('IMG.0197', 'An encrypted shared image cannot be copied.')
        if record['disk_format'] == 'iso':
            raise img('IMG.0167', 'An ISO image cannot be copied.')
        if record['status'] != 'active':
            raise img('IMG.0046', f"The image {image_id} is {record['status']}, not active.")
        return record

    def copy_in_region(self, req, image_id):
        body = req.json()
        name = model.check_name(body.get('name'))
        with self.lock:
            source = self._copy_source(req, image_id)
            if source.get('__whole_image'):
                raise img('IMG.0130', 'A full-ECS image cannot be exported or replicated.')
            self._check_quota(req)
            fields = self._copied_fields(source, body, self.switches['copy_parent'])
            return self._copy_job(req, new_job('imsCopyImageInRegionJob', req.project, req.region), source, name, fields,
                                  req.project, req.region)

    def copy_cross_region(self, req, image_id):
        body = req.json()
        name = model.check_name(body.get('name'))
        region = body.get('region')
        if region not in self.accounts.regions or region == req.region:
            raise img('IMG.0001', f'The target region {region!r} is not another region of this cloud.')
        target_project = next((p['id'] for p in self.accounts.projects.values()
                               if p['tenant'] == req.tenant['name'] and p['region'] == region and p['name'] == body.get('project_name')), None)
        if target_project is None:
            raise img('IMG.0145', f"The project name {body.get('project_name')!r} is incorrect for region {region}.")
        if not body.get('agency_name'):
            raise img('IMG.0001', 'agency_name is required.')
        with self.lock:
            source = self._copy_source(req, image_id)
            if source.get('__system__cmkid'):
                raise img('IMG.0098', 'An encrypted image cannot be copied to another region.')
            if source.get('__whole_image') and not body.get('vault_id'):
                raise img('IMG.0001', 'vault_id is required to copy a full-ECS image.')
            fields = self._copied_fields(source, body, self.switches['copy_parent'])
            job = new_job('imsCopyImageCrossRegionJob', req.project, req.region)
            return self._copy_job(req, job, source, name, fields, target_project, region)

    @staticmethod
    def _copied_fields(source, body, parent):
        keep = ('disk_format', 'min_disk', 'min_ram', 'max_ram', '__os_version', '__os_type', '__platform', '__os_bit',
                'virtual_env_type', 'hw_firmware_type', '__support_arm', '__image_size', 'size', '__whole_image', '__backup_id')
        fields = {k: source[k] for k in keep if k in source}
        fields['__originalimagename'] = source['id'] if parent == 'source' else ''
        fields['__data_origin'] = source.get('__data_origin', '')
        if body.get('description'):
            fields['__description'] = model.check_description(body['description'])
        if body.get('enterprise_project_id'):
            fields['enterprise_project_id'] = body['enterprise_project_id']
        if body.get('cmk_id'):
            fields['__system__cmkid'] = body['cmk_id']
        return fields

    def _copy_job(self, req, job, source, name, fields, project, region):
        """queued in the target project/region -> saving (bytes copied) -> active; the job stays in the caller's."""
        made = []

        def queued():
            record = model.new_image(project, region, name, _job=job['job_id'], **fields)
            self.images[record['id']] = record
            made.append(record)

        def saving():
            self._set_status(made[0], 'saving')

        @unlocked
        def copy_bytes():
            if source['_object'] and self.store is not None:
                self.store.copy(STORE_BUCKET, source['_object'], STORE_BUCKET, made[0]['id'])
                with self.lock:
                    made[0]['_object'] = made[0]['id']

        def active():
            self._finish_images(job, made)
        return self._run_job(job, [queued, saving, copy_bytes, active], self._kill(made))

    # ------------------------------------------------------------ update, IMS and Glance

    def update_cloudimage(self, req, image_id):
        operations = req.json(expect=list)
        with self.lock:
            record = self._own_image(req, image_id, code='IMG.0106')
            if record['status'] != 'active':
                raise img('IMG.0046', f"Only an active image can be updated; {image_id} is {record['status']}.")
            changes = [self._arm_firmware(record, change) for change in (self._operation(record, op) for op in operations)]
            self._apply(record, changes)
            return 200, self._view(record, req)

    def _arm_firmware(self, record, change):
        """BIOS asked for an Arm image: refused, or UEFI kept (switch ``arm_bios``, as ``bodies.file_fields``)."""
        if change != ('hw_firmware_type', 'bios') or record.get('__support_arm') != 'true':
            return change
        if self.switches['arm_bios'] == 'refuse':
            raise img('IMG.0141', 'An Arm image boots with UEFI only: hw_firmware_type must be uefi.')
        return 'hw_firmware_type', 'uefi'

    def _operation(self, record, operation, glance=False):
        if not isinstance(operation, dict) or operation.get('op') not in ('add', 'replace', 'remove'):
            raise img('IMG.0001', 'Each operation needs op add, replace or remove.')
        path = operation.get('path')
        attribute = path[1:] if isinstance(path, str) and path.startswith('/') else None
        allowed = ('name', '__description', 'description') if glance else UPDATABLE
        # Any lower-case attribute passes Glance's PATCH only with the switch glance_patch "any".
        documented = IMAGE_ATTRIBUTES if glance and self.switches['glance_patch'] == 'documented' else FIXED
        if attribute is None or attribute in documented or (attribute not in allowed and not CUSTOM_ATTRIBUTE_RE.match(attribute)):
            raise img('IMG.0001', f'The path {path!r} cannot be updated.')
        if glance and attribute == 'description':
            attribute = '__description'
        if operation['op'] != 'remove' and 'value' not in operation:
            raise img('IMG.0001', f'The operation on {path} needs a value.')
        if operation['op'] in ('replace', 'remove') and _unset(record, attribute):
            raise img('IMG.0035', f'The attribute {attribute} is not set: {operation["op"]} conflicts (use add).')
        value = None if operation['op'] == 'remove' else self._checked_value(attribute, operation['value'])
        return attribute, value

    @staticmethod
    def _checked_value(attribute, value):
        if attribute == 'name':
            return model.check_name(value)
        if attribute == '__description':
            return model.check_description(value)
        if attribute == 'min_ram':
            try:
                return int(value)
            except (TypeError, ValueError):
                raise img('IMG.0055', 'min_ram must be a number of MB.') from None
        if attribute == 'hw_firmware_type' and value not in ('bios', 'uefi'):
            raise img('IMG.0141', 'hw_firmware_type must be bios or uefi.')
        return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)

    @staticmethod
    def _apply(record, changes):
        for attribute, value in changes:
            if value is None:
                record.pop(attribute, None)
            else:
                record[attribute] = value
        record['updated_at'] = model.now_text()

    def glance_update(self, req, image_id):
        content_type = (req.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if content_type not in GLANCE_PATCH_TYPES:
            raise img('IMG.0001', f'The Content-Type must be one of {", ".join(GLANCE_PATCH_TYPES)}.', 415)
        operations = req.json(expect=list)
        if content_type.endswith('v2.0-json-patch'):
            operations = [self._v20_operation(op) for op in operations]
        with self.lock:
            record = self._own_image(req, image_id, code='IMG.0106')
            changes = []
            for operation in operations:
                if operation.get('op') == 'add' and isinstance(operation.get('path'), str):
                    attribute = operation['path'][1:]
                    if not _unset(record, '__description' if attribute == 'description' else attribute):
                        operation = dict(operation, op='replace')
                changes.append(self._operation(record, operation, glance=True))
            self._apply(record, changes)
            return 200, self._view(record, req)

    @staticmethod
    def _v20_operation(operation):
        """``{"replace": "/name", "value": "x"}`` -> ``{"op": "replace", "path": "/name", "value": "x"}``."""
        for op in ('add', 'replace', 'remove'):
            if isinstance(operation, dict) and op in operation:
                converted = {'op': op, 'path': operation[op]}
                if 'value' in operation:
                    converted['value'] = operation['value']
                return converted
        raise img('IMG.0001', 'Each v2.0 operation names add, replace or remove.')

    # ------------------------------------------------------------ delete and Glance create

    def glance_delete(self, req, image_id):
        body = req.json()
        with self.lock:
            record = self.images.get(image_id)
            if record is None or not self._visible(record, req):
                raise img('IMG.0027', f'The image {image_id} does not exist.', 404)
            if record['__imagetype'] in ('gold', 'market'):
                raise img('IMG.0094', 'A public image cannot be deleted.')
            if record['owner'] != req.project:
                raise img('IMG.0092', f'Only the owner may delete image {image_id}.')
            if record['protected']:
                raise img('IMG.0028', f'The image {image_id} is protected.')
            if record['_job'] is not None:
                raise img('IMG.0090', f'The image {image_id} is still being created.')
            if not isinstance(body.get('delete_backup', False), bool):
                raise img('IMG.0001', 'delete_backup must be a boolean.')
            if not record['_deleting']:
                record['_deleting'] = True
                self._set_status(record, 'deleted')
                self.runner.later(lambda: self._remove(image_id))
        return 204, None

    def _remove(self, image_id):
        record = self.images.pop(image_id, None)
        self.members.pop(image_id, None)
        if record is not None and record['_object'] and self.store is not None:
            try:
                self.store.delete(STORE_BUCKET, record['_object'])
            except Exception:  # pylint: disable=broad-except  # a leftover object is harmless
                pass

    def glance_create(self, req):
        body = req.json()
        name = body.get('name')
        if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 255):
            raise img('IMG.0003', 'name must have 1 to 255 characters.')
        if body.get('visibility') not in (None, 'private'):
            raise img('IMG.0001', 'Only visibility private is allowed.')
        tags = body.get('tags') or []
        if not isinstance(tags, list) or not all(isinstance(t, str) and 1 <= len(t) <= 255 for t in tags):
            raise img('IMG.0115', 'tags must be an array of strings of 1 to 255 characters.')
        disk_format = body.get('disk_format') or 'zvhd2'
        if disk_format not in ('zvhd2', 'vhd', 'zvhd', 'raw', 'qcow2'):
            raise img('IMG.0001', f'disk_format {disk_format!r} is not supported.')
        fields = {'disk_format': disk_format, 'min_disk': int_in(body, 'min_disk', 1, 1024, required=False, default=0),
                  'min_ram': int_in(body, 'min_ram', 0, 1024 * 1024, required=False, default=0),
                  'protected': body.get('protected') is True, 'container_format': body.get('container_format') or 'bare',
                  'tags': list(tags)}
        fields.update(model.os_fields(body.get('__os_version') or model.DEFAULT_OS_VERSION))
        with self.lock:
            self._check_quota(req)
            record = self._add_image(req, name or '', **fields)
            return 201, dict(self._view(record, req), properties={})
