"""Near-duplicate texts: word shingles, MinHash signatures, LSH band keys, and clusters.

Two articles are near-duplicates when the estimated Jaccard similarity of
their sets of word shingles (``Params.shingle`` consecutive ``\\w+`` tokens,
lowercased, as the text fingerprint and the extraction benchmark tokenise) is
at least ``Params.threshold``: a wire story republished with another intro, an
extra paragraph at the end, another byline or an inserted ad line stays above
it; two stories that only share a site's boilerplate or a topic do not
(bench/neardup.py measured the threshold).

Candidates are found by locality-sensitive hashing: the signature is cut into
``bands`` bands of ``rows`` values and each band hashed to one integer key;
two texts sharing any key are compared. The keys live in SQLite
(newsarchive/db/clusters.py), so no index has to sit in memory.

Pure functions and small values here, no database. The MinHash signatures and
the choice of bands for a threshold are datasketch 2's (its ``affine32``
scheme), made with numpy only by newsarchive/corpus/minhash.py: the extraction
workers sign every article, and datasketch would bring scipy into each.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Hashable, Iterable

import numpy as np

from newsarchive.corpus.minhash import minhash, optimal_bands

_WORD = re.compile(r"\w+")
# datasketch 2's default permutation scheme (the one minhash.py implements), named so that signatures
# made another way are never mixed with these: the scheme is part of the stored parameters.
SCHEME = "affine32"
SIGNATURE_DTYPE = np.dtype("<u4")  # affine32 values are 32-bit: 4 bytes per permutation when stored


@dataclass(frozen=True)
class Params:
    """How texts are compared. Stored with the signatures: other params mean signing everything again."""

    threshold: float = 0.5  # estimated Jaccard at or above which two texts are near-duplicates
    shingle: int = 5  # words per shingle
    num_perm: int = 128  # MinHash permutations
    seed: int = 1
    scheme: str = SCHEME

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"a near-duplicate threshold is a Jaccard similarity in (0, 1], not {self.threshold}")

    @property
    def bands(self) -> tuple[int, int]:
        """(bands, rows per band): datasketch's optimum for ``threshold``, false positives and negatives weighed alike."""
        return optimal_bands(self.threshold, self.num_perm, 0.5, 0.5)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def signing(self) -> str:
        """What a signature depends on (all but the threshold), as a key stored with pre-made signatures."""
        return f"{self.shingle}/{self.num_perm}/{self.seed}/{self.scheme}"


# The params the extraction workers sign every article with (newsarchive/processing/page.py):
# ``update_clusters`` uses their signatures when its own params sign the same way.
WORKER_PARAMS = Params()


def tokens(text: str) -> list[str]:
    """Unicode word runs, lowercased: casing and punctuation are not content."""
    return _WORD.findall(text.lower())


def shingles(text: str, size: int) -> set[bytes]:
    """The set of ``size``-word shingles of ``text`` (a shorter text is one shingle; an empty one none)."""
    words = tokens(text)
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    # map over zip: the same set as joining words[i:i + size] for each i, a fifth faster (bench/neardup.py --signing).
    return set(map(str.encode, map(" ".join, zip(*(words[i:] for i in range(size))))))


def signature(text: str, params: Params) -> np.ndarray | None:
    """The MinHash signature of ``text``'s shingles (uint32, ``num_perm`` values); None for a text without words."""
    if params.scheme != SCHEME:
        raise ValueError(f"near-duplicate signatures are made with the {SCHEME} scheme, not {params.scheme}")
    grams = shingles(text, params.shingle)
    if not grams:
        return None
    return minhash(grams, params.num_perm, params.seed).astype(SIGNATURE_DTYPE, copy=False)


def signature_blob(text: str, params: Params = WORKER_PARAMS) -> bytes | None:
    """``signature`` as the bytes ``neardup_signatures`` stores (None: a text without words)."""
    values = signature(text, params)
    return to_blob(values) if values is not None else None


def to_blob(values: np.ndarray) -> bytes:
    return values.astype(SIGNATURE_DTYPE).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=SIGNATURE_DTYPE)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of permutations whose minima agree."""
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(values: np.ndarray, params: Params) -> list[int]:
    """One signed 64-bit key per band (SQLite's INTEGER), the band's number mixed in."""
    bands, rows = params.bands
    keys = []
    for band in range(bands):
        chunk = values[band * rows:(band + 1) * rows].astype(SIGNATURE_DTYPE).tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


class UnionFind:
    """Disjoint sets over any hashable nodes (path halving, union by size)."""

    def __init__(self, nodes: Iterable[Hashable] = ()) -> None:
        self.parent: dict[Hashable, Hashable] = {}
        self.size: dict[Hashable, int] = {}
        for node in nodes:
            self.add(node)

    def add(self, node: Hashable) -> None:
        if node not in self.parent:
            self.parent[node] = node
            self.size[node] = 1

    def find(self, node: Hashable) -> Hashable:
        self.add(node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def groups(self) -> list[list[Hashable]]:
        """Every set, as a list of its nodes."""
        found: dict[Hashable, list[Hashable]] = {}
        for node in self.parent:
            found.setdefault(self.find(node), []).append(node)
        return list(found.values())


def representative(members: Iterable[tuple[str | None, str]]) -> str:
    """The cluster's name: the URL of its earliest member, from (date, url) pairs.

    The date is the article's publication (its fetch time where it states
    none); an undated member comes last, and equal dates fall back to the URL,
    so the choice never depends on the order articles were stored or signed.
    """
    return min(members, key=lambda m: (m[0] is None, m[0] or "", m[1]))[1]
