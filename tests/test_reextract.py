"""Re-extraction from the WARCs: a crawl's articles come back the same, and changes are counted and diffed."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from newsarchive.cli import main
from newsarchive.jobs.reextract import reextract, select_pages
from newsarchive.warc.records import load_row_response
from newsarchive.db.store import open_db
from warcio.archiveiterator import ArchiveIterator

COMPARED = ("url", "title", "text", "fingerprint", "word_count", "published", "authors", "status", "crawl_id",
            "fetched_at", "warc_filename", "warc_offset", "warc_length", "warc_record_id", "payload_digest")


@pytest.fixture
def archive(crawled_site, tmp_path):
    """A writable copy of the crawled archive."""
    target = tmp_path / "archive"
    shutil.copytree(crawled_site.directory, target)
    return target


def articles(directory):
    db = Database(directory / "news.db")
    return {row["url"]: {k: row[k] for k in COMPARED} for row in db["articles"].rows}


def test_from_the_pages_rows_alone_the_same_articles_come_back(crawled_site, tmp_path):
    """Only the pages rows and the WARCs: re-extraction rebuilds the crawl's articles exactly."""
    fresh = tmp_path / "fresh"
    shutil.copytree(crawled_site.directory / "warc", fresh / "warc")
    crawled = Database(crawled_site.directory / "news.db")
    db = open_db(fresh / "news.db")
    db["crawls"].insert_all(crawled["crawls"].rows)
    db["pages"].insert_all(crawled["pages"].rows)
    db.close()
    report = reextract(fresh, workers=1)
    expected = articles(crawled_site.directory)
    assert len(expected) == 5
    assert articles(fresh) == expected
    assert report.counts["added"] == 5 and report.counts["changed"] == report.counts["dropped"] == 0
    assert report.pages == 8  # articles and not_articles with a WARC pointer; not redirects or errors
    outcomes = {row["url"]: row["outcome"] for row in Database(fresh / "news.db")["pages"].rows}
    assert outcomes == {row["url"]: row["outcome"] for row in crawled["pages"].rows}


