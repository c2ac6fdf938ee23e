"""``printable`` escapes exactly the terminal control characters (``ctdc_tui/core/text.py``)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ctdc_tui.core.text import one_line, printable

# The unsafe set as a regular expression, compiled here: the reference for every path of printable.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")


def reference(text: str) -> str:
    return UNSAFE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


def test_each_control_character_has_its_escape() -> None:
    for code in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]:
        assert printable(chr(code)) == f"\\x{code:02x}"
    assert printable("a\u202eb") == "a\\u202eb"
    assert printable("tab\tand\nnew line") == "tab\tand\nnew line"
    assert printable("plain ASCII, nothing to do") == "plain ASCII, nothing to do"
    assert one_line(" two\n lines\x1b[2J ") == "two lines\\x1b[2J"


@given(st.text(alphabet=st.characters(max_codepoint=0x2100)) | st.text())
def test_printable_escapes_what_the_pattern_matches(text: str) -> None:
    assert printable(text) == reference(text)
