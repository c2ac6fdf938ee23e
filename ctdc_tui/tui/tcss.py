"""Stylesheets written for people, handed to Textual without the spaces it would read one by one.

Textual's tokenizer makes a token of every run of whitespace (half of ``app.tcss``'s
tokens) and of every comment, and the app parses its stylesheet at each start:
``compact`` drops comments and the whitespace no rule needs, about 5 ms of
instructions less before the first frame (docs/performance.md, "App: sixth pass").
``tests/tui/test_tcss.py`` checks that Textual parses each compacted stylesheet into
the same rules as the original.
"""

from __future__ import annotations

import re
from pathlib import Path

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SPACE = re.compile(r"\s+")
# A piece of the text between braces and semicolons, and the delimiter that ends it.
_PIECE = re.compile(r"([^{};]*)([{};]|$)")


def compact(css: str) -> str:
    """``css`` without comments, and with only the spaces that separate words of a selector or value."""
    out: list[str] = []
    for piece, end in _PIECE.findall(_SPACE.sub(" ", _COMMENT.sub(" ", css))):
        piece = piece.strip()
        if piece and end != "{":  # a declaration: "name: value" -> "name:value"
            name, colon, value = piece.partition(":")
            piece = f"{name.strip()}{colon}{value.strip()}"
        out.append(piece + end)
    return "".join(out)


def read(path: Path) -> str:
    """The compacted stylesheet in ``path``."""
    return compact(path.read_text(encoding="utf-8"))
