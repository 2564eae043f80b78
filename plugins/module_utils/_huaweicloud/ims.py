# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Huawei Cloud IMS provider (``provider: huaweicloud``): its dialect, its backend and its options.

The reference is the Huawei IMS API; decisions where it is vague are in docs/api-notes.md
("Huawei Cloud IMS").  One backend method per endpoint the collection uses (images, jobs, members,
copies, tags).  The endpoints IMS serves in Glance v2's shape (``/v2/images``) are the Glance
backend's methods, reused through ``self.glance``.

Not used, on purpose: the deprecated Glance v1/v1.1 endpoints IMS still lists (``GET /v1.1/images/detail``,
``HEAD /v1/images/{id}``, ``DELETE /v1.1/images/{id}``).  Huawei marks them deprecated; ``GET
/v2/cloudimages`` lists and reads every image they show (with the ``__`` properties they lack), and
``DELETE /v2/images/{id}`` deletes for good where v1.1 soft-deletes.  Nor the ``/v2.1`` "safe mode"
variants (their difference is documented nowhere), nor Glance's own member endpoints (the
extension's batch member API with jobs is the one Huawei documents for sharing), nor Glance's ``PATCH
/v2/images/{id}``: it changes only the name, the description and custom attributes, where ``PATCH
/v2/cloudimages/{id}`` also changes ``min_ram`` and ``hw_firmware_type`` (docs/api-notes.md, "Glance PATCH").

Images come back as IMS returns them (snake_case already, with the ``__`` extension properties
under their own names: ``__os_type``, ``__platform``, ``__imagetype``...), plus ``image_id``.
Asynchronous operations return ``{"job_id": ...}``; ``get_job`` reads a job and names the images it
made (``image_id``, ``image_ids``); ImageService.wait_for_job waits for it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from urllib.parse import parse_qsl, quote, urlsplit

from ansible_collections.cecloud.ims.plugins.module_utils import _backend
from ansible_collections.cecloud.ims.plugins.module_utils._openstack import glance as _glance
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import core
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.transfer import BOTO3_IMPORT_ERROR, HAS_BOTO3
from ansible_collections.cecloud.ims.plugins.module_utils._core.object_storage import object_url
from ansible_collections.cecloud.ims.plugins.module_utils._core.multipart import MD5_HEX
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.staged_export import ExportRead, StagedExport
from ansible_collections.cecloud.ims.plugins.module_utils._share_flow import AnswerReceivedShare
from ansible_collections.cecloud.ims.plugins.module_utils._image_metadata import CarriedMetadata, key_value_tags, present
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.core import check_region
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import as_tag_dict
from ansible_collections.cecloud.ims.plugins.module_utils._service import contradicts, has_member_status, split_filters
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_name, check_non_negative, check_tags

CLOUDIMAGES = '/v2/cloudimages'
MEMBERS = '/v1/cloudimages/members'
JOB_SUCCESS = 'SUCCESS'
JOB_FAIL = 'FAIL'
# IMG.0035: "replace" of an attribute the image does not have; the same change is accepted as "add".
REPLACE_UNSET_CODE = 'IMG.0035'
# Huawei project ids: 32 hex digits.
PROJECT_ID = re.compile(r'[0-9a-fA-F]{32}\Z')
# The largest page of GET /v2/cloudimages known to be served whole: its documented default. No maximum is
# documented, and a service that caps a larger ``limit`` without page_info would end the listing early.
MAX_PAGE_SIZE = 500
# Members per request of the member API (its limit is not documented; 256 members per image at most).
MAX_SHARE_BATCH = 50
# AK/SK-signed bodies above this are refused by Huawei's API gateway (its AK/SK signing rules: 12 MB at most).
SIGNED_BODY_LIMIT = 12 * 1024 * 1024
# PUT /v2/images/{id}/file takes files under 2 GB, with token auth (Huawei IMS API: Uploading an Image File; OTC says 128 GB,
# the smaller figure is Huawei Cloud's own); larger files go through OBS.
DIRECT_UPLOAD_LIMIT = 2 * 1024 ** 3
# Seconds a job's effect (an image record, a member) may take to show after its POST was answered.
SETTLE_WINDOW = 30.0

# Query parameters of Huawei IMS API: Querying Images, GET /v2/cloudimages: filters the service applies itself.
# The neutral sort keys (_image_query.SORT_KEYS) GET /v2/cloudimages takes as ``sort_key``.
SORT_KEYS = ('created_at', 'name', 'size')
SERVER_FILTERS = frozenset((
    '__isregistered', '__imagetype', '__whole_image', '__system__cmkid', 'protected', 'visibility', 'owner', 'id',
    'status', 'name', 'flavor_id', 'container_format', 'disk_format', 'min_ram', 'min_disk', '__os_bit',
    '__platform', '__os_type', 'tag', 'member_status', '__support_kvm', '__support_xen', '__support_largememory',
    '__support_diskintensive', '__support_highperformance', '__support_xen_gpu_type', '__support_kvm_gpu_type',
    '__support_xen_hana', '__support_kvm_infiniband', 'virtual_env_type', 'enterprise_project_id', 'created_at',
    'updated_at', 'architecture', 'sort_key', 'sort_dir'))
# How each scope is asked of GET /v2/cloudimages (Huawei IMS API: Querying Images, ``__imagetype``); ``private`` is by owner.
SCOPE_QUERIES = dict(
    public=dict(__imagetype='gold'),
    market=dict(__imagetype='market'),
    shared=dict(__imagetype='shared', visibility='shared'),
)
MEMBER_STATUSES = ('accepted', 'pending', 'rejected')

# The connection options of this provider and the environment variables that set them, in lookup order.
OPTIONS = dict(core.ENV_OF, region_endpoints=(), obs_endpoint=('IMS_OBS_ENDPOINT',))
REQUIRED_OPTIONS = ('region',)
DEFAULTS = dict(endpoint=core.default_service_url('ims'), obs_endpoint=core.default_service_url('obs'))
AUTH_SCHEMES = core.AUTH_SCHEMES
check_connection = core.check_connection
# The image metadata options IMS reads beyond the common ones.
METADATA_OPTIONS = ('description', 'image_type', 'cpu_arch', 'os_type', 'os_version', 'boot_mode')
# ims_image's options of the images IMS makes by asynchronous jobs (from a server, a backup, another region...).
JOB_OPTIONS = ('quick_import', 'instance_id', 'data_images', 'backup_id', 'vault_id', 'copy_from', 'copy_from_region',
               'agency_name')
# ims_image_upload's options that only the staging in OBS reads (it needs AK/SK).
STAGED_ONLY_OPTIONS = ('obs_bucket', 'obs_key', 'quick_import', 'keep_staged_object')


