# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A loopback proxy in front of SeaweedFS that reads the S3 requests going through it.

What resume tests need from the wire: how many bytes the client sent (``sent``), which S3 operation
each request was and with which access key (``requests``), an object storage that lacks the listing
calls (``refuse``: answered by the proxy with an S3 error, never forwarded), and an upload cut at a
chosen byte (``hold_at``: forwarding stops there, ``held`` is set, and the client waits until
``drop()`` closes every connection, as a crashed or stopped server would; ``down`` keeps the link
broken for the connections that follow), and bytes changed on the way (``corrupt``: {operation: how many of
its next requests get the first byte of their body flipped}, as a faulty link or proxy would).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import socket
import threading
import time
from urllib.parse import parse_qs

from tests.integration.tcp_proxy import CountingProxy

CREDENTIAL = re.compile(r'Credential=([^/,\s]+)/')


def operation(method, target):
    """The S3 operation name of a path-style request line."""
    query = parse_qs(target.partition('?')[2], keep_blank_values=True)
    if 'uploads' in query:
        return {'GET': 'ListMultipartUploads', 'POST': 'CreateMultipartUpload'}.get(method, method)
    if 'uploadId' in query:
        if method == 'PUT':
            return 'UploadPart'
        return {'GET': 'ListParts', 'POST': 'CompleteMultipartUpload', 'DELETE': 'AbortMultipartUpload'}.get(method, method)
    return {'PUT': 'PutObject', 'HEAD': 'HeadObject', 'GET': 'GetObject', 'DELETE': 'DeleteObject'}.get(method, method)


def s3_error(status, code):
    body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>refused by the test proxy</Message>'
            '<RequestId>proxy</RequestId></Error>' % code).encode('ascii')
    head = 'HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n' % (status, code, len(body))
    return head.encode('ascii') + body


class S3Proxy:
    """Forwards 127.0.0.1:<port> to the S3 server on ``target_port``, one upstream connection per client connection."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.sent = 0                   # bytes the clients sent upstream (request lines, headers, bodies)
        self.requests = []              # (operation, access key) of each request seen
        self.refuse = {}                # operation -> (HTTP status, S3 error code) answered by the proxy
        self.hold_at = None             # stop forwarding once ``sent`` reaches this many bytes
        self.held = threading.Event()
        self.down = False               # close every new connection at once (the link is down)
        self.corrupt = {}               # operation -> how many of its next request bodies get a flipped byte
        self.corrupted = 0
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._sockets = set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    # -- what tests call ----------------------------------------------------------------

    def reset(self):
        with self._lock:
            self.sent = 0
            self.requests = []

    def operations(self):
        return [op for op, dummy in self.requests]

    def wait_held(self, alive, timeout=300):
        """True once an upload reached ``hold_at``; False when ``alive()`` turns false first (the run ended before
        the cut, e.g. it failed at once) or ``timeout`` seconds pass."""
        deadline = time.time() + timeout
        while not self.held.wait(0.1):
            if not alive() or time.time() > deadline:
                return self.held.is_set()
        return True

    def drop(self):
        """Close every connection (held ones included) and forward normally from now on."""
        self.hold_at = None
        self._release.set()
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _close(sock)
        self.held.clear()
        self._release = threading.Event()

    def close(self):
        self._closed = True
        self._listener.close()
        self.drop()

    # -- forwarding --------------------------------------------------------------------------

    def _accept(self):
        while not self._closed:
            try:
                client, dummy = self._listener.accept()
            except OSError:
                return
            if self.down:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(('127.0.0.1', self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _requests(self, client, upstream):
        """Client to server: one HTTP request after another (head, then a Content-Length body)."""
        buffered = b''
        try:
            while True:
                while b'\r\n\r\n' not in buffered:
                    data = client.recv(65536)
                    if not data:
                        return
                    buffered += data
                head, buffered = buffered.split(b'\r\n\r\n', 1)
                lines = head.decode('latin-1').split('\r\n')
                method, target = lines[0].split(' ')[:2]
                headers = dict((k.strip().lower(), v.strip()) for k, v in (line.split(':', 1) for line in lines[1:] if ':' in line))
                name = operation(method, target)
                key = CREDENTIAL.search(headers.get('authorization', ''))
                with self._lock:
                    self.requests.append((name, key.group(1) if key else None))
                length = int(headers.get('content-length') or 0)
                refused = self.refuse.get(name)
                if refused:
                    buffered = self._skip_body(client, buffered, length)
                    client.sendall(s3_error(*refused))
                    continue
                flip = length > 0 and self._corrupts(name)
                self._forward(upstream, head + b'\r\n\r\n')
                body, buffered = buffered[:length], buffered[length:]
                left = length - len(body)
                flip = self._forward(upstream, body, flip)
                while left > 0:
                    data = client.recv(min(65536, left))
                    if not data:
                        return
                    left -= len(data)
                    flip = self._forward(upstream, data, flip)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)

    @staticmethod
    def _skip_body(client, buffered, length):
        left = length - min(length, len(buffered))
        buffered = buffered[length:]
        while left > 0:
            data = client.recv(min(65536, left))
            if not data:
                raise OSError('client went away')
            left -= len(data)
        return buffered

    def _corrupts(self, name):
        with self._lock:
            if self.corrupt.get(name, 0) > 0:
                self.corrupt[name] -= 1
                self.corrupted += 1
                return True
        return False

    def _forward(self, upstream, data, flip=False):
        """Send ``data`` upstream, its first byte flipped with ``flip``; returns whether a flip is still due."""
        if not data:
            return flip
        if flip:
            data = bytes([data[0] ^ 0xff]) + data[1:]
        hold_at = self.hold_at
        if hold_at is not None and self.sent + len(data) >= hold_at:
            allowed = max(0, hold_at - self.sent)
            upstream.sendall(data[:allowed])
            with self._lock:
                self.sent += allowed
            self.held.set()
            self._release.wait()
            raise OSError('dropped by the test proxy')
        upstream.sendall(data)
        with self._lock:
            self.sent += len(data)
        return False

    # Server to client: bytes as they come.
    _pipe = staticmethod(CountingProxy._pipe)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
