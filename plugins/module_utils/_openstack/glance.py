# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OpenStack Glance v2 provider (``provider: openstack``): its dialect, its backend and its options.

Glance answers plain JSON with 2xx statuses (201 for a create, 204 for a delete or an action),
errors as JSON (``{"message", "code", "title"}`` from Glance, ``{"error": {...}}`` from
keystonemiddleware or a gateway) or as an HTML page, and pages its listings with ``limit`` +
``marker`` and a ``next`` link.  Images are flat JSON objects: the standard fields and the free
properties side by side; the backend adds ``image_id`` (the neutral name of ``id``) to each.
Huawei IMS serves the same endpoints (Huawei IMS API, its OpenStack-native Glance v2 endpoints ``/v2/images``), so its backend
reuses this one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from urllib.parse import parse_qsl, urlsplit

from ansible_collections.cecloud.ims.plugins.module_utils import _backend, _deprecation
from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import XAuthTokenAuth
from ansible_collections.cecloud.ims.plugins.module_utils._core.client import Dialect, json_or_none
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_choices
from ansible_collections.cecloud.ims.plugins.module_utils._core.keystone import KeystonePasswordAuth
from ansible_collections.cecloud.ims.plugins.module_utils._export_flow import ImageExport
from ansible_collections.cecloud.ims.plugins.module_utils._image_metadata import (
    DERIVED_FIELDS, CarriedMetadata, key_value_tags, present, tag_text)
from ansible_collections.cecloud.ims.plugins.module_utils._share_flow import AnswerReceivedShare
from ansible_collections.cecloud.ims.plugins.module_utils._service import (
    contradicts, has_member_status, matches_filters, split_filters)

IMAGES = '/v2/images'
# The service type of the image service in a Keystone catalog.
CATALOG_TYPE = 'image'
PATCH_CONTENT_TYPE = 'application/openstack-images-v2.1-json-patch'
DATA_CONTENT_TYPE = 'application/octet-stream'
REQUEST_ID_HEADERS = ('x-openstack-request-id', 'x-compute-request-id', 'x-request-id')
# Glance image ids are UUIDs; a look-up by id is worth a request only for a value of that shape.
IMAGE_ID = re.compile(r'[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}')
# Keystone project ids: 32 hex digits by default (uuid4 hex); other identity back ends use other shapes,
# so any non-empty id without blanks or slashes is accepted.
PROJECT_ID = re.compile(r'^[^\s/]{1,255}$')
# Glance's api_limit_max default: the largest page it serves (a larger ``limit`` is capped to it).
MAX_PAGE_SIZE = 1000

# Listing parameters Glance filters on itself (api-ref "List images"); any other filter key is applied
# by the collection to the listed images.
# The neutral sort keys (_image_query.SORT_KEYS), each a Glance image attribute of its own name.
SORT_KEYS = ('created_at', 'updated_at', 'name', 'size')
SERVER_FILTERS = frozenset(('status', 'tag', 'disk_format', 'container_format', 'os_distro', 'size_min', 'size_max',
                            'owner', 'visibility', 'member_status', 'protected', 'os_hidden'))

# Fields Glance manages itself: never part of a create body or a patch.
READ_ONLY_FIELDS = frozenset(('id', 'image_id', 'status', 'created_at', 'updated_at', 'checksum', 'size', 'virtual_size',
                              'owner', 'file', 'schema', 'self', 'direct_url', 'locations', 'os_hash_algo',
                              'os_hash_value', 'stores', 'scope', 'os_glance_import_task'))
# Glance's own image fields that a task can set; every other key is a free property.
IMAGE_FIELDS = ('name', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'visibility', 'protected', 'tags')

# The connection options of this provider and the environment variables that set them, in lookup order.
OPTIONS = dict(
    endpoint=('IMS_ENDPOINT',),
    region=('IMS_REGION', 'OS_REGION_NAME'),
    auth_token=('IMS_AUTH_TOKEN', 'OS_TOKEN'),
    extra_headers=(),
    interface=('IMS_INTERFACE', 'OS_INTERFACE'),
)
OPTIONS.update(KeystonePasswordAuth.ENV_OF)
DEFAULTS = dict(KeystonePasswordAuth.DEFAULTS, interface='public')
# A password login is preferred when the environment gives both (a task that gives both is refused); X-Auth-Token
# with a token obtained elsewhere.
AUTH_SCHEMES = (KeystonePasswordAuth, XAuthTokenAuth)
# The image metadata options Glance reads beyond the common ones: its own image fields and free properties.
METADATA_OPTIONS = ('container_format', 'protected', 'properties')


