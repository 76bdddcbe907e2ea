"""Near-duplicate clusters: shingles, signatures, LSH keys, union-find, and update_clusters on a database."""

from __future__ import annotations

import random

import pytest

from archive_helpers import article_text
from newsarchive.corpus.neardup import (Params, UnionFind, band_keys, representative, shingles, signature,
                                        similarity, tokens)
from newsarchive.db.clusters import stored_params, update_clusters
from newsarchive.db.store import open_db

WIRE = article_text(101, words=300)  # the wire story, as paragraphs


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


# -- shingles and signatures ------------------------------------------------------

def test_tokens_are_lowercased_word_runs():
    assert tokens("The Mayor's plan, revised: 3 bridges—now!") == ["the", "mayor", "s", "plan", "revised", "3",
                                                                   "bridges", "now"]


def test_shingles_are_word_windows_and_ignore_case_and_punctuation():
    assert shingles("One two three four", 3) == {b"one two three", b"two three four"}
    assert shingles("ONE, two; three.  Four", 3) == shingles("one two three four", 3)
    assert shingles("Too short", 5) == {b"too short"}
    assert shingles(" … ", 5) == set()


def test_a_signature_is_deterministic_and_none_without_words():
    params = Params()
    text = "\n".join(WIRE)
    first, again = signature(text, params), signature(text, params)
    assert first.dtype.itemsize == 4 and len(first) == params.num_perm
    assert (first == again).all()
    assert signature("—", params) is None


