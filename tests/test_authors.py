"""From the markup's author statements to a list of people (byline.author_names, metadata.read_markup)."""

import pytest

from newsarchive.extract.byline import author_names
from newsarchive.extract.dom import parse
from newsarchive.extract.headline import site_namer
from newsarchive.extract.metadata import read_markup

GAZETTE = site_namer("https://www.gazette.example/2026/05/story", "The Gazette")


def _markup(head: str):
    return read_markup(parse(f"<html><head>{head}</head><body><p>t</p></body></html>"))


@pytest.mark.parametrize("found, expected", [
    ("By Jane Smith", ["Jane Smith"]),
    ("Von Anna Weber", ["Anna Weber"]),
    ("Autorin: Anna Weber", ["Anna Weber"]),
    ("Capital von Jemima Kelly", ["Jemima Kelly"]),
    ("Ursula von der Leyen", ["Ursula von der Leyen"]),
    ("di Mario Rossi", ["Mario Rossi"]),
    ("Di Pietro Antonio", ["Di Pietro Antonio"]),
    ("Ingrid Treborg og Marlene Holm", ["Ingrid Treborg", "Marlene Holm"]),
    ("Anna Weber und Jan Fink", ["Anna Weber", "Jan Fink"]),
    ("Ana Ruiz y Luis Gómez", ["Ana Ruiz", "Luis Gómez"]),
    ("Ann Lee, Bo Chen, Cy Diaz", ["Ann Lee", "Bo Chen", "Cy Diaz"]),
    ("Mathias Hagen; Journalist", ["Mathias Hagen"]),
    ("신현주 기자", ["신현주"]),
    ("Jane Smith, Reporter", ["Jane Smith"]),
    ("Emma Mackenzie; Emma-Mackenzie", ["Emma Mackenzie"]),
    ("The Gazette; Jane Smith", ["Jane Smith"]),  # the publisher goes when someone else is named
    ("The Gazette", ["The Gazette"]),  # ... and stays when it is all there is
])
def test_found_bylines_become_people(found, expected):
    assert author_names([], found, GAZETTE) == expected


def test_stated_authors_win_over_the_found_string():
    assert author_names(["Jane Smith", "Tom Jones"], "Gazette Media Group; Jane Smith", GAZETTE) == [
        "Jane Smith", "Tom Jones"]


def test_a_stated_publisher_yields_to_a_byline_naming_a_person_but_not_to_initials():
    assert author_names(["Gazette.example"], "Jane Smith", GAZETTE) == ["Jane Smith"]
    assert author_names(["gazette"], "Amw", GAZETTE) == ["gazette"]


def test_json_ld_article_authors_are_read_one_by_one():
    m = _markup('<script type="application/ld+json">{"@type":"NewsArticle","author":['
                '{"@type":"Person","name":"Jane  Smith"},{"@type":"Organization","name":"SDA"},'
                '"Tom &amp; Jones","https://gazette.example/staff/x"],'
                '"publisher":{"@type":"Organization","name":"The Gazette"}}</script>')
    assert m.authors == ["Jane Smith", "SDA", "Tom & Jones"]
    assert m.publisher == "The Gazette"


def test_citation_creators_in_last_first_order_are_turned_round():
    m = _markup('<meta name="dc.creator" content="You, Xiaoying"><meta name="dc.creator" content="Lenharo, Mariana">'
                '<meta name="citation_author" content="You, Xiaoying">')
    assert m.authors == ["Xiaoying You", "Mariana Lenharo"]
    assert author_names(m.authors, "You; Xiaoying; Lenharo; Mariana", GAZETTE) == ["Xiaoying You", "Mariana Lenharo"]


def test_a_publisher_only_answer_asks_the_page_byline():
    assert author_names(["The Gazette"], None, GAZETTE, byline=lambda: "By Jane Smith") == ["Jane Smith"]
    assert author_names(["The Gazette"], None, GAZETTE, byline=lambda: None) == ["The Gazette"]
    asked = []
    author_names(["Jane Smith"], None, GAZETTE, byline=lambda: asked.append(1))
    assert not asked  # a person is named: no byline search


# --- bylines printed as text (printed_byline), when the markup names no person ---

from newsarchive import extract  # noqa: E402
from newsarchive.extract.printed_byline import byline_group, labelled_byline, lead_byline, name_list  # noqa: E402

_BODY = " ".join(["The harbour board met on Tuesday evening to discuss the new lifeboat station."] * 12)


def _page(head: str, body: str) -> str:
    paragraphs = "".join(f"<p>{_BODY} Part {i}.</p>" for i in range(3))
    return (f"<html lang='en'><head><title>Harbour plans</title>{head}</head><body>"
            f"<article><h1>Harbour plans</h1>{body}{paragraphs}</article></body></html>")


_PUBLISHER_ONLY = ('<meta name="author" content="Gazette Media (www.gazette.example)">'
                   '<meta name="publisher" content="Gazette Media (www.gazette.example)">')


