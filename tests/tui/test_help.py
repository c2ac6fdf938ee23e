"""The help screen on the real app: every key (as remapped), the query syntax, the config file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.containers import VerticalScroll
from textual.widgets import Static

from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.keymap import KeyHelp, collect_key_help
from ctdc_tui.tui.screens.help import QUERY_SYNTAX, HelpScreen, fold_numbered, shown_path

from .conftest import BUNDLED, settle


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rendered(screen: HelpScreen, width: int = 100) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    for widget_id in ("help-keys", "help-syntax", "help-config"):
        console.print(screen.query_one(f"#{widget_id}", Static).content)  # type: ignore[arg-type]
    return console.export_text()


async def open_help(pilot, key: str = "question_mark") -> HelpScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press(key)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, HelpScreen)
    return screen


async def test_help_lists_every_binding_id_of_the_app_and_the_query_syntax() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_help(pilot)
        text = rendered(screen)
        ids = {item.binding_id for item in collect_key_help(app) if item.binding_id}
        assert {"app.bookmark", "app.help", "list.down", "sidebar.down", "detail.down", "note.save"} <= ids
        for binding_id in ids:
            if binding_id.startswith("app.category_"):
                continue  # folded into one line "1–9"
            assert binding_id in text, binding_id
        assert "app.category_1…9" in text
        fixed = {item.action: item.keys for item in collect_key_help(app) if item.binding_id is None}
        assert fixed["app.focus_next"] == ("tab",) and "Move to the next pane" in text
        assert "command_palette" not in fixed  # it has an id now, so it can be remapped
        palette = next(item for item in collect_key_help(app) if item.binding_id == "app.palette")
        assert palette.keys == ("^p",) and "Command palette" in text
        for example, _meaning in QUERY_SYNTAX:
            assert example in text
        for word in ("year:2014..2017", "is:bookmarked", "goverment~", "NOT", "OR"):
            assert word in text
        assert "$CTDC_HOME/config/config.toml" in text  # where the config file is, the same on every machine
        assert "[keymap]" in text


async def test_remapped_key_shows_its_new_key(isolated_home: Path) -> None:
    write_config(isolated_home, '[keymap]\napp.sort = "ctrl+o"\n"list.down" = "j,ctrl+n"\n')
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_help(pilot)
        items = {item.binding_id: item for item in collect_key_help(app)}
        assert items["app.sort"].keys == ("^o",)
        assert items["app.sort"].remapped
        assert items["list.down"].keys == ("j", "^n")
        assert not items["app.bookmark"].remapped
        sort_line = next(line for line in rendered(screen).splitlines() if "app.sort" in line)
        assert "^o *" in sort_line
        assert " s " not in sort_line


async def test_help_closes_with_escape_q_question_mark_and_f1() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        for key in ("escape", "q", "question_mark", "f1"):
            await open_help(pilot, "f1")
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen), key
            assert app.is_running  # q closed the help, it did not quit


async def test_help_scrolls_and_reads_at_60x20(isolated_home: Path) -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_help(pilot)
        body = screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0
        assert screen.query_one("#help-keys").region.width >= 50
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        assert screen.query_one("#help-config").region.y < 20  # the last section came into view
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        for size in ((40, 12), (20, 6)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


def test_config_path_is_shown_short_and_the_same_on_every_machine(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert shown_path(isolated_home / "config" / "config.toml") == "$CTDC_HOME/config/config.toml"
    monkeypatch.delenv("CTDC_HOME")
    monkeypatch.setenv("HOME", str(isolated_home))
    assert shown_path(isolated_home / ".config" / "x.toml") == "~/.config/x.toml"
    assert shown_path(Path("/elsewhere/config.toml")) == "/elsewhere/config.toml"


def test_numbered_runs_fold_but_a_remapped_one_stands_alone() -> None:
    items = [
        KeyHelp(
            "Everywhere", (str(n),), f"Category {n}", f"app.category_{n}", f"category({n})", remapped=n == 5
        )
        for n in range(1, 10)
    ]
    folded = fold_numbered(items)
    assert [item.keys for item in folded] == [("1–4",), ("5",), ("6–9",)]
    assert folded[0].binding_id == "app.category_1…4"
    assert folded[1].remapped
