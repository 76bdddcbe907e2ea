"""The outcome policy: what a page's extraction result becomes in the database.

One rule for the crawl, ``import-warc`` and ``reextract``: given a page's
``PageResult`` and where its bytes are archived (a ``PageCapture``), write
its ``pages`` row and, for an article, its ``articles`` row; a page whose text
another page's article already has is a ``duplicate`` of it, unless it is the
page its publisher names canonical and the other is not (``better_copy``): then
the other copy is demoted. Which copy a run reaches first never decides the row.

Every change is reported through one counting callback, ``count(key, delta)``:

* ``pages/<outcome>``: a pages row written with that outcome (-1: a row this
  run counted changed its outcome, when it was demoted);
* ``articles/added``, ``articles/changed``, ``articles/unchanged``: an
  articles row written, compared with the row it replaces (what extraction
  decides only, not when or in which crawl the page was fetched);
* ``articles/dropped``: an article the archive held before this run is gone;
* ``pages/not_modified``: a conditional re-check answered 304 (``checked``).

Versions: every articles row written also settles the article's
``article_versions`` (``_keep_version``): a capture whose extracted text
differs from the latest version's is a new version; the same capture
extracted again (``reextract``) updates its version in place. So a crawl, an
import of successive captures and a rebuild from the WARCs keep the same
versions, and a revisit (same payload) or a 304 never makes one: in a crawl,
``articles/changed`` for a new capture is a new version when the text changed.

A run that keeps per-site health (newsarchive/db/health.py) also passes
``per_site(site, bucket, delta)``: each pages row written, in one bucket of its
site (new, updated, unchanged, not_article, errors, blocked).

A ``blocked`` page (a bot wall or challenge page, processing/blocked.py) is
recorded like an ``error``: its pages row says what this fetch got, and an
article the archive already holds for the URL keeps its row, text and WARC pointer.

No Scrapy here: the crawl's pipeline turns the reports into stats, the
offline jobs into their summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Iterable, Mapping

from w3lib.url import canonicalize_url

from newsarchive.db.health import CHANGE_BUCKETS, bucket_of, site_of
from newsarchive.db.store import Store, article_row
from newsarchive.extract.article import Article
from newsarchive.processing.page import PageResult
from newsarchive.warc.writer import Capture

Count = Callable[[str, int], None]
SiteCount = Callable[[str, str, int], None]  # (site, bucket, delta)
# The reports that say an articles row was written (the crawl's newsarchive/articles).
ARTICLE_WRITES = frozenset({"articles/added", "articles/changed", "articles/unchanged"})


@dataclass(frozen=True)
class PageCapture:
    """A fetch as rows record it: when, with what status, in which run, and where its bytes are archived.

    Its fields are the capture columns, shared by ``pages`` and ``articles``
    rows (the only list of them).
    """

    status: int | None = None
    fetched_at: str | None = None
    crawl_id: int | None = None
    warc_filename: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_record_id: str | None = None
    payload_digest: str | None = None
    warc_date: str | None = None  # the WARC-Date of the record pointed at: a revisit record cites it

    @classmethod
    def of_record(cls, capture: Capture | None, status: int | None, fetched_at: str | None,
                  crawl_id: int | None) -> "PageCapture":
        """A page whose payload is in the WARC record ``capture`` (None: not archived)."""
        if capture is None:
            return cls(status=status, fetched_at=fetched_at, crawl_id=crawl_id)
        return cls(status=status, fetched_at=fetched_at, crawl_id=crawl_id, warc_filename=capture.filename,
                   warc_offset=capture.offset, warc_length=capture.length, warc_record_id=capture.record_id,
                   payload_digest=capture.payload_digest, warc_date=capture.date)

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> "PageCapture":
        """The capture columns of a stored ``pages`` or ``articles`` row."""
        return cls(**{name: row.get(name) for name in CAPTURE_COLUMNS})

    def columns(self) -> dict[str, Any]:
        # Plain values only: a shallow copy is asdict()'s result without its recursive deep copy.
        return {name: getattr(self, name) for name in CAPTURE_COLUMNS}


CAPTURE_COLUMNS = tuple(f.name for f in fields(PageCapture))
# What an article_versions row keeps of an articles row (besides url and version).
VERSION_COLUMNS = ("crawl_id", "fetched_at", "title", "text", "word_count", "fingerprint", "warc_filename",
                   "warc_offset", "warc_length", "warc_record_id", "payload_digest", "warc_date")


def is_canonical(url: str, declared: str | None) -> bool:
    """``url`` is the page its publisher names canonical (URL forms that mean the same page count)."""
    return bool(declared) and canonicalize_url(url) == canonicalize_url(declared)


def better_copy(url: str, canonical: str | None, stored_url: str, stored_canonical: str | None) -> bool:
    """Should the page at ``url`` hold the article instead of ``stored_url``, which has the same text?

    Yes when ``url`` is the page the publisher names canonical and the stored
    one is not, so which copy a crawl (or an import, or a re-extraction) reaches first
    does not decide the row.
    """
    return is_canonical(url, canonical) and not is_canonical(stored_url, stored_canonical)


def same_text_as(url: str) -> str:
    """The reason of a ``duplicate`` pages row: whose article has its text."""
    return f"same text as {url}"


@dataclass(frozen=True)
class SameText:
    """Another page's article has the text a page just extracted."""

    url: str  # that page
    keeps: bool  # it keeps the article, this page is its duplicate; else this page takes it over


