"""A news site that answers slowly: a home page linking to N articles, each answered after a delay.

Served by tests/logging_server.py, so a test knows every request the crawl
made and when (``server.hits``).
"""

from __future__ import annotations

import time

from archive_helpers import article_html
from logging_server import LoggingServer, Route

ARTICLE_PREFIX = "/a/"


def slow_routes(articles: int, delay: float) -> dict:
    def slow(body: bytes):
        def answer(asked: int) -> Route:
            time.sleep(delay)  # the server is threaded: each request waits on its own
            return Route(body)
        return answer

    links = "".join(f'<li><a href="{ARTICLE_PREFIX}{n}.html">Story {n}</a></li>' for n in range(articles))
    routes = {"/": Route(f"<html><head><title>Slow News</title></head><body><ul>{links}</ul></body></html>".encode()),
              "/robots.txt": Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")}
    for n in range(articles):
        routes[f"{ARTICLE_PREFIX}{n}.html"] = slow(article_html(n, f"Slow story number {n}").encode())
    return routes


def slow_site(articles: int = 40, delay: float = 0.5) -> LoggingServer:
    return LoggingServer("127.0.0.1", slow_routes(articles, delay))


def article_hits(server: LoggingServer) -> list[float]:
    """When each article request arrived (monotonic time)."""
    return [at for at, path, _ in server.hits if path.startswith(ARTICLE_PREFIX)]