class HuaweiImsDialect(_glance.GlanceDialect):
    """IMS: JSON, 2xx success, Huawei's error bodies, marker paging."""

    name = 'huaweicloud'
    # IMG.0060: too many tasks (flow control), retry later; APIGW.0308: throttled (its 429 is retried anyway).
    retryable_error_codes = frozenset(('IMG.0060', 'APIGW.0308'))

    def error_fields(self, response):
        return core.error_fields(response, super(HuaweiImsDialect, self).error_fields)

    def paginate(self, client, path, params, page_size, operation):
        """Yield every item of a marker-paged listing, one request per page and no empty extra page.

        ``limit`` is the page asked; the next page starts after ``page_info.next_marker`` when the answer
        has ``page_info`` (its absence there ends the listing), after the ``next`` link of a Glance-shaped
        answer, else after the last item's id when the page was full (a shorter page is the last).
        N items then cost ceil(N / page) requests, N + 1 only for a service without page_info when N is a
        multiple of the page.
        """
        query = dict(params or {})
        query['limit'] = page_size
        seen_markers = set()
        while True:
            data = client.call('GET', path, params=query, operation=operation) or {}
            items = _listed(data)
            yield from items
            marker = _next_marker(data, items, page_size)
            if marker is None or marker in seen_markers:
                return      # the last page, or a service that sends the same page again
            seen_markers.add(marker)
            if data.get('next'):
                query = dict(parse_qsl(urlsplit(data['next']).query, keep_blank_values=True))
            else:
                query = dict(query, marker=marker)


def _listed(data):
    """The items of a listing answer: its one list (``images``, ``members``)."""
    for key in ('images', 'members'):
        if isinstance(data.get(key), list):
            return data[key]
    return []


def _next_marker(data, items, page_size):
    if data.get('next'):
        return dict(parse_qsl(urlsplit(data['next']).query)).get('marker')
    if 'first' in data or ('schema' in data and 'page_info' not in data):
        return None         # a Glance answer without a next link: the last page
    page_info = data.get('page_info')
    if isinstance(page_info, dict):
        return page_info.get('next_marker') or None
    if len(items) < page_size or not items:
        return None
    return items[-1].get('id') if isinstance(items[-1], dict) else None


def _image(raw):
    return _glance._image(raw)      # pylint: disable=protected-access


def job_outcome(raw):
    """A job as the collection reads it: IMS's fields, ``status`` upper case, the images it made, why it failed.

    ``image_ids`` are ``entities.image_id`` and the image ids of ``entities.sub_jobs_result`` (OVA imports and
    server images with data disks name them there); ``image_id`` is the first. ``reason`` and ``error_code``
    are the failure's, from the job, its entities or its failed sub-jobs. ``member_results`` are the items of a
    member job (``user_id`` = ``project_id``, ``status`` lower case).
    """
    job = dict(raw or {})
    job['status'] = str(job.get('status') or '').upper()
    entities = job.get('entities') if isinstance(job.get('entities'), dict) else {}
    subs = [s for s in entities.get('sub_jobs_result') or [] if isinstance(s, dict)]
    ids = [entities['image_id']] if entities.get('image_id') else []
    for sub in subs:
        sub_id = (sub.get('entities') or {}).get('image_id')
        if sub_id and sub_id not in ids:
            ids.append(sub_id)
    job['image_ids'] = ids
    job['image_id'] = ids[0] if ids else None
    failed_subs = [s for s in subs if str(s.get('status') or '').upper() == JOB_FAIL]
    job['reason'] = (job.get('fail_reason') or entities.get('error') or entities.get('addition_error_msg') or
                     next((s.get('fail_reason') for s in failed_subs if s.get('fail_reason')), None))
    job['error_code'] = (job.get('error_code') or entities.get('error_code') or
                         next((s.get('error_code') for s in failed_subs if s.get('error_code')), None))
    # Member jobs: one item per image and project; one project may fail while another succeeds (docs/api-notes.md).
    job['member_results'] = [dict(user_id=r.get('project_id'), image_id=r.get('image_id'), status=str(r.get('status') or '').lower())
                             for r in entities.get('results') or [] if isinstance(r, dict)]
    return job


def obs_image_url(url):
    """``bucket:key``, IMS's form of an OBS object, from ``obs://bucket/key``; a clear error for anything else."""
    match = re.match(r'obs://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(\S.*)\Z', url or '')
    if not match or match.group(2).endswith('/') or '..' in match.group(1):
        raise ImsValidationError('import_url must name an OBS object as obs://<bucket>/<key> (a bucket of 3 to 63 '
                                 'lower-case letters, digits, "." and "-"; a key that is not a folder); got %r.' % (url,))
    return '%s:%s' % (match.group(1), match.group(2))


def _path(value):
    """A path segment: every reserved character encoded (an id or a tag key never adds a segment)."""
    return quote(str(value), safe='')


# -- metadata carried to and from other providers (_image_metadata; the table is docs/replication.md) ------------

# IMS's os_version values (GET /v1/cloudimages/os_version) end with the word size: "Ubuntu 22.04 server 64bit",
# "Other Linux(64 bit)". Another provider's free text ("22.04") is not one of them, and IMS refuses it.
IMS_OS_VERSION = re.compile(r'.*\b(32|64) ?bit\)?\Z', re.IGNORECASE)
# The neutral platform of a ``__platform`` where the spellings differ; others are read in lower case.
PLATFORMS = dict(CentOS='CentOS', Other='other')
IMAGE_TYPES = dict(DataImage='data_image')
CARRIED_OPTIONS = ('description', 'min_disk', 'min_ram', 'os_type', 'os_version', 'cpu_arch', 'boot_mode', 'image_type')
# What IMS gives an image whose request leaves them out (the os_version "Other Linux(64 bit)", x86, BIOS): such a
# value is not lost where the upload cannot send it, so it is not reported.
ASSUMED = dict(os_type='linux', platform='other', instruction='64-bits', cpu_arch='x86', boot_mode='BIOS')


