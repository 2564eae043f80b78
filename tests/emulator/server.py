"""HTTP layer, fault injection and command line of the IMS emulator."""

import argparse
import json
import os
import random
import re
import signal
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.emulator.service import ApiError, MESSAGES, S3_ERRORS, Service, load_tenants

API_PREFIX = '/api/image/v1'
_ID = '([^/]+)'
ROUTES = [
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
]
COMPILED = [(m, re.compile(f"^{re.escape(API_PREFIX)}{p}$"), h) for m, p, h in ROUTES]
# handlers taking (tenant, query) / (tenant, id, query) / (tenant, body) / (tenant, id, body) / (tenant, id)
WITH_QUERY = {'list_public', 'list_private', 'list_shared', 'list_image_shares'}
WITH_BODY = {'create', 'import_image', 'update', 'upload_prepare', 'upload_done', 'share', 'unshare', 'copy_shared', 'export'}
MAX_BODY = 16 * 1024 * 1024
# Fault actions of a rule. 'error'/'status' answer 5xx without calling the service; 'error_after'
# lets the service act, then answers 5xx in its place (a gateway timing out on a request that went through).
ERROR_ACTIONS = ('error', 'status', 'error_after')
ACTIONS = ERROR_ACTIONS + ('drop_before', 'drop_after', 'cut')