@pytest.mark.parametrize("crawls", ["crawl", "crawl and recrawl"])
def test_round_trip_crawl_then_reextract_into_a_fresh_database(request, tmp_path, crawls):
    """Nothing but DIR/warc: reextract rebuilds news.db, and the crawl's articles come out the same."""
    crawled = request.getfixturevalue("crawled_site" if crawls == "crawl" else "recrawled_site")
    fresh = tmp_path / "fresh"
    shutil.copytree(crawled.directory / "warc", fresh / "warc")
    result = CliRunner().invoke(main, ["reextract", "--dir", str(fresh), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"rebuilt {fresh / 'news.db'} from" in result.output and "5 articles added" in result.output
    expected = articles(crawled.directory)
    rebuilt = articles(fresh)
    assert len(expected) == 5
    # The same rows, pointing at the same (original) response records; only the run that wrote them differs.
    assert {u: {**row, "crawl_id": None} for u, row in rebuilt.items()} == \
        {u: {**row, "crawl_id": None} for u, row in expected.items()}
    outcomes = {row["url"]: row["outcome"] for row in Database(fresh / "news.db")["pages"].rows}
    assert outcomes == {row["url"]: row["outcome"] for row in Database(crawled.directory / "news.db")["pages"].rows}


def test_rebuild_errors_are_click_errors(crawled_site, tmp_path):
    nothing = CliRunner().invoke(main, ["reextract", "--dir", str(tmp_path / "nowhere")])
    assert nothing.exit_code == 1 and "no archive database" in nothing.output and "no WARC files" in nothing.output
    assert not (tmp_path / "nowhere").exists()
    fresh = tmp_path / "fresh"
    shutil.copytree(crawled_site.directory / "warc", fresh / "warc")
    options = CliRunner().invoke(main, ["reextract", "--dir", str(fresh), "--since", "2024-01-01", "--dry-run"])
    assert options.exit_code == 1 and "--since, --dry-run need an existing database" in options.output
    assert not (fresh / "news.db").exists()


def test_changes_additions_and_drops_are_counted(archive, crawled_site):
    db = Database(archive / "news.db")
    gzip_story, plain_story = crawled_site.url + "news/gzip-story.html", crawled_site.url + "news/plain-story.html"
    about = crawled_site.url + "about.html"
    # As an older extractor might have left things: a worse text, a missed article, a false article.
    db["articles"].update(gzip_story, {"text": "Storm closes the harbour. Subscribe now!"})
    db["articles"].delete(plain_story)
    db["pages"].update(plain_story, {"outcome": "not_article", "reason": "too short (12 words)"})
    db["articles"].insert({**db["articles"].get(gzip_story), "url": about, "fingerprint": "x"})
    db["pages"].update(about, {"outcome": "article"})
    db.close()

    report = reextract(archive, workers=1)

    assert dict(report.counts) == {"changed": 1, "added": 1, "dropped": 1, "unchanged": 3}
    assert articles(archive) == articles(crawled_site.directory)
    db = Database(archive / "news.db")
    assert db["pages"].get(plain_story)["outcome"] == "article"
    assert db["pages"].get(about)["outcome"] == "not_article"
    assert db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'subscribe'").fetchone()[0] == 0


def test_pages_whose_extraction_failed_are_tried_again(archive, crawled_site):
    url = crawled_site.url + "news/chunked-story.html"
    db = Database(archive / "news.db")
    db["articles"].delete(url)
    db["pages"].update(url, {"outcome": "error", "reason": "extraction timed out after 30.0s"})
    db["pages"].update(crawled_site.url + "news/missing.html", {"reason": "HTTP 404"})
    db.close()
    report = reextract(archive, workers=1)
    assert report.counts["added"] == 1 and report.pages == 8  # not the 404, whose error is the fetch's
    assert Database(archive / "news.db")["pages"].get(url)["outcome"] == "article"
    assert articles(archive) == articles(crawled_site.directory)


def test_diff_shows_old_and_new_text_and_dry_run_writes_nothing(archive, crawled_site):
    url = crawled_site.url + "news/gzip-story.html"
    db = Database(archive / "news.db")
    original = db["articles"].get(url)["text"]
    db["articles"].update(url, {"text": "Storm closes the harbour.\nSubscribe now!"})
    db.close()
    result = CliRunner().invoke(main, ["reextract", "--dir", str(archive), "--workers", "1", "--diff", url,
                                       "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"--- {url} (stored)" in result.output
    assert f"+++ {url} (re-extracted)" in result.output
    assert "-Subscribe now!" in result.output
    assert "+" + original.splitlines()[0] in result.output
    assert "1 articles changed, 0 added, 0 dropped, 4 unchanged" in result.output
    assert Database(archive / "news.db")["articles"].get(url)["text"].endswith("Subscribe now!")


def test_diff_of_an_unknown_url_is_a_click_error(archive):
    result = CliRunner().invoke(main, ["reextract", "--dir", str(archive), "--diff", "http://nowhere.test/"])
    assert result.exit_code == 1
    assert "not among the pages to re-extract" in result.output


def test_selection_by_site_and_date(crawled_site):
    db = Database(crawled_site.directory / "news.db")
    host = crawled_site.url.split("/")[2].split(":")[0]
    assert len(list(select_pages(db, site=host))) == 8
    assert list(select_pages(db, site="elsewhere.test")) == []
    assert list(select_pages(db, since="2999-01-01")) == []
    assert len(list(select_pages(db, since="2000-01-01"))) == 8


def test_since_on_the_command_line(archive):
    runner = CliRunner()
    late = runner.invoke(main, ["reextract", "--dir", str(archive), "--since", "2999-01-01", "--dry-run"])
    assert late.exit_code == 0 and late.output.startswith("re-extracted 0 pages")
    early = runner.invoke(main, ["reextract", "--dir", str(archive), "--since", "2000-01-01T00:00:00", "--dry-run",
                                 "--workers", "1"])
    assert early.exit_code == 0 and early.output.startswith("re-extracted 8 pages")
    bad = runner.invoke(main, ["reextract", "--dir", str(archive), "--since", "last week"])
    assert bad.exit_code == 2 and "'last week' does not match the formats" in bad.output


def test_show_summary_text_and_errors(crawled_site):
    runner = CliRunner()
    url = crawled_site.url + "news/latin-story.html"
    summary = runner.invoke(main, ["show", url, "--dir", str(crawled_site.directory)])
    assert summary.exit_code == 0
    assert "Café owners protest" in summary.output and "article (declared type article)" in summary.output
    text = runner.invoke(main, ["show", url, "--text", "--dir", str(crawled_site.directory)])
    assert "coûte 3 €" in text.output
    raw = runner.invoke(main, ["show", url, "--raw", "--dir", str(crawled_site.directory)])
    assert raw.stdout_bytes == crawled_site.routes["/news/latin-story.html"].body
    headers = runner.invoke(main, ["show", url, "--headers", "--dir", str(crawled_site.directory)])
    assert "Content-Type: text/html; charset=windows-1252" in headers.output
    not_article = runner.invoke(main, ["show", crawled_site.url, "--text", "--dir", str(crawled_site.directory)])
    assert not_article.exit_code == 1 and "not an article" in not_article.output
    unknown = runner.invoke(main, ["show", crawled_site.url + "nope", "--dir", str(crawled_site.directory)])
    assert unknown.exit_code == 1 and "not in the archive" in unknown.output


def test_after_a_recrawl_of_unchanged_pages_nothing_changes(recrawled_site, tmp_path):
    """The recrawl wrote revisits and moved the pages' fetch dates on; the articles are as extracted."""
    archive = shutil.copytree(recrawled_site.directory, tmp_path / "archive")
    before = articles(archive)
    report = reextract(archive, workers=1)
    assert dict(report.counts) == {"unchanged": 5}
    assert report.problems == []
    assert articles(archive) == before


def test_a_row_pointing_at_a_revisit_reads_the_original_payload(recrawled_site, tmp_path):
    archive = shutil.copytree(recrawled_site.directory, tmp_path / "archive")
    url = recrawled_site.url + "news/gzip-story.html"
    second = sorted((archive / "warc").glob("*.warc.gz"))[-1]
    with open(second, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type == "revisit" and record.rec_headers.get_header("WARC-Target-URI") == url:
                offset = records.get_record_offset()
                break
    db = Database(archive / "news.db")
    db["pages"].update(url, {"warc_filename": second.name, "warc_offset": offset})
    row = db["pages"].get(url)
    stored = load_row_response(archive, row, db)
    assert stored.record_type == "revisit"
    assert stored.body == recrawled_site.routes["/news/gzip-story.html"].body
    db.close()
    raw = CliRunner().invoke(main, ["show", url, "--raw", "--dir", str(archive)])
    assert raw.exit_code == 0 and raw.stdout_bytes == recrawled_site.routes["/news/gzip-story.html"].body
    report = reextract(archive, workers=1, only_url=url)
    assert report.problems == [] and report.outcomes == {"article": 1}


def test_show_says_when_the_last_fetch_was_a_revisit(recrawled_site):
    url = recrawled_site.url + "news/plain-story.html"
    page = Database(recrawled_site.directory / "news.db")["pages"].get(url)
    result = CliRunner().invoke(main, ["show", url, "--dir", str(recrawled_site.directory)])
    assert result.exit_code == 0
    assert f"Unchanged:     revisit record {page['revisit_record_id']}; payload captured {page['warc_date']}" \
        in result.output
    assert f"WARC:          {page['warc_filename']} @ {page['warc_offset']}" in result.output
