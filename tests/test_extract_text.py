"""Main-text rules of newsarchive.extract (issue 10): charsets, rails, captions, end matter, fallbacks.

Small hand-written pages only; the dev sets are measured by bench/extraction.py.
"""

from __future__ import annotations

import json

from newsarchive.extract.extractor import decode_html


def test_utf8_bytes_under_a_stale_multibyte_declaration_are_read_as_utf8():
    # A CMS that moved to UTF-8 but kept <meta charset=gb2312>: gb18030 would turn it to mojibake.
    html = "<html><head><meta charset='gb2312'><title>新闻标题</title></head><body><p>北京时间今天上午，市政府发布通知。</p></body></html>"
    assert "北京时间今天上午" in decode_html(html.encode("utf-8"))
    assert "北京时间今天上午" in decode_html(html.encode("utf-8"), "text/html; charset=GB2312")


def test_multibyte_declaration_stands_when_bytes_are_not_utf8():
    html = "<html><head><meta charset='gb2312'></head><body><p>北京时间今天上午，市政府发布通知。</p></body></html>"
    assert "北京时间今天上午" in decode_html(html.encode("gb2312"))
    sjis = "<html><head><meta charset='shift_jis'></head><body><p>東京都は本日、新しい計画を発表した。</p></body></html>"
    assert "東京都は本日" in decode_html(sjis.encode("shift_jis"))


from newsarchive.extract import extract  # noqa: E402
from newsarchive.extract.blocks import page_blocks  # noqa: E402
from newsarchive.extract.dom import parse  # noqa: E402

BODY = [
    "The council voted on Tuesday to close the old harbour bridge to heavy traffic after engineers found "
    "corrosion in two of its main supports during a routine inspection last month.",
    "Repairs are expected to take most of next year, and the council said a temporary ferry service would "
    "run for residents who depend on the bridge to reach the hospital on the other side of the river.",
    "Local businesses said they had been given little warning, and several shop owners told the meeting "
    "that they feared losing customers during the busiest months of the tourist season.",
    "The mayor promised a compensation scheme and said the council would publish the engineers' full report "
    "on its website before the end of the week so that residents could read it for themselves.",
]


def _page(article: str, head: str = "") -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Bridge closes</title>{head}</head>"
            f"<body><nav><a href='/'>Home</a></nav><main><h1>Bridge closes</h1>{article}</main>"
            "<footer><p>Contact us</p></footer></body></html>")


def test_figure_captions_and_credits_are_not_text():
    caption = "Engineers inspect the corroded supports of the harbour bridge on Monday afternoon."
    figure = f"<figure><img src='b.jpg'><figcaption>{caption} <span>Photo: Jane Roe/Agency</span></figcaption></figure>"
    html = _page(f"<article><p>{BODY[0]}</p>{figure}" + "".join(f"<p>{p}</p>" for p in BODY[1:]) + "</article>")
    # The caption is a block of its own, flagged, for the vote to leave out.
    assert [b.caption for b in page_blocks(parse(html)) if caption in b.text] == [True]
    art = extract(html)
    assert art is not None and "Engineers inspect" not in art.text and "Repairs are expected" in art.text


def test_standfirst_repeating_the_description_is_kept_as_the_lead():
    lead = "The harbour bridge will close to lorries for a year after inspectors found serious corrosion."
    head = f"<meta name='description' content='{lead}'>"
    body = "".join(f"<p>{p}</p>" for p in BODY * 2)
    # The standfirst sits in the header, outside the body container readability picks.
    html = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Bridge closes</title>"
            f"{head}</head><body><div class='top'><h1>Bridge closes</h1><ul><li><a href='/a'>Share</a></li>"
            f"<li><a href='/b'>Print</a></li></ul><div class='standfirst'>{lead}</div></div>"
            f"<div class='content'><article>{body}</article></div></body></html>")
    art = extract(html)
    assert art is not None and art.text.startswith(lead)


def test_a_description_found_nowhere_above_the_text_adds_nothing():
    head = "<meta name='description' content='Read the latest news, sport and weather from our region today.'>"
    html = _page("<div class='body'>" + "".join(f"<p>{p}</p>" for p in BODY * 2) + "</div>", head)
    art = extract(html)
    assert art is not None and art.text.startswith(BODY[0][:40]) and "latest news" not in art.text


def test_an_article_nested_in_an_unclosed_aside_is_still_read():
    # "<aside>" never closed: the parser nests the story inside the sidebar.
    body = "".join(f"<p>{p}</p>" for p in BODY)
    html = _page(f"<aside class='rail'><a href='/x'>Most read</a><article>{body}</article>")
    art = extract(html)
    assert art is not None and "Repairs are expected" in art.text and "The mayor promised" in art.text


