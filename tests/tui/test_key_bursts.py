"""Keys that arrive in one read (fast typing over SSH, ``tmux send-keys``) act in order.

Textual 8.2.8 lets a bound key (backspace, the arrows, Escape) act after printable keys
read after it (Textual issue #6605); ``ctdc_tui.tui.key_order`` holds each key until the
one before it is done. ``mash`` queues keys as one read would, without waiting between them.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.search_box import SearchBox
from tests.adversarial.test_terminal import mash

from .conftest import BUNDLED, settle


async def typed(pilot: object, app: CtdcApp, *bursts: list[str]) -> str:
    for burst in bursts:
        mash(app, burst)
        await settle(pilot)
    return app.query_one(SearchBox).value


@pytest.mark.parametrize(
    ("bursts", "expected"),
    [
        ([["slash", *"housi"], ["backspace"] * 5 + list("hire")], "hire"),  # the tmux report
        ([["slash", *"housi", *["backspace"] * 5, *"hire"]], "hire"),  # all in one read
        ([["slash", *"abc", "left", "left", "x", "end", "y"]], "axbcy"),
        ([["slash", *"one", "ctrl+w", *"two"]], "two"),
        ([["slash", *"abcd", "home", "delete", "z"]], "zbcd"),
    ],
)
async def test_editing_keys_in_a_burst_act_in_order(bursts: list[list[str]], expected: str) -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert await typed(pilot, app, *bursts) == expected
        assert app.focused is app.query_one(SearchBox)


async def test_escape_in_a_burst_clears_what_was_typed_before_it() -> None:
    """Escape is a priority binding: it used to act before the letters queued ahead of it."""
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert await typed(pilot, app, ["slash", *"data", "escape"]) == ""
        assert app.search_text == ""


async def test_enter_in_a_burst_then_a_letter_goes_to_the_list() -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert await typed(pilot, app, ["slash", *"data", "enter", "j"]) == "data"
        assert app.focused is app.query_one(ResourceList)
        assert app.search_text == "data"


class OneInput(App[None]):
    def compose(self) -> ComposeResult:
        yield Input()


@pytest.mark.xfail(
    strict=True,
    reason="Textual 8.2.8 applies bound keys after printable keys of the same read (issue #6605); "
    "if this passes, Textual keeps keys in order and ctdc_tui.tui.key_order can go",
)
async def test_textual_alone_keeps_a_burst_in_order() -> None:
    app = OneInput()
    async with app.run_test() as pilot:
        mash(app, [*"housi", *["backspace"] * 5, *"hire"])  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.pause()
        assert app.query_one(Input).value == "hire"


def _read_report(report: Path) -> str | None:
    try:
        return report.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def _wait_for(report: Path, fd: int, wanted: str | None, seconds: float) -> str | None:
    """Drain the terminal until REPORT says ``wanted`` (any value when None) or time runs out."""
    end = time.monotonic() + seconds
    value = _read_report(report)
    while time.monotonic() < end:
        value = _read_report(report)
        if value is not None and (wanted is None or value == wanted):
            return value
        readable, _, _ = select.select([fd], [], [], 0.05)
        if readable:
            try:
                os.read(fd, 65536)
            except OSError:
                break
    return value


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_burst_written_to_the_terminal_in_one_write(tmp_path: Path) -> None:
    """End to end: the bytes tmux sent, in one write to a real terminal, through Textual's parser."""
    import fcntl
    import pty
    import struct
    import termios

    report = tmp_path / "search-box.txt"
    runner = Path(__file__).with_name("burst_runner.py")
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(Path(__file__).parents[2])}
    process = subprocess.Popen(
        [sys.executable, str(runner), str(report)],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    try:
        assert _wait_for(report, main, None, 60) == "''", "the app did not start"
        os.write(main, b"/housi")
        assert _wait_for(report, main, "'housi'", 20) == "'housi'"
        os.write(main, b"\x7f\x7f\x7f\x7f\x7fhire")
        assert _wait_for(report, main, "'hire'", 10) == "'hire'"
        os.write(main, b"\x11")  # ctrl+q
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            _wait_for(report, main, "-", 0.1)
        assert process.poll() == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(main)


async def test_escape_leaves_the_search_box_so_slash_starts_a_new_search() -> None:
    """Escape clears the query and moves to the list in one press; "/" then focuses the box."""
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"data")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is app.query_one(ResourceList)
        assert app.search_text == "" and app.query_one(SearchBox).value == ""
        await pilot.press("slash")
        assert app.focused is app.query_one(SearchBox)
        assert app.query_one(SearchBox).value == ""


async def test_escape_then_slash_in_one_burst_starts_a_new_search() -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert await typed(pilot, app, ["slash", *"data", "escape", "slash", *"map"]) == "map"
        assert app.focused is app.query_one(SearchBox)


async def test_a_burst_searches_for_where_it_ends_not_each_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backspace x5 in one read used to search "hous", "hou", "ho", "h" and "" (a view switch) first."""
    queries: list[str] = []
    real_set_query = CtdcApp.set_query

    def set_query(self: CtdcApp, text: str) -> None:
        queries.append(text)
        real_set_query(self, text)

    monkeypatch.setattr(CtdcApp, "set_query", set_query)
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await typed(pilot, app, ["slash", *"housi"])
        queries.clear()
        assert await typed(pilot, app, ["backspace"] * 5 + list("hire")) == "hire"
        assert app.search_text == "hire"
        assert "" not in queries and "h" not in queries, queries
