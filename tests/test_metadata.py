"""Markup metadata (newsarchive/extract/metadata.py) and headline choice (newsarchive/extract/headline.py)."""

import pytest

from newsarchive.extract.dom import parse
from newsarchive.extract.headline import choose_headline
from newsarchive.extract.metadata import normalise_date, read_markup


def _markup(head: str = "", body: str = "<p>text</p>"):
    return read_markup(parse(f"<html><head>{head}</head><body>{body}</body></html>"))


@pytest.mark.parametrize(
    "head, body, expected",
    [
        ('<meta property="article:published_time" content="2024-03-01T09:30:00Z">', "<p>t</p>", "2024-03-01T09:30:00+00:00"),
        ('<meta name="pubdate" content="20240302">', "<p>t</p>", "2024-03-02"),
        (
            '<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},'
            '{"@type":"NewsArticle","datePublished":"2024-03-03T10:00:00+01:00"}]}</script>',
            "<p>t</p>",
            "2024-03-03T10:00:00+01:00",
        ),
        ("", '<time datetime="2024-03-04">4 March</time><p>t</p>', "2024-03-04"),
        ("", '<span itemprop="datePublished" content="2024-03-05">5 March</span>', "2024-03-05"),
        ("", '<time itemprop="datePublished" datetime="2024-03-06T08:00">x</time>', "2024-03-06T08:00:00"),
        ('<meta itemprop="datePublished" content="2024-03-07">', "<p>t</p>", "2024-03-07"),
    ],
)
def test_published_date_from_markup(head, body, expected):
    assert _markup(head, body).published == expected


def test_no_date_when_markup_has_none():
    assert _markup("", "<p>Posted on a Monday</p>").published is None


def test_broken_json_ld_does_not_hide_meta_tags():
    m = _markup('<script type="application/ld+json">{broken</script>'
                '<meta property="article:published_time" content="2024-01-01">')
    assert m.published == "2024-01-01"


def test_modified_language_canonical_and_type():
    m = read_markup(parse(
        '<html lang="en-GB"><head><link rel="canonical" href="https://ex.com/a">'
        '<meta property="article:modified_time" content="2024-02-02T00:00:00Z">'
        '<meta property="og:type" content="article"></head><body><p>t</p></body></html>'
    ))
    assert m.modified == "2024-02-02T00:00:00+00:00"
    assert m.language == "en"
    assert m.canonical_url == "https://ex.com/a"
    assert m.page_type == "article"


def test_headline_candidates_collected():
    m = _markup('<meta property="og:title" content="Big news today">'
                '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Big news today, again"}</script>')
    assert m.titles == ["Big news today", "Big news today, again"]  # og:title first


@pytest.mark.parametrize("value, expected", [
    ("2024-05-06", "2024-05-06"),
    ("2024-05-06T07:08:09Z", "2024-05-06T07:08:09+00:00"),
    ("20240506", "2024-05-06"),
    ("May 6, 2024", None),
])
def test_normalise_date(value, expected):
    assert normalise_date(value) == expected


def _tree(title: str, body: str = ""):
    return parse(f"<html><head><title>{title}</title></head><body>{body}<p>x</p></body></html>")


def test_headline_prefers_heading_inside_title():
    tree = _tree("Council approves new bridge - Local - Daily Gazette",
                 "<h1>Daily Gazette</h1><h2>Council approves new bridge</h2>")
    assert choose_headline(tree, [], "Daily Gazette") == "Council approves new bridge"


def test_headline_cuts_site_name_from_title():
    tree = _tree("Council approves new bridge | Daily Gazette")
    assert choose_headline(tree, [], None) == "Council approves new bridge"


def test_headline_keeps_colon_headlines_whole():
    tree = _tree("Bridge vote: council approves the new crossing | Gazette")
    assert choose_headline(tree, [], None) == "Bridge vote: council approves the new crossing"


def test_headline_uses_og_title_when_it_is_part_of_title():
    tree = _tree("Storm closes schools across the county – The Herald")
    assert choose_headline(tree, ["Storm closes schools across the county"], None) == (
        "Storm closes schools across the county"
    )


