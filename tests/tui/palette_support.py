"""Helpers for driving the command palette in Pilot tests."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot


async def wait_for_hits(pilot: Pilot[Any], app: App[Any], at_least: int = 1, tries: int = 100) -> list[str]:
    """The plain text of the palette's hits once at least ``at_least`` are shown."""
    prompts: list[str] = []
    for _ in range(tries):
        await pilot.pause(0.02)
        if not CommandPalette.is_open(app):
            continue
        commands = app.screen.query_one(CommandList)
        prompts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        if len(prompts) >= at_least:
            return prompts
    return prompts


async def wait_until(pilot: Pilot[Any], condition: Any, tries: int = 100) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.02)
    return bool(condition())
