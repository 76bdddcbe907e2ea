"""The sources file: the news sites an archive keeps, one ``[[source]]`` table each (TOML).

::

    [[source]]
    name = "harbour-gazette"
    start_urls = ["https://www.harbour-gazette.example/"]
    feeds = ["https://www.harbour-gazette.example/feed.xml"]     # optional: found on the home page
    sitemaps = ["https://www.harbour-gazette.example/sitemap.xml"]  # optional: found in robots.txt
    download_delay = 2.0   # optional: seconds between requests to this site's hosts
    concurrency = 2        # optional: parallel requests to each of its hosts

Validation is strict, because a typo in a file that runs unattended from cron
should stop the run at once, not archive the wrong thing for weeks: every
mistake is one line ``FILE:LINE: what is wrong``. The TOML parser gives line
numbers for syntax errors only, so the line of a table (or of a key in it) is
found by reading the text.

This module knows nothing of Scrapy; the news spider turns the sources into
seeds, scope and per-host download slots (``download_slots``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from newsarchive.scope import is_ip
from newsarchive.seeds import BadSeed, seed_url

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TABLE = "source"
URL_KEYS = ("start_urls", "feeds", "sitemaps")
POLITENESS_KEYS = ("download_delay", "concurrency")
KNOWN_KEYS = ("name", *URL_KEYS, *POLITENESS_KEYS)
# Scrapy's DOWNLOAD_SLOTS names the same knobs differently.
SLOT_KEYS = {"download_delay": "delay", "concurrency": "concurrency"}


class SourcesError(ValueError):
    """A sources file that cannot be used; ``str()`` is one line ``FILE:LINE: problem``."""

    def __init__(self, filename: str, line: int, problem: str) -> None:
        super().__init__(f"{filename}:{line}: {problem}")
        self.filename, self.line, self.problem = filename, line, problem


@dataclass(frozen=True)
class Source:
    name: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    # None: the crawl's own DOWNLOAD_DELAY / CONCURRENT_REQUESTS_PER_DOMAIN.
    download_delay: float | None = None
    concurrency: int | None = None
    line: int = 0  # of its [[source]] table in the file

    @property
    def urls(self) -> tuple[str, ...]:
        return self.start_urls + self.feeds + self.sitemaps

    @property
    def hosts(self) -> set[str]:
        return {site_host(url) for url in self.urls}

    def politeness(self) -> dict[str, float | int]:
        return {key: getattr(self, key) for key in POLITENESS_KEYS if getattr(self, key) is not None}


def site_host(url: str) -> str:
    """The host a URL belongs to as a site: lower case, without a leading ``www.`` (as the scope sees it)."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; raise ``SourcesError`` (one line, with its line number)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(str(path), 0, f"cannot read the sources file: {exc}") from None
    return parse_sources(text, str(path))


def parse_sources(text: str, filename: str = "<sources>") -> list[Source]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _syntax_error_line(exc) or max(len(text.splitlines()), 1)  # "at end of document"
        raise SourcesError(filename, line, f"not valid TOML: {_without_position(exc)}") from None
    lines = _Lines(text, filename)
    unknown = sorted(set(data) - {TABLE})
    if unknown:
        raise lines.error(lines.of_key(unknown[0], 1, len(lines.text)),
                          f"unknown top-level key {unknown[0]!r}: each site is a [[{TABLE}]] table")
    entries = data.get(TABLE)
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise lines.error(1, f"no sites: add a [[{TABLE}]] table with a name and start_urls, feeds or sitemaps")
    starts = lines.tables(len(entries))
    sources = [_source(entry, start, end, lines) for entry, (start, end) in zip(entries, starts)]
    _check_together(sources, dict(zip((s.line for s in sources), starts)), lines)
    return sources


def download_slots(sources: Iterable[Source]) -> dict[str, dict[str, float | int]]:
    """Scrapy ``DOWNLOAD_SLOTS`` entries (slot key = host name) for the sources with their own politeness.

    Both ``site.example`` and ``www.site.example`` get the entry: a site often redirects from one to the other.
    """
    slots: dict[str, dict[str, float | int]] = {}
    for source in sources:
        settings = {SLOT_KEYS[key]: value for key, value in source.politeness().items()}
        if not settings:
            continue
        for host in source.hosts:
            for name in (host, f"www.{host}") if not is_ip(host) else (host,):
                slots[name] = {**slots.get(name, {}), **settings}
    return slots


# -- one entry ----------------------------------------------------------------

