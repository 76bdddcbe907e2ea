"""Marker rules: what each removes, and what it must leave alone."""

import pytest

from newsarchive.extract.markers import strip_markers


@pytest.mark.parametrize(
    "text, expected, removed",
    [
        ("[ad_1]\nFirst paragraph.", "First paragraph.", ["[ad_1]"]),
        ("[ad_2] Inline start of a paragraph.", "Inline start of a paragraph.", ["[ad_2]"]),
        ("Text.\n[source_link]", "Text.", ["[source_link]"]),
        ("[matched_content]\n[original_title]\nBody.", "Body.", ["[matched_content]", "[original_title]"]),
        ("Body [gallery ids=\"1,2,3\"] more.", "Body more.", ['[gallery ids="1,2,3"]']),
        ("Body.\n[quads id=4]\nMore.", "Body.\nMore.", ["[quads id=4]"]),
        ('[adinserter block="2"]Body.', "Body.", ['[adinserter block="2"]']),
        ('Body. [the_ad id="193"]', "Body.", ['[the_ad id="193"]']),
        ("See [embed]https://youtu.be/abc[/embed] here.", "See here.", ["[embed]https://youtu.be/abc[/embed]"]),
        ('[video width="640" mp4="a.mp4"][/video]\nBody.', "Body.", ['[video width="640" mp4="a.mp4"][/video]']),
        ('[video src="a.mp4"]\nBody.', "Body.", ['[video src="a.mp4"]']),
        (
            "(adsbygoogle = window.adsbygoogle || []).push({});\nBody.",
            "Body.",
            ["(adsbygoogle = window.adsbygoogle || []).push({});"],
        ),
        (
            "googletag.cmd.push(function() { googletag.display('div-gpt-ad-1'); }); Body.",
            "Body.",
            ["googletag.cmd.push(function() { googletag.display('div-gpt-ad-1'); });"],
        ),
    ],
)
def test_rule_removes_marker(text, expected, removed):
    out, gone = strip_markers(text)
    assert out == expected
    assert gone == removed


def test_caption_keeps_the_caption_text():
    text = '[caption id="attachment_7" align="alignleft" width="300"]<img src="a.jpg"> A cat on a mat.[/caption]\nBody.'
    out, gone = strip_markers(text)
    assert out == "A cat on a mat.\nBody."
    assert gone  # the shortcode and the img residue are recorded


def test_marker_between_br_lines():
    out, _ = strip_markers("Line one.\n[ad_3]\nLine two.")
    assert out == "Line one.\nLine two."


@pytest.mark.parametrize(
    "text",
    [
        "As shown in [1], the effect is real.",
        "He said it was [sic] a mistake.",
        "[Updated] The council voted on Tuesday.",
        "Watch the [VIDEO] of the launch below.",
        "The [Gallery] opens on Monday.",
        "Arrays look like [] in JSON; push({}) appends.",
        "She filmed a [video] for her class.",
    ],
)
def test_legitimate_brackets_survive(text):
    out, gone = strip_markers(text)
    assert out == text
    assert gone == []