def image_metadata(image):
    """The neutral metadata of an IMS image record (GET /v2/cloudimages, with its ``__`` attributes).

    No ``disk_format``: IMS stores its own (zvhd2) and an export writes the format it is asked for, which the
    exported file's first bytes tell.  The upload's own source tag (SOURCE_MD5_TAG) is not carried.
    """
    metadata = present(image, 'min_disk', 'min_ram')
    metadata.update(present(dict(description=image.get('__description'), os_version=image.get('__os_version')),
                            'description', 'os_version'))
    if image.get('__os_type'):
        metadata['os_type'] = str(image['__os_type']).lower()
    if image.get('__platform'):
        metadata['platform'] = PLATFORMS.get(image['__platform'], str(image['__platform']).lower())
    arm = str(image.get('__support_arm')).lower() == 'true' or image.get('architecture') == 'arm'
    metadata['cpu_arch'] = 'arm' if arm else 'x86'
    if str(image.get('__os_bit')) in ('32', '64'):
        metadata['instruction'] = '%s-bits' % image['__os_bit']
    if image.get('hw_firmware_type'):
        metadata['boot_mode'] = str(image['hw_firmware_type']).upper()
    metadata['image_type'] = 'whole_image' if str(image.get('__whole_image')).lower() == 'true' else \
        IMAGE_TYPES.get(image.get('virtual_env_type'), 'os_image')
    tags = key_value_tags(image.get('tags'), skip=(SOURCE_MD5_TAG,))
    if tags:
        metadata['tags'] = tags
    return metadata


def _drop(carried, option, value, reason):
    if ASSUMED.get(option) != value:
        carried.drop(option, value, reason)


def upload_metadata(metadata, params):
    """ims_image_upload's huaweicloud options of neutral ``metadata``, as the task's login lets the upload set them:
    an AK/SK login imports through OBS (IMS takes every option, and needs min_disk), a token or a password login
    creates the image with POST /v2/images (name, os_version, min_disk, min_ram and tags only)."""
    carried = CarriedMetadata()
    staged = HuaweiCloudBackend.stages_uploads(params)
    for option in CARRIED_OPTIONS:
        value = metadata.get(option)
        if value in (None, ''):
            continue
        if option == 'os_version' and not IMS_OS_VERSION.match(str(value)):
            _drop(carried, option, value, 'IMS takes an os_version of its list (GET /v1/cloudimages/os_version, such '
                  'as "Ubuntu 22.04 server 64bit"): give it in the target\'s metadata')
        elif not staged and option in NOT_IN_METADATA_CREATE + ('image_type',) and value != 'os_image':
            _drop(carried, option, value, 'an upload with a token or a password login creates the image with POST '
                  '/v2/images, which cannot set it: log in with access_key and secret_key')
        else:
            carried.options[option] = value
    if carried.options.get('cpu_arch') == 'arm' and carried.options.get('boot_mode') == 'BIOS':
        carried.require('boot_mode', ARM_BIOS_REFUSED % 'the source image is Arm')
    if 'os_version' not in carried.options:
        _drop(carried, 'platform', metadata.get('platform'), 'IMS reads the platform from os_version')
        _drop(carried, 'instruction', metadata.get('instruction'), 'IMS reads the word size from os_version')
    _carry_min_disk(carried, staged)
    _carry_tags(carried, metadata.get('tags') or [])
    _drop(carried, 'container_format', metadata.get('container_format'), 'IMS images are bare image files')
    _drop(carried, 'usage', metadata.get('usage'), 'an IMS image has no usage')
    for key, value in sorted((metadata.get('properties') or {}).items()):
        _drop(carried, 'properties.' + key, value, 'ims_image_upload sets no free properties on an IMS image')
    return carried


def _carry_min_disk(carried, staged):
    """IMS's ranges of min_disk (METADATA_DISK_RANGE, SYSTEM_DISK_RANGE): a smaller size is raised to the least it
    takes (a minimum disk may be larger than the disk inside the file, never smaller); none is asked for where an
    import needs one."""
    data = carried.options.get('image_type') == 'data_image'
    low, high = (DATA_DISK_RANGE if data else SYSTEM_DISK_RANGE) if staged else METADATA_DISK_RANGE
    size = carried.options.pop('min_disk', None) or None
    if size is None:
        if staged:
            carried.require('min_disk', 'IMS imports an image with its disk size in GB, from %d to %d, and the source '
                                        'image has none: give min_disk in the target\'s metadata' % (low, high))
        return
    if size > high:
        carried.require('min_disk', 'IMS takes a min_disk of %d to %d GB, and the source image\'s is %d' % (low, high, size))
        return
    if size < low:
        carried.drop('min_disk', size, 'IMS takes a min_disk of %d to %d GB: raised to %d' % (low, high, low))
        size = low
    carried.options['min_disk'] = size


def _carry_tags(carried, tags):
    """Tags within IMS's limits (TAGS_MAX less the upload's own source tag; key and value lengths), in order."""
    kept = []
    for tag in tags:
        if tag['key'] == SOURCE_MD5_TAG:
            continue
        if len(tag['key']) > TAG_KEY_MAX or len(tag['value']) > TAG_VALUE_MAX:
            carried.drop('tags.' + tag['key'], tag['value'], 'an IMS tag key has at most %d characters, a value at most %d'
                         % (TAG_KEY_MAX, TAG_VALUE_MAX))
        elif len(kept) >= TAGS_MAX - 1:
            carried.drop('tags.' + tag['key'], tag['value'], 'an uploaded IMS image holds %d tags besides the upload\'s '
                         'own' % (TAGS_MAX - 1))
        else:
            kept.append(dict(key=tag['key'], value=tag['value']))
    if kept:
        carried.options['tags'] = kept


