"""Key remapping end to end: docs/keymap.md is true to the code; the config file changes real keys."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

import ctdc_tui.tui
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.keymap import binding_ids

from .conftest import BUNDLED, settle

DOCS = Path(__file__).resolve().parents[2] / "docs" / "keymap.md"


def defined_bindings() -> dict[str, tuple[str, ...]]:
    """binding id -> default keys, for every class in ctdc_tui.tui that defines BINDINGS."""
    found: dict[str, tuple[str, ...]] = {}
    for module_info in pkgutil.walk_packages(ctdc_tui.tui.__path__, "ctdc_tui.tui."):
        module = importlib.import_module(module_info.name)
        for obj in vars(module).values():
            if not (inspect.isclass(obj) and issubclass(obj, DOMNode) and obj.__module__ == module.__name__):
                continue
            for binding in obj.__dict__.get("BINDINGS", ()) or ():
                if isinstance(binding, Binding) and binding.id:
                    keys = tuple(k.strip() for k in binding.key.split(","))
                    assert found.get(binding.id, keys) == keys, f"{binding.id} defined twice with other keys"
                    found[binding.id] = keys
    return found


def documented_rows() -> dict[str, tuple[str, ...]]:
    """binding id -> keys from the tables in docs/keymap.md (rows like | `id` | `keys` | what |)."""
    rows: dict[str, tuple[str, ...]] = {}
    for match in re.finditer(r"^\| `([a-z_]+\.[a-z_0-9]+)` \| `([^`]+)` \|", DOCS.read_text(), re.MULTILINE):
        rows[match.group(1)] = tuple(match.group(2).split(","))
    return rows


def test_every_binding_has_an_id_of_area_and_name() -> None:
    bindings = defined_bindings()
    assert len(bindings) > 30
    assert all(re.fullmatch(r"[a-z]+\.[a-z_0-9]+", binding_id) for binding_id in bindings)


def test_docs_list_every_binding_id_with_its_default_keys() -> None:
    text = DOCS.read_text()
    rows = documented_rows()
    for binding_id, keys in defined_bindings().items():
        assert f"`{binding_id}`" in text, f"{binding_id} is missing from docs/keymap.md"
        if binding_id in rows:
            assert rows[binding_id] == keys, f"docs/keymap.md gives {binding_id} the keys {rows[binding_id]}"
        else:
            assert re.fullmatch(r"app\.category_\d", binding_id), f"{binding_id} has no row of its own"


def test_docs_name_no_binding_that_does_not_exist() -> None:
    assert set(documented_rows()) <= set(defined_bindings())


def test_binding_ids_helper_sees_inherited_bindings() -> None:
    ids = binding_ids([CtdcApp])
    assert {"app.bookmark", "app.help", "app.category_9"} <= ids


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def test_remapped_key_does_the_action_and_the_old_key_does_not(isolated_home: Path) -> None:
    write_config(isolated_home, '[keymap]\napp.bookmark = "ctrl+b"\n"list.down" = "ctrl+n"\n')
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first = app.current_id()
        assert first is not None
        await pilot.press("j")  # list.down no longer has j
        await settle(pilot)
        assert app.current_id() == first
        await pilot.press("ctrl+n")
        await settle(pilot)
        second = app.current_id()
        assert second is not None and second != first
        await pilot.press("b")  # app.bookmark no longer has b
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, second) is None
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, second) is not None


async def test_bad_config_gives_a_notice_naming_file_and_line_and_keeps_defaults(isolated_home: Path) -> None:
    path = write_config(isolated_home, '[keymap]\napp.bookmark = "ctrl+b"\napp.sort = ctrl+o\n')
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(f"{path}:3" in m and "not valid TOML" in m for m in messages), messages
        current = app.current_id()
        await pilot.press("b")  # the whole file was ignored: b still bookmarks
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, current) is not None


async def test_unknown_binding_id_and_bad_key_are_reported_and_the_rest_applies(isolated_home: Path) -> None:
    path = write_config(
        isolated_home, '[keymap]\napp.bookmarks = "x"\napp.sort = "ctrl+nope"\napp.bookmark = "ctrl+b"\n'
    )
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(f"{path}:2" in m and "did you mean 'app.bookmark'" in m for m in messages), messages
        assert any(f"{path}:3" in m and "nope" in m for m in messages), messages
        current = app.current_id()
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, current) is not None


async def test_misspelt_theme_is_reported_with_file_line_and_a_guess(isolated_home: Path) -> None:
    path = write_config(isolated_home, '# my settings\ntheme = "gruvbx"\n')
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        notices = [n for n in app._notifications if "gruvbx" in n.message]
        assert len(notices) == 1, [n.message for n in app._notifications]
        assert f"{path}:2" in notices[0].message
        assert "did you mean 'gruvbox'" in notices[0].message
        assert notices[0].markup is False
        assert app.theme != "gruvbx" and app.theme in app.available_themes


async def test_known_theme_gives_no_notice_and_applies(isolated_home: Path) -> None:
    write_config(isolated_home, 'theme = "nord"\n')
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        assert not [n.message for n in app._notifications if "theme" in n.message]
        assert app.theme == "nord"


async def test_palette_key_can_be_remapped(isolated_home: Path) -> None:
    from textual.command import CommandPalette
    from textual.widgets._footer import FooterKey

    write_config(isolated_home, '[keymap]\napp.palette = "ctrl+k"\n')
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        assert not [n.message for n in app._notifications if "palette" in n.message]
        footer_key = app.query_one(".-command-palette", FooterKey)
        assert footer_key.key == "ctrl+k"  # the footer shows the key that now opens the palette
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert CommandPalette.is_open(app)


async def test_ctrl_q_quits_from_the_search_box_and_saves_the_place(isolated_home: Path) -> None:
    from ctdc_tui.core.state import load_state

    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q")  # q is typed in the search box, it does not quit there
        await settle(pilot)
        assert app.is_running
        place = (app.view_key, app.current_id())
        assert place[1] is not None
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    state, _ = load_state()
    assert (state.category, state.resource_id) == place


async def test_ctrl_q_has_a_binding_id_and_can_be_remapped(isolated_home: Path) -> None:
    from ctdc_tui.tui.keymap import collect_key_help

    write_config(isolated_home, '[keymap]\napp.quit_anywhere = "ctrl+x"\n')
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        assert not [n.message for n in app._notifications if "quit" in n.message]
        shown = [item for item in collect_key_help(app) if item.binding_id == "app.quit_anywhere"]
        assert len(shown) == 1 and shown[0].remapped, shown
        await pilot.press("slash")
        await pilot.press("ctrl+q")  # remapped away: no longer quits
        await settle(pilot)
        assert app.is_running
        await pilot.press("ctrl+x")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running