def _request_id(response):
    for header in REQUEST_ID_HEADERS:
        if response.headers.get(header):
            return response.headers[header]
    return None


def _strip_html(text):
    """The words of an HTML error page (``<html><body><h1>404 Not Found</h1>No image ...``)."""
    return ' '.join(re.sub(r'<[^>]+>', ' ', text or '').split())


class GlanceDialect(Dialect):
    """Glance v2: JSON, any 2xx is success, errors from the body (JSON or HTML) or the status line."""

    name = 'openstack'

    def error_fields(self, response):
        """(code, message, request id): ``code`` is ``HTTP<status>`` unless the body names a code of its own."""
        status = response.status_code
        request_id = _request_id(response)
        body = json_or_none(response)
        if isinstance(body, dict):
            error = body.get('error') if isinstance(body.get('error'), dict) else body
            message = error.get('message') or error.get('error_msg') or error.get('title')
            if message:
                code = error.get('code') or error.get('error_code')
                # Glance says "404 Not Found" and keystonemiddleware 401: a status, not a code of its own.
                if code is None or str(code).split(' ', maxsplit=1)[0] == str(status):
                    code = 'HTTP%d' % status
                return str(code), _strip_html(str(message)).rstrip('.') or 'no message', request_id
        text = _strip_html(getattr(response, 'text', '') or '')
        # An HTML error page repeats its status line as a title and a heading.
        status_line = '%d %s' % (status, response.reason or '')
        text = text.replace(status_line.strip(), '').strip() or status_line.strip()
        return 'HTTP%d' % status, 'HTTP %s: %s' % (status_line.strip(), text[:200]), request_id

    def paginate(self, client, path, params, page_size, operation):
        """Yield every item of ``{"images": [...], "next": "/v2/images?marker=...&limit=..."}``, page by page.

        The ``limit`` asked is the largest Glance serves; a smaller page does not end the listing, only
        a missing ``next`` link does (Glance caps ``limit`` to its api_limit_max). The query of ``next``
        carries the marker and the filters: it is sent as it is, on ``path`` (the ``next`` path is
        relative to the API root, which may differ from the endpoint's path).
        """
        query = dict(params or {})
        query['limit'] = page_size
        key = path.rstrip('/').rsplit('/', 1)[-1]
        seen_markers = set()
        while True:
            data = client.call('GET', path, params=query, operation=operation) or {}
            yield from data.get(key) or []
            link = data.get('next')
            if not link:
                return
            query = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
            marker = query.get('marker')
            if not marker or marker in seen_markers:
                return      # a service that sends the same page again must not loop
            seen_markers.add(marker)


def _image(raw):
    """An image as the collection returns it: Glance's fields, plus ``image_id`` (the neutral name of ``id``)."""
    if not isinstance(raw, dict):
        return raw
    image = dict(raw)
    image.pop('schema', None)
    image.pop('self', None)
    image.pop('file', None)
    image['image_id'] = image.get('id')
    return image


def patch_operations(image, changes):
    """The JSON patch (RFC 6902, Glance's v2.1 media type) that applies ``changes`` ({field: wanted}) to ``image``.

    A field the image has is replaced, a new one added, a field whose wanted value is None removed
    (a free property; Glance's own fields cannot be removed).
    """
    operations = []
    for field in sorted(changes):
        wanted = changes[field]
        path = '/' + field.replace('~', '~0').replace('/', '~1')
        if wanted is None:
            if field in image:
                operations.append({'op': 'remove', 'path': path})
        elif field in image:
            operations.append({'op': 'replace', 'path': path, 'value': wanted})
        else:
            operations.append({'op': 'add', 'path': path, 'value': wanted})
    return operations


# -- metadata carried to and from other providers (_image_metadata; the table is docs/replication.md) ------------

# Glance's common image properties (Glance docs, "Common image properties"; Nova reads them) that hold neutral options.
ARCHITECTURES = {'x86_64': ('x86', '64-bits'), 'i686': ('x86', '32-bits'), 'i386': ('x86', '32-bits'),
                 'aarch64': ('arm', '64-bits'), 'armv7l': ('arm', '32-bits')}
