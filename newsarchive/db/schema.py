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


@migrations()
def m008_site_runs(db: Database) -> None:
    # Per-site health: one row per site and run (newsarchive/db/health.py writes them at a run's end).
    db["site_runs"].create(
        {
            "crawl_id": int,
            "site": str,  # the source's name, else the host (newsarchive.db.health.site_of)
            "fetched": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "not_article": int,
            "errors": int,
            "blocked": int,
            "median_words": int,
            "flags": str,  # why the site looks unwell against its own history; NULL when it does not
            "finished_at": str,
        },
        pk=("crawl_id", "site"),
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["site_runs"].create_index(["site", "crawl_id"])


@migrations()
def m009_pages_source(db: Database) -> None:
    # The name of the sources-file entry (newsarchive/sources.py) a page was fetched for; NULL without one.
    db["pages"].add_column("source", str)
    db["pages"].create_index(["source"])




@migrations()
def m010_listing_polls(db: Database) -> None:
    # When each feed and sitemap is polled next (newsarchive/db/polls.py: adaptive intervals).
    db["listing_polls"].create(
        {
            "url": str,
            "source": str,
            "interval_seconds": float,
            "next_due_at": str,
            "last_polled_at": str,
            "last_found": int,
            "last_new": int,
        },
        pk="url",
    )


@migrations()
def m011_near_duplicates(db: Database) -> None:
    # Each article's near-duplicate cluster: the URL of its earliest member (its own when alone).
    db["articles"].add_column("cluster_id", str)
    db["articles"].create_index(["cluster_id"])
    # What newsarchive/db/clusters.py keeps to cluster incrementally: one MinHash signature per
    # article (and the date that ranks it in its cluster), the LSH band keys pointing at them, and
    # the parameters they were made with.
    db["neardup_signatures"].create(
        {"id": int, "url": str, "digest": str, "rank": str, "signature": bytes, "cluster_id": str},
        pk="id",
    )
    db["neardup_signatures"].create_index(["url"], unique=True)
    db["neardup_signatures"].create_index(["cluster_id"])
    db.execute("CREATE TABLE neardup_bands (key INTEGER NOT NULL, signature_id INTEGER NOT NULL, "
               "PRIMARY KEY (key, signature_id)) WITHOUT ROWID")
    db["neardup_params"].create({"id": int, "params": str}, pk="id")
    # Setting an article's cluster must not re-index its text: the search index's update trigger
    # fires for its own columns only (an upsert still names them, so it re-indexes as before).
    found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_au'").fetchone()
    if found and " AFTER UPDATE ON " in found[0]:
        db.execute('DROP TRIGGER "articles_au"')
        db.execute(found[0].replace(" AFTER UPDATE ON ", ' AFTER UPDATE OF "title", "text" ON ', 1))


@migrations()
def m012_presigned_signatures(db: Database) -> None:
    # Near-duplicate signatures the extraction workers made, by the fingerprint of the text they sign
    # and what they depend on (neardup.Params.signing): update_clusters reads them instead of signing
    # in the crawl process, and empties the table when it is done.
    db["neardup_presigned"].create({"fingerprint": str, "signing": str, "signature": bytes}, pk="fingerprint")


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending
