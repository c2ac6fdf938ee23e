"""The main screen's first resume does not style every widget again (``tui/compositor.py``).

Textual styles each widget as it mounts and, when the first screen resumes, styles them
all again. ``MainScreen`` skips that second pass; these tests start the app in several
shapes and states and check that every widget (and each of its component classes) has
the styles a full restyle gives it.
"""

from __future__ import annotations

import pytest
from textual.dom import DOMNode

from ctdc_tui.core.state import AppState, save_state
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.resource_list import ResourceList


def _styles(app: CtdcApp) -> dict[DOMNode, object]:
    def rules(styles: object) -> dict[str, str]:
        return {name: repr(value) for name, value in styles.base.get_rules().items()}  # type: ignore[attr-defined]

    found: dict[DOMNode, object] = {}
    for node in app.screen.walk_children(with_self=True):
        found[node] = (
            rules(node.styles),
            {name: rules(styles) for name, styles in node._component_styles.items()},
            node._has_hover_style,
            node._has_focus_within,
            node._has_order_style,
        )
    return found


async def _check(app: CtdcApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        for _ in range(50):
            await pilot.pause()
            if app.query_one(ResourceList).row_count:
                break
        assert app.screen._resumed
        first = _styles(app)
        app.update_styles(app.screen)  # Textual's full restyle, as a resume would do it
        assert _styles(app) == first


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (60, 20), (40, 20), (120, 10)])
async def test_the_first_styles_are_a_full_restyles(size: tuple[int, int]) -> None:
    await _check(CtdcApp(), size)


@pytest.mark.parametrize("theme", ["textual-light", "nord"])
async def test_the_first_styles_with_a_remembered_theme(theme: str) -> None:
    save_state(AppState(theme=theme))
    await _check(CtdcApp(), (100, 30))


async def test_the_first_styles_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    await _check(CtdcApp(), (100, 30))


async def test_a_class_changed_without_a_restyle_would_be_seen() -> None:
    # The check above can fail: a class slipped in behind Textual's back changes what a
    # full restyle gives.
    app = CtdcApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        first = _styles(app)
        app.screen._classes.add("-narrow")
        app.update_styles(app.screen)
        assert _styles(app) != first


async def test_the_first_styles_when_the_first_frame_waits_for_the_index() -> None:
    await _check(CtdcApp(None, None, "no-such-resource"), (120, 36))  # (a deep link: no first-screen file)
