"""The reading room in Datasette, read as HTML through Datasette's own client (the browser test takes pictures)."""

from __future__ import annotations

import json
import re
import sqlite3
import shutil
from html import unescape
from urllib.parse import quote

import pytest
from datasette.utils import tilde_encode

from newsarchive.db.report import datasette_command
from reading_room_helpers import demo_archive, get


@pytest.fixture(scope="module")
def archive(demo_site, tmp_path_factory):
    return demo_archive(demo_site, tmp_path_factory)


@pytest.fixture(scope="module")
def db(archive):
    return archive / "news.db"


def articles(db):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY published DESC")]


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_articles_list_shows_a_few_columns_newest_first(db):
    page = get(db, "/news/articles")
    assert page.status_code == 200
    html = page.text
    table = html[html.index('<table class="reading-list'):html.index("</table>")]
    headers = re.findall(r"<th>(\w+)</th>", table)
    assert headers == ["title", "site", "published", "authors", "words"]
    titles = [unescape(t) for t in re.findall(r'<td class="title"><a href="[^"]+">([^<]+)</a>', table)]
    assert titles == [a["title"] for a in articles(db)]  # newest first
    assert "Clean article text" not in table  # descriptions fold away, the text stays out of the list
    assert "<details class=\"column-descriptions\">" in html


def test_all_columns_come_back_on_request(db):
    html = get(db, "/news/articles?_columns=all").text
    assert 'data-column="text"' in html and 'data-column="warc_offset"' in html
    assert 'data-column="text"' in get(db, "/news/articles?_col=text").text


def test_article_page_reads_as_an_article(db):
    article = next(a for a in articles(db) if json.loads(a["authors"]) and json.loads(a["tags"]))
    page = get(db, "/news/articles/" + tilde_encode(article["url"]))
    assert page.status_code == 200
    html = page.text
    body = html[html.index('<article class="reading">'):html.index("<details>")]
    assert f"<h1>{article['title']}</h1>" in unescape(body)
    for author in json.loads(article["authors"]):
        assert author in unescape(body)
    for tag in json.loads(article["tags"]):
        assert f">{tag}</a></li>" in unescape(body)
    assert article["site"] in unescape(body) and article["language"] in body
    paragraphs = [p for p in article["text"].split("\n") if p.strip()]
    assert unescape(body).count("<p>") >= len(paragraphs)
    assert f"<p>{paragraphs[1]}</p>" in unescape(body)
    assert 'class="raw-capture"' in body and 'class="replay"' in body


