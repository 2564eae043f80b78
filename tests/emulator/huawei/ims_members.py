"""Image sharing (Huawei IMS API: /v1/cloudimages/members, and the Glance v2 member API): ``pending -> accepted/rejected``.

The extension API changes members through jobs (``imsAddImageMembersJob``, ``imsDelImageMembersJob``,
``imsUpdateImageMembersJob``, ``entities.results[]``); the Glance API changes them at once.
A mixin of ``Ims``: it uses its lock, records and job runner.

Readings the document leaves open (README.md, "Switches"): a job some of whose ``results[]`` failed ends
``SUCCESS`` or ``FAIL`` (``member_partial_status``); removing a project that is no member succeeds, fails that
project's item, or is refused at once (``remove_non_member``).
"""

import re

from tests.emulator.huawei import model
from tests.emulator.huawei.errors import img
from tests.emulator.huawei.jobs import JobFailure, new_job

PROJECT_ID_RE = re.compile('^[0-9a-f]{32}$')
MEMBER_LIMIT = 256
WHOLE_IMAGE_MEMBER_LIMIT = 10
MEMBER_STATUSES = ('accepted', 'rejected')
# A results[] item of a project the job could not change *(choice: only "success" is documented)*.
ITEM_FAILED = 'failed'


def _list_of_strings(body, key, required=True):
    value = body.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise img('IMG.0001', f'{key} must be a non-empty array of IDs.')
    return value


def _member_view(member):
    return {k: v for k, v in member.items() if not k.startswith('_')}


