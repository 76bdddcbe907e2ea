"""The benchmark metric on hand-made cases (bench/metric.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from metric import PageScore, score_page, shingles, summarise, tokens  # noqa: E402


def test_tokens_are_lowercased_unicode_word_runs():
    assert tokens("Hello, Wörld! it's 2024") == ["hello", "wörld", "it", "s", "2024"]


def test_shingles_are_a_multiset_of_four_token_windows():
    sh = shingles("a b c d a b c d")
    assert sh[("a", "b", "c", "d")] == 2
    assert sum(sh.values()) == 5


def test_short_text_is_one_shingle():
    assert shingles("just three words") == {("just", "three", "words"): 1}


def test_identical_texts_score_one():
    s = score_page("The quick brown fox jumps over it.", "the quick brown fox jumps over it")
    assert s.precision == 1.0 and s.recall == 1.0 and s.f1 == 1.0


def test_extra_junk_lowers_precision_only():
    gold = "one two three four five six"  # 3 shingles
    s = score_page(gold + " menu home login", gold)  # 6 shingles, 3 shared
    assert s.recall == 1.0
    assert s.precision == pytest.approx(0.5)


def test_missing_text_lowers_recall_only():
    gold = "one two three four five six seven eight"  # 5 shingles
    s = score_page("one two three four five", gold)  # 2 shingles, both gold
    assert s.precision == 1.0
    assert s.recall == pytest.approx(2 / 5)


def test_intersection_counts_repeats_at_most_as_often_as_gold():
    s = score_page("a b c d\na b c d", "a b c d")
    # pred: abcd, bcda, cdab, dabc, abcd (5 shingles, abcd twice); gold: abcd once
    assert s.recall == 1.0
    assert s.precision == pytest.approx(1 / 5)


def test_empty_prediction_counts_for_recall_only():
    s = score_page("", "some gold text here today")
    assert s.precision is None and s.recall == 0.0
    total = summarise([s, PageScore(1.0, 1.0)])
    assert total.precision == 1.0  # the empty page is left out of P
    assert total.recall == 0.5
    assert total.empty == 1


def test_f1_is_harmonic_mean_of_averages():
    total = summarise([PageScore(1.0, 0.5), PageScore(0.5, 1.0)])
    assert total.precision == 0.75 and total.recall == 0.75
    assert total.f1 == pytest.approx(0.75)