class HuaweiCloudBackend(_backend.Backend):
    """Endpoints of Huawei Cloud IMS: the extension API (``/v1|v2/cloudimages``, jobs, members) and Glance v2."""

    name = 'huaweicloud'
    module_options = dict(
        ims_image=METADATA_OPTIONS + JOB_OPTIONS,
        ims_image_upload=METADATA_OPTIONS + _backend.OBJECT_STORAGE_UPLOAD_OPTIONS + STAGED_ONLY_OPTIONS,
        ims_image_export=('key', 'file_format', 'quick_export', 'obs_bucket', 'obs_key', 'keep_staged_object',
                          'wait_timeout'),
        ims_image_info=('member_status',),
        ims_image_share=('projects', 'member_status', 'vault_id'),
        ims_image_replicate=('obs_bucket', 'obs_key', 'keep_staged_object'),
    )
    max_page_size = MAX_PAGE_SIZE
    max_share_batch = MAX_SHARE_BATCH
    scopes = ('private', 'shared', 'public', 'market')
    share_principal = _backend.SharePrincipal('project', PROJECT_ID, 'project ids of 32 hexadecimal digits (from IAM)')
    recipient_actions = (_backend.RECIPIENT_ACCEPT, _backend.RECIPIENT_REJECT)
    recipient_flow = AnswerReceivedShare
    # What IMS can export to: an OBS object (export_image), a local file (exported to OBS, then downloaded).
    export_targets = (_backend.EXPORT_TO_BUCKET, _backend.EXPORT_TO_FILE)
    job_waiter = True
    server_filters = SERVER_FILTERS
    # GET /v2/cloudimages: ``sort_key`` created_at, name, size (among others; no updated_at), ``sort_dir`` asc or
    # desc, on every listing (docs/api-notes.md, "Finding images").
    listing_sorts = dict((scope, frozenset((key, order) for key in SORT_KEYS for order in ('asc', 'desc')))
                         for scope in ('private', 'shared', 'public', 'market'))
    # GET /v2/cloudimages: ``tag=key=value`` narrows to the images carrying that key/value tag.
    server_tag_filter = True
    updates_by_patch = True
    settle_window = SETTLE_WINDOW
    # The deprecation convention as custom attributes of PATCH /v2/cloudimages/{id} (lower-case names); IMS documents
    # no attribute that hides an image from listings (docs/api-notes.md).
    keeps_deprecation = True

    def __init__(self, client, params=None):
        super(HuaweiCloudBackend, self).__init__(client, params)
        self.params = dict(params or {})
        self.region = client.region
        # The endpoints IMS serves in Glance v2's shape, through the same client.
        self.glance = _glance.GlanceBackend(client, params)
        self._other_regions = {}

    # The mapping of its image records to and from the neutral metadata (docs/replication.md).
    image_metadata = staticmethod(image_metadata)
    upload_metadata = staticmethod(upload_metadata)

    @staticmethod
    def stages_uploads(params):
        """AK/SK: ims_image_upload stages the file in OBS and imports it (the gateway refuses AK/SK-signed bodies
        above 12 MB); a token or a password login: the direct PUT /v2/images/{id}/file, for files under
        DIRECT_UPLOAD_LIMIT."""
        return core.HuaweiAkSkAuth.chosen(params)

    def image_upload(self, task):
        # Imported here: the flows' files import this one's rules.
        from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.direct_upload import DirectUpload
        from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.staged_upload import StagedUpload
        return StagedUpload(task) if self.stages_uploads(self.params) else DirectUpload(task)

    @classmethod
    def upload_libraries(cls, params):
        """boto3 where the file is staged in OBS (its S3-compatible API)."""
        return dict(boto3=(HAS_BOTO3, BOTO3_IMPORT_ERROR)) if cls.stages_uploads(params) else {}

    def image_export(self, task):
        return StagedExport(task)

    def replica_read(self, params):
        """IMS has no download: ims_image_replicate's streamed targets read an export of the image in OBS."""
        return ExportRead(self, params)

    def image_lifecycle(self, task):
        # Imported here: the flow uses this module's rules (check_image_options, creation_request...).
        from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.image_flow import HuaweiImageLifecycle
        return HuaweiImageLifecycle(task)

    @staticmethod
    def is_image_id(value):
        return bool(_glance.IMAGE_ID.fullmatch(value or ''))

    def caller_project(self):
        """The id of the caller's project in this region (given, from the login, or found through IAM)."""
        return self.client.auth.project()

    def own_principal(self):
        return self.caller_project()

    def replica_copier(self, source_backend):
        """IMS's own copy of a Huawei source: in this region (through a share from another project), or across regions
        of the same account."""
        # Imported here: the copier's file imports the service, which imports the backends' rules.
        from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import replicate
        if isinstance(source_backend, HuaweiCloudBackend):
            return replicate.copier_for(self, source_backend)
        return None

    def in_region(self, region):
        """The backend of the same account in another region (a cross-region copy): its endpoint and project."""
        if region == self.region:
            return self
        if region not in self._other_regions:
            auth = self.client.auth.for_region(region)      # refuses first a token that cannot go there at all
            client = self.client.sibling(self.region_endpoint(region), self.client.dialect, auth=auth,
                                         endpoint_option='region_endpoints')
            client.region = region
            client.extra_headers = dict(self.client.extra_headers)
            self._other_regions[region] = type(self)(client, dict(self.params, region=region, project_id=None,
                                                                  endpoint=client.endpoint))
        return self._other_regions[region]

    def region_endpoint(self, region):
        """The IMS URL of ``region``: ``region_endpoints``, else Huawei's public one when ``endpoint`` is public too."""
        core.check_region(region, option='the other region')
        given = self.params.get('region_endpoints') or {}
        if region in given:
            return given[region]
        if self.params.get('endpoint') in (None, core.service_url('ims', self.region)):
            return core.service_url('ims', region)
        raise ImsValidationError('Region %s has no IMS endpoint: endpoint names a service that is not Huawei\'s public '
                                 'one, so set region_endpoints to {%s: <its IMS URL>} (regions given: %s).' % (
                                     region, region, ', '.join(sorted(given)) or 'none'))

    # -- listings (GET /v2/cloudimages) --------------------------------------------

    def list_cloudimages(self, query, page_size=None):
        """GET /v2/cloudimages: every image matching ``query`` (marker paging, the largest page)."""
        for raw in self.client.paginate(CLOUDIMAGES, params=query, page_size=page_size or self.max_page_size,
                                        operation='list images'):
            yield _image(raw)

    def list_scope(self, scope, image_id=None, name=None, name_contains=None, filters=None, remaining=None,
                   member_status=None, sort=None):
        """The images of one scope, narrowed on the server by id, name and the server-side ``filters``.

        private: owned by the caller's project (shared out or not); shared: shared with it by another project,
        with ``member_status`` (accepted by default; ``all``: every status); public: Huawei's (``gold``);
        market: KooGallery's. IMS has no substring filter: ``name_contains`` is matched by ImageService.
        """
        # A look-up by id is a listing too (``?id=``): IMS applies the same filters to it as to any listing.
        query, client_filters = split_filters(filters, SERVER_FILTERS)
        for key, value in (('id', image_id), ('name', name)):
            if value is not None:
                query[key] = value
        if sort is not None:
            query['sort_key'], query['sort_dir'] = sort
        client_side = name_contains or client_filters
        page_size = min(self.max_page_size, remaining) if remaining and not client_side else None
        if scope not in SCOPE_QUERIES and scope != 'private':
            raise ValueError('unknown scope %r' % scope)
        # A scope fixes the owner or the image type; a filter that asks another value matches none of its images.
        fixed = dict(owner=self.caller_project()) if scope == 'private' else SCOPE_QUERIES[scope]
        if contradicts(filters, fixed) or not has_member_status(scope, filters):
            return []
        if scope == 'shared':
            return self._list_received(query, member_status, page_size)
        return self.list_cloudimages(dict(query, **fixed), page_size)

    def _list_received(self, query, member_status, page_size):
        """Images other projects shared with the caller's, each with its ``member_status``."""
        mine = self.caller_project()
        statuses = MEMBER_STATUSES if member_status == 'all' else (member_status or 'accepted',)
        for status in statuses:
            for image in self.list_cloudimages(dict(query, member_status=status, **SCOPE_QUERIES['shared']), page_size):
                if image.get('owner') != mine:
                    image.setdefault('member_status', status)
                    yield image

    # -- one image --------------------------------------------------------------------

    def get_image(self, image_id):
        """``GET /v2/cloudimages?id=``: the image, or None (IMS answers an empty list for an unknown id)."""
        return next(iter(self.list_cloudimages({'id': image_id}, page_size=1)), None)

    def create_image(self, spec):
        """POST /v2/images: metadata only, synchronous (201, ``queued``); then its file is uploaded."""
        return self.glance.create_image(spec)

    def update_image(self, image, changes):
        """PATCH /v2/cloudimages/{id} with the changed attributes only (``changes``: {attribute: wanted}).

        An attribute the image has is replaced, a new one added; IMS refuses "replace" of an attribute it
        considers unset (IMG.0035) where the image showed it empty, so that change is sent again as "add".
        """
        operations = _glance.patch_operations(image, changes)
        if not operations:
            return image
        try:
            return self._patch(image['image_id'], operations)
        except ImsApiError as exc:
            if exc.code != REPLACE_UNSET_CODE or not any(o['op'] == 'replace' for o in operations):
                raise
            return self._patch(image['image_id'], [dict(o, op='add') if o['op'] == 'replace' else o for o in operations])

    def _patch(self, image_id, operations):
        return _image(self.client.call('PATCH', '%s/%s' % (CLOUDIMAGES, _path(image_id)), json_body=operations,
                                       operation='update image %s' % image_id))

    def delete_image(self, image_id):
        """DELETE /v2/images/{id}: 204 at once, the deletion goes on in the background (poll until gone)."""
        self.client.call('DELETE', '%s/%s' % (_glance.IMAGES, _path(image_id)),
                         operation='delete image %s' % image_id)

    def upload_file(self, image_id, body):
        """PUT /v2/images/{id}/file: the bytes of a ``queued`` image, in one request (204); token auth only.

        Huawei's gateway refuses AK/SK-signed bodies above 12 MB, and documents this path for files under 2 GB;
        larger images go through OBS (the create actions).  The image is ``saving`` when the
        PUT returns, ``active`` (or ``killed``) later.  Never repeated once the body may have reached IMS: the
        image is read instead (ims_image_upload).
        """
        return self.client.send('PUT', '%s/%s/file' % (_glance.IMAGES, _path(image_id)), data=body, idempotent=False,
                                content_type='application/octet-stream', operation='upload the file of image %s' % image_id)

    @staticmethod
    def data_hashes(image):
        """{'md5': ...}: the MD5 of the file ims_image_upload made the image from (its SOURCE_MD5_TAG), else {}."""
        md5 = source_md5(image)
        return {'md5': md5} if md5 else {}

    # -- images made by jobs (each answers {"job_id"}) ----------------------------------

    def _job_call(self, method, path, body, operation):
        data = self.client.call(method, path, json_body=body, operation=operation) or {}
        if not data.get('job_id'):
            raise ImsApiError('InvalidResponse', 'the answer has no job_id: %s' % (sorted(data) or 'empty body'),
                              operation=operation)
        return {'job_id': data['job_id'], 'region': self.region}

    def create_by_job(self, kind, body):
        """The job of a creation request (``creation_request``: ``kind``, ``body``) that makes an image from a source."""
        creators = dict(create_image_from=self.create_image_from, quick_import=self.quick_import,
                        create_data_image=self.create_data_image, create_whole_image=self.create_whole_image)
        return creators[kind](body)

    def create_image_from(self, body):
        """POST /v2/cloudimages/action: a system image from an ECS (``instance_id``), an OBS file (``image_url``)
        or a data disk (``volume_id``)."""
        return self._job_call('POST', CLOUDIMAGES + '/action', body, 'create image %s' % body.get('name'))

    def quick_import(self, body):
        """POST /v2/cloudimages/quickimport/action: a large RAW/ZVHD2 file, system (``os_version``) or data disk."""
        return self._job_call('POST', CLOUDIMAGES + '/quickimport/action', body, 'quick-import image %s' % body.get('name'))

    def create_data_image(self, body):
        """POST /v1/cloudimages/dataimages/action: a data disk image from an OBS file."""
        return self._job_call('POST', '/v1/cloudimages/dataimages/action', body,
                              'create data image %s' % body.get('name'))

    def create_whole_image(self, body):
        """POST /v1/cloudimages/wholeimages/action: a whole-server image from an ECS or a CBR/CSBS backup."""
        return self._job_call('POST', '/v1/cloudimages/wholeimages/action', body,
                              'create whole image %s' % body.get('name'))

    def export_image(self, image_id, target):
        """POST /v1/cloudimages/{id}/file: export to the OBS object ``target.bucket``/``target.key`` (an ExportTarget;
        a quick export writes ZVHD2 and takes no format)."""
        body = {'bucket_url': obs_image_url(object_url(target.bucket, target.key))}
        if target.quick:
            body['is_quick_export'] = True
        else:
            body['file_format'] = target.file_format
        return self._job_call('POST', '/v1/cloudimages/%s/file' % _path(image_id), body, 'export image %s' % image_id)

    def copy_image(self, image_id, name, description=None):
        """POST /v1/cloudimages/{id}/copy: a copy in this region."""
        body = _without_none(name=name, description=description)
        return self._job_call('POST', '/v1/cloudimages/%s/copy' % _path(image_id), body,
                              'copy image %s to %s' % (image_id, name))

    def copy_image_to_region(self, image_id, name, region, agency_name=None, description=None, vault_id=None):
        """POST /v1/cloudimages/{id}/cross_region_copy, sent to the SOURCE region; its job lives there too.

        The target project is the region's own project, which is named after the region.
        """
        body = _without_none(name=name, region=region, project_name=region, agency_name=agency_name,
                             description=description, vault_id=vault_id)
        return self._job_call('POST', '/v1/cloudimages/%s/cross_region_copy' % _path(image_id), body,
                              'copy image %s to region %s as %s' % (image_id, region, name))

    # -- jobs ----------------------------------------------------------------------------

    def get_job(self, job_id):
        """GET /v1/{project_id}/jobs/{job_id}, read by job_outcome()."""
        return job_outcome(self.client.call('GET', '/v1/%s/jobs/%s' % (_path(self.caller_project()), _path(job_id)),
                                            operation='read job %s' % job_id))

    # -- members ---------------------------------------------------------------------------

    def list_image_members(self, image_id, page_size=None):
        """GET /v1/{project_id}/cloudimages/{id}/members (owner side; marker paging): ``member_id``, ``status``."""
        path = '/v1/%s/cloudimages/%s/members' % (_path(self.caller_project()), _path(image_id))
        for raw in self.client.paginate(path, page_size=page_size or self.max_page_size,
                                        operation='list the members of image %s' % image_id):
            yield _glance._member(raw)      # pylint: disable=protected-access

    def get_member(self, image_id, project_id):
        """The caller's own membership of an image shared with it (recipient side): ``{member_id, status}``, or None.

        The member endpoints are the owner's; a recipient sees its membership in the shared listing by status.
        """
        for status in MEMBER_STATUSES:
            query = dict(id=image_id, member_status=status, **SCOPE_QUERIES['shared'])
            if any(i.get('owner') != project_id for i in self.list_cloudimages(query, page_size=1)):
                return {'member_id': project_id, 'user_id': project_id, 'image_id': image_id, 'status': status}
        return None

    def add_image_members(self, image_id, principals):
        """POST /v1/cloudimages/members: share the image with the projects (each member starts ``pending``)."""
        return self._job_call('POST', MEMBERS, {'images': [image_id], 'projects': list(principals)},
                              'share image %s with %s' % (image_id, ', '.join(principals)))

    def remove_image_members(self, image_id, principals):
        """DELETE /v1/cloudimages/members (a body on DELETE): stop sharing the image with the projects."""
        return self._job_call('DELETE', MEMBERS, {'images': [image_id], 'projects': list(principals)},
                              'stop sharing image %s with %s' % (image_id, ', '.join(principals)))

    def set_member_status(self, image_id, project_id, status, vault_id=None):
        """PUT /v1/cloudimages/members as the recipient: accept or reject (``vault_id`` for a CBR whole image)."""
        if status not in ('accepted', 'rejected'):
            raise ImsValidationError('member_status %s is not an answer IMS takes: use accepted or rejected.' % status)
        body = _without_none(images=[image_id], project_id=project_id, status=status, vault_id=vault_id)
        return self._job_call('PUT', MEMBERS, body, 'set the member status of image %s to %s' % (image_id, status))

    # -- tags --------------------------------------------------------------------------------

    def _tags_path(self, image_id, tail=''):
        return '/v2/%s/images/%s/tags%s' % (_path(self.caller_project()), _path(image_id), tail)

    def list_image_tags(self, image_id):
        """GET /v2/{project_id}/images/{id}/tags: ``[{key, value}]``."""
        data = self.client.call('GET', self._tags_path(image_id), operation='list the tags of image %s' % image_id)
        return (data or {}).get('tags') or []

    def change_image_tags(self, image_id, action, tags):
        """POST /v2/{project_id}/images/{id}/tags/action, ``action`` create or delete: ``tags`` [{key, value}]."""
        # Safe to repeat: creating a tag again overwrites it, deleting a deleted tag is a no-op.
        self.client.call('POST', self._tags_path(image_id, '/action'), json_body={'action': action, 'tags': list(tags)},
                         idempotent=True, operation='%s tags of image %s' % (action, image_id))


