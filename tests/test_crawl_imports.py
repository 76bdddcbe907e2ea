"""The crawl process never extracts: it must not pay for importing the extraction stack or cdxj-indexer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CRAWL_MODULES = ["spiders.news", "newsarchive.crawl.runner", "newsarchive.crawl.pipeline", "newsarchive.crawl.addon",
                 "newsarchive.crawl.capture", "newsarchive.warc.journal"]


def test_the_crawl_process_imports_no_extractor_and_no_cdxj_indexer():
    code = ("import sys\n" + "".join(f"import {name}\n" for name in CRAWL_MODULES) +
            "print(' '.join(m for m in ('trafilatura', 'newsarchive.extract.extractor', 'cdxj_indexer') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == []


def test_extract_is_still_the_function_after_its_subpackage_loads():
    code = ("import newsarchive.extract.article\nfrom newsarchive import extract, Article\n"
            "import newsarchive\nassert callable(extract) and newsarchive.extract is extract\n"
            "assert extract('<html><body><p>' + 'word ' * 10 + '</p></body></html>').text\nprint('ok')")
    ran = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert ran.stdout.strip() == "ok", ran.stderr
