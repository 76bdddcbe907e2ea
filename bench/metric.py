"""Shingle precision / recall / F1, the metric public article-extraction benchmarks use.

Tokens are Unicode ``\\w+`` runs, lowercased; each text is a multiset of
4-token shingles (texts shorter than 4 tokens become one shorter shingle so
they still count). Per page P = |pred & gold| / |pred| and
R = |pred & gold| / |gold| with multiset intersection. An empty prediction
contributes R = 0 and is left out of the precision average: scoring it P = 0
would punish "no answer" as hard as a page of pure junk.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

_WORD = re.compile(r"\w+")
SHINGLE = 4


def tokens(text: str, lower: bool = True) -> list[str]:
    """Unicode word runs; lowercased because casing is not content."""
    return _WORD.findall(text.lower() if lower else text)


def shingles(text: str, n: int = SHINGLE, lower: bool = True) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles of ``text``."""
    toks = tokens(text, lower)
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


@dataclass(frozen=True)
class PageScore:
    precision: float | None  # None when the prediction is empty
    recall: float

    @property
    def f1(self) -> float:
        p = self.precision or 0.0
        return 2 * p * self.recall / (p + self.recall) if p + self.recall else 0.0


def score_page(pred: str | None, gold: str, n: int = SHINGLE, lower: bool = True) -> PageScore:
    """Precision (None for an empty prediction) and recall of one page."""
    gold_sh = shingles(gold, n, lower)
    pred_sh = shingles(pred or "", n, lower)
    if not pred_sh:
        return PageScore(None, 0.0)
    common = sum((pred_sh & gold_sh).values())
    recall = common / sum(gold_sh.values()) if gold_sh else 0.0
    return PageScore(common / sum(pred_sh.values()), recall)


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    pages: int
    empty: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def summarise(scores: Iterable[PageScore]) -> Summary:
    """Average P over non-empty predictions and R over all pages; F1 of the two means."""
    scores = list(scores)
    ps = [s.precision for s in scores if s.precision is not None]
    precision = sum(ps) / len(ps) if ps else 0.0
    recall = sum(s.recall for s in scores) / len(scores) if scores else 0.0
    return Summary(precision, recall, len(scores), len(scores) - len(ps))


# --- metadata: title, publication day, authors, language (devset-modern's README) ---

def norm_title(title: str | None) -> str:
    """NFC and collapsed whitespace: how titles are compared."""
    return " ".join(unicodedata.normalize("NFC", title or "").split())


def title_exact(pred: str | None, gold: str) -> bool:
    return bool(pred) and norm_title(pred) == norm_title(gold)


def _when(value: str) -> datetime | date | None:
    value = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def same_day(pred: str | None, gold: str) -> bool:
    """Same calendar day, read in the offset the truth states.

    A prediction with its own offset is moved into the truth's before its day is
    taken (23:30-05:00 is the next day in UTC); a date-only or offset-less
    prediction is taken as stated.
    """
    want, got = _when(gold), _when(pred or "")
    if want is None or got is None:
        return False
    if isinstance(got, datetime):
        if got.tzinfo is not None and isinstance(want, datetime) and want.tzinfo is not None:
            got = got.astimezone(want.tzinfo)
        got = got.date()
    if isinstance(want, datetime):
        want = want.date()
    return got == want


def norm_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@dataclass(frozen=True)
class Counts:
    """Matches, predicted and true items of one page; summed for micro-averaging."""

    hits: int
    predicted: int
    true: int

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.hits + other.hits, self.predicted + other.predicted, self.true + other.true)


def author_counts(pred: Iterable[str], gold: Iterable[str]) -> Counts:
    """Multiset match of case-folded, whitespace-collapsed names."""
    p = Counter(norm_name(n) for n in pred if n and n.strip())
    g = Counter(norm_name(n) for n in gold if n and n.strip())
    return Counts(sum((p & g).values()), sum(p.values()), sum(g.values()))


def micro_f1(counts: Iterable[Counts]) -> tuple[float, float, float]:
    """Micro-averaged precision, recall and F1 over pages' counts."""
    total = sum(counts, Counts(0, 0, 0))
    p = total.hits / total.predicted if total.predicted else 0.0
    r = total.hits / total.true if total.true else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def language_match(pred: str | None, gold: str) -> bool:
    """ISO 639-1 primary subtags equal ("de-AT" counts as "de")."""
    primary = (pred or "").strip().replace("_", "-").split("-")[0].lower()
    return bool(primary) and primary == gold.strip().lower()
