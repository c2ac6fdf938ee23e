"""The line reader of the plain layout (``yaml_lines``) against PyYAML's event parser.

Whenever the line reader reads a text, it must build exactly what the event parser builds:
the same values and types, the same containers, the same line of every key, item and
container. Anything it is unsure of it leaves to the event parser (None).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctdc_tui.core import catalog
from ctdc_tui.core.catalog import YList, YMap
from ctdc_tui.core.yaml_lines import read_plain_layout
from tests.benchmarks.generate_catalogue import generate

REPO = Path(__file__).resolve().parents[2]


def _shape(value: Any) -> Any:
    """A value with its containers' lines and flags spelt out (for comparing two readings)."""
    if isinstance(value, YMap):
        return (
            "map",
            value.line,
            value.bomb,
            value.cut,
            [(repr(k), value.key_lines.get(k), _shape(v)) for k, v in value.items()],
            sorted(map(repr, value.key_lines.items())),
        )
    if isinstance(value, YList):
        return ("list", value.line, value.bomb, value.cut, [_shape(v) for v in value], list(value.item_lines))
    return (type(value).__name__, repr(value))


def _lines(text: str) -> Any:
    return read_plain_layout(text, YMap, YList, catalog._plain_value)


def _assert_same_or_left(text: str) -> bool:
    """The line reader reads ``text`` as the event parser does, or leaves it; True if it read it."""
    mine = _lines(text)
    if mine is None:
        return False
    theirs, error = catalog._parse_yaml_events(text, "test.yaml")
    assert error is None, (text, error.message)
    assert _shape(mine) == _shape(theirs), text
    return True


def test_generated_and_hand_written_layouts_are_read_the_same(tmp_path: Path) -> None:
    folder = generate(tmp_path / "catalogue", 400, seed=5)
    files = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")
    assert len(files) >= 3
    read = [_assert_same_or_left(p.read_text(encoding="utf-8")) for p in files]
    assert all(read), "every generated category file is in the plain layout"
    # catalog.yaml lists its categories as plain items (``- id``): left to PyYAML.
    assert not _assert_same_or_left((folder / "catalog.yaml").read_text(encoding="utf-8"))
    # The bundled files use folded blocks (``>-``): left to PyYAML, and loaded as before.
    assert not any(_lines(p.read_text(encoding="utf-8")) for p in sorted((REPO / "data").glob("*.yaml")))


@pytest.mark.parametrize(
    "text",
    [
        'a: "x"\nb: [1, 2]\n',
        'a:\n  b: c\n  d:\n    - e: 1\n      f: [x, "y"]\n    - e: 2\ng: h\n',
        '# a comment\n\nresources:\n  - id: a\n\n    title: "T"\n  # between records\n  - id: b\n',
        'a: "\\u00e9\\t\\\\ \\" \\x41\\U0001F600"\n',
        "a:\nb:\n",  # empty values are null
        "a: 0123\nb: 0\nc: 1_000\nd: 2018-01-01\ne: 1.5\nf: .inf\ng: ~\nh: True\ni: off\nj: 0x1F\n",
        "a: https://example.org/x#y\nb: it's\nc: a  b\n",
        "a: []\nb: [ a , b ]\n",
    ],
)
def test_examples_in_the_layout_are_read_the_same(text: str) -> None:
    assert _assert_same_or_left(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: >-\n  folded\n",
        "a: 'single'\n",
        "a: b # comment\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: {b: c}\n",
        "a: long\n  continued\n",
        "a:\n  - plain item\n",
        "a:\tb\n",
        "a: b\r\nc: d\r\n",
        "---\na: b\n",
        "a: 1\na: 2\n",
        "yes: 1\n",
        'a: "\\q"\n',
        "a: [b, c,]\n",
        "a: 2018-02-30\n",  # a date PyYAML refuses to build
        "a: \x85b\n",
        "  a: b\n",
        "a: b\n c: d\n",
        "a:\n- b: c\n",  # a list at its key's own indentation
        "",
        "# only a comment\n",
        "".join(" " * (2 * i) + f"k{i}:\n" for i in range(12)) + " " * 24 + "x: 1\n",  # too deep
    ],
)
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert _lines(text) is None


def _mostly(
    usual: st.SearchStrategy[str], odd: st.SearchStrategy[str], one_in: int
) -> st.SearchStrategy[str]:
    """``usual``, and once in ``one_in`` draws ``odd``."""
    return st.integers(1, one_in).flatmap(lambda n: odd if n == 1 else usual)


