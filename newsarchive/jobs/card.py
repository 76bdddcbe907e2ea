"""The dataset card written beside an export: what, how many, from where, when, which fields.

A README.md in the Hugging Face dataset-card layout (YAML front matter, then
Markdown), so ``load_dataset(FOLDER)`` finds the data file and people find the rest.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from newsarchive.archive import ArticleFilter
from newsarchive.jobs.export import FIELDS, SCHEMA_VERSION, ExportReport

MARKER = "<!-- newsarchive dataset card -->"
TYPES = {"string": "string", "int": "integer", "list": "list of strings", "timestamp": "timestamp (UTC)"}


def card_path(data_file: Path) -> Path:
    """README.md beside ``data_file``, unless a README.md that is not a card of ours is there already."""
    readme = data_file.parent / "README.md"
    if not readme.exists() or MARKER in readme.read_text(encoding="utf-8", errors="replace")[:2000]:
        return readme
    return data_file.with_name(data_file.name + ".README.md")


def write_card(path: Path, data_file: Path, fmt: str, report: ExportReport, source: Path,
               chosen: ArticleFilter, start_urls: list[str] = (), threshold: float | None = None) -> Path:
    path.write_text(card_text(data_file, fmt, report, source, chosen, start_urls, threshold), encoding="utf-8")
    return path


def card_text(data_file: Path, fmt: str, report: ExportReport, source: Path, chosen: ArticleFilter,
              start_urls: list[str] = (), threshold: float | None = None) -> str:
    """``threshold``: the near-duplicate threshold the clusters were made with (said when ``chosen.dedup``)."""
    from newsarchive import __version__

    builder = {"jsonl": "json", "csv": "csv", "parquet": "parquet"}[fmt]
    languages = sorted({code.split("-")[0].lower() for code in report.languages if code != "(unknown)"})
    front = ["---", "configs:", "- config_name: default", f"  data_files: {json.dumps(data_file.name)}",
             f"newsarchive_schema_version: {json.dumps(SCHEMA_VERSION)}"]
    if languages:
        front.append(f"language: {json.dumps(languages)}")
    front += ["tags: [\"news\"]", "---"]
    filters = ", ".join(f"{name}={value}" for name, value in vars(chosen).items() if value) or "none"
    lines = [
        *front, MARKER, "",
        f"# News articles: {data_file.name}",
        "",
        f"Clean text and metadata of **{report.rows:,} news articles**, exported by newsarchive {__version__} "
        f"from the archive at `{source}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "Every article's raw HTTP response is kept in that archive's WARC files (see `warc_filename`, "
        "`warc_offset`); boilerplate (menus, share bars, related links, comments) is removed from `text`.",
        "",
        f"- File: `{data_file.name}` ({fmt}), schema version {SCHEMA_VERSION}",
        f"- Filters: {filters}",
        f"- Published: {_range(report.published)}",
        f"- Fetched: {_range(report.fetched)}",
        f"- Languages: {_counts(report.languages)}",
        *([_dedup_note(threshold)] if chosen.dedup else []),
        "",
        "## Sources",
        "",
        "| site | articles |",
        "| --- | ---: |",
        *[f"| {site} | {count:,} |" for site, count in report.sites.most_common(50)],
        *([f"| … {len(report.sites) - 50} more sites | {sum(c for _, c in report.sites.most_common()[50:]):,} |"]
          if len(report.sites) > 50 else []),
        "",
        *([f"Crawled from {len(start_urls)} start URL{'s' if len(start_urls) != 1 else ''} "
           "(articles imported from other tools' WARC files have none):", "",
           *[f"- <{url}>" for url in start_urls[:50]],
           *([f"- … and {len(start_urls) - 50} more"] if len(start_urls) > 50 else []), ""] if start_urls else []),
        "## Loading",
        "",
        "```python",
        f'datasets.load_dataset("{builder}", data_files="{data_file.name}")',
        *([f'pandas.read_parquet("{data_file.name}")', f"duckdb.sql(\"SELECT * FROM '{data_file.name}'\")"]
          if fmt == "parquet" else
          [f'pandas.read_json("{data_file.name}", lines=True)'] if fmt == "jsonl" else
          [f'pandas.read_csv("{data_file.name}")  # list fields are JSON arrays as text']),
        "```",
        "",
        "## Fields",
        "",
        "| field | type | description |",
        "| --- | --- | --- |",
        *[f"| `{f.name}` | {TYPES[f.kind]} | {f.description} |" for f in FIELDS],
        "",
        _format_note(fmt),
        "",
        "## Rights",
        "",
        "The texts belong to their publishers. This file is a research copy: check each site's terms before "
        "sharing or publishing it.",
        "",
    ]
    return "\n".join(lines)


def _dedup_note(threshold: float | None) -> str:
    similar = f"an estimated Jaccard similarity of at least {threshold:g}" if threshold else "similar text"
    return (f"- Near-duplicates: one article per cluster (`cluster_id`), its earliest published; the other "
            f"copies (syndicated wire stories, lightly edited re-publications: word 5-shingles with {similar}) "
            "are left out. Exact copies were never stored twice.")


def _range(bounds: list[str]) -> str:
    return f"{bounds[0]} to {bounds[1]}" if bounds else "unknown"


def _counts(counter: dict) -> str:
    return ", ".join(f"{key} {count:,}" for key, count in sorted(counter.items(), key=lambda kv: -kv[1])) or "none"


def _format_note(fmt: str) -> str:
    if fmt == "parquet":
        return ("Dates are typed timestamps in UTC (a date stated without a time is midnight UTC); lists are "
                "`list<string>`. The schema version is in the file's metadata (`newsarchive.schema_version`).")
    if fmt == "csv":
        return ("Dates are ISO 8601 text as the pages state them; list fields are JSON arrays as text "
                "(`json.loads` each), as CSV cells hold no arrays.")
    return "Dates are ISO 8601 text as the pages state them; lists are JSON arrays. One article per line."
