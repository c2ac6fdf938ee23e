"""How quickly the "Go to resource…" picker answers a keystroke, at 100,000 resources.

    .venv/bin/python tests/benchmarks/bench_palette.py      # 100,000 (generated once, reused)
    .venv/bin/python tests/benchmarks/bench_palette.py --resources 10000
X

Run on demand, never in the default test run. For each of 30 titles picked
with a fixed seed it "types" the title a character at a time (prefixes of 3 to
16 characters) and times, per keystroke:

- ``picker``: ``commands.find_resources`` as the palette calls it for a large
  catalogue (search engine, limit 20, then fuzzy ranking of those 20);
- ``engine``: ``SearchIndex.search(prefix, as_you_type=True, limit=20)`` and
  loading those 20 resources (the least any picker must do to show them): the
  baseline measured in the same run; the picker's cost is quoted as a ratio to it;
- ``scan``: Textual's fuzzy matcher over every title (what a naive picker would
  do), on a sample of the keystrokes, to show why the picker does not.

Target: the picker's p95 stays under 100 ms per keystroke at 100,000
resources and within 1.5x of the engine alone.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def engine_only(index: object, prefix: str) -> list[object]:
    results = index.search(prefix, as_you_type=True, limit=20, highlights=False, facets=False)  # type: ignore[attr-defined]
    return [results[i] for i in range(min(len(results), 20))]


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ctdc-bench")
    parser.add_argument("--titles", type=int, default=30)
    parser.add_argument("--catalogue", type=Path, help="an existing catalogue folder (skips generating)")
    parser.add_argument("--index-dir", type=Path, help="its index folder (with --catalogue)")
    args = parser.parse_args(argv)

    from textual.fuzzy import FuzzySearch

    from ctdc_tui.core.search import SearchIndex
    from ctdc_tui.tui import commands
    from tests.benchmarks.generate_catalogue import generate

    folder = args.catalogue or args.workdir / f"catalogue-{args.resources}"
    index_dir = args.index_dir or args.workdir / f"index-{args.resources}"
    if not (folder / "catalog.yaml").exists():
        print(f"generating {args.resources:,} resources into {folder} ...", flush=True)
        generate(folder, args.resources, seed=7)
    print("opening (building if needed) the index ...", flush=True)
    started = time.perf_counter()
    index = SearchIndex.open(folder, index_dir)
    print(f"  ready in {time.perf_counter() - started:.1f} s ({index.info.resource_count:,} resources)")

    everything = index.browse(None)
    rng = random.Random(7)
    picks = [everything[rng.randrange(len(everything))] for _ in range(args.titles)]
    titles_scan = commands._all_titles(index)
    print(f"  all-titles fuzzy scan in the picker: {'on' if titles_scan else 'off (catalogue too large)'}")

    picker: list[float] = []
    engine: list[float] = []
    scan: list[float] = []
    found_at: list[int | None] = []
    all_titles = [resource.title for resource in everything] if len(everything) <= 200_000 else []
    fuzzy = FuzzySearch()
    for n, resource in enumerate(picks):
        title = resource.title
        hit_prefix: int | None = None
        for length in range(3, min(len(title), 16) + 1):
            prefix = title[:length]
            # Alternate the order so neither side always gets a warm cache from the other.
            if length % 2:
                engine.append(timed(lambda p=prefix: engine_only(index, p)))
                picker.append(timed(lambda p=prefix: commands.find_resources(index, p, titles=titles_scan)))
            else:
                picker.append(timed(lambda p=prefix: commands.find_resources(index, p, titles=titles_scan)))
                engine.append(timed(lambda p=prefix: engine_only(index, p)))
            if hit_prefix is None:
                matches = commands.find_resources(index, prefix, titles=titles_scan)
                if any(m.resource.id == resource.id for m in matches[:5]):
                    hit_prefix = length
            if n < 3 and length in (4, 10) and all_titles:
                scan.append(timed(lambda p=prefix: [fuzzy.match(p, t) for t in all_titles]))
        found_at.append(hit_prefix)

    def line(name: str, values: list[float]) -> str:
        return (
            f"{name:8} n={len(values):4}  p50 {statistics.median(values) * 1000:7.1f} ms"
            f"  p95 {percentile(values, 95) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
        )

    print()
    print(line("picker", picker))
    print(line("engine", engine))
    if scan:
        print(line("scan", scan))
    ratio50 = statistics.median(picker) / statistics.median(engine)
    ratio95 = percentile(picker, 95) / percentile(engine, 95)
    print(f"picker / engine: p50 x{ratio50:.2f}, p95 x{ratio95:.2f}  (target <= 1.5)")
    if scan:
        print(f"scan / picker (p50): x{statistics.median(scan) / statistics.median(picker):.0f}")
    found = [f for f in found_at if f is not None]
    print(
        f"title in the top 5 after typing: {len(found)}/{len(found_at)} titles,"
        f" median {statistics.median(found) if found else float('nan'):.0f} characters"
    )
    p95_ms = percentile(picker, 95) * 1000
    verdict = "PASS" if p95_ms <= 100 and ratio95 <= 1.5 else "FAIL"
    print(f"picker p95 {p95_ms:.1f} ms (target <= 100 ms): {verdict}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    index.close()
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
