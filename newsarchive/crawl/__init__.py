"""The Scrapy side of newsarchive: thin components around the library core."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from newsarchive.crawl.settings import NEWSARCHIVE_DEFAULTS


def setting(settings: BaseSettings, name: str) -> Any:
    """A NEWSARCHIVE_* setting, falling back to our default when a project doesn't define it."""
    value = settings.get(name)
    return NEWSARCHIVE_DEFAULTS[name] if value is None else value
