"""Progress bars for the long offline commands (``import-warc``, ``reextract``, ``export``), on a terminal only.

A bar goes to stderr, and only when stderr is a terminal: piped or logged
output stays free of carriage returns. The jobs take a plain callback
(``progress(n)``: n more units done), so the library knows nothing of click.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator, Union

import click

Progress = Callable[[int], None]
# The total: a number, or how to get one (counting costs a query, done only when a bar is shown).
Total = Union[int, None, Callable[[], Union[int, None]]]


def is_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(label: str, total: Total, unit_is_bytes: bool = False) -> Iterator[Progress | None]:
    """``with progress_bar("importing", size) as progress:`` then ``progress(n)``; None when no bar is shown."""
    if not is_terminal():
        yield None
        return
    length = total() if callable(total) else total
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=not unit_is_bytes,
                           show_percent=bool(length), show_eta=bool(length)) as bar:
        yield bar.update
