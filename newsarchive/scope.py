"""What a crawl may fetch: one rule for every URL, whoever found it.

Links, sitemap and feed entries, robots.txt ``Sitemap:`` lines, redirects and
meta refreshes all pass through :meth:`Scope.refusal` (and, once the host is
resolved, :meth:`Scope.address_refusal`). A URL is in scope when

- its scheme is ``http`` or ``https`` (never ``file:``, ``ftp:``, ``data:``…);
- its host is a seed's host or a subdomain of it (a leading ``www.`` is
  dropped first, so ``www.site.example`` and ``site.example`` are one site),
  or a host named in the opt-in extra hosts;
- its port is one the seed was given with. A seed on the default port allows
  both 80 and 443, so that ``http://`` to ``https://`` upgrades keep working;
  a seed with an explicit port allows that port only;
- it is listed by a sitemap: on that sitemap's own scheme, host and port
  (the sitemaps protocol);
- its address is public, unless a seed itself is on a private, loopback or
  link-local address (a test site on 127.0.0.1, an intranet crawl).

This module knows nothing of Scrapy; ``newsarchive.crawl.scope`` applies it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Refusal reasons, also the last part of the stats key newsarchive/scope/refused/<reason>.
SCHEME = "scheme"
HOST = "host"
PORT = "port"
SITEMAP = "sitemap"
ADDRESS = "address"
MALFORMED = "malformed"

EXPLAINED = {
    SCHEME: "not an http(s) URL",
    HOST: "not a crawled host",
    PORT: "not a port the crawled host was given with",
    SITEMAP: "not on its sitemap's scheme, host and port",
    ADDRESS: "resolves to a private, loopback or link-local address",
    MALFORMED: "not a parsable URL",
}


@dataclass(frozen=True)
class Site:
    """One allowed host (and its subdomains, unless ``exact``) on a set of ports."""

    host: str
    ports: frozenset[int]
    exact: bool = False

    def covers(self, host: str) -> bool:
        return host == self.host or (not self.exact and host.endswith("." + self.host))


class Scope:
    def __init__(self, seeds: list[str], extra_hosts: list[str] | tuple[str, ...] = ()) -> None:
        """``seeds``: the crawl's start, sitemap and feed URLs; ``extra_hosts``: ``host`` or ``host:port``
        entries that widen the hosts (a host without a port gets the default ports)."""
        self.sites: list[Site] = [_site_of(url) for url in seeds]
        self.sites += [_site_of(f"http://{entry.strip()}/") for entry in extra_hosts if entry.strip()]
        self.seed_hosts = frozenset(urlsplit(url).hostname or "" for url in seeds)
        # A seed on a private address (or named localhost) says this crawl is meant to reach one.
        self.private_ok = any(_is_private(host) or _is_localhost(host) for host in self.seed_hosts)

    def refusal(self, url: str, sitemap: str | None = None) -> str | None:
        """Why ``url`` must not be fetched (one of the reason constants), or None when it may be.
        ``sitemap``: the URL of the sitemap that lists it, whose origin then bounds it."""
        try:
            parts = urlsplit(url)
            scheme, host, port = parts.scheme.lower(), parts.hostname or "", parts.port
        except ValueError:  # a port out of range, a bracketed host that is no IPv6 address
            return MALFORMED
        if scheme not in SCHEMES:
            return SCHEME
        if not host:
            return MALFORMED
        port = port or DEFAULT_PORTS[scheme]
        sites = [site for site in self.sites if site.covers(host)]
        if not sites:
            return HOST
        if not any(port in site.ports for site in sites):
            return PORT
        if sitemap is not None and _origin(url) != _origin(sitemap):
            return SITEMAP
        if is_ip(host):
            return self.address_refusal(host, host)
        return None

    def needs_resolving(self, host: str) -> bool:
        """Whether ``host``'s address must be checked before a fetch (a name, in a crawl of public seeds)."""
        return not self.private_ok and not is_ip(host)

    def address_refusal(self, host: str, address: str) -> str | None:
        """Why ``host``, found at ``address``, must not be fetched; None when it may be."""
        if self.private_ok or host in self.seed_hosts or not _is_private(address):
            return None
        return ADDRESS


def _site_of(url: str) -> Site:
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    given = parts.port
    ports = {given} if given and given != DEFAULT_PORTS.get(scheme) else set(DEFAULT_PORTS.values())
    if is_ip(host):
        return Site(host, frozenset(ports), exact=True)
    return Site(host[4:] if host.startswith("www.") else host, frozenset(ports))


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname or "", parts.port or DEFAULT_PORTS.get(scheme, 0)


def is_ip(host: str) -> bool:
    """An IPv4 or IPv6 literal (no name to resolve, no www. variant)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_localhost(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def _is_private(address: str) -> bool:
    """Loopback, private (RFC 1918, ULA), link-local (169.254/16: cloud metadata), or otherwise not global."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast
