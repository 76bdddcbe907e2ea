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


def _rule(name: str, pattern: str, keep: str = "") -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE), keep)


RULES: tuple[Rule, ...] = (
    # Auto-blog template tags: [ad_1], [ad_2], [source_link], [matched_content]...
    _rule("autoblog-ad", r"\[ad_\d+\]"),
    _rule(
        "autoblog-tag",
        r"\[(?:source_link|matched_content|original_title|original_link|source_url|source_title)\]",
    ),
)


def strip_markers(text: str) -> tuple[str, list[str]]:
    """Remove every rule's matches from ``text``; return the text and what was removed."""
    removed: list[str] = []
    for rule in RULES:
        def _note(match: re.Match[str], rule: Rule = rule) -> str:
            removed.append(match.group(0))
            return match.expand(rule.keep) if rule.keep else ""

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