# The neutral platform of an ``os_distro`` where the spellings differ (Glance's are lower case); others are the same.
DISTROS = dict(centos='CentOS', cclinux='CCLinux')
FIRMWARES = dict(bios='BIOS', uefi='UEFI')
OS_TYPES = ('linux', 'windows')
# Properties that are no metadata of the image itself: Glance's import and hiding state, openstacksdk's own hashes
# of the file it uploaded (``owner_specified.openstack.*``), and the neutral fields ims_image_info adds.
NOT_CARRIED_PREFIXES = ('os_glance', 'owner_specified.')
NOT_CARRIED = frozenset(('os_hidden',)) | DERIVED_FIELDS


def image_metadata(image):
    """The neutral metadata of a Glance image record: its fields, the common properties that hold neutral options,
    and every other free property as it is (an ``architecture`` no neutral option names stays a property)."""
    metadata = present(image, 'disk_format', 'container_format', 'min_disk', 'min_ram', 'description', 'os_version')
    properties = dict((k, v) for k, v in image.items()
                      if k not in READ_ONLY_FIELDS and k not in IMAGE_FIELDS and k not in NOT_CARRIED
                      and k not in ('description', 'os_version') and not k.startswith(NOT_CARRIED_PREFIXES))
    if properties.get('os_type') in OS_TYPES:
        metadata['os_type'] = properties.pop('os_type')
    if properties.get('os_distro'):
        distro = str(properties.pop('os_distro')).lower()
        metadata['platform'] = DISTROS.get(distro, distro)
    if properties.get('architecture') in ARCHITECTURES:
        metadata['cpu_arch'], metadata['instruction'] = ARCHITECTURES[properties.pop('architecture')]
    if str(properties.get('hw_firmware_type')).lower() in FIRMWARES:
        metadata['boot_mode'] = FIRMWARES[str(properties.pop('hw_firmware_type')).lower()]
    if image.get('tags'):
        metadata['tags'] = key_value_tags(image['tags'])
    if properties:
        metadata['properties'] = dict((k, _property_text(v)) for k, v in properties.items())
    return metadata


def upload_metadata(metadata, params):  # pylint: disable=unused-argument
    """ims_image_upload's openstack options of neutral ``metadata``: Glance's fields, the common properties, free
    properties as they are, and key/value tags as ``key=value`` texts."""
    carried = CarriedMetadata(present(metadata, 'disk_format', 'container_format', 'min_disk', 'min_ram'))
    properties = dict(metadata.get('properties') or {})
    properties.update(present(metadata, 'description', 'os_version'))
    if metadata.get('os_type') in OS_TYPES:
        properties['os_type'] = metadata['os_type']
    else:
        carried.drop('os_type', metadata.get('os_type'), 'Glance\'s os_type property is linux or windows')
    if metadata.get('platform') not in (None, '', 'other'):
        properties['os_distro'] = str(metadata['platform']).lower()
    architecture = dict((v, k) for k, v in ARCHITECTURES.items() if k != 'i386').get(
        (metadata.get('cpu_arch'), metadata.get('instruction') or '64-bits'))
    if architecture:
        properties['architecture'] = architecture
    elif metadata.get('instruction'):
        carried.drop('instruction', metadata['instruction'], 'Glance\'s architecture property needs the CPU architecture too')
    if metadata.get('boot_mode'):
        properties['hw_firmware_type'] = metadata['boot_mode'].lower()
    for option in ('image_type', 'usage'):
        carried.drop(option, metadata.get(option), 'a Glance image has no %s' % option.replace('_', ' '))
    if metadata.get('tags'):
        carried.options['tags'] = [tag_text(t) for t in metadata['tags']]
    if properties:
        carried.options['properties'] = dict((k, _property_text(v)) for k, v in properties.items())
    return carried


