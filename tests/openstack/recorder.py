# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A loopback HTTP proxy in front of Glance that records every request (Glance keeps no request log).

Tests point a module's ``endpoint`` at it and then ask which requests reached Glance: a second run
sends no PATCH/POST, a refused input no write at all.
"""

import http.server
import socket
import threading

import requests

WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')
BODY_KEPT = 65536
# Hop-by-hop headers (RFC 7230 6.1) and those requests recomputes: not forwarded.
_HOP_HEADERS = frozenset(('connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
                          'content-length', 'host', 'content-encoding'))


class Answer:
    """What a request hook returns to answer the request itself instead of forwarding it to Glance."""

    def __init__(self, status, body=b'', headers=None):
        self.status = status
        self.body = body.encode('utf-8') if isinstance(body, str) else body
        self.headers = dict(headers or {'Content-Type': 'application/json'})


class RecordingProxy:
    """Forwards ``http://127.0.0.1:<port>/...`` to ``target``; ``requests`` lists (method, path with query).

    ``bodies`` maps the index of a request in ``requests`` to its body, for bodies of at most BODY_KEPT bytes.

    Faults, for the transfer tests: ``on_request(method, path, body)`` returns the body to forward (changed or
    not) or an Answer to send instead; ``on_response(method, path, content)`` returns the content to answer;
    ``cut_body_after`` (bytes) makes the proxy read that much of a request body larger than it and then close
    the connection without an answer (nothing is forwarded), as a network failure mid-upload would.
    """

    def __init__(self, target):
        self.target = target.rstrip('/')
        self.requests = []
        self.bodies = {}
        self._lock = threading.Lock()
        self._session = requests.Session()
        self.on_request = None
        self.on_response = None
        self.cut_body_after = None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

            def _forward(self):
                length = int(self.headers.get('Content-Length') or 0)
                if proxy.cut_body_after is not None and length > proxy.cut_body_after:
                    self.rfile.read(proxy.cut_body_after)
                    with proxy._lock:
                        proxy.requests.append((self.command, self.path))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                body = self.rfile.read(length) if length else None
                with proxy._lock:
                    if body is not None and len(body) <= BODY_KEPT:
                        proxy.bodies[len(proxy.requests)] = body
                    proxy.requests.append((self.command, self.path))
                if proxy.on_request is not None:
                    body = proxy.on_request(self.command, self.path, body)
                    if isinstance(body, Answer):
                        return self._answer(body.status, 'hook', body.headers.items(), body.body)
                headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS)
                answer = proxy._session.request(self.command, proxy.target + self.path, data=body, headers=headers,
                                                allow_redirects=False, timeout=600, stream=True)
                content = answer.raw.read(decode_content=False)
                if proxy.on_response is not None:
                    content = proxy.on_response(self.command, self.path, content)
                return self._answer(answer.status_code, answer.reason, answer.headers.items(), content)

            def _answer(self, status, reason, headers, content):
                self.send_response(status, reason)
                for key, value in headers:
                    if key.lower() not in _HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header('Content-Length', str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self._server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def writes(self):
        """The requests that could change something on Glance."""
        return [r for r in self.requests if r[0] in WRITES]

    def body_of(self, method, path_start):
        """The body of the last ``method`` request whose path starts with ``path_start``, as text (None if none)."""
        for index in range(len(self.requests) - 1, -1, -1):
            if self.requests[index][0] == method and self.requests[index][1].startswith(path_start):
                body = self.bodies.get(index)
                return body.decode('utf-8') if body is not None else None
        return None

    def clear(self):
        with self._lock:
            del self.requests[:]
            self.bodies.clear()

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
