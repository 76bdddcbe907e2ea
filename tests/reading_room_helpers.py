"""The demo site crawled once for the reading-room tests (Datasette views and the browser)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from archive_helpers import run_crawl
from newsarchive.datasette import reading_room

_crawled: Path | None = None


def demo_archive(site, tmp_path_factory) -> Path:
    """The demo site (``site`` fixture) crawled with ``scrapy crawl news``, once per session; read-only."""
    global _crawled
    if _crawled is None:
        directory = tmp_path_factory.mktemp("reading") / "archive"
        run = run_crawl(directory, start_urls=f"{site.url},{site.url}_trouble/")
        assert run.returncode == 0, run.log[-3000:]
        _crawled = directory
    return _crawled


def get(db_path: Path, path: str):
    """GET ``path`` from Datasette with the reading room, through Datasette's own (httpx) test client."""
    async def fetch():
        return await reading_room(db_path).client.get(path)

    return asyncio.run(fetch())
