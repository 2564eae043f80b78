# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The China Electronics Cloud (中国电子云) IMS provider: its dialect, its backend and its options.

The backend has one method per endpoint of the API document; methods take and return snake_case
dicts, and the camelCase of the wire stays in this file.  The dialect is the wire format: the
``x-regionid`` header, the ``{"code": "Success", "data": ...}`` envelope, ``size/current``
paging.  Decisions where the document is vague are written down in docs/api-notes.md.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.cecloud.ims.plugins.module_utils import _backend
from ansible_collections.cecloud.ims.plugins.module_utils._core.auth import BearerTokenAuth, NoAuth, required_option
from ansible_collections.cecloud.ims.plugins.module_utils._core.case import snake_keys, snake_to_camel
from ansible_collections.cecloud.ims.plugins.module_utils._core.client import Dialect, excerpt, json_or_none
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.transfer import BOTO3_IMPORT_ERROR, HAS_BOTO3
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.upload_flow import CECloudUpload
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.export_flow import CECloudImageExport
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.share_flow import DropReceivedShare
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.image_flow import CECloudImageLifecycle
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud import image_options
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.image_options import update_fields, with_changes

API = '/api/image/v1'
IMAGE_ID = re.compile(r'img-[A-Za-z0-9]+')
NOT_FOUND_CODE = 'IMG.DBGet.NoData'
SUCCESS_CODE = 'Success'
AUTH_FAILED_CODE = 'IMG.OperationDenied.AuthFail'
# docs/api-notes.md: user ids are 19-digit numeric strings (the document's examples; the service answers
# IMG.OperationFailed.InvalidUserId otherwise).
USER_ID = re.compile(r'^[0-9]{19}$')
# The algorithm of a ``checksum`` by its length in hex digits (the document names none).
CHECKSUM_ALGORITHMS = {32: 'md5', 64: 'sha256', 128: 'sha512'}
# Characters that would break the server-side ``filter`` syntax (``field:op:value|...``).
_FILTER_SYNTAX = ('|', ':')

# The connection options of this provider and the environment variables that set them, in lookup order.
OPTIONS = dict(
    endpoint=('IMS_ENDPOINT',),
    region=('IMS_REGION',),
    auth_token=('IMS_AUTH_TOKEN',),
    extra_headers=(),
    tenant_id=('IMS_TENANT_ID',),
    department_id=('IMS_DEPARTMENT_ID',),
    resource_group_id=('IMS_RESOURCE_GROUP_ID',),
)
REQUIRED_OPTIONS = ('endpoint', 'region')
# The auth schemes, in order of preference: a token, else an Authorization header in extra_headers.
AUTH_SCHEMES = (BearerTokenAuth, NoAuth)
# The image metadata options CECloud reads beyond the common ones (_cecloud.image_options checks them).
METADATA_OPTIONS = ('instruction', 'platform', 'usage', 'description', 'image_type', 'cpu_arch', 'os_type', 'os_version',
                    'boot_mode')


