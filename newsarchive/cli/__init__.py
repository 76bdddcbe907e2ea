"""The ``newsarchive`` command. Every command takes ``--dir`` (default ``archive``), the crawl's output folder."""

from __future__ import annotations

import click

from newsarchive.cli import archive, browse, clusters, crawl, export, health, watch


@click.group()
@click.version_option(package_name="newsarchive")
def main() -> None:
    """Crawl news sites into a raw WARC archive and a searchable article database."""


for module in (crawl, watch, browse, archive, export, clusters, health):
    for command in module.COMMANDS:
        main.add_command(command)
