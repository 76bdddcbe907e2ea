"""Score an extractor on a devset folder (``pages/<id>.html.gz`` + ``truth.jsonl``).

    .venv/bin/python bench/extraction.py                       # newsarchive vs trafilatura
    .venv/bin/python bench/extraction.py --extractor readability
    .venv/bin/python bench/extraction.py --extractor newsarchive --compare trafilatura

Prints P/R/F1 (see bench/metric.py), CPU ms/page, per-source figures and the
worst pages. Timings of extractors run in the same invocation are comparable;
across invocations they are not (the machine is shared).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from metric import PageScore, score_page, summarise  # noqa: E402
from metric import tokens as metric_tokens  # noqa: E402

logger = logging.getLogger("bench.extraction")

DEFAULT_DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset"


@dataclass
class Page:
    id: str
    source: str
    url: str | None
    html: bytes
    text: str
    title: str | None


def load_devset(folder: Path, limit: int | None = None) -> list[Page]:
    pages = []
    with open(folder / "truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            html = gzip.decompress((folder / "pages" / f"{rec['id']}.html.gz").read_bytes())
            pages.append(Page(rec["id"], rec["source"], rec.get("url"), html, rec["text"], rec.get("title")))
            if limit and len(pages) >= limit:
                break
    return pages


# --- extractors: each maps (html bytes, url) to text (or "" for nothing) ---

def _trafilatura(**kwargs) -> Callable[[bytes, str | None], str]:
    import trafilatura

    def run(html: bytes, url: str | None) -> str:
        return trafilatura.extract(html, url=url, **kwargs) or ""
    return run


def _trafilatura_json(html: bytes, url: str | None) -> str:
    import trafilatura

    out = trafilatura.extract(html, url=url, with_metadata=True, output_format="json")
    return json.loads(out)["text"] if out else ""


def _readability(html: bytes, url: str | None) -> str:
    from lxml import html as lhtml
    from readability import Document

    from newsarchive.extract.extractor import decode_html
    summary = Document(decode_html(html)).summary(html_partial=True)
    tree = lhtml.fromstring(summary)
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())


def _justext(html: bytes, url: str | None) -> str:
    import justext

    paras = justext.justext(html, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def _newsarchive(strategy: str = "vote", with_title: bool = False) -> Callable[[bytes, str | None], str]:
    from newsarchive import extract
    from newsarchive.extract.blocks import stoplist

    stoplist(None)  # loaded once per worker before any page, as the extraction pool does

    def run(html: bytes, url: str | None) -> str:
        art = extract(html, url, strategy=strategy)
        if art is None:
            return ""
        # The headline is Article.title, not text; tools that keep it in their text (trafilatura)
        # meet truths that include it (Dragnet's) on this reading.
        return f"{art.title}\n{art.text}" if with_title and art.title else art.text
    return run


EXTRACTORS: dict[str, Callable[[], Callable[[bytes, str | None], str]]] = {
    "newsarchive": lambda: _newsarchive("vote"),
    # trafilatura alone (fast mode, no comments) plus our cleaning: what the vote adds.
    "newsarchive-trafilatura": lambda: _newsarchive("trafilatura"),
    "newsarchive-title+text": lambda: _newsarchive("vote", with_title=True),
    "trafilatura": lambda: _trafilatura(),
    "trafilatura-nocomments": lambda: _trafilatura(include_comments=False),
    "trafilatura-json": lambda: _trafilatura_json,
    "trafilatura-precision": lambda: _trafilatura(include_comments=False, favor_precision=True),
    "trafilatura-recall": lambda: _trafilatura(include_comments=False, favor_recall=True),
    "trafilatura-fast": lambda: _trafilatura(include_comments=False, fast=True),
    "trafilatura-notables": lambda: _trafilatura(include_comments=False, include_tables=False),
    "trafilatura-dedup": lambda: _trafilatura(include_comments=False, deduplicate=True),
    "trafilatura-precision-notables": lambda: _trafilatura(
        include_comments=False, favor_precision=True, include_tables=False),
    "readability": lambda: _readability,
    "justext": lambda: _justext,
}


@dataclass
class Run:
    name: str
    outputs: dict[str, str]
    cpu_ms: float  # mean CPU ms per page


def run_extractor(name: str, pages: list[Page]) -> Run:
    fn = EXTRACTORS[name]()
    fn(pages[0].html, pages[0].url)  # warm imports and caches outside the timing
    outputs: dict[str, str] = {}
    start = time.process_time()
    for page in pages:
        outputs[page.id] = fn(page.html, page.url)
    cpu = (time.process_time() - start) * 1000 / len(pages)
    return Run(name, outputs, cpu)


def scores_of(run: Run, pages: list[Page], **metric) -> dict[str, PageScore]:
    return {p.id: score_page(run.outputs[p.id], p.text, **metric) for p in pages}


def report(run: Run, pages: list[Page], worst: int) -> dict[str, PageScore]:
    scores = scores_of(run, pages)
    total = summarise(scores.values())
    print(f"\n== {run.name}: P {total.precision:.4f}  R {total.recall:.4f}  F1 {total.f1:.4f}"
          f"  empty {total.empty}/{total.pages}  CPU {run.cpu_ms:.1f} ms/page")
    by_source: dict[str, list[PageScore]] = defaultdict(list)
    for page in pages:
        by_source[page.source].append(scores[page.id])
    for source, items in sorted(by_source.items()):
        s = summarise(items)
        print(f"   {source:8s} P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  empty {s.empty}/{s.pages}")
    if worst:
        print(f"   worst {worst} pages (F1, P, R, id):")
        for pid, s in sorted(scores.items(), key=lambda kv: kv[1].f1)[:worst]:
            p = "  -  " if s.precision is None else f"{s.precision:.2f}"
            print(f"     {s.f1:.3f}  {p}  {s.recall:.2f}  {pid}")
    return scores


def compare(ours: dict[str, PageScore], theirs: dict[str, PageScore], name: str, margin: float) -> None:
    worse = [(pid, ours[pid].f1 - theirs[pid].f1) for pid in ours if ours[pid].f1 < theirs[pid].f1 - margin]
    better = sum(1 for pid in ours if ours[pid].f1 > theirs[pid].f1 + margin)
    print(f"\n== pages > {margin} F1 worse than {name}: {len(worse)} (better: {better})")
    for pid, delta in sorted(worse, key=lambda kv: kv[1]):
        print(f"     {delta:+.3f}  ours {ours[pid].f1:.3f}  {name} {theirs[pid].f1:.3f}  {pid}")


def metric_variants(run: Run, pages: list[Page]) -> None:
    """Show how metric readings move the figure, to pin down which one the baselines used."""
    for label, kw, empty_zero in (
        ("4-shingle lower, empty->R only", {}, False),
        ("4-shingle lower, empty->P=0", {}, True),
        ("4-shingle case-sensitive", {"lower": False}, False),
        ("bag of words lower, empty->P=0", {"n": 1}, True),
    ):
        items = list(scores_of(run, pages, **kw).values())
        if empty_zero:
            items = [PageScore(s.precision or 0.0, s.recall) for s in items]
        s = summarise(items)
        print(f"   {label:34s} P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}")


# Markup that states a publication date: meta tags, JSON-LD, itemprop, <time datetime>.
_MARKUP_DATE = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|og:published_time|"""
    r"""datePublished|pubdate|publishdate|publish[-_]date|date|dc\.date(?:\.issued)?|sailthru\.date|"""
    r"""parsely-pub-date)["']|itemprop\s*=\s*["']datePublished["']|"datePublished"\s*:|<time[^>]+datetime\s*=""",
    re.IGNORECASE,
)