def test_raw_capture_link_serves_the_archived_bytes_sandboxed(db, archive):
    article = articles(db)[0]
    html = get(db, "/news/articles/" + tilde_encode(article["url"])).text
    link = unescape(re.search(r'class="raw-capture" href="([^"]+)"', html).group(1))
    response = get(db, link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "sandbox" in response.headers["content-security-policy"]
    from newsarchive.archive import Archive

    with Archive(archive) as reader:
        assert response.content == reader.capture(article["url"]).body


def test_raw_capture_of_an_unknown_page_is_404(db):
    assert get(db, "/-/newsarchive/capture?db=news&url=" + quote("http://nowhere.example/")).status_code == 404


def test_replay_link_points_at_the_capture_time(db):
    article = articles(db)[0]
    html = get(db, "/news/articles/" + tilde_encode(article["url"])).text
    replay = unescape(re.search(r'class="replay" href="([^"]+)"', html).group(1))
    stamp = re.sub(r"\D", "", article["warc_date"] or article["fetched_at"])[:14]
    assert replay == f"http://localhost:8080/news/{stamp}/{article['url']}"


def test_versions_show_when_the_table_exists(db, tmp_path):
    copy = tmp_path / "news.db"
    shutil.copy(db, copy)
    article = articles(db)[0]
    url = "/news/articles/" + tilde_encode(article["url"])
    assert "Versions (" not in get(copy, url).text
    # The migration made every stored article its version 1 (a list of one is not shown); add a second.
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM article_versions WHERE url = ?", [article["url"]]).fetchone()[0] == 1
        conn.execute("UPDATE article_versions SET title = 'First headline' WHERE url = ?", [article["url"]])
        conn.execute("INSERT INTO article_versions (url, version, fetched_at, title, text, word_count) "
                     "VALUES (?, 2, '2026-01-02T00:00:00Z', 'Second headline', 'new', 1)", [article["url"]])
    html = get(copy, url).text
    assert "Versions (2)" in html and "First headline" in html and "Second headline" in html


def test_search_ranks_by_relevance_with_highlighted_passages(db):
    page = get(db, "/news/search?q=lifeboat")
    assert page.status_code == 200
    results = page.text[page.text.index('<ol class="search-results">'):]
    titles = [unescape(t) for t in re.findall(r'<a class="title" href="[^"]+">([^<]+)</a>', results)]
    assert len(titles) >= 2 and "lifeboat" in titles[0].lower()  # the title hit ranks first
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', results, re.S)
    assert all("<mark>" in s.lower() for s in snippets)
    assert all(re.search(r"<mark>lifeboat", s, re.I) for s in snippets)


def test_search_facets_narrow_the_results(db):
    html = get(db, "/news/search?q=saltmere").text
    facets = html[html.index('<div class="search-facets">'):html.index('<ol class="search-results">')]
    total = len(re.findall(r'<a class="title"', html))
    languages = re.findall(r'<a href="([^"]+language=[^"]*)">([^<]+)</a> (\d+)', facets)
    assert len(languages) >= 2, facets  # the demo has English and French articles that name the town
    for link, language, count in languages:
        narrowed = get(db, unescape(link)).text
        assert len(re.findall(r'<a class="title"', narrowed)) == int(count) < total
        assert f"language: <strong>{language}</strong>" in narrowed


@pytest.mark.parametrize("query", ["council's infrastructure", "nine-month closure", '"unbalanced', "AND OR NOT"])
def test_search_takes_what_people_type(db, query):
    page = get(db, "/news/search?q=" + quote(query))
    assert page.status_code == 200 and "message-error" not in page.text


def test_table_search_links_to_ranked_search(db):
    html = get(db, "/news/articles?_search=lifeboat").text
    assert "/news/search?q=lifeboat" in html


@pytest.mark.parametrize("name", ["latest", "per_site_per_day", "site_problems", "crawl_runs"])
def test_canned_queries_answer(db, name):
    rows = get(db, f"/news/{name}.json?_shape=array").json()
    assert isinstance(rows, list) and rows, name


def test_site_problems_lists_errors_and_robots(db):
    rows = get(db, "/news/site_problems.json?_shape=array&site=127.0.0.1").json()
    assert {r["outcome"] for r in rows} == {"error", "robots"}
    assert get(db, "/news/site_problems.json?_shape=array&site=elsewhere.example").json() == []


def test_per_site_per_day_counts_every_article(db):
    rows = get(db, "/news/per_site_per_day.json?_shape=array").json()
    assert sum(r["articles"] for r in rows) == len(articles(db))


def test_crawls_are_readable(db):
    html = get(db, "/news/crawls").text
    assert "<pre" in html and '"NEWSARCHIVE_DIR"' in unescape(html)  # indented JSON, not a wall
    runs = get(db, "/news/crawl_runs.json?_shape=array").json()
    assert runs[0]["responses"] > 0 and runs[0]["articles"] == len(articles(db))


def test_dashboard_serves_the_chart_with_local_scripts(db):
    html = get(db, "/-/dashboards/overview").text
    assert "Articles per day, by site" in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(s.startswith("/") for s in scripts)  # no CDN: works offline
    assert get(db, scripts[1]).status_code == 200


def test_printed_command_uses_the_reading_room(db):
    command = datasette_command(db)
    for option in ("--metadata", "--template-dir", "--plugins-dir"):
        assert option in command