_CLEAN_WORDS = st.sampled_from(["a", "data", "City", "0", "12", "2018", "é", "東京", "it's", "x-y", "a.b"])
_ODD_WORDS = st.sampled_from(
    [
        "yes", "No", "null", "~", "007", "-3", "1.5", "1e3", ".inf", "2018-01-01", "2018-02-30",
        "http://x.org/a#b", "a: b", "a #b", "a:", "[x]", "{x}", "&a", "*a", "!t", "%", "@", "`",
        "-", "- a", "?", "? a", "x\ty", "a,b", '"', "'", "\\", "", " ", "#", "\x85", "\u2028",
    ]
)  # fmt: skip
# Mostly words the line reader takes, so that many documents are read both ways.
_WORDS = _mostly(_CLEAN_WORDS, _ODD_WORDS, 6)
_PLAIN = st.lists(_WORDS, min_size=1, max_size=3).map(" ".join)
_QUOTED_CLEAN = st.sampled_from([*"ab é#:,[]", "\\n", "\\u00e9", "\\x41", "\\ ", '\\"'])
_QUOTED_ODD = st.sampled_from(['"', "\\", "\t", "\\q", "\\x4"])
_QUOTED = st.lists(_mostly(_QUOTED_CLEAN, _QUOTED_ODD, 6), max_size=6).map(
    lambda parts: '"' + "".join(parts) + '"'
)
_SCALAR = _PLAIN | _QUOTED
_FLOW = st.lists(_SCALAR, max_size=3).map(lambda items: "[" + ", ".join(items) + "]") | st.sampled_from(
    ["[]", "[a,b]", "[ a ]", "[a, ]", "[[a]]", '["a" , "b"]', "[a: b]"]
)
_CLEAN_KEYS = st.sampled_from(["id", "title", "tags", "a_b", "x-y", "k1"])
_KEYS = _mostly(_CLEAN_KEYS, st.sampled_from(["on", "Null", "y"]), 12)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """Texts in and around the plain layout: nested mappings and lists of records, odd values,
    blank and comment lines, trailing spaces, odd indentation."""
    lines: list[str] = []

    def mapping(indent: int, depth: int, first_prefix: str = "") -> None:
        for n in range(draw(st.integers(1, 4))):
            pad = first_prefix if n == 0 and first_prefix else " " * indent
            key = draw(_KEYS)
            kind = draw(st.sampled_from(["scalar", "scalar", "flow", "empty", "map", "list"]))
            if depth >= 3 and kind in ("map", "list"):
                kind = "scalar"
            if kind == "scalar":
                lines.append(f"{pad}{key}: {draw(_SCALAR)}{draw(st.sampled_from(['', ' ', '  ']))}")
            elif kind == "flow":
                lines.append(f"{pad}{key}: {draw(_FLOW)}")
            elif kind == "empty":
                lines.append(f"{pad}{key}:")
            elif kind == "map":
                lines.append(f"{pad}{key}:")
                mapping(indent + draw(st.sampled_from([2, 2, 2, 2, 1, 4])), depth + 1)
            else:
                lines.append(f"{pad}{key}:")
                inner = indent + draw(st.sampled_from([2, 2, 2, 2, 0, 3]))
                for _ in range(draw(st.integers(1, 3))):
                    gap = draw(st.sampled_from([" ", " ", " ", "  "]))
                    mapping(inner + 1 + len(gap), depth + 1, " " * inner + "-" + gap)
            if draw(st.integers(0, 19)) == 0:
                lines.append(draw(st.sampled_from(["", "   ", "# note", "    # note", "\t"])))

    mapping(0, 0)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_texts_in_and_around_the_layout_are_read_the_same_or_left(text: str) -> None:
    _assert_same_or_left(text)


def test_the_loader_reads_a_generated_catalogue_through_the_line_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading goes through the line reader for files in the layout (and gives what the event
    parser gives: the catalogue loads the same with the line reader turned off)."""
    folder = generate(tmp_path / "catalogue", 300, seed=9)
    read: list[bool] = []
    original = catalog.read_plain_layout

    def spy(*args: Any) -> Any:
        out = original(*args)
        read.append(out is not None)
        return out

    monkeypatch.setattr(catalog, "read_plain_layout", spy)
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    lines = catalog.load_catalog(folder)
    assert read.count(True) >= 3  # the category files (not catalog.yaml)
    monkeypatch.setattr(catalog, "read_plain_layout", lambda *args: None)
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home2"))
    events = catalog.load_catalog(folder)
    assert list(lines[0]) == list(events[0])
    assert lines[1] == events[1]
