"""Watch mode: run the crawl of a sources file again and again, on a schedule, until stopped.

Scrapy's reactor cannot be started twice in one process, so each run is a
child process: ``python -m newsarchive.cli crawl --sources FILE --dir DIR``.
Runs start every ``every`` seconds (a run that overruns its slot is followed
at once by the next, never by a pile of them). Which feeds and sitemaps a run
polls is up to their adaptive schedules (newsarchive/db/polls.py); the
interval here is how often the archive *looks*.

Stopping: the child runs in its own process group, so a Ctrl-C at the
terminal reaches the watcher alone, which passes one SIGINT on to the run in
progress: Scrapy then finishes what it is fetching and closes the archive
properly (a second Ctrl-C forces it). Between runs, Ctrl-C (or SIGTERM, as
systemd sends) simply ends the watch.
"""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """``30m``, ``1h``, ``90s``, ``1d`` or plain seconds → seconds (> 0); ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not an interval: give a number with s, m, h or d, e.g. 30m")
    return float(match.group(1)) * UNITS[match.group(2) or "s"]


def next_start(last_start: float, every: float, now: float) -> float:
    """When the run after one that started at ``last_start`` starts: a slot later, or now if that has passed."""
    return max(last_start + every, now)


def crawl_command(sources: Path, directory: Path, settings: tuple[str, ...] = ()) -> list[str]:
    """The command line of one run: this Python, this package's CLI."""
    command = [sys.executable, "-m", "newsarchive.cli", "crawl", "--sources", str(sources), "--dir", str(directory)]
    for pair in settings:
        command += ["-s", pair]
    return command


@dataclass
class Watch:
    command: list[str]
    every: float
    max_runs: int | None = None
    clock: Callable[[], float] = time.monotonic
    runs: list[int] = field(default_factory=list)  # each run's exit code
    stopped_by: int | None = None  # the signal that ended the watch
    _stopping: bool = False
    _child: subprocess.Popen | None = None

    def run(self) -> list[int]:
        """Run until ``max_runs`` runs are done or a signal stops the watch; return the exit codes."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            start = self.clock()
            while not self._stopping:
                self.runs.append(self._run_once(len(self.runs) + 1))
                if self._stopping or (self.max_runs is not None and len(self.runs) >= self.max_runs):
                    break
                start = next_start(start, self.every, self.clock())
                logger.info("run %d ended (exit code %d); the next starts in %.0f s", len(self.runs), self.runs[-1],
                            max(start - self.clock(), 0))
                self._sleep_until(start)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.runs

    def _run_once(self, number: int) -> int:
        logger.info("run %d: %s", number, " ".join(self.command))
        # Its own process group: a terminal's Ctrl-C reaches the watcher only, which forwards one signal.
        self._child = subprocess.Popen(self.command, start_new_session=True)
        try:
            code = self._child.wait()
        finally:
            self._child = None
        if code != 0:
            logger.warning("run %d ended with exit code %d", number, code)
        return code

    def _sleep_until(self, moment: float) -> None:
        while not self._stopping:
            left = moment - self.clock()
            if left <= 0:
                return
            time.sleep(min(left, 1.0))  # short naps: a signal is noticed within a second

    def _on_signal(self, signum: int, frame) -> None:
        child = self._child
        if child is not None and child.poll() is None:
            logger.warning("stopping: the current run finishes what it is fetching first")
            child.send_signal(signum)
        self.stopped_by = signum
        self._stopping = True
