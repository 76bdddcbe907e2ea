"""Datasette, with our metadata, templates and plugin, serves the archive and searches it."""

from __future__ import annotations

import asyncio

import pytest
from newsarchive.datasette import reading_room
from newsarchive.demo import SITE_DIR
from newsarchive.extract.extractor import extract
from newsarchive.db.store import Store, article_row

ARTICLES = ["news/2026/lifeboat-rescue.html", "news/2026/harbour-bridge.html", "news/2026/festival-lumieres.html"]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("ds") / "news.db"
    store = Store(path)
    for name in ARTICLES:
        url = f"http://gazette.example/{name}"
        article = extract((SITE_DIR / name).read_bytes(), url)
        store.add_article({**article_row(article), "url": url})
        store.add_page({"url": url, "outcome": "article", "status": 200})
    store.close()
    return path


def get(db_path, path: str):
    async def fetch():
        return await reading_room(db_path).client.get(path)

    return asyncio.run(fetch())


def test_articles_table_is_served(db_path):
    response = get(db_path, "/news/articles.json?_shape=array&_col=title")
    assert response.status_code == 200
    assert len(response.json()) == len(ARTICLES)


def test_full_text_search_finds_the_article(db_path):
    response = get(db_path, "/news/articles.json?_search=lifeboat&_shape=array")
    titles = [row["title"] for row in response.json()]
    assert len(titles) == 1 and "lifeboat" in titles[0].lower()


def test_metadata_title_facets_and_descriptions_show(db_path):
    page = get(db_path, "/news/articles")
    assert page.status_code == 200
    html = page.text
    assert "newsarchive" in html
    assert "Clean article text" in html  # a column description
    facets = get(db_path, "/news/articles.json").json()["facet_results"]
    assert {"site", "language", "published", "authors", "tags"} <= set(facets)
    languages = {v["value"] for v in facets["language"]["results"]}
    assert languages == {"en", "fr"}


@pytest.mark.parametrize("query", ["council's infrastructure", "nine-month closure", "Saltmere's harbour bridge"])
def test_search_box_takes_plain_words_with_punctuation(db_path, query):
    # What readers type: apostrophes and hyphens are words, not FTS5 syntax errors.
    response = get(db_path, f"/news/articles.json?_search={query}&_shape=array")
    assert response.status_code == 200, response.text[:300]
    assert [row["url"] for row in response.json()] == ["http://gazette.example/news/2026/harbour-bridge.html"]


def test_fts_syntax_stays_available_on_request(db_path):
    response = get(db_path, "/news/articles.json?_search=lifeboat OR festival&_searchmode=raw&_shape=array")
    assert response.status_code == 200
    assert len(response.json()) == 2
