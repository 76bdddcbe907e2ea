"""The scope rule on its own (newsarchive/scope.py): schemes, hosts, ports, sitemaps, addresses, Retry-After."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsarchive.crawl.politeness import retry_after
from newsarchive.scope import ADDRESS, HOST, MALFORMED, PORT, SCHEME, SITEMAP, Scope

PUBLIC = Scope(["https://www.news.example/", "http://other.example:8080/feed.xml"])
LOCAL = Scope(["http://127.0.0.1:8123/"])


@pytest.mark.parametrize("url", [
    "https://www.news.example/a", "http://news.example/a",  # www. dropped, http/https on default ports
    "https://sport.news.example/b", "https://news.example:443/c",
    "http://other.example:8080/story", "http://www.other.example:8080/x",
])
def test_in_scope(url):
    assert PUBLIC.refusal(url) is None


@pytest.mark.parametrize("url, reason", [
    ("file://www.news.example/etc/hostname", SCHEME),
    ("file:///dev/zero", SCHEME),
    ("ftp://news.example/pub/x", SCHEME),
    ("data:text/html,<p>hi</p>", SCHEME),
    ("javascript:alert(1)", SCHEME),
    ("s3://news.example/bucket", SCHEME),
    ("https://evilnews.example/", HOST),  # a suffix, not a subdomain
    ("https://news.example.evil.example/", HOST),
    ("http://news.example@169.254.169.254/latest/meta-data/", HOST),  # userinfo is no host
    ("https://news.example:8443/", PORT),
    ("http://other.example/story", PORT),  # given with :8080 only
    ("http://news.example:99999/", MALFORMED),
    ("http:///nohost", MALFORMED),
])
def test_refused(url, reason):
    assert PUBLIC.refusal(url) == reason


def test_ip_seed_is_exact_and_allows_private_addresses():
    assert LOCAL.refusal("http://127.0.0.1:8123/x") is None
    assert LOCAL.refusal("http://127.0.0.2:8123/x") == HOST
    assert LOCAL.refusal("http://127.0.0.1:8124/x") == PORT
    assert LOCAL.refusal("https://127.0.0.1/x") == PORT
    assert LOCAL.address_refusal("anything", "10.0.0.1") is None


def test_sitemap_entries_stay_on_the_sitemaps_origin():
    sitemap = "https://news.example/sitemap.xml"
    assert PUBLIC.refusal("https://news.example/2026/a.html", sitemap=sitemap) is None
    assert PUBLIC.refusal("http://news.example/2026/a.html", sitemap=sitemap) == SITEMAP
    assert PUBLIC.refusal("https://www.news.example/a.html", sitemap=sitemap) == SITEMAP
    assert PUBLIC.refusal("https://news.example:443/a.html", sitemap=sitemap) is None
    assert PUBLIC.refusal("https://elsewhere.example/a.html", sitemap=sitemap) == HOST


def test_private_addresses_only_when_a_seed_is_one():
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fe80::1",
                    "::ffff:169.254.169.254", "0.0.0.0", "100.64.0.1"):
        assert PUBLIC.address_refusal("cdn.news.example", address) == ADDRESS, address
    assert PUBLIC.address_refusal("cdn.news.example", "93.184.215.14") is None
    # The seed's own host resolving privately is the crawl's choice (an intranet site).
    assert PUBLIC.address_refusal("www.news.example", "10.0.0.7") is None
    assert PUBLIC.needs_resolving("cdn.news.example") and not LOCAL.needs_resolving("localhost")
    assert Scope(["http://localhost:8000/"]).private_ok


def test_extra_hosts_widen_hosts_never_schemes_or_addresses():
    scope = Scope(["https://news.example/"], extra_hosts=["cdn.example", "media.example:8443", "10.0.0.5"])
    assert scope.refusal("https://img.cdn.example/a") is None
    assert scope.refusal("https://media.example:8443/a") is None
    assert scope.refusal("https://media.example/a") == PORT
    assert scope.refusal("file://cdn.example/etc/passwd") == SCHEME
    assert scope.refusal("http://10.0.0.5/") == ADDRESS


def test_retry_after_header_values():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after(b"7", now) == 7.0
    assert retry_after(b"Mon, 30 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after(b"Mon, 30 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after(b"soon", now) is None and retry_after(None, now) is None and retry_after(b"-5", now) is None


def test_the_spider_forbids_other_download_handlers_and_always_enables_its_scope():
    from scrapy.settings import Settings

    from spiders.news import NewsSpider

    file_handler = "scrapy.core.downloader.handlers.file.FileDownloadHandler"
    settings = Settings({"DOWNLOAD_HANDLERS": {"file": file_handler, "x": "my.Handler"}, "METAREFRESH_ENABLED": True,
                         "DOWNLOADER_MIDDLEWARES": {"newsarchive.crawl.scope.ScopeMiddleware": None}},
                        priority="cmdline")
    NewsSpider.update_settings(settings)
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    assert [handlers[scheme] for scheme in ("file", "ftp", "s3", "data")] == [None] * 4
    assert handlers["x"] == "my.Handler" and handlers["http"] is not None
    assert settings.getbool("METAREFRESH_ENABLED") is False
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert middlewares["newsarchive.crawl.scope.ScopeMiddleware"] == 45
    # scrapy crawl applies the project's settings again after update_settings (Scrapy 2.19)
    settings.update(Settings({"DOWNLOADER_MIDDLEWARES": {"x.Y": 1}, "DOWNLOAD_HANDLERS": {}}, priority="project"))
    assert settings.getwithbase("DOWNLOADER_MIDDLEWARES")["newsarchive.crawl.scope.ScopeMiddleware"] == 45
    assert settings.getwithbase("DOWNLOAD_HANDLERS")["file"] is None