class GlanceBackend(_backend.Backend):
    """Endpoints of the OpenStack Image service API v2 (Glance), as the stock policy lets a project member use them."""

    name = 'openstack'
    module_options = dict(
        ims_image=METADATA_OPTIONS + ('status',),
        ims_image_upload=METADATA_OPTIONS,
        ims_image_info=('member_status',),
        ims_image_share=('projects', 'member_status'),
    )
    max_page_size = MAX_PAGE_SIZE
    max_share_batch = 1          # one member per request: POST /v2/images/{id}/members takes one project
    scopes = ('private', 'shared', 'public', 'community')
    share_principal = _backend.SharePrincipal('project', PROJECT_ID, 'project ids (from the identity service)')
    recipient_actions = (_backend.RECIPIENT_ACCEPT, _backend.RECIPIENT_REJECT)
    recipient_flow = AnswerReceivedShare
    export_targets = (_backend.EXPORT_TO_FILE,)
    server_filters = SERVER_FILTERS
    # Glance API v2, list images: ``sort_key`` takes every image attribute, ``sort_dir`` asc or desc, on every listing.
    listing_sorts = dict((scope, frozenset((key, order) for key in SORT_KEYS for order in ('asc', 'desc')))
                         for scope in ('private', 'shared', 'public', 'community'))
    # Glance API v2, list images: ``tag`` narrows to the images carrying that tag (a string, here ``key=value``).
    server_tag_filter = True
    # Updates are JSON patches of the changed fields, and images carry free properties.
    updates_by_patch = True
    # Glance tags are plain strings (GET /v2/images/{id}: ``tags``).
    text_tags = True
    # Glance lists the members of a ``visibility: shared`` image only: sharing makes a private image shared first.
    sharing_fields = ('visibility',)
    catalog_type = CATALOG_TYPE
    # The deprecation convention as free properties (docs/image-conventions.md); os_hidden (Glance API v2.7) hides.
    keeps_deprecation = True
    hide_field = _deprecation.HIDDEN_FIELD

    def __init__(self, client, params=None):
        super(GlanceBackend, self).__init__(client, params)
        self._project_id = (params or {}).get('project_id')
    # The mapping of its image records to and from the neutral metadata (docs/replication.md).
    image_metadata = staticmethod(image_metadata)
    upload_metadata = staticmethod(upload_metadata)

    def image_lifecycle(self, task):
        # Imported here: the flow uses this module's rules (check_metadata, creation_body...).
        from ansible_collections.cecloud.ims.plugins.module_utils._openstack.image_flow import GlanceImageLifecycle
        return GlanceImageLifecycle(task)

    @staticmethod
    def is_image_id(value):
        return bool(IMAGE_ID.fullmatch(value or ''))

    @staticmethod
    def can_have_members(image):
        """Only a ``visibility: shared`` image has members (Glance answers 403 for the members of any other)."""
        return image.get('visibility') == 'shared'

    def sharing_changes(self, image, add):
        """A private image becomes ``visibility: shared`` to get members; a public or community one cannot have any."""
        if not add or image.get('visibility') == 'shared':
            return {}
        if image.get('visibility') != 'private':
            raise ImsValidationError('Image %s (%s) is %s, and only a shared image has member projects. Set its visibility '
                                     'to shared (cecloud.ims.ims_image, visibility: shared) to share it with chosen projects.'
                                     % (image.get('name'), image['image_id'], image.get('visibility')))
        return dict(visibility='shared')

    def prepare_sharing(self, image, changes):
        self.update_image(image, changes)

    def image_export(self, task):
        return ImageExport(task)

    def caller_project(self):
        """The project the caller acts for: from the login's token, else the ``project_id`` option."""
        auth = self.client.auth
        if getattr(auth, 'project_id', None) is None and hasattr(auth, 'token'):
            auth.token()    # a password login learns the project id of its token
        project = getattr(auth, 'project_id', None) or self._project_id
        if not project:
            raise ImsValidationError('The openstack provider needs the caller\'s project id to tell its own images apart: '
                                     'with auth_token, set project_id (or OS_PROJECT_ID) too, or log in with a password.')
        return project

    # -- listings --------------------------------------------------------------

    def list_images(self, params, page_size=None):
        """GET /v2/images with Glance's own filters (``name``, ``owner``, ``visibility``, ``status``, ``tag``, ...)."""
        query = dict(params)
        for raw in self.client.paginate(IMAGES, params=query, page_size=page_size or self.max_page_size,
                                        operation='list images'):
            yield _image(raw)

    def list_scope(self, scope, image_id=None, name=None, name_contains=None, filters=None, remaining=None,
                   member_status=None, sort=None):  # pylint: disable=unused-argument
        """The images of one scope, narrowed on the server by ``name`` and the server-side ``filters``.

        Glance has no substring filter: ``name_contains`` is matched by ImageService, on every page.

        private: owned by the caller's project (whatever their visibility); shared: shared with it by
        another project, accepted unless ``member_status`` says otherwise; public and community: by
        visibility. A look-up by ``image_id`` is one GET.
        """
        query = split_filters(filters, SERVER_FILTERS)[0]
        if image_id is not None:
            # GET /v2/images/{id} takes no filters: the image must match those a listing would have applied.
            image = self.get_image(image_id)
            found = image is not None and self._in_scope(image, scope, member_status) and \
                matches_filters(image, query, SERVER_FILTERS)
            return [image] if found else []
        if name is not None:
            query['name'] = name
        if sort is not None:
            # Glance API v2, list images: sort_key and sort_dir (created_at desc when not given).
            query['sort_key'], query['sort_dir'] = sort
        # A scope fixes the owner or the visibility; a filter that asks another value matches none of its images.
        if scope == 'private':
            fixed = dict(owner=self.caller_project())
            query.update(fixed, visibility=query.get('visibility', 'all'))
        elif scope == 'shared':
            fixed = dict(visibility='shared')
            query.update(fixed, member_status=member_status or 'accepted')
        elif scope in ('public', 'community'):
            fixed = dict(visibility=scope)
            query.update(fixed)
        else:
            raise ValueError('unknown scope %r' % scope)
        if contradicts(filters, fixed) or not has_member_status(scope, filters):
            return []
        images = self.list_images(query)
        if scope == 'shared':
            mine = self.caller_project()
            return (i for i in images if i.get('owner') != mine)
        return images

    def _in_scope(self, image, scope, member_status):
        owner_is_caller = image.get('owner') == self.caller_project()
        if scope == 'private':
            return owner_is_caller
        if scope == 'shared':
            if owner_is_caller or image.get('visibility') != 'shared':
                return False
            member = self.get_member(image['image_id'], self.caller_project())
            return member is not None and member.get('status') == (member_status or 'accepted')
        return image.get('visibility') == scope

    # -- one image -------------------------------------------------------------

    def get_image(self, image_id):
        """GET /v2/images/{id}; None when Glance does not know the id (or hides it from the caller)."""
        try:
            return _image(self.client.call('GET', '%s/%s' % (IMAGES, image_id), operation='get image %s' % image_id))
        except ImsApiError as exc:
            if exc.http_status == 404:
                return None
            raise

    def create_image(self, spec):
        """POST /v2/images: the record only (``queued``); ``spec`` holds Glance's fields and free properties."""
        body = dict((k, v) for k, v in spec.items() if v is not None and k not in READ_ONLY_FIELDS)
        return _image(self.client.call('POST', IMAGES, json_body=body, operation='create image %s' % spec.get('name')))

    def update_image(self, image, changes):
        """PATCH /v2/images/{id} with the JSON patch of ``changes`` ({field: wanted}; None removes a property)."""
        operations = patch_operations(image, changes)
        if not operations:
            return image
        return _image(self.client.call('PATCH', '%s/%s' % (IMAGES, image['image_id']), json_body=operations,
                                       content_type=PATCH_CONTENT_TYPE, operation='update image %s' % image['image_id']))

    def delete_image(self, image_id):
        """DELETE /v2/images/{id} (204). A protected image is refused (403) until ``protected`` is false."""
        self.client.call('DELETE', '%s/%s' % (IMAGES, image_id), operation='delete image %s' % image_id)

    def deactivate_image(self, image_id):
        """POST /v2/images/{id}/actions/deactivate (204): the image's data can no longer be read."""
        self._action(image_id, 'deactivate')

    def reactivate_image(self, image_id):
        """POST /v2/images/{id}/actions/reactivate (204)."""
        self._action(image_id, 'reactivate')

    def _action(self, image_id, action):
        # Safe to repeat: deactivating a deactivated image (or reactivating an active one) is a no-op (204).
        self.client.call('POST', '%s/%s/actions/%s' % (IMAGES, image_id, action), idempotent=True,
                         operation='%s image %s' % (action, image_id))

    # -- image data --------------------------------------------------------------

    def image_upload(self, task):
        # Imported here: the flow's file imports this one's metadata rules.
        from ansible_collections.cecloud.ims.plugins.module_utils._openstack.upload_flow import GlanceUpload
        return GlanceUpload(task)

    def upload_file(self, image_id, body):
        """PUT /v2/images/{id}/file (204) with ``body`` streamed: the image becomes ``active`` when it returns.

        Not repeated after it may have reached Glance (a second PUT into the image is 409 once Glance took
        the data); a 401 is answered before Glance reads the body, so the client resends it from its start.
        """
        self.client.send('PUT', '%s/%s/file' % (IMAGES, image_id), data=body, content_type=DATA_CONTENT_TYPE,
                         idempotent=False, operation='upload the file of image %s' % image_id)

    def open_download(self, image_id):
        """GET /v2/images/{id}/file: the streaming ``requests.Response`` of the image's bytes (the caller closes it).

        The status is checked before any byte is read: an error page never reaches the caller as data.
        """
        return self.client.send('GET', '%s/%s/file' % (IMAGES, image_id), stream=True,
                                operation='download image %s' % image_id)

    @staticmethod
    def data_hashes(image):
        """{algorithm: hex} of the image's data as Glance reports them: ``os_hash_algo``/``os_hash_value`` and ``checksum`` (MD5)."""
        hashes = {}
        if image.get('os_hash_algo') and image.get('os_hash_value'):
            hashes[image['os_hash_algo'].lower()] = image['os_hash_value'].lower()
        if image.get('checksum'):
            hashes['md5'] = image['checksum'].lower()
        return hashes

    # -- interoperable import --------------------------------------------------

    def import_methods(self):
        """GET /v2/info/import: the import methods the server offers (``glance-direct``, ``web-download``, ...)."""
        data = self.client.call('GET', '/v2/info/import', operation='list the import methods') or {}
        methods = data.get('import-methods') or {}
        return list(methods.get('value') or [])

    def import_from_url(self, image_id, url):
        """POST /v2/images/{id}/import with method ``web-download`` (202): Glance fetches ``url`` itself."""
        self.client.call('POST', '%s/%s/import' % (IMAGES, image_id),
                         json_body={'method': {'name': 'web-download', 'uri': url}},
                         operation='import image %s from a URL' % image_id)

    # -- members ---------------------------------------------------------------

    def list_image_members(self, image_id, page_size=None):  # pylint: disable=unused-argument
        """GET /v2/images/{id}/members (one answer, no paging): ``member_id``, ``status``; ``user_id`` repeats the member."""
        data = self.client.call('GET', '%s/%s/members' % (IMAGES, image_id),
                                operation='list the members of image %s' % image_id) or {}
        return [_member(m) for m in data.get('members') or []]

    def get_member(self, image_id, project_id):
        """GET /v2/images/{id}/members/{project}; None when the project is not a member."""
        try:
            return _member(self.client.call('GET', '%s/%s/members/%s' % (IMAGES, image_id, project_id),
                                            operation='get member %s of image %s' % (project_id, image_id)))
        except ImsApiError as exc:
            if exc.http_status == 404:
                return None
            raise

    def add_image_members(self, image_id, principals):
        """POST /v2/images/{id}/members, one request per project (the member starts ``pending``)."""
        for project_id in principals:
            self.client.call('POST', '%s/%s/members' % (IMAGES, image_id), json_body={'member': project_id},
                             operation='share image %s with project %s' % (image_id, project_id))

    def remove_image_members(self, image_id, principals):
        """DELETE /v2/images/{id}/members/{project}, one request per project."""
        for project_id in principals:
            self.client.call('DELETE', '%s/%s/members/%s' % (IMAGES, image_id, project_id),
                             operation='stop sharing image %s with project %s' % (image_id, project_id))

    def set_member_status(self, image_id, project_id, status, vault_id=None):  # pylint: disable=unused-argument
        """PUT /v2/images/{id}/members/{project} ``{"status": ...}``: only the member itself may (the recipient side).

        ``vault_id`` is Huawei's (a shared whole image's backup vault): Glance images have none."""
        return _member(self.client.call('PUT', '%s/%s/members/%s' % (IMAGES, image_id, project_id),
                                        json_body={'status': status},
                                        operation='set the member status of image %s to %s' % (image_id, status)))


