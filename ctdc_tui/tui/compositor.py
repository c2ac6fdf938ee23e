"""The main screen's compositor: a partial update draws only what can change.

When a widget asks to be repainted, Textual's compositor works out the box around
every region that changed and then asks *every* widget whose clipping region
touches that box for all of its lines, and cuts each of those lines into the
pieces the screen is made of. The clipping region of a widget is its container's,
so a page step in the resource list (a box over the list) also drew the sidebar,
the detail pane, the status line and the footer, and cut every line of the
containers behind the list, though none of it could reach the screen: the list
and its scrollbar cover the box, and a piece is taken from the front-most widget.

``PartialCompositor`` differs in three places, and draws the same screen:

* a widget is drawn only when the part of it that is visible (its region inside
  its clipping region) touches the box;
* a line of a widget is cut only when some piece of the screen it covers on that
  line is not taken yet by a widget in front of it;
* a container (a widget with children) none of whose lines has such a piece is not
  drawn at all: in the first frame the screen and the two ``Horizontal`` panes are
  covered by what they hold, and drawing them was about 1.3% of start-up's work.

A full update (the first frame, a resize, a screenshot) takes the same path with
the whole screen as the box: the first test passes for everything, the others
still hold.

``MainScreen`` also skips the restyle of every widget that Textual does when the
app's first screen first resumes (see ``MainScreen._on_screen_resume``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from textual import events
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
        overlaps = crop.overlaps
        # Widgets come front to back: a piece of a line already taken stays as it is.
        for widget, (region, clip) in list(self.visible_widgets.items()):
            shown = intersection(region, clip)
            if not (shown.width and shown.height) or not overlaps(shown):
                continue
            first_cut, last_cut = shown.column_span
            free: list[tuple[int, list[int]]] = []  # (line offset, cuts) of the lines with a piece free
            for offset, y in enumerate(shown.line_range):
                if not is_rendered_line(y):
                    continue
                get = chops[y].get
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                if not all(get(cut) is not None for cut in final_cuts[:-1]):
                    free.append((offset, final_cuts))
            if not free and widget._nodes:
                continue  # a container hidden behind its children: its lines could not reach the screen
            if shown == region:
                strips = widget.render_lines(Region(0, 0, region.width, region.height))
            else:
                strips = widget.render_lines(
                    Region(shown.x - region.x, shown.y - region.y, shown.width, shown.height)
                )
            render_x = shown.x
            for offset, final_cuts in free:
                if offset >= len(strips):
                    break
                chops_line = chops[shown.y + offset]
                get = chops_line.get
                pieces = strips[offset].divide([cut - render_x for cut in final_cuts[1:]])
                for cut, piece in zip(final_cuts, pieces, strict=False):
                    if get(cut) is None:
                        chops_line[cut] = piece
        return chops


class MainScreen(Screen[None]):
    """The app's default screen, composed by a :class:`PartialCompositor`."""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._compositor = PartialCompositor()
        self._resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # (Runs before Screen's own handler, which reads the flag.) When the app starts, Textual
        # resumes its first screen by styling every widget again, moments after each was styled
        # as it mounted; every change since (a class, the focus) restyled what it touched. That
        # second pass was about 2% of start-up's work (docs/performance.md, "App: sixth pass").
        # Later resumes (a dialog closing) restyle as Textual decides.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
