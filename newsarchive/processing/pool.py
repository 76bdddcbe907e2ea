"""A process pool for extraction, awaitable from asyncio code (the crawl, re-extraction, imports).

trafilatura is CPU-bound pure Python: on the reactor thread it stalls the
crawl and in threads the GIL serialises it, so it runs in worker processes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from newsarchive.processing.page import MIN_WORDS, PageResult, process_page

logger = logging.getLogger(__name__)

# Pages extracted ahead of the one whose result is applied next, per worker, and their bodies' size.
WINDOW_PER_WORKER = 8
WINDOW_BYTES = 64_000_000
# How often a worker checks that its crawl is still alive.
WATCH_SECONDS = 1.0
Key = TypeVar("Key")


def _start_worker(parent: int) -> None:
    _die_with(parent)
    # Import the heavy modules and load the all-languages stoplist (~0.5 s) once per worker,
    # not on the first page.
    import newsarchive.extract.extractor  # noqa: F401
    from newsarchive.extract.blocks import stoplist
    from newsarchive.extract.language import stopword_index

    stoplist(None)
    stopword_index()  # the language guess's index (~0.5 s), built once


def _die_with(parent: int) -> None:
    """End this worker when ``parent`` (the crawl) dies, however it dies.

    A parent that exits cleanly shuts its pool down; after ``kill -9`` nobody
    does, and idle workers (~90 MB each) would wait on their queue forever.
    When a process dies, its children are re-parented, so ``getppid`` changing
    says the parent is gone (portable; Linux's PR_SET_PDEATHSIG would also do).
    A page being extracted then is lost with its crawl anyway.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _spawn_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: forking a process that runs an event loop and sockets is unsafe.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                               initargs=(os.getpid(),))


class ExtractionPool:
    """``await pool.process(body, url, content_type)`` runs ``process_page`` in a worker."""

    def __init__(self, workers: int = 0, timeout: float = 120.0, min_words: int = MIN_WORDS,
                 function: Callable[..., PageResult] = process_page, sign: bool = True) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.min_words = min_words
        self.sign = sign  # articles come back with their near-duplicate signatures (process_page)
        self.function = function  # module-level, so workers can import it
        self._executor: ProcessPoolExecutor | None = None
        # Pages whose pool broke are tried again here, one at a time (see process).
        self._quarantine: ProcessPoolExecutor | None = None
        self._quarantine_lock = asyncio.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = _spawn_pool(self.workers)
        return self._executor

    async def process(self, body: bytes, url: str, content_type: str | None,
                      content_encoding: str | None = None) -> PageResult:
        """The page's result; an error result, never an exception, when its extraction fails.

        A worker that dies (a C-level crash on hostile input) breaks its whole
        pool, and every page in flight there fails with it. Those pages are
        tried again one at a time in a separate one-worker pool, so only the
        page that kills workers is lost, and it cannot take others with it.
        """
        executor = self._pool()
        try:
            return await self._extract(executor, body, url, content_type, content_encoding)
        except asyncio.TimeoutError:
            return self._timed_out(url)
        except BrokenProcessPool as exc:
            self._discard(executor)
            logger.warning("extraction worker crashed (%s); trying %s again on its own", exc, url)
        except asyncio.CancelledError:
            if self._executor is executor:
                raise  # this task is being cancelled; the pool is fine
            # Queued in a pool that another page's crash made us discard.
            logger.warning("extraction pool restarted after a crash; trying %s again on its own", url)
        except Exception as exc:
            return self._failed(url, exc)
        return await self._alone(body, url, content_type, content_encoding)

    async def _alone(self, body: bytes, url: str, content_type: str | None,
                     content_encoding: str | None) -> PageResult:
        async with self._quarantine_lock:
            if self._quarantine is None:
                self._quarantine = _spawn_pool(1)
            executor = self._quarantine
            try:
                return await self._extract(executor, body, url, content_type, content_encoding)
            except asyncio.TimeoutError:
                return self._timed_out(url)
            except BrokenProcessPool as exc:
                executor.shutdown(wait=False, cancel_futures=True)
                self._quarantine = None
                logger.error("extraction of %s crashed its worker again; page recorded as error", url)
                return PageResult("error", f"extraction worker crashed: {exc}")
            except Exception as exc:
                return self._failed(url, exc)

    async def _extract(self, executor: ProcessPoolExecutor, body: bytes, url: str,
                       content_type: str | None, content_encoding: str | None = None) -> PageResult:
        # The coding and ``sign=False`` go along only when needed, so a ``function`` without those
        # parameters still works.
        options: dict = {"content_encoding": content_encoding} if content_encoding is not None else {}
        if not self.sign:
            options["sign"] = False
        future = executor.submit(self.function, body, url, content_type, self.min_words, **options)
        return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)

    def _timed_out(self, url: str) -> PageResult:
        logger.error("extraction of %s took over %ss; page recorded as error", url, self.timeout)
        return PageResult("error", f"extraction timed out after {self.timeout}s")

    def _failed(self, url: str, exc: Exception) -> PageResult:
        # One bad page must not stop the crawl; its reason goes into its pages row.
        logger.error("extraction of %s failed", url, exc_info=exc)
        return PageResult("error", f"extraction failed: {exc!r}")

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        # Only the broken pool: pages that fail later from the same crash must not discard its successor.
        if self._executor is executor:
            executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def close(self) -> None:
        for executor in (self._executor, self._quarantine):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._quarantine = None


async def in_order(
    pool: ExtractionPool,
    jobs: Iterable[tuple[Key, bytes | None, str, str | None]],
    apply: Callable[[Key, PageResult | None], None],
    window: int = 0,
    window_bytes: int = WINDOW_BYTES,
) -> None:
    """Extract each job's ``(key, body, url, content_type)`` in the pool; call ``apply(key, result)`` in job order.

    A job without a body is not extracted: ``apply`` gets None for it.
    Results are applied in job order whatever order the workers finish in,
    so a run is deterministic (a later capture of a URL wins, "duplicate"
    names the same copy). Up to ``window`` jobs (default
    ``WINDOW_PER_WORKER`` per worker) and ``window_bytes`` of bodies are in
    flight: enough that a slow page at the head leaves no worker idle, not
    so much that huge pages pile up in memory.
    """
    window = window or WINDOW_PER_WORKER * pool.workers
    queue: deque[tuple[Key, int, asyncio.Future | None]] = deque()
    in_flight_bytes = 0

    async def apply_head() -> None:
        nonlocal in_flight_bytes
        key, size, future = queue.popleft()
        in_flight_bytes -= size
        apply(key, None if future is None else await future)

    for key, body, url, content_type in jobs:
        size = len(body) if body is not None else 0
        while queue and (len(queue) >= window or in_flight_bytes + size > window_bytes):
            await apply_head()
        future = None if body is None else asyncio.ensure_future(pool.process(body, url, content_type))
        in_flight_bytes += size
        queue.append((key, size, future))
        while queue and queue[0][2] is None:
            await apply_head()
        # Let finished extractions be collected while the input is read.
        await asyncio.sleep(0)
    while queue:
        await apply_head()
