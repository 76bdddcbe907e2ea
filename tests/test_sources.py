"""The sources file: what it may say, and one clear line (with its line number) for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.sources import Source, SourcesError, download_slots, load_sources, parse_sources

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
# two sites
[[source]]
name = "gazette"
start_urls = ["https://www.gazette.example/"]

[[source]]
name = "courier"
feeds = ["https://courier.example/rss.xml"]
sitemaps = ["https://courier.example/sitemap.xml"]
download_delay = 2
concurrency = 1
"""


def error_of(text: str) -> SourcesError:
    with pytest.raises(SourcesError) as info:
        parse_sources(text, "sites.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("sites.toml:")
    return info.value


def test_a_good_file():
    gazette, courier = parse_sources(GOOD, "sites.toml")
    assert gazette == Source("gazette", start_urls=("https://www.gazette.example/",), line=2)
    assert (courier.name, courier.feeds, courier.sitemaps) == (
        "courier", ("https://courier.example/rss.xml",), ("https://courier.example/sitemap.xml",))
    assert (courier.download_delay, courier.concurrency, courier.line) == (2.0, 1, 6)
    assert courier.hosts == {"courier.example"} and gazette.hosts == {"gazette.example"}


def test_politeness_becomes_download_slots_for_the_host_and_its_www():
    slots = download_slots(parse_sources(GOOD))
    assert slots == {"courier.example": {"delay": 2.0, "concurrency": 1},
                     "www.courier.example": {"delay": 2.0, "concurrency": 1}}


def test_an_ip_host_gets_no_www_slot():
    sources = parse_sources('[[source]]\nname = "local"\nstart_urls = ["http://127.0.0.1:8000/"]\nconcurrency = 2\n')
    assert download_slots(sources) == {"127.0.0.1": {"concurrency": 2}}


def test_syntax_error_names_its_line():
    error = error_of('[[source]]\nname = "x"\nstart_urls = ["https://x.example/"\nfeeds = []\n')
    assert error.line in (3, 4) and "not valid TOML" in error.problem


def test_unknown_key_names_its_line():
    error = error_of(GOOD + 'download_dely = 3\n')
    assert error.line == 12 and "unknown key 'download_dely'" in error.problem and "download_delay" in error.problem


def test_unknown_top_level_key():
    error = error_of('sites = 1\n' + GOOD)
    assert error.line == 1 and "unknown top-level key 'sites'" in error.problem


@pytest.mark.parametrize("line, expected", [
    ('start_urls = "https://x.example/"', "start_urls must be a list of URLs"),
    ("start_urls = [1]", "start_urls must be a list of URLs"),
    ('download_delay = "2s"', "download_delay must be a number of seconds"),
    ("download_delay = -1", "download_delay must be a number of seconds"),
    ("concurrency = 0", "concurrency must be a whole number"),
    ("concurrency = 1.5", "concurrency must be a whole number"),
    ("concurrency = true", "concurrency must be a whole number"),
])
def test_wrong_types_name_the_key_line(line, expected):
    error = error_of(GOOD + f'\n[[source]]\nname = "third"\nfeeds = ["https://third.example/rss"]\n{line}\n')
    assert error.line == 16 and expected in error.problem and "'third'" in error.problem


def test_a_source_needs_a_name():
    error = error_of(GOOD + '\n[[source]]\nstart_urls = ["https://x.example/"]\n')
    assert error.line == 13 and "needs a name" in error.problem


def test_duplicate_names():
    error = error_of(GOOD + '\n[[source]]\nname = "gazette"\nstart_urls = ["https://other.example/"]\n')
    assert error.line == 13 and "'gazette' is used twice (first at line 2)" in error.problem


def test_a_source_without_any_url():
    error = error_of(GOOD + '\n[[source]]\nname = "empty"\nstart_urls = []\n')
    assert error.line == 13 and "lists no URL" in error.problem


def test_no_sources_at_all():
    assert "no sites" in error_of("# nothing yet\n").problem


@pytest.mark.parametrize("url, expected", [
    ("ftp://files.example/", "is not an http(s) URL"),
    ("file:///etc/passwd", "is not an http(s) URL"),
    ("www.gazette.example/news", "has no scheme: did you mean 'https://www.gazette.example/news'?"),
    ("gazette.example:8080/", "has no scheme: did you mean 'https://gazette.example:8080/'?"),
    ("https://", "has no host"),
    ("not a url", "'not a url' is not a URL: give one like https://www.example.com/"),  # no "did you mean"
    ("http://x.example:99999/", "is not a URL"),
])
def test_bad_urls(url, expected):
    error = error_of(GOOD + f'\n[[source]]\nname = "bad"\n\nstart_urls = ["https://ok.example/", "{url}"]\n')
    assert error.line == 16 and expected in error.problem


def test_the_same_url_in_two_sources():
    error = error_of(GOOD + '\n[[source]]\nname = "again"\nstart_urls = ["https://www.gazette.example/"]\n')
    assert error.line == 13 and "already listed by source 'gazette' (line 2)" in error.problem


def test_contradictory_politeness_on_one_host():
    error = error_of(GOOD + '\n[[source]]\nname = "courier-sport"\nstart_urls = ["https://www.courier.example/sport/"]'
                            '\ndownload_delay = 0.5\n')
    assert error.line == 16
    assert "download_delay = 0.5 contradicts download_delay = 2.0 of source 'courier' (line 6)" in error.problem


def test_politeness_given_once_on_a_shared_host_is_no_contradiction():
    sources = parse_sources(GOOD + '\n[[source]]\nname = "courier-sport"\nstart_urls = ["https://courier.example/sport/"]\n')
    assert download_slots(sources)["courier.example"] == {"delay": 2.0, "concurrency": 1}


def test_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(SourcesError, match=r"^.*nowhere\.toml:0: cannot read the sources file"):
        load_sources(tmp_path / "nowhere.toml")


def test_the_shipped_examples_parse():
    example = load_sources(ROOT / "sources.example.toml")
    assert len(example) >= 3 and all(source.urls for source in example)
    assert any(source.download_delay for source in example) and any(not source.feeds for source in example)
    demo, = load_sources(ROOT / "newsarchive" / "demo" / "sources.toml")
    # The demo server's own default port (python -m newsarchive.demo.server).
    assert demo.start_urls == ("http://127.0.0.1:8000/",)


def test_contradiction_between_two_later_sources_on_a_shared_host():
    error = error_of(GOOD + '\n[[source]]\nname = "c1"\nstart_urls = ["https://gazette.example/a/"]\nconcurrency = 2\n'
                            '\n[[source]]\nname = "c2"\nstart_urls = ["https://gazette.example/b/"]\nconcurrency = 4\n')
    assert error.line == 21 and "concurrency = 4 contradicts concurrency = 2 of source 'c1' (line 13)" in error.problem


def test_every_site_of_the_shipped_example_has_its_stories_in_scope():
    """sources.example.toml promises each site's stories are fetched: the site's own host must be in scope."""
    from newsarchive.scope import Scope

    for source in load_sources(ROOT / "sources.example.toml"):
        scope = Scope(list(source.urls))
        for host in source.hosts:  # (the made-up sites are all name.example: a feeds.name.example is a subdomain)
            site = host if host.count(".") == 1 else host.split(".", 1)[1]
            assert scope.refusal(f"https://www.{site}/2026/05/a-story.html") is None, (source.name, host)
