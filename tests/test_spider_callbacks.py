"""The news spider turns off Scrapy's per-response check of its callbacks' source, so they are checked here."""

from __future__ import annotations

import inspect

from scrapy.settings import Settings
from scrapy.utils.misc import is_generator_with_return_value

from spiders.news import NewsSpider


def _generator_callbacks() -> list:
    spider = NewsSpider(start_urls="http://127.0.0.1:1/")
    return [getattr(spider, name) for name, member in inspect.getmembers(NewsSpider)
            if inspect.isgeneratorfunction(member) and not name.startswith("_")]


def test_no_callback_of_the_spider_returns_a_value_from_a_generator():
    callbacks = _generator_callbacks()
    assert {c.__name__ for c in callbacks} >= {"parse_page", "parse_listing", "parse_robots", "failed"}
    assert [c.__name__ for c in callbacks if is_generator_with_return_value(c)] == []


def test_the_check_is_off_for_the_spider_and_comes_back_with_dash_s():
    settings = Settings()
    NewsSpider.update_settings(settings)
    assert settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE") is False
    settings = Settings()
    settings.set("WARN_ON_GENERATOR_RETURN_VALUE", True, priority="cmdline")
    NewsSpider.update_settings(settings)
    assert settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE") is True
