# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud Workspace's two image listings, on the wire:

- Workspace ``ListImages``, ``GET /v2/{project_id}/images``: desktop product images,
  ``{"images": [...], "total_count": N}``, on ``workspace.{region}``;
- Workspace App ``ListImageServers``, ``GET /v1/{project_id}/image-servers``: image
  servers, ``{"items": [...], "count": N}``, on ``appstream.{region}`` in five mainland-China regions
  and ``workspace.{region}`` elsewhere (the SDK's region table).

Both are their own services beside IMS, authenticated exactly as IMS (the provider's auth schemes,
whose project is also the path's ``{project_id}``), and both page by ``offset``/``limit`` with at
most 100 records a page.  Their connection options (``workspace_endpoint``, ``workspace_app_endpoint``)
belong to provider huaweicloud: a ``module_defaults`` group sets ``endpoint`` to the IMS URL.
Decisions where the API references are vague are in docs/api-notes.md ("Huawei Cloud Workspace").
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import quote

from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import core
from ansible_collections.cecloud.ims.plugins.module_utils._core.case import snake_keys
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import check_endpoint

# The largest page of both listings (ListImages: 0-100, default 100; ListImageServers: 1-100, default 10).
MAX_PAGE_SIZE = 100

# Workspace App's host in the regions where Huawei's SDK names ``appstream.{region}`` (mainland China);
# every other region is served on ``workspace.{region}`` (the region table of Huawei's SDK).
APPSTREAM_REGIONS = frozenset(('cn-north-4', 'cn-north-9', 'cn-east-3', 'cn-south-1', 'cn-southwest-2'))

# Connection options of provider huaweicloud for the Workspace modules, with their environment variables.
OPTIONS = dict(workspace_endpoint=('IMS_WORKSPACE_ENDPOINT',), workspace_app_endpoint=('IMS_WORKSPACE_APP_ENDPOINT',))

IMAGE_TYPES = ('gold', 'private')
SORT_FIELDS = ('name', 'created_at')
SORT_TYPES = ('asc', 'desc')
# Image server statuses (Workspace App API: ListImageServers); "not set" comes as NULL (that reference), "null" (the SDK's enum) or a JSON null,
# and is returned as NULL.
SERVER_STATUSES = ('CREATING', 'ACTIVE', 'BUILDING', 'BUILT', 'ERROR', 'DELETING', 'NULL')
STATUS_NOT_SET = 'NULL'

# Every documented field of the records (absent ones are returned as None, so a playbook can test them).
IMAGE_FIELDS = ('id', 'name', 'image_type', 'os_type', 'architecture', 'os_version', 'disk_format', 'min_ram',
                'min_disk', 'product_code', 'created_at', 'kms_id')
SERVER_FIELDS = ('id', 'name', 'description', 'image_ref', 'server_group_id', 'app_group_id', 'server_id',
                 'instance_id', 'image_id', 'status', 'authorize_accounts', 'create_time', 'update_time',
                 'enterprise_project_id')
IMAGE_REF_FIELDS = ('id', 'image_type', 'spce_code', 'product_id')
ACCOUNT_FIELDS = ('account', 'account_type', 'domain')


def app_service_url(region):
    """Workspace App's public URL in ``region``: ``appstream.{region}`` in mainland China, else ``workspace.{region}``."""
    return core.service_url('appstream' if region in APPSTREAM_REGIONS else 'workspace', region)


def _default_app_url(params):
    region = params.get('region')
    return app_service_url(region) if region and core.REGION.match(region) else None


DEFAULTS = dict(workspace_endpoint=core.default_service_url('workspace'), workspace_app_endpoint=_default_app_url)


def check_endpoints(params):
    """The Workspace URLs, before any request (the provider's other checks are IMS's)."""
    for option in OPTIONS:
        if params.get(option):
            check_endpoint(params[option], option=option)


# -- wire format -----------------------------------------------------------------------

class OffsetPagedDialect(core.HuaweiDialect):
    """A Workspace listing: Huawei's error bodies, ``offset``/``limit`` paging over ``list_key`` with ``total_key``."""

    list_key = None
    total_key = None

    def data(self, response, operation):
        """The body of a 2xx answer; one that carries ``error_code`` is an error (Workspace documents some 200s so)."""
        body = super(OffsetPagedDialect, self).data(response, operation)
        if isinstance(body, dict) and body.get('error_code'):
            code, message, request_id = self.error_fields(response)
            raise ImsApiError(code, message, request_id, response.status_code, operation=operation)
        return body

    def paginate(self, client, path, params, page_size, operation, listing=None):
        """Yield the records of every page: ``offset`` advances by what each page held.

        The listing ends on an empty or short page, or on a page with nothing new (a service that ignores
        ``offset``); never on the service's total, which can be wrong (ListImages' example shows ``total_count`` 1 beside two
        images; docs/api-notes.md, "Workspace totals"): N records cost floor(N / page) + 1 requests.  A record
        already yielded (records shifted between pages) is not yielded again.  ``listing`` (a ``Listing``) says
        how many records are still wanted and receives the total: the service's, or the records counted when
        every page was read.
        """
        listing = listing if listing is not None else Listing()
        query = dict(params or {})
        offset = 0
        seen = set()
        while True:
            size = listing.page_size(page_size)
            data = client.call('GET', path, params=dict(query, offset=offset, limit=size), operation=operation) or {}
            records = data.get(self.list_key) if isinstance(data.get(self.list_key), list) else []
            listing.note_total(data.get(self.total_key))
            fresh = [r for r in records if _identity(r) not in seen]
            for record in fresh:
                seen.add(_identity(record))
                listing.take()
                yield record
                if listing.satisfied():
                    return
            offset += len(records)
            if not fresh or len(records) < size:
                listing.note_total(len(seen))
                return


class WorkspaceDialect(OffsetPagedDialect):
    name = 'huaweicloud-workspace'
    list_key = 'images'
    total_key = 'total_count'


class WorkspaceAppDialect(OffsetPagedDialect):
    name = 'huaweicloud-workspace-app'
    list_key = 'items'
    total_key = 'count'


def _identity(record):
    return record.get('id') if isinstance(record, dict) and record.get('id') else id(record)


class Listing:
    """What a paged listing still needs: ``wanted`` records in all (None: every one), and the service's total."""

    def __init__(self, wanted=None):
        self.wanted = wanted
        self.taken = 0
        self.total = None

    def page_size(self, largest):
        """The page to ask for: the largest, or fewer when fewer records are still wanted (never 0)."""
        if self.wanted is None:
            return largest
        return max(1, min(largest, self.wanted - self.taken))

    def note_total(self, total):
        if isinstance(total, int) and not isinstance(total, bool):
            self.total = total

    def take(self):
        self.taken += 1

    def satisfied(self):
        return self.wanted is not None and self.taken >= self.wanted


# -- records ---------------------------------------------------------------------------

def _fields(raw, names):
    """``raw`` in snake_case with every one of ``names`` present (None when the service left it out)."""
    record = snake_keys(dict(raw)) if isinstance(raw, dict) else {}
    for name in names:
        record.setdefault(name, None)
    return record


def product_image(raw):
    """A desktop product image of ``ListImages`` (ImageInfo)."""
    return _fields(raw, IMAGE_FIELDS)


def image_server(raw):
    """An image server of ``ListImageServers`` (ImageServer, with ImageRef and ImageAccountInfo in full)."""
    server = _fields(raw, SERVER_FIELDS)
    server['image_ref'] = _fields(server['image_ref'], IMAGE_REF_FIELDS) if isinstance(server['image_ref'], dict) else None
    server['authorize_accounts'] = [_fields(a, ACCOUNT_FIELDS) for a in server['authorize_accounts'] or []
                                    if isinstance(a, dict)]
    status = server['status']
    server['status'] = STATUS_NOT_SET if status is None or str(status).upper() == STATUS_NOT_SET else status
    return server


def _path(value):
    return quote(str(value), safe='')


class WorkspaceBackend:
    """The two listings, through clients of the task's connection (same auth, session, TLS, retries, counter)."""

    def __init__(self, client, params):
        self.workspace = self._sibling(client, params, 'workspace_endpoint', WorkspaceDialect())
        self.app = self._sibling(client, params, 'workspace_app_endpoint', WorkspaceAppDialect())

    @staticmethod
    def _sibling(client, params, option, dialect):
        sibling = client.sibling(params[option], dialect, auth=client.auth, endpoint_option=option)
        sibling.extra_headers = dict(client.extra_headers)     # the task's headers go to every service it calls
        return sibling

    def _list(self, client, path_template, query, listing, convert, what):
        """Every record of one listing of the caller's project, converted, counted in ``listing``."""
        project = client.auth.project()
        path = path_template % _path(project)
        operation = 'list %s of project %s at %s' % (what, project, client.endpoint)
        for raw in client.dialect.paginate(client, path, query, MAX_PAGE_SIZE, operation, listing=listing):
            yield convert(raw)

    def list_images(self, query, listing):
        """GET /v2/{project_id}/images with ``query`` (os_type, image_type, platform, architecture, package_type,
        image_id, sort_field, sort_type): the desktop product images."""
        return self._list(self.workspace, '/v2/%s/images', query, listing, product_image, 'Workspace desktop images')

    def list_image_servers(self, query, listing):
        """GET /v1/{project_id}/image-servers with ``query`` (server_name, server_id, enterprise_project_id)."""
        return self._list(self.app, '/v1/%s/image-servers', query, listing, image_server, 'Workspace App image servers')
