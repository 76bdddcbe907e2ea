"""The sources file in a crawl: seeds, which source a request is for, and per-host politeness.

``scrapy crawl news -a sources=sources.toml`` (``newsarchive crawl --sources``)
reads the file with ``newsarchive.sources.load_sources``. Every request then
carries the name of the source it is for (``meta[SOURCE]``): the source whose
host the URL is on, else the source of the page that led to it. The item and
its ``pages`` row keep that name.

Politeness is Scrapy's own, per download slot (one per host name):
``DOWNLOAD_SLOTS`` gets each source's ``download_delay`` and ``concurrency``.
AutoThrottle would lower a slot's delay towards the crawl-wide minimum, so
requests to a host with its own delay say ``autothrottle_dont_adjust_delay``:
the spider's own (``meta``) and, through ``keep_delay`` on Scrapy's
``request_reached_downloader`` signal, the ones Scrapy makes itself (robots.txt),
whose response would otherwise halve the delay before the first page is asked for.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.settings import BaseSettings

from newsarchive.sources import Source, download_slots, load_sources, site_host

logger = logging.getLogger(__name__)

# request.meta key: the name of the source (sources file entry) a request is for.
SOURCE = "newsarchive_source"
# request.meta key: look for <link rel="alternate"> feeds on this (start) page.
DISCOVER_FEEDS = "newsarchive_discover_feeds"
# Scrapy's request.meta key: AutoThrottle leaves the slot's delay as it is after this response.
KEEP_DELAY = "autothrottle_dont_adjust_delay"


class Sites:
    """The sources of one crawl (none for a crawl of plain start URLs)."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self.by_host: dict[str, list[str]] = {}
        self.by_url = {url: source.name for source in sources for url in source.urls}
        for source in sources:
            for host in source.hosts:
                self.by_host.setdefault(host, []).append(source.name)
        self.slots = download_slots(sources)

    @classmethod
    def from_file(cls, path: str) -> "Sites":
        return cls(load_sources(path) if path else [])

    def urls(self, kind: str) -> list[str]:
        """Every source's ``start_urls``, ``feeds`` or ``sitemaps``, in file order."""
        return [url for source in self.sources for url in getattr(source, kind)]

    def name_for(self, url: str, inherited: str | None = None) -> str | None:
        """The source ``url`` is for: the one listing it, the one on its host, else the one it was found through."""
        if url in self.by_url:
            return self.by_url[url]
        names = self.by_host.get(site_host(url), [])
        if len(names) == 1:
            return names[0]
        return inherited if inherited is not None or not names else names[0]

    def meta(self, url: str, inherited: str | None = None) -> dict[str, Any]:
        name = self.name_for(url, inherited)
        meta: dict[str, Any] = {SOURCE: name} if name is not None else {}
        if self.has_own_delay(url):
            meta[KEEP_DELAY] = True
        return meta

    def has_own_delay(self, url: str) -> bool:
        """Whether a source gave ``url``'s host its own ``download_delay`` (which AutoThrottle must not change)."""
        return "delay" in self.slots.get(_hostname(url), {})

    def keep_delay(self, request: Request) -> None:
        """``request_reached_downloader`` handler: any request to such a host, whoever made it, keeps the delay."""
        if self.has_own_delay(request.url):
            request.meta[KEEP_DELAY] = True

    def discovers(self, start_url: str, kind: str, given: bool) -> bool:
        """Whether to look for ``kind`` (feeds, sitemaps) from ``start_url``: its source left them out.
        ``given``: for a start URL of no source, whether the command line gave that kind."""
        for source in self.sources:
            if start_url in source.start_urls:
                return not getattr(source, kind)
        return not given

    def apply(self, settings: BaseSettings) -> None:
        """Merge the sources' politeness into ``DOWNLOAD_SLOTS`` (a slot named in the settings wins)."""
        if not self.slots:
            return
        given = settings.getdict("DOWNLOAD_SLOTS")
        merged = {host: {**slot, **given.get(host, {})} for host, slot in self.slots.items()}
        settings.set("DOWNLOAD_SLOTS", {**merged, **{h: s for h, s in given.items() if h not in merged}},
                     priority=max(settings.getpriority("DOWNLOAD_SLOTS") or 0, 30))
        logger.info("per-site politeness: %s", ", ".join(f"{h} {s}" for h, s in sorted(self.slots.items())))


def _hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
