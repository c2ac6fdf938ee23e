"""Compacted stylesheets (``ctdc_tui/tui/tcss.py``) parse into the same rules as their originals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.css.stylesheet import Stylesheet
from textual.theme import BUILTIN_THEMES

from ctdc_tui.tui import tcss

TUI = Path(tcss.__file__).parent


def _rules(css: str, *, default: bool) -> list[tuple[object, ...]]:
    sheet = Stylesheet(variables=BUILTIN_THEMES["textual-dark"].to_color_system().generate())
    sheet.add_source(css, read_from=("test", ""), is_default_css=default)
    sheet.parse()
    return [
        (
            rule.css,
            rule.selector_set,
            # (a layout is a new object each parse: compare its repr)
            {name: repr(value) for name, value in rule.styles.get_rules().items()},
            rule.is_default_rules,
            rule.pseudo_classes,
        )
        for rule in sheet.rules
    ]


def _compacted_in_source() -> list[tuple[str, str]]:
    """Every stylesheet a widget module hands to ``compact`` as a literal: (where, text)."""
    found = []
    for path in sorted(TUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "compact"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append((f"{path.name}:{node.lineno}", node.args[0].value))
    return found


SAMPLES = [
    "/* a comment */ Screen.-narrow #sidebar,\nScreen.-stacked #sidebar { display: none; }",
    "App:nocolor #search:focus {\n  text-style: reverse;  /* inside */\n}",
    "A B > C  .d:hover { border: tall $primary 30%; padding: 0 1 ; }",
    "Input { &:focus { background-tint: $foreground 5%; } & > .x { color: red !important; } }",
    "#a{width:1fr}",
]


def test_the_widgets_compact_their_own_stylesheets() -> None:
    assert len(_compacted_in_source()) >= 3


@pytest.mark.parametrize(
    "css",
    [
        (TUI / "app.tcss").read_text(encoding="utf-8"),
        *(text for _, text in _compacted_in_source()),
        *SAMPLES,
    ],
)
def test_compact_keeps_every_rule(css: str) -> None:
    compacted = tcss.compact(css)
    assert len(compacted) < len(css) or css == compacted
    for default in (False, True):
        assert _rules(compacted, default=default) == _rules(css, default=default)


def test_the_app_reads_its_stylesheet_compacted() -> None:
    from ctdc_tui.tui.app import CtdcApp

    assert tcss.compact((TUI / "app.tcss").read_text(encoding="utf-8")) == CtdcApp.CSS
    assert "/*" not in CtdcApp.CSS and "\n" not in CtdcApp.CSS