def test_a_real_sidebar_stays_out():
    side = "<aside><p>" + BODY[3].replace("mayor", "governor") + "</p></aside>"
    html = _page("<article>" + "".join(f"<p>{p}</p>" for p in BODY[:3] * 2) + f"</article>{side}")
    art = extract(html)
    assert art is not None and "governor" not in art.text


def test_json_ld_article_body_stands_in_for_a_teaser_only_dom():
    ld = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "headline": "Bridge closes", "articleBody": f"<p>{BODY[0]}</p>" + "\n".join(BODY[1:] * 2)}]})
    teaser = f"<p>{BODY[0]}</p><div class='paywall'><a href='/subscribe'>Subscribe to read more</a></div>"
    html = _page(f"<article>{teaser}</article>", f"<script type='application/ld+json'>{ld}</script>")
    art = extract(html)
    assert art is not None and art.text.split("\n") == [BODY[0], *BODY[1:] * 2]


def test_json_ld_article_body_does_not_replace_a_full_dom_text():
    ld = json.dumps({"@type": "NewsArticle", "articleBody": " ".join(BODY[:2])})
    html = _page("<article>" + "".join(f"<p>{p}</p>" for p in BODY) + "</article>",
                 f"<script type='application/ld+json'>{ld}</script>")
    art = extract(html)
    assert art is not None and art.text.split("\n") == BODY



def test_link_text_blocks_are_never_elected():
    from newsarchive.extract.blocks import Block
    from newsarchive.extract.consensus import vote

    teaser = Block("Council approves new ferry timetable for the summer months", link_chars=58, label="good")
    paras = [Block(p, label="good") for p in BODY]
    text, _ = vote([paras[0], teaser, *paras[1:]], "\n".join(b.text for b in [paras[0], teaser, *paras[1:]]),
                   "\n".join(b.text for b in [paras[0], teaser, *paras[1:]]))
    assert "ferry timetable" not in text and text.split("\n") == BODY


def test_furniture_in_other_languages_and_end_matter():
    from newsarchive.extract.furniture import strip_furniture

    furniture = [
        "Les også: Slik blir været i helgen",
        "Lesen Sie auch: Die wichtigsten Fragen zur Wahl",
        "Stand: 22.04.2024, 06:00 Uhr",
        "Uppdaterad 15.59 | Publicerad 14.14",
        "3 Min Lesezeit",
        "Lesedauer: 4 Min.",
        "Foto: Jane Roe (Agency)",
        "Citation: New bridge design survives storm tests (2024, May 3) retrieved 4 May 2024 from https://example.org/n/1",
        "This document is subject to copyright. Apart from any fair dealing, no part may be reproduced.",
    ]
    prose = [
        "Stand by your neighbours, the mayor said on Monday.",
        "Les også Kari var der, sa han.",
        "Citation counts rose sharply after the journal retrieved its archive from storage.",
    ]
    text, removed = strip_furniture("\n".join(furniture + prose))
    assert removed == furniture and text.split("\n") == prose


def test_when_readability_missed_the_story_its_container_alone_elects_nothing():
    from newsarchive.extract.blocks import Block
    from newsarchive.extract.consensus import vote

    story = [Block(p, label="good") for p in BODY]
    second = [Block(p, label="good") for p in (
        "The football club announced on Friday that its long-serving coach will retire at the end of the season "
        "after nineteen years in charge of the first team.",
        "Supporters gathered outside the ground to thank him, and the players presented him with a signed shirt "
        "before training began on a cold and windy morning.",
    )]
    # trafilatura read the story; readability picked the next article the page appends below it.
    text, _ = vote(story + second, "\n".join(b.text for b in story), "\n".join(b.text for b in second))
    assert text.split("\n") == BODY


def test_next_js_streamed_markup_stands_in_for_an_empty_dom():
    story = "".join(f"<p>{p}</p>" for p in BODY * 2)
    figure = "<figure><img src='x.jpg'><figcaption>Engineers at work on the bridge.</figcaption></figure>"
    chunk = json.dumps([1, figure + story])
    # A serialised component tree holding markup in its props is not itself the story's markup.
    tree_chunk = json.dumps([1, 'd:["$","$L1",null,{"body":"<p>a</p><p>b</p><p>c</p>"}]'])
    html = ("<!doctype html><html lang='en'><head><title>Bridge closes</title></head><body><div id='root'></div>"
            f"<script>self.__next_f.push({tree_chunk})</script><script>self.__next_f.push({chunk})</script></body></html>")
    art = extract(html)
    assert art is not None and art.text.split("\n") == BODY * 2


