"""Extension: a crawl holds its archive folder, and picks up cleanly after a killed run.

Taken when the crawler is built (``from_crawler``), not at ``spider_opened``:
the scheduler opens JOBDIR's files and the pipeline the database before that
signal, and both must belong to this run alone, with a killed run's leftovers
dealt with first:

- the archive lock (newsarchive/lock.py): a second run into the folder stops here;
- ``crawls`` rows of killed runs are marked ``interrupted`` (newsarchive/db/runs.py);
- CDXJ journals a killed crawl left are sorted into indexes (newsarchive/warc/journal.py);
- JOBDIR: Scrapy writes ``requests.seen`` as it goes but saves its queue only
  on a clean close, so after a kill the seen-set names requests that were never
  fetched, and a resume would fetch nothing. A run marks JOBDIR ``running`` and,
  when it closes, ``closed``; a JOBDIR still marked ``running`` (or unmarked)
  has its seen-set and queue removed, and the crawl starts again from its
  seeds. What it then skips, the archive decides (newsarchive/crawl/resume.py).
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir

from newsarchive.archive import ArchiveDir
from newsarchive.db.runs import mark_interrupted
from newsarchive.db.store import open_db
from newsarchive.crawl.refusal import refused
from newsarchive.lock import ArchiveLock, ArchiveLocked
from newsarchive.warc.journal import finish_journals

logger = logging.getLogger(__name__)

JOBDIR_MARKER = "newsarchive.run"
# Scrapy's own files in JOBDIR: the dupefilter's seen-set and the scheduler's disk queue.
SCHEDULER_STATE = ("requests.seen", "requests.queue")


class ArchiveGuard:
    def __init__(self, directory: Path, jobdir: str | None, stats) -> None:
        self.archive = ArchiveDir(directory)
        self.jobdir = Path(jobdir) if jobdir else None
        self.stats = stats
        self.lock = ArchiveLock(directory, "crawl")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchiveGuard":
        directory = crawler.settings.get("NEWSARCHIVE_DIR")
        if not directory:
            # Not "." (the current folder): no archive folder, nothing to lock, as for the middleware.
            raise NotConfigured("NEWSARCHIVE_DIR is empty: no archive folder to lock")
        guard = cls(Path(directory), job_dir(crawler.settings), crawler.stats)
        try:
            guard.take_over()
        except ArchiveLocked as exc:
            raise refused(str(exc)) from None
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(guard.engine_stopped, signal=signals.engine_stopped)
        return guard

    def take_over(self) -> None:
        """Lock the folder (raises ArchiveLocked), then tidy up after any run that was killed."""
        self.lock.acquire()
        try:
            if self.archive.has_db():
                db = open_db(self.archive.db_path)
                try:
                    interrupted = mark_interrupted(db)
                finally:
                    db.close()
                if interrupted:
                    self.stats.set_value("newsarchive/resume/interrupted_crawls", interrupted)
            finish_journals(self.archive.index_dir)
            if self.jobdir is not None:
                self._check_jobdir(self.jobdir)
        except BaseException:
            self.lock.release()
            raise

    def _check_jobdir(self, jobdir: Path) -> None:
        marker = jobdir / JOBDIR_MARKER
        state = [jobdir / name for name in SCHEDULER_STATE if (jobdir / name).exists()]
        clean = marker.exists() and marker.read_text(encoding="utf-8").startswith("closed")
        if state and not clean:
            logger.warning("JOBDIR %s was left by a crawl that did not close (killed?): its seen-requests "
                           "and queue are not trusted; starting again from the seeds", jobdir)
            for path in state:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            self.stats.set_value("newsarchive/resume/jobdir_discarded", True)
        jobdir.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"running PID {os.getpid()}\n", encoding="utf-8")

    def spider_closed(self) -> None:
        # The scheduler has saved its queue by now (Scrapy closes it before this signal).
        if self.jobdir is not None:
            (self.jobdir / JOBDIR_MARKER).write_text("closed\n", encoding="utf-8")

    def engine_stopped(self) -> None:
        self.lock.release()
