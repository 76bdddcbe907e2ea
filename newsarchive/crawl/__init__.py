"""The Scrapy side of newsarchive: thin components around the library core.

Enable them in a Scrapy project with the add-on (``newsarchive/crawl/addon.py``)::

    ADDONS = {"newsarchive.crawl.addon.NewsArchive": 0}
"""
