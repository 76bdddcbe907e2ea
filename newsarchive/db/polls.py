"""When to poll a feed or sitemap again: adaptive intervals, kept in the ``listing_polls`` table.

Media Cloud's feed fetcher and Common Crawl's news crawler both poll a listing
more often when it keeps announcing new stories and less often when it does
not. Here a poll that finds mostly new URLs halves the listing's interval, one
that finds none doubles it, anything in between keeps it; the interval stays
within [minimum, maximum]. "New" means not yet in the ``pages`` table.

A crawl reads the table when it starts (``ListingPolls.load``), skips the
listings not yet due, and writes what it polled only when it finished
normally: a killed or stopped run leaves the schedule as it was, so its
rerun polls the same listings again and loses none of their entries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from sqlite_utils import Database

logger = logging.getLogger(__name__)

TABLE = "listing_polls"
# A share of new URLs at or above this is "mostly new".
MOSTLY_NEW = 0.5
# SQLite's default limit on ? parameters is 999 in old builds.
CHUNK = 500


def next_interval(previous: float, found: int, new: int, minimum: float, maximum: float) -> float:
    """The listing's next interval (seconds) after a poll that listed ``found`` URLs, ``new`` of them new."""
    if found <= 0 or new <= 0:
        interval = previous * 2
    elif new / found >= MOSTLY_NEW:
        interval = previous / 2
    else:
        interval = previous
    return min(max(interval, minimum), maximum)


def known_urls(db: Database, urls: Iterable[str]) -> set[str]:
    """The URLs among ``urls`` the archive already has a ``pages`` row for (the one "is it new?" rule)."""
    urls = list(dict.fromkeys(urls))
    known: set[str] = set()
    if not urls or not db["pages"].exists():
        return known
    for i in range(0, len(urls), CHUNK):
        chunk = urls[i:i + CHUNK]
        marks = ", ".join("?" * len(chunk))
        known.update(url for (url,) in db.execute(f"SELECT url FROM pages WHERE url IN ({marks})", chunk))
    return known


@dataclass
class Poll:
    url: str
    source: str | None
    interval_seconds: float
    next_due_at: str
    last_polled_at: str
    last_found: int
    last_new: int


class ListingPolls:
    """The schedule of one crawl: which listings are due, and the polls this crawl made."""

    def __init__(self, known: dict[str, Poll], minimum: float, maximum: float, everything_due: bool = False,
                 now: datetime | None = None) -> None:
        self.known = known
        self.minimum, self.maximum = minimum, maximum
        # NEWSARCHIVE_REFETCH=all, or no archive yet: every listing is polled.
        self.everything_due = everything_due
        self.now = now or datetime.now(timezone.utc)
        self.polled: dict[str, Poll] = {}

    @classmethod
    def load(cls, db: Database | None, minimum: float, maximum: float, everything_due: bool = False,
             now: datetime | None = None) -> "ListingPolls":
        known: dict[str, Poll] = {}
        if db is not None and db[TABLE].exists():
            known = {row["url"]: Poll(**row) for row in db[TABLE].rows}
        return cls(known, minimum, maximum, everything_due, now)

    def due(self, url: str) -> bool:
        """Whether ``url`` should be polled in this crawl (a listing never polled always is)."""
        poll = self.known.get(url)
        if self.everything_due or poll is None:
            return True
        try:
            return _parse(poll.next_due_at) <= self.now
        except ValueError:
            logger.warning("listing %s has an unreadable next_due_at %r: polling it", url, poll.next_due_at)
            return True

    def observe(self, db: Database | None, url: str, source: str | None, listed: list[str]) -> Poll:
        """Record a poll of ``url`` that listed ``listed``; its new URLs are those ``db`` does not know."""
        new = len(set(listed) - known_urls(db, listed)) if db is not None else len(set(listed))
        previous = self.known[url].interval_seconds if url in self.known else self.minimum
        interval = next_interval(previous, len(set(listed)), new, self.minimum, self.maximum)
        poll = Poll(url=url, source=source, interval_seconds=interval,
                    next_due_at=_format(self.now + timedelta(seconds=interval)), last_polled_at=_format(self.now),
                    last_found=len(set(listed)), last_new=new)
        self.polled[url] = poll
        return poll

    def save(self, db: Database) -> int:
        """Write this crawl's polls (call once the crawl has finished normally); return how many."""
        if self.polled:
            with db.atomic():
                db[TABLE].upsert_all([vars(poll) for poll in self.polled.values()], pk="url")
        return len(self.polled)


def _format(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
