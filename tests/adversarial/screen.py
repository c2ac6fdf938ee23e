"""What a running app would send to the terminal, and what a person would read on it.

Pilot runs Textual headless, so nothing is written anywhere; these helpers render the
current screen the way ``App._display`` does for a real terminal (a full compositor update
turned into a terminal sequence) and read the text back, per widget region.
"""

from __future__ import annotations

import re
import unicodedata

from textual.app import App
from textual.widget import Widget

from ctdc_tui.core import links

# What Textual itself writes: SGR colours (CSI ... m), cursor moves (CSI row;col H) and
# Rich's OSC 8 hyperlinks (ESC ] 8 ; params ; url ST).
_OWN_CSI = re.compile(r"\x1b\[[0-9;:]*[mH]")
_OSC8 = re.compile(r"\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)(?:\x1b\\|\x07)")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_output(app: App[object]) -> str:
    """The terminal sequence a full redraw of the current screen would write."""
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def foreign_controls(output: str) -> tuple[set[str], list[str]]:
    """Control characters in ``output`` that Textual did not put there, and every OSC 8 link target.

    After removing Textual's own CSI sequences and OSC 8 links, nothing a terminal would act
    on may remain: no ESC, no C0 but newline/CR, no C1, no bidi override.
    """
    targets = _OSC8.findall(output)
    rest = _OSC8.sub("", _OWN_CSI.sub("", output))
    bad = {ch for ch in rest if (unicodedata.category(ch) == "Cc" and ch not in "\n\r") or ch in _BIDI}
    return bad, targets


def assert_terminal_safe(app: App[object]) -> str:
    output = terminal_output(app)
    bad, targets = foreign_controls(output)
    assert not bad, f"raw control characters reach the terminal: {sorted(map(hex, map(ord, bad)))}"
    for url in targets:
        assert not url or links.is_openable(url), f"the screen carries a link to {url!r}"
    return output


def screen_lines(app: App[object]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def region_text(app: App[object], widget: Widget) -> str:
    """The text shown inside ``widget``'s region, line by line."""
    region = widget.region
    lines = app.screen._compositor.render_strips()
    out = []
    for y in range(region.y, min(region.bottom, len(lines))):
        out.append(lines[y].crop(region.x, region.right).text)
    return "\n".join(out)


def squeeze(text: str) -> str:
    """``text`` without whitespace: wrapped lines join up again."""
    return "".join(text.split())


def shows(text: str, wanted: str, chars: int = 14) -> bool:
    """Whether the start of ``wanted`` (whitespace ignored) is shown literally in ``text``."""
    needle = squeeze(wanted)[:chars]
    return needle in squeeze(text)
