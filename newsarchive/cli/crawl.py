"""Commands that fetch: ``crawl`` and ``demo``."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from sqlite_utils import Database

from newsarchive.archive import ArchiveDir
from newsarchive.cli.health import print_run_report
from newsarchive.cli.options import check_sources, dir_option, locked_archive, sources_option
from newsarchive.db.report import archive_summary, format_summary

logger = logging.getLogger(__name__)


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, Any]:
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
@sources_option
@click.option("--depth", type=int, help="Link hops to follow from the start pages (default 3).")
@click.option("--refetch-all", is_flag=True,
              help="Fetch every page in full, even articles DIR already holds (NEWSARCHIVE_REFETCH=all).")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Any Scrapy setting.")
@click.option("-v", "--verbose", count=True,
              help="Scrapy's log: -v at INFO (settings, components), -vv at DEBUG. Default: warnings and progress.")
@dir_option
def crawl(urls: tuple[str, ...], sitemaps: tuple[str, ...], feeds: tuple[str, ...], sources: Path | None,
          depth: int | None, refetch_all: bool, settings: tuple[str, ...], verbose: int, directory: Path) -> None:
    """Crawl news sites from start pages, sitemaps, feeds or a sources file into DIR.

    Example: newsarchive crawl https://www.example-news.com/ --dir archive

    Example: newsarchive crawl --sources sources.toml --dir archive

    Into a DIR that already holds an archive the crawl is incremental: articles
    already archived are not fetched again (young ones are re-checked), and
    start pages, sitemaps and feeds are asked for conditionally.

    The same as: scrapy crawl news -a start_urls=URL -s NEWSARCHIVE_DIR=DIR (or -a sources=FILE)

    Ctrl-C stops it (pages being fetched finish); run the same command again
    to resume. It then exits with status 130.
    """
    if not (urls or sitemaps or feeds or sources):
        raise click.ClickException("give at least one start URL, --sitemap, --feed or --sources FILE")
    check_sources(sources)
    urls, sitemaps, feeds = (tuple(checked_seeds(given)) for given in (urls, sitemaps, feeds))
    overrides = {"LOG_LEVEL": LOG_LEVELS[min(verbose, 2)], **parse_overrides(settings)}
    if depth is not None:
        overrides["NEWSARCHIVE_DEPTH_LIMIT"] = str(depth)
    if refetch_all:
        overrides["NEWSARCHIVE_REFETCH"] = "all"
    check_incremental(overrides)
    overrides.update(PRINTED_REPORT)
    with locked_archive(directory, "crawl"):
        from newsarchive.crawl.runner import run_crawl  # Scrapy only for the commands that crawl

        click.echo(f"Crawling into {directory} (Ctrl-C stops; run the same command again to resume)", err=True)
        stats = run_crawl(directory, list(urls), list(sitemaps), list(feeds), overrides, sources=sources)
    click.echo(format_summary(archive_summary(directory, stats)))
    if stats.get("finish_reason"):  # a crawl stopped at once wrote no site_runs: no report to contradict the above
        print_run_report(directory, stats)
    end_of_crawl(stats)


# newsarchive crawl's -v count: Scrapy's LOG_LEVEL. The progress line shows at every level.
LOG_LEVELS = ("WARNING", "INFO", "DEBUG")
# Exit status of a crawl stopped by Ctrl-C (128 + SIGINT, as shells report it).
STOPPED_EXIT = 130


def checked_seeds(given: tuple[str, ...]) -> list[str]:
    """The URLs as the crawl will read them (newsarchive/seeds.py), or one line saying which is wrong."""
    from newsarchive.seeds import BadSeed, seed_url

    checked = []
    for text in given:
        try:
            url, completed = seed_url(text)
        except BadSeed as exc:
            raise click.ClickException(str(exc)) from None
        if completed:
            click.echo(f"{text} has no scheme: crawling {url}", err=True)
        checked.append(url)
    return checked


def end_of_crawl(stats: dict) -> None:
    """Exit status and last word by how the crawl ended: resumable stops say how to resume."""
    if not stats:
        raise click.ClickException("the crawl did not start (the error is above)")
    reason = stats.get("finish_reason")
    if reason in ("finished", "closespider_itemcount", "closespider_pagecount"):
        return
    if reason in ("shutdown", None):
        from newsarchive.crawl.stopping import RESUME_HINT

        how = "stopped" if reason else "stopped at once"
        click.echo(f"Crawl {how}: {RESUME_HINT}.", err=True)
        raise SystemExit(STOPPED_EXIT)
    raise click.ClickException(f"crawl ended: {reason}")


@click.command()
@dir_option
def demo(directory: Path) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and crawl it, offline.

    Run again into the same DIR, it serves the site on the same port, so the
    recrawl is incremental: the archived articles are not fetched again, and
    the listings, fetched again, are unchanged (revisit records).

    Example: newsarchive demo   (into ./archive, where every command looks by default)
    """
    with locked_archive(directory, "demo crawl"):
        stats = _demo(directory)
    click.echo(format_summary(archive_summary(directory, stats)))
    print_run_report(directory, stats)
    click.echo(next_steps(directory))


def next_steps(directory: Path) -> str:
    """The commands to try next, runnable as printed (``--dir`` only when DIR is not the default)."""
    import shlex

    where = "" if directory == Path("archive") else f" --dir {shlex.quote(str(directory))}"
    program = shlex.quote(program_name())
    return "\n".join(["Next:", f"  {program} serve{where}    # read and search in Datasette: http://127.0.0.1:8001/",
                      f"  {program} stats{where}", f"  {program} export -o articles.jsonl{where}"])


def program_name() -> str:
    """``newsarchive`` when the shell finds this one, else its path (``make demo`` runs without an active venv)."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "newsarchive"
    found = shutil.which("newsarchive")
    if not beside.exists() or (found and Path(found).resolve() == beside.resolve()):
        return "newsarchive"
    try:
        return str(beside.relative_to(Path.cwd()))
    except ValueError:
        return str(beside)


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

        stats = run_crawl(directory, [server.url], [], [], {**DEMO_SETTINGS, **PRINTED_REPORT})
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
# The commands print the run report after their summary, so the extension that logs it stays out
# (listed as None: Scrapy skips it without the "Disabled" warning NEWSARCHIVE_RUN_REPORT=False gives).
PRINTED_REPORT = {"EXTENSIONS": {"newsarchive.crawl.report.RunReport": None}}

COMMANDS = [crawl, demo]
