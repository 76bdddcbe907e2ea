"""What the archive knows about a URL, and whether an incremental crawl fetches it again.

Every decision is one primary-key query on ``pages`` (with ``articles`` and
``article_versions``), on a read-only connection of its own, so memory stays
flat however many URLs the archive holds. No Scrapy here: the crawl's
duplicate filter and conditional-request middleware ask it, and so may any
other part of the library (``UrlState(path).known(url)``).

The rule (``UrlState.decide``):

* an URL the archive does not hold, or holds as an error, redirect or page
  without its article row, is fetched;
* an article (or duplicate) already archived is not fetched again, unless
  it is a seed of the crawl, a sitemap or feed dates it after the archive last
  checked it, or it is young and due for a re-check (``RevisitPolicy``);
* whatever is fetched again (listings: start and section pages, feeds,
  sitemaps, robots.txt; re-checked articles) is asked for conditionally, with
  the ETag and Last-Modified of its last 200 response (``validators``).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

logger = logging.getLogger(__name__)

# Outcomes of a page whose fetch settled what it is; an article needs its articles row too.
SETTLED = ("article", "duplicate")

_ROW = """SELECT p.outcome, p.fetched_at, p.checked_at, p.etag, p.last_modified, p.payload_digest, p.status,
                 p.crawl_id, a.url IS NOT NULL, a.published,
                 (SELECT fetched_at FROM article_versions v WHERE v.url = p.url ORDER BY version LIMIT 1)
          FROM pages p LEFT JOIN articles a ON a.url = p.url WHERE p.url = ?"""
_SHARED_ETAG = "SELECT 1 FROM pages WHERE etag = ? AND url != ? AND payload_digest != ? LIMIT 1"


def parse_date(value: str | None) -> datetime | None:
    """A W3C/ISO 8601 date or datetime (sitemaps, Atom) or an RFC 822 one (RSS, HTTP), as aware UTC; else None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = _year_month(text)
        if parsed is None:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _year_month(text: str) -> datetime | None:
    # W3C datetime also allows "2026" and "2026-05", which fromisoformat refuses.
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text)
    return datetime(int(match[1]), int(match[2] or 1), 1) if match else None


