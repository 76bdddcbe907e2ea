"""newsarchive: crawl news sites, keep raw WARC, store clean article text in SQLite."""

from newsarchive.extract.article import Article
from newsarchive.extract.extractor import extract

__all__ = ["Article", "extract"]
__version__ = "0.1.0"
