"""Measuring a running Textual app: when did the frame that shows X reach the screen?

Used by ``bench_app.py`` inside its child processes. ``FrameClock`` wraps the
app's ``_display`` (called once per frame the compositor sends to the driver,
headless included) and records, for every frame, the time and a small snapshot
of the state the frame was composed from. A latency is then "key sent" to
"first frame whose snapshot shows the expected state".

Stdlib only at import time: start-up children must not pay for anything they
do not measure.
"""

from __future__ import annotations

import asyncio
import math
import resource
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

Snapshot = Callable[[], Any]


Mark = tuple[float, float]
"""(wall clock ``perf_counter``, this process's CPU time ``process_time``)."""


def now() -> Mark:
    return time.perf_counter(), time.process_time()


class FrameClock:
    """Records ``(perf_counter, process_time, snapshot())`` for every frame the app displays.

    The CPU time lets a benchmark tell the app's own work from waiting for a
    core on a machine shared with other jobs.
    """

    def __init__(self, app: Any, snapshot: Snapshot) -> None:
        self.frames: list[tuple[float, float, Any]] = []
        self._snapshot = snapshot
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.frames.append((time.perf_counter(), time.process_time(), self._snapshot()))

        app._display = display

    async def wait(self, since: Mark, shows: Callable[[Any], bool], timeout: float = 10.0) -> Mark | None:
        """(wall, CPU) seconds from ``since`` to the first later frame whose snapshot ``shows`` the state."""
        deadline = time.perf_counter() + timeout
        seen = 0
        while True:
            frames = self.frames
            # Frames are appended in time order; skip those already checked.
            for at, cpu, state in frames[seen:]:
                if at >= since[0] and shows(state):
                    return at - since[0], cpu - since[1]
            seen = len(frames)
            if time.perf_counter() > deadline:
                return None
            await asyncio.sleep(0.0005)


class Painted:
    """What a widget showed the last time it was drawn: ``read()`` taken as its lines are rendered.

    A frame's snapshot of the app's state says what the frame was composed *after*,
    not what it drew: a widget whose refresh has not reached the screen yet (Textual
    posts it from the widget's own message queue) is drawn a frame later. Reading the
    state while the widget renders its lines ties it to the frame that shows it.
    """

    def __init__(self, widget: Any, read: Callable[[], Any]) -> None:
        self.read = read
        self.value = read()
        original = widget.render_lines

        def render_lines(crop: Any) -> Any:
            self.value = self.read()
            return original(crop)

        widget.render_lines = render_lines


KEY_CHARS = {"space": " "}


def send_key(app: Any, key: str) -> Mark:
    """Deliver one key press to ``app`` as the terminal driver would; the time it was sent.

    ``key`` is a Textual key name (``"a"``, ``"space"``, ``"pagedown"``). Unlike
    ``Pilot.press`` this does not wait for the app to go idle, so a benchmark can
    type while the app is still busy.
    """
    from textual import events

    char = key if len(key) == 1 else KEY_CHARS.get(key)
    event = events.Key(key, char)
    event.set_sender(app)
    sent = now()
    app._driver.send_message(event)
    return sent


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def summary_ms(samples: Sequence[Mark | None]) -> dict[str, Any]:
    """Wall p50/p95/max and CPU p50/p95 in milliseconds, and how many samples never showed up."""
    got = [s for s in samples if s is not None]
    missing = len(samples) - len(got)
    if not got:
        return {"n": 0, "missing": missing}
    wall = [s[0] for s in got]
    cpu = [s[1] for s in got]
    return {
        "n": len(got),
        "missing": missing,
        "p50": round(percentile(wall, 50) * 1000, 2),
        "p95": round(percentile(wall, 95) * 1000, 2),
        "max": round(max(wall) * 1000, 2),
        "cpu_p50": round(percentile(cpu, 50) * 1000, 2),
        "cpu_p95": round(percentile(cpu, 95) * 1000, 2),
    }
