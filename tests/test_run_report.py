"""The run report extension, in-process: enabled by the add-on, off on request, one table at the end."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy.utils.test import get_crawler

from newsarchive.crawl.addon import NewsArchive
from newsarchive.crawl.report import RunReport
from newsarchive.crawl.signals import sites_recorded
from newsarchive.db.health import SiteRun
from spiders.news import NewsSpider


@pytest.fixture(scope="module", autouse=True)
def reactor() -> None:
    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def crawler(tmp_path, **settings):
    return get_crawler(NewsSpider, {"ADDONS": {NewsArchive: 0}, "NEWSARCHIVE_DIR": str(tmp_path), **settings})


def test_the_add_on_enables_it(tmp_path):
    assert RunReport in crawler(tmp_path).settings.getdict("EXTENSIONS")


def test_it_can_be_turned_off(tmp_path):
    with pytest.raises(NotConfigured, match="NEWSARCHIVE_RUN_REPORT"):
        build_from_crawler(RunReport, crawler(tmp_path, NEWSARCHIVE_RUN_REPORT=False))


def run(site: str, flags: list[str] | None = None, **counts: int) -> SiteRun:
    return SiteRun(site, 7, counts, 400, flags or [])


def test_it_logs_one_table_when_the_sites_are_recorded(tmp_path, caplog):
    c = crawler(tmp_path)
    build_from_crawler(RunReport, c)
    with caplog.at_level(logging.INFO, logger="newsarchive.crawl.report"):
        c.signals.send_catch_log(sites_recorded, crawl_id=7, runs=[run("a.test", new=3, unchanged=9),
                                                                   run("b.test", errors=2)])
    [record] = caplog.records
    assert record.levelno == logging.INFO
    lines = record.getMessage().splitlines()
    assert lines[0] == "Run report (crawl 7), per site:"
    assert [line.split()[:3] for line in lines[2:]] == [["a.test", "12", "3"], ["b.test", "2", "0"]]


def test_a_flagged_site_makes_it_a_warning(tmp_path, caplog):
    c = crawler(tmp_path)
    build_from_crawler(RunReport, c)
    with caplog.at_level(logging.INFO, logger="newsarchive.crawl.report"):
        c.signals.send_catch_log(sites_recorded, crawl_id=8, runs=[run("a.test", ["2 of 4 pages blocked"], blocked=2,
                                                                       new=2)])
    [record] = caplog.records
    assert record.levelno == logging.WARNING and "flagged a.test: 2 of 4 pages blocked" in record.getMessage()
