"""Command palette providers: go to a resource, go to a category, and the app's commands.

- ``ResourceCommands`` ("Go to resource…") matches titles as the user types.
  It asks the search index for titles (``index.search("title:…", as_you_type=True,
  limit=20)``, in a thread) so it stays quick with 100,000 resources, tops up
  with a search of every field when titles alone find few, then ranks the hits
  by a fuzzy match on the title. For a catalogue of a few thousand resources it
  also fuzzy-matches every title, so abbreviations such as "cvc tch" work.
- ``CategoryCommands`` ("Go to category…") lists All resources, the categories
  with their counts, and Bookmarks.
- ``CtdcCommandPalette`` is Textual's palette with one guard: a PageUp/PageDown
  handled before its list has a size (queued right behind ctrl+p) does nothing
  instead of stopping the app (Textual 8.2.8 raises ``KeyError`` in
  ``OptionList._move_page`` then), and a search started by letters queued
  behind escape, after its widgets are gone, does nothing instead of raising
  ``NoMatches``. The app and both pickers use it.
- ``AppCommands`` offers the two pickers and the app's general commands; each
  runs an app action (``self.app.run_action``) and shows its current key. A
  command whose action the app does not define is not offered.

Choosing a resource or category posts ``GotoResource``/``GotoCategory``/
``GotoBookmarks`` (``ctdc_tui.tui.messages``) to the app. Catalogue text is
shown as ``rich.text.Text`` built from plain strings: a title is never markup.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape
from textual.message import Message
from textual.widgets import LoadingIndicator

from ctdc_tui.core.text import one_line
from ctdc_tui.tui.keymap import keys_for_action
from ctdc_tui.tui.messages import GotoBookmarks, GotoCategory, GotoResource

if TYPE_CHECKING:
    from ctdc_tui.core.catalog import Resource
    from ctdc_tui.core.search import SearchIndex

PICKER_LIMIT = 20
CANDIDATES_PER_HIT = 5
# Up to this many resources, every title is fuzzy-matched too (a few ms per keystroke).
FUZZY_ALL_TITLES_UP_TO = 3000
MATCH_STYLE = "bold underline"


# Only this much of a title is matched and shown: a 10,000-character title stays cheap.
TITLE_CHARS = 300


def _word_starts(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ch.isalnum() and (i == 0 or not text[i - 1].isalnum())]


def _subsequence(word: str, text: str, start: int) -> list[int] | None:
    offsets = []
    position = start
    for ch in word:
        position = text.find(ch, position)
        if position < 0:
            return None
        offsets.append(position)
        position += 1
    return offsets


def fuzzy_match(query: str, candidate: str) -> tuple[float, tuple[int, ...]]:
    """How well ``query`` matches ``candidate`` (0 = not at all, up to 1) and the matched offsets.

    Each typed word must be found in the candidate, in the best of these ways:
    a substring at the start of a word, a substring anywhere, its letters in
    order starting at a word start (abbreviations: "brgd" for "Brigade"), its
    letters in order anywhere. The cost is linear in the candidate's length
    (Textual's own matcher enumerates every combination of positions, which
    explodes on long titles with repeated letters), and only the first
    ``TITLE_CHARS`` characters are looked at.
    """
    words = query.lower().split()
    text = candidate[:TITLE_CHARS].lower()
    if not words or not text:
        return 0.0, ()
    starts = _word_starts(text)
    start_set = set(starts)
    qualities: list[float] = []
    offsets: list[int] = []
    for word in words:
        found: tuple[float, list[int]] | None = None
        position = text.find(word)
        first_anywhere = position
        while position >= 0 and found is None:
            if position in start_set:
                found = (1.0, list(range(position, position + len(word))))
            position = text.find(word, position + 1)
        if found is None and first_anywhere >= 0:
            found = (0.8, list(range(first_anywhere, first_anywhere + len(word))))
        if found is None:
            for start in starts[:64]:
                if text[start] == word[0] and (hit := _subsequence(word, text, start)) is not None:
                    spread = len(word) / (hit[-1] - hit[0] + 1)
                    found = (0.4 + 0.3 * spread, hit)
                    break
        if found is None and (hit := _subsequence(word, text, 0)) is not None:
            found = (0.3, hit)
        if found is None:
            return 0.0, ()
        qualities.append(found[0])
        offsets.extend(found[1])
    phrase = " ".join(words)
    whole = text.find(phrase)
    if len(words) > 1 and whole >= 0:
        qualities.append(1.0 if whole in start_set else 0.8)
        offsets = list(range(whole, whole + len(phrase)))
    quality = sum(qualities) / len(qualities)
    coverage = min(1.0, len(phrase) / len(text))
    opening = 1.0 if text.startswith(phrase) else 0.0
    return 0.75 * quality + 0.1 * coverage + 0.15 * opening, tuple(sorted(set(offsets)))


def shown_title(title: str) -> str:
    """A title as the palette shows and matches it: one line, controls visible, at most ``TITLE_CHARS``."""
    shown = one_line(title[: TITLE_CHARS + 1])
    return shown[:TITLE_CHARS] + "…" if len(shown) > TITLE_CHARS else shown


def _index(app: App[Any]) -> SearchIndex | None:
    index = getattr(app, "index", None)
    return index if index is not None and hasattr(index, "search") else None


def _post(app: App[Any], message: Message) -> None:
    app.post_message(message)


def _highlighted(title: str, offsets: Sequence[int]) -> Text:
    text = Text(title)
    for offset in offsets:
        if 0 <= offset < len(title) and not title[offset].isspace():
            text.stylize(MATCH_STYLE, offset, offset + 1)
    return text


def _details(resource: Resource, category_names: dict[str, str]) -> str:
    parts = [
        resource.credit,
        str(resource.year or ""),
        category_names.get(resource.category, resource.category),
    ]
    return one_line(" · ".join(p for p in parts if p))


def resource_prompt(resource: Resource, offsets: Sequence[int], category_names: dict[str, str]) -> Text:
    """A palette line for a resource: its title (matches emphasised) over its credit, year and category."""
    text = _highlighted(shown_title(resource.title), offsets)
    details = _details(resource, category_names)
    if details:
        text.append("\n")
        text.append(details, style="dim")
    return text


@dataclass(frozen=True, slots=True)
class ResourceMatch:
    score: float
    resource: Resource
    offsets: tuple[int, ...]


_TITLE_WORD = re.compile(r"[^\W_][\w'-]*")


def title_query(query: str) -> str | None:
    """``query``'s words as a search of titles only (``title:a title:b``), or None when it has no words.

    Whatever syntax was typed is dropped: the picker looks for titles, and a
    title-only search is both faster and closer to what was meant than a
    search of every field.
    """
    words = _TITLE_WORD.findall(query)
    if not words:
        return None
    text = " ".join(f"title:{word}" for word in words)
    return text + " " if query[-1:].isspace() else text


def find_resources(
    index: SearchIndex,
    query: str,
    *,
    titles: Sequence[tuple[str, str]] = (),
    limit: int = PICKER_LIMIT,
) -> list[ResourceMatch]:
    """The resources whose titles best match ``query``, best first; never raises.

    The search engine finds candidates among titles (last word a prefix); when
    that finds fewer than ``limit``, a search of every field tops the list up.
    A fuzzy match on each title orders them. ``titles`` (id, title) pairs,
    when given, are fuzzy-matched as well, for typos and abbreviations.
    """
    found: dict[str, ResourceMatch] = {}

    def take(search_text: str, weight: float, wanted: int) -> None:
        results = index.search(search_text, as_you_type=True, limit=wanted, highlights=False, facets=False)
        count = min(len(results), wanted)
        for rank in range(count):
            resource = results[rank]
            if resource.id in found:
                continue
            score, offsets = fuzzy_match(query, shown_title(resource.title))
            rank_score = 1.0 - rank / (count + 1)
            combined = weight * (0.5 * rank_score + 0.5 * min(score, 1.0))
            found[resource.id] = ResourceMatch(combined, resource, tuple(offsets))

    in_titles = title_query(query)
    if in_titles is not None:
        # More candidates than shown: the fuzzy ranking lifts the title that starts with what was typed.
        take(in_titles, 1.0, limit * CANDIDATES_PER_HIT)
    if len(found) < limit:
        take(query, 0.8, limit)
    if titles:
        extra: list[tuple[float, str, tuple[int, ...]]] = []
        for resource_id, title in titles:
            if resource_id in found:
                continue
            score, offsets = fuzzy_match(query, title)
            if score > 0:
                extra.append((score, resource_id, tuple(offsets)))
        extra.sort(key=lambda item: -item[0])
        for score, resource_id, offsets in extra[:limit]:
            extra_resource = index.get(resource_id)
            if extra_resource is not None:
                found[resource_id] = ResourceMatch(0.5 * min(score, 1.0), extra_resource, offsets)
    return sorted(found.values(), key=lambda match: -match.score)[:limit]


def _all_titles(index: SearchIndex) -> list[tuple[str, str]]:
    if index.info.resource_count > FUZZY_ALL_TITLES_UP_TO:
        return []
    everything = index.browse(None)
    if len(everything) > FUZZY_ALL_TITLES_UP_TO:
        return []
    return [(resource.id, shown_title(resource.title)) for resource in everything]


def _category_names(index: SearchIndex) -> dict[str, str]:
    return {category.id: category.name for category in index.catalogue.categories}


class ResourceCommands(Provider):
    """Go to resource…: type part of a title."""

    _titles: list[tuple[str, str]]
    _names: dict[str, str]

    async def startup(self) -> None:
        self._titles = []
        self._names = {}
        index = _index(self.app)
        if index is not None:
            self._names = _category_names(index)
            self._titles = await asyncio.to_thread(_all_titles, index)

    def _goto(self, resource_id: str) -> Callable[[], None]:
        return partial(_post, self.app, GotoResource(resource_id))

    async def discover(self) -> Hits:
        # Listed before typing only in the picker, not in the main palette among the commands.
        index = _index(self.app)
        if index is None or not isinstance(self.app.screen, ResourcePicker):
            return
        first = index.browse(None)
        for position in range(min(len(first), PICKER_LIMIT)):
            resource = first[position]
            yield DiscoveryHit(
                resource_prompt(resource, (), getattr(self, "_names", {})),
                self._goto(resource.id),
                text=shown_title(resource.title),
            )

    async def search(self, query: str) -> Hits:
        index = _index(self.app)
        if index is None or not query.strip():
            return
        titles = getattr(self, "_titles", [])
        names = getattr(self, "_names", {})
        try:
            matches = await asyncio.to_thread(find_resources, index, query, titles=titles)
        except Exception as error:  # an index closed or rebuilt under us: no hits, never a crash
            self.app.log.warning(f"go to resource: search failed: {error!r}")
            return
        for match in matches:
            yield Hit(
                match.score,
                resource_prompt(match.resource, match.offsets, names),
                self._goto(match.resource.id),
                text=shown_title(match.resource.title),
            )


@dataclass(frozen=True, slots=True)
class CategoryChoice:
    name: str
    count: int | None
    message: Message


def category_choices(app: App[Any]) -> list[CategoryChoice]:
    """All resources, then the catalogue's categories in order, then Bookmarks."""
    index = _index(app)
    if index is None:
        return []
    categories = index.catalogue.categories
    total = index.info.resource_count or sum(len(c.resource_ids) for c in categories)
    choices = [CategoryChoice("All resources", total, GotoCategory(None))]
    choices.extend(
        CategoryChoice(category.name, len(category.resource_ids), GotoCategory(category.id))
        for category in categories
    )
    choices.append(CategoryChoice("Bookmarks", None, GotoBookmarks()))
    return choices