def _source(entry: dict[str, Any], start: int, end: int, lines: "_Lines") -> Source:
    def fail(problem: str, key: str | None = None) -> SourcesError:
        line = lines.of_key(key, start, end) if key else start
        return lines.error(line, problem)

    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(f"a [[{TABLE}]] needs a name = \"...\"", "name" if "name" in entry else None)
    label = f"source {name!r}"
    for key in entry:
        if key not in KNOWN_KEYS:
            raise fail(f"{label}: unknown key {key!r} (known: {', '.join(KNOWN_KEYS)})", key)
    urls = {key: _urls(entry, key, label, fail) for key in URL_KEYS}
    if not any(urls.values()):
        raise fail(f"{label} lists no URL: give start_urls, feeds or sitemaps")
    delay = entry.get("download_delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0):
        raise fail(f"{label}: download_delay must be a number of seconds >= 0, got {delay!r}", "download_delay")
    concurrency = entry.get("concurrency")
    if concurrency is not None and (isinstance(concurrency, bool) or not isinstance(concurrency, int)
                                    or concurrency < 1):
        raise fail(f"{label}: concurrency must be a whole number >= 1, got {concurrency!r}", "concurrency")
    return Source(name=name, line=start, download_delay=float(delay) if delay is not None else None,
                  concurrency=concurrency, **urls)


def _urls(entry: dict[str, Any], key: str, label: str, fail) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(url, str) for url in value):
        raise fail(f'{label}: {key} must be a list of URLs, e.g. {key} = ["https://..."], got {value!r}', key)
    for url in value:
        problem = url_problem(url)
        if problem:
            raise fail(f"{label}: {key}: {problem}", key)
    return tuple(url.strip() for url in value)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a seed, or None."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc})"
    if not parts.scheme or (parts.scheme not in ("http", "https") and not parts.netloc and "." in parts.scheme):
        # "www.site.example/news" (or "site.example:8080/") has no scheme; "not a url" is no URL at all.
        # What a scheme-less URL means is newsarchive/seeds.py's rule, as on the command line.
        try:
            seed, _ = seed_url(url)
        except BadSeed as exc:
            return str(exc)
        return f"{url!r} has no scheme: did you mean {seed!r}?"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{url!r} is not an http(s) URL"
    if not parts.hostname:
        return f"{url!r} has no host"
    return None


def _check_together(sources: list[Source], spans: dict[int, tuple[int, int]], lines: "_Lines") -> None:
    """Names and URLs are unique; sources sharing a host agree on its politeness (one download slot)."""
    names: dict[str, Source] = {}
    owners: dict[str, Source] = {}
    setters: dict[tuple[str, str], Source] = {}
    for source in sources:
        if source.name in names:
            raise lines.error(source.line, f"source name {source.name!r} is used twice "
                                           f"(first at line {names[source.name].line})")
        names[source.name] = source
        for url in source.urls:
            other = owners.setdefault(url, source)
            if other is not source:
                raise lines.error(source.line, f"source {source.name!r}: {url} is already listed by source "
                                               f"{other.name!r} (line {other.line})")
        for host in sorted(source.hosts):
            for key in source.politeness():
                other = setters.setdefault((host, key), source)  # the first source to set it for this host
                if getattr(other, key) != getattr(source, key):
                    raise lines.error(lines.of_key(key, *spans[source.line]),
                                      f"source {source.name!r}: {key} = {getattr(source, key)} contradicts "
                                      f"{key} = {getattr(other, key)} of source {other.name!r} (line {other.line}) "
                                      f"for the same host {host}")


# -- line numbers ----------------------------------------------------------------

class _Lines:
    """Where things are in the file's text (1-based line numbers)."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text.splitlines()
        self.filename = filename

    def error(self, line: int, problem: str) -> SourcesError:
        return SourcesError(self.filename, line, problem)

    def tables(self, count: int) -> list[tuple[int, int]]:
        """(first line, line after the last) of each of the ``count`` ``[[source]]`` tables."""
        header = re.compile(r"^\s*\[\[\s*" + TABLE + r"\s*\]\]")
        any_header = re.compile(r"^\s*\[")
        starts = [i + 1 for i, line in enumerate(self.text) if header.match(line)]
        if len(starts) != count:  # written inline (source = [{...}]): point at that key
            line = self.of_key(TABLE, 1, len(self.text) + 1)
            return [(line, line + 1)] * count
        spans = []
        for start in starts:
            end = next((i + 1 for i in range(start, len(self.text)) if any_header.match(self.text[i])),
                       len(self.text) + 1)
            spans.append((start, end))
        return spans

    def of_key(self, key: str, start: int, end: int) -> int:
        """The line of ``key = ...`` between lines ``start`` and ``end``; ``start`` when not found."""
        pattern = re.compile(r"^\s*(" + re.escape(key) + r'|"' + re.escape(key) + r'")\s*=')
        for number in range(start, min(end, len(self.text) + 1)):
            if pattern.match(self.text[number - 1]):
                return number
        return start


def _syntax_error_line(exc: Exception) -> int:
    lineno = getattr(exc, "lineno", None)  # Python 3.14 has it
    if isinstance(lineno, int):
        return lineno
    match = re.search(r"at line (\d+)", str(exc))  # Python 3.11-3.13 put it in the message
    return int(match.group(1)) if match else 0


def _without_position(exc: Exception) -> str:
    msg = getattr(exc, "msg", None)
    return msg if isinstance(msg, str) else re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
