"""Score extractors on the dev sets: main text and metadata, with trafilatura as reference in the same run.

    .venv/bin/python bench/extraction.py                 # both dev sets, newsarchive + trafilatura modes
    .venv/bin/python bench/extraction.py --devset ../shared/devset-modern --extractor newsarchive --misses
    .venv/bin/python bench/extraction.py --extractor newsarchive --compare trafilatura-precision

A dev set is a folder of ``pages/<id>.html.gz`` + ``truth.jsonl``. Text is
scored with shingle P/R/F1 (bench/metric.py); title (exact after NFC and
whitespace collapse), published (same calendar day in the truth's offset),
authors (micro P/R/F1 over case-folded names) and language (accuracy) are
scored only on pages whose truth lists the field (``fields``; a set without
``fields`` is scored on text and on whatever values it has). Prints a table
per set, per-language rows, CPU ms/page and optionally the worst pages and
metadata misses. Timings of extractors run in the same invocation are
comparable; across invocations they are not (the machine is shared).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from metric import (  # noqa: E402
    PageScore, author_counts, language_match, micro_f1, same_day, score_page, summarise, title_exact,
)

logger = logging.getLogger("bench.extraction")

# The shared data sits next to the checkout (../shared), or next to the folder of worktrees.
SHARED = next((d / "shared" for d in Path(__file__).resolve().parents if (d / "shared" / "devset").is_dir()),
              Path("../shared"))
DEFAULT_DEVSETS = [SHARED / "devset", SHARED / "devset-modern"]
METADATA_FIELDS = ("title", "published", "authors", "language")
DEFAULT_EXTRACTORS = ["newsarchive", "trafilatura", "trafilatura-nocomments", "trafilatura-precision",
                      "trafilatura-meta"]


@dataclass
class Page:
    id: str
    source: str
    url: str | None
    html: bytes
    text: str
    title: str | None = None
    authors: list[str] | None = None
    published: str | None = None
    language: str | None = None
    # Fields the truth was annotated for; the rest are not scored.
    fields: set[str] = field(default_factory=set)


def load_devset(folder: Path, limit: int | None = None) -> list[Page]:
    pages = []
    with open(folder / "truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            html = gzip.decompress((folder / "pages" / f"{rec['id']}.html.gz").read_bytes())
            # Without a field list, a value present is a value annotated (the old set's titles).
            fields = set(rec["fields"]) if "fields" in rec else {k for k in ("text", "title") if rec.get(k)}
            if rec.get("language"):
                fields.add("language")  # the publisher's language, given for every page
            pages.append(Page(rec["id"], rec.get("source", folder.name), rec.get("url"), html, rec["text"],
                              rec.get("title"), rec.get("authors"), rec.get("published"), rec.get("language"),
                              fields))
            if limit and len(pages) >= limit:
                break
    return pages


@dataclass
class Output:
    """What an extractor gave for one page; None metadata means "this mode reports none"."""

    text: str
    title: str | None = None
    authors: list[str] | None = None
    published: str | None = None
    language: str | None = None
    # The page judged an article (every dev-set page is one); None for tools without a verdict.
    is_article: bool | None = None


Extractor = Callable[[bytes, str | None], Output]


# --- extractors: each maps (html bytes, url) to an Output ---

def _trafilatura(**kwargs) -> Extractor:
    import trafilatura

    def run(html: bytes, url: str | None) -> Output:
        return Output(trafilatura.extract(html, url=url, **kwargs) or "")
    return run


def _trafilatura_json(html: bytes, url: str | None) -> Output:
    import trafilatura

    out = trafilatura.extract(html, url=url, with_metadata=True, output_format="json")
    return Output(json.loads(out)["text"] if out else "")


def _trafilatura_meta(html: bytes, url: str | None) -> Output:
    """trafilatura's text and metadata: ``bare_extraction(with_metadata=True)``."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Output("", "", [], "", "")
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Output(doc.text or "", doc.title or "", authors, doc.date or "", doc.language or "")


def _readability(html: bytes, url: str | None) -> Output:
    from lxml import html as lhtml
    from readability import Document

    from newsarchive.extract.extractor import decode_html
    summary = Document(decode_html(html)).summary(html_partial=True)
    tree = lhtml.fromstring(summary)
    return Output("\n".join(t.strip() for t in tree.itertext() if t.strip()))


