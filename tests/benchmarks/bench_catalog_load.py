"""How fast load_catalog reads a big catalogue, against baselines measured in the same run.

    python -m tests.benchmarks.bench_catalog_load [--resources 100000] [--repeat 3]

Writes a seeded synthetic catalogue (tests/benchmarks/generate_catalogue.py), then times,
best of ``--repeat``:

- ``events``: libyaml's event stream alone (``CSafeLoader.get_event`` until the end):
  the floor for any loader built on PyYAML;
- ``safe_load``: ``yaml.load(text, Loader=yaml.CSafeLoader)`` of every file, which
  builds plain dicts with no line numbers and no checks: the baseline the issue names;
- ``load_catalog``: the real loader (values, line numbers, every check, Resource objects),
  with an empty parse cache (first load: it also writes the cache);
- ``load_catalog cached``: the same with the parse cache of the first load (the files unchanged).

and prints each with its ratio to ``safe_load``. Memory: the peak resident size of a
fresh child process that only runs ``load_catalog``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

CHILD = """
import json, resource, sys, time
from pathlib import Path
from ctdc_tui.core.catalog import load_catalog
started = time.perf_counter()
catalog, problems = load_catalog(Path(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - started, "resources": len(catalog),
                  "problems": len(problems),
                  "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from ctdc_tui.core.catalog import catalogue_files, load_catalog

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CTDC_HOME"] = str(Path(tmp) / "home")  # the parse cache goes here, not in ~/.cache
        cache = Path(tmp) / "home" / "cache"
        folder = Path(tmp) / "big"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.generate_catalogue",
                str(folder),
                "--resources",
                str(args.resources),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        texts = [p.read_text(encoding="utf-8") for p in [folder / "catalog.yaml", *catalogue_files(folder)]]
        megabytes = sum(len(t.encode()) for t in texts) / 2**20

        def events() -> None:
            for text in texts:
                loader = yaml.CSafeLoader(text)
                while loader.get_event().__class__ is not yaml.StreamEndEvent:
                    pass
                loader.dispose()

        def safe_load() -> None:
            for text in texts:
                yaml.load(text, Loader=yaml.CSafeLoader)

        def cold() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            load_catalog(folder)

        figures = {
            "events": best(args.repeat, events),
            "safe_load": best(args.repeat, safe_load),
            "load_catalog": best(args.repeat, cold),
            "load_catalog cached": best(args.repeat, lambda: load_catalog(folder)),
        }
        shutil.rmtree(cache, ignore_errors=True)
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder)], check=True, capture_output=True, text=True
        )
        memory = json.loads(child.stdout)
    base = figures["safe_load"]
    print(f"{args.resources} resources, {megabytes:.1f} MiB of YAML in {len(texts)} files")
    for name, seconds in figures.items():
        print(f"  {name:<20} {seconds:7.2f} s   {seconds / base:5.2f} x safe_load")
    print(
        f"  load_catalog in a fresh process: {memory['seconds']:.2f} s, "
        f"peak RSS {memory['maxrss_mib']:.0f} MiB, "
        f"{memory['resources']} resources, {memory['problems']} problems"
    )


if __name__ == "__main__":
    main()
