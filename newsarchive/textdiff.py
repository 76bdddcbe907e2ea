"""A word diff between two versions of a text, readable in a terminal: ``[-removed-]{+added+}``."""

from __future__ import annotations

import difflib
import re

# Words with their trailing space, so the diff of a text puts it back together as it was.
_TOKEN = re.compile(r"\S+\s*|\s+")


def word_diff(before: str, after: str) -> str:
    """``after`` with the words ``before`` had and it lost as ``[-…-]`` and those it gained as ``{+…+}``."""
    old, new = _TOKEN.findall(before or ""), _TOKEN.findall(after or "")
    out: list[str] = []
    # Words are compared without their spacing: a paragraph break after the last word is no change to it.
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in old], [t.strip() for t in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append("".join(new[j1:j2]))
            continue
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        # The space after a change is the new text's (the old one's when only words went).
        out.append(_marked("[-", removed, "-]", keep_space=op == "delete") + _marked("{+", added, "+}"))
    return "".join(out)


def _marked(start: str, text: str, end: str, keep_space: bool = True) -> str:
    stripped = text.rstrip()
    if not stripped:
        return text if keep_space else ""
    return f"{start}{stripped}{end}" + (text[len(stripped):] if keep_space else "")


def changed_words(before: str, after: str) -> tuple[int, int]:
    """How many words ``after`` lost and gained compared with ``before``."""
    old, new = (before or "").split(), (after or "").split()
    removed = added = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op != "equal":
            removed += i2 - i1
            added += j2 - j1
    return removed, added
