"""A small local HTTP server for the bundled demo site and for tests.

It stands in for a real news site so ``make demo`` and the tests never touch
the internet, and it behaves like one where our pipeline cares: HTTP/1.1 with
keep-alive, gzip on request, chunked transfer when asked, a real 404, and a
set of deliberately bad responses under ``/_trouble/``. Standard library
only (no Scrapy import), so tests can start it cheaply on a random port.

Routes
------
``/<path>``
    A file under ``root``; a directory serves its ``index.html`` (``/news``
    redirects to ``/news/``, as real servers do). Missing files get a 404
    HTML page with status 404.
``/chunked/<path>``
    The same response as ``/<path>`` but sent with
    ``Transfer-Encoding: chunked`` instead of ``Content-Length``. A
    ``chunked=1`` query parameter does the same for any route.
``/_trouble/...``
    Dynamic bad-input routes, listed at ``/_trouble/`` (one table: ``trouble.TROUBLE``).

Rewriting
---------
Served ``.xml`` and ``.txt`` files have ``{{BASE}}`` replaced with the base
URL (``http://host:port``, no trailing slash) the client used, and
robots.txt's root-relative ``Sitemap:`` lines are made absolute, since
sitemaps and robots.txt need absolute URLs and the port is random.

Compression
-----------
``text/html`` responses are gzip-compressed when the request's
``Accept-Encoding`` allows gzip, so archived records hold compressed wire
bytes like real crawls do.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import mimetypes
import re
import socketserver
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

# Re-exported: tests and tools import the routes' pieces from here.
from newsarchive.demo.responses import CHUNKED_PREFIX, Response, not_found, redirect, simple_page
from newsarchive.demo.trouble import (  # noqa: F401
    TROUBLE, TROUBLE_LINKS, TROUBLE_PREFIX, TROUBLE_ROUTES, binary_junk, minimal_pdf, trouble,
)

logger = logging.getLogger(__name__)

BASE_PLACEHOLDER = "{{BASE}}"
CHUNK_SIZE = 16 * 1024
# Rewritten text files: where absolute URLs must point back at this server.
_REWRITE_SUFFIXES = {".xml", ".txt"}
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
# Feeds get their specific media types, as news sites usually send them.
_NAMED_CONTENT_TYPES = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
}
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_SITEMAP_LINE = re.compile(r"^(\s*sitemap\s*:\s*)(/\S*)", re.IGNORECASE | re.MULTILINE)



# --------------------------------------------------------------------------
# Static files
# --------------------------------------------------------------------------

def content_type_for(path: Path) -> str:
    """Media type with charset for text, so clients never have to sniff our own pages."""
    if path.name in _NAMED_CONTENT_TYPES:
        return _NAMED_CONTENT_TYPES[path.name]
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under ``root`` for ``url_path``, or None if missing or outside root."""
    rel = unquote(url_path).lstrip("/")
    candidate = (root / rel).resolve()
    if candidate != root and root not in candidate.parents:
        return None  # ../ traversal
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def rewrite_text(body: bytes, base: str, *, robots: bool) -> bytes:
    """Substitute ``{{BASE}}`` and make robots.txt ``Sitemap:`` lines absolute."""
    text = body.decode("utf-8").replace(BASE_PLACEHOLDER, base)
    if robots:
        text = _SITEMAP_LINE.sub(lambda m: m.group(1) + base + m.group(2), text)
    return text.encode("utf-8")


def serve_file(root: Path, url_path: str, base: str) -> Response:
    """A file response, a slash redirect for directories, or a 404."""
    rel = unquote(url_path).lstrip("/")
    if rel and not url_path.endswith("/") and (root / rel).is_dir():
        return redirect(url_path + "/", 301)
    path = resolve(root, url_path)
    if path is None:
        return not_found(url_path)
    body = path.read_bytes()
    if path.suffix.lower() in _REWRITE_SUFFIXES:
        body = rewrite_text(body, base, robots=path.name == "robots.txt" and path.parent == root)
    return Response(200, body, content_type_for(path))


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------