def _justext(html: bytes, url: str | None) -> Output:
    import justext

    paras = justext.justext(html, justext.get_stoplist("English"))
    return Output("\n".join(p.text for p in paras if not p.is_boilerplate))


def _newsarchive(strategy: str = "vote", with_title: bool = False) -> Extractor:
    from newsarchive import extract
    from newsarchive.extract.blocks import stoplist
    from newsarchive.extract.language import stopword_index

    stoplist(None)  # loaded once per worker before any page, as the extraction pool does
    stopword_index()  # the language guess's index: once per process, not a per-page cost

    def run(html: bytes, url: str | None) -> Output:
        art = extract(html, url, strategy=strategy)
        # The headline is Article.title, not text; tools that keep it in their text (trafilatura)
        # meet truths that include it (Dragnet's) on this reading.
        text = f"{art.title}\n{art.text}" if with_title and art.title and art.text else art.text
        return Output(text, art.title or "", list(art.authors), art.published or "", art.language or "",
                      art.is_article)
    return run


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "newsarchive": lambda: _newsarchive("vote"),
    # trafilatura alone (fast mode, no comments) plus our cleaning: what the vote adds.
    "newsarchive-trafilatura": lambda: _newsarchive("trafilatura"),
    "newsarchive-title+text": lambda: _newsarchive("vote", with_title=True),
    "trafilatura": lambda: _trafilatura(),
    "trafilatura-nocomments": lambda: _trafilatura(include_comments=False),
    "trafilatura-json": lambda: _trafilatura_json,
    "trafilatura-meta": lambda: _trafilatura_meta,
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
    outputs: dict[str, Output]
    cpu_ms: float  # mean CPU ms per page


def run_extractor(name: str, fn: Extractor, pages: list[Page]) -> Run:
    outputs: dict[str, Output] = {}
    start = time.process_time()
    for page in pages:
        outputs[page.id] = fn(page.html, page.url)
    cpu = (time.process_time() - start) * 1000 / len(pages)
    return Run(name, outputs, cpu)


def text_scores(run: Run, pages: list[Page]) -> dict[str, PageScore]:
    return {p.id: score_page(run.outputs[p.id].text, p.text) for p in pages if "text" in p.fields}


@dataclass
class MetaScore:
    """Metadata figures over the pages whose truth lists each field; None where nothing was scored."""

    title: float | None = None
    published: float | None = None
    authors: tuple[float, float, float] | None = None  # micro P, R, F1
    language: float | None = None
    counted: dict[str, int] = field(default_factory=dict)


