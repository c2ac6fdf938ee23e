"""Start-up in instructions: a figure the machine's load cannot move (issue 6).

    .venv/bin/python tests/benchmarks/bench_startup_instructions.py [--against DIR ...] [--workdir DIR]

Counts, with valgrind's cachegrind (``--cache-sim=no``), the instructions a process runs from
its start to the first frame with the list filled, for the bundled catalogue with its index and
first-screen file in place (what a second start sees), and the same for the minimal Textual app
of issue 6 (header, one line, footer). The wall-time target (``bench_app.py --only startup``,
≤ 1.3× the minimal app) is the one that counts; on two shared cores one run's wall ratio moves
by ±0.15, so each change to start-up was judged by this ratio, which repeats to the last digit
for the same code. Instruction ratios run a little above the wall ratios (the minimal app's time
has more in it that is not instructions: the kernel starting the process, reading files).

``--against DIR`` (repeatable) counts another source tree the same way (its ``ctdc_tui`` first
on ``sys.path``), e.g. a clone at an older commit. Each tree is started once normally first, so
its index, first-screen file and bytecode exist; then the saved state is removed, so
every start opens at the first category. Writes ``startup-instructions.json`` in the
work folder. Needs valgrind; without it, says so and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in the measured process: the app (or the minimal app) until its first filled frame.
PROBE = """
import os, sys
os.environ.setdefault("TEXTUAL_FPS", "1000")
kind, index_dir = sys.argv[1], sys.argv[2]
if kind == "minimal":
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Minimal(App):
        def compose(self):
            yield Header()
            yield Static("Civic Tech and Data Collaborative Toolkit")
            yield Footer()

    app = Minimal()
    ready = lambda: True
else:
    sys.path.insert(0, kind)
    from ctdc_tui.tui.app import CtdcApp
    from ctdc_tui.tui.widgets.resource_list import ResourceList

    app = CtdcApp(None, index_dir, None)
    ready = lambda: app.query_one(ResourceList).row_count
original = app._display

def display(screen, renderable):
    original(screen, renderable)
    if renderable is not None and ready():
        if kind != "minimal":
            print("SERVED_BY=" + type(app.index).__name__, flush=True)
        os._exit(0)

app._display = display
app.run(headless=True, size=(120, 36))
"""

# Runs the app long enough to open the index and keep the first-screen file.
WARM = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from ctdc_tui.tui.app import CtdcApp

async def main():
    app = CtdcApp(None, sys.argv[2], None)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(300):
            await pilot.pause(0.1)
            if app._first_screen_kept and type(app.index).__name__ == "SearchIndex":
                return
    raise SystemExit("the index or the first-screen file never came")

asyncio.run(main())
"""


def child_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "CTDC_HOME": str(home), "PYTHONHASHSEED": "0"}
    env.pop("CTDC_DATA", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed copy: bytecode compiled once
    return env


def instructions(kind: str, index_dir: Path, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            PROBE,
            kind,
            str(index_dir),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"cachegrind run of {kind} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    served = next((x.split("=", 1)[1] for x in done.stdout.splitlines() if x.startswith("SERVED_BY=")), "")
    return int(found.group(1).replace(",", "")), served


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", type=Path, action="append", default=[], help="another source tree")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ctdc-bench-instructions"
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: this benchmark counts instructions with its cachegrind tool")
        raise SystemExit(2)
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = child_env(args.workdir / "home")
    index_dir = args.workdir / "index"
    trees = [ROOT, *(tree.resolve() for tree in args.against)]
    for tree in trees:
        subprocess.run(
            [sys.executable, "-c", WARM, str(tree), str(index_dir)], check=True, env=env, timeout=600
        )
    # Each warm-up saved where it stopped; every measured start opens at the first category instead,
    # so all trees (and all runs) draw the same first screen.
    forget = "from ctdc_tui.core import locations; locations.state_file().unlink(missing_ok=True)"
    subprocess.run([sys.executable, "-c", forget], check=True, env=env, cwd=ROOT)
    base, _ = instructions("minimal", index_dir, env)
    figures: dict[str, object] = {"minimal": base}
    print(f"{'minimal Textual app':44} {base:>15,} instructions")
    for tree in trees:
        count, served = instructions(str(tree), index_dir, env)
        ratio = count / base
        figures[str(tree)] = {"instructions": count, "ratio": round(ratio, 3), "served_by": served}
        label = f"app, bundled: {tree}"
        print(f"{label:44} {count:>15,} instructions  {ratio:.3f}x  (first frame: {served})")
    (args.workdir / "startup-instructions.json").write_text(json.dumps(figures, indent=1))
    return figures


if __name__ == "__main__":
    main()
