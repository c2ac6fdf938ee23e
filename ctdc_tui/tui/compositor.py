"""The main screen's compositor: a partial update draws only what can change.

When a widget asks to be repainted, Textual's compositor works out the box around
every region that changed and then asks *every* widget whose clipping region
touches that box for all of its lines, and cuts each of those lines into the
pieces the screen is made of. The clipping region of a widget is its container's,
so a page step in the resource list (a box over the list) also drew the sidebar,
the detail pane, the status line and the footer, and cut every line of the
containers behind the list, though none of it could reach the screen: the list
and its scrollbar cover the box, and a piece is taken from the front-most widget.

``PartialCompositor`` differs in two places, and draws the same screen:

* a widget is drawn only when the part of it that is visible (its region inside
  its clipping region) touches the box;
* a line of a widget is cut only when some piece of the screen it covers on that
  line is not taken yet by a widget in front of it.

A full update (the first frame, a resize, a screenshot) goes through Textual's
own code: the box is then the whole screen and both tests pass for everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip

__all__ = ["MainScreen", "PartialCompositor"]


class PartialCompositor(Compositor):
    """A compositor whose partial updates skip the widgets and lines they cannot change."""

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        overlaps = crop.overlaps
        intersection = Region.intersection
        for widget, (region, clip) in list(self.visible_widgets.items()):
            shown = intersection(region, clip)
            if not (shown.width and shown.height) or not overlaps(shown):
                continue
            if shown == region:
                lines = widget.render_lines(Region(0, 0, region.width, region.height))
            else:
                lines = widget.render_lines(
                    Region(shown.x - region.x, shown.y - region.y, shown.width, shown.height)
                )
            yield region, clip, lines

    def _render_chops(
        self,
        crop: Region,
        is_rendered_line: Callable[[int], bool],
    ) -> Sequence[Mapping[int, Strip]]:
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        intersection = Region.intersection
        # Widgets come front to back: a piece of a line already taken stays as it is.
        for region, clip, strips in self._get_renders(crop):
            render_region = intersection(region, clip)
            render_x = render_region.x
            first_cut, last_cut = render_region.column_span
            for y, strip in zip(render_region.line_range, strips, strict=False):
                if not is_rendered_line(y):
                    continue
                chops_line = chops[y]
                get = chops_line.get
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                if all(get(cut) is not None for cut in final_cuts[:-1]):
                    continue  # every piece this line covers is taken by a widget in front
                pieces = strip.divide([cut - render_x for cut in final_cuts[1:]])
                for cut, piece in zip(final_cuts, pieces, strict=False):
                    if get(cut) is None:
                        chops_line[cut] = piece
        return chops


class MainScreen(Screen[None]):
    """The app's default screen, composed by a :class:`PartialCompositor`."""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._compositor = PartialCompositor()
