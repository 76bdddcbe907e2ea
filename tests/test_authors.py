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