def _without_none(**fields):
    return dict((k, v) for k, v in fields.items() if v is not None)


# -- ims_image's options as IMS requests --------------------------------------------------------

OS_TYPES = dict(linux='Linux', windows='Windows', other='Other')
FIRMWARE_TYPES = dict(BIOS='bios', UEFI='uefi')
DESCRIPTION_MAX = 1024
# IMS: "architecture arm (forces UEFI)", "hw_firmware_type ... (Arm: only uefi)" (POST /v2/cloudimages/action): refused
# here, never turned into UEFI behind the task's back (docs/api-notes.md, "Arm and BIOS").
ARM_BIOS_REFUSED = 'boot_mode BIOS: %s, and IMS boots Arm images with UEFI only. Set boot_mode to UEFI or leave it out.'
# min_disk in GB of each create request (docs/api-notes.md, "min_disk"): a system disk image from a file
# (POST /v2/cloudimages/action) 40-1024, as the SDK says where OTC says 1-1024, since a service may hold the SDK's
# bound; a quick import (POST /v2/cloudimages/quickimport/action) 1-1024, system or data disk; a data disk image
# (POST /v1/cloudimages/dataimages/action) 40-2048; image metadata (POST /v2/images) 1-1024.
SYSTEM_DISK_RANGE = (40, 1024)
QUICK_IMPORT_DISK_RANGE = (1, 1024)
DATA_DISK_RANGE = (40, 2048)
METADATA_DISK_RANGE = (1, 1024)
TAGS_MAX, TAG_KEY_MAX, TAG_VALUE_MAX = 10, 36, 43
# The tag ims_image_upload gives an image: the MD5 of the file it was made from (IMS's checksum is unused).
SOURCE_MD5_TAG = 'ims_source_md5'
# Its value on an image whose file the direct upload has not sent yet: the MD5 is tagged once the PUT that hashed the
# file returned (docs/api-notes.md, "One digest per byte").
SOURCE_PENDING = 'pending'
# ims_image_upload's metadata options that POST /v2/images does not take (Huawei IMS API: Creating Image Metadata, POST /v2/images).
NOT_IN_METADATA_CREATE = ('description', 'os_type', 'cpu_arch', 'boot_mode')
# Options an existing image can change (PATCH /v2/cloudimages), and the attribute each one is.
UPDATABLE = dict(name='name', description='__description', min_ram='min_ram', boot_mode='hw_firmware_type')
# Options fixed once the image exists, and the attribute that shows each one.
FIXED = dict(min_disk='min_disk', os_version='__os_version', os_type='__os_type')
# Where an image comes from: the options that name a source (one at most).
SOURCES = ('import_url', 'instance_id', 'backup_id', 'copy_from')
# Common metadata options IMS has no use for, with what to do instead.
NOT_SERVED = dict(disk_format='IMS reads the format from the file', visibility='IMS images are private; share them '
                  'with cecloud.ims.ims_image_share')


