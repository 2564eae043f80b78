# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small HTTP server on loopback, in a thread, whose answers a test scripts with one function."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import http.server
import json
import threading


class Recorded:
    """One request as the server received it."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path            # with the query string
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode('utf-8'))


class LocalServer:
    """``answer(request) -> (status, headers, body)`` decides each answer; ``requests`` lists what arrived."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                request = Recorded(self.command, self.path, dict(self.headers), self.rfile.read(length) if length else b'')
                server.requests.append(request)
                status, headers, body = server.answer(request)
                if not isinstance(body, bytes):
                    body = json.dumps(body).encode('utf-8') if body is not None else b''
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args):  # pylint: disable=arguments-differ
                return None

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()
