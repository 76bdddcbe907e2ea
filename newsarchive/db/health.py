"""Per-site health: what each run got from each site, and when a site looks unwell against its own history.

During a run the outcome policy reports every pages row it writes to a
``SiteTally``, sorted into one bucket per fetch (``bucket_of``): ``new``,
``updated`` and ``unchanged`` articles, ``not_article``, ``errors`` and
``blocked``; a page counts once, in the bucket of its last word (a demoted
copy moves from its article bucket to ``not_article``). Whether an article is
new, updated or the same is known only then, which is why the counts are kept
as the run goes and not read back from the rows. At the run's end
``record_site_runs`` adds the median words of the articles the run wrote
(read back from ``articles``, where the run's rows carry its ``crawl_id``) and
writes one ``site_runs`` row per site, with the flags ``flags_for`` raises.

A site is its source's name when the pages row has one, else its host
(``site_of``). A site is flagged when, against the median of its own previous
runs (at least ``MIN_HISTORY`` of them):

* its article yield fell below ``FALL`` of the usual: the share of articles
  among the pages whose content was new this run (new + updated over
  new + updated + not_article; unchanged pages, errors and walls say nothing
  about extraction), judged only when at least ``MIN_JUDGED`` pages were;
* or its median words per article fell below ``FALL`` of the usual
  (a redesign that broke extraction shows in one of the two);

and, with no history needed, when ``BLOCKED_SHARE`` or more of its fetched
pages were bot walls or challenge pages (processing/blocked.py).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from sqlite_utils import Database

BUCKETS = ("new", "updated", "unchanged", "not_article", "errors", "blocked")
# How the outcome policy names an articles row's change, as a bucket.
CHANGE_BUCKETS = {"added": "new", "changed": "updated", "unchanged": "unchanged"}
# Outcomes of URLs that were never requested: no fetch to count.
NOT_FETCHED = frozenset({"robots", "out_of_scope"})
# Outcomes a conditional request's "not modified" answer may be recorded with.
NOT_MODIFIED = frozenset({"unchanged", "not_modified"})

HISTORY_RUNS = 10  # previous runs a site is compared with
MIN_HISTORY = 3  # fewer previous runs than this: no comparison, no flag
FALL = 0.5  # below this share of the usual value: flagged
BLOCKED_SHARE = 0.1  # this share of a run's fetches blocked or more: flagged
MIN_JUDGED = 5  # pages with new content needed to judge a run's article yield


def site_of(url: str, source: str | None = None) -> str:
    """The site a page belongs to: its source's name, else its host (with a port other than the default)."""
    if source:
        return source
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def bucket_of(outcome: str, status: int | None, revisit: bool) -> str | None:
    """The bucket of a pages row other than an article's (whose change decides its own); None: not fetched."""
    if outcome in NOT_FETCHED:
        return None
    if outcome == "blocked":
        return "blocked"
    if status == 304 or outcome in NOT_MODIFIED:
        return "unchanged"
    if outcome == "error":
        return "errors"
    if revisit or outcome == "article":  # an article's row rewritten as it was: a revisit
        return "unchanged"
    return "not_article"


class SiteTally:
    """Counts per site and bucket, as a run goes (the outcome policy's ``per_site`` callback is ``add``)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}

    def add(self, site: str, bucket: str, delta: int) -> None:
        self.counts.setdefault(site, Counter())[bucket] += delta


@dataclass
class SiteRun:
    """One site's ``site_runs`` row."""

    site: str
    crawl_id: int
    counts: Mapping[str, int] = field(default_factory=dict)
    median_words: int | None = None
    flags: list[str] = field(default_factory=list)
    finished_at: str | None = None

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> "SiteRun":
        flags = [f for f in (row.get("flags") or "").split("; ") if f]
        return cls(row["site"], row["crawl_id"], {b: row.get(b) or 0 for b in BUCKETS}, row.get("median_words"),
                   flags, row.get("finished_at"))

    @property
    def fetched(self) -> int:
        return sum(self.counts.get(b, 0) for b in BUCKETS)

    def get(self, bucket: str) -> int:
        return self.counts.get(bucket, 0)

    @property
    def article_yield(self) -> float | None:
        """Articles among the pages whose content was new this run; None when too few to judge."""
        articles = self.get("new") + self.get("updated")
        judged = articles + self.get("not_article")
        return articles / judged if judged >= MIN_JUDGED else None

    def row(self) -> dict[str, Any]:
        return {"crawl_id": self.crawl_id, "site": self.site, "fetched": self.fetched,
                **{b: self.get(b) for b in BUCKETS}, "median_words": self.median_words,
                "flags": "; ".join(self.flags) or None, "finished_at": self.finished_at}


# -- the flag rule ----------------------------------------------------------

@dataclass
class Usual:
    """A site's usual values: medians over its previous runs (None: too little history)."""

    runs: int
    article_yield: float | None
    median_words: float | None

    @classmethod
    def of(cls, history: Iterable[SiteRun]) -> "Usual":
        history = list(history)
        return cls(len(history), _median_of([r.article_yield for r in history]),
                   _median_of([r.median_words for r in history]))


def _median_of(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) >= MIN_HISTORY else None


def flags_for(run: SiteRun, usual: Usual) -> list[str]:
    """Why ``run`` looks unwell: against ``usual`` (its own history), and by its share of bot walls."""
    flags = []
    if run.get("blocked") and run.get("blocked") >= BLOCKED_SHARE * run.fetched:
        flags.append(f"{run.get('blocked')} of {run.fetched} pages blocked (bot wall or challenge page)")
    current = run.article_yield
    if current is not None and usual.article_yield and current < FALL * usual.article_yield:
        flags.append(f"article yield {current:.0%}, usually {usual.article_yield:.0%}")
    if run.median_words is not None and usual.median_words and run.median_words < FALL * usual.median_words:
        flags.append(f"median {run.median_words} words per article, usually {usual.median_words:.0f}")
    return flags


