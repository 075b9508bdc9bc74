"""Text a user typed, shown back inside a sentence (R12.6: a refusal names the value).

What was typed or pasted may hold characters that break the sentence onto another line (a
newline, U+2028), move the cursor or recolour a terminal (ESC), hide (U+200B) or reorder it
(U+202E): shown back raw, the refusal is no longer one line that reads as what it is. Those
characters are shown as their escapes ("\\n", "\\u202e"), everything else as typed.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Control, format (zero-width and bidirectional), surrogate, line and paragraph separators.
HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """`text` with every character that would break or reorder a line shown as its escape."""
    if text.isprintable():  # the usual case, at C speed
        return text
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in HIDDEN_CATEGORIES
        else c
        for c in text
    )
