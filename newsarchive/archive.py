"""An archive folder: what lives where inside it, and how rows name its WARC files.

    DIR/news.db           the database (pages, articles, crawls)
    DIR/warc/*.warc.gz    the crawls' WARC files (and uncompressed ``.warc``)
    DIR/indexes/*.cdxj    CDXJ indexes for pywb and ReplayWeb.page
    DIR/newsarchive.lock  held by the one run writing into DIR (newsarchive/lock.py)

Every command and component finds these through ``ArchiveDir``; no other
module spells a file name or a glob of the folder. Rows name a crawl's WARC
file relative to DIR/warc and an imported one by absolute path.

``Archive`` reads one from Python (and is what ``show`` and ``export`` use)::

    from newsarchive.archive import Archive

    with Archive("archive") as archive:
        for article in archive.articles(site="example-news.com", since="2026-01-01", min_words=200):
            print(article.title, article.published, article.authors)
        html = archive.capture("https://example-news.com/a.html").body   # the archived bytes
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from newsarchive.extract.article import Article
from newsarchive.processing.outcome import PageCapture

if TYPE_CHECKING:
    from newsarchive.warc.records import StoredResponse

DB_NAME = "news.db"
LOCK_NAME = "newsarchive.lock"
WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class ArchiveDir:
    root: Path

    def __init__(self, root: str | os.PathLike) -> None:
        object.__setattr__(self, "root", Path(root))

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def index_dir(self) -> Path:
        return self.root / "indexes"

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_NAME

    def has_db(self) -> bool:
        return self.db_path.exists()

    def warc_files(self) -> list[Path]:
        """The WARC files the crawls wrote into DIR/warc, oldest first (names start with a timestamp)."""
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.iterdir() if is_warc_name(p.name))

    def index_files(self) -> list[Path]:
        """The CDXJ indexes in DIR/indexes, by name."""
        return sorted(self.index_dir.glob("*.cdxj")) if self.index_dir.is_dir() else []

    def warc_path(self, name: str) -> Path:
        """The file a row's ``warc_filename`` names (``stored_name``'s inverse)."""
        path = Path(name)
        return path if path.is_absolute() else self.warc_dir / path

    def stored_name(self, path: str | os.PathLike) -> str:
        """How rows and indexes name a WARC file: relative to DIR/warc when inside it, else by absolute path."""
        return stored_name(path, self.warc_dir)


def is_warc_name(name: str) -> bool:
    return name.endswith(WARC_SUFFIXES)


def stored_name(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str:
    """How rows and indexes name a WARC file: relative to ``root`` when inside it, else by absolute path.

    For files outside any archive folder (``import-warc`` into a new database), ``root`` is None.
    """
    path = Path(path).resolve()
    if root is not None and path.is_relative_to(Path(root).resolve()):
        return path.relative_to(Path(root).resolve()).as_posix()
    return path.as_posix()


# -- reading an archive ------------------------------------------------------

# Columns stored as JSON text; Archive hands them out as lists.
LIST_COLUMNS = ("authors", "tags", "categories", "removed")


def _from_row(cls, row: dict[str, Any]) -> ArchivedArticle:
    """From an ``articles`` row as ``Archive.rows`` returns it (columns unknown to this version are ignored)."""
    known = {f.name for f in fields(cls)}
    return cls(**{name: value for name, value in row.items() if name in known})


# An ``Article`` as the archive holds it: the extraction plus when and where it was captured, i.e.
# the capture columns, whose one list is ``PageCapture``'s fields, and its near-duplicate cluster.
ArchivedArticle = make_dataclass(
    "ArchivedArticle", [*((f.name, f.type, field(default=None)) for f in fields(PageCapture)),
                        ("cluster_id", "str | None", field(default=None))],
    bases=(Article,), repr=False, namespace={"from_row": classmethod(_from_row), "__module__": __name__},
)


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles to read. Dates are ISO days (``2026-05-01``), both ends included.

    ``site`` is a host (subdomains and "www." included) or a site name, as for
    ``reextract --site``; ``since``/``until`` apply to the publication date, or,
    for an article that states none, the day it was fetched. ``dedup`` keeps one
    article per near-duplicate cluster: the one the cluster is named after, its
    earliest published (newsarchive/db/clusters.py; an article not clustered yet counts as alone).
    """

    site: str | None = None
    since: str | None = None
    until: str | None = None
    language: str | None = None
    min_words: int | None = None
    dedup: bool = False

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if isinstance(value, date):
                object.__setattr__(self, name, value.isoformat()[:10])
            elif value is not None:
                date.fromisoformat(value[:10])  # ValueError for a date that is not one
                object.__setattr__(self, name, value[:10])

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions on ``articles`` and their parameters; ``site`` is narrowed here, decided by ``matches``."""
        clauses, params = [], []
        day = "substr(coalesce(published, fetched_at), 1, 10)"
        if self.since:
            clauses.append(f"{day} >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"{day} <= ?")
            params.append(self.until)
        if self.language:
            # "en" also takes "en-GB", as pages declare both.
            clauses.append("(lower(language) = ? OR lower(language) LIKE ?)")
            params += [self.language.lower(), self.language.lower() + "-%"]
        if self.min_words:
            clauses.append("word_count >= ?")
            params.append(self.min_words)
        if self.dedup:
            clauses.append("(cluster_id IS NULL OR cluster_id = url)")
        if self.site:
            clauses.append("(lower(site) = ? OR instr(lower(url), ?) > 0)")
            params += [self.site.lower(), self.site.lower().removeprefix("www.")]
        return (" AND ".join(clauses) or "1"), params

    def matches(self, row: dict[str, Any]) -> bool:
        if not self.site:
            return True
        from newsarchive.jobs.reextract import on_site

        return on_site(row["url"], row.get("site"), self.site)


class Archive:
    """An archive folder opened for reading: its articles, pages and raw captures.

    Reading is streamed (rows come from one cursor, ``batch_size`` at a time),
    so iterating a million articles takes the memory of one batch. A crawl may
    write to the archive meanwhile: SQLite's WAL gives the reader a snapshot.
    """

    def __init__(self, directory: str | os.PathLike) -> None:
        self.dir = ArchiveDir(directory)
        if not self.dir.has_db():
            raise FileNotFoundError(f"no archive database at {self.dir.db_path}")
        # Read-only: reading never migrates, locks or creates anything.
        self.connection = sqlite3.connect(f"{self.dir.db_path.resolve().as_uri()}?mode=ro", uri=True)
        self.connection.row_factory = sqlite3.Row

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def __repr__(self) -> str:
        return f"Archive({str(self.dir.root)!r})"

    def rows(self, filter: ArticleFilter | None = None, batch_size: int = 1000, **filters: Any) -> Iterator[dict]:
        """``articles`` rows as dicts, list columns decoded, in the order they were stored.

        Filters as keyword arguments (``site=``, ``since=``…, see ``ArticleFilter``) or one ``filter``.
        """
        chosen = filter or ArticleFilter(**filters)
        where, params = chosen.where()
        cursor = self.connection.execute(f"SELECT * FROM articles WHERE {where} ORDER BY rowid", params)
        try:
            while batch := cursor.fetchmany(batch_size):
                for record in batch:
                    row = decode_row(dict(record))
                    if chosen.matches(row):
                        yield row
        finally:
            cursor.close()

    def articles(self, filter: ArticleFilter | None = None, **filters: Any) -> Iterator[ArchivedArticle]:
        """The articles, as ``ArchivedArticle`` objects (filters as for ``rows``)."""
        for row in self.rows(filter, **filters):
            yield ArchivedArticle.from_row(row)

    def article(self, url: str) -> ArchivedArticle | None:
        """The article stored for ``url`` (with or without a trailing slash), or None."""
        row = self.find(url)[1]
        return ArchivedArticle.from_row(row) if row else None

    def find(self, url: str) -> tuple[dict | None, dict | None]:
        """The ``pages`` and ``articles`` rows of ``url``, trying it with and without a trailing slash."""
        for candidate in dict.fromkeys([url, url.rstrip("/"), url if url.endswith("/") else url + "/"]):
            page = self._one("SELECT * FROM pages WHERE url = ?", candidate)
            article = self._one("SELECT * FROM articles WHERE url = ?", candidate)
            if page or article:
                return page, decode_row(article) if article else None
        return None, None

    def versions(self, url: str) -> list[dict]:
        """Every version of ``url``'s article text (``article_versions`` rows), oldest first.

        Version 1 is the text first archived; ``articles`` holds the last. Empty
        when the archive holds no article for ``url`` (or predates versions).
        """
        try:
            for candidate in dict.fromkeys([url, url.rstrip("/"), url if url.endswith("/") else url + "/"]):
                rows = self.connection.execute("SELECT * FROM article_versions WHERE url = ? ORDER BY version",
                                               [candidate]).fetchall()
                if rows:
                    return [dict(row) for row in rows]
        except sqlite3.OperationalError:
            return []  # an archive from before versions (opened read-only: not migrated)
        return []

    def capture(self, url: str, limit: int | None = None) -> StoredResponse:
        """The archived HTTP response of ``url`` (a revisit followed to its payload).

        LookupError when the archive does not hold ``url``; ``RecordError`` when its record cannot be read.
        """
        from newsarchive.warc.records import load_row_response
        from sqlite_utils import Database

        page, article = self.find(url)
        if page is None and article is None:
            raise LookupError(f"{url} is not in the archive at {self.dir.root}")
        return load_row_response(self.dir.root, page or article, Database(self.connection), limit)

    def count(self, filter: ArticleFilter | None = None, **filters: Any) -> int:
        chosen = filter or ArticleFilter(**filters)
        if chosen.site:
            return sum(1 for _ in self.rows(chosen))
        where, params = chosen.where()
        return self.connection.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]

    def start_urls(self) -> list[str]:
        """Every URL the archive's crawls started from (start pages, sitemaps, feeds), sorted."""
        urls: set[str] = set()
        for (value,) in self.connection.execute("SELECT start_urls FROM crawls WHERE start_urls IS NOT NULL"):
            urls.update(str(url) for url in _as_list(value))
        return sorted(urls)

    def _one(self, sql: str, *params: Any) -> dict | None:
        record = self.connection.execute(sql, params).fetchone()
        return dict(record) if record else None


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """An ``articles`` row with its JSON list columns as lists (a malformed value becomes one string in a list)."""
    for name in LIST_COLUMNS:
        if name in row:
            row[name] = _as_list(row[name])
    return row


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError):
        return [value]
    return decoded if isinstance(decoded, list) else [decoded]