def wire_value(option, value):
    """The value IMS takes for an option's value (``linux`` is ``Linux``, ``UEFI`` is ``uefi``)."""
    if option == 'os_type':
        return OS_TYPES.get(value, value)
    if option == 'boot_mode':
        return FIRMWARE_TYPES.get(value, value)
    return value


def check_image_options(params):
    """Refuse, before any request, what IMS would refuse or could not do with ims_image's options."""
    for option, instead in sorted(NOT_SERVED.items()):
        if params.get(option) is not None:
            raise ImsValidationError('%s is not used by provider huaweicloud: %s.' % (option, instead))
    if params.get('name') is not None:
        check_name(params['name'])
    description = params.get('description')
    if description is not None and (len(description) > DESCRIPTION_MAX or any(c in description for c in '\r<>')):
        raise ImsValidationError('description must have at most %d characters, without carriage returns, "<" or ">".'
                                 % DESCRIPTION_MAX)
    check_non_negative(params, ('min_ram',))
    if params.get('cpu_arch') == 'arm' and params.get('boot_mode') == 'BIOS':
        raise ImsValidationError(ARM_BIOS_REFUSED % 'cpu_arch is arm')
    _check_tags(params)
    _check_source(params)


def _check_tags(params):
    if params.get('tags') is None:
        return
    params['tags'] = [as_tag_dict(tag) for tag in params['tags']]
    check_tags(params['tags'])
    if len(params['tags']) > TAGS_MAX:
        raise ImsValidationError('tags: an image has at most %d tags; got %d.' % (TAGS_MAX, len(params['tags'])))
    for index, tag in enumerate(params['tags']):
        key, value = tag.get('key'), tag.get('value', '')
        if sorted(tag) not in (['key'], ['key', 'value']) or not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX \
                or not isinstance(value, str) or len(value) > TAG_VALUE_MAX:
            raise ImsValidationError('tags[%d] must be {key: <1 to %d characters>, value: <at most %d characters>}; got %r.'
                                     % (index, TAG_KEY_MAX, TAG_VALUE_MAX, tag))


