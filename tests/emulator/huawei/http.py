"""HTTP side of the Huawei emulator: one process, one state, one port per service.

Ports: IMS of every region (``ims:<region>``), IAM (``iam``), Workspace (``workspace``) and
Workspace App (``workspaceapp``).  Each request goes through the plumbing both emulators share
(``tests/emulator/_http.py``: body reading, fault switches, dropped replies, the request log), then the API
gateway's check (AK/SK signature or IAM token, ``accounts.py``), then the route's handler.
``/_emulator/...`` on any port is the test's control and inspection API (no auth).
"""

import json
import re
import sys
import traceback
from urllib.parse import parse_qs, unquote, urlsplit

from tests.emulator import _http
from tests.emulator._http import CONTROL_ACTIONS, EmulatorServer, Faults, Handler, Response, Routes
from tests.emulator.huawei import errors
from tests.emulator.huawei.errors import HuaweiError, img

_ID = '([^/]+)'
_P = '([0-9a-f]{32})'
IMS_ROUTES = (
    # IMS extension API (5, 6)
    ('GET', '/v2/cloudimages', 'list_cloudimages'),
    ('POST', '/v2/cloudimages/action', 'create_image'),
    ('POST', '/v2/cloudimages/quickimport/action', 'quick_import'),
    ('POST', '/v1/cloudimages/dataimages/action', 'create_data_image'),
    ('POST', '/v1/cloudimages/wholeimages/action', 'create_whole_image'),
    ('PATCH', f'/v2/cloudimages/{_ID}', 'update_cloudimage'),
    ('PUT', f'/v1/cloudimages/{_ID}/upload', 'register_image'),
    ('POST', f'/v1/cloudimages/{_ID}/file', 'export_image'),
    ('POST', f'/v1/cloudimages/{_ID}/copy', 'copy_in_region'),
    ('POST', f'/v1/cloudimages/{_ID}/cross_region_copy', 'copy_cross_region'),
    ('GET', f'/v1/{_ID}/jobs/{_ID}', 'show_job'),
    ('GET', f'/v1/cloudimages/job/{_ID}', 'show_job_progress'),
    ('POST', '/v1/cloudimages/members', 'add_members'),
    ('PUT', '/v1/cloudimages/members', 'update_members'),
    ('DELETE', '/v1/cloudimages/members', 'remove_members'),
    ('GET', f'/v1/{_ID}/cloudimages/{_ID}/members', 'list_members'),
    ('GET', f'/v1/{_ID}/cloudimages/{_ID}/members/{_ID}', 'show_member'),
    ('GET', '/v1/cloudimages/quota', 'quota'),
    ('GET', '/v1/cloudimages/os_version', 'os_versions'),
    ('GET', f'/v2/{_P}/images/{_ID}/tags', 'list_image_tags'),
    ('POST', f'/v2/{_P}/images/{_ID}/tags', 'add_image_tag'),
    ('POST', f'/v2/{_P}/images/{_ID}/tags/action', 'batch_image_tags'),
    ('DELETE', f'/v2/{_P}/images/{_ID}/tags/{_ID}', 'delete_image_tag'),
    ('GET', f'/v2/{_P}/images/tags', 'list_project_tags'),
    ('POST', f'/v2/{_P}/images/resource_instances/action', 'resource_instances'),
    # Glance v2 as Huawei serves it (7)
    ('GET', '/v2/images', 'list_glance_images'),
    ('POST', '/v2/images', 'glance_create'),
    ('GET', f'/v2/images/{_ID}', 'show_glance_image'),
    ('PATCH', f'/v2/images/{_ID}', 'glance_update'),
    ('DELETE', f'/v2/images/{_ID}', 'glance_delete'),
    ('PUT', f'/v2/images/{_ID}/file', 'glance_upload'),
    ('POST', f'/v2/images/{_ID}/members', 'glance_add_member'),
    ('GET', f'/v2/images/{_ID}/members', 'glance_list_members'),
    ('GET', f'/v2/images/{_ID}/members/{_ID}', 'glance_show_member'),
    ('PUT', f'/v2/images/{_ID}/members/{_ID}', 'glance_update_member'),
    ('DELETE', f'/v2/images/{_ID}/members/{_ID}', 'glance_delete_member'),
    ('PUT', f'/v2/images/{_ID}/tags/{_ID}', 'glance_add_tag'),
    ('DELETE', f'/v2/images/{_ID}/tags/{_ID}', 'glance_delete_tag'),
    ('GET', '/v2/schemas/(image|images|member|members)', 'schema'),
    # deprecated Glance v1 / v1.1 (8)
    ('GET', '/v1.1/images/detail', 'v11_list_detail'),
    ('HEAD', f'/v1/images/{_ID}', 'v1_head'),
    ('DELETE', f'/v1.1/images/{_ID}', 'v11_delete'),
    ('GET', '/', 'api_versions'),
    ('GET', '/(v[0-9.]+)', 'api_version'),
)
UPLOAD_PATH = re.compile(f'^/v2/images/{_ID}/file$')
IAM_ROUTES = (
    ('POST', '/v3/auth/tokens', 'create_token'),
    ('GET', '/v3/projects', 'list_projects'),
)
WORKSPACE_ROUTES = (('GET', f'/v2/{_ID}/images', 'list_images'),)
WORKSPACE_APP_ROUTES = (('GET', f'/v1/{_ID}/image-servers', 'list_image_servers'),)
# Requests the gateway lets through without a signature or token.
UNAUTHENTICATED = {'create_token'}
# AK/SK-signed bodies above this are refused by the gateway (its AK/SK signing rules); a token-authenticated Glance upload
# streams to the image store below Huawei's 2 GB (PUT /v2/images/{image_id}/file: "file < 2 GB"; a larger body is refused, 413).
AKSK_BODY_LIMIT = 12 * 1024 * 1024
UPLOAD_LIMIT = 2 * 1024 ** 3
ERROR_SHAPES = {'ims': 'ims', 'iam': 'gateway', 'workspace': 'workspace', 'workspaceapp': 'gateway'}


