#!/usr/bin/env python3
"""Near-duplicate detection: precision and recall on pairs built from real text, and memory at scale.

    .venv/bin/python bench/neardup.py                     # pairs from ../shared/devset*, a table over thresholds
    .venv/bin/python bench/neardup.py --memory 100000     # a generated archive of N articles: build, then +1%
    .venv/bin/python bench/neardup.py --signing           # CPU per signature: ours (numpy) against datasketch

Pairs (texts read from the dev sets' truth files at run time, never copied):

* positives: a text and a copy of it as another site would republish it: another intro
  paragraph, an extra paragraph at the end, a byline and dateline, ad lines inserted between
  paragraphs, light word edits, a truncation, and all of these at once ("combined");
* negatives: different articles: random pairs, pairs from the same site, the same two texts
  with the same boilerplate paragraphs added to both (a site's footer that cleaning missed), and
  each text with its most similar other text by vocabulary (the same topic).

A pair counts as found when the pipeline finds it: the two share an LSH band key (the bands
datasketch chooses for the threshold) and the estimated Jaccard is at or above the threshold.
Pairs of dev-set texts that are near-duplicates in fact (the same wire story on two sites)
are reported and left out of the negatives.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsarchive.corpus.neardup import Params, band_keys, shingles, signature, similarity, tokens  # noqa: E402

SHARED = next((d / "shared" for d in Path(__file__).resolve().parents if (d / "shared" / "devset").is_dir()),
              Path("../shared"))
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
ADS = ("Advertisement", "Story continues below advertisement", "SPONSORED CONTENT",
       "Sign up for our daily newsletter", "Subscribe now for unlimited access")


def load_texts(min_words: int) -> list[dict]:
    texts = []
    for name in ("devset", "devset-modern"):
        path = SHARED / name / "truth.jsonl"
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            row = json.loads(line)
            paragraphs = [p.strip() for p in (row.get("text") or "").split("\n") if p.strip()]
            if len(tokens(" ".join(paragraphs))) >= min_words and len(paragraphs) >= 2:
                texts.append({"id": row["id"], "host": urlsplit(row.get("url") or "").hostname or row["id"],
                              "paragraphs": paragraphs})
    return texts


# -- perturbations: what a republishing site does to a wire story --------------

def intro(rng, t, others):
    return [rng.choice(rng.choice(others)["paragraphs"])] + t


def outro(rng, t, others):
    return t + [rng.choice(rng.choice(others)["paragraphs"])]


def byline(rng, t, others):
    return ["By Jane Example and Sam Writer, Staff Reporters", "Updated 10:42 a.m. ET, May 2, 2024",
            "LONDON (Wire) — " + t[0], *t[1:]]


def ads(rng, t, others):
    out = list(t)
    for _ in range(3):
        out.insert(rng.randrange(1, len(out) + 1), rng.choice(ADS))
    return out


def edits(rng, t, others, share=0.03):
    vocabulary = tokens(" ".join(rng.choice(others)["paragraphs"]))
    out = []
    for paragraph in t:
        words = paragraph.split()
        for i in range(len(words)):
            if rng.random() < share:
                words[i] = rng.choice(vocabulary) if rng.random() < 0.5 else ""
        out.append(" ".join(w for w in words if w))
    return out


def truncation(rng, t, others):
    keep = max(1, round(len(t) * rng.uniform(0.6, 0.8)))
    return t[:keep] + ["Read the full story on our website."]


def combined(rng, t, others):
    for step in (intro, outro, byline, ads, edits):
        t = step(rng, t, others)
    return t


PERTURBATIONS = {f.__name__: f for f in (intro, outro, byline, ads, edits, truncation, combined)}


# -- pairs ---------------------------------------------------------------------

def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def build_pairs(texts: list[dict], rng: random.Random, positives: int, negatives: int,
                params: Params) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(kind, text a, text b) positives and negatives; and the dev-set pairs that are real near-duplicates."""
    joined = [" ".join(t["paragraphs"]) for t in texts]
    grams = [shingles(j, params.shingle) for j in joined]
    # Real near-duplicates among the dev-set texts: one story on two sites (a wire copy, a syndicated
    # piece) or one page twice. Not negatives; reported on their own. Two texts of one site that share
    # more than 20% of their shingles otherwise (a blog's boilerplate) stay negatives.
    real = {(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
            if grams[i] & grams[j] and (jaccard(grams[i], grams[j]) >= 0.99 or (
                texts[i]["host"] != texts[j]["host"] and jaccard(grams[i], grams[j]) >= 0.2))}
    pos = []
    for i in rng.sample(range(len(texts)), min(positives, len(texts))):
        others = texts[:i] + texts[i + 1:]
        for kind, perturb in PERTURBATIONS.items():
            pos.append((kind, joined[i], "\n".join(perturb(rng, list(texts[i]["paragraphs"]), others))))
    neg, seen = [], set(real)

    def add(kind: str, i: int, j: int, a: str | None = None, b: str | None = None) -> None:
        key = (min(i, j), max(i, j))
        if i == j or (key in seen and a is None):
            return
        seen.add(key)
        neg.append((kind, a or joined[i], b or joined[j]))

    while sum(1 for k, *_ in neg if k == "random") < negatives:
        add("random", rng.randrange(len(texts)), rng.randrange(len(texts)))
    by_host = defaultdict(list)
    for i, t in enumerate(texts):
        by_host[t["host"]].append(i)
    for members in by_host.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                add("same site", members[x], members[y])
    vocab = [set(tokens(j)) for j in joined]
    for i in range(len(texts)):
        j = max((k for k in range(len(texts)) if k != i and (min(i, k), max(i, k)) not in real),
                key=lambda k: jaccard(vocab[i], vocab[k]))
        add("same topic", i, j)
    for _ in range(negatives // 4):
        i, j = rng.sample(range(len(texts)), 2)
        if (min(i, j), max(i, j)) in real:
            continue
        footer = "\n".join(rng.choice(texts)["paragraphs"][:2])
        add("shared boilerplate", i, j, joined[i] + "\n" + footer, joined[j] + "\n" + footer)
    return pos, neg, [("real", joined[i], joined[j]) for i, j in sorted(real)]


def scores(pairs: list[tuple], params: Params) -> list[tuple[str, float, float, set, set]]:
    """(kind, real Jaccard, estimated Jaccard, band keys a, band keys b) per pair, bands at each threshold."""
    out = []
    for kind, a, b in pairs:
        sa, sb = signature(a, params), signature(b, params)
        real = jaccard(shingles(a, params.shingle), shingles(b, params.shingle))
        out.append((kind, real, similarity(sa, sb), sa, sb))
    return out


def found(row, threshold: float, params: Params) -> bool:
    _, _, estimate, sa, sb = row
    at = Params(threshold=threshold, shingle=params.shingle, num_perm=params.num_perm)
    return estimate >= threshold and bool(set(band_keys(sa, at)) & set(band_keys(sb, at)))


def report_pairs(args) -> None:
    params = Params(shingle=args.shingle)
    rng = random.Random(0)
    texts = load_texts(args.min_words)
    pos, neg, real = build_pairs(texts, rng, args.positives, args.negatives, params)
    started = time.process_time()
    sp, sn, sr = scores(pos, params), scores(neg, params), scores(real, params)
    print(f"{len(texts)} texts (>= {args.min_words} words) from {SHARED}; {len(pos)} positive and {len(neg)} "
          f"negative pairs; {len(real)} dev-set pairs are near-duplicates in fact (left out); "
          f"{params.shingle}-word shingles, {params.num_perm} permutations; "
          f"{(time.process_time() - started) / (2 * (len(pos) + len(neg))) * 1000:.2f} ms CPU per signature")
    print("\n| threshold | bands × rows | precision | recall | false positives | missed | real copies found |")
    print("|---|---|---|---|---|---|---|")
    for t in THRESHOLDS:
        tp = sum(found(r, t, params) for r in sp)
        fp = sum(found(r, t, params) for r in sn)
        b, r = Params(threshold=t).bands
        print(f"| {t:.1f} | {b} × {r} | {tp / max(tp + fp, 1):.3f} | {tp / len(sp):.3f} | {fp} of {len(sn)} | "
              f"{len(sp) - tp} of {len(sp)} | {sum(found(r, t, params) for r in sr)} of {len(sr)} |")
    print(f"\nRecall by perturbation at {args.threshold} (median real Jaccard):")
    for kind in PERTURBATIONS:
        rows = [r for r in sp if r[0] == kind]
        hits = sum(found(r, args.threshold, params) for r in rows)
        median = sorted(r[1] for r in rows)[len(rows) // 2]
        print(f"  {kind:<11} {hits / len(rows):.3f}  ({hits}/{len(rows)}, Jaccard {median:.2f})")
    print(f"\nNegatives by kind at {args.threshold} (false positives, highest real Jaccard):")
    for kind in sorted({r[0] for r in sn}):
        rows = [r for r in sn if r[0] == kind]
        print(f"  {kind:<18} {sum(found(r, args.threshold, params) for r in rows)} of {len(rows)}"
              f"  (max {max(r[1] for r in rows):.2f})")
    print("\nReal copies among the dev-set texts (real Jaccard, found at the threshold):")
    print("  " + ", ".join(f"{r[1]:.2f} {'yes' if found(r, args.threshold, params) else 'no'}"
                           for r in sorted(sr, key=lambda r: -r[1])))


# -- memory at scale -------------------------------------------------------------

def generated_text(rng: random.Random, vocabulary: list[str], words: int = 350) -> str:
    return "\n".join(" ".join(rng.choice(vocabulary) for _ in range(50)) for _ in range(words // 50))


def build_archive(path: Path, count: int, rng: random.Random) -> None:
    from newsarchive.db.store import open_db

    vocabulary = [f"w{i}" for i in range(20000)]
    db = open_db(path)
    rows, base = [], []
    for n in range(count):
        if base and rng.random() < 0.1:
            text = "Another intro paragraph here.\n" + rng.choice(base) + "\nAn extra line at the end."
        else:
            text = generated_text(rng, vocabulary)
            if len(base) < 1000:
                base.append(text)
        rows.append({"url": f"https://site{n % 50}.example/{n}", "text": text, "fingerprint": str(n),
                     "published": f"2024-05-{n % 28 + 1:02d}"})
        if len(rows) == 5000:
            db["articles"].insert_all(rows)
            rows = []
    db["articles"].insert_all(rows)
    db.close()


def peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cluster_in_child(path: str, queue) -> None:
    from newsarchive.db.clusters import update_clusters
    from newsarchive.db.store import open_db

    before = peak_rss_kb()
    started = time.perf_counter()
    db = open_db(path)
    report = update_clusters(db)
    db.close()
    queue.put((report.summary(), before, peak_rss_kb(), time.perf_counter() - started))


def measure(path: Path, label: str) -> None:
    ctx = get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=cluster_in_child, args=(str(path), queue))
    child.start()
    summary, before, peak, seconds = queue.get()
    child.join()
    print(f"{label}: {seconds:.0f} s, peak RSS {peak / 1024:.0f} MB (after imports {before / 1024:.0f} MB)\n  {summary}")


def report_memory(args) -> None:
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news.db"
        build_archive(path, args.memory, rng)
        measure(path, f"{args.memory:,} articles, first clustering")
        with sqlite3.connect(path) as conn:
            extra = [(f"https://late.example/{n}", "Fresh intro.\n" + generated_text(rng, [f"w{i}" for i in range(20000)]),
                      f"late{n}") for n in range(args.memory // 100)]
            conn.executemany("INSERT INTO articles (url, text, fingerprint) VALUES (?, ?, ?)", extra)
        measure(path, f"+{len(extra):,} new articles, incremental")
        with sqlite3.connect(path) as conn:
            for table in ("articles", "neardup_signatures", "neardup_bands"):
                pages = conn.execute(f"SELECT sum(pgsize) FROM dbstat WHERE name LIKE '{table}%'").fetchone()[0]
                print(f"  {table} (and its indexes): {pages / 1e6:.0f} MB")


def report_signing(args) -> None:
    """CPU per signature of every dev-set text, newsarchive/corpus/minhash.py against datasketch (same values)."""
    import numpy as np
    from datasketch import MinHash  # the test extra's: a comparison, never the library's

    params = Params(shingle=args.shingle)
    texts = ["\n".join(t["paragraphs"]) for t in load_texts(args.min_words)]
    signature(texts[0], params)  # the permutations, drawn once per process in either library
    runs = {}
    for name in ("ours", "datasketch", "ours again"):
        started = time.process_time()
        if name == "datasketch":
            made = []
            for text in texts:
                minhash = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=params.scheme)
                minhash.update_batch(sorted(shingles(text, params.shingle)))
                made.append(minhash.hashvalues)
        else:
            made = [signature(text, params) for text in texts]
        runs[name] = ((time.process_time() - started) / len(texts) * 1000, made)
    same = all(np.array_equal(a, b) for a, b in zip(runs["ours"][1], runs["datasketch"][1]))
    words = sum(len(tokens(t)) for t in texts) / len(texts)
    print(f"{len(texts)} dev-set texts ({words:.0f} words on average), {params.num_perm} permutations, "
          f"{params.shingle}-word shingles (shingling included); identical signatures: {same}")
    for name, (ms, _) in runs.items():
        print(f"  {name:<11} {ms:.3f} ms CPU per signature")
    print(f"  datasketch / ours = {runs['datasketch'][0] / min(runs['ours'][0], runs['ours again'][0]):.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threshold", type=float, default=Params().threshold)
    ap.add_argument("--shingle", type=int, default=Params().shingle)
    ap.add_argument("--positives", type=int, default=200, help="texts made into positive pairs (x7 kinds)")
    ap.add_argument("--negatives", type=int, default=2000, help="random negative pairs")
    ap.add_argument("--min-words", type=int, default=80)
    ap.add_argument("--memory", type=int, metavar="N", help="measure memory on a generated archive of N articles")
    ap.add_argument("--signing", action="store_true", help="CPU per signature, ours against datasketch")
    args = ap.parse_args()
    if args.signing:
        report_signing(args)
    elif args.memory:
        report_memory(args)
    else:
        report_pairs(args)


if __name__ == "__main__":
    main()
