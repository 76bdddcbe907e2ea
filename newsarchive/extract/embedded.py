"""The article body a page carries in its structured data (JSON-LD ``articleBody``, framework data).

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

from lxml.html import HtmlElement, fromstring

from newsarchive.extract.blocks import page_blocks
from newsarchive.extract.dom import PARSER

logger = logging.getLogger(__name__)

_MARKUP = re.compile(r"</?[a-zA-Z][^<>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


def data_scripts(tree: HtmlElement) -> list[tuple[str, str]]:
    """The page's JSON-LD and framework-data scripts as (kind, text), unparsed.

    Read before readability strips the scripts; parsed only when the DOM text
    is short (``article_body``).
    """
    found = []
    for script in tree.iter("script"):
        text = script.text
        if not text:
            continue
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            found.append(("ld", text))
        elif script.get("id") == "__NEXT_DATA__" or "self.__next_f.push(" in text[:40]:
            found.append(("framework", text))
    return found


def article_body(scripts: list[tuple[str, str]], longer_than: int = 0) -> str:
    """The longest ``articleBody`` among the JSON-LD objects, as plain text ('' if none).

    Without one, the longest run of HTML paragraphs in a framework's data blob
    (Next.js ``__NEXT_DATA__`` or its streamed ``self.__next_f.push`` chunks).
    Nothing is parsed when the scripts together are not ``longer_than`` characters:
    they cannot hold a body that long.
    """
    if sum(len(text) for _, text in scripts) <= longer_than:
        return ""
    bodies = [_plain(body) for body in _bodies(text for kind, text in scripts if kind == "ld")]
    if not bodies:
        bodies = [_plain(html_) for html_ in _framework_html(text for kind, text in scripts if kind == "framework")]
    return max(bodies, key=len, default="")


_NEXT_PUSH = re.compile(r"^\s*self\.__next_f\.push\((\[.*\])\)\s*;?\s*$", re.DOTALL)
# A string with fewer paragraphs than this is a teaser or a widget, not a story's markup.
MIN_PARAGRAPHS = 3


def _framework_html(texts):
    """Strings in framework data that are article markup (several ``<p>`` elements)."""
    for text in texts:
        match = _NEXT_PUSH.match(text)
        data = _json(match.group(1) if match else text)
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                # Markup itself, not a serialised component tree that happens to hold some.
                if item.lstrip().startswith("<") and item.count("<p") >= MIN_PARAGRAPHS:
                    yield item
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        logger.debug("unparsable framework data skipped")
        return None


def _bodies(texts):
    for text in texts:
        try:
            data = json.loads(text)
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
    """Markup-free text, one paragraph a line.

    Markup (some CMSs put HTML in ``articleBody``; framework data always
    does) is cut into blocks like the page itself, so figures and their
    captions stay out.
    """
    if _MARKUP.search(body):
        # A line break in a body that mixes markup and plain lines is a paragraph break.
        fragment = fromstring("<div>{}</div>".format(body.replace("\n", "<br>")), parser=PARSER)
        return "\n".join(block.text for block in page_blocks(fragment) if not block.caption)
    text = html.unescape(body)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
