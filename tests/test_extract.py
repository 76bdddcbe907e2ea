"""newsarchive.extract on whole pages: clean text, nothing of the page around it, and the metadata."""

import re

import pytest

from newsarchive import extract
from newsarchive.extract.extractor import clean_text, decode_html

PARAS = [
    "[ad_1] Azerbaijani President Ilham Aliyev said his country's army took control of a third city "
    "on Saturday, after two weeks of fighting in the mountains of the disputed region.",
    "Officials in the capital said the fighting had displaced thousands of families, many of whom "
    "were now living in schools and sports halls on the edge of the city.",
    "The report cited earlier findings [1] and quoted a commander who said the town was \"taken [sic] "
    "without a single shot\", a claim that could not be verified independently.",
    "[ad_2]",
    "International mediators called for a ceasefire and said they would meet again in Geneva next week "
    "to discuss the return of prisoners and the opening of humanitarian corridors.",
]
TITLE = "Army takes control of third city, president says"


def page(paragraphs: list[str] = PARAS, extra_head: str = "", comments: bool = True) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    comment_block = (
        '<section id="comments" class="comments"><h3>3 Comments</h3><ol class="comment-list">'
        '<li class="comment"><p>What a terrible situation for the families, I hope the mediators '
        'manage to agree something soon because winter is coming.</p></li>'
        '<li class="comment"><p>Comments like these make me wonder whether anyone reads the news '
        'before writing, the article clearly says it could not be verified.</p></li></ol>'
        '<p>Comments are closed.</p></section>'
    ) if comments else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{TITLE} | The Caucasus Herald</title>