def _check_source(params):
    given = [o for o in SOURCES if params.get(o)]
    if len(given) > 1:
        raise ImsValidationError('%s exclude each other: an image comes from one source.' % ' and '.join(given))
    source = given[0] if given else None
    image_type = params.get('image_type') or ('whole_image' if source == 'backup_id' else 'os_image')
    params['image_type'] = image_type
    needs = dict(quick_import='import_url', data_images='instance_id', copy_from_region='copy_from')
    for option, required in sorted(needs.items()):
        if params.get(option) and source != required:
            raise ImsValidationError('%s goes with %s.' % (option, required))
    if image_type == 'whole_image' and source not in ('instance_id', 'backup_id'):
        raise ImsValidationError('image_type whole_image is made from a server (instance_id) or a CBR backup (backup_id).')
    if image_type != 'whole_image' and source == 'backup_id':
        raise ImsValidationError('backup_id makes a whole image: image_type must be whole_image.')
    if image_type == 'data_image' and source != 'import_url':
        raise ImsValidationError('image_type data_image is made from an OBS file (import_url); a server\'s data disks '
                                 'become data images with data_images beside instance_id.')
    if params.get('vault_id') and image_type != 'whole_image':
        raise ImsValidationError('vault_id goes with image_type whole_image (the CBR vault of the server).')
    if source == 'import_url':
        obs_image_url(params['import_url'])
        if params.get('quick_import'):
            low, high = QUICK_IMPORT_DISK_RANGE
        else:
            low, high = DATA_DISK_RANGE if image_type == 'data_image' else SYSTEM_DISK_RANGE
        if params.get('min_disk') is None or not low <= params['min_disk'] <= high:
            raise ImsValidationError('min_disk is required with import_url: the %s disk size in GB, from %d to %d%s, '
                                     'larger than the disk inside the file; got %s.' % (
                                         'data' if image_type == 'data_image' else 'system', low, high,
                                         ' with quick_import' if params.get('quick_import') else '', params.get('min_disk')))
        if params.get('quick_import') and image_type == 'os_image' and not params.get('os_version'):
            raise ImsValidationError('os_version is required for a quick import of a system disk image (a value of '
                                     'GET /v1/cloudimages/os_version, such as "Ubuntu 22.04 server 64bit").')
    if source is None:
        check_metadata_min_disk(params)
    if params.get('copy_from_region'):
        check_region(params['copy_from_region'], option='copy_from_region')
        if params['copy_from_region'] == params.get('region'):
            raise ImsValidationError('copy_from_region is the task\'s own region %s: a copy in the region needs copy_from '
                                     'alone.' % params['region'])
        if not params.get('agency_name'):
            raise ImsValidationError('agency_name is required with copy_from_region: the IAM agency that lets IMS create '
                                     'the copy in region %s.' % params.get('region'))


def tag_list(params):
    """The task's tags as IMS takes them: ``[{key, value}]``."""
    return [{'key': t['key'], 'value': t.get('value', '')} for t in params.get('tags') or []]


def creation_request(params):
    """(kind, body) of the create a task asks for: ``create_image`` (metadata only, without a source: the body of
    ``HuaweiCloudBackend.create_image``), else a job (``HuaweiCloudBackend.create_by_job(kind, body)``)."""
    common = _without_none(name=params.get('name'), description=params.get('description'), min_ram=params.get('min_ram'))
    if params.get('tags'):
        common['image_tags'] = tag_list(params)
    if params.get('instance_id'):
        if params['image_type'] == 'whole_image':
            return 'create_whole_image', dict(common, instance_id=params['instance_id'], **_without_none(
                vault_id=params.get('vault_id')))
        body = dict(common, instance_id=params['instance_id'])
        if params.get('data_images'):
            body['data_images'] = [_without_none(**d) for d in params['data_images']]
        return 'create_image_from', body
    if params.get('backup_id'):
        return 'create_whole_image', dict(common, backup_id=params['backup_id'], whole_image_type='CBR')
    if not params.get('import_url'):
        body = _without_none(name=params.get('name'), min_disk=params.get('min_disk'), min_ram=params.get('min_ram'),
                             __os_version=params.get('os_version'))
        return 'create_image', body
    body = dict(common, image_url=obs_image_url(params['import_url']), min_disk=params['min_disk'], **_without_none(
        os_version=params.get('os_version'), os_type=wire_value('os_type', params.get('os_type')),
        architecture=params.get('cpu_arch'), hw_firmware_type=wire_value('boot_mode', params.get('boot_mode'))))
    if params['image_type'] == 'data_image':
        body.pop('architecture', None)
        body.pop('hw_firmware_type', None)
        if params.get('quick_import'):
            return 'quick_import', dict(body, type='DataImage')
        return 'create_data_image', body
    if params.get('quick_import'):
        return 'quick_import', body
    return 'create_image_from', body


def predicted_image(params, body):
    """The image a create would make, as IMS lists it (check mode, or before a job has named it)."""
    image = dict(name=params.get('name'), status='queued', __imagetype='private', min_disk=params.get('min_disk'),
                 min_ram=params.get('min_ram') or 0)
    if params.get('description') is not None:
        image['__description'] = params['description']
    for option in ('os_version', 'os_type'):
        if params.get(option) is not None:
            image[FIXED[option]] = wire_value(option, params[option])
    if body.get('image_url'):
        image['__data_origin'] = 'file,%s' % body['image_url']
    elif params.get('instance_id'):
        image['__data_origin'] = 'instance,%s' % params['instance_id']
    return dict((k, v) for k, v in image.items() if v is not None)


