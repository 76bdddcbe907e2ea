"""Parsing (newsarchive/extract/dom.py) and our readability variant (newsarchive/extract/consensus.py)."""

import copy

import pytest
from lxml.html import HtmlElement, fromstring, tostring
from readability import Document

from newsarchive.extract.consensus import _Readability
from newsarchive.extract.dom import PARSER, _repaired, parse
from trafilatura.utils import repair_faulty_html

PARAGRAPH = "The harbour council met on Tuesday evening, and agreed, after a long debate, to repair the pier. "


def test_every_element_is_a_plain_html_element():
    # lxml.html's own lookup would make these FormElement, InputElement, SelectElement…
    tree = parse("<html><body><form><input name=q><select><option>a</option></select>"
                 "<textarea>t</textarea><label>l</label></form></body></html>")
    assert {type(el) for el in tree.iter() if isinstance(el.tag, str)} == {HtmlElement}


def test_parses_like_trafilatura_comments_and_processing_instructions_dropped():
    tree = parse("<html><body><!-- $DateTime: 2006/04/07 $ --><?php echo 1 ?><p>Text</p></body></html>")
    assert tostring(tree.find("body")) == b"<body><p>Text</p></body>"


def test_a_string_with_an_xml_encoding_declaration_is_parsed():
    # lxml refuses str input that declares an encoding; the UTF-8 bytes are parsed instead.
    tree = parse('<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
                 ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
                 '<head><title>T</title></head><body><p>Caf\u00e9</p></body></html>')
    assert tree.findtext(".//p") == "Caf\u00e9"


def test_an_unterminated_title_is_closed_instead_of_swallowing_the_page():
    body = "<div>" + "<p>Story text that is long enough to matter.</p>" * 20 + "</div>"
    tree = parse(f"<html><head><title>Headline</head><body>{body}</body></html>")
    assert tree.findtext(".//title") == "Headline"
    assert len(tree.findall(".//p")) == 20


def test_a_mangled_doctype_still_gives_a_document():
    tree = parse("<!DOCTYPE html PUBLIC \"broken><html><body><p>Text survives</p></body></html>")
    assert "Text survives" in tree.text_content()


def test_nothing_to_parse_gives_none():
    assert parse("") is None
    assert parse("   \n") is None


def test_our_readability_reads_the_same_text_as_readability_lxml():
    # _Readability skips readability's HTML sanitiser; the text it elects must not change.
    html = f"""<html><head><style>p {{}}</style><link rel=stylesheet href=x.css></head><body>
    <div class="menu"><a href="javascript:go()">Home</a> <a href="/news" onclick="t()">News</a></div>
    <div id="story"><h1>Pier repairs</h1><!-- template 2006 -->
      {"".join(f"<p>{PARAGRAPH * 3}</p>" for _ in range(6))}
      <p hidden>Hidden copy of the story, hidden from readers.</p>
      <p style="display: none">Another hidden copy.</p>
      <script>var x = 1;</script><image src=a.png></div>
    <div class="sidebar"><p>Related: <a href="/a">Ferry strike</a></p></div></body></html>"""

    def text(summary: str) -> str:
        return " ".join(fromstring(summary).text_content().split())

    tree = fromstring(html, parser=PARSER)
    ours = text(_Readability(copy.deepcopy(tree)).summary(html_partial=True))
    theirs = text(Document(copy.deepcopy(tree)).summary(html_partial=True))
    assert ours == theirs
    assert PARAGRAPH.strip() in ours and "Hidden copy" not in ours and "Related" not in ours


@pytest.mark.parametrize("html", [
    "<!DOCTYPE html/>\n<html lang=en />\n<body><p>a\x01b\ufffe c\x0b</p></body>",  # control characters
    "<!doctype html />\n<html/>\n<body><p>No control characters \U0001F600</p></body>",
    "<!DOCTYPE html>\n<html>\n<body><p>Plain page</p></body></html>",
    "<html>\n<head/>\n<body>\n<p>tail />",
])
def test_repair_without_the_whole_page_scan_is_trafilaturas(html):
    # _repaired skips trafilatura's regex over the page when no character it deletes is there;
    # it must give trafilatura's result either way.
    beginning = html[:50].lower()
    assert _repaired(html, beginning) == repair_faulty_html(html, beginning)


def test_control_characters_are_deleted_before_parsing():
    tree = parse("<html><body><p>Harbour\x01 council\x1f</p></body></html>")
    assert tree.find(".//p").text == "Harbour council"
