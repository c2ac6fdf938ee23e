"""How long reopening takes after one category file of a large catalogue changed.

    .venv/bin/python -m tests.benchmarks.bench_incremental --size 10000

Uses a copy of a generated catalogue under --work (generated once), builds its index
from scratch, edits one title in the smallest category file and then in the
median-sized one, and times ``SearchIndex.open`` in a fresh process each time (the
YAML parse cache of the catalogue loader is warm, as it is for a user who edits a
file; the children use a private ``CTDC_HOME`` so other runs on the machine cannot
evict it). Each edited file is restored afterwards. Prints wall and CPU seconds
(CPU includes starting Python and importing Whoosh, and any helper process of the
build), how many resources were re-indexed, and the edit's CPU time as a share of
the full build's, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
ix = SearchIndex.open(Path(sys.argv[1]), sys.argv[2], rebuild=sys.argv[3] == "rebuild")
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime,
                  "notices": ix.notices, "rebuilt": ix.info.rebuilt}))
"""


def _open(folder: Path, index_root: Path, home: Path, rebuild: bool = False) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", OPEN, str(folder), str(index_root), "rebuild" if rebuild else "open"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        env={**os.environ, "CTDC_HOME": str(home)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ctdc-bench")
    args = parser.parse_args()
    source = args.work / f"catalogue-{args.size}-seed{args.seed}"
    if not (source / "catalog.yaml").is_file():
        generate(source, args.size, args.seed)
    folder = args.work / f"incremental-catalogue-{args.size}-seed{args.seed}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    home = args.work / "incremental-home"
    index_root = args.work / f"incremental-idx-{args.size}"
    first = _open(folder, index_root, home, rebuild=True)
    full_cpu = float(first["cpu_s"])  # type: ignore[arg-type]
    print(f"full build: {first['wall_s']:.1f} s wall, {full_cpu:.1f} s CPU")
    unchanged = _open(folder, index_root, home)
    print(f"unchanged reopen: {unchanged['wall_s']:.2f} s wall, {unchanged['cpu_s']:.2f} s CPU")
    files = sorted(
        (p for p in folder.glob("*.yaml") if p.name != "catalog.yaml"), key=lambda p: p.stat().st_size
    )
    for label, path in (("smallest", files[0]), ("median", files[len(files) // 2])):
        original = path.read_text(encoding="utf-8")
        count = original.count("\n  - id: ")
        try:
            path.write_text(original.replace('title: "', 'title: "Edited ', 1), encoding="utf-8")
            run = _open(folder, index_root, home)
        finally:
            path.write_text(original, encoding="utf-8")
        cpu = float(run["cpu_s"])  # type: ignore[arg-type]
        print(
            f"{label} category file changed ({path.name}, {count} resources): "
            f"{run['wall_s']:.2f} s wall, {cpu:.2f} s CPU ({cpu / full_cpu:.0%} of the full build); "
            f"{run['notices']}"
        )
        _open(folder, index_root, home)  # back to the original (another in-place update)
    print("target: one changed category file re-indexed in <= 2 s (issue 6)")


if __name__ == "__main__":
    main()
