"""MinHash signatures and LSH bands as datasketch 2.0 makes them, with numpy only.

datasketch imports scipy (~0.4 s, ~70 MB) for one integral and signs one
shingle at a time in Python loops; the extraction workers sign every article,
so both would be paid per worker and per page. This module reproduces, bit
for bit, what newsarchive used from it (tests/test_minhash.py compares the two):

* ``MinHash(num_perm, seed, scheme="affine32").update_batch(grams).hashvalues``:
  each input hashed with ``sha1_hash32`` (the first 4 bytes of its SHA-1,
  little-endian), pre-mixed with the MurmurHash3 32-bit finalizer, then
  permuted by ``a * h + b`` in uint32 wraparound (``a`` odd, so a bijection),
  the minimum kept per permutation; ``a`` and ``b`` drawn from
  ``np.random.RandomState(seed)`` in datasketch's order;
* ``datasketch.lsh._optimal_param``: the (bands, rows) whose weighted areas
  of false positives and negatives are smallest. The integrands are
  polynomials of degree ``bands * rows <= num_perm``, so Gauss-Legendre
  quadrature with ``num_perm // 2 + 1`` nodes is exact where scipy's ``quad``
  approximates.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Iterable

import numpy as np

DTYPE = np.dtype(np.uint32)
MAX_HASH = np.uint32(0xFFFFFFFF)  # an empty signature's value, as datasketch starts it
# Inputs per (num_perm x inputs) uint32 product: 128 permutations x 4096 inputs is 2 MB,
# so a book-length text costs time, never a matrix the size of the text times num_perm.
CHUNK = 4096
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def sha1_hash32(data: bytes) -> int:
    """datasketch's default 32-bit hash: the first 4 bytes of SHA-1, little-endian."""
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")


def input_hashes(grams: Iterable[bytes]) -> np.ndarray:
    """``sha1_hash32`` of each input, as one uint32 array (one bytes join, no per-item ints)."""
    sha1 = hashlib.sha1
    # Whole 20-byte digests joined, then every fifth 4-byte word: no slice per input.
    digests = np.frombuffer(b"".join([sha1(g).digest() for g in grams]), dtype="<u4")
    return digests[::5].astype(DTYPE)


def fmix32(hv: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer (a bijection), applied as datasketch pre-mixes its inputs."""
    s1, m1, s2, m2, s3 = _FMIX
    hv = hv ^ (hv >> s1)
    hv = hv * m1  # uint32 array arithmetic wraps: the intended modulo 2^32
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s3)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of datasketch's affine32 permutations, as column vectors (drawn once per params)."""
    if num_perm < 1:
        raise ValueError(f"num_perm must be positive, not {num_perm}")
    gen = np.random.RandomState(seed)
    # The same calls in the same order as datasketch's _init_permutations: the same stream of numbers.
    a = gen.randint(0, 1 << 31, num_perm, dtype=DTYPE) * DTYPE.type(2) + DTYPE.type(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=DTYPE)
    a.flags.writeable = b.flags.writeable = False  # shared by every signature: nobody may change them
    return a.reshape(-1, 1), b.reshape(-1, 1)


def minhash(grams: Iterable[bytes], num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """The affine32 MinHash values of the set ``grams`` (all ``MAX_HASH`` when it is empty)."""
    a, b = permutations(num_perm, seed)
    values = np.full(num_perm, MAX_HASH, dtype=DTYPE)
    hv = fmix32(input_hashes(grams))
    for start in range(0, len(hv), CHUNK):
        chunk = hv[start:start + CHUNK]
        np.minimum(values, (a * chunk + b).min(axis=1), out=values)
    return values


@lru_cache(maxsize=32)
def optimal_bands(threshold: float, num_perm: int, false_positive_weight: float = 0.5,
                  false_negative_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows per band) as ``datasketch.lsh._optimal_param`` chooses them.

    For every split with ``bands * rows <= num_perm``: the area under the
    collision curve ``1 - (1 - s**rows)**bands`` below ``threshold`` (false
    positives) and above the curve beyond it (false negatives), weighed; the
    smallest wins, the first in datasketch's order (bands, then rows) on a tie.
    """
    splits = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    bands = np.array([b for b, _ in splits], dtype=float).reshape(-1, 1)
    rows = np.array([r for _, r in splits], dtype=float).reshape(-1, 1)
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)  # exact to degree num_perm + 1

    def area(low: float, high: float, false_negative: bool) -> np.ndarray:
        s = (high - low) / 2 * nodes + (high + low) / 2
        collides = 1 - (1 - s ** rows) ** bands
        curve = 1 - collides if false_negative else collides
        return curve @ weights * (high - low) / 2

    error = (area(0.0, threshold, False) * false_positive_weight
             + area(threshold, 1.0, True) * false_negative_weight)
    return splits[int(np.argmin(error))]
