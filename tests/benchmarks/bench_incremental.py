"""How long reopening takes after one category file of a large catalogue changed.

    .venv/bin/python -m tests.benchmarks.bench_incremental --size 10000

Uses (and first builds, if needed) a generated catalogue under --work, edits one
title in the smallest category file and then in the median-sized one, and times
``SearchIndex.open`` in a fresh process each time (the YAML parse cache of the
catalogue loader is warm, as it is for a user who edits a file). Each edited file
is restored afterwards. Prints wall and CPU seconds and how many resources were
re-indexed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.generate_catalogue import generate

REPO = Path(__file__).resolve().parents[2]

OPEN = """
import json, sys, time, resource
from pathlib import Path
t = time.perf_counter()
from ctdc_tui.core.search import SearchIndex
ix = SearchIndex.open(Path(sys.argv[1]), sys.argv[2])
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "notices": ix.notices,
                  "rebuilt": ix.info.rebuilt}))
"""


def _open(folder: Path, index_root: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", OPEN, str(folder), str(index_root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ctdc-bench")
    args = parser.parse_args()
    folder = args.work / f"catalogue-{args.size}-seed{args.seed}"
    if not (folder / "catalog.yaml").is_file():
        generate(folder, args.size, args.seed)
    index_root = args.work / f"incremental-idx-{args.size}"
    first = _open(folder, index_root)
    print(f"first open (build if needed): {first['wall_s']:.1f} s wall, {first['cpu_s']:.1f} s CPU")
    print(f"unchanged reopen: {_open(folder, index_root)['wall_s']:.2f} s wall")
    files = sorted(
        (p for p in folder.glob("*.yaml") if p.name != "catalog.yaml"), key=lambda p: p.stat().st_size
    )
    for label, path in (("smallest", files[0]), ("median", files[len(files) // 2])):
        original = path.read_text(encoding="utf-8")
        count = original.count("\n  - id: ")
        try:
            path.write_text(original.replace('title: "', 'title: "Edited ', 1), encoding="utf-8")
            run = _open(folder, index_root)
        finally:
            path.write_text(original, encoding="utf-8")
        print(
            f"{label} category file changed ({path.name}, {count} resources): "
            f"{run['wall_s']:.2f} s wall, {run['cpu_s']:.2f} s CPU; {run['notices']}"
        )
        _open(folder, index_root)  # back to the original (another in-place update)


if __name__ == "__main__":
    main()