def image_changes(image, params):
    """{attribute: (current, wanted)} of the updatable options that differ; refuses a change to a fixed one."""
    fixed = []
    for option, attribute in sorted(FIXED.items()):
        wanted = wire_value(option, params.get(option))
        if wanted is not None and attribute in image and str(image[attribute]) != str(wanted):
            fixed.append('%s is %r, requested %r' % (option, image[attribute], wanted))
    if fixed:
        raise ImsValidationError('Image %s (%s): %s; IMS cannot change %s once the image exists. Create a new image '
                                 'instead.' % (image.get('name'), image.get('image_id'), '; '.join(fixed),
                                               'it' if len(fixed) == 1 else 'them'))
    arm = str(image.get('__support_arm')).lower() == 'true'
    if arm and params.get('boot_mode') == 'BIOS':
        raise ImsValidationError(ARM_BIOS_REFUSED % ('image %s (%s) is an Arm image' % (image.get('name'), image.get('image_id'))))
    changes = {}
    for option, attribute in sorted(UPDATABLE.items()):
        wanted = wire_value(option, params.get(option))
        current = image.get(attribute)
        if option == 'boot_mode' and current in (None, ''):
            current = 'uefi' if arm else 'bios'     # IMS assumes BIOS when hw_firmware_type is absent; Arm is UEFI
        if wanted is not None and str(current if current is not None else '') != str(wanted):
            changes[attribute] = (current, wanted)
    return changes


def tag_changes(current, params):
    """(to_create, to_delete) that make an image's key/value tags exactly the task's ``tags``."""
    wanted = dict((t['key'], t['value']) for t in tag_list(params))
    have = dict((t.get('key'), t.get('value', '')) for t in current or [])
    create = [{'key': k, 'value': v} for k, v in sorted(wanted.items()) if have.get(k) != v]
    # The upload's source tag stays: it tells a re-run of the upload which file the image holds.
    delete = [{'key': k, 'value': v} for k, v in sorted(have.items()) if k not in wanted and k != SOURCE_MD5_TAG]
    return create, delete


# -- ims_image_upload ---------------------------------------------------------------------------

def _source_tag_values(image):
    """The values of an image's source tag (IMS lists key/value tags as ``key=value``, older ones ``key.value``)."""
    values = []
    for tag in image.get('tags') or []:
        if isinstance(tag, str):
            for separator in ('=', '.'):
                prefix = SOURCE_MD5_TAG + separator
                if tag.startswith(prefix):
                    values.append(tag[len(prefix):].lower())
    return values


def source_identity(image):
    """What an image's source tag tells its file by (``_core.multipart.parts_identity``: the file's MD5, or the MD5s of
    its parts); None without one, or while it is SOURCE_PENDING.

    The value tagged after the PUT wins over SOURCE_PENDING where both show: whether IMS keeps a string tag given at
    creation apart from a key/value tag of the same key is not documented (docs/api-notes.md).
    """
    return next((v for v in _source_tag_values(image) if v != SOURCE_PENDING), None)


def source_md5(image):
    """The file's MD5 where the source tag names it (the direct upload's, a stream's, one part's), else None."""
    identity = source_identity(image)
    return identity if identity and MD5_HEX.match(identity) else None


def source_pending(image):
    """Whether the direct upload made ``image`` and has not tagged it with its file's MD5 (yet)."""
    return source_identity(image) is None and SOURCE_PENDING in _source_tag_values(image)


def source_tag(md5):
    """The source tag as POST /v2/images takes and GET shows tags: ``key=value``."""
    return '%s=%s' % (SOURCE_MD5_TAG, md5)


def check_upload_tags(tags):
    """The task's tags leave room for the module's own SOURCE_MD5_TAG, and do not use its key."""
    tags = tags or []
    if any(isinstance(t, dict) and t.get('key') == SOURCE_MD5_TAG for t in tags):
        raise ImsValidationError('tags: the key %s is the module\'s own (the MD5 of the file the image was made '
                                 'from); use another key.' % SOURCE_MD5_TAG)
    if len(tags) >= TAGS_MAX:
        raise ImsValidationError('tags: at most %d tags on an uploaded image (IMS takes %d, and the module adds %s); '
                                 'got %d.' % (TAGS_MAX - 1, TAGS_MAX, SOURCE_MD5_TAG, len(tags)))


def check_direct_upload(params):
    """Refuse, before any request, what the direct upload (POST /v2/images, then PUT its file) cannot do."""
    staged = [o for o in STAGED_ONLY_OPTIONS if params.get(o)]
    if staged:
        raise ImsValidationError(
            '%s: staging the file in OBS takes access_key and secret_key (a token or a password login cannot sign OBS '
            'requests); with this login IMS takes the file in one PUT. Remove %s, or log in with access_key and '
            'secret_key.' % (', '.join(staged), 'it' if len(staged) == 1 else 'them'))
    refused = [o for o in NOT_IN_METADATA_CREATE if params.get(o) is not None]
    if params.get('image_type') not in (None, 'os_image'):
        refused.append('image_type')
    if refused:
        raise ImsValidationError(
            '%s cannot be set by an upload with a token or a password login: IMS creates the image with POST '
            '/v2/images, which takes name, os_version, min_disk, min_ram and tags only (a system disk image). Log in '
            'with access_key and secret_key to import the file through OBS with these options, or set description and '
            'boot_mode afterwards with cecloud.ims.ims_image.' % ', '.join(refused))
    checked = dict(params, disk_format=None)        # detected from the file, and sent
    check_image_options(checked)
    params['tags'] = checked.get('tags')
    check_upload_tags(params['tags'])


def check_metadata_min_disk(params):
    """The min_disk POST /v2/images takes (image metadata, then its file), when given."""
    low, high = METADATA_DISK_RANGE
    if params.get('min_disk') is not None and not low <= params['min_disk'] <= high:
        raise ImsValidationError('min_disk must be the system disk size in GB, from %d to %d, larger than the disk inside '
                                 'the file; got %s.' % (low, high, params['min_disk']))


def direct_upload_body(params, md5=SOURCE_PENDING):
    """The POST /v2/images body of ims_image_upload's direct upload: Huawei's fields of the task's options, the
    detected ``disk_format``, and the tags as strings (``key=value``) with the source tag among them (SOURCE_PENDING
    until the file is sent)."""
    body = dict(creation_request(params)[1], disk_format=params['disk_format'])
    body['tags'] = ['%s=%s' % (t['key'], t['value']) for t in tag_list(params)] + [source_tag(md5)]
    return body