class MemberOps:
    """Owner: add / remove / list members.  Recipient: accept / reject."""

    # ------------------------------------------------------------ checks

    def _shareable(self, req, image_id):
        record = self._own_image(req, image_id, code='IMG.0106')
        if record['__imagetype'] in ('gold', 'market'):
            raise img('IMG.0089', f'The public image {image_id} cannot be shared.')
        if record.get('__system__cmkid'):
            raise img('IMG.0098', f'The encrypted image {image_id} cannot be shared.')
        if record.get('__whole_image') and not record.get('__backup_id'):
            raise img('IMG.0135', f'The full-ECS image {image_id} cannot be shared.')
        if record['status'] != 'active':
            raise img('IMG.0046', f"The image {image_id} is {record['status']}, not active.")
        return record

    def _new_member(self, image_id, project):
        stamp = model.now_text()
        return {'status': 'pending', 'created_at': stamp, 'updated_at': stamp, 'image_id': image_id, 'member_id': project,
                'schema': '/v2/schemas/member', 'member_type': 'project'}

    @staticmethod
    def _check_project_ids(projects):
        for project in projects:
            if not PROJECT_ID_RE.match(project):
                raise img('IMG.0001', f'The project ID {project!r} is invalid.')

    def _check_projects(self, req, projects):
        self._check_project_ids(projects)
        for project in projects:
            if project == req.project:
                raise img('IMG.0076', 'An image cannot be shared with its own project.')

    # ------------------------------------------------------------ extension API (jobs)

    def add_members(self, req):
        body = req.json()
        images, projects = _list_of_strings(body, 'images'), _list_of_strings(body, 'projects')
        with self.lock:
            self._check_projects(req, projects)
            records = [self._shareable(req, image_id) for image_id in images]
            for record in records:
                limit = WHOLE_IMAGE_MEMBER_LIMIT if record.get('__whole_image') else MEMBER_LIMIT
                if len(set(self._members_of(record['id'])) | set(projects)) > limit:
                    raise img('IMG.0088', f"The image {record['id']} cannot have more than {limit} members.")

            def add(image_id, project):
                self.members.setdefault(image_id, {}).setdefault(project, self._new_member(image_id, project))
            job = new_job('imsAddImageMembersJob', req.project, req.region)
            return self._run_job(job, [self._member_stage(job, images, projects, add)])

    def remove_members(self, req):
        body = req.json()
        images, projects = _list_of_strings(body, 'images'), _list_of_strings(body, 'projects')
        self._check_project_ids(projects)
        with self.lock:
            for image_id in images:
                self._own_image(req, image_id, code='IMG.0106')
                if self.switches['remove_non_member'] == 'reject':
                    for project in projects:
                        if project not in self._members_of(image_id):
                            raise img('IMG.0027', f'The project {project} is not a member of image {image_id}.')

            def remove(image_id, project):
                if self.members.get(image_id, {}).pop(project, None) is None and self.switches['remove_non_member'] == 'fail':
                    return JobFailure('IMG.0027', f'The project {project} is not a member of image {image_id}.')
                return None     # removed, or no member and that is success (remove_non_member: success)
            job = new_job('imsDelImageMembersJob', req.project, req.region)
            return self._run_job(job, [self._member_stage(job, images, projects, remove)])

    def _member_stage(self, job, images, projects, change):
        """The stage of a batch member job: ``change(image_id, project)`` per pair (a JobFailure: that item failed).

        A job fault rule with ``projects`` fails those projects' items; the others are changed.  With failed items
        the job ends ``member_partial_status`` (a FAIL carries the first failure's code and reason)."""
        partial = self.job_faults.take(job['job_type'], partial=True)

        def apply():
            results, failures = [], []
            for image_id in images:
                for project in projects:
                    failure = partial if partial is not None and project in partial.projects else change(image_id, project)
                    if failure is not None:
                        failures.append(failure)
                    results.append({'image_id': image_id, 'project_id': project,
                                    'status': 'success' if failure is None else ITEM_FAILED})
            job['entities']['results'] = results
            if failures and self.switches['member_partial_status'] == 'FAIL':
                raise JobFailure(failures[0].code, failures[0].reason)
        return apply

    def update_members(self, req):
        """The recipient accepts or rejects; ``project_id`` must be its own project."""
        body = req.json()
        images = _list_of_strings(body, 'images')
        if body.get('project_id') != req.project:
            raise img('IMG.0030', 'project_id must be the caller\'s own project.')
        if body.get('status') not in MEMBER_STATUSES:
            raise img('IMG.0001', 'status must be accepted or rejected.')
        with self.lock:
            for image_id in images:
                record = self._image(req, image_id)
                if req.project not in self._members_of(image_id):
                    raise img('IMG.0027', f'The image {image_id} is not shared with project {req.project}.')
                if record.get('__whole_image') and body['status'] == 'accepted' and not body.get('vault_id'):
                    raise img('IMG.0185', f'vault_id is required to accept the full-ECS image {image_id}.')

            def answer(image_id, project):
                member = self.members.get(image_id, {}).get(project)
                if member is not None:
                    member.update(status=body['status'], updated_at=model.now_text())
            job = new_job('imsUpdateImageMembersJob', req.project, req.region)
            return self._run_job(job, [self._member_stage(job, images, [req.project], answer)])

    def list_members(self, req, project_id, image_id):
        req.require_path_project(project_id)
        return self.glance_list_members(req, image_id)

    def _member_page(self, req, members):
        limit = self._limit(req.query.get('limit'), default=MEMBER_LIMIT)
        marker = req.query.get('marker')
        if marker:
            index = next((i for i, m in enumerate(members) if m['member_id'] == marker), None)
            if index is None:
                raise img('IMG.0001', f'The marker {marker} is not a member of this image.')
            members = members[index + 1:]
        page = members[:limit]
        return page, (page[-1]['member_id'] if len(members) > len(page) else None)

    def show_member(self, req, project_id, image_id, member_id):
        req.require_path_project(project_id)
        return 200, self._visible_member(req, image_id, member_id)

    def _visible_member(self, req, image_id, member_id):
        """The owner sees every member; a member only itself."""
        with self.lock:
            record = self._image(req, image_id)
            if record['owner'] != req.project and member_id != req.project:
                raise img('IMG.0047', 'Only the owner of the image may read its other members.')
            member = self._members_of(image_id).get(member_id)
            if member is None:
                raise img('IMG.0027', f'The project {member_id} is not a member of image {image_id}.', 404)
            return _member_view(member)

    # ------------------------------------------------------------ Glance member API (synchronous)

    def glance_add_member(self, req, image_id):
        body = req.json()
        project = body.get('member')
        if not isinstance(project, str):
            raise img('IMG.0001', 'member is required.')
        with self.lock:
            self._shareable(req, image_id)
            self._check_projects(req, [project])
            member = self.members.setdefault(image_id, {}).setdefault(project, self._new_member(image_id, project))
            return 200, _member_view(member)

    def glance_list_members(self, req, image_id):
        with self.lock:
            self._own_image(req, image_id)
            members = sorted(self._members_of(image_id).values(), key=lambda m: (m['created_at'], m['member_id']))
        page, next_marker = self._member_page(req, members)
        return 200, {'members': [_member_view(m) for m in page], 'schema': '/v2/schemas/members',
                     'page_info': {'next_marker': next_marker, 'current_count': len(page)}}

    def glance_show_member(self, req, image_id, member_id):
        return 200, self._visible_member(req, image_id, member_id)

    def glance_update_member(self, req, image_id, member_id):
        body = req.json()
        if member_id != req.project:
            raise img('IMG.0030', 'Only the member itself may accept or reject a share.')
        if body.get('status') not in MEMBER_STATUSES:
            raise img('IMG.0001', 'status must be accepted or rejected.')
        with self.lock:
            self._image(req, image_id)
            member = self._members_of(image_id).get(member_id)
            if member is None:
                raise img('IMG.0027', f'The image {image_id} is not shared with project {member_id}.', 404)
            member.update(status=body['status'], updated_at=model.now_text())
            return 200, _member_view(member)

    def glance_delete_member(self, req, image_id, member_id):
        with self.lock:
            self._own_image(req, image_id)
            if self.members.get(image_id, {}).pop(member_id, None) is None:
                raise img('IMG.0027', f'The project {member_id} is not a member of image {image_id}.', 404)
        return 204, None
