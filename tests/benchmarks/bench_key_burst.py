"""Keys in one burst: how long until the search box and the results show the last key's query.

Run on demand (not in the suite)::

    .venv/bin/python tests/benchmarks/bench_key_burst.py --workdir /tmp/<name>-app [--repeats 6]

Uses the catalogues and indexes ``bench_app.py`` builds in the same work folder. In the
running app (headless), ``/housi`` is typed and its results awaited; then backspace x5 and
``hire`` arrive at once, as one read from the terminal does. Measured from the burst to the
first frame whose search box and result list both show the final query, with the app's
key ordering (``KeysInOrder``) on and, for comparison in the same run, off (Textual's own
dispatch: the burst then ends as ``hous``, the bug it fixes). Wall and CPU time per run;
the figure is the ratio on/off of the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.app_harness import FrameClock, Painted, now, send_key

# name -> (typed first, then the burst). "letters" ends the same with and without the ordering
# (a measure of what ordering costs); "edit" is the tmux report (without it, it ends as "hous").
SCENARIOS = {
    "letters": ("", list("hire")),
    "edit": ("housi", ["backspace"] * 5 + list("hire")),
}


async def one_run(catalogue: Path, index_dir: Path, ordered: bool, scenario: str) -> tuple[str, float, float]:
    from textual.app import App

    from ctdc_tui.tui.app import CtdcApp
    from ctdc_tui.tui.widgets.resource_list import ResourceList
    from ctdc_tui.tui.widgets.search_box import SearchBox

    cls: Any = CtdcApp
    if not ordered:
        cls = type("UnorderedApp", (CtdcApp,), {"on_event": App.on_event})
    app = cls(catalogue, str(index_dir), None)
    async with app.run_test(size=(120, 36)) as pilot:
        rows = app.query_one(ResourceList)
        box = app.query_one(SearchBox)
        for _ in range(2000):
            if rows.row_count and app.index is not None and not app.browsing_early:
                break
            await asyncio.sleep(0.05)
        await pilot.pause(0.5)
        typed = Painted(box, lambda: box.value)
        listed = Painted(rows, lambda: getattr(getattr(rows.source, "results", None), "query", None))
        clock = FrameClock(app, lambda: (typed.value, listed.value))
        first, burst = SCENARIOS[scenario]
        for key in ["slash", *first]:
            send_key(app, key)
            await asyncio.sleep(0.05)
        if first:
            await clock.wait(now(), lambda s: s == (first, first), timeout=20)
        await pilot.pause(0.5)
        clock.frames.clear()
        sent = now()
        for key in burst:
            send_key(app, key)
        done = await clock.wait(sent, lambda s: s[0] in ("hire", "hous") and s[1] == s[0], timeout=20)
        value = box.value
    assert done is not None, f"the burst's results never showed: {clock.frames[-1:]}"
    return value, done[0], done[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    os.environ["CTDC_HOME"] = str(args.workdir / "home")
    for size, scenario in [(z, n) for z in args.sizes.split(",") for n in SCENARIOS]:
        catalogue, index_dir = args.workdir / f"catalogue-{size}", args.workdir / f"index-{size}"
        figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        values: dict[bool, set[str]] = {True: set(), False: set()}
        for _ in range(args.repeats):
            for ordered in (True, False):  # alternated, so both see the same machine
                value, wall, cpu = asyncio.run(one_run(catalogue, index_dir, ordered, scenario))
                figures[ordered].append((wall, cpu))
                values[ordered].add(value)
        for ordered in (True, False):
            walls = [w * 1000 for w, _ in figures[ordered]]
            cpus = [c * 1000 for _, c in figures[ordered]]
            mode = "ordered  " if ordered else "unordered"
            print(
                f"{size:>7} {scenario:<7} {mode} ends as {sorted(values[ordered])}: "
                f"wall median {statistics.median(walls):6.1f} ms (max {max(walls):6.1f}), "
                f"CPU median {statistics.median(cpus):6.1f} ms"
            )
        ratio_wall = statistics.median(w for w, _ in figures[True]) / statistics.median(
            w for w, _ in figures[False]
        )
        ratio_cpu = statistics.median(c for _, c in figures[True]) / statistics.median(
            c for _, c in figures[False]
        )
        print(f"{size:>7} {scenario:<7} ordered/unordered: wall x{ratio_wall:.2f}, CPU x{ratio_cpu:.2f}")
        time.sleep(0.1)


if __name__ == "__main__":
    main()
