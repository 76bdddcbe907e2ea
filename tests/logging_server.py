"""A local HTTP server that logs every request it gets, for the scope and politeness tests.

``LoggingServer("127.0.0.2", routes)`` binds port 0 on that loopback address.
A route is a ``Route`` or a function of how many times the path was asked
for before (0 the first time) returning one, for servers that change their
answer (a 503, then a redirect). Unknown paths get a 404. ``hits`` holds
``(monotonic time, path, Host header)`` per request, in arrival order.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from dataclasses import dataclass, field
from typing import Callable, Union


@dataclass
class Route:
    """What the logging server answers on a path: sent as it is, never encoded or chunked."""

    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


Handler = Union[Route, Callable[[int], Route]]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # A client that went away (a crawl stopped mid-transfer) is no error of the server's.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoggingServer:
    def __init__(self, host: str = "127.0.0.1", routes: dict[str, Handler] | None = None) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.hits: list[tuple[float, str, str]] = []
        self._asked: Counter[str] = Counter()
        self._lock = threading.Lock()
        server = self

        class Handler_(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                route = server._answer(self.path, self.headers.get("Host", ""))
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in route.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            do_HEAD = do_POST = do_GET  # anything that arrives is logged

            def log_message(self, *args) -> None:
                pass

        self.server = _QuietServer((host, 0), Handler_)
        self.host, self.port = host, self.server.server_address[1]
        self.url = f"http://{host}:{self.port}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _answer(self, path: str, host_header: str) -> Route:
        with self._lock:
            self.hits.append((time.monotonic(), path, host_header))
            asked = self._asked[path]
            self._asked[path] += 1
        handler = self.routes.get(path)
        if handler is None:
            return Route(b"<html><body>Not found</body></html>", status=404)
        return handler(asked) if callable(handler) else handler

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.hits]

    def __enter__(self) -> "LoggingServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
