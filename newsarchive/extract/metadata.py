"""Metadata that trafilatura leaves out or shortens, read from the page's own markup.

trafilatura reduces dates to YYYY-MM-DD and ignores the language; publishers
state full timestamps (``article:published_time``, JSON-LD ``datePublished``)
and languages (``<html lang>``, ``og:locale``), so we read those directly.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml.html import HtmlElement

from newsarchive.extract.language import language_code

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
    "blogposting", "liveblogposting", "techarticle", "report", "scholarlyarticle",
}

# schema.org types of pages that list or describe rather than report.
LISTING_TYPES = {
    "collectionpage", "itemlist", "aboutpage", "contactpage", "profilepage", "searchresultspage", "faqpage",
}


@dataclass
class Markup:
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    page_type: str | None = None
    keywords: list[str] = field(default_factory=list)
    # The markup states a publication date that does not parse ("on Monday July 23, @08:24PM").
    date_unreadable: bool = False
    # Authors the markup names one by one: JSON-LD article author, else citation/Dublin Core creators.
    authors: list[str] = field(default_factory=list)
    # The publisher's name in JSON-LD: an author only when no one else is named.
    publisher: str | None = None
    # JSON-LD authors that are a CMS account ("/author/admin/"), not a person: like the publisher.
    accounts: list[str] = field(default_factory=list)
    # The publisher named in meta tags.
    meta_publisher: str | None = None
    # Headlines the publisher states, in the order they are trusted: og:title, JSON-LD headline, twitter:title.
    titles: list[str] = field(default_factory=list)


_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "date", "dc.date.issued", "dc.date", "sailthru.date", "parsely-pub-date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dc.date.modified")


def read_markup(tree: HtmlElement) -> Markup:
    """Read dates, language, canonical URL and page type from meta tags and JSON-LD."""
    meta = _meta_map(tree)
    ld = _json_ld_objects(tree)
    ld_article = next((o for o in ld if _ld_type(o) in ARTICLE_TYPES), None)
    ld_first = ld_article or (ld[0] if ld else {})
    markup = Markup()
    # The page-wide searches (microdata, <time>) only when JSON-LD and meta tags state no date.
    stated = [ld_first.get("datePublished")] + [meta.get(k) for k in _PUBLISHED_META]
    markup.published = _first_date(stated)
    if markup.published is None:
        stated += _itemprop_values(tree, "datePublished") + _time_elements(tree)
        markup.published = _first_date(stated)
    markup.date_unreadable = markup.published is None and any(isinstance(v, str) and v.strip() for v in stated)
    modified = [ld_first.get("dateModified")] + [meta.get(k) for k in _MODIFIED_META]
    markup.modified = _first_date(modified) or _first_date(_itemprop_values(tree, "dateModified"))
    markup.language = _language(tree, meta)
    markup.canonical_url = _canonical(tree, meta)
    # An article type anywhere in JSON-LD, else a listing type there (og:type=website is on every
    # page of many sites and must not hide a CollectionPage), else og:type, else the first object's.
    ld_listing = next((o for o in ld if _ld_type(o) in LISTING_TYPES), None)
    markup.page_type = next(
        (t for t in (_ld_type_name(ld_article) if ld_article else None,
                     _ld_type_name(ld_listing) if ld_listing else None,
                     meta.get("og:type"), _ld_type_name(ld_first) if ld_first else None) if t), None)
    keywords = ld_first.get("keywords") or meta.get("news_keywords") or meta.get("keywords") or []
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    markup.keywords = [k.strip() for k in keywords if isinstance(k, str) and k.strip()]
    titles = [meta.get("og:title"), ld_article.get("headline") if ld_article else None, meta.get("twitter:title")]
    markup.titles = [t.strip() for t in titles if isinstance(t, str) and t.strip()]
    markup.authors = (_ld_names(ld_article.get("author")) if ld_article else []) or _creators(tree)
    markup.accounts = _ld_accounts(ld_article.get("author")) if ld_article else []
    # <meta name="publisher" content="Deutsche Welle (www.dw.com)">: a name of the site, for bylines.
    markup.meta_publisher = next((v for v in (meta.get("publisher"), meta.get("article:publisher"))
                                  if v and not v.startswith(("http:", "https:"))), None)
    publisher = _ld_names(ld_first.get("publisher"))
    markup.publisher = publisher[0] if publisher else None
    return markup


def _ld_names(value) -> list[str]:
    """Names in a JSON-LD author/publisher value: a string, an object with ``name``, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):  # {"name": ["A"]} happens
            name = next((n for n in name if isinstance(n, str)), None)
        if isinstance(name, str) and name.strip() and not name.strip().startswith(("http:", "https:")):
            names.append(" ".join(html.unescape(name).split()))
    return names


