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

from app_harness import FrameClock, Mark, now, peak_rss_mib, send_key, summary_ms  # noqa: E402

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
        clock = FrameClock(app, lambda: (widget.row_count, widget.cursor))
        fills = []
        for _ in range(5):
            fresh = RowsFromSequence(source._rows)  # a new result set: strip cache cleared
            started = now()
            widget.set_rows(fresh)
            fills.append(await clock.wait(started, lambda s: s[0] == rows, timeout=10))
            widget.set_rows(RowsFromSequence(()))
            await pilot.pause()
        widget.set_rows(source)
        await pilot.pause()
        clock.frames.clear()
        result["list_fill"] = summary_ms(fills)

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
        clock = FrameClock(app2, lambda: (option_list.option_count, option_list.highlighted))
        fills = []
        for _ in range(5):
            started = now()
            option_list.set_options(option_texts)
            fills.append(await clock.wait(started, lambda s: s[0] == options, timeout=30))
            option_list.clear_options()
            await pilot.pause()
        option_list.set_options(option_texts)
        option_list.highlighted = 0
        await pilot.pause()
        result["options_fill"] = summary_ms(fills)

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


# ---------------------------------------------------------------------- orchestration

CHILDREN = {"widget": child_widget}


def child_main(name: str, raw_args: str) -> None:
    import asyncio

    args = json.loads(raw_args)
    emit(asyncio.run(CHILDREN[name](args)))


def run(only: set[str] | None, fps: int, workdir: Path, quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    if only is None or "widget" in only:
        result = run_child("widget", {}, child_env(fps))
        figures += widget_figures(result)
    return figures


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ctdc-tui app and list benchmarks (issue 6)")
    parser.add_argument("--only", help="comma-separated: widget,startup,typing,steps")
    parser.add_argument("--quick", action="store_true", help="bundled + 10,000 only, fewer repeats")
    parser.add_argument("--fps", type=int, default=1000, help="TEXTUAL_FPS for the child apps (default 1000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "ctdc-bench",
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
    figures = run(only, args.fps, args.workdir, args.quick)
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
