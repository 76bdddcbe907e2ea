"""Page furniture that survives extraction, recognised line by line from a rule table.

Extractors keep short lines such as "Advertisement", "Read more: ...",
"Share this", "0 Comments" or "© 2024 ... All rights reserved" when they sit
inside the article container. Each rule is data: a name and a pattern that
must match the *whole* line. Rules apply only to short lines, because real
sentences contain the same words ("... said in an advertisement ..."). A
short line repeated several times on one page (a gallery label, a "From the
campaign trail" caption) is furniture as well.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_WORD = re.compile(r"\w+")

# Lines with more words than this are prose: no rule touches them.
MAX_WORDS = 12
# A short line seen this often on one page is a repeated label, not text.
REPEAT_MIN = 3
REPEAT_MAX_WORDS = 8


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    max_words: int = MAX_WORDS


def _rule(name: str, pattern: str, max_words: int = MAX_WORDS, flags: int = re.IGNORECASE) -> LineRule:
    # Anchored at both ends: the rule describes the whole line, optional trailing punctuation.
    return LineRule(name, re.compile(rf"^(?:{pattern})[\s.:!|»›>-]*$", flags), max_words)


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
# One piece of a date stamp: a date or time part, a time zone, or a label word around them.
_STAMP_PART = (
    rf"(?:{_MONTH}|{_WEEKDAY}|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}|\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?|"
    r"\d{1,4}(?:st|nd|rd|th)?|[ap]\.?m\.?|gmt|utc|[ecmp][sd]?t|bst|cest?|ist|aest|"
    r"posted|published|updated|last|first|modified|created|date|on|at|of|the|ago|hours?|minutes?|mins?|days?|"
    r"today|yesterday|"
    # The same labels in the languages of the dev sets' neighbours: "Stand: 22.04.2024, 06:00 Uhr",
    # "Uppdaterad 15.59 | Publicerad 14.14", "Actualizado a las 15:10h".
    r"stand|aktualisiert|veröffentlicht|am|um|uhr|publicerad|uppdaterad|publisert|oppdatert|sist|"
    r"publié|mis à jour|le|à|actualizado|publicado|a las|h)"
)
# News agencies whose name heads a date stamp ("Associated Press - January 11, 2008 4:13 PM ET").
_AGENCY = (r"(?:the )?(?:associated press|ap|reuters|afp|agence france-presse|bloomberg(?: news)?|press association|pa|"
           r"canadian press|cp|dpa|xinhua|upi|ians|pti|ani|efe|ansa|kyodo)(?: writer| staff)?")
# ... made only of such pieces, with a number and a date or a time among them (a lone "Sunday"
# may be a subheading of a schedule).
_DATE_STAMP = (rf"(?=.*\d)(?=.*(?:\b{_MONTH}|\b{_WEEKDAY}|\d{{4}}|\d[:.]\d\d|\d/\d))"
               rf"(?:{_AGENCY}[\s,.:;|/–—-]+)?{_STAMP_PART}(?:[\s,.:;|()/–—-]+{_STAMP_PART})*")
# "By JANE DOE, Associated Press Writer Sat Dec 29, 10:10 AM ET": capitalised names, then only
# capitalised words, numbers and separators; "By Monday, the council..." is prose.
_NAME = r"[A-Z][\w.'’-]*"
_BYLINE_TAIL = rf"(?:{_NAME}|\d[\w:.,]*|and|in|at|of|for|the|[ap]\.?m\.?|ago|minutes?|hours?|days?|[-–—|])"
_BYLINE = (rf"(?:[Bb]y|BY|(?:[Ww]ritten|[Rr]eporting|[Pp]osted) by)\s+{_NAME}"
           rf"(?:\s+(?:{_NAME}|and|&|de|van|von|der|da|del|la|le))*"
           rf"(?:\s*[,|–—-]\s*{_BYLINE_TAIL}(?:[\s,]+{_BYLINE_TAIL})*)?")

_SOCIAL = r"facebook|twitter|x|linkedin|pinterest|reddit|whatsapp|email|e-mail|instagram|google\+?|digg|stumbleupon|delicious"

RULES: tuple[LineRule, ...] = (
    _rule("advert", r"(?:advertisement|advertising|sponsored(?: content)?|ad|ads by \w+|paid content)"),
    _rule("continues", r"(?:advertisement\W*)?(?:story|article|text) continues (?:below|after)(?: (?:the )?(?:advertisement|ad))?"),
    _rule("continue-reading", r"(?:continue reading(?: (?:below|the main story|this article))?|scroll (?:down )?to continue.*)"),
    _rule("read-more", r"(?:read|see|find out|learn) more(?:\W.*)?", 10),
    _rule("related", r"(?:related|see also|also read|also see|more on this(?: story| topic)?|recommended(?: for you)?|"
                     r"you (?:may|might) also like|more (?:from|stories|news|articles|headlines)\b.*|"
                     r"related (?:stories|articles|content|links|coverage|news|posts|videos|topics))"
                     r"(?:\s*:.*)?", 10),
    # "Read also" lines in other languages (the link text after the colon goes with them).
    _rule("related-intl", r"(?:les også|lesen sie (?:auch|mehr)|lees (?:ook|meer)|läs (?:också|mer)|læs også|lue myös|"
                          r"leggi anche|(?:à )?lire aussi|lea también|leia também|czytaj (?:też|także|więcej)|"
                          r"auch interessant|mehr zum thema|das könnte sie auch interessieren|"
                          r"weitere artikel|mehr dazu|se også|se även|ver también|voir aussi)(?:\s*:.*)?", 16),
    # "3 Min Lesezeit", "Lesedauer: 4 Min.", "5 min read".
    _rule("reading-time", r"\d+\s*min(?:\.|utes?|uten)?\.?\s*(?:read|reading time|lesezeit|lesedauer|lesetid|läsning|lesing)|"
                          r"(?:reading time|lesezeit|lesedauer|lesetid|lästid)\s*:?\s*\d+\s*min(?:\.|utes?|uten)?", 8),
    _rule("most-read", r"(?:most (?:read|viewed|popular|emailed|shared|commented)|top stories|latest news|"
                       r"trending(?: now)?|editor'?s picks)(?:\W.*)?", 6),
    # A pitch starts with its call to action; prose rarely does.
    _rule("newsletter", r"(?:sign up|subscribe|register|join|stay up[- ]to[- ]date)\b.*"
                        r"\b(?:newsletters?|e-?mails?|inbox|alerts?|updates|digest|free)\b.*|"
                        r"get\b.*\b(?:in your inbox|newsletters?|delivered to your (?:inbox|e-?mail))\b.*", 30),
    _rule("newsletter-bare", r"(?:sign up(?: now| today| here)?|subscribe(?: now| today| here)?|newsletter)"),
    _rule("share", rf"(?:share|tweet|print|email|e-mail|bookmark|save|reprints?|permalink|like|pin|"
                   rf"share (?:this|on|via|with)\b.*|(?:share|post) (?:to|on) (?:{_SOCIAL})|"
                   rf"(?:print|email|e-mail|save|share) (?:this|the) (?:story|article|page|post)|"
                   rf"e-?mail (?:this )?(?:story |article )?to a friend|(?:{_SOCIAL}))"),
    _rule("follow", rf"(?:follow|like|find|join) (?:us|me|@?\w+(?: \w+)?) on (?:{_SOCIAL}).*|follow @\w+.*|"
                    rf"click here\b.*", 14),
    _rule("comments", r"(?:comments? (?:are|is) (?:now )?closed|\d+ (?:comments?|responses?|replies)|no comments(?: yet)?|"
                      r"(?:leave|post|add|write|view|show|read|hide|see) (?:a |your |all |the )?(?:\d+ )?(?:comments?|reply|replies)|"
                      r"comments?(?: \(\d+\))?|be the first to comment(?: on this (?:article|story))?)"),
    # A notice, not a sentence about copyright: the sign or the word, then a year.
    _rule("copyright", r"(?:©|\(c\)|copyright\b)\s*(?:©|\(c\))?\s*(?:\d{4}\b|©).*|©.*", 20),
    _rule("rights", r".*\ball rights reserved\b.*", 20),
    _rule("text-size", r"(?:font|text)(?: size)?\s*:?\s*(?:[-+a]\s*)*|(?:increase|decrease|reset) (?:font|text) size"),
    _rule("nav", r"(?:back to top|skip to (?:main )?content|home|previous|next|prev|(?:previous|next) (?:article|story|page|post|slide)|"
                 r"page \d+ of \d+|(?:image|photo|slide|picture) \d+ (?:of|/) \d+|\d+ of \d+|loading|"
                 r"(?:please )?enable javascript.*|your browser does not support.*)"),
    _rule("tags", r"(?:tags|filed under|topics|posted in|categories)\s*:.*", 14),
    # Date stamps and bylines are metadata (Article.published, Article.authors), not text.
    _rule("dateline", _DATE_STAMP),
    _rule("byline", _BYLINE, 16, flags=0),
    # Credit and contact lines that agencies and papers append.
    _rule("credits", r"\(?(?:additional )?(?:reporting|writing|editing|compiled|translated) by (?-i:[A-Z]).*|"
                     r".*\bcontributed to this (?:report|story|article)\W*|"
                     r"(?:write to|e-?mail|contact)\b.*\bat \S+@\S+.*|to contact the (?:reporters?|editors?|writers?)\b.*", 30),
    _rule("syndication", r"(?:this (?:article|story) (?:was )?(?:originally|first) (?:published|appeared)|"
                         r"the full article contains \d+ words|"
                         r"this story is sourced direct from\b|a version of this (?:article|story) appear(?:s|ed)\b).*", 40),
    # "Published: October 30th, 2012 | Tags: ...": the post's date and tags on one line.
    _rule("meta-line", r"(?:posted|published|updated|filed)\b.{0,60}?\|\s*(?:tags|filed under|categories|topics)\s*:.*", 60),
    # "Jim Wilson/The New York Times", "Photo: Reuters", "(Credit: CNET)".
    _rule("photo-credit", r"\(?(?:photo(?:graph)?s?|images?|credit|photo credit|fotos?|bild(?:er)?|bildquelle|quelle|"
                          r"kilde|källa|fuente|crédit|credito|fotó)\s*:\s*(?-i:[A-Z])[^.!?]*\)?|"
                          r"(?-i:[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3})\s*/\s*(?-i:[A-Z])[^.!?]*", 8),
    # Legal small print: reproduction bans, disclaimers about linked sites, trademark notices.
    _rule("small-print", r"(?:.*?\.\s+)?(?:this|the|these|all|no part of (?:this|the))?\s*"
                         r"(?:material|article|content|contents|story|information|text|page|publication|site)s?\b"
                         r".{0,40}?\b(?:may|must|can)(?:not| not) be (?:\w+,? )*(?:reproduced|published|redistributed|rewritten|broadcast)\b.*|"
                         r".*\breproduction\b.*\bwithout\b.*\bpermission\b.*|"
                         r".*\bis not responsible for the content of external (?:sites|websites|links)\b.*|"
                         r".*\btrademarks? of their respective (?:owners|holders|companies)\b.*", 30),
    # How to cite the page, and the notice under it, at the end of science news: "Citation: Title (2024,
    # May 3) retrieved 4 May 2024 from https://...", "This document is subject to copyright. Apart from ...".
    _rule("citation", r"citation\s*:.*\bretrieved\b.*\bfrom\b.*", 80),
    _rule("subject-to-copyright", r"(?:this|the) (?:document|article|material|content|page) is subject to copyright\b.*", 60),
    _rule("trackbacks", r"listed below are links to (?:weblogs|blogs|sites) that reference\b.*|trackback url.*", 40),
    _rule("breadcrumb", r"you are here\s*:.*|«[^»]*\|\s*main\s*\|.*", 20),
    _rule("have-your-say", r"have your say(?: on this (?:story|article))?|(?:thanks|thank you) for your comments?\b.*|"
                           r"(?:this )?(?:feedback|discussion) is (?:now )?closed", 14),
)


def _is_furniture(line: str) -> str | None:
    """Name of the rule the line matches, or None for text."""
    stripped = line.strip()
    words = len(_WORD.findall(stripped))
    for rule in RULES:
        if words <= rule.max_words and rule.pattern.match(stripped):
            return rule.name
    return None


def strip_furniture(text: str) -> tuple[str, list[str]]:
    """Drop furniture lines and short lines repeated on the page; return text and dropped lines."""
    lines = text.split("\n")
    counts = Counter(line.strip().lower() for line in lines if line.strip())
    kept: list[str] = []
    removed: list[str] = []
    for line in lines:
        key = line.strip().lower()
        repeated = counts[key] >= REPEAT_MIN and len(_WORD.findall(key)) <= REPEAT_MAX_WORDS
        if key and (repeated or _is_furniture(line)):
            removed.append(line.strip())
        else:
            kept.append(line)
    return "\n".join(kept), removed