# A CMS user page ("/author/admin/") names an account, not the person who wrote the story.
_ACCOUNT_URL = re.compile(r"/(?:author|user|profile)s?/(?:admin|administrator|webmaster|editor|redaktion|staff|"
                          r"newsroom|desk|web)/?(?:#.*)?$", re.IGNORECASE)


def _ld_accounts(value) -> list[str]:
    """Names of JSON-LD authors whose URL or @id is a CMS account page."""
    items = value if isinstance(value, list) else [value]
    return [" ".join(html.unescape(item["name"]).split()) for item in items
            if isinstance(item, dict) and isinstance(item.get("name"), str)
            and any(isinstance(item.get(k), str) and _ACCOUNT_URL.search(item[k]) for k in ("@id", "url"))]


_CREATOR_META = ("citation_author", "dc.creator", "dcterms.creator")


def _creators(tree: HtmlElement) -> list[str]:
    """Scholarly metadata names each author in its own tag, as "Last, First" by convention."""
    names = []
    for el in tree.iter("meta"):
        if (el.get("name") or "").lower() in _CREATOR_META and (el.get("content") or "").strip():
            parts = [p.strip() for p in el.get("content").split(",")]
            names.append(f"{parts[1]} {parts[0]}" if len(parts) == 2 and all(parts) else el.get("content").strip())
    return list(dict.fromkeys(names))


def _meta_map(tree: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        value = el.get("content")
        if key and value and key.lower() not in found:
            found[key.lower()] = value.strip()
    return found


def _json_ld_objects(tree: HtmlElement) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            # Broken JSON-LD is common; the page's other markup still counts.
            logger.debug("unparsable JSON-LD block skipped")
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def _ld_type_name(obj: dict) -> str | None:
    kind = obj.get("@type")
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str) and k.lower() in ARTICLE_TYPES), kind[0] if kind else None)
    return kind if isinstance(kind, str) else None


def _ld_type(obj: dict) -> str:
    return (_ld_type_name(obj) or "").lower()


def _itemprop_values(tree: HtmlElement, prop: str) -> list[str | None]:
    """Microdata values of ``prop`` on any element: content, datetime, else the text."""
    return [
        el.get("content") or el.get("datetime") or el.text_content()
        for el in tree.xpath("//*[@itemprop=$prop]", prop=prop)[:3]
    ]


def _time_elements(tree: HtmlElement) -> list[str | None]:
    return [el.get("datetime") for el in tree.xpath("//time[@datetime]")[:3]]


_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _first_date(candidates: list) -> str | None:
    for value in candidates:
        if isinstance(value, str) and value.strip():
            iso = normalise_date(value.strip())
            if iso:
                return iso
    return None


def normalise_date(value: str) -> str | None:
    """ISO 8601 form of a date string, keeping the time and offset when given."""
    value = value.strip()
    if _DATE_START.match(value):
        if len(value) == 10:
            return value
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        except ValueError:
            return value[:10]
    if re.fullmatch(r"\d{8}", value):
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return None


def _language(tree: HtmlElement, meta: dict[str, str]) -> str | None:
    """The first declaration that is a language code ("utf-8" in Content-Language is not)."""
    declared = (tree.get("lang"), tree.get("xml:lang"), meta.get("content-language"), meta.get("og:locale"),
                meta.get("dc.language"), meta.get("language"))
    return next((code for code in map(language_code, declared) if code), None)


def _canonical(tree: HtmlElement, meta: dict[str, str]) -> str | None:
    for link in tree.xpath('//link[@rel="canonical"][@href]'):
        return link.get("href").strip()
    return meta.get("og:url")