def accepts_gzip(header: str | None) -> bool:
    """True if an Accept-Encoding header allows gzip (``q=0`` forbids it)."""
    for part in (header or "").split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in ("gzip", "x-gzip", "*"):
            q = re.search(r"q\s*=\s*([0-9.]+)", params)
            return not q or float(q.group(1)) > 0
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Tests start and stop many servers: don't let TIME_WAIT sockets block a port.
    allow_reuse_address = True
    root: Path | None
    routes: Mapping[str, Response] | None

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can
        # stall for seconds on machines without DNS; a local server needs none.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # Clients that hang up mid-response are normal for crawlers; no stderr tracebacks.
        logger.debug("error while serving %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HarbourGazette/1.0"
    # Idle keep-alive connections are dropped after this long, freeing their threads.
    timeout = 30
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._respond(head_only=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head_only=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("%s %s", self.address_string(), format % args)

    # -- routing ------------------------------------------------------------

    def _base_url(self) -> str:
        """``http://host:port`` as the client addressed us, else our bound address."""
        host = self.headers.get("Host", "")
        if host and _HOST_HEADER.match(host):
            return f"http://{host}"
        h, p = self.server.server_address[:2]
        return f"http://[{h}]:{p}" if ":" in str(h) else f"http://{h}:{p}"

    def _route(self, path: str) -> Response:
        if self.server.routes is not None:
            return self.server.routes.get(path) or not_found(path)
        if path == TROUBLE_PREFIX.rstrip("/") or path.startswith(TROUBLE_PREFIX):
            return trouble(self.server.root, path[len(TROUBLE_PREFIX):])
        return serve_file(self.server.root, path, self._base_url())

    def _respond(self, head_only: bool) -> None:
        parts = urlsplit(self.path)
        path = parts.path or "/"
        chunked = parse_qs(parts.query).get("chunked", ["0"])[0] == "1"
        if path.startswith(CHUNKED_PREFIX):
            chunked, path = True, path[len(CHUNKED_PREFIX) - 1:]
        try:
            response = self._route(path)
        except Exception:  # a bug in a route must not kill the connection silently
            logger.exception("route failed for %s", self.path)
            response = Response(500, simple_page("500 Internal Server Error", "Route failed."))
        self._send(response, chunked=chunked or response.chunked, head_only=head_only)

    # -- framing ------------------------------------------------------------

    def _send(self, response: Response, *, chunked: bool, head_only: bool) -> None:
        body = response.body
        is_html = (response.content_type or "").startswith("text/html")
        if is_html and response.compressible and body and accepts_gzip(self.headers.get("Accept-Encoding")):
            # mtime=0: identical bytes for identical pages, so archives deduplicate. Level 6 is what
            # Apache and zlib use by default; 9 made the local server, not the crawl, the cost.
            body = gzip.compress(body, compresslevel=6, mtime=0)
            response.headers["Content-Encoding"] = "gzip"
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        if is_html:
            self.send_header("Vary", "Accept-Encoding")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head_only:
            return
        if chunked:
            self._write_chunked(body)
        else:
            self.wfile.write(body)

    def _write_chunked(self, body: bytes) -> None:
        for start in range(0, len(body), CHUNK_SIZE):
            piece = body[start:start + CHUNK_SIZE]
            self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


class SiteServer:
    """Serve a site directory, or a fixed table of routes, on a local port from a daemon thread.

    ``port=0`` picks a free port; read it back from ``.port`` or ``.url``.
    Use as a context manager, or call ``start()`` and ``stop()``. With
    ``routes`` (path to ``Response``), those are the whole site: any other
    path is a 404, and no files or trouble routes are served.
    """

    def __init__(self, root: Path | str | None = None, host: str = "127.0.0.1", port: int = 0,
                 routes: Mapping[str, Response] | None = None) -> None:
        if root is None and routes is None:
            raise ValueError("give a site directory or routes")
        self.root = Path(root).resolve() if root is not None else None
        self.routes = routes
        self.host = host
        self._requested_port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. ``http://127.0.0.1:54321/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> SiteServer:
        if self._httpd is not None:
            return self
        if self.root is not None and not self.root.is_dir():
            raise FileNotFoundError(f"site root not found: {self.root}")
        httpd = _Server((self.host, self._requested_port), _Handler)
        httpd.root, httpd.routes = self.root, self.routes
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"SiteServer:{self.port}", daemon=True)
        self._thread.start()
        logger.info("serving %s at %s", self.root or "fixed routes", self.url)
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m newsarchive.demo.server [--port N]``: serve the bundled site until Ctrl-C."""
    from newsarchive.demo import SITE_DIR  # here, not at import time: the package imports this module

    parser = argparse.ArgumentParser(description="Serve The Harbour Gazette demo site locally.")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--root", type=Path, default=SITE_DIR, help="site directory to serve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    server = SiteServer(args.root, host=args.host, port=args.port).start()
    try:
        print(f"Serving {args.root} at {server.url}  (trouble routes: {server.url}_trouble/)", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
