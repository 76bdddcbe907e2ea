"""The database schema as named, append-only migrations.

Never edit a migration that has shipped: add a new one below it. sqlite-utils
records applied names in ``_sqlite_migrations``, so old databases catch up.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("newsarchive")

# Where a row's bytes live in the archive; re-extraction and `show --raw` read these.
WARC_COLUMNS = {
    "warc_filename": str,
    "warc_offset": int,
    "warc_length": int,
    "warc_record_id": str,
    "payload_digest": str,
}


@migrations()
def m001_crawls(db: Database) -> None:
    db["crawls"].create(
        {
            "id": int,
            "spider": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "start_urls": str,  # JSON list
            "settings": str,  # JSON object
            "stats": str,  # JSON object
        },
        pk="id",
    )


@migrations()
def m002_pages(db: Database) -> None:
    db["pages"].create(
        {
            "url": str,
            "outcome": str,
            "reason": str,
            "status": int,
            "content_type": str,
            "depth": int,
            "referer": str,
            "redirected_to": str,
            "fetched_at": str,
            "crawl_id": int,
            **WARC_COLUMNS,
        },
        pk="url",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["pages"].create_index(["outcome"])
    db["pages"].create_index(["crawl_id"])


@migrations()
def m003_articles(db: Database) -> None:
    db["articles"].create(
        {
            "url": str,
            "canonical_url": str,
            "title": str,
            "authors": str,  # JSON list
            "published": str,
            "modified": str,
            "site": str,
            "language": str,
            "description": str,
            "tags": str,  # JSON list
            "categories": str,  # JSON list
            "image": str,
            "page_type": str,
            "text": str,
            "word_count": int,
            "fingerprint": str,
            "removed": str,  # JSON list
            "status": int,
            "fetched_at": str,
            "crawl_id": int,
            **WARC_COLUMNS,
        },
        pk="url",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    for columns in (["site"], ["published"], ["fingerprint"], ["language"]):
        db["articles"].create_index(columns)


@migrations()
def m004_articles_fts(db: Database) -> None:
    # Triggers keep the index in step with every insert, update and delete.
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")


@migrations()
def m005_warc_date(db: Database) -> None:
    # The WARC-Date of the record a row points at: a revisit record must cite it.
    for table in ("pages", "articles"):
        db[table].add_column("warc_date", str)
    db["pages"].add_column("revisit_record_id", str)


@migrations()
def m006_incremental_pages(db: Database) -> None:
    # Incremental crawls (db/urlstate.py): the validators of a page's last 200 response, for
    # conditional GETs, and when it was last checked (a 200, a revisit or a 304 alike).
    for column in ("etag", "last_modified", "checked_at"):
        db["pages"].add_column(column, str)
    # An ETag seen on several URLs with different payloads is no validator (a server that lies).
    db["pages"].create_index(["etag"])


@migrations()
def m007_article_versions(db: Database) -> None:
    # Every version of an article's extracted text, each with the WARC pointer of its response record;
    # ``articles`` holds the latest. The articles already stored are their version 1.
    db["article_versions"].create(
        {"url": str, "version": int, "crawl_id": int, "fetched_at": str, "title": str, "text": str,
         "word_count": int, "fingerprint": str, **WARC_COLUMNS, "warc_date": str},
        pk=("url", "version"),
    )
    columns = "url, crawl_id, fetched_at, title, text, word_count, fingerprint, " + \
        ", ".join(WARC_COLUMNS) + ", warc_date"
    db.execute(f"INSERT INTO article_versions (version, {columns}) SELECT 1, {columns} FROM articles")


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending
