"""The benchmark metric on hand-made cases (bench/metric.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from metric import (  # noqa: E402
    Counts, PageScore, author_counts, language_match, micro_f1, same_day, score_page, shingles, summarise,
    title_exact, tokens,
)


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


def test_title_exact_ignores_unicode_form_and_spacing_only():
    assert title_exact("Cafe\u0301  opens\n today", "Café opens today")  # NFD vs NFC, runs of spaces
    assert not title_exact("café opens today", "Café opens today")  # case counts
    assert not title_exact("Café opens", "Café opens today")
    assert not title_exact(None, "Café opens today") and not title_exact("", "")


def test_same_day_reads_the_prediction_in_the_truths_offset():
    assert same_day("2024-05-03T23:30:00-05:00", "2024-05-04 06:00:00+02:00")  # 06:30 next day at +02:00
    assert not same_day("2024-05-03T23:30:00-05:00", "2024-05-03 12:00:00+02:00")
    assert same_day("2024-05-03", "2024-05-03 23:59:00+02:00")  # a date alone is taken as stated
    assert same_day("2024-05-03T10:00:00", "2024-05-03 00:00:00")  # neither states an offset
    assert not same_day("2024-05-02", "2024-05-03 00:00:00+00:00")
    assert not same_day(None, "2024-05-03") and not same_day("yesterday", "2024-05-03")


def test_author_counts_fold_case_and_spacing_and_count_each_name_once_per_mention():
    c = author_counts(["JÖRG  Zschoche", "sophie-foster"], ["Jörg Zschoche"])
    assert c == Counts(hits=1, predicted=2, true=1)
    assert author_counts([], ["A B"]) == Counts(0, 0, 1)


def test_micro_f1_pools_counts_over_pages():
    # page 1: 1 of 2 predicted right, 1 true; page 2: nothing predicted, 3 true
    p, r, f1 = micro_f1([Counts(1, 2, 1), Counts(0, 0, 3)])
    assert p == pytest.approx(0.5) and r == pytest.approx(0.25)
    assert f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert micro_f1([]) == (0.0, 0.0, 0.0)


def test_language_compares_primary_subtags():
    assert language_match("de-AT", "de") and language_match("EN_gb", "en")
    assert not language_match("utf", "en") and not language_match(None, "en")
