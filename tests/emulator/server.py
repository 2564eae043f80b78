"""The CECloud IMS emulator's HTTP side: routes, the response envelope, bearer-token auth, its control
actions and its command line (the plumbing it shares with the Huawei emulator is in ``_http.py``)."""

import argparse
import json
import os
import signal
import sys
import time
import uuid

from tests.emulator._http import EmulatorServer, Faults, Handler as BaseHandler, RequestLog, Response, Routes, add_switch_option, json_response
from tests.emulator.service import SWITCHES, ApiError, MESSAGES, S3_ERRORS, Service, load_tenants

API_PREFIX = '/api/image/v1'
_ID = '([^/]+)'
ROUTES = Routes([
    ('GET', '/images', 'list_public'),
    ('GET', f"/images/{_ID}", 'get_image'),
    ('GET', '/private-images', 'list_private'),
    ('POST', '/private-images', 'create'),
    ('POST', '/private-images/import', 'import_image'),
    ('PUT', f"/private-images/{_ID}", 'update'),
    ('DELETE', f"/private-images/{_ID}", 'delete'),
    ('POST', f"/private-images/{_ID}/upload-prepare", 'upload_prepare'),
    ('POST', f"/private-images/{_ID}/upload-done", 'upload_done'),
    ('GET', f"/private-images/{_ID}/file", 'download'),
    ('POST', f"/private-images/{_ID}/share", 'share'),
    ('GET', f"/private-images/{_ID}/share", 'list_image_shares'),
    ('POST', f"/private-images/{_ID}/unshare", 'unshare'),
    ('GET', f"/private-images/{_ID}/oss-bucket-list", 'bucket_list'),
    ('GET', '/shared-images', 'list_shared'),
    ('DELETE', f"/shared-images/{_ID}", 'delete_share'),
    ('POST', f"/shared-images/{_ID}/copy", 'copy_shared'),
    ('POST', f"/custom-images/{_ID}/export", 'export'),
], prefix=API_PREFIX)
# handlers taking (tenant, query) / (tenant, id, query) / (tenant, body) / (tenant, id, body) / (tenant, id)
WITH_QUERY = {'list_public', 'list_private', 'list_shared', 'list_image_shares'}
WITH_BODY = {'create', 'import_image', 'update', 'upload_prepare', 'upload_done', 'share', 'unshare', 'copy_shared', 'export'}


def envelope(data=None, code='Success', message=None, status=200, with_data=True):
    doc = {'requestId': str(uuid.uuid4()), 'code': code, 'message': message or MESSAGES.get(code, code)}
    if with_data:
        doc['data'] = data
    return json_response(status, doc, code=code)


class CecloudFaults(Faults):
    """An injected 500 (or other non-gateway status) has the IMS envelope with IMG.Internal.Error: with status 400,
    the status the document's error table gives the service's own failures (a rule ``error_after`` with
    ``status: 400`` makes the change, then answers so)."""

    def api_error(self, status):
        return envelope(code='IMG.Internal.Error', status=status)


def _config(service):
    return {'region': service.region, 'bucket': service.bucket, 'exportBuckets': service.export_buckets,
            's3Endpoint': service.s3.endpoint if service.s3 else None,
            'tenants': [{k: v for k, v in t.items() if k != 'token'} for t in service.tenants]}


# The control actions of this emulator's own (_http.CONTROL_ACTIONS are the shared ones).
ADMIN = {
    ('GET', '/_emulator/state'): lambda server, body: server.service.admin_state(),
    ('POST', '/_emulator/upload-target'): lambda server, body: server.service.admin_upload_target(body),
    ('POST', '/_emulator/hold'): lambda server, body: server.service.admin_hold(body),
    ('POST', '/_emulator/seed'): lambda server, body: server.service.admin_seed(body),
    ('GET', '/_emulator/config'): lambda server, body: _config(server.service),
}


class CecloudServer(EmulatorServer):
    def __init__(self, address, service, faults, log_file=None):
        super().__init__(address, Handler, faults, RequestLog(log_file), service.switches)
        self.service = service

    def reset_state(self):
        self.service.admin_reset()

    def admin(self, method, path, body):
        action = ADMIN.get((method, path))
        if action is None:
            return super().admin(method, path, body)
        try:
            return action(self, body)
        except ApiError as exc:
            raise ValueError(exc.message) from None


