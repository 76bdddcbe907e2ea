"""The extraction pool (real worker processes) and in_order's scheduling."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from newsarchive.demo import SITE_DIR
from newsarchive.processing.page import PageResult
from newsarchive.processing.pool import ExtractionPool, in_order

ARTICLE = (SITE_DIR / "news/2026/harbour-bridge.html").read_bytes()


def test_real_pool_extracts_in_job_order():
    pool = ExtractionPool(workers=2)
    applied: list[tuple[int, str | None]] = []
    jobs = [(0, ARTICLE, "https://gazette.test/news/2026/harbour-bridge.html", "text/html"),
            (1, None, "https://gazette.test/logo.png", "image/png"),
            (2, b"\x00\x01binary", "https://gazette.test/b", "text/html"),
            (3, ARTICLE, "https://gazette.test/news/2026/harbour-bridge-2.html", "text/html; charset=utf-8")]
    try:
        asyncio.run(in_order(pool, jobs, lambda key, result: applied.append((key, result and result.outcome))))
    finally:
        pool.close()
    assert applied == [(0, "article"), (1, None), (2, "not_article"), (3, "article")]


def crash_on_poison(body: bytes, url: str, content_type: str | None, min_words: int) -> PageResult:
    """process_page, except that a page whose URL says "poison" kills its worker, as a C-level crash would."""
    from newsarchive.processing.page import process_page

    if "poison" in url:
        os._exit(1)
    return process_page(body, url, content_type, min_words)


def test_a_worker_crash_costs_only_the_page_that_causes_it():
    pool = ExtractionPool(workers=2, function=crash_on_poison)
    jobs = [(i, ARTICLE, f"https://gazette.test/news/2026/{'poison' if i in (5, 17) else 'story'}-{i}.html",
             "text/html") for i in range(30)]
    applied: dict[int, PageResult] = {}
    try:
        asyncio.run(in_order(pool, jobs, applied.__setitem__))
    finally:
        pool.close()
    assert list(applied) == list(range(30))
    failed = {i: r.reason for i, r in applied.items() if r.outcome == "error"}
    assert set(failed) == {5, 17}
    assert all("crashed" in reason for reason in failed.values())


class _ScriptedPool:
    """Finishes each page after a delay given in its body, and records how much is in flight."""

    workers = 2

    def __init__(self) -> None:
        self.running = 0
        self.most_running = 0
        self.bytes = 0
        self.most_bytes = 0

    async def process(self, body: bytes, url: str, content_type: str | None) -> PageResult:
        self.running += 1
        self.bytes += len(body)
        self.most_running = max(self.most_running, self.running)
        self.most_bytes = max(self.most_bytes, self.bytes)
        await asyncio.sleep(float(body.split(b";")[0]))
        self.running -= 1
        self.bytes -= len(body)
        return PageResult("article", url)


def _run(pool, jobs, **window) -> list[str]:
    applied: list[str] = []
    asyncio.run(in_order(pool, jobs, lambda key, result: applied.append(key), **window))
    return applied


def test_a_slow_head_does_not_stop_the_pages_behind_it():
    pool = _ScriptedPool()
    jobs = [("slow", b"0.2", "u0", None)] + [(f"p{i}", b"0.001", f"u{i}", None) for i in range(1, 12)]
    assert _run(pool, jobs) == [key for key, *_ in jobs]
    # While the head took 0.2 s, the whole default window (8 per worker) was at work.
    assert pool.most_running == 12


def test_the_window_bounds_pages_and_bytes_in_flight():
    pool = _ScriptedPool()
    jobs = [(f"p{i}", b"0.01;" + b"x" * 995, f"u{i}", None) for i in range(30)]
    assert _run(pool, jobs, window=5) == [f"p{i}" for i in range(30)]
    assert pool.most_running == 5
    pool = _ScriptedPool()
    assert _run(pool, jobs, window_bytes=3000) == [f"p{i}" for i in range(30)]
    assert pool.most_bytes == 3000


def worker_pids(parent: int) -> set[int]:
    """The live processes whose parent is ``parent`` (Linux /proc)."""
    children = set()
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == parent:
            children.add(int(entry))
    return children


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the workers through /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    # The parent starts a pool of two, extracts a page so both workers are up, then waits to be killed.
    code = textwrap.dedent("""
        import asyncio, time
        from newsarchive.processing.pool import ExtractionPool
        pool = ExtractionPool(workers=2)
        asyncio.run(pool.process(b"<html><body><p>x</p></body></html>", "http://a.test/", "text/html"))
        print("ready", flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert parent.stdout.readline().strip() == "ready"
    # spawn: a resource tracker and the workers are the parent's children.
    children = worker_pids(parent.pid)
    assert len(children) >= 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)], "workers outlived their killed parent"