def _norm_title(title: str | None) -> str:
    return " ".join((title or "").split())


def metadata_eval(pages: list[Page]) -> None:
    """Title exact-match rate against the devset titles; published date found where the markup has one."""
    from newsarchive import extract
    from newsarchive.extract.extractor import decode_html

    titled = exact = words = with_date = found = 0
    misses: list[tuple[str, str | None, str | None]] = []
    date_misses: list[str] = []
    for page in pages:
        art = extract(page.html, page.url)
        if page.title:
            titled += 1
            got = art.title if art else None
            exact += _norm_title(got) == _norm_title(page.title)
            words += metric_tokens(got or "") == metric_tokens(page.title)
            if _norm_title(got) != _norm_title(page.title):
                misses.append((page.id, page.title, got))
        if _MARKUP_DATE.search(decode_html(page.html)):
            with_date += 1
            if art and art.published:
                found += 1
            else:
                date_misses.append(page.id)
    print(f"\n== metadata: title exact match {exact}/{titled} ({exact / max(1, titled):.1%}),"
          f" same words {words}/{titled} ({words / max(1, titled):.1%})")
    for pid, want, got in misses[:12]:
        print(f"     {pid}: want {want!r} got {got!r}")
    print(f"   published date found on {found}/{with_date} pages whose markup states one; misses: {date_misses[:10]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    ap.add_argument("--extractor", action="append", choices=sorted(EXTRACTORS),
                    help="repeatable; default: newsarchive and trafilatura-json")
    ap.add_argument("--compare", choices=sorted(EXTRACTORS), help="list pages where the first extractor is worse")
    ap.add_argument("--margin", type=float, default=0.1)
    ap.add_argument("--worst", type=int, default=10)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--source", help="only pages of this source (L3S-GN1, Dragnet)")
    ap.add_argument("--variants", action="store_true", help="print metric variants per extractor")
    ap.add_argument("--metadata", action="store_true", help="title match and date-found rates (newsarchive)")
    ap.add_argument("--dump", type=Path, help="write outputs as JSON lines to this file")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # trafilatura logs every discarded page at WARNING; the scores already say so.
    for noisy in ("trafilatura", "readability", "htmldate"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    pages = load_devset(args.devset, args.limit)
    if args.source:
        pages = [p for p in pages if p.source == args.source]
    if args.metadata:
        metadata_eval(pages)
        return 0
    names = args.extractor or ["newsarchive", "trafilatura-json"]
    if args.compare and args.compare not in names:
        names.append(args.compare)
    runs = {name: run_extractor(name, pages) for name in names}
    scores = {}
    for name, run in runs.items():
        scores[name] = report(run, pages, args.worst)
        if args.variants:
            metric_variants(run, pages)
    if args.compare:
        compare(scores[names[0]], scores[args.compare], args.compare, args.margin)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for page in pages:
                fh.write(json.dumps({"id": page.id, **{n: r.outputs[page.id] for n, r in runs.items()}}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
