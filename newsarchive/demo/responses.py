"""What the demo server sends: a ``Response`` built by a route, and the pages the server writes itself."""

from __future__ import annotations

from dataclasses import dataclass, field

HTML = "text/html; charset=utf-8"
# ``/chunked/<path>`` serves ``/<path>`` with Transfer-Encoding: chunked.
CHUNKED_PREFIX = "/chunked/"


@dataclass
class Response:
    """What to send: built by a route, then encoded and framed by the handler."""

    status: int
    body: bytes = b""
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    # False for bodies that must go out byte-for-byte (binary, empty).
    compressible: bool = True
    # Always sent with Transfer-Encoding: chunked, as if asked for under /chunked/.
    chunked: bool = False


# --------------------------------------------------------------------------
# Pages the server writes itself
# --------------------------------------------------------------------------

def simple_page(title: str, message: str) -> bytes:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<p>{message}</p>\n"
        "<p><a href=\"/\">Back to the front page</a></p>\n</body>\n</html>\n"
    ).encode("utf-8")


def not_found(path: str = "") -> Response:
    return Response(404, simple_page("404 Not Found", "Sorry, we could not find that page."))


def redirect(location: str, status: int = 301) -> Response:
    return Response(status, simple_page(f"{status} Moved", f"This page has moved to {location}."),
                    headers={"Location": location})