def _member(raw):
    if not isinstance(raw, dict):
        return raw
    member = dict((k, v) for k, v in raw.items() if k != 'schema')
    member['user_id'] = member.get('member_id')     # the neutral name ImageService.list_shares reads
    return member


# -- image metadata: the task's options as Glance fields --------------------------

# Defaults on creation (Glance's own default visibility is ``shared``; the collection's is private, as on cecloud).
CREATE_DEFAULTS = dict(disk_format='qcow2', container_format='bare', visibility='private')
# Fields that Glance accepts in a patch only while the image has no data.
FIXED_ONCE_UPLOADED = ('disk_format', 'container_format')
GLANCE_NAME_MAX = 255
# Glance's visibilities (the choices of ``visibility`` include other providers' values, such as cecloud's market).
VISIBILITIES = ['private', 'shared', 'community', 'public']


def check_metadata(params):
    """Refuse, before any request, what Glance would refuse: names, visibilities, sizes, tags and properties it cannot hold."""
    check_choices(params, dict(visibility=VISIBILITIES), 'openstack')
    name = params.get('name')
    if name is not None and not 1 <= len(name) <= GLANCE_NAME_MAX:
        raise ImsValidationError('name must be 1 to %d characters; got %d.' % (GLANCE_NAME_MAX, len(name)))
    for option in ('min_disk', 'min_ram'):
        if params.get(option) is not None and params[option] < 0:
            raise ImsValidationError('%s must be 0 or more; got %s.' % (option, params[option]))
    for index, tag in enumerate(params.get('tags') or []):
        if not isinstance(tag, str) or not tag.strip() or len(tag) > 255:
            raise ImsValidationError('tags[%d] must be a text of 1 to 255 characters (Glance tags are plain strings); '
                                     'got %r.' % (index, tag))
    convention = sorted(set(params.get('properties') or {}) & set(_deprecation.CONVENTION_KEYS))
    if convention:
        raise ImsValidationError('properties cannot set %s: the deprecation state is set with the options deprecated, '
                                 'deprecated_at, replaced_by and hidden.' % ', '.join(convention))
    clash = sorted(set(params.get('properties') or {}) & (READ_ONLY_FIELDS | set(IMAGE_FIELDS)))
    if clash:
        raise ImsValidationError('properties cannot set %s: %s. Use the options of the same name for Glance\'s own '
                                 'fields; the others are set by Glance.' % (
                                     'this field' if len(clash) == 1 else 'these fields', ', '.join(clash)))
    if params.get('properties') is not None:
        params['properties'] = dict((k, _property_text(v)) for k, v in params['properties'].items())


