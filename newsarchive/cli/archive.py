"""Commands that work on the archive offline: ``show``, ``reextract``, ``import-warc``, ``index``, ``wacz``."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click
from sqlite_utils import Database

from newsarchive.archive import ArchiveDir
from newsarchive.cli.options import db_path, dir_option, locked_archive, min_words_for, min_words_option
from newsarchive.cli.progress import progress_bar

logger = logging.getLogger(__name__)

workers_option = click.option("--workers", type=int, default=0, show_default=True,
                              help="Extraction processes; 0 means one per CPU.")


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


# -- show -------------------------------------------------------------------

@click.command()
@click.argument("url")
@click.option("--raw", "mode", flag_value="raw", help="The archived body, content-decoded, as bytes.")
@click.option("--text", "mode", flag_value="text", help="The stored article text.")
@click.option("--headers", "mode", flag_value="headers", help="The archived HTTP status line and headers.")
@click.option("--versions", "mode", flag_value="versions", help="The versions of the article's text.")
@click.option("--diff", "mode", flag_value="diff",
              help="A word diff between two versions: the numbers after URL, or the last two.")
@click.argument("compare", nargs=-1, type=int)
@dir_option
def show(url: str, mode: str | None, compare: tuple[int, ...], directory: Path) -> None:
    """Show what the archive holds for URL: a summary, or its raw HTML, text, headers or versions.

    Example: newsarchive show https://www.example-news.com/2024/05/story.html --raw --dir archive > story.html

    Example: newsarchive show https://www.example-news.com/2024/05/story.html --diff 1 2 --dir archive
    """
    from newsarchive.archive import Archive
    from newsarchive.warc.records import RecordError

    if compare and mode != "diff":
        raise click.ClickException("version numbers after URL go with --diff (e.g. --diff 1 2)")
    if mode == "diff" and len(compare) not in (0, 2):
        raise click.ClickException(f"--diff takes two version numbers or none (the last two), got {len(compare)}")
    db_path(directory)
    with Archive(directory) as archive:
        if mode in ("versions", "diff"):
            _show_versions(archive, url, compare if mode == "diff" else None, directory)
            return
        page, article = archive.find(url)
        if page is None and article is None:
            raise click.ClickException(f"{url} is not in the archive at {directory}")
        row = page or article
        if mode == "text":
            if article is None:
                raise click.ClickException(f"{row['url']} is not an article ({row.get('outcome')}: {row.get('reason')})")
            click.echo(article["text"])
            return
        if mode in ("raw", "headers"):
            try:
                stored = archive.capture(row["url"])
            except RecordError as exc:
                raise click.ClickException(str(exc)) from exc
            if mode == "raw":
                # Bytes as stored (after content-decoding), whatever their charset: never re-encoded.
                sys.stdout.buffer.write(stored.body)
                sys.stdout.buffer.flush()
            else:
                click.echo(stored.http_headers.to_str(filter_func=None).rstrip("\r\n") if stored.http_headers
                           else f"(no HTTP headers: {stored.record_type} record)")
            return
    click.echo(_summary(page, article))


def _show_versions(archive, url: str, compare: tuple[int, ...] | None, directory: Path) -> None:
    """``--versions``: one line per version; ``--diff`` (``compare`` not None): the word diff of two."""
    from newsarchive.textdiff import changed_words, word_diff

    versions = archive.versions(url)
    if not versions:
        raise click.ClickException(f"{url} has no article versions in the archive at {directory}")
    if compare is None:
        click.echo(f"{'version':>7}  {'fetched':<25} {'words':>6}  title")
        for row in versions:
            click.echo(f"{row['version']:>7}  {row['fetched_at'] or '':<25} {row['word_count'] or 0:>6}  {row['title'] or ''}")
        return
    by_number = {row["version"]: row for row in versions}
    if not compare:
        if len(versions) < 2:
            raise click.ClickException(f"{versions[0]['url']} has only one version: nothing to compare")
        compare = (versions[-2]["version"], versions[-1]["version"])
    unknown = [n for n in compare if n not in by_number]
    if unknown:
        raise click.ClickException(f"{versions[0]['url']} has no version {unknown[0]} "
                                   f"(versions 1 to {versions[-1]['version']})")
    old, new = by_number[compare[0]], by_number[compare[1]]
    removed, added = changed_words(old["text"], new["text"])
    click.echo(f"version {old['version']} ({old['fetched_at']}) -> version {new['version']} ({new['fetched_at']}): "
               f"{removed} words removed, {added} added")
    if old["title"] != new["title"]:
        click.echo(f"title: {word_diff(old['title'] or '', new['title'] or '')}")
    click.echo(word_diff(old["text"], new["text"]))


def _summary(page: dict | None, article: dict | None) -> str:
    row = page or article or {}
    pairs = [
        ("URL", row.get("url")),
        ("Outcome", f"{page['outcome']} ({page['reason']})" if page else "article"),
        ("Status", row.get("status")),
        ("Content-Type", (page or {}).get("content_type")),
        ("Fetched", row.get("fetched_at")),
        ("Crawl", row.get("crawl_id")),
        ("Redirected to", (page or {}).get("redirected_to")),
        ("WARC", f"{row.get('warc_filename')} @ {row.get('warc_offset')} (+{row.get('warc_length')})"
         if row.get("warc_filename") else None),
        ("Record", row.get("warc_record_id")),
        ("Digest", row.get("payload_digest")),
    ]
    if page and page.get("revisit_record_id"):
        # The last fetch found the same payload: its revisit record points back at the record above.
        pairs.append(("Unchanged", f"revisit record {page['revisit_record_id']}; payload captured "
                                   f"{page.get('warc_date')}"))
    if article:
        pairs += [
            ("Title", article.get("title")),
            ("Authors", ", ".join(article.get("authors") or []) or None),
            ("Published", article.get("published")),
            ("Site", article.get("site")),
            ("Language", article.get("language")),
            ("Words", article.get("word_count")),
        ]
    return "\n".join(f"{name + ':':<15}{value}" for name, value in pairs if value not in (None, ""))


# -- reextract --------------------------------------------------------------

@click.command()
@click.option("--since", metavar="DATE", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
              help="Only pages fetched at or after this UTC date or time (ISO, e.g. 2024-05-01).")
@click.option("--site", help="Only pages of this host (subdomains included) or articles of this site name.")
@click.option("--diff", "diff_url", metavar="URL", help="Also print a unified diff of URL's old and new text.")
@click.option("--dry-run", is_flag=True, help="Report (and diff) what would change; write nothing.")
@workers_option
@min_words_option
@click.option("-v", "--verbose", is_flag=True)
@dir_option
def reextract(since: datetime | None, site: str | None, diff_url: str | None, dry_run: bool, workers: int,
              min_words: int | None, verbose: bool, directory: Path) -> None:
    """Run the current extractor again over the archived pages, offline, and rebuild the articles.

    Without a database (DIR/news.db lost, or only DIR/warc copied), it is
    rebuilt from the WARC files in DIR/warc.

    Example: newsarchive reextract --since 2024-05-01 --site example-news.com --diff https://example-news.com/a.html
    """
    from newsarchive.jobs.reextract import count_selected, needs_rebuild
    from newsarchive.jobs.reextract import reextract as run

    _logging(verbose)
    min_words = min_words_for(directory, min_words)
    with locked_archive(directory, "reextract", create=False):
        if needs_rebuild(directory):
            _rebuild(directory, workers, min_words, [name for name, given in (("--since", since), ("--site", site),
                                                                   ("--diff", diff_url), ("--dry-run", dry_run))
                                          if given])
            return
        # Stored dates are ISO 8601 in UTC, so they compare as text.
        after = since.strftime("%Y-%m-%dT%H:%M:%S") if since else None
        try:
            with progress_bar("re-extracting", lambda: count_selected(directory, after, site)) as progress:
                report = run(directory, since=after, site=site, diff_url=diff_url, dry_run=dry_run,
                             workers=workers, min_words=min_words, progress=progress)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from exc
    if report.diff is not None:
        click.echo(report.diff or f"{diff_url}: text unchanged")
    click.echo(report.summary() + (" (dry run: nothing written)" if dry_run else ""))


def _rebuild(directory: Path, workers: int, min_words: int, options: list[str]) -> None:
    from newsarchive.jobs.reextract import rebuild

    archive = ArchiveDir(directory)
    path = archive.db_path
    if options:
        raise click.ClickException(f"{path} has no pages to re-extract, so reextract would rebuild it from every "
                                   f"WARC in {archive.warc_dir}; {', '.join(options)} "
                                   f"{'needs' if len(options) == 1 else 'need'} an existing database")
    try:
        with progress_bar("rebuilding", lambda: sum(p.stat().st_size for p in archive.warc_files()),
                          unit_is_bytes=True) as progress:
            report = rebuild(directory, workers=workers, min_words=min_words, progress=progress)
    except FileNotFoundError as exc:
        raise click.ClickException(f"no archive database at {path}, and {exc} to rebuild it from") from exc
    click.echo(f"rebuilt {path} from {report.files} WARC files: {report.outcomes['article']} articles added")
    click.echo(report.summary())


# -- import-warc ------------------------------------------------------------

@click.command("import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@workers_option
@min_words_option
@click.option("-v", "--verbose", is_flag=True)
@dir_option
def import_warc(files: tuple[Path, ...], workers: int, min_words: int | None, verbose: bool,
                directory: Path) -> None:
    """Import WARC files from other tools (CC-NEWS, Browsertrix, Heritrix, wget) into DIR's database.

    Rows point at the files where they are (absolute paths): keep them there.

    Example: newsarchive import-warc CC-NEWS-20240501000000-00001.warc.gz --dir archive
    """
    from newsarchive.jobs.import_warc import import_warcs
    from newsarchive.warc.scan import holds_record

    _logging(verbose)
    # Checked before the database is made: a README or a zip imported by mistake leaves nothing behind.
    not_warc = [str(path) for path in files if not holds_record(path)]
    if not_warc:
        raise click.ClickException(f"no WARC record in {', '.join(not_warc)}: not a WARC file? Nothing imported")
    with locked_archive(directory, "import-warc"), \
            progress_bar("importing", sum(p.stat().st_size for p in files), unit_is_bytes=True) as progress:
        report = import_warcs(files, db_path(directory, must_exist=False), workers=workers,
                              min_words=min_words_for(directory, min_words), progress=progress)
    click.echo(report.summary())


# -- index ------------------------------------------------------------------

@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Index file (default DIR/indexes/index.cdxj).")
@dir_option
def index(output: Path | None, directory: Path) -> None:
    """(Re)build the CDXJ index of every WARC in the archive, for pywb or other replay tools.

    Example: newsarchive index --dir archive   (writes archive/indexes/index.cdxj)
    """
    from newsarchive.warc.cdxj import archive_files, write_cdxj

    archive = ArchiveDir(directory)
    db = Database(archive.db_path) if archive.has_db() else None
    try:
        files = archive_files(directory, db)
    finally:
        if db is not None:
            db.close()
    if not files:
        raise click.ClickException(f"no WARC files in {archive.warc_dir}")
    output = output or archive.index_dir / "index.cdxj"
    lines = write_cdxj(files, output, root=archive.warc_dir)
    click.echo(f"indexed {len(files)} WARC files: {lines} captures in {output}")


# -- wacz -------------------------------------------------------------------

@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="WACZ file to write (default DIR/archive.wacz).")
@click.option("--title", help="Title shown by ReplayWeb.page.")
@dir_option
def wacz(output: Path | None, title: str | None, directory: Path) -> None:
    """Package the archive (WARCs, CDXJ index, article pages) as a WACZ file for ReplayWeb.page.

    Example: newsarchive wacz --dir archive -o news.wacz   (then open it at https://replayweb.page/)
    """
    from newsarchive.warc.wacz import WaczError, write_wacz

    try:
        path = write_wacz(directory, output or directory / "archive.wacz", title=title)
    except WaczError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}")


COMMANDS = [show, reextract, import_warc, index, wacz]
