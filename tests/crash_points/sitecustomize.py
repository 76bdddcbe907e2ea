"""Crash points for the fault suite, patched into a crawl process at start-up (``CRASH_AT``).

Each one kills the process (``os._exit(9)``: no handler, no flush, as ``kill -9``) at a moment a
random kill rarely hits:

- ``warc-record``: halfway through writing the 40th WARC record's gzip member;
- ``index-sort``: while the crawl's CDXJ journal is being sorted into its index at the end.
"""

import os

POINT = os.environ.get("CRASH_AT")


def _warc_record() -> None:
    from newsarchive.warc.writer import WarcWriter

    real = WarcWriter._gzip_member
    count = [0]

    def gzip_member(self, record) -> bytes:
        member = real(self, record)
        count[0] += 1
        if count[0] == 40:
            self._file.write(member[: len(member) // 2])
            self._file.flush()
            os._exit(9)
        return member

    WarcWriter._gzip_member = gzip_member


def _index_sort() -> None:
    # The journal is sorted by newsarchive's own sort_lines (cdxj-indexer's SortingWriter algorithm).
    from newsarchive.warc import journal

    def sort_lines(lines, out, buffer=journal.SORT_BUFFER) -> int:
        out.write("".join(sorted(lines))[:100])
        out.flush()
        os._exit(9)

    journal.sort_lines = sort_lines


if POINT == "warc-record":
    _warc_record()
elif POINT == "index-sort":
    _index_sort()
elif POINT:
    raise SystemExit(f"unknown crash point {POINT}")