def _property_text(value):
    """Glance stores free properties as strings: a YAML true or 2 is sent as ``true`` / ``2`` (None removes it)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def creation_body(params):
    """The POST /v2/images body of a task: its fields over CREATE_DEFAULTS, the free properties beside them."""
    body = dict(CREATE_DEFAULTS)
    for field in IMAGE_FIELDS:
        if params.get(field) is not None:
            body[field] = params[field]
    if params.get('tags') is not None:
        body['tags'] = sorted(set(params['tags']))
    for key, value in (params.get('properties') or {}).items():
        if value is not None:
            body[key] = value
    return body


def metadata_changes(image, params):
    """{field: (current, wanted)} for every field and property the task sets that differs from ``image``.

    Tags compare as sets; a property whose wanted value is None is removed (when the image has it).
    Refuses, before any request, a new disk or container format once the image holds data.
    """
    changes = {}
    for field in IMAGE_FIELDS:
        wanted = params.get(field)
        if wanted is None:
            continue
        current = image.get(field)
        if field == 'tags':
            if set(current or []) == set(wanted):
                continue
            current, wanted = sorted(current or []), sorted(set(wanted))
        elif current == wanted:
            continue
        changes[field] = (current, wanted)
    for key, wanted in (params.get('properties') or {}).items():
        current = image.get(key)
        if current != wanted:
            if wanted is None and key not in image:
                continue
            changes[key] = (current, wanted)
    fixed = [f for f in FIXED_ONCE_UPLOADED if f in changes]
    if fixed and image.get('status') not in ('queued', None):
        raise ImsValidationError('%s of image %s cannot change: the image is %s, and Glance keeps the formats of an image '
                                 'that holds data (%s). Create a new image instead.' % (
                                     ' and '.join(fixed), image.get('image_id'), image.get('status'),
                                     '; '.join('%s is %s, requested %s' % (f, changes[f][0], changes[f][1]) for f in fixed)))
    return changes


def import_failure(image):
    """Why Glance's import into ``image`` failed; None while it has not.

    A failed import leaves the image ``queued``, moves the store from ``os_glance_importing_to_stores``
    to ``os_glance_failed_import``; the latter stays from an earlier failure while a new import runs,
    so only a queued image importing into no store has failed.
    """
    failed = image.get('os_glance_failed_import')
    if failed and image.get('status') == 'queued' and not image.get('os_glance_importing_to_stores'):
        return 'the import into store %s failed (Glance leaves the image queued; its log has the reason)' % failed
    return None
