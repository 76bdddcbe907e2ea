"""Ruling out a ``<meta http-equiv=refresh>`` from the bytes, before Scrapy decodes a whole page for it.

Scrapy's ``get_meta_refresh(response)`` reads ``response.text[:4096]``, and ``response.text``
decodes the whole body (0.1–0.3 ms for a 100–300 KB page) though almost no page refreshes.
A refresh it finds is a ``<meta>`` whose attributes contain ``refresh`` (w3lib lowercases
them and looks for that word; no non-ASCII character lowercases to one of its letters), so
those 4,096 characters contain it in ASCII letters. In an encoding where every ASCII
character is its own single byte and no character takes more than 4 bytes, they are
decoded from at most the first 4 × 4,096 bytes (after a BOM), which then contain it too:
when they do not, in any case, there is no refresh, and the body is not decoded here. Other
encodings (UTF-16, UTF-7, EBCDIC…) are decoded and scanned as before.
"""

from __future__ import annotations

import codecs

from scrapy.http import TextResponse

# The characters Scrapy's get_meta_refresh reads (response.text[0:4096]), as bytes at most: 4 per
# character (UTF-8's longest), and a BOM. tests/test_refresh.py checks a refresh at the edge.
SCANNED_CHARS = 4096
SCANNED_BYTES = 4 * SCANNED_CHARS + 4

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
    # lower() and a find: a case-insensitive regex is slower than decoding the whole body.
    return name not in ASCII_BYTES or b"refresh" in response.body[:SCANNED_BYTES].lower()
