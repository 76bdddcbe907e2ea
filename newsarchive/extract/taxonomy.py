"""The category and tag links of trafilatura's metadata, found in one pass over the tree.

trafilatura tries ten XPath searches in turn (``xpaths.CATEGORIES_XPATHS``
and ``TAGS_XPATHS``, trafilatura 2.x), each a full walk of the page; on a
page with a large menu that was 2 ms. Here one walk finds every element that
could hold such links, and the searches run over those few: same rules, same
order, same answers (tests/test_docmeta.py compares them with trafilatura's).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.baseline import block_text
from trafilatura.utils import line_processing


def _starts(value: str, *prefixes: str) -> bool:
    return value.startswith(prefixes)


# trafilatura's searches, in its order: (tags the container may have, test on its class and id).
# Each finds the ``a[@href]`` inside matching containers.
_CATEGORY_RULES: list[tuple[frozenset[str] | None, Callable[[str, str], bool]]] = [
    (frozenset({"div"}), lambda c, i: bool(re.match(r"post-?info|post-?meta|meta|entry-meta|entry-info|entry-utility", c))
     or i.startswith("postpath")),
    (frozenset({"p"}), lambda c, i: _starts(c, "postmeta", "entry-categories") or c == "postinfo" or i == "filedunder"),
    (frozenset({"footer"}), lambda c, i: _starts(c, "entry-meta", "entry-footer")),
    (frozenset({"li", "span"}), lambda c, i: c in ("post-category", "postcategory", "entry-category") or "cat-links" in c),
    (frozenset({"header"}), lambda c, i: c == "entry-header"),
    (frozenset({"div"}), lambda c, i: c in ("row", "tags")),
]
_TAG_RULES: list[tuple[frozenset[str] | None, Callable[[str, str], bool]]] = [
    (frozenset({"div"}), lambda c, i: c == "tags"),
    (frozenset({"p"}), lambda c, i: c.startswith("entry-tags")),
    (frozenset({"div"}), lambda c, i: c in ("row", "jp-relatedposts", "entry-utility")
     or c.startswith(("tag", "postmeta", "meta"))),
    (None, lambda c, i: c == "entry-meta" or "topics" in c or "tags-links" in c),
]

# Tags that only the class/id rules for their tag can match; any tag may match the last tag rule.
_CONTAINER_TAGS = frozenset({"div", "p", "footer", "li", "span", "header"})
_ANY_TAG_CLASS = re.compile(r"entry-meta|topics|tags-links")
# A word every rule's class or id test needs: containers without one match no rule (most of a page's).
_ANY_RULE = re.compile(r"meta|info|entry|postpath|filedunder|categor|cat-links|row|tag|relatedposts|topics")
_SECTION_META = XPath('.//head//meta[@property="article:section" or contains(@name, "subject")][@content]')


def categories_and_tags(tree: HtmlElement) -> tuple[list[str], list[str]]:
    """trafilatura's ``extract_catstags("category", tree)`` and ``extract_catstags("tag", tree)``."""
    containers = list(_containers(tree))
    categories = _first_links(containers, _CATEGORY_RULES, "/categor(?:y|ies|s)?/")
    if not categories:
        categories = [meta.get("content") for meta in _SECTION_META(tree)]
    return _cleaned(categories), _cleaned(_first_links(containers, _TAG_RULES, "/tag(?:y|ies|s)?/"))


def _containers(tree: HtmlElement):
    """Elements with a class or id that a rule could match: a Python walk beats ten XPath walks."""
    for element in tree.iter(etree.Element):
        cls, id_ = element.get("class"), element.get("id")
        if (cls or id_) and (element.tag in _CONTAINER_TAGS or (cls and _ANY_TAG_CLASS.search(cls))) and (
                _ANY_RULE.search(cls or "") or (id_ and _ANY_RULE.search(id_))):
            yield element, element.tag, cls or "", id_ or ""


def _first_links(containers: list[tuple[HtmlElement, str, str, str]], rules, href_pattern: str) -> list[str]:
    """The link texts of the first rule whose containers hold links matching ``href_pattern``."""
    href = re.compile(href_pattern)
    for tags, test in rules:
        # Containers come in document order and nest or follow each other, so their links are in
        # document order too; links inside nested matching containers count once, as in XPath.
        links: dict[HtmlElement, None] = {}
        for element, tag, cls, id_ in containers:
            if (tags is None or tag in tags) and test(cls, id_):
                links.update(dict.fromkeys(a for a in element.iterdescendants("a") if a.get("href") is not None))
        texts = [block_text(a) for a in links if href.search(a.get("href"))]
        if texts:
            return texts
    return []


def _cleaned(values: list[str]) -> list[str]:
    return [v for v in dict.fromkeys(line_processing(x) for x in values if x) if v]


def article_tags(*sources: list[str]) -> list[str]:
    """Tags from all sources, each keyword list ("harbour, lifeboat") split, once each whatever the case.

    trafilatura keeps a ``keywords`` meta whole as one tag; the same keywords
    also come one by one from JSON-LD or ``article:tag``, so the combined
    string would be an extra, wrong tag.
    """
    seen: dict[str, str] = {}
    for source in sources:
        for value in source:
            for tag in re.split(r"[,;]", value):
                tag = " ".join(tag.split())
                if tag:
                    seen.setdefault(tag.casefold(), tag)
    return list(seen.values())
