"""Reading WARCs: warcio against FastWARC on the same file, and what import-warc's own scan costs.

    .venv/bin/pip install fastwarc   # only for this comparison; not a dependency
    .venv/bin/python bench/warc_read.py [-n 1000] [--devset ../shared/devset]

Writes one WARC of response records (bench/reprocess.py's writer: one gzip
member per record, half the bodies gzip-encoded as servers send them), then
times, best of three:

* warcio: ``ArchiveIterator(check_digests=True)``, every body read through
  ``content_stream()`` (content-encoding undone), as import-warc reads;
* fastwarc (2.x): ``ArchiveIterator(parse_http=True, verify_digests=True,
  auto_decode="content")``, every body read;
* scan_warc: import-warc's scan (warcio plus its checks and resume logic),
  entries and bodies, no extraction and no SQLite.

Each is reported in records/s and in ms per page, to set against the ~30-60
ms of extraction a page costs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reprocess import DEVSET, devset_pages, synthetic_pages, write_warc  # noqa: E402
from newsarchive.jobs.import_warc import ImportReport, scan_warc  # noqa: E402


def read_warcio(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    total = 0
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, check_digests=True):
            if record.rec_type == "response":
                total += len(record.content_stream().read())
    return total


def read_fastwarc(path: Path) -> int:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    total = 0
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True,
                                      verify_digests=True, auto_decode="content"):
            total += len(record.reader.read())
    return total


def read_scan(path: Path) -> int:
    return sum(len(entry.body or b"") for entry in scan_warc(path, ImportReport()))


def best(fn, path: Path, runs: int = 3) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = fn(path)
        times.append(time.perf_counter() - start)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--pages", type=int, default=1000, help="generated pages (without --devset)")
    parser.add_argument("--devset", type=Path, help=f"real pages instead, e.g. {DEVSET}")
    args = parser.parse_args()
    pages = devset_pages(args.devset) if args.devset else synthetic_pages(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.warc.gz"
        write_warc(path, pages)
        print(f"{len(pages)} pages, WARC {path.stat().st_size / 1e6:.1f} MB")
        for name, fn in (("warcio", read_warcio), ("fastwarc", read_fastwarc), ("scan_warc", read_scan)):
            try:
                seconds, size = best(fn, path)
            except ImportError:
                print(f"{name}: not installed")
                continue
            print(f"{name + ':':11s} {seconds:6.3f} s  {len(pages) / seconds:7.0f} records/s  "
                  f"{1000 * seconds / len(pages):5.2f} ms/page  ({size / 1e6:.0f} MB of bodies)")


if __name__ == "__main__":
    main()
