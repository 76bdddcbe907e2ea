"""newsarchive's Datasette plugin: the article page, ranked search, the raw capture route.

Loaded with ``--plugins-dir`` (``newsarchive serve`` and the printed
``datasette`` command pass it), so it acts only where our templates ask: the
``articles`` row page, the ``search`` canned query, ``/-/newsarchive/capture``.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import escape_fts, tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

# snippet() wraps each hit in these (control characters no page text holds), and the template turns
# them into <mark> after escaping the rest: the page's own text never becomes HTML.
HIT_START, HIT_END = "\x02", "\x03"
DEFAULT_REPLAY = "http://localhost:8080/news/{timestamp}/{url}"
VERSIONS_TABLE = "article_versions"


@hookimpl
def prepare_connection(conn):
    # What readers type is words, not FTS5 syntax: "council's nine-month plan" must not be an error.
    conn.create_function("fts_words", 1, lambda q: escape_fts(q or "") or '""', deterministic=True)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["from_json"] = from_json
    env.filters["paragraphs"] = lambda text: [p.strip() for p in (text or "").split("\n") if p.strip()]
    env.filters["marked"] = marked
    env.filters["tilde_encode"] = tilde_encode
    env.tests["opening"] = opens


def opens(description: str | None, text: str | None) -> bool:
    """Does ``text`` begin with ``description`` (whitespace aside, a trailing ellipsis of a cut one too)?

    Many pages' meta description is their standfirst, which is also the text's
    first paragraph: the article page then shows it once, in the text.
    """
    wanted = " ".join((description or "").split()).rstrip(".…").rstrip()
    return bool(wanted) and " ".join((text or "").split()).startswith(wanted)


def from_json(value):
    try:
        return json.loads(value) if value else []
    except (TypeError, ValueError):
        return [value]


def marked(snippet: str | None) -> Markup:
    text = str(escape(snippet or ""))
    return Markup(text.replace(HIT_START, "<mark>").replace(HIT_END, "</mark>"))


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    if template == "row-news-articles.html":
        return _article_vars(datasette, database, request)
    if template == "query-news-search.html":
        return _search_vars(datasette, database, request)
    return None


def _article_vars(datasette, database, request):
    async def inner():
        db = datasette.get_database(database)
        url = _row_url(request)
        versions = []
        if url and await db.table_exists(VERSIONS_TABLE):
            # Shown whatever columns a later migration gives the table; the texts stay out of the list.
            result = await db.execute(f"SELECT * FROM [{VERSIONS_TABLE}] WHERE url = ? ORDER BY rowid", [url])
            versions = [{k: v for k, v in dict(row).items() if k not in ("text", "url")} for row in result.rows]
            # Every article is its own version 1: the list is worth showing once there is a second.
            versions = versions if len(versions) > 1 else []
        row = (await db.execute("SELECT warc_date, fetched_at FROM articles WHERE url = ?", [url])).first() if url else None
        when = (row["warc_date"] or row["fetched_at"] or "") if row else ""
        config = datasette.plugin_config("newsarchive") or {}
        replay = (config.get("replay_url") or DEFAULT_REPLAY).format(timestamp=re.sub(r"\D", "", when)[:14], url=url)
        return {
            "versions": versions,
            "cluster": await _cluster_members(db, url),
            "capture_url": datasette.urls.path("/-/newsarchive/capture?" + urlencode({"db": database, "url": url or ""})),
            "replay_url": replay,
        }

    return inner


async def _cluster_members(db, url: str | None) -> list[dict]:
    """The other articles of ``url``'s near-duplicate cluster, earliest first (none before clustering)."""
    if not url or "cluster_id" not in await db.table_columns("articles"):
        return []
    result = await db.execute(
        "SELECT url, title, site, published, word_count, url = cluster_id AS earliest FROM articles "
        "WHERE cluster_id = (SELECT cluster_id FROM articles WHERE url = :url) AND url != :url "
        "ORDER BY coalesce(published, fetched_at), url LIMIT 200", {"url": url})
    return [dict(row) for row in result.rows]


def _row_url(request) -> str | None:
    from datasette.utils import tilde_decode

    pks = request.url_vars.get("pks") if request else None
    return tilde_decode(pks) if pks else None


def _search_vars(datasette, database, request):
    async def inner():
        q = (request.args.get("q") or "").strip()
        facets = {}
        if q:
            db = datasette.get_database(database)
            for column in ("site", "language"):
                result = await db.execute(
                    f"SELECT a.{column} AS value, count(*) AS n FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
                    f" WHERE articles_fts MATCH fts_words(:q) GROUP BY 1 ORDER BY 2 DESC LIMIT 20", {"q": q})
                facets[column] = [(row["value"], row["n"], _toggle(request, column, row["value"])) for row in result.rows]
        table_link = datasette.urls.table(database, "articles") + "?" + urlencode(
            {"_search": q, "_facet": "site", **({"site": request.args["site"]} if request.args.get("site") else {})})
        return {"q": q, "search_facets": facets, "table_link": table_link}

    return inner


def _toggle(request, column: str, value) -> str:
    """The search URL with ``column`` set to ``value``, or unset when it already is."""
    args = {k: request.args.get(k) for k in ("q", "site", "language") if request.args.get(k)}
    if args.get(column) == value:
        args.pop(column)
    else:
        args[column] = value or ""
    return request.path + "?" + urlencode(args)


@hookimpl
def register_routes():
    return [(r"^/-/newsarchive/capture$", capture)]


async def capture(request, datasette):
    """The archived body of ``url``, as received (content-decoded), sandboxed: its scripts never run here."""
    from newsarchive.archive import Archive
    from newsarchive.warc.records import RecordError

    name, url = request.args.get("db") or "news", request.args.get("url")
    try:
        path = datasette.get_database(name).path
    except KeyError:
        raise NotFound(f"no database {name}")
    if not url or not path:
        raise NotFound("give ?url= of an archived page")
    def read():
        with Archive(Path(path).parent) as archive:
            return archive.capture(url)

    try:
        # Off the event loop: a record can take a while to inflate.
        stored = await asyncio.to_thread(read)
    except (LookupError, RecordError) as exc:
        problem = str(exc)
    else:
        problem = None
    if problem:
        raise NotFound(problem)
    headers = {
        # A unique origin with no scripts, forms or plugins: archived pages are untrusted input.
        "content-security-policy": "sandbox; default-src 'none'; img-src * data:; style-src * 'unsafe-inline'",
        "x-content-type-options": "nosniff",
        "x-newsarchive-record": f"{stored.record_type} {stored.warc_headers.get_header('WARC-Record-ID') or ''}",
    }
    return Response(stored.body, headers=headers, content_type=stored.content_type or "application/octet-stream")
