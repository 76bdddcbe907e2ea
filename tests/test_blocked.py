"""The ``blocked`` outcome: bot walls and challenge pages, in the rule, in extraction, in the rows and in imports.

The challenge pages here are written for these tests after the vendors' documented
furniture (no page copied from anywhere); the dev sets' real articles are measured by
bench/blocked.py (none flagged).
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlite_utils import Database

from archive_helpers import article_html, write_cc_news_warc
from newsarchive.db.health import SiteTally
from newsarchive.db.store import Store
from newsarchive.extract.article import Article
from newsarchive.jobs.import_warc import import_warcs
from newsarchive.processing.blocked import TINY_BODY, blocked_reason
from newsarchive.processing.outcome import OutcomePolicy, PageCapture
from newsarchive.processing.page import PageResult, process_page


def wall_page(title: str, head: str = "", body: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>{body}"
            "<noscript>Please enable JavaScript and cookies to continue.</noscript></body></html>").encode()


CHALLENGES = {
    "cloudflare": wall_page("Just a moment...", "<script>window._cf_chl_opt = {cType: 'managed'};</script>",
                            "<p>Checking if the site connection is secure.</p>"),
    "cloudflare-block": wall_page("Attention Required! | Cloudflare", "",
                                  "<h1>Sorry, you have been blocked</h1><p>You are unable to access this site.</p>"),
    "datadome": wall_page("example.test", "<script>var dd={'rt':'c','cid':'x'}</script>"
                          "<script src='https://ct.captcha-delivery.com/c.js'></script>"),
    "perimeterx": wall_page("Access to this page has been denied", "",
                            "<p>We believe you are using automation tools.</p><div id='px-captcha'></div>"),
    "akamai": wall_page("Access Denied", "", "<h1>Access Denied</h1><p>You don't have permission to access this "
                        "page on this server.</p><p>Reference #18.1f2e3d4c.1700000000.abcdef</p>"),
    "imperva": wall_page("Request unsuccessful", "", "<p>Request unsuccessful. Incapsula incident ID: 1-2-3</p>"),
    "generic-captcha": wall_page("Are you a robot?", "", "<p>Solve the puzzle to continue.</p>"),
}


@pytest.mark.parametrize("status", [403, 429, 202])
def test_a_wall_status_with_a_tiny_body_is_blocked(status):
    assert blocked_reason(status, b"Forbidden") == f"bot wall: HTTP {status} with a 9-byte body"
    assert blocked_reason(status, b"") is not None


@pytest.mark.parametrize("status, body", [
    (503, b"Service Unavailable"),  # a server that is down is no bot wall
    (404, b"Not found"),
    (500, b""),
    (403, article_html(7, "Forbidden city reopens").encode()),  # a full error page: the site's own 403
])
def test_other_errors_are_not_walls(status, body):
    assert len(body) >= TINY_BODY or status not in (403, 429, 202)
    assert blocked_reason(status, body) is None


@pytest.mark.parametrize("name", sorted(CHALLENGES))
@pytest.mark.parametrize("status", [None, 200, 403, 503])
def test_challenge_pages_are_blocked_whatever_their_status(name, status):
    reason = blocked_reason(status, CHALLENGES[name])
    assert reason is not None and reason.startswith("challenge page (")


def test_cloudflares_mitigation_header_says_blocked():
    body = article_html(3, "Anything").encode()
    assert blocked_reason(403, body, {"CF-Mitigated": "challenge"}) == "challenge page (Cloudflare, cf-mitigated header)"
    assert blocked_reason(403, body, {"Server": "cloudflare"}) is None


@pytest.mark.parametrize("extra", [
    # What vendors inject into ordinary pages, and what articles say about walls.
    '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>',
    '<script src="https://js.datadome.co/tags.js"></script><script>window._pxAppId="PX1";</script>',
    '<form class="comments"><div class="g-recaptcha" data-sitekey="k"></div>Solve the captcha to comment</form>',
    "<p>The page said <code>window._cf_chl_opt</code> and &quot;Just a moment&quot; for hours.</p>",
])
def test_articles_with_wall_furniture_or_words_are_not_blocked(extra):
    page = article_html(5, "Access denied: why sites block readers", extra=extra).encode()
    assert blocked_reason(200, page) is None
    assert process_page(page, "http://news.test/a.html", "text/html").outcome == "article"


@pytest.mark.parametrize("title", ["Airport security check queues grow longer | Daily Example",
                                   "Access denied: the archive that locked out its readers"])
def test_a_headline_with_a_walls_words_is_no_wall_even_on_a_script_rendered_page(title):
    # Pages that render their text from JSON show almost nothing without scripts.
    page = wall_page(title, '<script type="application/ld+json">{"@type": "NewsArticle"}</script>',
                     '<div id="app"></div>')
    assert blocked_reason(200, page) is None


def test_extraction_judges_challenge_pages_blocked():
    result = process_page(CHALLENGES["cloudflare"], "http://news.test/a.html", "text/html; charset=utf-8")
    assert (result.outcome, result.reason, result.article) == ("blocked", "challenge page (Cloudflare challenge)", None)


URL = "http://news.test/2024/bridge.html"


def test_a_blocked_refetch_keeps_the_archived_article(tmp_path):
    store = Store(tmp_path / "news.db")
    counts: Counter = Counter()
    sites = SiteTally()
    policy = OutcomePolicy(store, lambda key, delta: counts.update({key: delta}), per_site=sites.add)
    article = Article(text="The bridge opens.", title="Bridge opens", fingerprint="fp:1", word_count=3)
    policy.record(URL, PageResult("article", "declared type article", article), PageCapture(status=200, crawl_id=1))
    recorded = policy.record(URL, PageResult("blocked", "challenge page (Cloudflare challenge)"),
                             PageCapture(status=200, crawl_id=2, warc_record_id="<urn:uuid:wall>"))
    store.close()
    assert recorded.outcome == "blocked" and recorded.article is None
    db = Database(tmp_path / "news.db")
    page = db["pages"].get(URL)
    assert (page["outcome"], page["reason"], page["crawl_id"]) == ("blocked", "challenge page (Cloudflare challenge)", 2)
    kept = db["articles"].get(URL)
    assert (kept["text"], kept["crawl_id"], kept["warc_record_id"]) == ("The bridge opens.", 1, None)
    assert "articles/dropped" not in counts and counts["pages/blocked"] == 1
    assert sites.counts == {"news.test": Counter({"new": 1, "blocked": 1})}


def test_import_warc_records_walls_as_blocked(tmp_path):
    warc = tmp_path / "walls.warc.gz"
    write_cc_news_warc(warc, [
        ("http://news.test/a.html", article_html(1, "Bridge opens").encode(), {}),
        ("http://news.test/wall.html", b"Forbidden", {"status": "403 Forbidden", "content_type": "text/plain"}),
        ("http://news.test/slow.html", b"", {"status": "429 Too Many Requests"}),
        ("http://news.test/js.html", b"<html></html>", {"status": "202 Accepted"}),
        ("http://news.test/challenge.html", CHALLENGES["datadome"], {"gzip": True}),
        ("http://news.test/down.html", b"Service Unavailable", {"status": "503 Service Unavailable"}),
        ("http://news.test/denied.html", CHALLENGES["akamai"], {"status": "403 Forbidden"}),
    ])
    report = import_warcs([warc], tmp_path / "news.db", workers=1)
    db = Database(tmp_path / "news.db")
    outcomes = {row["url"].rsplit("/", 1)[1]: row["outcome"] for row in db["pages"].rows}
    assert outcomes == {"a.html": "article", "wall.html": "blocked", "slow.html": "blocked", "js.html": "blocked",
                        "challenge.html": "blocked", "down.html": "error", "denied.html": "blocked"}
    assert report.outcomes == {"article": 1, "blocked": 5, "error": 1}
