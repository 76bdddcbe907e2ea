"""Furniture line rules (newsarchive/extract/furniture.py): what each removes, and the prose it must keep."""

import pytest

from newsarchive.extract.furniture import strip_furniture

BODY = "The council approved the new bridge on Monday after a long debate about its cost."


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Continue reading the main story",
        "Read more: Storm closes harbour for a second day",
        "Related articles",
        "You may also like",
        "Most read",
        "Sign up for our newsletter",
        "Subscribe to our daily email updates for free",
        "Share this article",
        "Share on Facebook",
        "Tweet",
        "Follow us on Twitter",
        "0 Comments",
        "Comments are closed.",
        "Leave a comment",
        "Be the first to comment",
        "© 2024 Daily Gazette Ltd. All rights reserved.",
        "Copyright 2012 The Associated Press.",
        "Back to top",
        "Image 3 of 12",
        "Tags: council, bridge, harbour",
        "Friday, December 28, 2007",
        "Posted : Sat, 29 Dec 2007 06:23:36 GMT",
        "Last Updated: January 11, 2008 11:43 EST",
        "Updated at 11:31 a.m. ET",
        "17/01/2008 18:04:44",
        "By Steve Gorman",
        "BY AARON BACK",
        "By LIZ AUSTIN PETERSON, Associated Press Writer Sat Dec 29, 10:10 AM ET",
        "By Abdi Sheikh and Aweys Yusuf",
        "By SUMETH PANPETCH, Associated Press Writer 42 minutes ago",
        "Associated Press - January 11, 2008 4:13 PM ET",
        "(Reporting by Greg Stutchbury in Melbourne; Editing by John O'Brien)",
        "Write to Nick Wingfield at nick.wingfield@wsj.com",
        "To contact the reporter on this story: Don Jeffrey in New York at djeffrey1@bloomberg.net",
        "Associated Press Writer Ken Thomas contributed to this report.",
        "The full article contains 259 words and appears in Press Association newspaper.",
        "This article was originally published on page 28 of The Sunday Tribune on December 30, 2007",
        "This material may not be reproduced, redistributed, or manipulated in any form.",
        "Reproduction in whole or in part without permission is prohibited.",
        "NEWS.com.au is not responsible for the content of external sites.",
        "All other products and brand names are trademarks of their respective holders.",
        "Listed below are links to weblogs that reference Storm closes harbour:",
        "« Show me the money | Main | Political correctness gone mad »",
        "You Are Here: > Home > News > Harbour",
        "Have your say on this story",
        "Thanks for your comments - this feedback is now closed",
        "Published: October 30th, 2012 | Tags: Arizona Cardinals, Carolina Panthers, Chicago Bears",
        "A version of this article appeared October 29, 2012, on page B13 of The Wall Street Journal.",
        "Jim Wilson/The New York Times",
        "Photo: Reuters",
        "(Credit: CNET)",
        "Sign up for the Ars Technica Dispatch, which delivers links to the most popular articles via e-mail",
        "Get the day's top stories in your inbox.",
    ],
)
def test_furniture_line_is_removed(line):
    text, removed = strip_furniture(f"{BODY}\n{line}\n{BODY}")
    assert text == f"{BODY}\n{BODY}"
    assert removed == [line]


@pytest.mark.parametrize(
    "line",
    [
        # Real sentences that contain the rules' words are prose, by length or by shape.
        "The advertisement, which ran for three weeks on local radio, was withdrawn after complaints.",
        "Read more about the history of the bridge in the council's own archive, which opens in May.",
        "Share prices fell sharply.",
        "Comments made by the mayor on Monday were described as unhelpful by the opposition.",
        "Readers were asked to follow the ferry timetable on the harbour website until further notice.",
        "Copyright lawyers say the ruling will change how newspapers license photographs for years to come.",
        "By Monday, the council had approved the plan.",
        "By the end of 2012",
        "At 10:30 the court rose.",
        "March 2012 budget vote delayed",
        "Sunday",
        "The report said that images may not be reproduced without a licence, a rule the agency has kept.",
        "Reporting by the newspaper revealed the scandal.",
        "Contact lenses were found at the scene.",
        "AP photographers were at the scene on Monday 12 May 2008.",
        "AC/DC played Glasgow on Monday.",
        "Pictures: the storm in ten images",
        "Get the ferry timetable from the harbour office, which sends updates by email to residents who ask.",
    ],
)
def test_prose_with_rule_words_is_kept(line):
    text, removed = strip_furniture(f"{BODY}\n{line}")
    assert text == f"{BODY}\n{line}"
    assert removed == []


def test_a_short_line_repeated_on_the_page_is_a_label():
    label = "From the campaign trail"
    text, removed = strip_furniture("\n".join([label, BODY, label, BODY, label]))
    assert text == f"{BODY}\n{BODY}"
    assert removed == [label] * 3


def test_a_short_line_seen_twice_stays():
    text, _ = strip_furniture("\n".join(["Damage", BODY, "Damage", BODY]))
    assert text.count("Damage") == 2