class CECloudDialect(Dialect):
    """Every answer is HTTP 200 with the envelope; an error is HTTP 400 (401 for auth) with the same envelope."""

    name = 'cecloud'
    # The service's own failures, HTTP 400 in the error table where another API would answer 5xx: a write
    # answered so may have been made, and any request may pass when repeated (docs/api-notes.md).
    service_failure_codes = frozenset(('IMG.Internal.Error', 'IMG.DBUpdate.Fail', 'IMG.DBGet.Fail'))
    retryable_error_codes = service_failure_codes

    def default_headers(self, region):
        return {'x-regionid': region}

    def is_success(self, response, stream):
        # Only 200 carries the envelope; a download stream is any status below 400.
        return response.status_code < 400 and (stream or response.status_code == 200)

    def data(self, response, operation):
        envelope = json_or_none(response)
        if not isinstance(envelope, dict):
            raise ImsApiError('InvalidResponse', 'HTTP %d with a body that is not a JSON envelope: %s' % (
                response.status_code, excerpt(response)), http_status=response.status_code, operation=operation)
        if envelope.get('code') != SUCCESS_CODE:
            raise ImsApiError(envelope.get('code'), envelope.get('message') or 'no message', envelope.get('requestId'),
                              response.status_code, operation=operation)
        return envelope.get('data')

    def error_fields(self, response):
        envelope = json_or_none(response)
        if isinstance(envelope, dict) and envelope.get('code'):
            return envelope.get('code'), envelope.get('message') or '', envelope.get('requestId')
        return super(CECloudDialect, self).error_fields(response)

    def is_auth_failure(self, status, code):
        return status in (401, 403) or code == AUTH_FAILED_CODE

    def paginate(self, client, path, params, page_size, operation, total_may_count_pages=False):  # pylint: disable=arguments-differ
        """Yield every item of a ``size/current/total/list`` listing, one page request at a time.

        With a ``total`` it is trusted: a page shorter than asked does not end the listing while
        items are missing, since a service may serve fewer items per page than asked (a cap). The
        next pages are then asked at the size it served, so that offsets line up whether the service
        counts them with the asked or the served size. An empty page ends the listing even before
        ``total`` (a count that moved meanwhile must not loop). Without a total, the first short
        page ends it: N items cost ceil(N / page_size) requests.

        ``total_may_count_pages``: the listing's ``total`` may count pages, not items (the share list,
        docs/api-notes.md). A full page then does not end the listing while fewer pages than ``total``
        were read, though the items read reach it: both readings list every item, and only a listing
        that ends on a full page costs one more (empty) page.
        """
        current = 1
        seen = 0
        while True:
            query = dict(params or {})
            query.update(size=page_size, current=current)
            data = client.call('GET', path, params=query, operation=operation) or {}
            items = data.get('list') or []
            yield from items
            seen += len(items)
            total = data.get('total')
            if not isinstance(total, int) or isinstance(total, bool):
                total = None
            full = len(items) >= page_size
            if total is None:
                more = full
            else:
                more = seen < total or (total_may_count_pages and full and current < total)
            if not items or not more:
                return
            if len(items) < page_size and seen % len(items) == 0:
                page_size = len(items)
                current = seen // page_size
            current += 1


# Fields of the PUT /private-images/{id} body: it replaces all of them at once.
UPDATE_FIELDS = ('boot_mode', 'cpu_arch', 'disk_format', 'instruction', 'min_disk', 'min_ram',
                 'name', 'os_type', 'os_version', 'platform')


def _image(raw):
    """An image as the collection returns it: the API's fields in snake_case."""
    return snake_keys(raw) if isinstance(raw, dict) else raw