@pytest.mark.parametrize("text, expected", [
    ("Ann Lee", ["Ann Lee"]),
    ("Ann Lee, Bo Chen", ["Ann Lee", "Bo Chen"]),
    ("ANN LEE/BO CHEN", ["ANN LEE", "BO CHEN"]),
    ("Ursula von der Leyen und J. Fink Meyer", ["Ursula von der Leyen", "J. Fink Meyer"]),
    ("Nick Levine, Music Editor", ["Nick Levine"]),  # a job title is no second person
    ("Berlin nach Hamburg", []),  # a lower-case word: not a name
    ("Key", []),  # one word
    ("Updated 12 May 2024", []),
    ("Gazette Media", []),  # the site
])
def test_printed_names_must_look_like_names(text, expected):
    assert name_list(text, lambda n: "gazette" in n.lower()) == expected


@pytest.mark.parametrize("byline, expected", [
    ("<ul><li><strong>Autorin/Autor</strong>\n Ann Lee\n</li></ul>", ["Ann Lee"]),
    ("<ul><li>Von:\n<span><a href='/a'>Ann  LEE</a>,</span> <span><a href='/b'>Bo Chen</a></span></li></ul>",
     ["Ann LEE", "Bo Chen"]),
    ("<p><span>By</span> <a href='/a'>Ann Lee</a> and <a href='/b'>Bo Chen</a></p>", ["Ann Lee", "Bo Chen"]),
    ("<p>Von Berlin nach Hamburg fährt der Zug.</p>", []),  # a label word in prose
    ("<nav><span>By</span> <a>Top Stories</a></nav>", []),  # outside the article
    ("<div class='comment-top'><span>by</span> <a>Anonymous Coward</a></div>", []),  # a commenter
])
def test_a_labelled_byline_is_read_from_the_page(byline, expected):
    tree = parse(_page("", byline))
    assert labelled_byline(tree, lambda n: False) == expected


def test_a_publisher_only_page_takes_its_printed_byline():
    art = extract(_page(_PUBLISHER_ONLY, "<ul><li><strong>Autor</strong> Ann Lee</li></ul>"),
                  "https://www.gazette.example/2024/05/harbour")
    assert art.authors == ["Ann Lee"]


def test_a_named_person_is_not_replaced_by_a_printed_label():
    head = '<meta name="author" content="Jane Smith">'
    art = extract(_page(head, "<p><span>By</span> <a>Ann Lee</a></p>"), "https://www.gazette.example/x")
    assert art.authors == ["Jane Smith"]


def test_a_bold_lead_byline_names_the_authors_and_leaves_the_text():
    html = _page('<meta name="author" content="Gazette Media">', "<p><strong>Ann Lee/Bo Chen&nbsp;</strong></p>")
    art = extract(html, "https://www.gazette.example/2024/05/harbour")
    assert art.authors == ["Ann Lee", "Bo Chen"]
    assert "Ann Lee" not in art.text and art.text.startswith("The harbour board")
    assert "Ann Lee/Bo Chen" in art.removed


def test_a_bold_line_deep_in_the_text_is_no_byline():
    tree = parse(_page("", ""))
    text = "First paragraph.\nSecond.\nThird.\nAnn Lee"
    assert lead_byline(tree, text, lambda n: False) == ([], None)


def test_a_cms_account_is_not_an_author():
    head = ('<script type="application/ld+json">{"@type":"NewsArticle","author":'
            '{"@id":"https://gazette.example/author/admin/","name":"Gazette D"}}</script>')
    m = _markup(head)
    assert m.accounts == ["Gazette D"]
    art = extract(_page(head, "<p><strong>ANN LEE</strong></p>"), "https://www.example.org/2024/05/harbour")
    assert art.authors == ["ANN LEE"]


def test_the_byline_box_adds_co_authors_the_markup_left_out():
    box = ("<div class='bylines'><div class='byline'><address><a rel='author'>Ingrid Berg </a></address></div>"
           "<div class='byline'><address><a rel='author'>Marit Holm</a></address></div></div>")
    tree = parse(_page("", box))
    assert byline_group(tree, ["Marit Holm"]) == ["Ingrid Berg", "Marit Holm"]
    assert author_names(["Marit Holm"], None, GAZETTE, box=lambda names: byline_group(tree, names)) == [
        "Ingrid Berg", "Marit Holm"]
    # A box that does not print the stated author is another story's byline.
    assert author_names(["Jane Smith"], None, GAZETTE, box=lambda names: ["Ingrid Berg", "Marit Holm"]) == [
        "Jane Smith"]


def test_a_staff_credit_keeps_its_job_title():
    assert author_names(["Gazette staff reporter"], None, site_namer(None)) == ["Gazette staff reporter"]
    assert author_names(["Jane Smith, Reporter"], None, site_namer(None)) == ["Jane Smith"]
