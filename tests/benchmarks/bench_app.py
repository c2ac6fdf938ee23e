"""App and list benchmarks (issue 6). Run on demand, never in the default test run.

    .venv/bin/python tests/benchmarks/bench_app.py            # everything (builds a 100,000 index once)
    .venv/bin/python tests/benchmarks/bench_app.py --only widget
    .venv/bin/python tests/benchmarks/bench_app.py --quick    # bundled + 10,000 only, fewer repeats
    .venv/bin/pytest tests/benchmarks/bench_app.py -s -p no:cacheprovider --override-ini addopts=

Every figure is printed beside its target. Each measurement runs in a fresh
child process (clean imports, clean peak memory); latencies are "key sent" to
"first frame composed from the new state" (see ``app_harness.FrameClock``).
Children run with ``TEXTUAL_FPS`` raised (``--fps``, default 1000) so Textual's
60 Hz frame pacing (up to 16.7 ms of waiting for the next frame slot) does not
hide the app's own work; start-up ratios use the same setting for both sides.
Generated catalogues and their indexes are kept in ``--workdir`` and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from app_harness import FrameClock, Mark, Painted, now, peak_rss_mib, send_key, summary_ms  # noqa: E402

SIZE = (120, 40)
LIST_ROWS = 100_000
BASELINE_OPTIONS = 1_000


# --------------------------------------------------------------------------- figures


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: float | None = None  # figure must be <= target
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "NOT MEASURED"
        if self.target is None:
            return "info"
        return "ok" if self.value <= self.target else "MISSED"

    def line(self) -> str:
        value = "-" if self.value is None else f"{self.value:.2f} {self.unit}"
        target = "" if self.target is None else f"<= {self.target:g} {self.unit}"
        note = f"  ({self.note})" if self.note else ""
        return f"{self.name:<58} {value:>14} {target:>14}  {self.verdict}{note}"


def print_figures(figures: list[Figure]) -> None:
    print(f"\n{'measurement':<58} {'figure':>14} {'target':>14}  verdict")
    for figure in figures:
        print(figure.line())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"(load average at the end: {load}, {os.cpu_count()} CPUs)")


# ---------------------------------------------------------------------- child runs


def run_child(
    scenario: str, args: dict[str, Any], env: dict[str, str], timeout: float = 900
) -> dict[str, Any]:
    """Run ``scenario`` in a fresh interpreter; its RESULT dict (plus ``wall_started``)."""
    started = time.time()
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", scenario, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT=")]
    if done.returncode != 0 or not lines:
        output = done.stdout[-2000:] + done.stderr[-4000:]
        raise RuntimeError(f"child {scenario} failed ({done.returncode}):\n{output}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT="))
    result["wall_started"] = started
    return result


def child_env(fps: int, home: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "TEXTUAL_FPS": str(fps), "PYTHONHASHSEED": "0"}
    env.pop("CTDC_DATA", None)
    if home is not None:
        env["CTDC_HOME"] = str(home)
    return env


def debug(*parts: object) -> None:
    if os.environ.get("CTDC_BENCH_DEBUG"):
        print(*parts, file=sys.stderr, flush=True)


def emit(result: dict[str, Any]) -> None:
    print("RESULT=" + json.dumps(result), flush=True)


# ------------------------------------------------------------ widget-level (child)


def _rows(count: int) -> Any:
    from ctdc_tui.tui.widgets.resource_list import Row, RowsFromSequence

    return RowsFromSequence(
        [
            Row(
                f"res-{n}",
                f"Synthetic resource {n} on neighbourhood data and civic technology",
                f"Org {n % 113}",
                2000 + n % 25,
                "★" if n % 11 == 0 else "",
            )
            for n in range(count)
        ]
    )


async def _steps(
    app: Any, clock: FrameClock, key: str, count: int, position: Any, step: int
) -> list[Mark | None]:
    """Press ``key`` ``count`` times; per press, seconds until a frame shows the new position."""
    samples: list[Mark | None] = []
    for _ in range(count):
        expected = position() + step
        sent = send_key(app, key)
        samples.append(await clock.wait(sent, lambda state, e=expected: state == e, timeout=5))
        await asyncio_sleep(0.002)
    return samples


async def _fills(pilot: Any, clock: FrameClock, fill: Any, empty: Any, count: int) -> dict[str, Any]:
    """Five times: ``fill()`` the widget, time until a frame shows ``count`` rows, then ``empty()`` it."""
    samples: list[Mark | None] = []
    for _ in range(5):
        started = now()
        fill()
        samples.append(await clock.wait(started, lambda shown: shown == count, timeout=30))
        empty()
        await pilot.pause()
    return summary_ms(samples)


async def asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def child_widget(args: dict[str, Any]) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import OptionList

    from ctdc_tui.tui.widgets.resource_list import ResourceList, RowsFromSequence

    rows = args.get("rows", LIST_ROWS)
    options = args.get("options", BASELINE_OPTIONS)
    source = _rows(rows)
    option_texts = [source.row(n).title for n in range(options)]
    result: dict[str, Any] = {}

    class ListBench(App[None]):
        def compose(self) -> ComposeResult:
            yield ResourceList(id="big")

    class OptionBench(App[None]):
        def compose(self) -> ComposeResult:
            yield OptionList(id="small")

    # ResourceList with 100,000 rows.
    app = ListBench()
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(ResourceList)
        widget.focus()
        await pilot.pause()
        clock = FrameClock(app, lambda: widget.row_count)
        result["list_fill"] = await _fills(
            pilot,
            clock,
            # A new result set each time, so the strip cache starts empty.
            lambda: widget.set_rows(RowsFromSequence(source._rows)),
            lambda: widget.set_rows(RowsFromSequence(())),
            rows,
        )
        widget.set_rows(source)
        await pilot.pause()
        clock.frames.clear()

        def cursor_only() -> int:
            return int(widget.cursor)

        clock._snapshot = cursor_only
        result["list_down"] = summary_ms(await _steps(app, clock, "down", 300, cursor_only, 1))
        page = widget.scrollable_content_region.height
        result["list_pagedown"] = summary_ms(await _steps(app, clock, "pagedown", 150, cursor_only, page))
        result["list_page"] = page
        # Textual's floor: repaint the whole list with every strip cached and nothing moved.
        repaints: list[Mark | None] = []
        clock._snapshot = lambda: True
        for _ in range(100):
            clock.frames.clear()
            started = now()
            widget.refresh()
            repaints.append(await clock.wait(started, bool, timeout=5))
            await asyncio_sleep(0.002)
        result["list_repaint"] = summary_ms(repaints)
        # render_line itself: uncached (strip cache cleared) and cached, per visible line.
        height = widget.scrollable_content_region.height
        uncached, cached = [], []
        for _ in range(50):
            widget._strips.clear()
            t = time.perf_counter()
            for y in range(height):
                widget.render_line(y)
            uncached.append((time.perf_counter() - t) / height)
            t = time.perf_counter()
            for y in range(height):
                widget.render_line(y)
            cached.append((time.perf_counter() - t) / height)
        result["render_line_uncached_us"] = round(statistics.median(uncached) * 1e6, 1)
        result["render_line_cached_us"] = round(statistics.median(cached) * 1e6, 1)
        result["rss_list_mib"] = round(peak_rss_mib(), 1)

    # Baseline: OptionList with 1,000 options (the before-figure).
    app2 = OptionBench()
    async with app2.run_test(size=SIZE) as pilot:
        option_list = app2.query_one(OptionList)
        option_list.focus()
        await pilot.pause()
        clock = FrameClock(app2, lambda: option_list.option_count)
        result["options_fill"] = await _fills(
            pilot, clock, lambda: option_list.set_options(option_texts), option_list.clear_options, options
        )
        option_list.set_options(option_texts)
        option_list.highlighted = 0
        await pilot.pause()

        def highlighted() -> int:
            return int(option_list.highlighted or 0)

        clock._snapshot = highlighted
        clock.frames.clear()
        result["options_down"] = summary_ms(await _steps(app2, clock, "down", 300, highlighted, 1))
        option_list.highlighted = 0
        await pilot.pause()
        page = option_list.scrollable_content_region.height
        steps = max(1, min(150, options // page - 2))
        paged = await _steps(app2, clock, "pagedown", steps, highlighted, page)
        result["options_pagedown"] = summary_ms(paged)
    return result


def widget_figures(r: dict[str, Any]) -> list[Figure]:
    def ratio(a: dict[str, Any], b: dict[str, Any], key: str) -> float | None:
        return round(a[key] / b[key], 2) if a.get(key) and b.get(key) else None

    opt = f"OptionList {BASELINE_OPTIONS:,}"
    return [
        Figure(f"list: set_rows({LIST_ROWS:,}) -> frame, p50", r["list_fill"].get("p50"), "ms"),
        Figure(f"{opt}: set_options -> frame, p50", r["options_fill"].get("p50"), "ms"),
        Figure(
            f"  ratio list {LIST_ROWS:,} / OptionList {BASELINE_OPTIONS:,} (fill)",
            ratio(r["list_fill"], r["options_fill"], "p50"),
            "x",
        ),
        Figure(f"list {LIST_ROWS:,}: cursor down -> frame, p50", r["list_down"].get("p50"), "ms"),
        Figure(f"list {LIST_ROWS:,}: cursor down -> frame, p95", r["list_down"].get("p95"), "ms", 16),
        Figure("  same, CPU time of the app process, p95", r["list_down"].get("cpu_p95"), "ms", 16),
        Figure(
            f"list {LIST_ROWS:,}: page down ({r['list_page']} rows) -> frame, p95",
            r["list_pagedown"].get("p95"),
            "ms",
            16,
        ),
        Figure("  same, CPU time of the app process, p95", r["list_pagedown"].get("cpu_p95"), "ms", 16),
        Figure(f"list {LIST_ROWS:,}: repaint, nothing moved, p95", r["list_repaint"].get("p95"), "ms"),
        Figure(f"{opt}: cursor down -> frame, p95", r["options_down"].get("p95"), "ms"),
        Figure(f"{opt}: page down -> frame, p95", r["options_pagedown"].get("p95"), "ms"),
        Figure(
            "  ratio list / OptionList (cursor down p95)",
            ratio(r["list_down"], r["options_down"], "p95"),
            "x",
        ),
        Figure("list: render_line, uncached, per line", r["render_line_uncached_us"], "us"),
        Figure("list: render_line, cached, per line", r["render_line_cached_us"], "us"),
    ]


# ------------------------------------------------------------- start-up (child)


def child_startup(args: dict[str, Any]) -> dict[str, Any]:
    """Run an app headless until its first frame (with the list filled); report when that was."""
    frames = 0
    first_any: float | None = None
    ready_at: float | None = None
    ready_cpu: float | None = None  # CPU time of the process (all threads) at that frame
    if args["kind"] == "minimal":
        from textual.app import App, ComposeResult
        from textual.widgets import Footer, Header, Static

        class Minimal(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Static("Civic Tech and Data Collaborative Toolkit")
                yield Footer()

        app: Any = Minimal()

        def ready() -> bool:
            return True

    else:
        from ctdc_tui.tui.app import CtdcApp
        from ctdc_tui.tui.widgets.resource_list import ResourceList

        app = CtdcApp(Path(args["catalogue"]) if args.get("catalogue") else None, args["index_dir"], None)

        def ready() -> bool:
            return bool(app.query_one(ResourceList).row_count)

    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        nonlocal frames, first_any, ready_at
        original(screen, renderable)
        if renderable is None or ready_at is not None:
            return
        frames += 1
        first_any = first_any or time.time()
        if ready():
            ready_at = time.time()
            nonlocal ready_cpu
            ready_cpu = time.process_time()
            app.exit()

    app._display = display
    app.run(headless=True, size=SIZE)
    return {
        "first_frame": first_any,
        "ready": ready_at,
        "frames": frames,
        "ready_cpu": ready_cpu,
        "rss_mib": round(peak_rss_mib(), 1),
    }


# ------------------------------------------------- search as you type, steps (child)


def _shown_query(source: Any) -> str | None:
    results = getattr(source, "results", None)
    return getattr(results, "query", None)


async def child_typing(args: dict[str, Any]) -> dict[str, Any]:
    """In the running app: per keystroke, key -> echo and key -> new results on screen."""
    import asyncio

    from ctdc_tui.tui.app import CtdcApp
    from ctdc_tui.tui.widgets.resource_list import ResourceList
    from ctdc_tui.tui.widgets.search_box import SearchBox

    app = CtdcApp(Path(args["catalogue"]) if args.get("catalogue") else None, args["index_dir"], None)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        rows = app.query_one(ResourceList)
        box = app.query_one(SearchBox)
        for _ in range(6000):
            if rows.row_count and app.index is not None:
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        debug("list filled", rows.row_count)
        result["rows"] = rows.row_count
        result["total"] = app.index.info.resource_count
        # What the search box and the list last drew (not what the app holds): the list's
        # new rows often reach the screen a frame after the status line that announces them.
        typed_shown = Painted(box, lambda: box.value)
        rows_shown = Painted(rows, lambda: (rows.source, rows.cursor))

        def shown() -> tuple[str, Any, str | None]:
            source = rows_shown.value[0]
            return typed_shown.value, source, _shown_query(source)

        clock = FrameClock(app, shown)
        await pilot.press("slash")
        assert box.has_focus, "the search box did not take the focus on /"

        # 1. A key at a time, each answered before the next: key -> echo, key -> results.
        echo: list[Mark | None] = []
        shown: list[Mark | None] = []
        engine: list[Mark | None] = []  # the search worker's own time (SearchIndex.search + facets)
        for query in args["queries"]:
            for ch in query:
                clock.frames.clear()
                before = rows.source
                typed = box.value + ch
                sent = send_key(app, "space" if ch == " " else ch)
                echo.append(await clock.wait(sent, lambda s, t=typed: s[0] == t, timeout=5))
                debug("typed", repr(typed), "echo", echo[-1])
                shown.append(
                    await clock.wait(
                        sent,
                        lambda s, t=typed, b=before: s[0] == t and s[1] is not b and s[2] == t.strip(),
                        timeout=10,
                    )
                )
                debug("typed", repr(typed), "results", shown[-1])
                seconds = float(getattr(app, "last_search_seconds", 0.0))
                engine.append((seconds, seconds) if shown[-1] is not None else None)
                await asyncio.sleep(0.03)
            box.value = ""
            await pilot.pause(0.3)
        result["results"] = summary_ms(shown)
        result["engine"] = summary_ms(engine)
        result["echo_paced"] = summary_ms(echo)

        # 2. Fast typing (a key every 40 ms, never waiting for results): the echo must keep up.
        fast: list[Mark | None] = []
        clock.frames.clear()
        for ch in args["fast_query"]:
            typed = box.value + ch
            sent = send_key(app, "space" if ch == " " else ch)
            fast.append(await clock.wait(sent, lambda s, t=typed: s[0] == t, timeout=5))
            await asyncio.sleep(max(0.0, 0.040 - (time.perf_counter() - sent[0])))
        typed = box.value
        settled = await clock.wait(sent, lambda s: s[2] == typed.strip(), timeout=20)
        result["echo_fast"] = summary_ms(fast)
        result["fast_settle_ms"] = None if settled is None else round(settled[0] * 1000, 1)
        box.value = ""
        await pilot.pause(0.5)

        # 3. Cursor and page steps in "All resources" (the detail pane follows the cursor).
        if args.get("steps"):
            from ctdc_tui.tui.widgets.sidebar import ALL

            app.show_view(ALL)
            for _ in range(400):
                await asyncio.sleep(0.05)
                if rows.row_count >= result["total"]:
                    break
            rows.focus()
            await pilot.pause()
            debug("stepping over", rows.row_count, "rows")
            result["step_rows"] = rows.row_count

            def cursor() -> int:
                return int(rows.cursor)

            clock._snapshot = lambda: int(rows_shown.value[1])  # the cursor as last drawn
            clock.frames.clear()
            downs = min(150, rows.row_count - 1)
            result["app_down"] = summary_ms(await _steps(app, clock, "j", downs, cursor, 1))
            page = rows.scrollable_content_region.height
            steps = max(1, min(80, (rows.row_count - rows.cursor) // max(page, 1) - 1))
            result["app_pagedown"] = summary_ms(await _steps(app, clock, "pagedown", steps, cursor, page))
            result["page"] = page
        result["rss_mib"] = round(peak_rss_mib(), 1)
    return result


# --------------------------------------------------------------- catalogues (child)


def child_build(args: dict[str, Any]) -> dict[str, Any]:
    """Open (building when needed) the index of a catalogue; how long and how much memory."""
    from ctdc_tui.core.search import SearchIndex

    started = time.perf_counter()
    index = SearchIndex.open(Path(args["catalogue"]), args["index_dir"])
    seconds = time.perf_counter() - started
    info = {
        "seconds": round(seconds, 1),
        "rebuilt": bool(getattr(index.info, "rebuilt", False)),
        "resources": index.info.resource_count,
        "rss_mib": round(peak_rss_mib(), 1),
        "notices": list(index.notices),
    }
    index.close()
    return info


# ---------------------------------------------------------------------- orchestration

CHILDREN: dict[str, Any] = {
    "widget": child_widget,
    "startup": child_startup,
    "typing": child_typing,
    "build": child_build,
}

BUNDLED_QUERIES = ["open data", "community"]
SYNTHETIC_QUERIES = ["housing data", "budget"]
FAST_QUERY = "neighborhood equity"


def child_main(name: str, raw_args: str) -> None:
    import asyncio
    import inspect

    args = json.loads(raw_args)
    run_it = CHILDREN[name]
    emit(asyncio.run(run_it(args)) if inspect.iscoroutinefunction(run_it) else run_it(args))


@dataclass
class Catalogue:
    label: str
    path: Path | None  # None: the bundled toolkit
    index_dir: Path
    build: dict[str, Any] | None = None


def prepare(workdir: Path, sizes: list[str], env: dict[str, str]) -> dict[str, Catalogue]:
    """Generate the synthetic catalogues (seeded, reused) and make sure each index is fresh."""
    from tests.benchmarks.generate_catalogue import generate

    catalogues: dict[str, Catalogue] = {}
    for size in sizes:
        if size == "bundled":
            cat = Catalogue("bundled", None, workdir / "index-bundled")
        else:
            count = int(size)
            folder = workdir / f"catalogue-{count}"
            if not (folder / "catalog.yaml").exists():
                print(f"generating {count:,} resources into {folder} ...", flush=True)
                generate(folder, count, seed=7)
            cat = Catalogue(f"{count:,}", folder, workdir / f"index-{count}")
        if cat.path is not None:
            print(f"opening (building if needed) the index of {cat.label} ...", flush=True)
            cat.build = run_child(
                "build", {"catalogue": str(cat.path), "index_dir": str(cat.index_dir)}, env, timeout=3600
            )
        catalogues[size] = cat
    return catalogues


def app_args(cat: Catalogue) -> dict[str, Any]:
    return {"catalogue": str(cat.path) if cat.path else None, "index_dir": str(cat.index_dir)}


def startup_figures(
    catalogues: dict[str, Catalogue], env: dict[str, str], repeats: int
) -> tuple[list[Figure], dict[str, Any]]:
    targets = {"bundled": 1.3, "100000": 2.0}
    variants = [("minimal", {"kind": "minimal"})] + [
        (size, {"kind": "app", **app_args(cat)}) for size, cat in catalogues.items() if size in targets
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in variants}
    shells: dict[str, list[float]] = {name: [] for name, _ in variants}
    rss: dict[str, float] = {}
    for _name, args in variants:  # warm-up: page cache, bytecode, bookmark store
        run_child("startup", args, env)
    for _ in range(repeats):
        for name, args in variants:  # interleaved, so drifting load hits every variant alike
            r = run_child("startup", args, env)
            times[name].append(r["ready"] - r["wall_started"])
            shells[name].append(r["first_frame"] - r["wall_started"])
            rss[name] = max(rss.get(name, 0.0), r["rss_mib"])
    base = statistics.median(times["minimal"])
    figures = [Figure("minimal Textual app: start -> first frame, median", base * 1000, "ms")]
    raw: dict[str, Any] = {"minimal": times["minimal"]}
    for name, _ in variants[1:]:
        label = catalogues[name].label
        median = statistics.median(times[name])
        raw[name] = times[name]
        figures += [
            Figure(f"app, {label}: start -> first frame with the list filled, median", median * 1000, "ms"),
            Figure(f"  ratio to the minimal app ({label})", round(median / base, 2), "x", targets[name]),
            Figure(
                f"  app, {label}: start -> first frame of any kind, median",
                statistics.median(shells[name]) * 1000,
                "ms",
            ),
        ]
    figures.append(Figure("minimal Textual app: peak RSS", rss["minimal"], "MiB"))
    return figures, raw


def typing_figures(
    catalogues: dict[str, Catalogue], env: dict[str, str]
) -> tuple[list[Figure], dict[str, Any]]:
    targets = {"bundled": 16, "10000": 50, "100000": 150}
    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    for size, cat in catalogues.items():
        queries = BUNDLED_QUERIES if size == "bundled" else SYNTHETIC_QUERIES
        steps = size != "bundled"
        r = run_child(
            "typing", {**app_args(cat), "queries": queries, "fast_query": FAST_QUERY, "steps": steps}, env
        )
        raw[size] = r
        label = cat.label
        res = r["results"]
        figures += [
            Figure(f"search as you type, {label}: key -> results, p50", res.get("p50"), "ms"),
            Figure(
                f"search as you type, {label}: key -> results, p95",
                res.get("p95"),
                "ms",
                targets.get(size),
                f"n={res['n']}, not shown: {res['missing']}",
            ),
            Figure("  same, CPU time of the app process, p95", res.get("cpu_p95"), "ms", targets.get(size)),
            Figure("  of which the search worker (engine), p95", r["engine"].get("p95"), "ms"),
            Figure(
                f"key echo while searches run (a key per 40 ms), {label}: p95",
                r["echo_fast"].get("p95"),
                "ms",
                16,
                f"n={r['echo_fast']['n']}, results settled {r['fast_settle_ms']} ms after the last key",
            ),
        ]
        if steps:
            label = f"{r['step_rows']:,} rows"
            figures += [
                Figure(f"app, {label}: cursor down (j) -> frame, p95", r["app_down"].get("p95"), "ms", 16),
                Figure("  same, CPU time of the app process, p95", r["app_down"].get("cpu_p95"), "ms", 16),
                Figure(
                    f"app, {label}: page down ({r['page']} rows) -> frame, p95",
                    r["app_pagedown"].get("p95"),
                    "ms",
                    16,
                ),
                Figure(
                    "  same, CPU time of the app process, p95", r["app_pagedown"].get("cpu_p95"), "ms", 16
                ),
            ]
        target_rss = 300 if size == "100000" else None
        figures.append(
            Figure(f"app, {label}: peak RSS after typing and paging", r["rss_mib"], "MiB", target_rss)
        )
    return figures, raw


def run(
    only: set[str] | None, fps: int, workdir: Path, quick: bool, repeats: int | None = None
) -> list[Figure]:
    def wanted(name: str) -> bool:
        return only is None or name in only

    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    if wanted("widget"):
        raw["widget"] = run_child("widget", {}, child_env(fps))
        figures += widget_figures(raw["widget"])
    if wanted("startup") or wanted("typing"):
        home = workdir / "home"
        env = child_env(fps, home)
        sizes = ["bundled", "10000"] if quick else ["bundled", "10000", "100000"]
        catalogues = prepare(workdir, sizes, env)
        for cat in catalogues.values():
            if cat.build:
                figures.append(
                    Figure(
                        f"index open for {cat.label} (build {'ran' if cat.build['rebuilt'] else 'skipped'})",
                        cat.build["seconds"],
                        "s",
                        note=f"peak RSS {cat.build['rss_mib']} MiB",
                    )
                )
        if wanted("startup"):
            count = repeats or (3 if quick else 7)
            found, raw["startup"] = startup_figures(catalogues, env, repeats=count)
            figures += found
        if wanted("typing"):
            found, raw["typing"] = typing_figures(catalogues, env)
            figures += found
    (workdir / "last-run.json").write_text(json.dumps(raw, indent=1, default=str))
    return figures


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ctdc-tui app and list benchmarks (issue 6)")
    parser.add_argument("--only", help="comma-separated: widget,startup,typing")
    parser.add_argument("--quick", action="store_true", help="bundled + 10,000 only, fewer repeats")
    parser.add_argument("--repeats", type=int, help="start-up runs per variant (default 7, quick 3)")
    parser.add_argument("--fps", type=int, default=1000, help="TEXTUAL_FPS for the child apps (default 1000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "ctdc-bench-app",
        help="where generated catalogues and indexes are kept between runs",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[Figure]:
    args = parse(argv)
    if args.child:
        child_main(*args.child)
        return []
    only = set(args.only.split(",")) if args.only else None
    args.workdir.mkdir(parents=True, exist_ok=True)
    figures = run(only, args.fps, args.workdir, args.quick, args.repeats)
    print_figures(figures)
    return figures


def test_app_benchmarks() -> None:
    """pytest entry: run the suite (``CTDC_BENCH_ONLY``/``CTDC_BENCH_QUICK`` narrow it)."""
    argv = []
    if os.environ.get("CTDC_BENCH_ONLY"):
        argv += ["--only", os.environ["CTDC_BENCH_ONLY"]]
    if os.environ.get("CTDC_BENCH_QUICK"):
        argv.append("--quick")
    figures = main(argv)
    assert figures, "no benchmark ran"
    unmeasured = [f.name for f in figures if f.value is None]
    assert not unmeasured, f"not measured: {unmeasured}"
    if os.environ.get("CTDC_BENCH_STRICT"):
        missed = [f.line() for f in figures if f.verdict == "MISSED"]
        assert not missed, "targets missed:\n" + "\n".join(missed)


if __name__ == "__main__":
    main()