ROUTES = {'ims': Routes(IMS_ROUTES), 'iam': Routes(IAM_ROUTES), 'workspace': Routes(WORKSPACE_ROUTES),
          'workspaceapp': Routes(WORKSPACE_APP_ROUTES)}
JSON = 'application/json;charset=UTF-8'


def json_response(status, body, headers=(), code=None):
    return _http.json_response(status, body, JSON, headers, code)


class HuaweiFaults(Faults):
    """An injected error other than the load balancer's 502/503 has Huawei's gateway body."""

    def api_error(self, status):
        if status == 429:
            return json_response(429, {'error_code': 'APIGW.0308', 'error_msg': 'The throttling threshold has been reached: policy user over ratelimit',
                                       'request_id': errors.request_id()}, code='APIGW.0308')
        body = {'error_code': 'APIGW.0203', 'error_msg': 'Backend service error (a fault injected by the test)',
                'request_id': errors.request_id()}
        return json_response(status, body, code='APIGW.0203')


class Request:
    """One API request as a handler sees it."""

    def __init__(self, server, method, raw_path, raw_query, headers, body):
        self.server = server
        self.method = method
        self.kind = server.kind
        self.region = server.region
        self.raw_path = raw_path
        self.raw_query = raw_query
        self.headers = headers
        self.body = body
        self.query = {k: v[-1] for k, v in parse_qs(raw_query, keep_blank_values=True).items()}
        self.caller = None
        self.project = None
        self.base_url = server.url

    @property
    def tenant(self):
        return self.caller.tenant

    def json(self, expect=dict, shape=None):
        """The JSON body; the service's 400 when it is not JSON of the expected type."""
        try:
            data = json.loads(self.body.decode('utf-8')) if self.body.strip() else None
        except ValueError:
            data = ValueError
        if data is None and expect is dict:
            data = {}
        if not isinstance(data, expect):
            message = f'The request body must be a JSON {"object" if expect is dict else "array"}.'
            raise HuaweiError('IMG.0001' if self.kind == 'ims' else 'Bad Request', message, 400,
                              shape=shape or ERROR_SHAPES[self.kind])
        return data

    def require_path_project(self, project_id):
        if project_id != self.project:
            if self.kind == 'ims':
                raise img('IMG.0030', 'The project ID in the URL does not match the credentials.')
            raise HuaweiError('APIGW.0301', 'Incorrect IAM authentication information: the project ID in the URL does not '
                              'match the credentials', 401, shape=ERROR_SHAPES[self.kind])


class _BodyStream:
    """The unread body of a large upload, read by the handler straight into object storage."""

    def __init__(self, rfile, length):
        self.rfile = rfile
        self.left = length

    def read(self, size=-1):
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.rfile.read(size) if size else b''
        self.left -= len(data)
        return data


