"""Commands that read an archive: ``serve`` and ``stats``."""

from __future__ import annotations

from pathlib import Path

import click

from newsarchive.cli.options import db_path, dir_option
from newsarchive.datasette import datasette_options
from newsarchive.db.report import archive_summary, format_summary


@click.command()
@dir_option
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(directory: Path, port: int, host: str) -> None:
    """Browse, read and search the articles with Datasette (the reading room).

    Article pages, ranked search with highlighted passages (/news/search), canned
    queries and a chart of articles per day and site (/-/dashboards/overview).

    Example: newsarchive serve --dir archive   (then open http://127.0.0.1:8001/news/articles)
    """
    path = db_path(directory)
    # In this process, not a child: whoever stops `newsarchive serve` (Ctrl-C, SIGTERM from a
    # service manager or a test) stops Datasette, instead of orphaning a server on the port.
    from datasette.cli import cli as datasette_cli

    args = ["serve", str(path), *datasette_options(), "--host", host, "--port", str(port)]
    datasette_cli.main(args=args, prog_name="datasette")


@click.command()
@dir_option
def stats(directory: Path) -> None:
    """Summarise an archive: page outcomes, articles, WARC files.

    Example: newsarchive stats --dir archive
    """
    db_path(directory)
    click.echo(format_summary(archive_summary(directory)))


COMMANDS = [serve, stats]
