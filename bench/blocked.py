"""False positives of the ``blocked`` rule (newsarchive/processing/blocked.py) on real article pages.

    .venv/bin/python bench/blocked.py                      # ../shared/devset and ../shared/devset-modern
    .venv/bin/python bench/blocked.py DIR [DIR ...]        # any folders of pages/*.html.gz

Every page of a dev set is a real article or news page fetched fine, so every
page the rule calls blocked is a false positive. The rule is asked as the
crawl asks it: as a 200 page in extraction (status unknown) and as the
response of a fetch that answered 200. Also counted: pages that carry a
challenge marker at all (before the little-visible-text guard) and words
that must stay out of the rule because ordinary pages carry them.
"""

from __future__ import annotations

import gzip
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsarchive.processing.blocked import MAX_WALL_BYTES, blocked_reason, challenge_marker  # noqa: E402

# Found on ordinary pages (vendor sensors, comment forms): why they are not markers.
NOT_MARKERS = ("captcha", "recaptcha", "cdn-cgi/challenge-platform", "cloudflare", "datadome", "_pxappid",
               "incapsula", "access denied", "just a moment")


def measure(folder: Path) -> None:
    pages = sorted((folder / "pages").glob("*.html.gz"))
    flagged, marked, words = [], 0, Counter()
    for path in pages:
        body = gzip.decompress(path.read_bytes())
        reasons = {blocked_reason(None, body), blocked_reason(200, body)} - {None}
        if reasons:
            flagged.append((path.name, sorted(reasons)))
        if challenge_marker(body) is not None:
            marked += 1
        lower = body.decode("latin-1").lower()
        words.update(w for w in NOT_MARKERS if w in lower)
    print(f"{folder}: {len(pages)} pages, flagged blocked {len(flagged)}, challenge marker anywhere {marked} "
          f"(searched at any size; the rule reads pages up to {MAX_WALL_BYTES // 1024} KB)")
    print("  words on ordinary pages, kept out of the rule: "
          + ", ".join(f"{w!r} {n}" for w, n in words.most_common()))
    for name, reasons in flagged:
        print(f"  FALSE POSITIVE {name}: {reasons}")


def main(argv: list[str]) -> None:
    shared = next((p / "shared" for p in ROOT.parents if (p / "shared" / "devset").is_dir()), ROOT.parent / "shared")
    folders = [Path(a) for a in argv] or [shared / "devset", shared / "devset-modern"]
    for folder in folders:
        measure(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
