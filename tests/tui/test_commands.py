"""The palette's pickers and commands, in a small test app that holds a real SearchIndex."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.message import Message

from ctdc_tui.core import locations
from ctdc_tui.core.search import SearchIndex
from ctdc_tui.tui import commands
from ctdc_tui.tui.commands import (
    AppCommands,
    CategoryCommands,
    ResourceCommands,
    find_resources,
    fuzzy_match,
    open_category_picker,
    open_resource_picker,
)
from ctdc_tui.tui.messages import GotoBookmarks, GotoCategory, GotoResource
from tests.adversarial.hostile_strings import TERMINAL_CONTROLS, by_name, write_hostile_catalogue
from tests.tui.palette_support import wait_for_hits, wait_until


class PaletteApp(App[None]):
    """Just enough app for the providers: an index, message handlers, a few actions."""

    COMMANDS = {AppCommands}

    def __init__(self, index: SearchIndex | None) -> None:
        super().__init__()
        self.index = index
        self.received: list[Message] = []
        self.ran: list[str] = []

    def on_goto_resource(self, message: GotoResource) -> None:
        self.received.append(message)

    def on_goto_category(self, message: GotoCategory) -> None:
        self.received.append(message)

    def on_goto_bookmarks(self, message: GotoBookmarks) -> None:
        self.received.append(message)

    def action_toggle_bookmark(self) -> None:
        self.ran.append("toggle_bookmark")

    def action_cycle_sort(self) -> None:
        self.ran.append("cycle_sort")


@pytest.fixture
def index() -> Any:
    opened = SearchIndex.open(locations.bundled_catalogue())
    yield opened
    opened.close()


async def test_go_to_resource_by_typing_part_of_a_title(index: SearchIndex) -> None:
    app = PaletteApp(index)
    async with app.run_test() as pilot:
        open_resource_picker(app)
        await pilot.pause()
        await pilot.press(*"brigade organ")
        hits = await wait_for_hits(pilot, app)
        assert hits[0].startswith("Brigade Organizer Resources\n")
        assert "Code for America" in hits[0]
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.received)
        assert [type(m) for m in app.received] == [GotoResource]
        assert app.received[0].resource_id == "brigade-organizer-resources"  # type: ignore[attr-defined]
        assert not CommandPalette.is_open(app)


async def test_abbreviated_title_is_found_by_fuzzy_matching(index: SearchIndex) -> None:
    assert len(index.search("brgd orgnzr", limit=5)) == 0  # the search engine alone finds nothing
    app = PaletteApp(index)
    async with app.run_test() as pilot:
        open_resource_picker(app)
        await pilot.pause()
        await pilot.press(*"brgd orgnzr")
        hits = await wait_for_hits(pilot, app)
        assert hits and hits[0].startswith("Brigade Organizer Resources")


async def test_empty_picker_offers_the_first_resources(index: SearchIndex) -> None:
    app = PaletteApp(index)
    async with app.run_test() as pilot:
        open_resource_picker(app)
        everything = index.browse()
        hits = await wait_for_hits(pilot, app, at_least=min(commands.PICKER_LIMIT, len(everything)))
        assert len(hits) == min(commands.PICKER_LIMIT, len(everything))
        assert hits[0].startswith(everything[0].title)


def test_large_catalogue_skips_the_all_titles_scan(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert commands._all_titles(index)  # small bundled catalogue: every title is scanned
    monkeypatch.setattr(commands, "FUZZY_ALL_TITLES_UP_TO", 3)
    assert commands._all_titles(index) == []


def test_find_resources_ranks_title_matches_first(index: SearchIndex) -> None:
    matches = find_resources(index, "brigade")
    assert matches[0].resource.id == "brigade-organizer-resources"
    assert all(0 <= m.score <= 1 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert len(find_resources(index, "data", limit=3)) <= 3


def test_find_resources_never_raises_on_odd_queries(index: SearchIndex) -> None:
    for query in ['"', "(", "AND", "year:..", "[@click=app.quit]", "\x1b[2J", "*", "~~", "is:nope"]:
        find_resources(index, query, titles=[("x", "y")])


async def test_go_to_category(index: SearchIndex) -> None:
    app = PaletteApp(index)
    async with app.run_test() as pilot:
        open_category_picker(app)
        hits = await wait_for_hits(pilot, app, at_least=7)
        names = [hit.split("  ")[0] for hit in hits]
        assert names[0] == "All resources"
        assert names[-1] == "Bookmarks"
        assert names[1:-1] == [c.name for c in index.catalogue.categories]
        assert f"{len(index.browse())} resources" in hits[0]
        await pilot.press(*"sustain")
        hits = await wait_for_hits(pilot, app)
        assert hits[0].startswith("Sustaining")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.received)
        message = app.received[0]
        assert isinstance(message, GotoCategory) and message.category_id == "sustaining-the-gain"


@pytest.mark.parametrize(("typed", "expected"), [("all res", GotoCategory), ("bookm", GotoBookmarks)])
async def test_all_resources_and_bookmarks_entries(index: SearchIndex, typed: str, expected: type) -> None:
    app = PaletteApp(index)
    async with app.run_test() as pilot:
        open_category_picker(app)
        await pilot.pause()
        await pilot.press(*typed)
        await wait_for_hits(pilot, app)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.received)
        assert isinstance(app.received[0], expected)
        if expected is GotoCategory:
            assert app.received[0].category_id is None  # type: ignore[attr-defined]


async def test_pickers_without_an_index_show_nothing_and_do_not_crash() -> None:
    app = PaletteApp(None)
    async with app.run_test() as pilot:
        open_resource_picker(app)
        await pilot.pause()
        await pilot.press(*"data")
        assert await wait_for_hits(pilot, app, tries=10) == []
        await pilot.press("escape")
        open_category_picker(app)
        assert await wait_for_hits(pilot, app, tries=10) == []


async def test_app_commands_offer_only_defined_actions_and_run_them(index: SearchIndex) -> None:
    app = PaletteApp(index)
    async with app.run_test() as pilot:
        app.action_command_palette()
        hits = await wait_for_hits(pilot, app, at_least=3)
        text = "\n".join(hits)
        assert "Go to resource…" in text
        assert "Go to category…" in text
        assert "Toggle bookmark" in text
        assert "Edit note" not in text  # the test app has no edit_note action
        await pilot.press(*"toggle bookm")
        hits = await wait_for_hits(pilot, app)
        assert hits[0].startswith("Toggle bookmark")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.ran)
        assert app.ran == ["toggle_bookmark"]


async def test_app_command_go_to_resource_opens_the_picker(index: SearchIndex) -> None:
    app = PaletteApp(index)
    async with app.run_test() as pilot:
        app.action_command_palette()
        await pilot.pause()
        await pilot.press(*"go to resou")
        await wait_for_hits(pilot, app)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"brigade")
        hits = await wait_for_hits(pilot, app)
        assert hits[0].startswith("Brigade")


async def test_hostile_titles_are_shown_literally_and_do_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    write_hostile_catalogue(folder, long_strings=False)
    hostile_index = SearchIndex.open(folder)
    app = PaletteApp(hostile_index)
    try:
        async with app.run_test() as pilot:
            open_resource_picker(app)
            hits = await wait_for_hits(pilot, app, at_least=10)
            shown = "\n".join(hits)
            assert by_name("click-quit").value in shown
            assert by_name("bold-red").value in shown
            assert not TERMINAL_CONTROLS & set(shown)
            await pilot.press(*"press me")
            hits = await wait_for_hits(pilot, app)
            assert any(by_name("click-quit").value in hit for hit in hits)
            await pilot.press("enter")
            assert await wait_until(pilot, lambda: app.received)
            assert app.is_running
            open_category_picker(app)
            hits = await wait_for_hits(pilot, app, at_least=3)
            assert any(by_name("bold-red").value in hit for hit in hits)
    finally:
        hostile_index.close()


class FullPaletteApp(PaletteApp):
    COMMANDS = {AppCommands, ResourceCommands, CategoryCommands}


async def test_main_palette_lists_commands_not_resources_until_typed(index: SearchIndex) -> None:
    app = FullPaletteApp(index)
    async with app.run_test() as pilot:
        app.action_command_palette()
        hits = await wait_for_hits(pilot, app, at_least=3)
        shown = "\n".join(hits)
        assert "Go to resource…" in shown
        assert "Brigade Organizer Resources" not in shown
        assert "Sustaining" not in shown
        await pilot.press(*"brigade")
        hits = await wait_for_hits(pilot, app)
        assert any(hit.startswith("Brigade Organizer Resources") for hit in hits)


def test_fuzzy_match_kinds_of_match_rank_in_order() -> None:
    word_start = fuzzy_match("data", "Local Data Intermediary")[0]
    inside = fuzzy_match("ata", "Local Data Intermediary")[0]
    abbreviation = fuzzy_match("lcl", "Local Data Intermediary")[0]
    scattered = fuzzy_match("oaa", "Local Data Intermediary")[0]
    assert word_start > inside > abbreviation > scattered > 0
    assert fuzzy_match("xyz", "Local Data Intermediary") == (0.0, ())
    assert fuzzy_match("", "anything") == (0.0, ())
    score, offsets = fuzzy_match("brgd orgnzr", "Brigade Organizer Resources")
    assert score > 0 and offsets[0] == 0 and 8 in offsets


def test_fuzzy_match_stays_linear_on_long_repetitive_titles() -> None:
    # Textual's FuzzySearch takes many seconds on this (it enumerates every combination of positions).
    started = time.perf_counter()
    for _ in range(100):
        fuzzy_match("eeeeeeeeee", "e " * 5000)
    assert time.perf_counter() - started < 1.0


async def test_ten_thousand_character_titles_do_not_stall_the_picker(tmp_path: Path) -> None:
    folder = tmp_path / "hostile-long"
    write_hostile_catalogue(folder, long_strings=True)
    hostile_index = SearchIndex.open(folder)
    app = PaletteApp(hostile_index)
    try:
        async with app.run_test() as pilot:
            open_resource_picker(app)
            await pilot.pause()
            await pilot.press(*"aaaa")
            hits = await wait_for_hits(pilot, app)
            assert hits
            assert max(len(hit.split("\n")[0]) for hit in hits) <= commands.TITLE_CHARS + 1
    finally:
        hostile_index.close()


async def test_a_failing_index_gives_no_hits_and_no_crash(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("index closed")

    app = PaletteApp(index)
    async with app.run_test() as pilot:
        monkeypatch.setattr(index, "search", broken)
        open_resource_picker(app)
        await pilot.pause()
        await pilot.press(*"brig")
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        shown = app.screen.query_one(CommandList)
        prompts = {str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)}
        assert all("No matches found" in prompt for prompt in prompts)  # the first-resources list is gone too
        assert app.is_running


def test_title_query_keeps_only_words_and_the_prefix_position() -> None:
    assert commands.title_query("brigade org") == "title:brigade title:org"
    assert commands.title_query("brigade ") == "title:brigade "
    assert commands.title_query('"(data" OR x:y') == "title:data title:OR title:x title:y"
    assert commands.title_query("  ( ) ") is None


def test_a_title_that_starts_with_what_was_typed_comes_first(index: SearchIndex) -> None:
    for resource in index.browse():
        matches = find_resources(index, resource.title[:18])
        assert matches[0].resource.id == resource.id or matches[0].resource.title[:18] == resource.title[:18]


class CheckingPaletteApp(PaletteApp):
    def action_undo_remove(self) -> None:
        self.ran.append("undo_remove")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "undo_remove" else True


async def test_commands_the_app_disables_are_not_offered(index: SearchIndex) -> None:
    app = CheckingPaletteApp(index)
    async with app.run_test() as pilot:
        app.action_command_palette()
        hits = await wait_for_hits(pilot, app, at_least=3)
        shown = "\n".join(hits)
        assert "Toggle bookmark" in shown
        assert "Undo bookmark removal" not in shown
