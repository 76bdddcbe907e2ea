"""The bundled demo news site ("The Harbour Gazette"), its ground truth and a local server for it.

``make demo`` and the end-to-end tests crawl this site instead of the
internet; ``truth.json`` says what a correct crawl and extraction must find.
"""

from __future__ import annotations

import json
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
SITE_DIR = DEMO_DIR / "site"
TRUTH_PATH = DEMO_DIR / "truth.json"


def load_truth() -> dict:
    """The parsed truth.json (see its ``_doc`` key for the format); a fresh dict on every call."""
    with TRUTH_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def __getattr__(name: str) -> object:
    # Lazy, so `python -m newsarchive.demo.server` doesn't import server.py twice (runpy warns).
    if name == "SiteServer":
        from newsarchive.demo.server import SiteServer

        return SiteServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SITE_DIR", "TRUTH_PATH", "SiteServer", "load_truth"]
