"""Page blocks (newsarchive/extract/blocks.py): where the text is cut, and jusText's judgement of each block."""

import pytest
from lxml.html import document_fromstring

from newsarchive.extract.blocks import Block, judge, page_blocks, stoplist


def blocks(body: str) -> list[Block]:
    return page_blocks(document_fromstring(f"<html><head><title>T</title></head><body>{body}</body></html>"))


def texts(body: str) -> list[str]:
    return [b.text for b in blocks(body)]


def test_text_is_cut_at_block_elements_and_br_but_not_inline_ones():
    assert texts("<div>one <b>bold</b> <i>two</i><p>three</p>four<br>five<li>six</li></div>") == [
        "one bold two", "three", "four", "five", "six",
    ]


def test_whitespace_is_collapsed_and_empty_blocks_dropped():
    assert texts("<p>  a \n\t b  </p><div> </div><p></p><p>c</p>") == ["a b", "c"]


def test_invisible_text_is_skipped_but_the_tail_after_it_is_kept():
    body = ("<p>before<script>var x = 1;</script> after</p><style>p{}</style>"
            "<p>x<!-- a comment --> y<?php echo 1; ?> z</p><noscript>enable js</noscript>"
            "<template><p>later</p></template><select><option>Choose</option></select>")
    assert texts(body) == ["before after", "x y z"]


@pytest.mark.parametrize("hidden", ['hidden', 'style="display: none"', 'style="visibility:hidden"', 'aria-hidden="true"'])
def test_hidden_elements_are_skipped(hidden):
    assert texts(f"<p>shown</p><div {hidden}><p>print copy</p></div><p>also shown</p>") == ["shown", "also shown"]


def test_link_characters_and_headings_are_counted():
    first, second = blocks('<h2>Title <a href="/t">here</a></h2><p>Read <a href="/x">this story</a> today.</p>')
    assert first.heading and first.link_chars == len("here")
    assert not second.heading and second.link_chars == len("this story")


def test_counters_recover_after_a_hidden_link():
    # A skipped <a> must not leave the walker believing it is still inside a link.
    (block,) = blocks('<p>one <a href="x" hidden>gone</a> two three</p>')
    assert block.text == "one two three" and block.link_chars == 0


def test_page_without_body_is_walked_from_the_root():
    tree = document_fromstring("<html><p>only</p></html>")
    assert [b.text for b in page_blocks(tree)] == ["only"]


PROSE = ("The council said on Monday that it would not be able to open the new bridge before the end of "
         "the year because of the storm damage to the harbour wall.")


def labels(*items: tuple[str, int]) -> list[str]:
    """Judge blocks given as (text, link_chars)."""
    bl = [Block(text, link_chars) for text, link_chars in items]
    return [b.label for b in judge(bl, stoplist("en"))]


def test_long_stopword_rich_prose_is_good_and_link_lists_are_bad():
    assert labels((PROSE, 0), ("Home News Sport Weather Business Culture Opinion", 45)) == ["good", "bad"]


def test_copyright_lines_are_bad():
    assert labels((PROSE, 0), ("© 2026 The Gazette. " + PROSE, 0)) == ["good", "bad"]


def test_short_block_takes_its_neighbours_label():
    # A subheading between two paragraphs is text; a short label between link lists is not.
    assert labels((PROSE, 0), ("Damage", 0), (PROSE, 0)) == ["good", "good", "good"]
    assert labels(("Home News Sport", 15), ("Share", 0), ("More stories here", 17)) == ["bad", "bad", "bad"]


def test_stopword_poor_text_is_bad():
    keywords = "Bridge storm harbour council Monday wall damage ferry terminal quay budget repair cost " * 2
    assert labels((keywords, 0)) == ["bad"]


def test_stoplist_follows_the_page_language_else_all_languages():
    assert "the" in stoplist("en") and "der" not in stoplist("en")
    assert "der" in stoplist("de-AT")
    everything = stoplist(None)
    assert {"the", "der", "les"} <= everything
    assert stoplist("xx-unknown") == everything


RESULTS = ("<table><tr><th>Home</th><th>Score</th><th>Away</th></tr>"
           "<tr><td><a href='/t/1'>Rovers</a></td><td>2-1</td><td>United</td></tr>"
           "<tr><td>City</td><td><p>0-0</p></td><td></td></tr></table>")


def test_a_data_table_is_one_block_per_row_with_its_cells_separated():
    rows = blocks(f"<p>before</p>{RESULTS}<p>after</p>")
    assert [b.text for b in rows] == ["before", "Home | Score | Away", "Rovers | 2-1 | United", "City | 0-0", "after"]
    assert [b.table for b in rows] == [0, 1, 1, 1, 0]
    assert rows[2].link_chars == len("Rovers")


def test_layout_tables_are_still_cut_cell_by_cell():
    prose = "A column of the page's layout, " * 12
    # A cell holding a long column of prose, a table holding a table, a single column: layout, not data.
    assert texts(f"<table><tr><td>Menu</td><td>{prose}</td></tr><tr><td>a</td><td>b</td></tr></table>") == [
        "Menu", prose.strip(), "a", "b"]
    nested = "<table><tr><td>x</td><td><table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table></td></tr></table>"
    assert texts(nested) == ["x", "1 | 2", "3 | 4"]
    assert texts("<table><tr><td>one</td></tr><tr><td>two</td></tr></table>") == ["one", "two"]
    assert all(b.table == 0 for b in blocks("<table><tr><td>one</td></tr><tr><td>two</td></tr></table>"))
