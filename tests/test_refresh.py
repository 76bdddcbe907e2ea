"""may_refresh rules a meta refresh out from the bytes only where Scrapy's get_meta_refresh finds none."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from newsarchive.crawl.refresh import may_refresh

HEADS = [
    '<meta http-equiv="refresh" content="0; url=/next">',
    "<META HTTP-EQUIV=REFRESH CONTENT='5;URL=/later'>",
    '<meta http-equiv="&#82;efresh" content="0;url=/entity">',  # an entity: the bytes still spell "efresh"…
    '<meta http-equiv="Content-Type" content="text/html">',
    '<script>var x = "<meta http-equiv=refresh content=0;url=/in-script>";</script>',
    "<title>Refresh your browser</title>",
    "<title>no such word here</title>",
    "",
]


def response(head: str, charset: str | None, body_text: str = "<p>Grüße, 日本</p>") -> HtmlResponse:
    declared = f'<meta charset="{charset}">' if charset else ""
    html = f"<html><head>{declared}{head}</head><body>{body_text}</body></html>"
    body = html.encode(charset or "utf-8", "xmlcharrefreplace")
    return HtmlResponse("http://site.example/a", body=body, headers={b"Content-Type": b"text/html"})


@pytest.mark.parametrize("charset", [None, "utf-8", "windows-1252", "iso-8859-15", "shift_jis", "utf-16", "cp500"])
@pytest.mark.parametrize("head", HEADS)
def test_never_rules_out_a_refresh_scrapy_finds(head, charset):
    page = response(head, charset)
    found = get_meta_refresh(response(head, charset)) != (None, None)
    if found:
        assert may_refresh(page)
    elif not may_refresh(page):
        assert get_meta_refresh(page) == (None, None)


def test_rules_out_pages_without_the_word_in_ascii_compatible_encodings():
    assert not may_refresh(response("<title>plain</title>", "utf-8"))
    assert not may_refresh(response("<title>plain</title>", "windows-1252"))
    assert may_refresh(response('<meta http-equiv="refresh" content="0;url=/x">', "utf-8"))


def test_asks_scrapy_where_bytes_do_not_spell_ascii():
    # UTF-16 spells "refresh" with NUL bytes between the letters: the bytes prove nothing.
    page = response('<meta http-equiv="refresh" content="0;url=/x">', "utf-16")
    assert get_meta_refresh(page)[1] == "http://site.example/x"
    assert may_refresh(page)
    assert may_refresh(response("<title>plain</title>", "utf-16"))


def test_a_page_ruled_out_is_never_decoded():
    page = response("<title>plain</title>", "utf-8")
    assert not may_refresh(page)
    assert page._cached_ubody is None  # Scrapy's decoded text, built on first use of .text


@pytest.mark.parametrize("filler, found", [("😀" * 4000, True), ("😀" * 4200, False), ("x" * 4000, True),
                                           ("x" * 20000, False)])
def test_the_bytes_read_cover_the_characters_scrapy_reads(filler, found):
    # Four-byte characters before the tag: Scrapy's 4,096 characters are then ~16 KB of bytes.
    html = f'<html><head><title>{filler}</title><meta http-equiv="refresh" content="0;url=/x"></head></html>'
    page = HtmlResponse("http://site.example/a", body=html.encode(), headers={b"Content-Type": b"text/html; charset=utf-8"})
    assert (get_meta_refresh(page) != (None, None)) is found
    assert may_refresh(page) or not found
    assert may_refresh(page) is found  # and past Scrapy's window, the bytes read do not reach it either