def test_headline_ignores_short_section_labels():
    tree = _tree("Anand draws with Aronian in round five - Chess News", "<h1>Related News</h1>")
    assert choose_headline(tree, [], "Related News") == "Anand draws with Aronian in round five"


def test_short_headline_that_is_a_title_segment():
    tree = _tree("Storm warning | Fixture News", "<h1>Storm warning</h1>")
    assert choose_headline(tree, [], "Storm warning") == "Storm warning"


def test_headline_skips_the_segment_that_names_the_site():
    tree = _tree("Berkshire Eagle Online - Kerry endorses Obama")
    assert choose_headline(tree, [], "Berkshire Eagle Online", url="http://www.berkshireeagle.com/ci_1") == (
        "Kerry endorses Obama"
    )


def test_headline_candidate_with_section_names_is_cut_to_its_headline():
    tree = _tree("Sport legends slam Aussie cricket team - National - Sport - Blayney Chronicle",
                 "<h2>Sport legends slam Aussie cricket team - National</h2>")
    assert choose_headline(tree, [], None) == "Sport legends slam Aussie cricket team"


def test_headline_is_the_heading_the_text_starts_with_when_title_is_a_section_name():
    tree = _tree("Lifestyle & Entertainment", "<h1>Film review: 'Diving' viewers see world through one eye</h1>")
    lead = "Film review: 'Diving' viewers see world through one eye"
    assert choose_headline(tree, [], "Lifestyle & Entertainment", lead=lead) == lead


def test_headline_space_colon_separates_site_name():
    tree = _tree("tehran times : Mapping dark matter")
    assert choose_headline(tree, [], "tehran times", url="http://www.tehrantimes.com/x") == "Mapping dark matter"


def test_stated_headline_wins_over_a_heading_with_a_kicker_and_is_not_cut_at_inner_colons():
    tree = _tree("Olympics: Bridge vote: council approves crossing - Gazette",
                 "<h1>Olympics: Bridge vote: council approves crossing today</h1>")
    stated = ["Bridge vote: council approves the new crossing", "Olympics: Bridge vote"]
    assert choose_headline(tree, stated, None) == "Bridge vote: council approves the new crossing"


def test_stated_headline_decodes_entities_and_drops_the_site_name_and_what_follows():
    tree = _tree("x")
    assert choose_headline(tree, ["Mayor &quot;quits&quot; | Daily Gazette | by A. Writer"], None,
                           url="https://www.dailygazette.example/a") == 'Mayor "quits"'
    # A leading site name is cut only when the page shows the rest as a heading.
    shown = _tree("x", "<h1>Mayor quits over budget</h1>")
    assert choose_headline(shown, ["Daily Gazette - Mayor quits over budget"], None,
                           site_name="Daily Gazette") == "Mayor quits over budget"


def test_stated_title_that_is_only_the_site_name_does_not_count():
    tree = _tree("Harbour reopens after storm | Gazette", "<h1>Harbour reopens after storm</h1>")
    assert choose_headline(tree, ["Daily Gazette – News from the coast"], None,
                           site_name="Daily Gazette") == "Harbour reopens after storm"


def test_stated_title_with_a_section_trailer_is_cut_back_to_the_heading():
    tree = _tree("x", "<h1>Russia hits Kyiv with ballistic missile</h1>")
    assert choose_headline(tree, ["Russia hits Kyiv with ballistic missile - National"], None) == (
        "Russia hits Kyiv with ballistic missile")


def test_page_type_prefers_json_ld_article_then_listing_types_over_og_type():
    ld = '<script type="application/ld+json">{"@graph":[{"@type":"Organization"},{"@type":"%s"}]}</script>'
    og = '<meta property="og:type" content="website">'
    assert _markup(og + ld % "CollectionPage").page_type == "CollectionPage"
    assert _markup(og + ld % "NewsArticle").page_type == "NewsArticle"
    assert _markup(og + ld % "WebPage").page_type == "website"
