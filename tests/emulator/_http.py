"""HTTP plumbing both emulators share (``server.py``: CECloud; ``huawei/http.py``: Huawei Cloud).

Body reading, replies, fault injection (rules, then random faults), the request log, the threading
server with optional TLS, route matching, the switches (``Switch``, ``Switches``: each emulator declares
only its table) and the ``/_emulator/...`` control API.  What the API documents make different (wire
format, error bodies, auth, the control actions) stays in each emulator: a subclass answers ``_api`` and
its faults' ``api_error``; its server answers ``admin`` and ``reset_state``.
"""

import argparse
import json
import random
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 16 * 1024 * 1024
# Fault actions of a rule. 'error'/'status' answer 5xx without calling the service; 'error_after'
# lets the service act, then answers 5xx in its place (a gateway timing out on a request that went through).
ERROR_ACTIONS = ('error', 'status', 'error_after')
ACTIONS = ERROR_ACTIONS + ('drop_before', 'drop_after', 'cut')
# What the load balancer in front of either service answers itself, whatever the service's error format.
GATEWAY_PAGES = {
    502: ('text/html', 'HTML', b'<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>'),
    503: ('text/plain', 'TEXT', b'Service Unavailable\n'),
}


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


def json_response(status, body, content_type='application/json; charset=utf-8', headers=(), code=None):
    """``body`` as UTF-8 JSON (None: an empty body)."""
    data = b'' if body is None else json.dumps(body, ensure_ascii=False).encode('utf-8')
    return Response(status, data, content_type=content_type, code=code, headers=list(headers))


class Routes:
    """A route table: (method, path regex, handler name) rows, matched in order."""

    def __init__(self, routes, prefix=''):
        self.compiled = [(m, re.compile(f'^{re.escape(prefix)}{p}$'), h) for m, p, h in routes]

    def match(self, method, path):
        """(handler name, path groups, whether any route has this path); the name is None when none fits."""
        path_known = False
        for route_method, regex, name in self.compiled:
            match = regex.match(path)
            if match:
                path_known = True
                if route_method == method:
                    return name, list(match.groups()), True
        return None, [], path_known


class Faults:
    """Fault injection configuration; rules first (deterministic), then random faults.

    A subclass says what the service itself answers for an injected error (``api_error``)."""

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
        """The injected error: the gateway's own page for 502/503, else the service's error body."""
        with self.lock:
            status = status or self.rng.choice((500, 502, 503))
        if status in GATEWAY_PAGES:
            content_type, code, body = GATEWAY_PAGES[status]
            return Response(status, body, content_type=content_type, code=code)
        return self.api_error(status)

    def api_error(self, status):
        raise NotImplementedError


class RequestLog:
    """Every API request, in arrival order (headers and bodies are never kept); optionally also an access log file."""

    def __init__(self, log_file=None):
        self.lock = threading.Lock()
        self.entries = []
        self.seq = 0
        self.log_fh = open(log_file, 'a', encoding='utf-8') if log_file else None  # pylint: disable=consider-using-with

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry['seq'] = self.seq
            entry['time'] = time.time()
            self.entries.append(entry)
            if self.log_fh:
                self.log_fh.write(self._line(entry))
                self.log_fh.flush()

    @staticmethod
    def _line(entry):
        query = f"?{entry['query']}" if entry['query'] else ''
        fault = f" fault={entry['fault']}" if entry.get('fault') else ''
        return (f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {entry['method']} {entry['path']}{query} "
                f"{entry['status']} {entry['code']} tenant={entry['tenant']}{fault}\n")

    def all(self):
        with self.lock:
            return [dict(e) for e in self.entries]

    def clear(self):
        with self.lock:
            self.entries.clear()


class Switch:
    """One row of an emulator's switch table: the values it takes, its default and what each value means.

    ``Switch.reading({value: meaning, ...})``: a reading of an ambiguous API document, the default (the stricter
    reading) first.  ``Switch.number(default, meaning)``: a knob of a busy service (seconds, a count), 0 or more."""

    def __init__(self, default, values=None, meaning=None, integer=False, optional=False):
        self.default = default
        self.values = values
        self.meaning = meaning
        self.integer = integer
        self.optional = optional

    @classmethod
    def reading(cls, values):
        return cls(next(iter(values)), values=dict(values))

    @classmethod
    def number(cls, default, meaning, integer=False, optional=False):
        """``integer``: a whole number; ``optional``: or null."""
        return cls(default, meaning=meaning, integer=integer, optional=optional)

    def accepts(self, value):
        if self.values is not None:
            return any(value == v and type(value) is type(v) for v in self.values)
        if value is None:
            return self.optional
        kinds = (int,) if self.integer else (int, float)
        return isinstance(value, kinds) and not isinstance(value, bool) and value >= 0

    def allowed(self):
        if self.values is not None:
            return 'one of ' + ', '.join(json.dumps(v) if isinstance(v, bool) else str(v) for v in self.values)
        return ('a whole number' if self.integer else 'a number') + ', 0 or more' + (', or null' if self.optional else '')


def check_switches(table, changes):
    """``changes`` ({name: value}) checked against ``table``; ValueError names what is wrong."""
    if not isinstance(changes, dict):
        raise ValueError('switches are a JSON object: {"name": value}')
    for name, value in changes.items():
        if name not in table:
            raise ValueError(f"unknown switch {name!r} (one of {', '.join(sorted(table))})")
        if not table[name].accepts(value):
            raise ValueError(f'switch {name} must be {table[name].allowed()}, not {value!r}')
    return dict(changes)


