"""The ``watch`` command: crawl a sources file on a schedule until stopped (newsarchive/watch.py)."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import click

from newsarchive.cli.crawl import STOPPED_EXIT
from newsarchive.cli.options import check_sources, dir_option
from newsarchive.watch import Watch, crawl_command, parse_every


@click.command()
@click.option("--sources", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Sources file (TOML): the sites to archive (see sources.example.toml).")
@click.option("--every", default="30m", show_default=True,
              help="How often a run starts: 90s, 30m, 6h, 1d. Feeds and sitemaps keep their own adaptive "
                   "schedules within NEWSARCHIVE_POLL_MIN/MAX.")
@click.option("--max-runs", type=click.IntRange(min=1), default=None, help="Stop after this many runs.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Any Scrapy setting, for every run.")
@dir_option
def watch(sources: Path, every: str, max_runs: int | None, settings: tuple[str, ...], directory: Path) -> None:
    """Keep an archive current: crawl the sources file now and then every --every, until Ctrl-C.

    Example: newsarchive watch --sources sources.toml --every 30m --dir archive

    Each run is `newsarchive crawl --sources FILE` in a child process. Ctrl-C between runs ends the
    watch; during a run, the run finishes what it is fetching first (a second Ctrl-C forces it).
    To run from cron or a systemd timer instead, schedule `newsarchive crawl --sources FILE`.
    """
    try:
        seconds = parse_every(every)
    except ValueError as exc:
        raise click.ClickException(f"--every: {exc}") from None
    check_sources(sources)
    for pair in settings:
        if "=" not in pair or pair.startswith("="):
            raise click.ClickException(f"-s takes NAME=VALUE, got {pair!r}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s watch: %(message)s")
    watcher = Watch(crawl_command(sources, directory, settings), seconds, max_runs)
    runs = watcher.run()
    # The run the watch's own Ctrl-C stopped (exit 130, "run the same command again") did not fail.
    stopped = 1 if watcher.stopped_by and runs and runs[-1] == STOPPED_EXIT else 0
    failed = sum(1 for code in runs if code != 0) - stopped
    how = f"stopped by {signal.Signals(watcher.stopped_by).name}" if watcher.stopped_by else "done"
    click.echo(f"watch {how}: {len(runs)} runs, {failed} failed" + (", the last one stopped" if stopped else ""))
    # A run the user stopped ends "shutdown", not failed: only an unasked-for failure is an error.
    if runs and runs[-1] != 0 and watcher.stopped_by is None:
        raise click.ClickException(f"the last run ended with exit code {runs[-1]}")


COMMANDS = [watch]