def _rate(hits: list[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def meta_scores(run: Run, pages: list[Page]) -> MetaScore:
    titles, days, langs, authors = [], [], [], []
    for page in pages:
        out = run.outputs[page.id]
        if "title" in page.fields and page.title and out.title is not None:
            titles.append(title_exact(out.title, page.title))
        if "published" in page.fields and page.published and out.published is not None:
            days.append(same_day(out.published, page.published))
        if "language" in page.fields and page.language and out.language is not None:
            langs.append(language_match(out.language, page.language))
        if "authors" in page.fields and page.authors is not None and out.authors is not None:
            authors.append(author_counts(out.authors, page.authors))
    counted = {"title": len(titles), "published": len(days), "authors": len(authors), "language": len(langs)}
    return MetaScore(_rate(titles), _rate(days), micro_f1(authors) if authors else None, _rate(langs), counted)


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:.4f}"


def report(runs: dict[str, Run], pages: list[Page], label: str) -> dict[str, dict[str, PageScore]]:
    """One row per extractor: text P/R/F1, metadata figures, CPU."""
    print(f"\n=== {label}: {len(pages)} pages")
    print(f"   {'extractor':24s} {'P':>6s} {'R':>6s} {'F1':>6s} empty | {'title':>6s} {'date':>6s}"
          f" {'authP':>6s} {'authR':>6s} {'authF1':>6s} {'lang':>6s} | CPU ms")
    scores = {}
    for name, run in runs.items():
        scores[name] = text_scores(run, pages)
        t = summarise(scores[name].values())
        m = meta_scores(run, pages)
        a = m.authors or (None, None, None)
        print(f"   {name:24s} {t.precision:.4f} {t.recall:.4f} {t.f1:.4f} {t.empty:5d} | {_fmt(m.title)} "
              f"{_fmt(m.published)} {_fmt(a[0])} {_fmt(a[1])} {_fmt(a[2])} {_fmt(m.language)} | {run.cpu_ms:6.1f}")
    counted = meta_scores(next(iter(runs.values())), pages).counted
    print("   pages scored per field: " + ", ".join(f"{k} {v}" for k, v in counted.items()))
    for name, run in runs.items():
        verdicts = [o.is_article for o in run.outputs.values() if o.is_article is not None]
        if verdicts:
            print(f"   {name}: judged articles {sum(verdicts)}/{len(verdicts)} (every dev-set page is one)")
    return scores


def per_group(runs: dict[str, Run], pages: list[Page], scores: dict[str, dict[str, PageScore]], key: str) -> None:
    """Text F1 of every extractor and each metadata field of those reporting one, per language or source."""
    groups: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        groups[getattr(page, key) or "?"].append(page)
    if len(groups) < 2:
        return
    meta_runs = [n for n, r in runs.items() if any(o.title is not None for o in r.outputs.values())]
    print(f"   per {key}: n, text F1 of {', '.join(runs)}; title/date/authF1/lang of {', '.join(meta_runs)}")
    for group, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        f1s = " ".join(f"{summarise(scores[n][p.id] for p in members if p.id in scores[n]).f1:.3f}" for n in runs)
        metas = []
        for n in meta_runs:
            m = meta_scores(runs[n], members)
            metas.append("/".join(_fmt(v)[:5] for v in (m.title, m.published, m.authors[2] if m.authors else None,
                                                          m.language)))
        print(f"     {group:12s} {len(members):4d}  {f1s}  |  {'  '.join(metas)}")


def worst_pages(name: str, scores: dict[str, PageScore], count: int) -> None:
    print(f"   {name}: worst {count} pages (F1, P, R, id):")
    for pid, s in sorted(scores.items(), key=lambda kv: kv[1].f1)[:count]:
        p = "  -  " if s.precision is None else f"{s.precision:.2f}"
        print(f"     {s.f1:.3f}  {p}  {s.recall:.2f}  {pid}")


def compare(ours: dict[str, PageScore], theirs: dict[str, PageScore], name: str, margin: float) -> None:
    worse = [(pid, ours[pid].f1 - theirs[pid].f1) for pid in ours if ours[pid].f1 < theirs[pid].f1 - margin]
    better = sum(1 for pid in ours if ours[pid].f1 > theirs[pid].f1 + margin)
    print(f"   pages > {margin} F1 worse than {name}: {len(worse)} (better: {better})")
    for pid, delta in sorted(worse, key=lambda kv: kv[1]):
        print(f"     {delta:+.3f}  ours {ours[pid].f1:.3f}  {name} {theirs[pid].f1:.3f}  {pid}")


def misses(run: Run, pages: list[Page]) -> None:
    """Every metadata field the extractor got wrong, with truth and answer."""
    print(f"   {run.name}: metadata misses (field, id, truth, got)")
    for page in pages:
        out = run.outputs[page.id]
        if "title" in page.fields and page.title and not title_exact(out.title, page.title):
            print(f"     title    {page.id}: {page.title!r} | {out.title!r}")
        if "published" in page.fields and page.published and not same_day(out.published, page.published):
            print(f"     date     {page.id}: {page.published!r} | {out.published!r}")
        if "authors" in page.fields and page.authors is not None:
            c = author_counts(out.authors or [], page.authors)
            if c.hits != c.predicted or c.hits != c.true:
                print(f"     authors  {page.id}: {page.authors!r} | {out.authors!r}")
        if "language" in page.fields and page.language and not language_match(out.language, page.language):
            print(f"     language {page.id}: {page.language!r} | {out.language!r}")


_WORKER: dict = {}
# Pages an extractor's process runs before the next extractor's process takes its turn.
CHUNK = 10


def _worker_start(name: str, folders: list[Path], limit: int | None) -> None:
    """In a fresh process: load one extractor and the sets, warm it on one page outside the timing."""
    logging.basicConfig(level=logging.CRITICAL)
    _WORKER["fn"] = EXTRACTORS[name]()
    _WORKER["sets"] = [load_devset(folder, limit) for folder in folders]
    first = _WORKER["sets"][0][0]
    _WORKER["fn"](first.html, first.url)


def _worker_chunk(set_index: int, start: int) -> tuple[dict[str, dict], float]:
    """One chunk of one set: the outputs as plain data, and the CPU seconds they took."""
    fn, pages = _WORKER["fn"], _WORKER["sets"][set_index][start:start + CHUNK]
    outputs = {}
    began = time.process_time()
    for page in pages:
        outputs[page.id] = fn(page.html, page.url)
    cpu = time.process_time() - began
    return {pid: vars(out) for pid, out in outputs.items()}, cpu


def isolated_runs(names: list[str], folders: list[Path], sizes: list[int], limit: int | None) -> list[dict[str, Run]]:
    """Each extractor in a process of its own, taking turns chunk by chunk.

    In one process, extractors share lazily built state: the first to date a
    page pays dateparser's locale loading, and trafilatura's and htmldate's
    LRU caches filled by one extractor answer the next one's calls on the same
    pages. Apart, each pays its own warm-ups and reads only its own caches;
    taking turns every ``CHUNK`` pages, they run under the same load of a
    shared machine.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    spawn = multiprocessing.get_context("spawn")
    pools = {name: ProcessPoolExecutor(1, mp_context=spawn, initializer=_worker_start,
                                       initargs=(name, folders, limit)) for name in names}
    try:
        for pool in pools.values():
            pool.submit(int).result()  # started and warmed before any timing
        per_set: list[dict[str, Run]] = []
        for index, size in enumerate(sizes):
            outputs: dict[str, dict[str, Output]] = {name: {} for name in names}
            cpu = dict.fromkeys(names, 0.0)
            for start in range(0, size, CHUNK):
                for name, pool in pools.items():
                    chunk, seconds = pool.submit(_worker_chunk, index, start).result()
                    outputs[name].update({pid: Output(**out) for pid, out in chunk.items()})
                    cpu[name] += seconds
            per_set.append({name: Run(name, outputs[name], cpu[name] * 1000 / size) for name in names})
        return per_set
    finally:
        for pool in pools.values():
            pool.shutdown()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, action="append",
                    help="repeatable; default: ../shared/devset and ../shared/devset-modern")
    ap.add_argument("--extractor", action="append", choices=sorted(EXTRACTORS),
                    help=f"repeatable; default: {', '.join(DEFAULT_EXTRACTORS)}")
    ap.add_argument("--compare", choices=sorted(EXTRACTORS), help="list pages where the first extractor is worse")
    ap.add_argument("--margin", type=float, default=0.1)
    ap.add_argument("--worst", type=int, default=0, help="print the first extractor's N worst pages by text F1")
    ap.add_argument("--misses", action="store_true", help="print the first extractor's metadata misses")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--dump", type=Path, help="write outputs as JSON lines to this file")
    ap.add_argument("--same-process", action="store_true",
                    help="run every extractor in this process (the first pays shared warm-ups, later ones "
                         "hit caches it filled); default: each in a fresh process of its own, taking turns")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # trafilatura logs every discarded page at WARNING; the scores already say so.
    for noisy in ("trafilatura", "readability", "htmldate", "newsarchive"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    names = list(dict.fromkeys(args.extractor or DEFAULT_EXTRACTORS))
    if args.compare and args.compare not in names:
        names.append(args.compare)
    sets = [(folder, load_devset(folder, args.limit)) for folder in (args.devset or DEFAULT_DEVSETS)]
    if args.same_process:
        extractors = {name: EXTRACTORS[name]() for name in names}
        for name, fn in extractors.items():
            fn(sets[0][1][0].html, sets[0][1][0].url)  # warm imports and caches outside the timing
        all_runs = [{name: run_extractor(name, fn, pages) for name, fn in extractors.items()} for _, pages in sets]
    else:
        all_runs = isolated_runs(names, [folder for folder, _ in sets], [len(pages) for _, pages in sets], args.limit)
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None
    for (folder, pages), runs in zip(sets, all_runs):
        scores = report(runs, pages, folder.name)
        per_group(runs, pages, scores, "language" if any(p.language for p in pages) else "source")
        first = names[0]
        if args.worst:
            worst_pages(first, scores[first], args.worst)
        if args.compare:
            compare(scores[first], scores[args.compare], args.compare, args.margin)
        if args.misses:
            misses(runs[first], pages)
        if dump:
            for page in pages:
                dump.write(json.dumps({"set": folder.name, "id": page.id,
                                       **{n: vars(r.outputs[page.id]) for n, r in runs.items()}}) + "\n")
    if dump:
        dump.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