def test_estimated_similarity_follows_the_real_jaccard():
    params = Params()
    words = " ".join(WIRE).split()
    variants = {
        "same": " ".join(words),
        "edited": " ".join(w if i % 25 else "changed" for i, w in enumerate(words)),
        "half": " ".join(words[: len(words) // 2]),
        "other": " ".join(article_text(7, words=300)),
    }
    base = signature(" ".join(words), params)
    for name, text in variants.items():
        real = jaccard(shingles(" ".join(words), params.shingle), shingles(text, params.shingle))
        estimate = similarity(base, signature(text, params))
        # 128 permutations: a standard error of at most 0.045; these texts are fixed, so is the estimate.
        assert abs(estimate - real) < 0.15, (name, real, estimate)
    assert similarity(base, signature(variants["same"], params)) == 1.0
    assert similarity(base, signature(variants["other"], params)) < 0.1


def test_band_keys_match_for_equal_bands_only():
    params = Params(threshold=0.5)
    bands, rows = params.bands
    assert bands * rows <= params.num_perm
    values = signature("\n".join(WIRE), params)
    keys = band_keys(values, params)
    assert len(keys) == bands and len(set(keys)) == bands
    changed = values.copy()
    changed[0] += 1  # only the first band differs
    assert band_keys(changed, params)[1:] == keys[1:] and band_keys(changed, params)[0] != keys[0]


def test_a_threshold_outside_zero_to_one_is_refused():
    for bad in (0, 1.5, -0.2):
        with pytest.raises(ValueError):
            Params(threshold=bad)


def test_union_find_groups():
    groups = UnionFind([1, 2, 3, 4, 5])
    groups.union(1, 2)
    groups.union(4, 5)
    groups.union(2, 5)
    assert sorted(sorted(g) for g in groups.groups()) == [[1, 2, 4, 5], [3]]


def test_a_cluster_is_named_by_its_earliest_member():
    assert representative([("2024-05-02", "https://a/1"), ("2024-05-01T09:00", "https://b/1")]) == "https://b/1"
    assert representative([(None, "https://a/1"), ("2024-05-03", "https://z/1")]) == "https://z/1"  # undated last
    assert representative([("2024-05-01", "https://b/1"), ("2024-05-01", "https://a/1")]) == "https://a/1"


# -- clusters in the database -------------------------------------------------------

def republished(paragraphs: list[str], seed: int) -> str:
    """The wire story as another site runs it: its own intro and outro, a byline, an ad line."""
    rng = random.Random(seed)
    intro, outro = article_text(seed, words=40)[0], article_text(seed + 1, words=30)[0]
    body = list(paragraphs)
    body.insert(rng.randrange(1, len(body)), "Advertisement")
    return "\n".join([f"By Reporter {seed}, Staff Writer", intro, *body, outro])


STORIES = {
    "https://first.example/wire": ("\n".join(WIRE), "2024-05-02T08:00:00Z"),
    "https://second.example/copy": (republished(WIRE, 5), "2024-05-01T12:00:00Z"),  # the earliest
    "https://third.example/copy": (republished(WIRE, 9), "2024-05-03T07:00:00Z"),
    "https://first.example/other": ("\n".join(article_text(202, words=300)), "2024-05-01T06:00:00Z"),
    "https://second.example/other": ("\n".join(article_text(303, words=300)), None),
}
EARLIEST = "https://second.example/copy"


def add(db, url: str, text: str, published: str | None) -> None:
    db["articles"].upsert({"url": url, "text": text, "published": published, "fingerprint": str(hash(text)),
                           "fetched_at": "2024-06-01T00:00:00Z", "title": url}, pk="url")


def clusters(db) -> dict[str, str]:
    return dict(db.execute("SELECT url, cluster_id FROM articles ORDER BY url").fetchall())


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "news.db")
    for url, (text, published) in STORIES.items():
        add(database, url, text, published)
    yield database
    database.close()


def test_republished_copies_share_the_cluster_of_the_earliest(db):
    report = update_clusters(db)
    found = clusters(db)
    wire = [u for u in STORIES if "copy" in u or u.endswith("/wire")]
    assert {found[u] for u in wire} == {EARLIEST}
    assert found["https://first.example/other"] == "https://first.example/other"
    assert found["https://second.example/other"] == "https://second.example/other"
    assert (report.signed, report.clusters, report.clustered) == (5, 1, 3)


def test_a_second_update_signs_nothing_and_a_rebuild_changes_nothing(db):
    update_clusters(db)
    before = clusters(db)
    again = update_clusters(db)
    assert again.signed == 0 and again.compared == 0 and clusters(db) == before
    db.execute("CREATE TEMP TABLE writes (url TEXT)")
    db.execute("CREATE TEMP TRIGGER counted AFTER UPDATE ON articles BEGIN INSERT INTO writes VALUES (new.url); END")
    rebuilt = update_clusters(db, rebuild=True)
    assert rebuilt.rebuilt and rebuilt.signed == len(STORIES) and clusters(db) == before
    # No article's cluster changed, so no articles row was written again.
    assert db.execute("SELECT count(*) FROM writes").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM articles WHERE cluster_id IS NULL").fetchone()[0] == 0


def test_setting_a_cluster_does_not_reindex_the_text():
    # The search index's update trigger fires for title and text only (migration m011).
    import sqlite3

    conn = sqlite3.connect(":memory:")
    from sqlite_utils import Database
    from newsarchive.db.schema import migrate

    db = Database(conn)
    migrate(db)
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_au'").fetchone()[0]
    assert 'AFTER UPDATE OF "title", "text" ON' in sql


def test_incremental_updates_agree_with_a_rebuild_whatever_the_order(tmp_path, db):
    update_clusters(db)
    one_go = clusters(db)
    other = open_db(tmp_path / "other.db")
    for url in reversed(list(STORIES)):  # one article per run, in another order
        add(other, url, *STORIES[url])
        update_clusters(other)
    assert clusters(other) == one_go
    other.close()


def test_a_changed_text_leaves_its_cluster_and_the_rest_is_renamed(db):
    update_clusters(db)
    add(db, EARLIEST, "\n".join(article_text(404, words=300)), "2024-05-01T12:00:00Z")
    report = update_clusters(db)
    found = clusters(db)
    assert report.signed == 1
    assert found[EARLIEST] == EARLIEST
    assert found["https://first.example/wire"] == found["https://third.example/copy"] == "https://first.example/wire"


def test_a_deleted_article_is_forgotten(db):
    update_clusters(db)
    db.execute("DELETE FROM articles WHERE url = ?", [EARLIEST])
    report = update_clusters(db)
    assert report.forgotten == 1
    assert clusters(db)["https://third.example/copy"] == "https://first.example/wire"
    assert db.execute("SELECT count(*) FROM neardup_signatures WHERE url = ?", [EARLIEST]).fetchone()[0] == 0


def test_a_new_article_bridging_two_clusters_merges_them(db):
    # Two halves of one long story are not alike; the whole story is like each half.
    long_story = article_text(505, words=600)
    first, second = long_story[: len(long_story) // 2], long_story[len(long_story) // 2:]
    add(db, "https://a.example/part-1", "\n".join(first), "2024-05-05")
    add(db, "https://b.example/part-1-copy", "\n".join(first) + "\nMore later.", "2024-05-06")
    add(db, "https://c.example/part-2", "\n".join(second), "2024-05-04")
    update_clusters(db, Params(threshold=0.3))
    assert clusters(db)["https://a.example/part-1"] == "https://a.example/part-1"
    assert clusters(db)["https://c.example/part-2"] == "https://c.example/part-2"
    add(db, "https://d.example/whole", "\n".join(long_story), "2024-05-07")
    update_clusters(db)
    found = clusters(db)
    assert {found[u] for u in ("https://a.example/part-1", "https://b.example/part-1-copy",
                               "https://c.example/part-2", "https://d.example/whole")} == {"https://c.example/part-2"}


def test_a_new_threshold_is_kept_and_clusters_again(db):
    update_clusters(db)
    assert stored_params(db) == Params()
    strict = update_clusters(db, Params(threshold=0.99))
    assert strict.rebuilt and strict.clusters == 0
    assert stored_params(db).threshold == 0.99
    assert update_clusters(db).threshold == 0.99  # later runs keep it
    assert not update_clusters(db).rebuilt


def test_an_article_without_words_is_its_own_cluster(db):
    add(db, "https://empty.example/", "", "2024-05-01")
    update_clusters(db)
    assert clusters(db)["https://empty.example/"] == "https://empty.example/"


# -- signatures the extraction workers made -------------------------------------------

def presign(db, url: str, signing: str, blob: bytes) -> None:
    """A worker's signature of ``url``'s text, as the store records it (by the text's fingerprint)."""
    fingerprint = db.execute("SELECT fingerprint FROM articles WHERE url = ?", [url]).fetchone()[0]
    db.execute("INSERT OR REPLACE INTO neardup_presigned (fingerprint, signing, signature) VALUES (?, ?, ?)",
               [fingerprint, signing, blob])


def test_workers_signatures_are_used_and_give_the_same_clusters(tmp_path, db):
    from newsarchive.corpus.neardup import WORKER_PARAMS, signature_blob

    update_clusters(db)
    computed = clusters(db)
    stored = dict(db.execute("SELECT url, signature FROM neardup_signatures").fetchall())
    other = open_db(tmp_path / "other.db")
    for url, (text, published) in STORIES.items():
        add(other, url, text, published)
        presign(other, url, WORKER_PARAMS.signing, signature_blob(text))
    report = update_clusters(other)
    assert (report.signed, report.presigned) == (len(STORIES), len(STORIES))
    assert clusters(other) == computed
    assert dict(other.execute("SELECT url, signature FROM neardup_signatures").fetchall()) == stored
    assert other.execute("SELECT count(*) FROM neardup_presigned").fetchone()[0] == 0  # read once, then gone
    other.close()


def test_a_signature_made_another_way_is_not_used(tmp_path, db):
    from newsarchive.corpus.neardup import signature_blob

    update_clusters(db)
    computed = clusters(db)
    other = open_db(tmp_path / "other.db")
    for url, (text, published) in STORIES.items():
        add(other, url, text, published)
        # Made with other shingles: a signature the stored params would not give, so it must be ignored.
        made = Params(shingle=3)
        presign(other, url, made.signing, signature_blob(text, made))
    report = update_clusters(other)
    assert (report.signed, report.presigned) == (len(STORIES), 0)
    assert clusters(other) == computed
    other.close()
