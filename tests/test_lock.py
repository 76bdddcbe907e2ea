"""One run per archive folder: the lock, its one-line refusal, and a killed holder's lock taken over."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import main
from newsarchive.lock import ArchiveLock, ArchiveLocked

ROOT = Path(__file__).resolve().parent.parent


def hold_lock(directory: Path) -> subprocess.Popen:
    """A child process that takes DIR's lock, says so, and waits (until killed)."""
    code = textwrap.dedent("""
        import sys, time
        from newsarchive.lock import ArchiveLock
        ArchiveLock(sys.argv[1], "crawl").acquire()
        print("locked", flush=True)
        time.sleep(600)
    """)
    child = subprocess.Popen([sys.executable, "-c", code, str(directory)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline().strip() == "locked"
    return child


def test_a_second_run_is_refused_in_one_line_naming_the_running_pid(tmp_path):
    child = hold_lock(tmp_path)
    try:
        with pytest.raises(ArchiveLocked, match=rf"in use by PID {child.pid} \(crawl\)"):
            ArchiveLock(tmp_path, "import-warc").acquire()
        for command in (["crawl", "http://127.0.0.1:9/"], ["reextract"], ["demo"]):
            result = CliRunner().invoke(main, [*command, "--dir", str(tmp_path)])
            assert result.exit_code == 1, result.output
            assert result.output.strip() == (f"Error: {tmp_path} is in use by PID {child.pid} (crawl); "
                                              "wait for it to end (one run writes into an archive folder at a time)")
    finally:
        child.kill()
        child.wait()


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path):
    child = hold_lock(tmp_path)
    child.kill()  # SIGKILL: it never releases anything
    child.wait()
    assert f"PID {child.pid}" in (tmp_path / "newsarchive.lock").read_text()
    with ArchiveLock(tmp_path, "reextract"):
        assert (tmp_path / "newsarchive.lock").read_text() == f"PID {os.getpid()} (reextract)\n"


def test_the_lock_is_reentrant_within_a_process_and_released_by_the_last_holder(tmp_path):
    outer = ArchiveLock(tmp_path, "crawl").acquire()
    inner = ArchiveLock(tmp_path, "crawl").acquire()  # the crawl's extension, under `newsarchive crawl`
    inner.release()
    child = subprocess.run([sys.executable, "-c", "import sys; from newsarchive.lock import ArchiveLock; "
                            "ArchiveLock(sys.argv[1], 'x').acquire()", str(tmp_path)],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "ArchiveLocked" in child.stderr
    outer.release()
    with ArchiveLock(tmp_path, "x"):
        pass
