"""The article body a page carries in its structured data (JSON-LD ``articleBody``).

Some pages render the story with scripts, or put it behind a paywall
overlay, and ship the whole text only as ``articleBody`` in their JSON-LD.
The DOM then yields a teaser or nothing. The extractor uses this text as a
fallback when it is much longer than what the DOM gave (see
``extractor._main_text``): never as a voter, because many CMSs put a
truncated or un-paragraphed copy there.
"""

from __future__ import annotations

import html
import json
import logging
import re

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|h[1-6]|li|blockquote)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


def article_body(tree: HtmlElement) -> str:
    """The longest ``articleBody`` among the page's JSON-LD objects, as plain text ('' if none)."""
    bodies = [_plain(body) for body in _bodies(tree)]
    return max(bodies, key=len, default="")


def _bodies(tree: HtmlElement):
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            logger.debug("unparsable JSON-LD block skipped")
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                body = item.get("articleBody")
                if isinstance(body, str):
                    yield body
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity", "mainEntityOfPage"))


def _plain(body: str) -> str:
    """Markup-free text, one paragraph a line (some CMSs put HTML in ``articleBody``)."""
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", body)))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
