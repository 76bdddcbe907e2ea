"""Packaging an archive as a WACZ file (WARCs + CDXJ index + page list) for ReplayWeb.page.

The packaging is the ``wacz`` package's own (``wacz create``); we hand it the
WARC files and a page list made from the ``articles`` table, so the pages a
reader sees in ReplayWeb.page are the articles, with their titles.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Iterable

from sqlite_utils import Database

from newsarchive.archive import ArchiveDir
from newsarchive.warc.cdxj import archive_files

logger = logging.getLogger(__name__)


class WaczError(Exception):
    pass


def page_entries(db: Database) -> Iterable[dict]:
    """One WACZ page per article: the capture's URL and time (matched against the index) and its title."""
    for url, title, fetched_at in db.execute(
        "SELECT url, title, fetched_at FROM articles WHERE fetched_at IS NOT NULL ORDER BY fetched_at, url"
    ):
        yield {"url": url, "ts": fetched_at, "title": title or url}


def write_wacz(directory: str | os.PathLike, out_path: str | os.PathLike, title: str | None = None) -> Path:
    """Package DIR's WARCs, an index and the article pages as ``out_path``; return it."""
    # Imported lazily: the package pulls in frictionless and boilerpy3, which only this command needs.
    from wacz.main import main as wacz_main

    directory = Path(directory)
    db_file = ArchiveDir(directory).db_path
    db = Database(db_file) if db_file.exists() else None
    try:
        files = archive_files(directory, db)
        pages = list(page_entries(db)) if db is not None and db["articles"].exists() else []
    finally:
        if db is not None:
            db.close()
    if not files:
        raise WaczError(f"no WARC files in {ArchiveDir(directory).warc_dir}")
    _check_unique_names(files)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        args = ["create", "-o", str(out), "--title", title or f"newsarchive {directory.name}"]
        if pages:
            pages_file = Path(tmp) / "pages.jsonl"
            _write_pages(pages_file, pages)
            args += ["-p", str(pages_file)]
        else:
            # No articles yet: let wacz find the HTML pages that other requests were referred from.
            args.append("--detect-pages")
        args += [str(path) for path in files]
        status, output = _quietly(wacz_main, args)
    if status != 0:
        raise WaczError(f"wacz create failed (exit {status}): {output.strip()[-2000:]}")
    logger.info("wrote %s: %d WARC files, %d pages", out, len(files), len(pages))
    return out


def validate_wacz(path: str | os.PathLike) -> tuple[bool, str]:
    """Run ``wacz validate``; return (valid, its output)."""
    from wacz.main import main as wacz_main

    status, output = _quietly(wacz_main, ["validate", "-f", str(path)])
    return status == 0, output


def _write_pages(path: Path, pages: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Articles"}) + "\n")
        for page in pages:
            out.write(json.dumps(page, ensure_ascii=False) + "\n")


def _check_unique_names(files: list[Path]) -> None:
    # The package stores every WARC as archive/<name>, and its index names files that way.
    seen: dict[str, Path] = {}
    for path in files:
        if path.name in seen:
            raise WaczError(f"two WARC files are both named {path.name}: {seen[path.name]} and {path}")
        seen[path.name] = path


def _quietly(func, args: list[str]) -> tuple[int, str]:
    """The wacz tool prints its progress; keep it for the log and error messages instead."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        try:
            status = func(args)
        except SystemExit as exc:  # argparse refusing the arguments
            status = exc.code if isinstance(exc.code, int) else 1
    logger.debug("wacz %s: %s", args[0], captured.getvalue())
    return status or 0, captured.getvalue()