def _category_prompt(choice: CategoryChoice, offsets: Sequence[int]) -> Text:
    text = _highlighted(shown_title(choice.name), offsets)
    if choice.count is not None:
        noun = "resource" if choice.count == 1 else "resources"
        text.append(f"  {choice.count} {noun}", style="dim")
    return text


class CategoryCommands(Provider):
    """Go to category…: All resources, each category, Bookmarks."""

    async def discover(self) -> Hits:
        if not isinstance(self.app.screen, CategoryPicker):
            return
        for choice in category_choices(self.app):
            yield DiscoveryHit(
                _category_prompt(choice, ()),
                partial(_post, self.app, choice.message),
                text=shown_title(choice.name),
            )

    async def search(self, query: str) -> Hits:
        for choice in category_choices(self.app):
            score, offsets = fuzzy_match(query, shown_title(choice.name))
            if score > 0:
                yield Hit(
                    score,
                    _category_prompt(choice, offsets),
                    partial(_post, self.app, choice.message),
                    text=shown_title(choice.name),
                )


class CtdcCommandPalette(CommandPalette):
    """Textual's command palette, safe from page keys that arrive before its list is laid out."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            commands = self.query_one(CommandList)
            # Textual 8.2.8 maps the highlight to a line only once the list has a size; a page move
            # before that (keys queued behind ctrl+p, or the list still hidden) raises KeyError.
            if commands.highlighted is not None and not commands.scrollable_content_region:
                return
        super()._action_command_list(action)

    # Keys queued behind escape (letters typed before the palette is gone) start a new search while
    # the closing palette's widgets are being removed; Textual 8.2.8 then raises NoMatches for the
    # CommandList inside the search worker and the app dies. Nothing is left to show: do nothing.
    def _has_list(self) -> bool:
        return bool(self.query(CommandList))

    def _gather_commands(self, search_value: str) -> Any:
        if self._has_list():
            return super()._gather_commands(search_value)
        return None

    def _refresh_command_list(
        self, command_list: CommandList, commands: list[Any], clear_current: bool
    ) -> None:
        if self._has_list():
            super()._refresh_command_list(command_list, commands, clear_current)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        if self._has_list():
            super()._start_no_matches_countdown(search_value)

    def _watch__list_visible(self) -> None:
        if self._has_list():
            super()._watch__list_visible()

    def _watch__show_busy(self) -> None:  # type: ignore[override]
        # Textual's watcher is a coroutine that goes unawaited when the palette closes first;
        # this one does the same two updates at once.
        if self._has_list():
            self.query_one(LoadingIndicator).set_class(self._show_busy, "--visible")
            self.query_one(CommandList).set_class(self._show_busy, "--populating")


def open_palette(app: App[Any]) -> None:
    """Open the command palette (ctrl+p), unless one is open already."""
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(CtdcCommandPalette(id="--command-palette"))


class ResourcePicker(CtdcCommandPalette):
    """The palette with only "Go to resource…" in it."""


class CategoryPicker(CtdcCommandPalette):
    """The palette with only "Go to category…" in it."""


def open_resource_picker(app: App[Any]) -> None:
    """Open the "Go to resource…" picker."""
    app.push_screen(
        ResourcePicker(providers=[ResourceCommands], placeholder="Go to resource… (type a title)")
    )


def open_category_picker(app: App[Any]) -> None:
    """Open the "Go to category…" picker."""
    app.push_screen(CategoryPicker(providers=[CategoryCommands], placeholder="Go to category…"))


@dataclass(frozen=True, slots=True)
class AppCommand:
    name: str
    help: str
    action: str


# Actions the app defines (app.py / actions.py / views.py); offered only when the app has them.
APP_COMMANDS: tuple[AppCommand, ...] = (
    AppCommand(
        "Toggle bookmark", "Bookmark the selected resource, or remove its bookmark", "toggle_bookmark"
    ),
    AppCommand("Edit note", "Write why the selected resource matters (bookmarks it)", "edit_note"),
    AppCommand("Undo bookmark removal", "Bring back the bookmark removed last", "undo_remove"),
    AppCommand("Cycle sort", "Next order: catalogue, title, year (relevance while searching)", "cycle_sort"),
    AppCommand("Search", "Put the cursor in the search box", "focus_search"),
    AppCommand("Use suggested spelling", "Search for the 'did you mean' suggestion", "accept_suggestion"),
    AppCommand("Open link", "Open the selected resource in the web browser", "open_link"),
    AppCommand("Open archived copy", "Open the Internet Archive's copy of the link", "open_archive"),
    AppCommand("Re-check this link", "Check the selected resource's link again now", "recheck_link"),
    AppCommand("Copy link", "Copy the selected resource's link", "copy_link"),
    AppCommand("Copy citation", "Copy a one-line citation of the selected resource", "copy_citation"),
    AppCommand("Toggle sidebar", "Show or hide the categories", "toggle_sidebar"),
    AppCommand("Change theme", "Pick a colour theme (remembered)", "change_theme"),
    AppCommand("Help", "Every key, the search syntax and how to remap keys", "help"),
)


class AppCommands(Provider):
    """The pickers and the app's general commands, with their current keys."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        entries: list[tuple[str, str, Callable[[], Any]]] = [
            ("Go to resource…", "Jump to a resource by its title", partial(open_resource_picker, app)),
            (
                "Go to category…",
                "Show one category, all resources or bookmarks",
                partial(open_category_picker, app),
            ),
        ]
        for command in APP_COMMANDS:
            if not callable(getattr(app, f"action_{command.action}", None)):
                continue
            if not app.check_action(command.action, ()):
                continue  # e.g. no suggestion to use, nothing to undo: offer only what works now
            keys = keys_for_action(app, command.action)
            help_text = escape(f"{command.help} ({keys})" if keys else command.help)
            entries.append((command.name, help_text, partial(app.run_action, command.action)))
        return entries

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Text(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        for name, help_text, callback in self._commands():
            score, offsets = fuzzy_match(query, name)
            if score > 0:
                yield Hit(score, _highlighted(name, offsets), callback, text=name, help=help_text)
