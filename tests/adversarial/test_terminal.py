"""The terminal does what it likes: 200 random resizes between 20x6 and 250x80, then 1,000 random keys.

Runs on the hostile catalogue, so every layout meets the worst text. Pilot re-raises any
exception the app hits when the run ends; the app must still be running at the end and a
full redraw must carry no foreign control character. Quitting keys are left out of the
mash (``q``, ``ctrl+q``, ``ctrl+c``) and so are the palette's "Quit" and "Screenshot" (which
writes a file outside the test folder); ``open_url`` is recorded instead of starting a browser.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events
from textual.app import App, SystemCommand
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.screen import Screen

from ctdc_tui.core import links
from ctdc_tui.tui.app import CtdcApp
from tests.adversarial.hostile_strings import Hostile
from tests.adversarial.screen import assert_terminal_safe
from tests.adversarial.test_display import settle

KEYS = [
    *"abcdefghijklmnoprstuvwxyzABGNY0123456789",
    "slash", "question_mark", "f1", "escape", "enter", "tab", "shift+tab", "space", "backspace", "delete",
    "up", "down", "left", "right", "pageup", "pagedown", "home", "end", "ctrl+s", "ctrl+y",
    "ctrl+u", "ctrl+a", "ctrl+e", "ctrl+w", "ctrl+k", "minus", "asterisk", "quotation_mark", "colon",
    "left_parenthesis", "right_square_bracket", "left_square_bracket", "tilde", "at", "dollar_sign",
    "full_stop", "comma", "exclamation_mark", "ctrl+p",
]  # fmt: skip
LEFT_OUT_COMMANDS = {"Quit", "Screenshot"}
RESIZES = 200
PRESSES = 1_000


@pytest.fixture
def app(
    home: Path, hostile_catalogue: tuple[Path, dict[str, Hostile]], monkeypatch: pytest.MonkeyPatch
) -> CtdcApp:
    opened: list[str] = []
    monkeypatch.setattr(CtdcApp, "open_url", lambda self, url, new_tab=True: opened.append(url))

    def system_commands(self: CtdcApp, screen: Screen[object]) -> Iterator[SystemCommand]:
        for command in App.get_system_commands(self, screen):
            if command.title not in LEFT_OUT_COMMANDS:
                yield command

    monkeypatch.setattr(CtdcApp, "get_system_commands", system_commands)
    application = CtdcApp(hostile_catalogue[0])
    application.opened = opened  # type: ignore[attr-defined]
    return application


@pytest.mark.parametrize("half", [0, 1])
async def test_two_hundred_random_resizes(app: CtdcApp, half: int) -> None:
    """RESIZES random sizes in all, in two Pilot runs of half as many, so the two test workers share them."""
    rng = random.Random(20 + half)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        for step in range(RESIZES // 2):
            size = (rng.randint(20, 250), rng.randint(6, 80))
            await pilot.resize_terminal(*size)
            if step % 10 == 0:
                await pilot.pause()
                assert app.size == size
            if step % 50 == 0:
                assert_terminal_safe(app)
        await pilot.resize_terminal(20, 6)
        await settle(pilot)
        assert_terminal_safe(app)
        assert app.is_running


def mash(app: CtdcApp, keys: list[str]) -> None:
    """Queue ``keys`` at once, as fingers on a keyboard do: the app handles each in turn,
    without the test waiting for the screen between them (Pilot's ``press`` waits)."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(name, name)))
        except KeyError:
            char = name if len(name) == 1 else None
        event = events.Key(name, char)
        event.set_sender(app)
        driver.send_message(event)


async def test_a_thousand_random_keys(app: CtdcApp) -> None:
    rng = random.Random(1000)
    keys = [rng.choice(KEYS) for _ in range(PRESSES)]
    screens_seen: set[str] = set()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        for start in range(0, PRESSES, 20):
            mash(app, keys[start : start + 20])
            await pilot.pause()
            assert app.is_running, f"the app stopped after keys {keys[: start + 20][-10:]}"
            screens_seen.add(type(app.screen).__name__)
            if start % 200 == 0:
                await pilot.resize_terminal(rng.randint(20, 160), rng.randint(6, 50))
        await settle(pilot)
        assert app.is_running
        assert_terminal_safe(app)
        assert all(links.is_openable(url) for url in app.opened)  # type: ignore[attr-defined]
        assert "CtdcCommandPalette" in screens_seen, screens_seen  # the mash reached the palette


@pytest.mark.parametrize("forwarded", [False, True])
async def test_a_key_left_over_after_shutdown_is_dropped(app: CtdcApp, forwarded: bool) -> None:
    """Seen once in the key mash under load: a key still queued when the app shut down reached
    Textual's key handling with no screen left (``ScreenStackError: No screens on stack``)."""
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
    assert not app.screen_stack  # shut down: every screen is gone
    key = events.Key("j", "j")
    paste = events.Paste("text")
    if forwarded:  # passed up to the app by the focused widget
        key._set_forwarded()
        paste._set_forwarded()
    await app._dispatch_message(key)
    await app._dispatch_message(paste)


@pytest.mark.parametrize("second", ["pageup", "pagedown"])
async def test_palette_survives_page_keys_queued_behind_ctrl_p(app: CtdcApp, second: str) -> None:
    """Found by the key mash: a page key handled before the palette's list has a size."""
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        mash(app, ["ctrl+p", second, second])
        await settle(pilot)
        assert app.is_running
        assert app.screen.has_class("--textual-command-palette")


async def test_palette_survives_letters_queued_behind_escape(app: CtdcApp) -> None:
    """Found by the key mash under load: letters typed while the palette closes start a search
    after its widgets are gone (Textual 8.2.8 raises NoMatches in the search worker there)."""
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        for round_ in range(20):
            mash(app, ["ctrl+p", *"go"[: round_ % 3], "escape", *"ozu"])
            await pilot.pause()
            assert app.is_running, f"the app stopped in round {round_}"
        await settle(pilot)
        assert app.is_running
