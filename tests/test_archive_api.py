"""Reading an archive from Python: Archive(dir) and the Article it hands out."""

from __future__ import annotations

import json

import pytest

from newsarchive.archive import Archive, ArchivedArticle, ArticleFilter
from newsarchive.db.store import Store, article_row
from newsarchive.extract.article import Article, json_default


def test_article_repr_is_short_and_names_it():
    article = Article(text="word " * 3000, title="Storm closes the harbour", url="https://x.example/a", word_count=3000)
    text = repr(article)
    assert len(text) < 200
    assert "Storm closes the harbour" in text and "https://x.example/a" in text and "3000 words" in text


def test_article_is_json_serialisable():
    article = Article(text="Body.", title="T", authors=["A. Writer"], tags=["harbour"], url="https://x.example/a")
    decoded = json.loads(article.to_json())
    assert decoded["authors"] == ["A. Writer"] and decoded["tags"] == ["harbour"] and decoded["text"] == "Body."
    assert json.loads(json.dumps([article], default=json_default))[0]["title"] == "T"


def small_archive(directory, rows):
    store = Store(directory / "news.db")
    for row in rows:
        article = Article(text=row.pop("text", "Some words here."), **{k: row.pop(k) for k in list(row)
                                                                     if k in Article.__dataclass_fields__})
        store.add_article({**article_row(article), **row})
    store.close()
    return directory


@pytest.fixture
def archive_dir(tmp_path):
    return small_archive(tmp_path, [
        dict(url="https://www.gazette.example/a", title="A", site="The Gazette", language="en-GB",
             published="2026-02-01T09:00:00+00:00", word_count=500, authors=["Ann"], fetched_at="2026-03-01T00:00:00+00:00"),
        dict(url="https://news.gazette.example/b", title="B", site="Gazette News", language="fr",
             published="2026-02-10", word_count=80, fetched_at="2026-03-01T00:00:00+00:00"),
        dict(url="https://other.example/c", title="C", site="Other", language="en", word_count=900,
             fetched_at="2026-02-05T12:00:00+00:00"),  # no publication date: its fetch day counts
    ])


@pytest.mark.parametrize("filters, titles", [
    ({}, ["A", "B", "C"]),
    ({"site": "gazette.example"}, ["A", "B"]),  # a host takes its subdomains
    ({"site": "Other"}, ["C"]),  # or a site name
    ({"since": "2026-02-05"}, ["B", "C"]),
    ({"until": "2026-02-05"}, ["A", "C"]),  # both ends included
    ({"language": "en"}, ["A", "C"]),  # en takes en-GB
    ({"min_words": 500}, ["A", "C"]),
])
def test_articles_filters(archive_dir, filters, titles):
    with Archive(archive_dir) as archive:
        assert [a.title for a in archive.articles(**filters)] == titles
        assert archive.count(**filters) == len(titles)


def test_articles_are_archived_articles_with_lists(archive_dir):
    with Archive(archive_dir) as archive:
        first = next(archive.articles())
    assert isinstance(first, ArchivedArticle) and first.authors == ["Ann"] and first.tags == []
    assert first.fetched_at == "2026-03-01T00:00:00+00:00"
    assert json.loads(first.to_json())["authors"] == ["Ann"]


def test_a_bad_date_filter_is_refused():
    with pytest.raises(ValueError):
        ArticleFilter(since="last week")


def test_no_database_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no archive database"):
        Archive(tmp_path)


def test_reading_never_writes(archive_dir):
    before = (archive_dir / "news.db").stat().st_mtime_ns
    with Archive(archive_dir) as archive:
        list(archive.articles())
        with pytest.raises(Exception):
            archive.connection.execute("DELETE FROM articles")
    assert (archive_dir / "news.db").stat().st_mtime_ns == before


def test_capture_reads_the_archived_response(crawled_site):
    site = crawled_site
    url = site.url + "news/plain-story.html"
    with Archive(site.directory) as archive:
        stored = archive.capture(url)
        article = archive.article(url)
    assert stored.status == 200 and stored.body == site.routes["/news/plain-story.html"].body
    assert article is not None and article.title == "Council approves river bridge"


def test_capture_follows_a_revisit_to_its_payload(recrawled_site):
    site = recrawled_site
    with Archive(site.directory) as archive:
        stored = archive.capture(site.url + "news/gzip-story.html")
    assert stored.body == site.routes["/news/gzip-story.html"].body


def test_capture_of_an_unknown_url_is_a_lookup_error(crawled_site):
    with Archive(crawled_site.directory) as archive:
        with pytest.raises(LookupError, match="not in the archive"):
            archive.capture("http://nowhere.example/")
