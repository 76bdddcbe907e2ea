"""Our MinHash and LSH bands against datasketch 2.0's (a test dependency only), and no datasketch at run time."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32 as datasketch_sha1_hash32
from datasketch.lsh import _optimal_param

from archive_helpers import article_text
from newsarchive.corpus import minhash as ours
from newsarchive.corpus.neardup import Params, shingles, signature

VOCABULARY = ("harbour ferry council budget storm коли новини прем'єр 東京 の 市長 مرحبا بالعالم "
              "ψηφοφορία Δήμος café naïve 3 1999 x").split()


def texts() -> dict[str, str]:
    rng = random.Random(13)
    found = {
        "empty": "",
        "punctuation only": " … — !",
        "one word": "Harbour",
        "shorter than a shingle": "Storm closes road",
        "short": "The storm closed the coast road on Tuesday, the council said.",
        "article": "\n".join(article_text(5, words=400)),
        # Over one chunk of inputs (minhash.CHUNK), so the chunks' minima are combined.
        "long": " ".join(rng.choice(VOCABULARY) + str(rng.randrange(300)) for _ in range(3 * ours.CHUNK + 17)),
        "non-Latin": " ".join(rng.choice(VOCABULARY[5:17]) for _ in range(300)),
    }
    return found


def datasketch_values(grams: set[bytes], num_perm: int, seed: int) -> np.ndarray:
    minhash = MinHash(num_perm=num_perm, seed=seed, scheme="affine32")
    minhash.update_batch(sorted(grams))
    return minhash.hashvalues


@pytest.mark.parametrize("num_perm", [64, 128, 256])
@pytest.mark.parametrize("seed", [1, 7])
@pytest.mark.parametrize("name", list(texts()))
def test_signatures_are_datasketchs_bit_for_bit(name, seed, num_perm):
    text = texts()[name]
    for size in (1, 5):
        grams = shingles(text, size)
        expected = datasketch_values(grams, num_perm, seed)
        found = ours.minhash(grams, num_perm, seed)
        assert found.dtype == expected.dtype == np.uint32
        assert np.array_equal(found, expected), (name, size)
    made = signature(text, Params(num_perm=num_perm, seed=seed))
    if shingles(text, 5):
        assert np.array_equal(made, datasketch_values(shingles(text, 5), num_perm, seed))
    else:
        assert made is None  # a text without words has no signature (datasketch's would be all 2^32 - 1)


def test_an_empty_set_is_all_maximum_values_as_in_datasketch():
    assert np.array_equal(ours.minhash(set(), 64, 1), datasketch_values(set(), 64, 1))
    assert (ours.minhash([], 64, 1) == 0xFFFFFFFF).all()


def test_the_input_hash_is_datasketchs_sha1_hash32():
    grams = [b"", b"a", "прем'єр 東京".encode(), bytes(range(256))]
    assert ours.input_hashes(grams).tolist() == [datasketch_sha1_hash32(g) for g in grams]
    assert [ours.sha1_hash32(g) for g in grams] == [datasketch_sha1_hash32(g) for g in grams]


def test_permutations_are_drawn_once_and_cannot_be_changed():
    a, b = ours.permutations(128, 1)
    assert ours.permutations(128, 1)[0] is a
    assert (a % 2 == 1).all()  # odd: each permutation is a bijection on 32-bit values
    with pytest.raises(ValueError):
        a[0] = 2


def test_another_scheme_is_refused():
    with pytest.raises(ValueError, match="affine32"):
        signature("Storm closes the coast road", Params(scheme="legacy"))


@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_bands_are_datasketchs_choice(num_perm):
    thresholds = [round(0.05 * i, 2) for i in range(1, 21)]
    found = [ours.optimal_bands(t, num_perm, 0.5, 0.5) for t in thresholds]
    assert found == [_optimal_param(t, num_perm, 0.5, 0.5) for t in thresholds]
    assert all(bands * rows <= num_perm for bands, rows in found)


def test_bands_with_other_weights_are_datasketchs_choice():
    for weights in ((0.9, 0.1), (0.2, 0.8)):
        assert ours.optimal_bands(0.5, 128, *weights) == _optimal_param(0.5, 128, *weights)


def test_signing_and_clustering_import_neither_datasketch_nor_scipy(tmp_path):
    # A fresh interpreter: this test process imported datasketch itself, to compare.
    script = textwrap.dedent(f"""
        import sys
        from newsarchive.demo import SITE_DIR
        from newsarchive.processing.page import process_page
        from newsarchive.db.clusters import update_clusters_at
        from newsarchive.db.store import Store

        url = "https://gazette.test/news/2026/harbour-bridge.html"
        result = process_page((SITE_DIR / "news/2026/harbour-bridge.html").read_bytes(), url, "text/html")
        assert result.signature is not None, result
        store = Store({str(tmp_path / "news.db")!r})
        store.add_article({{"url": url, "title": "t", "text": result.article.text,
                           "fingerprint": result.article.fingerprint}})
        store.add_signature(result.article.fingerprint, result.signature)
        store.close()
        report = update_clusters_at({str(tmp_path / "news.db")!r})
        assert (report.signed, report.presigned) == (1, 1), report
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("datasketch", "scipy")))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