class Switches:
    """The switches in force at one emulator: the table's defaults, replaced by those of its start (``--switch``),
    changed by ``POST /_emulator/switches``; a reset restores those of the start."""

    def __init__(self, table, start=None):
        self.table = table
        self.lock = threading.Lock()
        self.start = dict({name: switch.default for name, switch in table.items()}, **check_switches(table, start or {}))
        self.values = dict(self.start)

    def __getitem__(self, name):
        return self.values[name]

    def all(self):
        with self.lock:
            return dict(self.values)

    def set(self, changes):
        """Switch some (an empty body: none); returns them all."""
        changes = check_switches(self.table, changes)
        with self.lock:
            self.values.update(changes)
            return dict(self.values)

    def reset(self):
        with self.lock:
            self.values = dict(self.start)


def add_switch_option(parser, table):
    """The start option of every emulator's switches, ``--switch NAME=VALUE`` (repeatable): VALUE is JSON or a bare
    word; ``dict(args.switches)`` is what ``Switches`` starts with."""

    def parse(text):
        name, _sep, raw = text.partition('=')
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw                 # a bare word: checksum=sha256
        try:
            check_switches(table, {name: value})
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return name, value

    parser.add_argument('--switch', dest='switches', action='append', default=[], type=parse, metavar='NAME=VALUE',
                        help='a switch from the start, also after a reset (README.md, "Switches"): ' + '; '.join(
                            f'{name}: {switch.allowed()} (default {switch.default})' for name, switch in table.items()))


# The control actions every emulator answers alike: (method, path) -> action(server, request body).
CONTROL_ACTIONS = {
    ('GET', '/_emulator/health'): lambda server, body: {'ok': True},
    ('GET', '/_emulator/requests'): lambda server, body: server.log.all(),
    ('DELETE', '/_emulator/requests'): lambda server, body: server.log.clear() or {'ok': True},
    ('GET', '/_emulator/faults'): lambda server, body: server.faults.describe(),
    ('POST', '/_emulator/faults'): lambda server, body: server.faults.set(body) or server.faults.describe(),
    ('GET', '/_emulator/switches'): lambda server, body: server.switches.all(),
    ('POST', '/_emulator/switches'): lambda server, body: server.switches.set(body),
    ('POST', '/_emulator/reset'): lambda server, body: server.reset(),
}


class EmulatorServer(ThreadingHTTPServer):
    """One listening port: its faults, its request log, its switches and its control API (``admin``)."""

    daemon_threads = True
    allow_reuse_address = True
    fault_scope = None  # the name fault rules' ``service`` matches, where several servers share faults
    scheme = 'http'

    def __init__(self, address, handler, faults, log, switches):
        super().__init__(address, handler)
        self.faults = faults
        self.log = log
        self.switches = switches
        self.host = address[0]

    @property
    def url(self):
        return f'{self.scheme}://{self.host}:{self.server_address[1]}'

    def use_tls(self, cert_file, key_file):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.scheme = 'https'

    def record(self, entry):
        self.log.record(entry)

    def reset(self):
        """Everything back to the start: the emulator's state, its switches, faults and request log."""
        self.reset_state()
        self.switches.reset()
        self.faults.set({})
        self.log.clear()
        return {'ok': True}

    def reset_state(self):
        raise NotImplementedError

    def admin(self, method, path, body):
        """The answer to one ``/_emulator/...`` request (JSON-able); None for an unknown one.

        A subclass answers its emulator's own actions and leaves the others to this."""
        action = CONTROL_ACTIONS.get((method, path))
        return None if action is None else action(self, body)


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


class Handler(BaseHTTPRequestHandler):
    """Reads the request, applies the faults, records it, sends the reply; ``_api`` is the emulator's."""

    protocol_version = 'HTTP/1.1'
    json_content_type = 'application/json; charset=utf-8'
    # What a control action may raise for a bad request body (answered 400, not a dropped connection).
    admin_errors = (ValueError, TypeError, KeyError, re.error)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Access logging is done by RequestLog (never with headers)."""

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

    def json_reply(self, status, body):
        return json_response(status, body, self.json_content_type)

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
        action, status, latency, body_limit = self.server.faults.decide(method, path, self.server.fault_scope)
        if latency:
            time.sleep(latency)
        if action == 'drop_before':
            entry['fault'] = action
            self.server.record(entry)
            self._drop()
            return
        if action in ('error', 'status'):
            self._send_injected_error(method, status, entry, action)
            return
        resp = self._api(method, path, query, raw, entry)
        entry.update(status=resp.status, code=resp.code)
        if action == 'cut':
            entry['fault'] = action
            self.server.record(entry)
            self._send(resp, method, body_limit=body_limit)
            self._drop()
            return
        if action in ('error_after', 'drop_after') and resp.closer is not None:
            resp.closer()
        if action == 'error_after':
            self._send_injected_error(method, status, entry, action)
            return
        if action == 'drop_after':
            entry['fault'] = action
            self.server.record(entry)
            self._drop()
            return
        self.server.record(entry)
        try:
            self._send(resp, method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send_injected_error(self, method, status, entry, action):
        resp = self.server.faults.error_response(status)
        entry.update(fault=action, status=resp.status, code=resp.code)
        self.server.record(entry)
        self._send(resp, method)

    def _body_refused(self):
        """The reply to a body too large (or malformed) to read."""
        raise NotImplementedError

    def _api(self, method, path, query, raw, entry):
        """The reply to one API request; may note ``tenant`` etc. in ``entry`` (the request log)."""
        raise NotImplementedError

    # ------------------------------------------------------------ control API

    def _admin(self, method, path, raw):
        try:
            body = json.loads(raw.decode('utf-8')) if raw.strip() else {}
            result = self.server.admin(method, path, body)
        except self.admin_errors as exc:
            return self.json_reply(400, {'error': str(exc)})
        if result is None:
            return self.json_reply(404, {'error': f'unknown admin path {method} {path}'})
        return self.json_reply(200, result)
