"""Cross-page template learning: lines that recur on many pages of one site are furniture.

A site's template leaks the same lines into many extractions ("Follow us on
Twitter", "NEWS.com.au is not responsible for the content of external
sites", a section name). Any single page cannot tell them from text; the
site's other pages can. ``SiteBoilerplate`` counts, per site, on how many
pages each (normalised, hashed) line occurs, and ``clean`` drops lines seen
on at least ``min_pages`` pages and ``min_share`` of the site's pages.

Cheap enough for the crawl's main process: one hash per short line, a dict
per site capped at ``max_lines`` entries, at most ``max_sites`` sites (least
recently used go first). No Scrapy import: the pipeline calls it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")


@dataclass
class _SiteStats:
    pages: int = 0
    # line hash -> number of pages the line was seen on
    counts: dict[bytes, int] = field(default_factory=dict)


class SiteBoilerplate:
    """Learns each site's recurring lines from its articles and removes them."""

    def __init__(
        self,
        min_pages: int = 3,
        min_share: float = 0.3,
        max_words: int = 25,
        max_lines: int = 5000,
        max_sites: int = 10000,
    ) -> None:
        # Lines longer than max_words are prose: sites reuse background paragraphs
        # across follow-up stories, and those must stay.
        self.min_pages = min_pages
        self.min_share = min_share
        self.max_words = max_words
        self.max_lines = max_lines
        self.max_sites = max_sites
        self._sites: OrderedDict[str, _SiteStats] = OrderedDict()

    def observe(self, site: str, text: str) -> None:
        """Count the lines of one page of ``site`` (each line once per page)."""
        stats = self._stats(site)
        stats.pages += 1
        for key in {k for k in map(self._key, text.split("\n")) if k is not None}:
            stats.counts[key] = stats.counts.get(key, 0) + 1
        if len(stats.counts) > self.max_lines:
            self._prune(stats)

    def clean(self, site: str, text: str) -> tuple[str, list[str]]:
        """``text`` without the site's recurring lines; returns the text and the removed lines."""
        stats = self._sites.get(site)
        if stats is None or stats.pages < self.min_pages:
            return text, []
        threshold = max(self.min_pages, self.min_share * stats.pages)
        kept: list[str] = []
        removed: list[str] = []
        for line in text.split("\n"):
            key = self._key(line)
            if key is not None and stats.counts.get(key, 0) >= threshold:
                removed.append(line.strip())
            else:
                kept.append(line)
        return "\n".join(kept), removed

    def pages_seen(self, site: str) -> int:
        stats = self._sites.get(site)
        return stats.pages if stats else 0

    def _stats(self, site: str) -> _SiteStats:
        stats = self._sites.get(site)
        if stats is None:
            stats = self._sites[site] = _SiteStats()
            if len(self._sites) > self.max_sites:
                dropped, _ = self._sites.popitem(last=False)
                logger.debug("forgetting site %s: more than %d sites", dropped, self.max_sites)
        else:
            self._sites.move_to_end(site)
        return stats

    def _key(self, line: str) -> bytes | None:
        """Hash of the line's lowercased words; None for blank or prose-length lines."""
        words = _WORD.findall(line.lower())
        if not words or len(words) > self.max_words:
            return None
        return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()

    def _prune(self, stats: _SiteStats) -> None:
        """Forget the rarest lines until the site is back under ``max_lines``."""
        floor = 1
        while len(stats.counts) > self.max_lines // 2:
            stats.counts = {k: n for k, n in stats.counts.items() if n > floor}
            floor += 1
