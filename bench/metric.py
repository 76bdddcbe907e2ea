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
from collections import Counter
from dataclasses import dataclass
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
