"""The demo site's ``/_trouble/`` routes: deliberately bad responses for crawler tests, in one table."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsarchive.demo.responses import CHUNKED_PREFIX, Response, not_found, redirect, simple_page

TROUBLE_PREFIX = "/_trouble/"
HUGE_TARGET_BYTES = 5 * 1024 * 1024


def minimal_pdf(text: str = "The Harbour Gazette: annual report 2025") -> bytes:
    """A small but valid one-page PDF, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def binary_junk(size: int = 8192, seed: int = 20260301) -> bytes:
    """Deterministic random bytes, so archived records compare equal between runs."""
    return random.Random(seed).randbytes(size)


@lru_cache(maxsize=4)
def huge_page(source: Path, target: int = HUGE_TARGET_BYTES) -> bytes:
    """The huge article: a real article whose ``<!--FILLER-->`` marker becomes megabytes of empty markup.

    The filler has no text, only elements and attributes, so a correct
    extractor finds the same article as without it; cached because building
    5 MB per request would dominate test time.
    """
    html = source.read_text(encoding="utf-8")
    rows: list[str] = ['<div class="archive-index" aria-hidden="true">\n']
    size = 0
    i = 0
    while size < target:
        row = (f'<div class="archive-row" data-row="{i}" data-shelf="{i % 97}">'
               f'<span class="cell c1"></span><span class="cell c2"></span></div>\n')
        rows.append(row)
        size += len(row)
        i += 1
    rows.append("</div>\n")
    return html.replace("<!--FILLER-->", "".join(rows), 1).encode("utf-8")


def trouble_index() -> Response:
    items = "\n".join(f'  <li><a href="{href}">{label}</a></li>' for href, label in TROUBLE_LINKS)
    body = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
            "<title>Trouble routes | The Harbour Gazette</title>"
            "<meta property=\"og:type\" content=\"website\"></head>\n<body>\n"
            "<h1>Trouble routes</h1>\n<p>Deliberately bad responses for crawler tests.</p>\n"
            f"<ul>\n{items}\n</ul>\n</body>\n</html>\n")
    return Response(200, body.encode("utf-8"))


def _source(root: Path, name: str) -> Path:
    return root / "_trouble" / name


def _latin1(root: Path) -> Response:
    # The charset is stated only in the HTTP header: the page has no <meta charset>.
    text = _source(root, "latin1.html").read_text(encoding="utf-8")
    return Response(200, text.encode("iso-8859-1"), "text/html; charset=ISO-8859-1")


@dataclass(frozen=True)
class Trouble:
    """One ``/_trouble/<name>`` route: what it sends, and its link text on the index (None: not linked)."""

    respond: Callable[[Path], Response]
    label: str | None = None


REDIRECT_TARGET = "/news/2026/harbour-bridge.html"
# The one table of trouble routes, by name under /_trouble/, in the index's order.
TROUBLE: dict[str, Trouble] = {
    "404": Trouble(lambda root: not_found(), "Missing page (404)"),
    "500": Trouble(lambda root: Response(500, simple_page("500 Internal Server Error",
                                                           "Something went wrong on our side.")),
                   "Server error (500)"),
    "redirect": Trouble(lambda root: redirect(TROUBLE_PREFIX + "redirect2", 301),
                        "Redirect chain: 301 then 302 to an article"),
    "redirect2": Trouble(lambda root: redirect(REDIRECT_TARGET, 302)),
    "loop": Trouble(lambda root: redirect(TROUBLE_PREFIX + "loop-b", 302), "Redirect loop"),
    "loop-b": Trouble(lambda root: redirect(TROUBLE_PREFIX + "loop", 302)),
    "pdf": Trouble(lambda root: Response(200, minimal_pdf(), "application/pdf", compressible=False),
                   "A PDF document"),
    # Served as text/html on purpose: the bytes are not HTML in any charset.
    "binary": Trouble(lambda root: Response(200, binary_junk(), "text/html", compressible=False),
                      "Binary bytes served as text/html"),
    "empty": Trouble(lambda root: Response(200, b"", "text/html", compressible=False), "Empty 200 response"),
    "latin1": Trouble(_latin1, "Article in ISO-8859-1, charset only in the HTTP header"),
    "huge": Trouble(lambda root: Response(200, huge_page(_source(root, "huge.html"))),
                    "Article followed by 5 MB of markup"),
    "broken": Trouble(lambda root: Response(200, _source(root, "broken.html").read_bytes()),
                      "Truncated, malformed article"),
}


def trouble(root: Path, name: str) -> Response:
    """Dispatch one ``/_trouble/<name>`` route."""
    if name in ("", "index.html"):
        return trouble_index()
    route = TROUBLE.get(name)
    return route.respond(root) if route is not None else not_found()


TROUBLE_LINKS: tuple[tuple[str, str], ...] = (
    *((TROUBLE_PREFIX + name, route.label) for name, route in TROUBLE.items() if route.label),
    (CHUNKED_PREFIX.rstrip("/") + REDIRECT_TARGET, "Article sent with chunked transfer encoding"),
)
TROUBLE_ROUTES = tuple(href for href, _ in TROUBLE_LINKS if href.startswith(TROUBLE_PREFIX))