# -- reading and writing site_runs -------------------------------------------

def history(db: Database, site: str, before: int, runs: int = HISTORY_RUNS) -> list[SiteRun]:
    """The site's ``runs`` latest rows from runs before crawl ``before``, newest first."""
    rows = db.query("SELECT * FROM site_runs WHERE site = ? AND crawl_id < ? ORDER BY crawl_id DESC LIMIT ?",
                    [site, before, runs])
    return [SiteRun.of_row(row) for row in rows]


def median_words(db: Database, crawl_id: int) -> dict[str, int]:
    """Per site, the median word count of the articles rows run ``crawl_id`` wrote (and that still stand)."""
    source = "p.source" if "source" in db["pages"].columns_dict else "NULL"
    words: dict[str, list[int]] = {}
    for url, count, name in db.execute(
            f"SELECT a.url, a.word_count, {source} FROM articles a LEFT JOIN pages p ON p.url = a.url "
            "WHERE a.crawl_id = ? AND a.word_count IS NOT NULL", [crawl_id]):
        words.setdefault(site_of(url, name), []).append(count)
    return {site: round(statistics.median(counts)) for site, counts in words.items()}


def record_site_runs(db: Database, crawl_id: int, tally: SiteTally, finished_at: str | None = None) -> list[SiteRun]:
    """Write the run's ``site_runs`` rows (flags judged against each site's history); return them by site."""
    words = median_words(db, crawl_id)
    runs = []
    for site in sorted(tally.counts):
        run = SiteRun(site, crawl_id, {b: tally.counts[site].get(b, 0) for b in BUCKETS}, words.get(site),
                      finished_at=finished_at)
        if not run.fetched:
            continue
        run.flags = flags_for(run, Usual.of(history(db, site, crawl_id)))
        runs.append(run)
    if runs:
        db["site_runs"].upsert_all([r.row() for r in runs], pk=("crawl_id", "site"))
    return runs


def run_report(db: Database, crawl_id: int) -> list[SiteRun]:
    """The ``site_runs`` rows of one run, by site."""
    if not db["site_runs"].exists():
        return []
    return [SiteRun.of_row(r) for r in db.query("SELECT * FROM site_runs WHERE crawl_id = ? ORDER BY site",
                                                [crawl_id])]


@dataclass
class SiteHealth:
    """A site's latest run, its usual values, and the flags the latest run raises against them."""

    latest: SiteRun
    usual: Usual
    flags: list[str]


def site_health(db: Database, runs: int = HISTORY_RUNS) -> list[SiteHealth]:
    """Every site's latest run judged against its ``runs`` previous ones: flagged sites first, then by name."""
    if not db["site_runs"].exists():
        return []
    latest = db.query("SELECT * FROM site_runs s WHERE crawl_id = "
                      "(SELECT MAX(crawl_id) FROM site_runs t WHERE t.site = s.site) ORDER BY site")
    table = []
    for row in latest:
        run = SiteRun.of_row(row)
        usual = Usual.of(history(db, run.site, run.crawl_id, runs))
        table.append(SiteHealth(run, usual, flags_for(run, usual)))
    return sorted(table, key=lambda h: (not h.flags, h.latest.site))


# -- as text ------------------------------------------------------------------

REPORT_COLUMNS = ("site", "fetched", *BUCKETS, "words")


def format_run_report(runs: list[SiteRun], crawl_id: int | None = None) -> str:
    """The run report: per site, what the run fetched and what became of it, then any flags."""
    title = f"Run report{f' (crawl {crawl_id})' if crawl_id is not None else ''}, per site:"
    if not runs:
        return f"{title} no pages fetched"
    rows = [[r.site, r.fetched, *(r.get(b) for b in BUCKETS), _or_dash(r.median_words)] for r in runs]
    lines = [title, *format_table(REPORT_COLUMNS, rows)]
    lines += [f"  flagged {r.site}: {flag}" for r in runs for flag in r.flags]
    return "\n".join(lines)


def format_health(table: list[SiteHealth]) -> str:
    """``newsarchive health``: each site's latest run, its usual values, and its flags."""
    if not table:
        return "No site health recorded yet: it is written at the end of each crawl."
    columns = ("site", "crawl", "fetched", "new", "updated", "unchanged", "not_article", "errors", "blocked",
               "yield", "usual", "words", "usual", "runs")
    rows = []
    for h in table:
        r = h.latest
        rows.append([r.site, r.crawl_id, r.fetched, *(r.get(b) for b in BUCKETS), _percent(r.article_yield),
                     _percent(h.usual.article_yield), _or_dash(r.median_words), _or_dash(h.usual.median_words),
                     h.usual.runs])
    lines = format_table(columns, rows)
    flagged = [(h.latest.site, flag) for h in table for flag in h.flags]
    lines.append("")
    lines += [f"FLAG {site}: {flag}" for site, flag in flagged] or ["No site flagged."]
    lines.append(f"(yield: articles among the pages with new content; usual: the median over the previous runs "
                 f"counted in 'runs'; a fall is judged from {MIN_HISTORY} previous runs on)")
    return "\n".join(lines)


def format_table(columns: Iterable[str], rows: list[list[Any]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers, two spaces between."""
    cells = [list(map(str, columns)), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()
            for row in cells]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _or_dash(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
