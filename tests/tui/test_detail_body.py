"""The detail pane's body is drawn once per update, and looks exactly as Textual's own drawing would."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.style import Style as VisualStyle
from textual.visual import RichVisual, Visual

from ctdc_tui.core import locations
from ctdc_tui.core.catalog import Resource, load_catalog
from ctdc_tui.tui.widgets.detail import DetailPane, DetailView, _Body, _BodyVisual, render_detail

HOSTILE = Resource(
    id="hostile",
    title="[bold]Not bold[/bold] \x1b[31mred\x1b[0m [@click=app.quit]quit[/]",
    url="https://example.org/a-very-long-address/that/keeps/going/and/going?with=a&query=string",
    category="x",
    authors=("Ada Lovelace", "[i]Grace[/i] Hopper"),
    organizations=("Org " * 30,),
    year=2018,
    kind="guide",
    tags=("one", "two", "three"),
    description="A description long enough to wrap several times at any width. " * 6,
    note="From the catalogue: " + "word " * 40,
    alternate_urls=("https://example.net/mirror",),
)


def resources() -> list[Resource]:
    catalog, _problems = load_catalog(locations.bundled_catalogue())
    return [*catalog.resources.values(), HOSTILE]


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DetailPane(id="detail")


def strips(widget: Any, visual: Visual, width: int, style: VisualStyle) -> tuple[int, list[Any]]:
    height = visual.get_height(widget.styles, width)
    drawn = Visual.to_strips(widget, visual, width, height, style)
    return height, [[(seg.text, seg.style) for seg in strip] for strip in drawn]


@pytest.mark.parametrize("width", [12, 37, 58, 91])
async def test_the_body_looks_as_textuals_drawing_of_the_same_text(width: int) -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)):
        body = app.query_one("#detail-body", _Body)
        style = body.visual_style
        for i, resource in enumerate(resources()):
            view = DetailView(
                resource=resource,
                bookmarked=i % 2 == 0,
                note="my note " * (i % 4),
                link_status="dead (checked 3 days ago)" if i % 3 == 0 else None,
            )
            text = render_detail(view, compact=False)
            ours = strips(body, _BodyVisual(body, text), width, style)
            textuals = strips(body, RichVisual(body, text), width, style)
            assert ours == textuals, (resource.id, width)


async def test_one_update_renders_the_body_once(monkeypatch: pytest.MonkeyPatch) -> None:
    renders: list[object] = []
    real_render = Console.render

    def counting_render(self: Console, renderable: Any, options: Any = None) -> Any:
        if getattr(renderable, "_ctdc_probe", False):
            renders.append(renderable)
        return real_render(self, renderable, options)

    monkeypatch.setattr(Console, "render", counting_render)
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(DetailPane)
        resource = resources()[0]
        text = render_detail(DetailView(resource=resource))
        text._ctdc_probe = True  # type: ignore[attr-defined]
        app.query_one("#detail-body", _Body).show(text, compact=False)
        await pilot.pause()
        await pilot.pause()
        assert pane.query_one("#detail-body").size.height > 5  # laid out and drawn
        assert len(renders) == 1  # Textual's RichVisual renders it twice (height, then lines)
