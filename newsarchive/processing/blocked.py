"""Bot walls and challenge pages: the one rule for the ``blocked`` outcome.

A site that does not want a crawler answers with a wall instead of the page:
an HTTP ``403``, ``429`` or ``202`` whose body is a few bytes, or a page that
asks the browser to prove itself (Cloudflare's "Just a moment…", DataDome's
and PerimeterX's captchas, Akamai's and Imperva's "Access Denied"). Such a
page is neither an article nor a page without one: it says nothing about the
site, only that it kept us out. Calling it ``blocked`` keeps it out of the
site's article yield and lets ``newsarchive health`` say why a site went quiet.

Signals used (all general and documented by the vendors or seen on every
site behind them, none taken from a particular site):

* the status with a tiny body: ``403``/``429``/``202`` and fewer than
  ``TINY_BODY`` bytes. A bare ``503`` is left an error: servers say it when
  they are down, which is no bot wall (a ``503`` challenge page has markers);
* Cloudflare's ``cf-mitigated: challenge`` response header;
* a challenge page: a vendor's challenge furniture or a wall's (short) title,
  on a page with little visible text (``MAX_WALL_WORDS``). Vendors inject their
  sensor scripts into ordinary pages too, so only what a challenge or block
  page itself carries counts, and never on a page with an article's worth of text.

No Scrapy here: the spider calls it for HTTP errors, ``process_page`` for the
pages it extracts (the crawl, ``import-warc``, ``reextract``).
"""

from __future__ import annotations

import re
from typing import Mapping

# HTTP statuses that are a wall when their body is tiny (202: AWS WAF's and others' JS challenges).
WALL_STATUSES = frozenset({202, 403, 429})
TINY_BODY = 2048
# A challenge page has a sentence or two of visible text; an article has hundreds of words
# (or, in scripts written without spaces, thousands of characters).
MAX_WALL_WORDS = 150
MAX_WALL_CHARS = 1500
# Challenge pages are small; a bigger page is read no further (cheap for every article).
MAX_WALL_BYTES = 256 * 1024

# What only a challenge or block page carries (lower case), and whose wall it is.
CHALLENGE_MARKERS = (
    ("_cf_chl_opt", "Cloudflare challenge"),
    ("cf-browser-verification", "Cloudflare challenge"),
    ("cf_chl_prog", "Cloudflare challenge"),
    ("captcha-delivery.com", "DataDome captcha"),
    ("px-captcha", "PerimeterX captcha"),
    ("incapsula incident id", "Imperva block page"),
    ("awswafcookiedomainlist", "AWS WAF challenge"),
)
# Titles of walls (the vendors' own, and the generic ones sites use).
WALL_TITLE = re.compile(
    r"just a moment|attention required|access denied|are you a (?:robot|human)|verify (?:that )?you are (?:a )?human"
    r"|human verification|captcha|security check|checking your browser|ddos protection|bot (?:protection|check)"
    r"|pardon our interruption|request unsuccessful|robot check|one more step",
    re.IGNORECASE,
)
# A wall's title is the phrase and little else ("Access Denied", "Attention Required! | Cloudflare");
# a headline that contains one ("Airport security check queues grow | Daily Example") is longer.
MAX_WALL_TITLE_WORDS = 6
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_INVISIBLE = re.compile(rb"<(script|style|noscript|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(rb"<[^>]*>")
_WORD = re.compile(r"\w+")


def blocked_reason(status: int | None, body: bytes, headers: Mapping[str, str] | None = None) -> str | None:
    """Why this response is a bot wall or a challenge page, or None when it is not one.

    ``status``: the HTTP status (None: a page fetched fine, as ``process_page`` sees it);
    ``body``: the payload, free of content-encoding; ``headers``: the response's, when known.
    """
    if _header(headers, "cf-mitigated").lower() == "challenge":
        return "challenge page (Cloudflare, cf-mitigated header)"
    found = challenge_marker(body) if len(body) <= MAX_WALL_BYTES else None
    if found is not None and _little_text(body):
        return f"challenge page ({found})" + (f", HTTP {status}" if status else "")
    if status in WALL_STATUSES and len(body.strip()) < TINY_BODY:
        return f"bot wall: HTTP {status} with a {len(body.strip())}-byte body"
    return None


def challenge_marker(body: bytes) -> str | None:
    """What marks ``body`` as a challenge or block page: a vendor's furniture or a wall's title."""
    head = body.decode("latin-1").lower()
    for marker, vendor in CHALLENGE_MARKERS:
        if marker in head:
            return vendor
    title = _TITLE.search(body)
    if title is not None:
        text = " ".join(title.group(1).decode("utf-8", "replace").split())
        if len(text.split()) <= MAX_WALL_TITLE_WORDS and WALL_TITLE.search(text):
            return f"title {text[:60]!r}"
    return None


def visible_text(body: bytes) -> str:
    """The text a reader would see: markup, scripts and styles left out."""
    text = _TAG.sub(b" ", _INVISIBLE.sub(b" ", body)).decode("utf-8", "replace")
    return " ".join(text.split())


def _little_text(body: bytes) -> bool:
    text = visible_text(body)
    return len(text) <= MAX_WALL_CHARS and len(_WORD.findall(text)) <= MAX_WALL_WORDS


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    if not headers:
        return ""
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""