class HuaweiHandler(Handler):
    server_version = 'Huawei-Emulator/1.0'
    json_content_type = JSON
    stream = None

    def _dispatch(self, method):
        self.stream = None
        super()._dispatch(method)
        if self.stream is not None and self.stream.left:
            self.close_connection = True  # the rest of the body is still on the socket

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        chunked = 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower()
        signed = self.headers.get('Authorization') is not None
        if signed and length > AKSK_BODY_LIMIT:
            raise ValueError('an AK/SK-signed body above 12 MB')
        if (self.command == 'PUT' and not signed and not chunked and AKSK_BODY_LIMIT < length < UPLOAD_LIMIT
                and UPLOAD_PATH.match(urlsplit(self.path).path)):
            self.stream = _BodyStream(self.rfile, length)
            return self.stream
        return super()._read_body()

    def do_HEAD(self):  # pylint: disable=invalid-name
        self._dispatch('HEAD')

    def _body_refused(self):
        return json_response(413, {'error_code': 'APIGW.0201', 'error_msg': 'Request entity too large',
                                   'request_id': errors.request_id()}, code='APIGW.0201')

    def _api(self, method, path, query, raw, entry):  # pylint: disable=unused-argument
        server = self.server
        parts = urlsplit(self.path)
        req = Request(server, method, parts.path, parts.query, self.headers, raw)
        request_id = errors.request_id()
        entry.update(service=server.fault_scope, region=server.region, request_id=request_id)
        try:
            resp = self._route(req, entry)
        except HuaweiError as exc:
            resp = json_response(exc.status, exc.body(request_id), code=exc.code)
        except Exception:  # pylint: disable=broad-except  # an emulator bug: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            resp = json_response(500, {'error_code': 'EMULATOR.BUG', 'error_msg': 'the emulator failed; see its stderr',
                                       'request_id': request_id}, code='EMULATOR.BUG')
        trace = 'X-IAM-Trace-Id' if server.kind == 'iam' else 'X-Request-Id'
        resp.headers.append((trace, request_id))
        return resp

    def _route(self, req, entry):
        handler, args, path_known = ROUTES[req.kind].match(req.method, req.raw_path)
        if handler is None:
            if path_known:
                raise HuaweiError('APIGW.0101', f'The method {req.method} is not allowed on {req.raw_path}', 405, shape='gateway')
            raise errors.not_found_path(req.method, req.raw_path)
        entry['handler'] = handler
        if handler not in UNAUTHENTICATED:
            self._authenticate(req, entry)
        result = getattr(self.server.app.handlers[req.kind], handler)(req, *[unquote(a) for a in args])
        status, body = result[0], result[1]
        headers = result[2] if len(result) > 2 else ()
        if status == 204 or body is None:
            return json_response(status, None, headers)
        if req.method == 'HEAD':
            return Response(status, b'', headers=list(headers))
        return json_response(status, body, headers)

    def _authenticate(self, req, entry):
        app = self.server.app
        req.caller = app.accounts.authenticate(req.method, req.raw_path, req.raw_query, self.headers, req.body)
        entry.update(tenant=req.caller.tenant['name'], auth=req.caller.via)
        project = req.caller.project
        if req.caller.via == 'token' and project is None and req.kind != 'iam':
            raise HuaweiError('APIGW.0301', 'Incorrect IAM authentication information: the token is not scoped to a project',
                              401, shape='workspace' if req.kind == 'workspace' else 'gateway')
        if req.kind == 'ims':
            project = project or app.accounts.region_project(req.caller.tenant, req.region)
            if app.accounts.projects[project]['region'] != req.region:
                raise img('IMG.0030', f'The project {project} is not a project of region {req.region}.')
        req.project = project
        entry['project'] = project


class HuaweiServer(EmulatorServer):
    """One port of the emulator; every port shares the App's state, switches, faults, request log and control API."""

    def __init__(self, address, app, kind, region=None):
        super().__init__(address, HuaweiHandler, app.faults, app.log, app.switches)
        self.app = app
        self.kind = kind
        self.region = region
        self.fault_scope = f'{kind}:{region}' if region else kind

    def record(self, entry):
        entry.setdefault('service', self.fault_scope)
        super().record(entry)

    def reset_state(self):
        self.app.reset_state()

    def admin(self, method, path, body):
        if (method, path) in CONTROL_ACTIONS:
            return super().admin(method, path, body)
        return self.app.admin(method, path, body)
