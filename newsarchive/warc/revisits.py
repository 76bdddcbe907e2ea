"""What the archive already holds for a URL, so an unchanged payload becomes a revisit record.

Looked up per response by primary key in ``pages`` (cheap, and memory stays
flat however large the archive), plus what this run has written and not yet
flushed to the database.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from newsarchive.warc.writer import Capture

logger = logging.getLogger(__name__)

_QUERY = """SELECT warc_filename, warc_offset, warc_length, warc_record_id, warc_date, payload_digest
            FROM pages WHERE url = ? AND payload_digest IS NOT NULL AND warc_offset IS NOT NULL"""


class CaptureHistory:
    def __init__(self, db_path: Path) -> None:
        self._conn: sqlite3.Connection | None = None
        if db_path.exists():
            self._conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self._recent: dict[str, Capture] = {}

    def get(self, url: str) -> Capture | None:
        if url in self._recent:
            return self._recent[url]
        if self._conn is None:
            return None
        try:
            row = self._conn.execute(_QUERY, [url]).fetchone()
        except sqlite3.OperationalError as exc:
            # An archive from before the warc_date column, or no pages table yet: no history.
            logger.debug("no capture history for %s: %s", url, exc)
            return None
        if row is None or not row[4]:
            return None
        return Capture(filename=row[0], offset=row[1], length=row[2], record_id=row[3], date=row[4],
                       payload_digest=row[5])

    def remember(self, url: str, capture: Capture) -> None:
        self._recent[url] = capture

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
