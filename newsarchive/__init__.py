"""newsarchive: crawl news sites, keep raw WARC, store clean article text in SQLite."""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarchive.extract.article import Article
    from newsarchive.extract.extractor import extract

__all__ = ["Article", "extract"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported on first use: the crawl process imports this package (for __version__, its modules)
    # but never extracts, and the extraction stack (trafilatura & co.) costs ~0.3 s of CPU to import.
    if name == "Article":
        from newsarchive.extract.article import Article
        return Article
    if name == "extract":
        from newsarchive.extract.extractor import extract
        globals()["extract"] = extract
        return extract
    raise AttributeError(f"module 'newsarchive' has no attribute {name!r}")


class _Package(types.ModuleType):
    """``newsarchive.extract`` names the function, though ``newsarchive/extract/`` is also a subpackage:
    the import system binds a subpackage to its parent's attribute when it loads it, and this keeps
    the name for the function (as the eager ``from … import extract`` used to)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "extract" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