class Response:
    def __init__(self, status, body=b'', content_type='application/json; charset=utf-8', code=None, stream=None, length=None, headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.code = code
        self.stream = stream
        self.length = length
        self.headers = headers or []
        self.closer = None


def envelope(data=None, code='Success', message=None, status=200, with_data=True):
    doc = {'requestId': str(uuid.uuid4()), 'code': code, 'message': message or MESSAGES.get(code, code)}
    if with_data:
        doc['data'] = data
    return Response(status, json.dumps(doc, ensure_ascii=False).encode('utf-8'), code=code)


def plain_json(data, status=200):
    return Response(status, json.dumps(data, ensure_ascii=False).encode('utf-8'))


class Faults:
    """Fault injection configuration; rules first (deterministic), then random faults."""

    def __init__(self):
        self.lock = threading.Lock()
        self.config = {}
        self.rng = random.Random()
        self.rules = []
        self.set({})

    def set(self, config):
        error_rate = float(config.get('error_rate', 0) or 0)
        drop_rate = float(config.get('drop_rate', 0) or 0)
        latency_ms = float(config.get('latency_ms', 0) or 0)
        rules = []
        for rule in config.get('rules') or []:
            action = rule.get('action', 'error')
            if action not in ACTIONS:
                raise ValueError(f'unknown action {action!r}')
            rules.append({'method': (rule.get('method') or '*').upper(), 'path': rule.get('path') or '.*',
                          'service': rule.get('service') or '*',
                          'regex': re.compile(rule.get('path') or '.*'), 'action': action,
                          'status': int(rule.get('status') or (503 if action in ERROR_ACTIONS else 0)),
                          'count': int(rule.get('count', 1)), 'latency_ms': float(rule.get('latency_ms', 0) or 0),
                          'bytes': int(rule.get('bytes', 65536))})
        with self.lock:
            self.config = {'error_rate': error_rate, 'drop_rate': drop_rate, 'latency_ms': latency_ms, 'seed': config.get('seed')}
            self.rng = random.Random(config.get('seed'))
            self.rules = rules

    def describe(self):
        with self.lock:
            doc = dict(self.config)
            doc['rules'] = [{k: v for k, v in r.items() if k != 'regex'} for r in self.rules]
            return doc

    def decide(self, method, path, service=None):
        """Return (action, status, latency seconds, bytes of body to send before a ``cut``) for an API request.

        ``service``: which of several servers sharing these faults got the request (a rule's optional
        ``service`` names the one it applies to)."""
        with self.lock:
            for rule in self.rules:
                if (rule['count'] != 0 and rule['method'] in ('*', method) and rule['service'] in ('*', service)
                        and rule['regex'].search(path)):
                    if rule['count'] > 0:
                        rule['count'] -= 1
                    return rule['action'], rule['status'], rule['latency_ms'] / 1000.0, rule['bytes']
            latency = self.config['latency_ms'] / 1000.0
            draw = self.rng.random()
            if draw < self.config['error_rate']:
                return 'error', 0, latency, None
            if draw < self.config['error_rate'] + self.config['drop_rate']:
                return self.rng.choice(('drop_before', 'drop_after')), 0, latency, None
            return None, 0, latency, None

    def error_response(self, status):
        with self.lock:
            status = status or self.rng.choice((500, 502, 503))
        if status == 502:
            return Response(502, b'<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
                            content_type='text/html', code='HTML')
        if status == 503:
            return Response(503, b'Service Unavailable\n', content_type='text/plain', code='TEXT')
        return envelope(code='IMG.Internal.Error', status=status)


class _CutShort(Exception):
    """Raised by _CuttingWriter once its byte budget is spent."""


class _CuttingWriter:
    """Writes ``limit`` bytes to ``inner``, then raises _CutShort."""

    def __init__(self, inner, limit):
        self.inner = inner
        self.left = limit

    def write(self, data):
        if len(data) > self.left:
            self.inner.write(bytes(data[:self.left]))
            raise _CutShort()
        self.left -= len(data)
        return self.inner.write(data)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, service, faults, log_file=None):
        super().__init__(address, Handler)
        self.service = service
        self.faults = faults
        self.log_lock = threading.Lock()
        self.request_log = []
        self.seq = 0
        self.log_fh = open(log_file, 'a', encoding='utf-8') if log_file else None  # pylint: disable=consider-using-with

    def record(self, entry):
        with self.log_lock:
            self.seq += 1
            entry['seq'] = self.seq
            self.request_log.append(entry)
            if self.log_fh:
                query = f"?{entry['query']}" if entry['query'] else ''
                fault = f" fault={entry['fault']}" if entry.get('fault') else ''
                self.log_fh.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {entry['method']} {entry['path']}{query} "
                                  f"{entry['status']} {entry['code']} tenant={entry['tenant']}{fault}\n")
                self.log_fh.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'IMS-Emulator/1.0'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Access logging is done by EmulatorServer.record (never with headers)."""

    def do_GET(self):  # pylint: disable=invalid-name
        self._dispatch('GET')

    def do_POST(self):  # pylint: disable=invalid-name
        self._dispatch('POST')

    def do_PUT(self):  # pylint: disable=invalid-name
        self._dispatch('PUT')

    def do_DELETE(self):  # pylint: disable=invalid-name
        self._dispatch('DELETE')

    def do_PATCH(self):  # pylint: disable=invalid-name
        self._dispatch('PATCH')

    # ------------------------------------------------------------ plumbing

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline(1024).split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b'\r\n', b'\n', b''):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline(1024)
                if len(out) > MAX_BODY:
                    raise ValueError('body too large')
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            raise ValueError('body too large')
        return self.rfile.read(length) if length else b''

    def _send(self, resp, method, body_limit=None):
        """Send ``resp``; with ``body_limit``, only that many bytes of its body (the caller then drops the connection)."""
        self.send_response(resp.status)
        self.send_header('Content-Type', resp.content_type)
        for key, value in resp.headers:
            self.send_header(key, value)
        length = resp.length if resp.stream is not None else len(resp.body)
        self.send_header('Content-Length', str(length))
        self.end_headers()
        if method == 'HEAD':
            return
        out = self.wfile if body_limit is None else _CuttingWriter(self.wfile, body_limit)
        try:
            if resp.stream is not None:
                resp.stream(out)
            else:
                out.write(resp.body)
        except _CutShort:
            pass
        self.wfile.flush()

    def _drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(2)
        except OSError:
            pass

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        path = parts.path.rstrip('/') or '/'
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            raw = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(self._body_refused(), method)
            return
        if path.startswith('/_emulator'):
            self._send(self._admin(method, path, raw), method)
            return
        entry = {'method': method, 'path': path, 'query': parts.query, 'tenant': None, 'status': None, 'code': None, 'fault': None}
        action, status, latency, body_limit = self.server.faults.decide(method, path, getattr(self.server, 'fault_scope', None))
        if latency:
            time.sleep(latency)
        if action == 'drop_before':
            entry['fault'] = action
            self.server.record(entry)
            self._drop()
            return
        if action in ('error', 'status'):
            resp = self.server.faults.error_response(status)
            entry.update(fault=action, status=resp.status, code=resp.code)
            self.server.record(entry)
            self._send(resp, method)
            return
        resp = self._api(method, path, query, raw, entry)
        entry.update(status=resp.status, code=resp.code)
        if action == 'cut':
            entry['fault'] = action
            self.server.record(entry)
            self._send(resp, method, body_limit=body_limit)
            self._drop()
            return
        if action == 'error_after':
            if resp.closer is not None:
                resp.closer()
            resp = self.server.faults.error_response(status)
            entry.update(fault=action, status=resp.status, code=resp.code)
            self.server.record(entry)
            self._send(resp, method)
            return
        if action == 'drop_after':
            entry['fault'] = action
            self.server.record(entry)
            if resp.closer is not None:
                resp.closer()
            self._drop()
            return
        self.server.record(entry)
        try:
            self._send(resp, method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    @staticmethod
    def _body_refused():
        return envelope(code='IMG.InvalidParameter', message='request body too large or malformed', status=413)

    # ------------------------------------------------------------ API

    def _api(self, method, path, query, raw, entry):
        service = self.server.service
        handler = args = None
        path_known = False
        for route_method, regex, name in COMPILED:
            match = regex.match(path)
            if match:
                path_known = True
                if route_method == method:
                    handler, args = name, list(match.groups())
                    break
        if handler is None:
            if path_known:
                return envelope(code='IMG.InvalidParameter', message=f'method {method} not allowed on {path}', status=405)
            return envelope(code='IMG.InvalidParameter', message=f'unknown API path {path}', status=404)
        auth = self.headers.get('Authorization') or ''
        token = auth[7:].strip() if auth[:7].lower() == 'bearer ' else ''
        tenant = service.tenant_for_token(token) if token else None
        if tenant is None:
            return envelope(code='IMG.OperationDenied.AuthFail', message='鉴权入参异常，请检查参数: missing or unknown bearer token', status=401)
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

    # ------------------------------------------------------------ admin

    def _admin(self, method, path, raw):
        server = self.server
        service = server.service
        try:
            body = json.loads(raw.decode('utf-8')) if raw.strip() else {}
        except ValueError:
            return plain_json({'error': 'invalid JSON'}, 400)
        key = (method, path)
        try:
            if key == ('GET', '/_emulator/health'):
                return plain_json({'ok': True})
            if key == ('GET', '/_emulator/requests'):
                with server.log_lock:
                    return plain_json(list(server.request_log))
            if key == ('DELETE', '/_emulator/requests'):
                with server.log_lock:
                    server.request_log.clear()
                return plain_json({'ok': True})
            if key == ('GET', '/_emulator/state'):
                return plain_json(service.admin_state())
            if key == ('POST', '/_emulator/reset'):
                service.admin_reset()
                server.faults.set({})
                with server.log_lock:
                    server.request_log.clear()
                return plain_json({'ok': True})
            if key == ('POST', '/_emulator/upload-target'):
                return plain_json(service.admin_upload_target(body))
            if key == ('POST', '/_emulator/hold'):
                return plain_json(service.admin_hold(body))
            if key == ('POST', '/_emulator/seed'):
                return plain_json(service.admin_seed(body))
            if key == ('GET', '/_emulator/faults'):
                return plain_json(server.faults.describe())
            if key == ('POST', '/_emulator/faults'):
                server.faults.set(body)
                return plain_json(server.faults.describe())
            if key == ('GET', '/_emulator/config'):
                return plain_json({'region': service.region, 'bucket': service.bucket, 'exportBuckets': service.export_buckets,
                                   's3Endpoint': service.s3.endpoint if service.s3 else None,
                                   'tenants': [{k: v for k, v in t.items() if k != 'token'} for t in service.tenants]})
        except ApiError as exc:
            return plain_json({'error': exc.message}, 400)
        except (ValueError, TypeError, re.error) as exc:
            return plain_json({'error': str(exc)}, 400)
        return plain_json({'error': 'unknown admin path'}, 404)


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
                      page_cap=args.page_cap)
    if s3 is not None:
        _ensure_buckets(service)
    faults = Faults()
    faults.set({'error_rate': args.error_rate, 'drop_rate': args.drop_rate, 'latency_ms': args.latency_ms, 'seed': args.fault_seed})
    server = EmulatorServer((args.host, args.port), service, faults, log_file=args.log_file)
    scheme = 'http'
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = 'https'

    def _terminate(signum, frame):  # pylint: disable=unused-argument
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _terminate)
    service.resume_jobs()
    sys.stdout.write(f'IMS_EMULATOR_URL={scheme}://{args.host}:{server.server_address[1]}\n')
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        service.stopping.set()
        server.server_close()
    return 0
