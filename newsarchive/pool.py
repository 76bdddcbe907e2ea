"""A process pool for extraction, awaitable from asyncio code (the crawl, re-extraction, imports).

trafilatura is CPU-bound pure Python: on the reactor thread it stalls the
crawl and in threads the GIL serialises it, so it runs in worker processes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from newsarchive.page import PageResult, process_page

logger = logging.getLogger(__name__)


def _warm_up() -> None:
    # Import the heavy modules and load the all-languages stoplist (~0.5 s) once per worker,
    # not on the first page.
    import newsarchive.extractor  # noqa: F401
    from newsarchive.blocks import stoplist

    stoplist(None)


class ExtractionPool:
    """``await pool.process(body, url, content_type)`` runs ``process_page`` in a worker."""

    def __init__(self, workers: int = 0, timeout: float = 120.0, min_words: int = 80) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.min_words = min_words
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # spawn, not fork: forking a process that runs an event loop and sockets is unsafe.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_up)
        return self._executor

    async def process(self, body: bytes, url: str, content_type: str | None) -> PageResult:
        future = self._pool().submit(process_page, body, url, content_type, self.min_words)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except asyncio.TimeoutError:
            logger.error("extraction of %s took over %ss; page recorded as error", url, self.timeout)
            return PageResult("error", f"extraction timed out after {self.timeout}s")
        except BrokenProcessPool as exc:
            # A worker died (e.g. a C-level crash on hostile input): start a new pool, keep crawling.
            logger.error("extraction worker died on %s: %s", url, exc)
            self._discard()
            return PageResult("error", f"extraction worker crashed: {exc}")
        except Exception as exc:
            # One bad page must not stop the crawl; its reason goes into its pages row.
            logger.exception("extraction of %s failed", url)
            return PageResult("error", f"extraction failed: {exc!r}")

    def _discard(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
