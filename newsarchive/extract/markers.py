"""Residue that publishing plugins leave in the text, as a table of rules.

Each rule is data: a name, a pattern and what to put back. Auto-blog
plugins print their template tags unrendered (``[ad_1]``, ``[source_link]``);
WordPress leaves shortcodes when a plugin is gone; ad scripts leak
``(adsbygoogle = ...).push({})`` into text. Real brackets (``[1]``,
``[sic]``, ``[Updated]``) must survive, so every pattern names its tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    # Replacement template (re.sub syntax); "" removes the match.
    keep: str = ""


def _rule(name: str, pattern: str, keep: str = "", flags: int = re.IGNORECASE) -> Rule:
    return Rule(name, re.compile(pattern, flags), keep)


# WordPress shortcodes are lowercase by convention; matching them case-sensitively
# keeps editorial labels such as "[VIDEO]" or "[Gallery]" inside sentences.
_SHORTCODE = re.DOTALL
_ATTRS = r"(?:\s+[^\]\n]*)?"

RULES: tuple[Rule, ...] = (
    # Auto-blog template tags: [ad_1], [ad_2], [source_link], [matched_content]...
    _rule("autoblog-ad", r"\[ad_\d+\]"),
    _rule(
        "autoblog-tag",
        r"\[(?:source_link|matched_content|original_title|original_link|original_url|"
        r"source_url|source_title|source_name|feed_link|post_source)\]",
    ),
    # HTML printed as text inside shortcodes (<img ...> in a [caption]).
    _rule("img-tag", r"<img\b[^<>]*>"),
    # [caption id="..." align="..."]<img> The caption.[/caption] keeps the caption text.
    _rule("caption", rf"\[caption{_ATTRS}\]\s*(.*?)\s*\[/caption\]", keep=r"\1", flags=_SHORTCODE),
    # Paired media shortcodes go with their content (a URL or a player config, never prose).
    _rule("embed", r"\[(embed|video|audio|playlist)(?:\s+[^\]\n]*)?\][^\[]{0,500}?\[/\1\]", flags=_SHORTCODE),
    # Unpaired media shortcodes need attributes ([video src=...]); a bare "[video]" may be prose.
    _rule("media", r"\[(?:video|audio|playlist)\s+\w+=[^\]\n]*\]", flags=0),
    _rule("gallery", rf"\[gallery{_ATTRS}\]", flags=0),
    # Ad-plugin shortcodes: [quads id=1], [adinserter block="2"], [the_ad id="3"], [the_ad_group id="4"].
    _rule("ad-plugin", r"\[(?:quads\s+id=\"?\d+\"?|adinserter\s+(?:block|name)=\"[^\"\]]*\"|"
                       r"the_ad(?:_group|_placement)?\s+id=\"?[\w-]+\"?)\s*\]"),
    # Closing tags left behind when the opening one was on another line or already removed.
    _rule("shortcode-close", r"\[/(?:caption|embed|video|audio|playlist|gallery)\]", flags=0),
    # Script residue printed as text by broken templates.
    _rule("adsbygoogle", r"\(\s*adsbygoogle\s*=\s*window\.adsbygoogle\s*\|\|\s*\[\s*\]\s*\)\.push\(\s*\{\s*\}\s*\)\s*;?"),
    _rule("googletag", r"googletag\.cmd\.push\(\s*function\s*\(\s*\)\s*\{[^{}]*\}\s*\)\s*;?"),
    _rule("googletag-display", r"googletag\.display\(\s*['\"][^'\"]*['\"]\s*\)\s*;?"),
)


def strip_markers(text: str) -> tuple[str, list[str]]:
    """Remove every rule's matches from ``text``; return the text and what was removed."""
    removed: list[str] = []
    for rule in RULES:
        def _note(match: re.Match[str], rule: Rule = rule) -> str:
            removed.append(match.group(0))
            return match.expand(rule.keep) if rule.keep else " "

        text = rule.pattern.sub(_note, text)
    if removed:
        text = _tidy(text)
    return text, removed


_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n{2,}")


def _tidy(text: str) -> str:
    """Close the gaps a removal leaves: double spaces, space at line ends, empty lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()
