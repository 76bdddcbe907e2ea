"""Crash points, each hit once: a real process dies (``os._exit``, like ``kill -9``) at that point,
and what it leaves behind is checked from a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlite_utils import Database

ROOT = Path(__file__).resolve().parent.parent


def run_until_crash(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a child Python; it is expected to die with exit status 9."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 9, done.stderr
    return done


def test_a_crash_between_the_tables_of_a_flush_leaves_neither(tmp_path):
    # The batch's pages rows are written, then the process dies before its articles rows.
    run_until_crash("""
        import os, sys
        from sqlite_utils.db import Table
        from newsarchive.db.store import Store
        store = Store(os.environ["DB"], batch_size=1000)
        store.flush()
        real = Table.upsert_all
        def upsert_all(self, records, **kw):
            if self.name == "articles":
                os._exit(9)
            return real(self, records, **kw)
        Table.upsert_all = upsert_all
        store.add_page({"url": "https://n.example/a", "outcome": "article", "reason": "test"})
        store.add_article({"url": "https://n.example/a", "title": "A", "text": "words", "fingerprint": "f"})
        store.flush()
    """, DB=str(tmp_path / "news.db"))
    db = Database(tmp_path / "news.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db["pages"].count == 0
    assert db["articles"].count == 0
