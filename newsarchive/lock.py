"""One writer per archive folder: an advisory lock on DIR/newsarchive.lock.

A crawl, ``import-warc`` and ``reextract`` all write DIR/news.db (and a crawl
DIR/warc); two at once archive everything twice or trip over each other's
migrations. ``flock`` is held by the open file, so the kernel lets it go
when its process dies however it dies: a lock left by a killed run is taken
over without any liveness guessing. The file also names the holder's PID,
for the refusal message only. (flock is local: an archive on NFS is not
protected across machines.)

The lock is re-entrant within a process: ``newsarchive crawl`` takes it
before Scrapy starts (to refuse in one line) and the crawl's extension takes
it again for ``scrapy crawl`` users.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from newsarchive.archive import ArchiveDir

logger = logging.getLogger(__name__)


class ArchiveLocked(Exception):
    """Another process is writing into the archive folder; the message is one line for the user."""


class ArchiveLock:
    """``with ArchiveLock(directory, "crawl"):`` — or ``acquire()`` / ``release()``."""

    # Locks this process holds, by lock file: [open file, times taken].
    _held: dict[Path, list] = {}

    def __init__(self, directory: str | os.PathLike, purpose: str) -> None:
        self.path = ArchiveDir(directory).lock_path.resolve()
        self.purpose = purpose
        self._taken = False

    def acquire(self) -> "ArchiveLock":
        if self._taken:
            return self
        held = self._held.get(self.path)
        if held is not None:
            held[1] += 1
        else:
            self._held[self.path] = [self._lock(), 1]
        self._taken = True
        return self

    def _lock(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "another process"
            file.close()
            raise ArchiveLocked(f"{self.path.parent} is in use by {holder}; "
                                f"wait for it to end (one run writes into an archive folder at a time)") from None
        # Ours now: whatever PID the file named (a killed run) is stale.
        file.seek(0)
        file.truncate()
        file.write(f"PID {os.getpid()} ({self.purpose})\n")
        file.flush()
        logger.debug("locked %s for %s", self.path, self.purpose)
        return file

    def release(self) -> None:
        if not self._taken:
            return
        self._taken = False
        held = self._held[self.path]
        held[1] -= 1
        if held[1] == 0:
            del self._held[self.path]
            # The file stays (unlinking it would let a waiting process lock an orphaned inode);
            # closing it lets the lock go.
            held[0].close()

    def __enter__(self) -> "ArchiveLock":
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()