class Handler(BaseHandler):
    server_version = 'IMS-Emulator/1.0'

    def _body_refused(self):
        return envelope(code='IMG.InvalidParameter', message='request body too large or malformed', status=413)

    def _api(self, method, path, query, raw, entry):
        service = self.server.service
        handler, args, path_known = ROUTES.match(method, path)
        if handler is None:
            if path_known:
                return envelope(code='IMG.InvalidParameter', message=f'method {method} not allowed on {path}', status=405)
            return envelope(code='IMG.InvalidParameter', message=f'unknown API path {path}', status=404)
        auth = self.headers.get('Authorization') or ''
        token = auth[7:].strip() if auth[:7].lower() == 'bearer ' else ''
        tenant = service.tenant_for_token(token) if token else None
        if tenant is None:
            return envelope(code='IMG.OperationDenied.AuthFail', message='鉴权入参异常，请检查参数: missing or unknown bearer token',
                            status=service.switches['auth_fail_status'])
        entry['tenant'] = tenant['name']
        region = self.headers.get('x-regionid')
        try:
            if not region:
                raise ApiError('IMG.InvalidParameter', 'header x-regionid is required')
            if region != service.region:
                raise ApiError('IMG.InvalidParameter', f'header x-regionid {region!r} is not served here (expected {service.region})')
            if handler in WITH_BODY:
                try:
                    body = json.loads(raw.decode('utf-8')) if raw.strip() else {}
                except ValueError:
                    raise ApiError('IMG.InvalidParameter', 'request body is not valid JSON') from None
                if not isinstance(body, dict):
                    raise ApiError('IMG.InvalidParameter', 'request body must be a JSON object')
                args.append(body)
            elif handler in WITH_QUERY:
                args.append(query)
            if handler == 'download':
                return self._download(tenant, args[0])
            data = getattr(service, handler)(tenant, *args)
        except ApiError as exc:
            return envelope(code=exc.code, message=exc.message, status=exc.status)
        return envelope(data, with_data=handler not in ('upload_done', 'delete'))

    def _download(self, tenant, image_id):
        length, body, filename = self.server.service.download(tenant, image_id)

        def stream(wfile):
            try:
                for chunk in body.iter_chunks(1024 * 1024):
                    wfile.write(chunk)
            except S3_ERRORS:
                self.close_connection = True
            finally:
                body.close()

        resp = Response(200, content_type='application/octet-stream', code='Success', stream=stream, length=length,
                        headers=[('Content-Disposition', f'attachment; filename="{filename}"')])
        resp.closer = body.close
        return resp


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m tests.emulator', description='IMS API emulator')
    env = os.environ.get
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--region', default='region0')
    parser.add_argument('--s3-endpoint', default=env('IMS_EMU_S3_ENDPOINT'))
    parser.add_argument('--s3-access-key', default=env('IMS_EMU_S3_ACCESS_KEY'))
    parser.add_argument('--s3-secret-key', default=env('IMS_EMU_S3_SECRET_KEY'))
    parser.add_argument('--state-file')
    parser.add_argument('--transition-seconds', type=float, default=0.5)
    parser.add_argument('--tenants')
    parser.add_argument('--tls-cert')
    parser.add_argument('--tls-key')
    parser.add_argument('--log-file')
    parser.add_argument('--error-rate', type=float, default=0.0)
    parser.add_argument('--drop-rate', type=float, default=0.0)
    parser.add_argument('--latency-ms', type=float, default=0.0)
    parser.add_argument('--fault-seed', type=int)
    parser.add_argument('--page-cap', type=int, help='serve at most this many items per listing page, '
                        'whatever size is asked (total stays true), as some services do')
    add_switch_option(parser, SWITCHES)
    return parser.parse_args(argv)


def _ensure_buckets(service, timeout=30.0):
    deadline = time.time() + timeout
    while True:
        try:
            service.s3.ensure_bucket(service.bucket)
            for bucket in service.export_buckets:
                service.s3.ensure_bucket(bucket['name'])
            return
        except S3_ERRORS:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    s3 = None
    if args.s3_endpoint:
        from tests.emulator.s3 import S3Backend  # pylint: disable=import-outside-toplevel
        s3 = S3Backend(args.s3_endpoint, args.s3_access_key, args.s3_secret_key)
    else:
        sys.stderr.write('warning: no --s3-endpoint, file operations will fail\n')
    service = Service(s3=s3, state_file=args.state_file, transition=args.transition_seconds,
                      tenants=load_tenants(args.tenants), region=args.region,
                      page_cap=args.page_cap, switches=dict(args.switches))
    if s3 is not None:
        _ensure_buckets(service)
    faults = CecloudFaults()
    faults.set({'error_rate': args.error_rate, 'drop_rate': args.drop_rate, 'latency_ms': args.latency_ms, 'seed': args.fault_seed})
    server = CecloudServer((args.host, args.port), service, faults, log_file=args.log_file)
    if args.tls_cert:
        server.use_tls(args.tls_cert, args.tls_key)

    def _terminate(signum, frame):  # pylint: disable=unused-argument
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _terminate)
    service.resume_jobs()
    sys.stdout.write(f'IMS_EMULATOR_URL={server.url}\n')
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        service.stopping.set()
        server.server_close()
    return 0
