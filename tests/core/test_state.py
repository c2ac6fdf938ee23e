"""The remembered app state: round trip, damaged files ignored with a notice, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ctdc_tui.core import state as state_module
from ctdc_tui.core.state import STATE_VERSION, AppState, load_state, save_state


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.json"
    saved = AppState(theme="nord", category="data-governance", resource_id="r-1", sort="title")
    assert save_state(saved, path) is None
    loaded, notice = load_state(path)
    assert notice is None
    assert loaded == saved
    assert json.loads(path.read_text())["version"] == STATE_VERSION


def test_default_location_is_ctdc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path))
    assert save_state(AppState(theme="dracula")) is None
    assert (tmp_path / "state" / "state.json").is_file()
    assert load_state() == (AppState(theme="dracula"), None)


def test_first_run_has_no_notice(tmp_path: Path) -> None:
    assert load_state(tmp_path / "missing.json") == (AppState(), None)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "damaged"),
        (b"\xff\xfe\x00garbage", "damaged"),
        (b"[1, 2, 3]", "JSON object"),
        (b'{"theme": "nord"}', "no version"),
        (b'{"version": true, "theme": "nord"}', "no version"),
        (b'{"version": 99, "theme": "nord"}', "newer version"),
        (b"", "damaged"),
        (b"[" * 100_000, "damaged"),
    ],
)
def test_damaged_or_unknown_file_is_ignored_with_notice(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    state, notice = load_state(path)
    assert state == AppState()
    assert notice is not None
    assert str(path) in notice
    assert words in notice


def test_huge_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b" " * (state_module.MAX_STATE_BYTES + 10))
    state, notice = load_state(path)
    assert state == AppState()
    assert notice is not None and "too large" in notice


def test_wrong_typed_fields_are_dropped_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps({"version": 1, "theme": 3, "category": "c1", "resource_id": ["x"], "sort": "sideways"})
    )
    state, notice = load_state(path)
    assert state == AppState(category="c1")
    assert notice is not None
    for name in ("theme", "resource_id", "sort"):
        assert name in notice


def test_unknown_extra_fields_are_ignored_quietly(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 1, "theme": "nord", "future": {"x": 1}}))
    assert load_state(path) == (AppState(theme="nord"), None)


def test_unreadable_path_gives_notice(tmp_path: Path) -> None:
    folder = tmp_path / "state.json"
    folder.mkdir()
    state, notice = load_state(folder)
    assert state == AppState()
    assert notice is not None and "cannot be read" in notice


def test_save_is_atomic_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    assert save_state(AppState(theme="nord"), path) is None
    before = path.read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    notice = save_state(AppState(theme="dracula"), path)
    monkeypatch.undo()
    assert notice is not None and "Could not remember" in notice
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_save_into_unwritable_place_returns_notice(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    notice = save_state(AppState(theme="nord"), blocker / "state.json")
    assert notice is not None
    assert str(blocker / "state.json") in notice


def test_hostile_values_round_trip_as_data(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    hostile = AppState(theme="[bold]x[/]", category="\x1b[2J", resource_id="ключ ✨", sort="year")
    assert save_state(hostile, path) is None
    assert load_state(path) == (hostile, None)


def test_config_and_state_never_import_textual_or_rich() -> None:
    from tests.test_layers import loaded_after_import

    tops = {name.split(".")[0] for name in loaded_after_import("ctdc_tui.core.config", "ctdc_tui.core.state")}
    assert "ctdc_tui" in tops
    assert not {"textual", "rich"} & tops