def parse_intervals(value: str | list[str] | tuple[str, ...]) -> list[timedelta]:
    """``"1h,6h,24h,72h"`` (s, m, h, d suffixes; a bare number is seconds) as sorted durations."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    out = []
    for part in (p.strip().lower() for p in parts):
        if not part:
            continue
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd]?)", part)
        if match is None:
            raise ValueError(f"not a duration: {part!r} (use e.g. 30m, 6h, 3d)")
        out.append(timedelta(seconds=float(match[1]) * units[match[2] or "s"]))
    return sorted(out)


@dataclass(frozen=True)
class RevisitPolicy:
    """Young articles are checked again at growing intervals after their first fetch.

    An article is young while it was published (or, undated, first fetched)
    less than ``young`` ago; a re-check is due once an interval point
    (first fetch + interval) has passed that no check has yet come after.
    """

    young: timedelta = timedelta(days=3)
    intervals: tuple[timedelta, ...] = (timedelta(hours=1), timedelta(hours=6), timedelta(hours=24),
                                        timedelta(hours=72))

    def due(self, now: datetime, first_fetch: datetime | None, last_check: datetime | None,
            published: datetime | None) -> bool:
        if first_fetch is None or not self.intervals or self.young <= timedelta(0):
            return False
        born = published if published is not None and published <= now else first_fetch
        if now - born >= self.young:
            return False
        passed = [first_fetch + step for step in self.intervals if first_fetch + step <= now]
        return bool(passed) and (last_check is None or last_check < passed[-1])


@dataclass(frozen=True)
class Known:
    """What the archive holds for one URL."""

    outcome: str
    has_article: bool
    fetched_at: datetime | None
    checked_at: datetime | None
    first_fetch: datetime | None
    published: datetime | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    status: int | None
    crawl_id: int | None

    @property
    def settled(self) -> bool:
        """An article (with its articles row) or a duplicate: fetching it again finds nothing new."""
        return self.outcome == "duplicate" or (self.outcome == "article" and self.has_article)

    @property
    def last_check(self) -> datetime | None:
        dates = [d for d in (self.fetched_at, self.checked_at) if d is not None]
        return max(dates) if dates else None


@dataclass(frozen=True)
class Decision:
    fetch: bool
    reason: str  # new, seed, listing, listed_newer, revisit_due, refetch, known


class UrlState:
    """The archive's per-URL state, read from ``db_path`` (an archive without a database knows nothing)."""

    def __init__(self, db_path: str | Path, policy: RevisitPolicy = RevisitPolicy(),
                 validator_max_age: timedelta | None = timedelta(hours=24)) -> None:
        self.policy = policy
        # After this long since its last full 200, a page is fetched without validators once:
        # a server whose validators never change while the body does cannot hide it for ever.
        self.validator_max_age = validator_max_age
        self._conn: sqlite3.Connection | None = None
        path = Path(db_path)
        if path.exists():
            self._conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            # The crawl's own writer checkpoints the WAL meanwhile: wait for it rather than know nothing.
            self._conn.execute("PRAGMA busy_timeout=10000")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def lookup(self, url: str) -> Known | None:
        if self._conn is None:
            return None
        try:
            row = self._conn.execute(_ROW, [url]).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such" not in str(exc):
                raise  # locked or unreadable: not the same as "never archived"
            # An archive not yet migrated (no such column or table): it knows nothing we can use.
            logger.debug("no URL state for %s: %s", url, exc)
            return None
        if row is None:
            return None
        return Known(outcome=row[0], fetched_at=parse_date(row[1]), checked_at=parse_date(row[2]), etag=row[3],
                     last_modified=row[4], payload_digest=row[5], status=row[6], crawl_id=row[7],
                     has_article=bool(row[8]), published=parse_date(row[9]),
                     first_fetch=parse_date(row[10]) or (parse_date(row[1]) if row[8] else None))

    def capture_row(self, url: str) -> dict | None:
        """The ``pages`` row of ``url`` (its WARC pointer is the last full capture), or None."""
        if self._conn is None:
            return None
        cursor = self._conn.execute("SELECT * FROM pages WHERE url = ?", [url])
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row)) if row else None

    def find(self, url: str) -> Known | None:
        """``lookup``, with a database that cannot be read now taken as knowing nothing (and said so)."""
        try:
            return self.lookup(url)
        except sqlite3.Error as exc:
            logger.warning("cannot read what the archive holds for %s: %s", url, exc)
            return None

    def known(self, url: str) -> bool:
        """The archive holds ``url`` as an article (with its row) or a duplicate of one."""
        found = self.find(url)
        return found is not None and found.settled

    def decide(self, url: str, now: datetime, listed: datetime | None = None, seed: bool = False) -> Decision:
        """Whether an incremental crawl fetches ``url`` (``listed``: its sitemap or feed date)."""
        try:
            found = self.lookup(url)
        except sqlite3.Error as exc:
            # Fetching again costs a request; skipping on a guess could lose a page.
            logger.warning("cannot read what the archive holds for %s (%s): fetching it", url, exc)
            return Decision(True, "unreadable")
        if found is None:
            return Decision(True, "new")
        if not found.settled:
            return Decision(True, "listing" if found.outcome == "not_article" else "again")
        if seed:
            return Decision(True, "seed")
        last = found.last_check
        if listed is not None and (last is None or listed > last):
            return Decision(True, "listed_newer")
        if self.policy.due(now, found.first_fetch, last, found.published):
            return Decision(True, "revisit_due")
        return Decision(False, "known")

    def validators(self, url: str, now: datetime) -> dict[str, str]:
        """Conditional request headers for ``url`` from its last 200 response (empty: ask unconditionally)."""
        try:
            found = self.lookup(url)
        except sqlite3.Error as exc:
            logger.warning("cannot read the validators of %s (%s): asking unconditionally", url, exc)
            return {}
        if found is None or found.status != 200 or found.payload_digest is None:
            return {}
        if self.validator_max_age is not None and found.fetched_at is not None and \
                now - found.fetched_at >= self.validator_max_age:
            return {}
        if found.etag and self._shared_etag(url, found.etag, found.payload_digest):
            return {}  # a server whose ETags lie may well lie about Last-Modified too
        headers = {}
        if found.etag:
            headers["If-None-Match"] = found.etag
        if found.last_modified:
            headers["If-Modified-Since"] = found.last_modified
        return headers

    def _shared_etag(self, url: str, etag: str, digest: str) -> bool:
        """Other URLs answered this ETag with other payloads: it validates nothing."""
        assert self._conn is not None
        return self._conn.execute(_SHARED_ETAG, [etag, url, digest]).fetchone() is not None
