# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A loopback TCP forwarder that counts connections (how often a client tried: TLS tests) and the bytes the server
sent (how much of it its clients read: the replication benchmark)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket
import threading


class CountingProxy:
    """Forwards 127.0.0.1:<port> to ``target_port``; ``connections`` counts accepted connections, ``served`` the bytes
    the server sent through it."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.connections = 0
        self.served = 0
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._closed:
            try:
                client, dummy = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            try:
                upstream = socket.create_connection(('127.0.0.1', self.target_port), timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)       # a timeout to connect only: a quiet server (a slow reader's backpressure) is no failure
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, self._count_served), daemon=True).start()

    def _count_served(self, size):
        with self._lock:
            self.served += size

    @staticmethod
    def _pipe(src, dst, count=None):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                if count is not None:
                    count(len(data))
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reset(self):
        with self._lock:
            self.connections = 0

    def close(self):
        self._closed = True
        self._listener.close()
