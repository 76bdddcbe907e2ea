"""Ruling out a ``<meta http-equiv=refresh>`` from the bytes, before Scrapy decodes a whole page for it.

Scrapy's ``get_meta_refresh(response)`` reads ``response.text[:4096]``, and ``response.text``
decodes the whole body (0.1–0.3 ms for a 100–300 KB page) though almost no page refreshes.
A refresh it finds is a ``<meta>`` whose attributes contain ``refresh`` (w3lib lowercases
them and looks for that word; no non-ASCII character lowercases to one of its letters), so
the decoded text contains it in ASCII letters. In an encoding where every ASCII character
is its own single byte, the body's bytes then contain it too: a body without ``refresh`` in
any case has no refresh, and is never decoded here. Other encodings (UTF-16, UTF-7, EBCDIC…)
are decoded and scanned as before.
"""

from __future__ import annotations

import codecs
import re

from scrapy.http import TextResponse

_REFRESH = re.compile(rb"refresh", re.IGNORECASE)

# Codecs (by codecs.lookup name) in which each ASCII character is the one byte of the same value,
# and a byte below 0x80 is always that character; Scrapy decodes with these or their w3lib
# translations (latin-1 and ascii as cp1252, iso8859-9 as cp1254, iso8859-11 as cp874), also here.
ASCII_BYTES = frozenset({"utf-8", "ascii", "cp874", *(f"cp{n}" for n in range(1250, 1259)),
                         *(f"iso8859-{n}" for n in range(1, 17))})


def may_refresh(response: TextResponse) -> bool:
    """False only where ``get_meta_refresh(response)`` would find no refresh; True: ask it."""
    try:
        name = codecs.lookup(response.encoding).name
    except LookupError:
        return True
    return name not in ASCII_BYTES or _REFRESH.search(response.body) is not None
