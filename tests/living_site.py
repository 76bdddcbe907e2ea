"""A news site that lives between two crawls: it publishes, edits, and answers conditional requests.

``LivingSite`` serves on 127.0.0.1, port 0: a home page listing every
article, a section page listing the old ones (it never changes), a
robots.txt naming the sitemap, a sitemap with ``<lastmod>`` and an RSS feed
with ``<pubDate>``. Every response carries an ``ETag`` (a hash of the body)
and a ``Last-Modified`` (when that body last changed), and a request whose
``If-None-Match`` or ``If-Modified-Since`` still holds gets a bodiless 304.

``lying=True`` makes it the server the issue warns of: one ETag for every
page, for ever, and a 304 to anyone who sends it back. ``log`` records every
request: path, status, and the validators it carried.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from archive_helpers import article_text


@dataclass
class Hit:
    path: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None

    @property
    def conditional(self) -> bool:
        return bool(self.if_none_match or self.if_modified_since)


@dataclass
class Story:
    path: str
    title: str
    seed: int
    published: datetime
    section: str  # "old" or "news"
    lastmod: datetime | None = None  # what the sitemap says (default: published)
    edits: int = 0
    in_sitemap_only: bool = False

    def html(self) -> bytes:
        paragraphs = article_text(self.seed)
        if self.edits:
            # An update, as newsrooms make them: a correction and a new paragraph at the end.
            paragraphs = [paragraphs[0].replace(" ", " (updated) ", 1), *paragraphs[1:],
                          f"Update {self.edits}: the council confirmed the figures on Tuesday evening."]
        body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{self.title} | Living News</title>
<meta property="og:type" content="article"><meta property="og:title" content="{self.title}">
<meta property="article:published_time" content="{self.published.isoformat()}">
<meta name="author" content="Reporter {self.seed}"></head>
<body><header><nav><a href="/">Home</a></nav></header>
<main><article><h1>{self.title}</h1>
{body}
</article></main><footer>Copyright Living News</footer></body></html>""".encode()


@dataclass
class Resource:
    body: bytes
    content_type: str
    changed: datetime


class LivingSite:
    def __init__(self, lying: bool = False, delay: float = 0.0) -> None:
        self.lying = lying
        self.delay = delay
        self.stories: dict[str, Story] = {}
        self.log: list[Hit] = []
        self._resources: dict[str, Resource] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site._answer(self)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, client_address: None  # killed crawls hang up
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- the newsroom -------------------------------------------------------

    def publish(self, slug: str, title: str, seed: int, age: timedelta = timedelta(hours=1), section: str = "news",
                lastmod: datetime | None = None, in_sitemap_only: bool = False) -> Story:
        story = Story(f"/{section}/{slug}.html", title, seed, _now() - age, section, lastmod,
                      in_sitemap_only=in_sitemap_only)
        with self._lock:
            self.stories[story.path] = story
            self._rebuild()
        return story

    def edit(self, path: str) -> None:
        with self._lock:
            self.stories[path].edits += 1
            self.stories[path].lastmod = _now()
            self._rebuild()

    def _rebuild(self) -> None:
        """Each resource's body now; a body that changed gets a new Last-Modified (and ETag)."""
        linked = [s for s in self.stories.values() if not s.in_sitemap_only]
        links = lambda stories: "".join(f'<li><a href="{s.path}">{s.title}</a></li>' for s in stories)  # noqa: E731
        bodies = {
            "/": (f"<html><head><title>Living News</title></head><body><h1>Living News</h1>"
                  f"<a href=\"/section/old.html\">Archive</a><ul>{links(linked)}</ul></body></html>", "text/html"),
            "/section/old.html": (f"<html><head><title>Archive</title></head><body><ul>"
                                  f"{links([s for s in linked if s.section == 'old'])}</ul></body></html>", "text/html"),
            "/robots.txt": (f"User-agent: *\nAllow: /\nSitemap: {self.url}sitemap.xml\n", "text/plain"),
            "/sitemap.xml": (self._sitemap(), "application/xml"),
            "/feed.xml": (self._feed(linked), "application/rss+xml"),
        }
        for story in self.stories.values():
            bodies[story.path] = (story.html().decode(), "text/html; charset=utf-8")
        for path, (text, content_type) in bodies.items():
            body = text.encode()
            old = self._resources.get(path)
            if old is None or old.body != body:
                self._resources[path] = Resource(body, content_type, _now())

    def _sitemap(self) -> str:
        entries = "".join(f"<url><loc>{self.url.rstrip('/')}{s.path}</loc>"
                          f"<lastmod>{(s.lastmod or s.published).isoformat()}</lastmod></url>"
                          for s in self.stories.values())
        return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'

    def _feed(self, stories: list[Story]) -> str:
        items = "".join(f"<item><title>{s.title}</title><link>{self.url.rstrip('/')}{s.path}</link>"
                        f"<pubDate>{format_datetime(s.published, usegmt=True)}</pubDate></item>" for s in stories)
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Living News</title>{items}</channel></rss>'

    # -- HTTP ---------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        time.sleep(self.delay)
        path = handler.path.split("?")[0]
        inm, ims = handler.headers.get("If-None-Match"), handler.headers.get("If-Modified-Since")
        with self._lock:
            resource = self._resources.get(path)
        if resource is None:
            status, headers, body = 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>"
        else:
            etag = '"static"' if self.lying else '"%s"' % hashlib.sha1(resource.body).hexdigest()[:16]
            modified = format_datetime(resource.changed.replace(microsecond=0), usegmt=True)
            headers = {"ETag": etag, "Content-Type": resource.content_type}
            if not self.lying:
                headers["Last-Modified"] = modified
            if _still_valid(inm, ims, etag, None if self.lying else resource.changed):
                status, body = 304, b""
            else:
                status, body = 200, resource.body
        with self._lock:
            self.log.append(Hit(path, status, inm, ims))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def hits(self, path: str) -> list[Hit]:
        return [hit for hit in self.log if hit.path == path]

    def __enter__(self) -> "LivingSite":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


def _still_valid(inm: str | None, ims: str | None, etag: str, changed: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when sent; else If-Modified-Since, to the second."""
    if inm:
        return etag in [tag.strip() for tag in inm.split(",")] or inm.strip() == "*"
    if ims and changed is not None:
        try:
            return changed.replace(microsecond=0) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _now() -> datetime:
    return datetime.now(timezone.utc)
