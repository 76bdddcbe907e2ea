"""A crawl's CDXJ index, written line by line as its records are written.

Each line goes to ``crawl-N.cdxj.open`` right after its record is flushed to
the WARC, so the journal never names a record that is not there. When the
crawl closes, the journal is sorted (as cdxj-indexer's SortingWriter does it:
bounded memory, temporary files beyond it) into ``crawl-N.cdxj``; a journal a killed
crawl left behind is sorted by the next run (``finish_journals``). No WARC is
read back at the end of a crawl.
"""

from __future__ import annotations

import heapq
import logging
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Iterable, TextIO

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
# Lines sorted in memory at a time (characters), as cdxj-indexer's SortingWriter.MAX_SORT_BUFF_SIZE.
SORT_BUFFER = 32 * 1024 * 1024


class CdxjJournal:
    def __init__(self, index_path: Path) -> None:
        self.index_path = index_path
        self.path = index_path.with_name(index_path.name + OPEN_SUFFIX)
        index_path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")
        self.lines = 0

    def add(self, line: str) -> None:
        self._file.write(line)
        self._file.flush()
        self.lines += 1

    def close(self) -> int:
        """Sort the journal into the index; return its number of lines."""
        self._file.close()
        return finish_journal(self.path)


def finish_journal(journal: Path) -> int:
    """Sort ``journal`` into the index it stands for (written beside it, then renamed) and remove it."""
    index = journal.with_name(journal.name.removesuffix(OPEN_SUFFIX))
    partial = index.with_name(index.name + ".partial")
    with open(journal, encoding="utf-8") as source, open(partial, "w", encoding="utf-8") as out:
        # The last line of a killed crawl's journal can be cut short.
        lines = sort_lines((line for line in source if line.endswith("\n")), out)
    os.replace(partial, index)
    journal.unlink()
    logger.info("indexed %d captures into %s", lines, index)
    return lines


def finish_journals(index_dir: Path) -> list[Path]:
    """Sort the journals killed crawls left in ``index_dir`` into their indexes; return those indexes."""
    if not index_dir.is_dir():
        return []
    done = []
    for journal in sorted(index_dir.glob("*.cdxj" + OPEN_SUFFIX)):
        finish_journal(journal)
        logger.warning("finished the index %s a killed crawl left open", journal.name.removesuffix(OPEN_SUFFIX))
        done.append(journal.with_name(journal.name.removesuffix(OPEN_SUFFIX)))
    return done


def sort_lines(lines: Iterable[str], out: TextIO, buffer: int = SORT_BUFFER) -> int:
    """Write ``lines`` to ``out`` sorted, repeated lines once, in bounded memory; return how many came in.

    What cdxj-indexer's ``SortingWriter`` does (runs of ``buffer`` characters sorted in memory, spilled
    to temporary files and merged), without importing cdxj-indexer into the crawl process: it
    brings pyamf and pkg_resources, ~0.15 s of CPU.
    """
    count = 0
    with ExitStack() as stack:
        runs: list[TextIO] = []
        run: list[str] = []
        size = 0
        for line in lines:
            run.append(line)
            size += len(line)
            count += 1
            if size > buffer:
                runs.append(_spill(sorted(run), stack))
                run, size = [], 0
        run.sort()
        merged = heapq.merge(*runs, run) if runs else run
        last = None
        for line in merged:
            if line != last:
                out.write(line)
            last = line
    return count


def _spill(run: list[str], stack: ExitStack) -> TextIO:
    spilled = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
    spilled.writelines(run)
    spilled.seek(0)
    return spilled
