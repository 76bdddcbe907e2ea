"""A DNS stand-in for crawls in tests: names under ``.test`` (RFC 2606) resolve to loopback.

``news.test`` and its subdomains go to 127.0.0.1, ``metadata.test`` to 127.0.0.2;
every other name goes to Scrapy's own caching resolver. It lets a test crawl
start from a host *name*, as a public crawl does, and find that name's
neighbours resolving to private addresses, without any network.
"""

from __future__ import annotations

from twisted.internet import defer

from scrapy.resolver import CachingThreadedResolver, dnscache

NAMES = {"news.test": "127.0.0.1", "metadata.test": "127.0.0.2"}


class LoopbackResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout=()):  # noqa: N802 (Twisted's naming)
        for suffix, address in NAMES.items():
            if name == suffix or name.endswith("." + suffix):
                dnscache[name] = address
                return defer.succeed(address)
        return super().getHostByName(name, timeout)