def test_caption_and_credit_boxes_without_figure_markup_are_not_text():
    box = ("<div class='article-image'><img src='b.jpg'><div class='image-caption'>Engineers inspect the supports "
           "of the bridge on Monday.</div><span class='photo-credit'>Jane Roe / Agency</span></div>")
    html = _page("<article>" + f"<p>{BODY[0]}</p>{box}" + "".join(f"<p>{p}</p>" for p in BODY[1:]) + "</article>")
    art = extract(html)
    assert art is not None and art.text.split("\n") == BODY
    # A class that merely contains the word is not a caption box.
    assert [b.text for b in page_blocks(parse("<html><body><p class='captioned-video'>Hello there</p></body></html>"))] == ["Hello there"]


STANDINGS = [("Pos", "Team", "P", "W", "D", "L", "Pts"), ("1", "Rovers", "10", "8", "1", "1", "25"),
             ("2", "United", "10", "7", "2", "1", "23"), ("3", "City", "10", "6", "2", "2", "20")]


def _table(rows: list[tuple[str, ...]], linked: bool = False) -> str:
    def cell(value: str) -> str:
        return f"<a href='/team/{value}'>{value}</a>" if linked and value.isalpha() and len(value) > 2 else value

    head = "".join(f"<th>{c}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rows(rows: list[tuple[str, ...]]) -> list[str]:
    return [" | ".join(row) for row in rows]


def test_a_results_table_inside_the_story_is_kept_row_by_row():
    # Linked team names: row by row, readability, the link test and the judgement all turned it down.
    results = [("Home", "Score", "Away"), ("Rovers", "2-1", "United"), ("City", "0-0", "Athletic")]
    html = _page("<article>" + f"<p>{BODY[0]}</p><p>{BODY[1]}</p>{_table(STANDINGS, linked=True)}"
                 f"<p>{BODY[2]}</p><p>{BODY[3]}</p>{_table(results, linked=True)}</article>")
    art = extract(html)
    assert art.text.split("\n") == [*BODY[:2], *_rows(STANDINGS), *BODY[2:], *_rows(results)]
    # WordPress wraps tables in a <figure>: the rows are data, the table's caption is not text.
    wrapped = f"<figure class='wp-block-table'>{_table(results)}<figcaption>Saturday's results</figcaption></figure>"
    assert [b.caption for b in page_blocks(parse(_page(wrapped)))][-4:] == [False, False, False, True]
    art = extract(_page("<article>" + f"<p>{BODY[0]}</p><p>{BODY[1]}</p>{wrapped}<p>{BODY[2]}</p></article>"))
    assert art.text.split("\n") == [*BODY[:2], *_rows(results), BODY[2]]


def test_a_standings_widget_beside_the_story_stays_out():
    widget = f"<div class='sidebar widget'><h3>Standings</h3>{_table(STANDINGS, linked=True)}</div>"
    html = _page("<article>" + "".join(f"<p>{p}</p>" for p in BODY) + f"</article>{widget}")
    art = extract(html)
    assert art.text.split("\n") == BODY


def test_a_menu_laid_out_as_a_table_is_not_a_data_table():
    menu = ("<table><tr><td><a href='/n'>News</a></td><td><a href='/s'>Sport</a></td></tr>"
            "<tr><td><a href='/b'>Business</a></td><td><a href='/w'>Weather</a></td></tr></table>")
    assert [b.table for b in page_blocks(parse(f"<html><body>{menu}</body></html>"))] == [0, 0, 0, 0]
    html = _page("<article>" + "".join(f"<p>{p}</p>" for p in BODY[:2]) + menu
                 + "".join(f"<p>{p}</p>" for p in BODY[2:]) + "</article>")
    assert extract(html).text.split("\n") == BODY


def test_a_photo_gallery_keeps_its_captions_a_story_does_not():
    # One short intro and a caption per picture: the captions are the story (a gallery).
    captions = [f"Picture {n}: " + BODY[n % 4] for n in range(6)]
    gallery = "".join(f"<figure><img src='{n}.jpg'><figcaption>{c}</figcaption></figure>" for n, c in enumerate(captions))
    intro = "Readers sent us their photos of the storm, and here are the best of them from around the county."
    art = extract(_page(f"<article><p>{intro}</p>{gallery}</article>"))
    assert art.text.split("\n") == [intro, *captions]
    one = f"<figure><img src='b.jpg'><figcaption>{captions[0]}</figcaption></figure>"
    story = extract(_page("<article>" + f"<p>{BODY[0]}</p>{one}" + "".join(f"<p>{p}</p>" for p in BODY[1:]) + "</article>"))
    assert story.text.split("\n") == BODY
