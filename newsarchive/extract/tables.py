"""Data tables: which ``<table>`` elements hold data (results, standings, figures) rather than layout.

A data table is read as one block per row, its cells joined by ``CELL_SEPARATOR``
(``blocks.page_blocks``), so that a results table reads as rows of text and the
vote judges whole rows: cut into one block per cell, cells are too short for any
opinion to match them and they were dropped or kept in scraps.

The test is the table's shape only, never its site: no table nested in it (old
pages lay the whole page out in nested tables), at least two rows of two or more
cells, and short cells (a layout table's cell holds a column of prose), in most rows two or more
cells with words, and not rows of links only (a menu laid out as a table).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

# Joins the cells of one row: the same words in the same order as on the page, readable as a line.
CELL_SEPARATOR = " | "
CELL_TAGS = frozenset(("td", "th"))
_WORD = re.compile(r"\w+")
# A data table has at least this many rows with two or more cells.
MIN_ROWS = 2
# A cell this long is a column of the page's layout, not a datum.
MAX_CELL_CHARS = 300


def data_rows(root: HtmlElement) -> dict[HtmlElement, int]:
    """The ``<tr>`` elements of the data tables under ``root``, each with its table's number (from 1)."""
    rows: dict[HtmlElement, int] = {}
    tables = list(root.iter("table"))
    # Tables holding a table: each table marks its nearest table ancestor (a walk up, not a search
    # of the subtree: old pages nest the whole page in tables).
    outer = {next(table.iterancestors("table"), None) for table in tables}
    number = 0
    for table in tables:
        if table in outer:
            continue
        table_rows = list(table.iter("tr"))
        if _is_data(table_rows):
            number += 1
            rows.update(dict.fromkeys(table_rows, number))
    return rows


def _is_data(rows: list[HtmlElement]) -> bool:
    """Rows of several cells with words, short cells, and not a grid of links (a menu laid out as a table)."""
    filled = wide = linked = 0
    for row in rows:
        cells = [cell for cell in row if cell.tag in CELL_TAGS]
        texts = [cell.text_content() for cell in cells]
        if any(len(text) > MAX_CELL_CHARS for text in texts):
            return False
        worded = [(cell, text) for cell, text in zip(cells, texts) if _WORD.search(text)]
        if not worded:
            continue
        filled += 1
        wide += len(worded) >= 2
        linked += all(_all_link(cell, text) for cell, text in worded)
    # Most rows hold two or more data; a menu's rows are links and nothing else.
    return wide >= MIN_ROWS and 2 * wide >= filled and 2 * linked < filled


def _all_link(cell: HtmlElement, text: str) -> bool:
    link_words = sum(len(_WORD.findall(a.text_content())) for a in cell.iter("a"))
    return link_words >= len(_WORD.findall(text))
