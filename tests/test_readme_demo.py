"""The README's first screen (what `make demo` prints) agrees with itself: its run report counts its summary's pages."""

from __future__ import annotations

import re

from archive_helpers import ROOT


def first_screen() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("Serving the demo site at", 1)[1].split("```", 1)[0]


def test_the_run_report_row_counts_the_pages_the_summary_counts():
    screen = first_screen()
    fetched = int(re.search(r"Pages fetched:\s+(\d+)", screen).group(1))
    outcomes = dict((name, int(n)) for name, n in re.findall(r"(\w+) (\d+)", screen.split("Page outcomes:")[1].splitlines()[0]))
    lines = screen.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("site "))
    columns = lines[header].split()
    row = dict(zip(columns, lines[header + 1].split()))
    assert int(row["fetched"]) == fetched  # a demo crawl has no sources: every fetch is its one site's
    assert int(row["not_article"]) == outcomes["not_article"]
    assert int(row["new"]) == outcomes["article"] and int(row["errors"]) == outcomes["error"]