@dataclass(frozen=True)
class Recorded:
    """What ``record`` decided for one page."""

    outcome: str
    reason: str | None
    article: dict[str, Any] | None = None  # the articles row written (or, in a dry run, that would be)
    original: str | None = None  # for a duplicate: the page that holds its article


class OutcomePolicy:
    """Turns pages' results into rows in ``store`` and reports each change through ``count``.

    ``stale``: pages whose stored articles this run replaces (a re-extraction's
    selection). Until the run records one, its stored article is no evidence of
    a duplicate: it is judged by its new text when its turn comes.
    ``write=False`` (a dry run) writes nothing, but decides and reports as if it had.
    """

    def __init__(self, store: Store, count: Count, stale: Iterable[str] = (), write: bool = True,
                 per_site: SiteCount | None = None) -> None:
        self.store = store
        self.count = count
        self.per_site = per_site
        self.stale = set(stale)
        self.write = write
        # Articles this run wrote that are not their own canonical page (only those can be demoted),
        # and how each was reported: "added", "changed" or "unchanged".
        self._demotable: dict[str, str] = {}
        # A dry run's own decisions, which the store never sees: fingerprint -> (url, canonical), and
        # the pages whose stored articles it replaced or removed.
        self._unwritten: dict[str, tuple[str, str | None]] = {}
        self._unwritten_text: dict[str, str] = {}  # url -> fingerprint, of the above
        self._overridden: set[str] = set()

    # -- pages rows -----------------------------------------------------------

    def page(self, url: str, outcome: str, reason: str | None, capture: PageCapture,
             fields: Mapping[str, Any] | None = None, bucket: str | None = None) -> None:
        """A pages row with this outcome; ``fields``: its other columns (as stored, for a rewritten row).

        ``bucket``: its per-site health bucket, when the outcome alone does not say it (an article's change).
        """
        if self.write:
            self.store.add_page({**capture.columns(), **(fields or {}), "url": url, "outcome": outcome,
                                 "reason": reason})
        self.count(f"pages/{outcome}", 1)
        if self.per_site is not None:
            fields = fields or {}
            bucket = bucket or bucket_of(outcome, capture.status, bool(fields.get("revisit_record_id")))
            if bucket is not None:
                self.per_site(site_of(url, fields.get("source")), bucket, 1)

    # -- extraction results ---------------------------------------------------

    def record(self, url: str, result: PageResult, capture: PageCapture,
               fields: Mapping[str, Any] | None = None) -> Recorded:
        """The rows of a page whose body was extracted (or failed to be); ``capture`` goes into both rows."""
        previous = self._stored_article(url)
        self.stale.discard(url)
        if result.outcome in ("error", "blocked"):
            # A crash now, or a wall instead of the page, must not throw away what an earlier fetch kept.
            self.page(url, result.outcome, result.reason, capture, fields)
            return Recorded(result.outcome, result.reason)
        if result.article is None:
            return self._without_article(url, "not_article", result.reason, previous, capture, fields)
        article = result.article
        other = self.same_text(article.fingerprint, url, article.canonical_url)
        if other is not None and other.keeps:
            self._without_article(url, "duplicate", same_text_as(other.url), previous, capture, fields)
            return Recorded("duplicate", same_text_as(other.url), original=other.url)
        if other is not None:
            self.demote(other.url, url)
        row = {**article_row(article), "url": url, **capture.columns()}
        change = _change(previous, row)
        self._remember(url, article, change)
        with self.store.together():  # the version, the article and its page: one batch
            if self.write:
                self._keep_version(url, row)
                self.store.add_article(row)
                if result.signature is not None and article.fingerprint:
                    self.store.add_signature(article.fingerprint, result.signature)
            self.count(f"articles/{change}", 1)
            self.page(url, "article", result.reason, capture, fields, bucket=CHANGE_BUCKETS[change])
        return Recorded("article", result.reason, row)

    def _without_article(self, url: str, outcome: str, reason: str, previous: dict | None,
                         capture: PageCapture, fields: Mapping[str, Any] | None) -> Recorded:
        if previous is not None:
            # A former article that is gone, became a listing, or turned out to be a copy.
            self._remove(url)
            self.count("articles/dropped", 1)
        self.page(url, outcome, reason, capture, fields)
        return Recorded(outcome, reason)

    def checked(self, url: str, checked_at: str | None, capture: PageCapture,
                fields: Mapping[str, Any] | None = None) -> None:
        """A conditional re-check of ``url`` answered 304: its rows keep pointing at the last full capture.

        Only ``checked_at`` moves on. Without an earlier row (a foreign WARC's 304), the 304 is its row.
        """
        previous = self.store.page(url)
        if previous is None:
            self.page(url, "not_article", "HTTP 304 (not modified) with nothing archived before", capture,
                      {**(fields or {}), "checked_at": checked_at})
            return
        if self.write:
            self.store.add_page({**previous, "checked_at": checked_at})
        self.count("pages/not_modified", 1)
        if self.per_site is not None:
            self.per_site(site_of(url, (fields or {}).get("source") or previous.get("source")), "unchanged", 1)

    def _keep_version(self, url: str, row: dict[str, Any]) -> None:
        """The article_versions row ``row`` (an articles row about to be written) makes or updates."""
        if not self.write:
            return
        kept = {name: row.get(name) for name in VERSION_COLUMNS}
        last = self.store.latest_version(url)
        if last is not None and row.get("warc_record_id") and last.get("warc_record_id") == row["warc_record_id"]:
            self.store.add_version({**last, **kept})  # the same capture, extracted again
        elif last is None or last.get("text") != row.get("text"):
            self.store.add_version({"url": url, "version": (last["version"] + 1) if last else 1, **kept})

    # -- the canonical-copy rule ----------------------------------------------

    def same_text(self, fingerprint: str, url: str, canonical: str | None) -> SameText | None:
        """The other page whose article has this text, and which of the two holds the article."""
        found = self._unwritten.get(fingerprint)
        if found is not None and found[0] != url:
            other, other_canonical = found
        else:
            other = self.store.article_with_fingerprint(fingerprint, other_than=url, skipping=self._outdated)
            if other is None:
                return None
            other_canonical = (self.store.article(other) or {}).get("canonical_url")
        return SameText(other, keeps=not better_copy(url, canonical, other, other_canonical))

    def demote(self, url: str, copy_of: str) -> None:
        """``url``'s article is a copy of ``copy_of``'s, the page its publisher names canonical.

        Its article row goes and its pages row becomes a duplicate. An article
        this run wrote is counted back; one the archive held before is dropped.
        """
        change = self._demotable.pop(url, None)
        if self.write:
            row = self.store.demote(url, same_text_as(copy_of))
        else:
            row = self.store.page(url)
            self._remove(url)
        if change is None:
            self.count("articles/dropped", 1)
            return
        self.count(f"articles/{change}", -1)
        if change != "added":
            self.count("articles/dropped", 1)
        self.count("pages/article", -1)
        self.count("pages/duplicate", 1)
        if self.per_site is not None:
            site = site_of(url, (row or {}).get("source"))
            self.per_site(site, CHANGE_BUCKETS[change], -1)
            self.per_site(site, "not_article", 1)

    # -- what this run knows that the store may not ---------------------------

    def _outdated(self, url: str) -> bool:
        """The stored article of ``url`` no longer stands: this run re-extracts it, or (dry run) replaced it."""
        return url in self.stale or url in self._overridden

    def _stored_article(self, url: str) -> dict | None:
        if url in self._overridden:
            return None
        return self.store.article(url)

    def _remember(self, url: str, article: Article, change: str) -> None:
        if not is_canonical(url, article.canonical_url):
            self._demotable[url] = change
        if not self.write:
            self._unwritten[article.fingerprint] = (url, article.canonical_url)
            self._unwritten_text[url] = article.fingerprint
            self._overridden.add(url)

    def _remove(self, url: str) -> None:
        if self.write:
            self.store.remove_article(url)
            return
        self._overridden.add(url)
        fingerprint = self._unwritten_text.pop(url, None)
        if fingerprint is not None and self._unwritten.get(fingerprint, ("",))[0] == url:
            del self._unwritten[fingerprint]


def _change(previous: dict | None, row: dict) -> str:
    """How an articles row differs from the one it replaces: only what extraction decides counts."""
    if previous is None:
        return "added"
    if any(_as_text(previous.get(k)) != _as_text(v) for k, v in row.items() if k not in CAPTURE_COLUMNS):
        return "changed"
    return "unchanged"


def _as_text(value: Any) -> Any:
    # SQLite hands integers back for what Python wrote as ints; compare everything as text.
    return None if value is None else str(value)