<meta property="og:title" content="{TITLE}">
<meta property="og:site_name" content="The Caucasus Herald">
<meta property="article:published_time" content="2020-10-17T09:30:00+00:00">
<meta property="article:tag" content="Conflict"><meta name="author" content="Leyla Mammadova">
<link rel="canonical" href="https://herald.example/2020/10/third-city.html">{extra_head}
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>{TITLE}</h1>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a> <a href="#">Email</a></div>
<div class="entry-content">{body}</div>
<div class="newsletter"><h4>Sign up for our newsletter</h4><p>Get the day's top stories in your inbox.</p>
<form><input type="email"><button>Subscribe</button></form></div>
<p>[source_link]</p>
</article>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a">Ceasefire talks collapse as shelling resumes overnight in the region</a></li>
<li><a href="/b">Refugees describe long journey on foot over the mountains to safety</a></li></ul></aside>
{comment_block}
</main><footer><p>© 2020 The Caucasus Herald. All rights reserved.</p></footer></body></html>"""


@pytest.fixture(scope="module")
def article():
    art = extract(page(), "https://herald.example/2020/10/third-city.html")
    assert art is not None
    return art


def test_text_is_the_article_paragraphs_without_template_tags(article):
    assert article.text.split("\n") == [
        PARAS[0].replace("[ad_1] ", ""), PARAS[1], PARAS[2], PARAS[4],
    ]
    assert {"[ad_1]", "[ad_2]"} <= set(article.removed)
    assert "[source_link]" not in article.text


def test_legitimate_brackets_survive(article):
    assert "findings [1]" in article.text and "[sic]" in article.text


def test_no_headline_copy_furniture_or_comments(article):
    text = article.text
    assert not text.startswith(TITLE)
    for furniture in ("Home", "Share on Facebook", "newsletter", "Related stories", "Ceasefire talks collapse",
                      "Comments", "terrible situation", "All rights reserved"):
        assert furniture not in text


def test_metadata(article):
    assert article.title == TITLE
    assert article.site == "The Caucasus Herald"
    assert article.published == "2020-10-17T09:30:00+00:00"
    assert article.authors == ["Leyla Mammadova"]
    assert article.language == "en"
    assert article.canonical_url == "https://herald.example/2020/10/third-city.html"
    assert "Conflict" in article.tags
    assert article.word_count == len(re.findall(r"\w+", article.text))
    assert len(article.fingerprint) > 10


def test_trafilatura_strategy_is_available_for_comparison():
    art = extract(page(), strategy="trafilatura")
    assert art is not None and "[ad_1]" not in art.text
    with pytest.raises(ValueError):
        extract(page(), strategy="magic")


def test_bytes_are_decoded_by_their_declared_charset():
    html = page(["Le président a déclaré samedi que l'armée avait pris le contrôle d'une troisième ville, "
                 "après deux semaines de combats dans les montagnes de la région disputée."] * 3)
    art = extract(html.replace('charset="utf-8"', 'charset="iso-8859-1"').encode("latin-1"))
    assert art is not None and "président a déclaré" in art.text


# Short and binary pages are the page classifier's business (tests/test_page.py).
@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<html><body><nav><a href=/>Home</a></nav></body></html>"])
def test_pages_without_main_text_are_not_articles(html):
    art = extract(html)
    assert art.text == "" and not art.is_article and art.article_reason == "no main text"


def test_metadata_survives_a_page_without_main_text():
    html = ('<html lang="de"><head><title>Brücke eröffnet | Gazette</title>'
            '<meta property="og:title" content="Brücke eröffnet">'
            '<meta property="article:published_time" content="2026-05-01T09:00:00+02:00">'
            '<meta name="author" content="Anna Weber"></head><body><nav><a href=/>Home</a></nav></body></html>')
    art = extract(html, "https://gazette.example/2026/05/bruecke")
    assert (art.text, art.is_article, art.article_reason) == ("", False, "no main text")
    assert (art.title, art.published, art.language, art.authors) == (
        "Brücke eröffnet", "2026-05-01T09:00:00+02:00", "de", ["Anna Weber"])


def test_extract_gives_the_verdict_a_crawl_stores(article):
    assert (article.is_article, article.article_reason) == (True, "dated main text")


def test_clean_text_drops_a_first_line_that_repeats_any_title():
    text, removed = clean_text(f"{TITLE}\n{PARAS[1]}", "Something else", TITLE)
    assert text == PARAS[1] and removed == [TITLE]


def test_a_paragraph_set_in_a_heading_is_text_not_the_headline():
    para = ("We are an organization of volunteers who publish a magazine offering analysis of politics and "
            "culture, and our website is a forum for people who want to strengthen today's activism.")
    html = (f"<html><head><title>The Volunteer: </title></head><body><h1>Who are we?</h1><h2>{para}</h2>"
            f"<div><p>{PARAS[1]}</p></div></body></html>")
    art = extract(html)
    assert art is not None and para in art.text and art.title != para


def test_clean_text_drops_what_precedes_the_headline_near_the_top():
    text, removed = clean_text(f"Analysis\nWorld\n{TITLE}\n{PARAS[1]}", TITLE)
    assert text == PARAS[1] and removed == ["Analysis", "World", TITLE]


def test_clean_text_keeps_the_text_when_the_headline_is_not_near_the_top():
    lines = [PARAS[1]] * 5 + [TITLE, PARAS[4]]
    text, removed = clean_text("\n".join(lines), TITLE)
    assert text == "\n".join(lines) and removed == []


def test_utf8_bytes_under_a_stale_latin1_declaration_are_read_as_utf8():
    # Re-encoded pages keep <meta charset=iso-8859-1>; browsers would show "donâ€™t".
    html = page([f"The mayor said they don’t expect the café to reopen before spring. {PARAS[1]}"] * 3)
    body = html.replace('charset="utf-8"', 'charset="iso-8859-1"').encode("utf-8")
    assert "don’t" in decode_html(body) and "café" in decode_html(body, "text/html; charset=ISO-8859-1")
    art = extract(body)
    assert art is not None and "don’t expect the café" in art.text


def test_single_byte_declaration_stands_when_bytes_are_not_utf8():
    body = "<html><head><meta charset='windows-1252'></head><body><p>caf\u00e9 \u2019</p></body></html>".encode("cp1252")
    assert "café ’" in decode_html(body)


def test_a_date_the_markup_states_unreadably_is_searched_for():
    body = "".join(f"<p>{p}</p>" for p in PARAS[1:3] * 2)
    html = ('<html><head><title>T</title></head><body><article><p>Posted by Staff '
            f'<time datetime="on Monday July 23, @08:24PM">Monday July 23, 2012</time></p>{body}</article></body></html>')
    assert extract(html, "http://news.example/story/x").published == "2012-07-23"


def test_a_copyright_year_is_not_a_publication_date():
    body = "".join(f"<p>{p}</p>" for p in PARAS[1:3] * 2)
    html = f"<html><head><title>T</title></head><body><article>{body}</article><footer>© 2020 The Gazette</footer></body></html>"
    assert extract(html, "http://news.example/story").published is None