class CECloudBackend(_backend.Backend):
    """Endpoints of the CECloud IMS operator-side API v01 (2025-05-30)."""

    name = 'cecloud'
    module_options = dict(
        ims_image=METADATA_OPTIONS + ('volume_images', 'copy_from_share'),
        ims_image_upload=METADATA_OPTIONS + _backend.OBJECT_STORAGE_UPLOAD_OPTIONS,
        ims_image_export=('az_id', 'cell_id'),
        ims_image_share=('users', 'share_id'),
    )
    # The ``size`` asked of listings: the document names no largest (docs/api-notes.md), so a page the
    # collection chooses, short of a response too large to read at once.
    max_page_size = 100
    max_share_batch = 50         # at most 50 user ids per share/unshare request
    scopes = ('private', 'shared', 'public')
    # GET /private-images and GET /images take no order and come newest first (docs/api-notes.md, "Finding images":
    # _image_query checks the order it reads and sorts itself when it differs); GET /shared-images's ``orderBy``
    # orders the shares by their own createdAt, not the images, so the collection sorts shared images itself.
    listing_sorts = dict(private=frozenset([('created_at', 'desc')]), public=frozenset([('created_at', 'desc')]))
    share_principal = _backend.SharePrincipal(
        'user', USER_ID, 'user ids of 19 digits, as strings (quote them in YAML)')
    recipient_actions = (_backend.RECIPIENT_DROP,)
    recipient_flow = DropReceivedShare
    export_targets = (_backend.EXPORT_TO_BUCKET, _backend.EXPORT_TO_FILE)
    # POST /private-images lists no osVersion (import and PUT do): it is set by PUT (docs/api-notes.md).
    set_after_create = ('os_version',)
    # The mapping of its image records to and from the neutral metadata (docs/replication.md).
    image_metadata = staticmethod(image_options.image_metadata)
    upload_metadata = staticmethod(image_options.upload_metadata)
    # True once GET /images/{id} answered NoData for an image the private list holds (get_image).
    _detail_misses_private = False

    def __init__(self, client, params=None):
        super(CECloudBackend, self).__init__(client, params)
        self.params = params or {}

    def tenant(self):
        """The tenant, department and resource group images are created in; refused before any request when unset."""
        tenant = dict((k, self.params.get(k)) for k in ('tenant_id', 'department_id', 'resource_group_id'))
        missing = [k for k in ('tenant_id', 'department_id') if not tenant[k]]
        if missing:
            raise ImsValidationError(' '.join(required_option(k, OPTIONS[k]) for k in missing))
        return tenant

    def image_export(self, task):
        return CECloudImageExport(task)

    def image_lifecycle(self, task):
        return CECloudImageLifecycle(task)

    @staticmethod
    def is_image_id(value):
        """Whether ``value`` has the shape of an image id (``img-...``), so a look-up by id is worth a request."""
        return bool(IMAGE_ID.fullmatch(value or ''))

    # -- listings --------------------------------------------------------------

    def list_public_images(self, page_size=None):
        """GET /images: public images."""
        for raw in self.client.paginate(API + '/images', page_size=page_size or self.max_page_size,
                                        operation='list public images'):
            yield _image(raw)

    def list_private_images(self, name_contains=None, image_id=None, page_size=None):
        """GET /private-images, with the server-side ``filter`` (``name:lk:x|imageId:eq:y``)."""
        params = {}
        clauses = []
        if name_contains:
            clauses.append('name:lk:%s' % name_contains)
        if image_id:
            clauses.append('imageId:eq:%s' % image_id)
        if clauses:
            params['filter'] = '|'.join(clauses)
        for raw in self.client.paginate(API + '/private-images', params=params,
                                        page_size=page_size or self.max_page_size, operation='list private images'):
            yield _image(raw)

    def list_received_shares(self, page_size=None):
        """GET /shared-images: images other tenants shared with the caller, each flattened to its image.

        The image carries ``share_id`` (needed to copy or remove the share) and ``shared_at`` (when it was
        shared). The listing names no sharer beyond the image's ``owner``, the tenant that shared it.
        """
        for raw in self.client.paginate(API + '/shared-images', params={'orderBy': 'createdAt:desc'},
                                        page_size=page_size or self.max_page_size, operation='list shared images'):
            share = snake_keys(raw)
            image = dict(share.get('image') or {})
            image.setdefault('image_id', share.get('image_id'))
            image['share_id'] = share.get('share_id')
            image['shared_at'] = share.get('created_at')
            yield image

    def list_scope(self, scope, image_id=None, name=None, name_contains=None, filters=None, remaining=None,
                   member_status=None, sort=None):  # pylint: disable=unused-argument
        """The listing of one scope, narrowed server-side where the API can (ImageService matches the rest).

        Only private images have a server-side filter (a name substring and the id); its syntax
        (``field:op:value|...``) cannot carry ``|`` or ``:``, so such a name is matched by the service.
        """
        server_text = name if name is not None else name_contains
        if server_text and any(c in server_text for c in _FILTER_SYNTAX):
            server_text = None
        exact_on_server = scope == 'private' and name is None and not filters and (not name_contains or server_text)
        page_size = self.max_page_size
        if remaining and exact_on_server:
            page_size = min(page_size, remaining)
        if scope == 'private':
            return self.list_private_images(name_contains=server_text, image_id=image_id, page_size=page_size)
        if scope == 'shared':
            return self.list_received_shares(page_size=page_size)
        if scope == 'public':
            if image_id is not None:
                image = self.get_image(image_id)
                return [image] if image and image.get('visibility') == 'public' else []
            return self.list_public_images(page_size=page_size)
        raise ValueError('unknown scope %r' % scope)

    # -- one image -------------------------------------------------------------

    def get_image(self, image_id):
        """The image (GET /images/{id}, else the private list filtered by id); None when the service knows none.

        The document lists GET /images/{id} beside the public list, without the 私有镜像 mark of the calls on
        private images: a service may answer NoData there for the tenant's own images. Then the private list
        filtered by the id answers, and this backend asks it first from then on (docs/api-notes.md).
        """
        if self._detail_misses_private:
            return self._private_image(image_id) or self._image_detail(image_id)
        image = self._image_detail(image_id)
        if image is None:
            image = self._private_image(image_id)
            self._detail_misses_private = image is not None
        return image

    def _image_detail(self, image_id):
        """GET /images/{id}; None on NoData."""
        try:
            return _image(self.client.call('GET', '%s/images/%s' % (API, image_id), operation='get image %s' % image_id))
        except ImsApiError as exc:
            if exc.code == NOT_FOUND_CODE:
                return None
            raise

    def _private_image(self, image_id):
        """The private image of this id from GET /private-images?filter=imageId:eq:..., else None."""
        for image in self.list_private_images(image_id=image_id):
            if image.get('image_id') == image_id:
                return image
        return None

    @staticmethod
    def data_hashes(image):
        """{algorithm: hex} of the image's ``checksum``, whose algorithm the document never names: its length tells
        (32 hex digits MD5, 64 SHA-256, 128 SHA-512); another length is no digest the collection can check."""
        checksum = (image.get('checksum') or '').lower()
        algorithm = CHECKSUM_ALGORITHMS.get(len(checksum)) if re.match(r'^[0-9a-f]+$', checksum) else None
        return {algorithm: checksum} if algorithm else {}

    def create_image(self, spec):
        """POST /private-images: metadata only; the image is ``queued``. The spec's ``set_after_create`` are not sent."""
        body = _body(dict((k, v) for k, v in spec.items() if k not in self.set_after_create))
        return _image(self.client.call('POST', API + '/private-images', json_body=body,
                                       operation='create image %s' % spec.get('name')))

    def import_image(self, spec, image_url, volume_images=None):
        """POST /private-images/import: the service fetches ``image_url`` (and the data-disk URLs)."""
        body = _body(spec)
        body['imageUrl'] = image_url
        if volume_images:
            body['volumeImages'] = [{'imageUrl': v['url'], 'minDisk': v['min_disk']} for v in volume_images]
        return _image(self.client.call('POST', API + '/private-images/import', json_body=body,
                                       operation='import image %s' % spec.get('name')))

    def update_image(self, image, changes):
        """PUT /private-images/{id}, which replaces the whole field set: the image's values with ``changes``
        ({option: wanted}); returns the image as updated (the PUT answers no image)."""
        fields = update_fields(image, changes)
        body = dict((snake_to_camel(f), fields[f]) for f in UPDATE_FIELDS)
        self.client.call('PUT', '%s/private-images/%s' % (API, image['image_id']), json_body=body,
                         operation='update image %s' % image['image_id'])
        return with_changes(image, changes)

    def delete_image(self, image_id):
        """DELETE /private-images/{id}."""
        self.client.call('DELETE', '%s/private-images/%s' % (API, image_id), operation='delete image %s' % image_id)

    # -- upload and download ---------------------------------------------------

    def image_upload(self, task):
        return CECloudUpload(task)

    @classmethod
    def upload_libraries(cls, params):
        """boto3: the file goes to the object storage the service hands out (S3 API)."""
        return dict(boto3=(HAS_BOTO3, BOTO3_IMPORT_ERROR))

    def upload_prepare(self, image_id, size):
        """POST .../upload-prepare: where to put the file, with temporary object-storage credentials."""
        # Safe to repeat: the last size wins and fresh credentials replace the old ones.
        data = self.client.call('POST', '%s/private-images/%s/upload-prepare' % (API, image_id), json_body={'size': size},
                                operation='prepare the upload of image %s' % image_id, idempotent=True) or {}
        return {
            'endpoint': data.get('domain'),
            'bucket': data.get('bucket'),
            'key': data.get('file'),
            'access_key': data.get('accessKey'),
            'secret_key': data.get('secretKey'),
            'session_token': data.get('token') or None,
            'image_url': data.get('image_url'),
        }

    def upload_done(self, image_id, success, upload_id=None):
        """POST .../upload-done: tells the service the transfer's result (``success`` or ``failed``)."""
        body = {'image_id': image_id, 'result': 'success' if success else 'failed'}
        if upload_id:
            body['uploadId'] = upload_id
        self.client.call('POST', '%s/private-images/%s/upload-done' % (API, image_id), json_body=body,
                         operation='report the upload of image %s' % image_id)

    def open_download(self, image_id):
        """GET .../file: the streaming ``requests.Response`` of the image's bytes (the caller closes it)."""
        return self.client.send('GET', '%s/private-images/%s/file' % (API, image_id), stream=True,
                                operation='download image %s' % image_id)

    # -- sharing ---------------------------------------------------------------

    def list_image_members(self, image_id, page_size=None):
        """GET /private-images/{id}/share: who the image is shared with (``share_id``, ``user_id``, ``user_name``).

        Its ``total`` is 总页数 (pages) in the field table, a record count in the example and every other list.
        """
        for raw in self.client.paginate('%s/private-images/%s/share' % (API, image_id),
                                        page_size=page_size or self.max_page_size, total_may_count_pages=True,
                                        operation='list the shares of image %s' % image_id):
            yield snake_keys(raw)

    def add_image_members(self, image_id, principals):
        """POST .../share with at most ``max_share_batch`` user ids."""
        self._members('share', image_id, principals)

    def remove_image_members(self, image_id, principals):
        """POST .../unshare with at most ``max_share_batch`` user ids."""
        self._members('unshare', image_id, principals)

    def _members(self, action, image_id, user_ids):
        if len(user_ids) > self.max_share_batch:
            raise ValueError('at most %d user ids per %s request' % (self.max_share_batch, action))
        self.client.call('POST', '%s/private-images/%s/%s' % (API, image_id, action),
                         json_body={'shares': {'user_ids': list(user_ids)}},
                         operation='%s image %s' % (action, image_id))

    def delete_received_share(self, share_id):
        """DELETE /shared-images/{shareId}: the recipient drops a share it received."""
        self.client.call('DELETE', '%s/shared-images/%s' % (API, share_id), operation='remove received share %s' % share_id)

    def copy_received_share(self, share_id, tenant, name, description=None):
        """POST /shared-images/{shareId}/copy: a private copy of a received image, owned by the caller."""
        body = {'tenantId': tenant['tenant_id'], 'departmentId': tenant['department_id'],
                'resourceGroupId': tenant.get('resource_group_id') or '', 'name': name}
        if description:
            body['description'] = description
        return _image(self.client.call('POST', '%s/shared-images/%s/copy' % (API, share_id), json_body=body,
                                       operation='copy shared image %s' % share_id))

    # -- export ----------------------------------------------------------------

    def list_export_buckets(self, image_id):
        """GET .../oss-bucket-list: the buckets an image can be exported to (``name``, ``az_id``, ``cell_id``)."""
        data = self.client.call('GET', '%s/private-images/%s/oss-bucket-list' % (API, image_id),
                                operation='list export buckets for image %s' % image_id)
        return [snake_keys(b) for b in data or []]

    def export_image(self, image_id, target):
        """POST /custom-images/{id}/export into the bucket of ``target`` (an ExportTarget with its zone and cell)."""
        body = {'bucket': {'name': target.bucket, 'azId': target.az_id, 'cellId': target.cell_id}}
        # Safe to repeat: an export writes the same object again.
        self.client.call('POST', '%s/custom-images/%s/export' % (API, image_id), json_body=body,
                         operation='export image %s' % image_id, idempotent=True)


def _body(spec):
    """A create/import body: the spec's non-None fields with camelCase names, tags sent as ``imageTags``.

    Only the top level is renamed: tag dicts are the user's and go out as written.
    """
    renamed = {'tags': 'imageTags'}
    return dict((renamed.get(k) or snake_to_camel(k), v) for k, v in spec.items() if v is not None)
