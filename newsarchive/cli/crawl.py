"""Commands that fetch: ``crawl`` and ``demo``."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import click
from sqlite_utils import Database

from newsarchive.archive import ArchiveDir
from newsarchive.cli.options import dir_option, locked_archive
from newsarchive.db.report import archive_summary, format_summary

logger = logging.getLogger(__name__)


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.ClickException(f"-s takes NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def check_incremental(overrides: dict[str, str]) -> None:
    """The incremental settings given with -s, checked before Scrapy starts (one clear line, no traceback)."""
    from newsarchive.db.urlstate import parse_date, parse_intervals

    refetch = overrides.get("NEWSARCHIVE_REFETCH", "").strip().lower()
    if refetch not in ("", "none", "all"):
        raise click.ClickException(f"NEWSARCHIVE_REFETCH is 'all' or empty, not {refetch!r}")
    try:
        parse_intervals(overrides.get("NEWSARCHIVE_REVISIT_INTERVALS", ""))
    except ValueError as exc:
        raise click.ClickException(f"NEWSARCHIVE_REVISIT_INTERVALS: {exc}") from exc
    now = overrides.get("NEWSARCHIVE_NOW", "")
    if now and parse_date(now) is None:
        raise click.ClickException(f"NEWSARCHIVE_NOW is not an ISO date and time: {now!r}")
    for name in ("NEWSARCHIVE_MAX_AGE_DAYS", "NEWSARCHIVE_REVISIT_YOUNG_DAYS", "NEWSARCHIVE_VALIDATORS_MAX_AGE_HOURS"):
        try:
            float(overrides.get(name) or 0)
        except ValueError:
            raise click.ClickException(f"{name} takes a number, not {overrides[name]!r}") from None


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--sitemap", "sitemaps", multiple=True, help="Sitemap or sitemap index URL (repeatable).")
@click.option("--feed", "feeds", multiple=True, help="RSS or Atom feed URL (repeatable).")
@click.option("--depth", type=int, help="Link hops to follow from the start pages (default 3).")
@click.option("--refetch-all", is_flag=True,
              help="Fetch every page in full, even articles DIR already holds (NEWSARCHIVE_REFETCH=all).")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Any Scrapy setting.")
@dir_option
def crawl(urls: tuple[str, ...], sitemaps: tuple[str, ...], feeds: tuple[str, ...], depth: int | None,
          refetch_all: bool, settings: tuple[str, ...], directory: Path) -> None:
    """Crawl news sites from start pages, sitemaps or feeds into DIR.

    Example: newsarchive crawl https://www.example-news.com/ --dir archive

    Into a DIR that already holds an archive the crawl is incremental: articles
    already archived are not fetched again (young ones are re-checked), and
    start pages, sitemaps and feeds are asked for conditionally.

    The same as: scrapy crawl news -a start_urls=URL -s NEWSARCHIVE_DIR=DIR
    """
    if not (urls or sitemaps or feeds):
        raise click.ClickException("give at least one start URL, --sitemap or --feed")
    overrides = parse_overrides(settings)
    if depth is not None:
        overrides["NEWSARCHIVE_DEPTH_LIMIT"] = str(depth)
    if refetch_all:
        overrides["NEWSARCHIVE_REFETCH"] = "all"
    check_incremental(overrides)
    with locked_archive(directory, "crawl"):
        from newsarchive.crawl.runner import run_crawl  # Scrapy only for the commands that crawl

        stats = run_crawl(directory, list(urls), list(sitemaps), list(feeds), overrides)
    click.echo(format_summary(archive_summary(directory, stats)))
    if stats.get("finish_reason") not in ("finished", "closespider_itemcount", "closespider_pagecount"):
        raise click.ClickException(f"crawl ended: {stats.get('finish_reason')}")


@click.command()
@dir_option
def demo(directory: Path) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and crawl it, offline.

    Run again into the same DIR, it serves the site on the same port, so the
    recrawl is incremental: the archived articles are not fetched again, and
    the listings, fetched again, are unchanged (revisit records).

    Example: newsarchive demo --dir archive/demo
    """
    with locked_archive(directory, "demo crawl"):
        stats = _demo(directory)
    click.echo(format_summary(archive_summary(directory, stats)))


def _demo(directory: Path) -> dict:
    from newsarchive.demo import SITE_DIR
    from newsarchive.demo.server import SiteServer

    port = last_demo_port(directory)
    try:
        server = SiteServer(SITE_DIR, port=port).start()
    except OSError as exc:
        if not port:
            raise click.ClickException(f"cannot serve the demo site: {exc}") from exc
        click.echo(f"Port {port} of the last demo crawl is taken ({exc.strerror}): the site gets another port, "
                   "so its URLs are new to this archive")
        server = SiteServer(SITE_DIR).start()
    try:
        click.echo(f"Serving the demo site at {server.url}")
        from newsarchive.crawl.runner import run_crawl

        stats = run_crawl(directory, [server.url], [], [], DEMO_SETTINGS)
    finally:
        server.stop()
    return stats


def last_demo_port(directory: Path) -> int:
    """The port the demo site had in the last crawl of it into DIR (0 if none): its URLs include the port."""
    path = ArchiveDir(directory).db_path
    if not path.exists():
        return 0
    db = Database(path)
    try:
        rows = db.execute("SELECT start_urls FROM crawls WHERE spider = 'news' ORDER BY id DESC").fetchall()
    except sqlite3.Error as exc:
        logger.warning("cannot read the crawls of %s: %s", path, exc)
        return 0
    finally:
        db.close()
    for (start_urls,) in rows:
        for url in json.loads(start_urls or "[]"):
            parts = urlsplit(url)
            if parts.hostname == "127.0.0.1" and parts.port and parts.path in ("", "/"):
                return parts.port
    return 0


# The demo server is ours and local: no need to be slow with it.
DEMO_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "WARNING",
                 "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}

COMMANDS = [crawl, demo]
