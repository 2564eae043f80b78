"""IMS state and its endpoints (Huawei IMS API, its extension and Glance v2 endpoints): images, jobs, members, tags, quota.

One ``Ims`` holds every region's images (each record knows its region), so a cross-region copy
is one state change.  Handlers take a ``Request`` (``tests/emulator/huawei/http.py``) and return
``(status, body)``; they raise ``HuaweiError`` for the documented error bodies.
"""

import copy
import threading
import uuid
from urllib.parse import urlencode

from tests.emulator._http import Switches
from tests.emulator.huawei import model
from tests.emulator.huawei.bodies import common_fields, file_fields, int_in
from tests.emulator.huawei.errors import img
from tests.emulator.huawei.ims_extras import ExtraOps
from tests.emulator.huawei.ims_images import ImageOps
from tests.emulator.huawei.ims_members import MemberOps
from tests.emulator.huawei.jobs import JobFailure, JobFaults, JobRunner, new_job, public_job, unlocked
from tests.emulator.huawei.model import STORE_BUCKET, SYNTHETIC_DISK
from tests.emulator.huawei.switches import SWITCHES

DEFAULT_LIMIT = 500


def _ids(prefix, *parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'huawei-emulator/' + '/'.join((prefix,) + parts)))


class Ims(ImageOps, MemberOps, ExtraOps):
    """Every region's IMS state, behind one lock."""

    def __init__(self, accounts, store=None, switches=None):
        self.accounts = accounts
        self.switches = switches or Switches(SWITCHES)
        self.store = store
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.job_faults = JobFaults()
        self.runner = JobRunner(self.lock, self.switches, self.stopping, self.job_faults)
        self.reset()

    # ------------------------------------------------------------ state

    def reset(self):
        with self.lock:
            self.runner.generation += 1
            self.images = {}
            self.members = {}
            self.jobs = {}
            self.servers = {}
            self.volumes = {}
            self.backups = {}
            for region in self.accounts.regions:
                for record in model.seed_public(region):
                    self.images[record['id']] = record
            for tenant in self.accounts.tenants:
                for region, project in tenant['projects'].items():
                    self._seed_servers(tenant['name'], region, project)
            self.job_faults.set([])

    def _seed_servers(self, tenant_name, region, project):
        """Two stopped ECS servers (a system disk and two data disks each) and a CBR backup of the first."""
        for index in (1, 2):
            server_id = _ids('ecs', tenant_name, region, str(index))
            data = [_ids('evs', tenant_name, region, str(index), str(d)) for d in (1, 2)]
            self.servers[server_id] = {'id': server_id, 'name': f'{tenant_name}-ecs-{index}', 'project': project, 'region': region,
                                       'status': 'SHUTOFF', 'system_volume': _ids('evs', tenant_name, region, str(index), '0'),
                                       'data_volumes': data}
            self.volumes[self.servers[server_id]['system_volume']] = {'project': project, 'server': server_id, 'kind': 'system', 'size': 40}
            for volume in data:
                self.volumes[volume] = {'project': project, 'server': server_id, 'kind': 'data', 'size': 100}
            if index == 1:
                backup = _ids('cbr', tenant_name, region)
                self.backups[backup] = {'id': backup, 'project': project, 'server': server_id,
                                        'vault_id': _ids('vault', tenant_name, region), 'type': 'CBR'}

    def snapshot(self):
        """The whole state, for tests (``GET /_emulator/state``)."""
        with self.lock:
            return {'images': [dict(r) for r in self.images.values() if r['owner'] != model.HUAWEI_PUBLIC_PROJECT],
                    'members': [dict(m) for per in self.members.values() for m in per.values()],
                    'jobs': [dict(j) for j in self.jobs.values()],
                    'servers': list(self.servers.values()),
                    'backups': list(self.backups.values()),
                    'volumes': [dict(v, id=k) for k, v in self.volumes.items()]}

    def seed_images(self, body):
        """``{"project", "region", "count", "prefix", "status", ...attributes}``: private images at once, no job."""
        count = int(body.get('count', 1))
        attributes = {k: v for k, v in body.items() if k not in ('project', 'region', 'count', 'prefix', 'name')}
        made = []
        with self.lock:
            for index in range(count):
                name = body.get('name') or f"{body.get('prefix', 'seed-')}{index:05d}"
                record = model.new_image(body['project'], body['region'], name, **dict({'status': 'active'}, **attributes))
                self.images[record['id']] = record
                made.append(record['id'])
        return {'ids': made}

    # ------------------------------------------------------------ helpers

    def _members_of(self, image_id):
        return self.members.get(image_id, {})

    def _member_status(self, record, project):
        member = self._members_of(record['id']).get(project)
        return member['status'] if member else None

    def _visible(self, record, req):
        if record['_region'] != req.region:
            return False
        if record['__imagetype'] in ('gold', 'market') or record['owner'] == req.project:
            return True
        return req.project in self._members_of(record['id'])

    def _view(self, record, req):
        return model.view(record, req.project, self._members_of(record['id']))

    def _image(self, req, image_id, status=400):
        """The record of an image the caller can see, or IMG.0027."""
        record = self.images.get(image_id)
        if record is None or not self._visible(record, req):
            raise img('IMG.0027', f'The image {image_id} does not exist.', status)
        return record

    def _own_image(self, req, image_id, code='IMG.0047'):
        record = self._image(req, image_id)
        if record['owner'] != req.project:
            raise img(code, f'Only the owner of image {image_id} may do this.')
        return record

    def _private_count(self, project):
        return sum(1 for r in self.images.values() if r['owner'] == project and not r['_deleting'])

    def _check_quota(self, req, wanted=1):
        if self._private_count(req.project) + wanted > self.switches['quota']:
            raise img('IMG.0015', 'The private image quota is used up.')

    def _run_job(self, job, stages, on_fail=None):
        self.jobs[job['job_id']] = job
        self.runner.start(job, stages, on_fail)
        return 200, {'job_id': job['job_id']}

    def _add_image(self, req, name, **fields):
        record = model.new_image(req.project, req.region, name, **fields)
        self.images[record['id']] = record
        return record

    @staticmethod
    def _set_status(record, status):
        record['status'] = status
        record['updated_at'] = model.now_text()
        if status == 'active':
            record['active_at'] = record['updated_at']

    def _kill(self, records):
        def on_fail(failure):  # pylint: disable=unused-argument
            for record in records:
                record['_job'] = None
                if record.get('id') in self.images:
                    self._set_status(record, 'killed')
        return on_fail

    # ------------------------------------------------------------ bytes (SeaweedFS acting as OBS)

    def _require_bucket(self, bucket):
        """A job's check that the OBS bucket exists (outside the lock)."""
        if self.store is None:
            raise JobFailure('IMG.0069', 'The emulator runs without object storage (no --s3-endpoint).')
        try:
            self.store.client.head_bucket(Bucket=bucket)
        except Exception:  # pylint: disable=broad-except
            raise JobFailure('IMG.0069', f'The bucket {bucket} does not exist or is not accessible.') from None

    def _import_object(self, record, bucket, key):
        """Copy ``bucket/key`` into the image store (outside the lock); JobFailure when it cannot be read."""
        self._require_bucket(bucket)
        size = self.store.head_size(bucket, key)
        if not size:
            raise JobFailure('IMG.0057', f'The image file {bucket}:{key} is empty, missing or not readable.')
        self.store.copy(bucket, key, STORE_BUCKET, record['id'])
        with self.lock:
            record.update(_object=record['id'], __image_size=str(size), size=size)

    def _file_stages(self, records_with_sources, job, sub_jobs=False):
        """saving while the bytes are copied (outside the lock) -> active, for images made from OBS files."""
        @unlocked
        def saving_and_copy():
            with self.lock:
                for record, dummy in records_with_sources:
                    self._set_status(record, 'saving')
            for record, (bucket, key) in records_with_sources:
                self._import_object(record, bucket, key)

        def active():
            self._finish_images(job, [r for r, dummy in records_with_sources], sub_jobs)
        return [saving_and_copy, active]

    def _finish_images(self, job, records, sub_jobs=False):
        for record in records:
            record['_job'] = None
            self._set_status(record, 'active')
        if sub_jobs:
            job['entities']['sub_jobs_result'] = [self._sub_job(job, r) for r in records]
            job['entities']['sub_jobs_list'] = [s['job_id'] for s in job['entities']['sub_jobs_result']]
        else:
            job['entities'].update(image_id=records[0]['id'], image_name=records[0]['name'])

    @staticmethod
    def _sub_job(job, record):
        return {'status': 'SUCCESS', 'job_id': uuid.uuid4().hex, 'job_type': record.pop('_sub_job_type', 'imsCopyVolumeToImageJob'),
                'begin_time': job['begin_time'], 'end_time': model.now_text(), 'error_code': None, 'fail_reason': None,
                'entities': {'image_id': record['id'], 'image_name': record['name']}}

    def _synthetic_stages(self, records, job, sub_jobs=False):
        """Images made from servers, disks or backups: no file, the same status path."""
        def saving():
            for record in records:
                record.update(__image_size=str(len(SYNTHETIC_DISK)), size=len(SYNTHETIC_DISK))
                self._set_status(record, 'saving')

        def active():
            self._finish_images(job, records, sub_jobs)
        return [saving, active]

    # ------------------------------------------------------------ GET /v2/cloudimages

    def list_cloudimages(self, req):
        query = req.query
        model.check_list_query(query)
        limit = self._limit(query.get('limit'))
        matches = model.image_filter(query)
        with self.lock:
            images = []
            for record in self.images.values():
                if self._visible(record, req):
                    image = model.probe(record, req.project, self._members_of(record['id']))
                    membership = self._member_status(record, req.project) if record['owner'] != req.project else None
                    if matches(image, membership):
                        images.append(image)
            if self.switches['sort_key'] == 'honoured':
                images = model.sort_images(images, query.get('sort_key'), query.get('sort_dir'))
            else:
                images = model.sort_images(images, None, None)
            images = self._after_marker(images, query.get('marker'))
            page = [model.public(i) for i in images[:limit]]
        body = {'images': page}
        if self.switches['next_marker']:
            body['page_info'] = {'next_marker': page[-1]['id']} if len(images) > len(page) and page else {}
        return 200, body

    def _limit(self, text, default=DEFAULT_LIMIT):
        if text in (None, ''):
            limit = default
        else:
            try:
                limit = int(text)
            except ValueError:
                raise img('IMG.0001', f'limit must be an integer, not {text!r}.') from None
            if not 1 <= limit <= self.switches['max_limit']:
                raise img('IMG.0001', f"limit must be from 1 to {self.switches['max_limit']}.")
        return min(limit, self.switches['page_cap'] or limit)

    @staticmethod
    def _after_marker(images, marker):
        if marker in (None, ''):
            return images
        for index, image in enumerate(images):
            if image['id'] == marker:
                return images[index + 1:]
        raise img('IMG.0027', f'The marker {marker} is not an image of this listing.')

    # ------------------------------------------------------------ POST /v2/cloudimages/action

    def create_image(self, req):
        body = req.json()
        if not body:
            raise img('IMG.0007', 'The request body is empty.')
        name = model.check_name(body.get('name'))
        fields = common_fields(body)
        if body.get('instance_id'):
            return self._create_from_server(req, body, name, fields)
        if body.get('image_url'):
            return self._create_from_file(req, body, name, fields)
        if body.get('volume_id'):
            return self._create_from_volume(req, body, name, fields)
        raise img('IMG.0001', 'One of instance_id, image_url or volume_id is required.')

    def _server(self, req, server_id):
        server = self.servers.get(server_id)
        if server is None or server['project'] != req.project or server['region'] != req.region:
            raise img('IMG.0005', f'The ECS {server_id} does not exist.')
        return server

    def _create_from_server(self, req, body, name, fields):
        with self.lock:
            server = self._server(req, body['instance_id'])
            data_specs = body.get('data_images') or []
            if not isinstance(data_specs, list):
                raise img('IMG.0001', 'data_images must be an array.')
            data_fields = []
            for spec in data_specs:
                if not isinstance(spec, dict) or spec.get('volume_id') not in server['data_volumes']:
                    raise img('IMG.0006', 'Each data_images item needs the volume_id of a data disk of the server.')
                data_fields.append((model.check_name(spec.get('name')), dict(common_fields(spec), virtual_env_type='DataImage', __os_type='Linux',
                                                                             min_disk=100, __data_origin=f"volume,{spec['volume_id']}")))
            self._check_quota(req, 1 + len(data_fields))
            system = dict(fields, __data_origin=f"instance,{server['id']}", min_disk=40)
            if data_fields:
                job = new_job('imsVolumesToSysDataImagesJob', req.project, req.region)
                return self._start_made(req, job, [(name, dict(system, _sub_job_type='imsCreateImageByInstance'))] + data_fields, sub_jobs=True)
            job = new_job('imsCreateImageByInstance', req.project, req.region)
            return self._start_made(req, job, [(name, system)])

    def _start_made(self, req, job, specs, sub_jobs=False):
        """A job that makes images without a file: they appear ``queued`` once it runs."""
        records = []

        def queued():
            for image_name, image_fields in specs:
                records.append(self._add_image(req, image_name, _job=job['job_id'], **image_fields))
        return self._run_job(job, [queued] + self._synthetic_stages(records, job, sub_jobs), self._kill(records))

    def _create_from_volume(self, req, body, name, fields):
        with self.lock:
            volume = self.volumes.get(body['volume_id'])
            if volume is None or volume['project'] != req.project:
                raise img('IMG.0006', f"The disk {body['volume_id']} does not exist or cannot be used.")
            if body.get('os_version') in (None, ''):
                raise img('IMG.0056', 'os_version is required to make a system image from a data disk.')
            fields.update(model.os_fields(body['os_version']), __data_origin=f"volume,{body['volume_id']}", min_disk=volume['size'])
            self._check_quota(req)
            return self._start_made(req, new_job('imsVolumeCreateImageJob', req.project, req.region), [(name, fields)])

    def _create_from_file(self, req, body, name, fields, quick=False, data_image=False, job_type='imsImportImageJob'):
        bucket, key = model.parse_obs_url(body['image_url'])
        if data_image:
            fields.update(min_disk=int_in(body, 'min_disk', *((1, 1024) if quick else (40, 2048))), virtual_env_type='DataImage')
            fields.update(model.os_fields('Other Windows(64 bit)' if body.get('os_type') == 'Windows' else model.DEFAULT_OS_VERSION))
        else:
            # 40-1024 (SDK) / 1-1024 (OTC) for a file import (switch import_min_disk); quick import: 1-1024.
            fields.update(min_disk=int_in(body, 'min_disk', 1 if quick else self.switches['import_min_disk'], 1024))
            fields.update(file_fields(body, quick, arm_bios=self.switches['arm_bios']))
            image_type = body.get('type') or 'ECS'
            if image_type not in ('ECS', 'FusionCompute', 'BMS', 'Ironic', 'IsoImage', 'DataImage'):
                raise img('IMG.0024', f'The image type {image_type!r} is wrong.')
            fields['virtual_env_type'] = {'ECS': 'FusionCompute', 'BMS': 'Ironic'}.get(image_type, image_type)
        disk_format = model.disk_format_of(key)
        if quick and disk_format not in ('raw', 'zvhd2'):
            raise img('IMG.0057', 'A quick import takes a RAW or ZVHD2 file only.')
        fields.update(disk_format=disk_format or 'zvhd2', __data_origin=f'file,{bucket}:{key}', __root_origin='file')
        if fields['virtual_env_type'] == 'IsoImage':
            fields['disk_format'] = 'iso'
        sources = [(name, fields, (bucket, key))]
        for spec in body.get('data_images') or []:
            spec_bucket, spec_key = model.parse_obs_url(spec.get('image_url') if isinstance(spec, dict) else None)
            sources.append((model.check_name(spec.get('name')),
                            dict(common_fields(spec), min_disk=int_in(spec, 'min_disk', 1, 2048), virtual_env_type='DataImage',
                                 disk_format=model.disk_format_of(spec_key) or 'zvhd2', __data_origin=f'file,{spec_bucket}:{spec_key}',
                                 _sub_job_type='imsImportImageJob'), (spec_bucket, spec_key)))
        if len(sources) > 4:
            raise img('IMG.0001', 'At most 3 data_images.')
        with self.lock:
            self._check_quota(req, len(sources))
            return self._start_file_job(req, new_job(job_type, req.project, req.region), sources)

    def _start_file_job(self, req, job, sources, sub_jobs=None):
        pairs = []

        def queued():
            for image_name, image_fields, source in sources:
                pairs.append((self._add_image(req, image_name, _job=job['job_id'], **image_fields), source))
        sub_jobs = len(sources) > 1 if sub_jobs is None else sub_jobs
        return self._run_job(job, [queued] + self._file_stages(pairs, job, sub_jobs), self._kill_pairs(pairs))

    def _kill_pairs(self, pairs):
        def on_fail(failure):
            self._kill([r for r, dummy in pairs])(failure)
        return on_fail

    # ------------------------------------------------------------ jobs

    def show_job(self, req, project_id, job_id):
        req.require_path_project(project_id)
        return 200, self._job(req, job_id)

    def show_job_progress(self, req, job_id):
        job = self._job(req, job_id)
        entities = job['entities']
        progress = {k: entities[k] for k in ('image_id', 'image_name', 'sub_jobs_result', 'sub_jobs_list') if k in entities}
        progress.update(current_task=job['status'].lower(), process_percent=100.0 if job['status'] in ('SUCCESS', 'FAIL') else 50.0)
        return 200, dict(job, entities=progress)

    def _job(self, req, job_id):
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None or job['_project'] != req.project:
                raise img('IMG.0001', f'The job {job_id} does not exist.', 404)
            return copy.deepcopy(public_job(job))

    # ------------------------------------------------------------ Glance v2 reads

    def show_glance_image(self, req, image_id):
        with self.lock:
            return 200, self._view(self._image(req, image_id, status=404), req)

    def list_glance_images(self, req):
        query = dict(req.query)
        model.check_list_query(query)
        limit = self._limit(query.get('limit'), default=25)
        matches = model.image_filter(query)
        with self.lock:
            images = [self._view(r, req) for r in self.images.values() if self._visible(r, req)]
            images = [i for i in images if matches(i, None if i['owner'] == req.project or i['visibility'] == 'public'
                                                   else self._member_status(self.images[i['id']], req.project))]
        images = model.sort_images(images, query.get('sort_key'), query.get('sort_dir'))
        rest = self._after_marker(images, query.get('marker'))
        page = rest[:limit]
        kept = urlencode(sorted((k, v) for k, v in query.items() if k not in ('marker', 'limit')))
        prefix = f'/v2/images?{kept}&' if kept else '/v2/images?'
        body = {'images': page, 'schema': '/v2/schemas/images', 'first': f'{prefix}limit={limit}'}
        if len(rest) > len(page):
            body['next'] = f"{prefix}marker={page[-1]['id']}&limit={limit}"
        return 200, body
