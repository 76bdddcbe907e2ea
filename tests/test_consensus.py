"""The vote (newsarchive/extract/consensus.py): which blocks three opinions elect."""

from lxml.html import document_fromstring

from newsarchive.extract.blocks import Block
from newsarchive.extract.consensus import ballots, readability_text, vote

A = "The harbour bridge will stay closed until spring while engineers repair the storm damage."
B = "Residents of the old town have been asked to use the ferry, which now runs every twenty minutes."
C = "Council leaders said the repair would cost far more than the original estimate of two million."
TEASER = "Police are looking for witnesses after a van crashed into a shop window in the high street."
TEASER2 = "The school robotics team won the regional final with a machine that sorts recycling."


def block(text: str, good: bool) -> Block:
    return Block(text, label="good" if good else "bad")


def test_readability_with_either_other_opinion_elects_a_block():
    blocks = [block(A, True), block(B, False), block(C, True)]
    text, dropped = vote(blocks, trafilatura=f"{A}\n{B}", readability=f"{A}\n{B}\n{C}")
    assert text.split("\n") == [A, B, C]
    assert dropped == []


def test_trafilatura_and_judgement_alone_do_not_outvote_readability_that_found_the_story():
    blocks = [block(A, True), block(B, True), block(C, True), block(TEASER, True)]
    text, dropped = vote(blocks, trafilatura="\n".join([A, B, C, TEASER]), readability="\n".join([A, B, C]))
    assert TEASER not in text
    assert dropped == [TEASER]


def test_when_readability_chose_another_container_the_other_two_decide():
    # readability returned a teaser box; trafilatura and the judgement agree on the story.
    blocks = [block(A, True), block(B, True), block(C, True), block(TEASER, False)]
    text, _ = vote(blocks, trafilatura="\n".join([A, B, C]), readability=TEASER)
    assert text.split("\n") == [A, B, C]


def test_a_block_needs_two_opinions():
    blocks = [block(TEASER, True), block(A, True), block(TEASER2, False)]
    text, _ = vote(blocks, trafilatura=f"{A}\n{TEASER2}", readability=A)
    assert text == A


def test_a_repeated_block_matches_an_opinion_only_as_often_as_it_holds_it():
    blocks = [block(A, True), block(A, True)]
    votes = ballots(blocks, trafilatura=A, readability=f"{A}\n{A}")
    assert [v.trafilatura for v in votes] == [True, False]
    assert [v.readability for v in votes] == [True, True]


def test_hidden_copies_of_the_story_are_kept_once():
    # Print copy and tab pane: readability and the judgement see the story twice, trafilatura once.
    blocks = [block(A, True), block(B, True), block(A, True), block(B, True)]
    text, _ = vote(blocks, trafilatura=f"{A}\n{B}", readability=f"{A}\n{B}\n{A}\n{B}")
    assert text.split("\n") == [A, B]


def test_repeats_trafilatura_also_kept_are_the_article_quoting_itself():
    blocks = [block(A, True), block(B, True), block(A, True)]
    text, _ = vote(blocks, trafilatura=f"{A}\n{B}\n{A}", readability=f"{A}\n{B}\n{A}")
    assert text.split("\n") == [A, B, A]


def test_short_blocks_match_whole_lines():
    blocks = [block("Damage", True), block(A, True), block("Share", False)]
    text, _ = vote(blocks, trafilatura=f"Damage\n{A}\nShare this", readability=f"Damage\n{A}")
    assert text.split("\n") == ["Damage", A]


def test_no_block_elected_falls_back_to_trafilatura():
    text, dropped = vote([block(TEASER, False)], trafilatura=A, readability="")
    assert (text, dropped) == (A, [])


def test_readability_text_is_one_line_per_block():
    tree = document_fromstring(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>Bridge</h1><p>{A} {B}</p><p>{C} {A}</p><p>{B} {C}</p></article>"
        "<footer>© Gazette</footer></body></html>"
    )
    lines = readability_text(tree).split("\n")
    assert lines == ["Bridge", f"{A} {B}", f"{C} {A}", f"{B} {C}"]




def test_the_story_container_is_the_pages_one_article_when_it_holds_the_story():
    from newsarchive.extract.blocks import story_container as _story_container
    from newsarchive.extract.dom import parse

    story = "<p>" + "The council voted on the new harbour wall after a long debate. " * 20 + "</p>"
    page = parse(f"<html><body><div>Menu Home News</div><article>{story}</article><div>Footer</div></body></html>")
    assert _story_container(page).tag == "article"
    # A teaser card as the only <article> does not hold the story: the whole page is read.
    teaser = parse(f"<html><body><div>{story}</div><article><p>Related: harbour</p></article></body></html>")
    assert _story_container(teaser) is None
    # Two articles: no single container, unless one <main> holds them.
    two = parse(f"<html><body><article>{story}</article><article>{story}</article></body></html>")
    assert _story_container(two) is None
    main = parse(f"<html><body><main><article>{story}</article><article>{story}</article></main></body></html>")
    assert _story_container(main).tag == "main"
    # Script text is not the page's text: a JSON blob does not make the story look small.
    blob = parse(f"<html><body><script>{'x' * 50000}</script><article>{story}</article></body></html>")
    assert _story_container(blob).tag == "article"
ROWS = ["1 | Rovers | 10 | 25", "2 | United | 10 | 23", "3 | City | 10 | 20"]


def _row(text: str) -> Block:
    return Block(text, link_chars=7, table=1, label="bad")


def test_a_data_table_next_to_the_elected_text_is_elected_whole_on_trafilaturas_vote():
    blocks = [block(A, True), block(B, True), *map(_row, ROWS), block(C, True)]
    text, _ = vote(blocks, trafilatura="\n".join([A, B, *ROWS, C]), readability="\n".join([A, B, C]))
    assert text.split("\n") == [A, B, *ROWS, C]


def test_a_data_table_far_from_the_elected_text_or_kept_by_no_extractor_is_not():
    gap = [block(w, False) for w in ("Standings", "Most read", "More sport")]
    far = [block(A, True), block(B, True), *gap, *map(_row, ROWS)]
    text, _ = vote(far, trafilatura="\n".join([A, B, *ROWS]), readability="\n".join([A, B]))
    assert text.split("\n") == [A, B]
    unvoted = [block(A, True), *map(_row, ROWS), block(B, True)]
    text, _ = vote(unvoted, trafilatura="\n".join([A, B]), readability="\n".join([A, B]))
    assert text.split("\n") == [A, B]


def test_captions_stay_out_unless_they_outweigh_the_story():
    caption = Block(TEASER, caption=True, label="good")
    text, _ = vote([block(A, True), caption, block(B, True), block(C, True)],
                   trafilatura="\n".join([A, TEASER, B, C]), readability="\n".join([A, TEASER, B, C]))
    assert text.split("\n") == [A, B, C]
    gallery = [block(A, True), *(Block(t, caption=True, label="good") for t in (TEASER, TEASER2, B))]
    text, _ = vote(gallery, trafilatura="\n".join([A, TEASER, TEASER2, B]), readability="\n".join([A, TEASER, TEASER2, B]))
    assert text.split("\n") == [A, TEASER, TEASER2, B]
