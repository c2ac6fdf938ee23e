"""Start-up discipline: nothing heavy is imported before it is needed.

Each check runs a fresh interpreter and reads ``sys.modules`` afterwards, so a
module imported by a previous test cannot hide a stray import. The layer rules
themselves (core never imports Textual) live in ``test_layers.py``; this file
guards what makes start-up slow: Whoosh, Textual, Rich, httpx and sqlite3
where a module does not use them, and the help screen and Markdown rendering
before the app's first frame.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "ctdc_tui" / "core"

# The core modules allowed to bring each heavy dependency in (directly or not).
HEAVY_OWNERS = {
    "whoosh": {"ctdc_tui.core.search"},
    "httpx": {"ctdc_tui.core.links"},
    # bookmark_io works on the Bookmark records of bookmarks.py, which is the sqlite3 module.
    "sqlite3": {"ctdc_tui.core.bookmarks", "ctdc_tui.core.bookmark_io"},
}
NEVER_IN_CORE = ("textual", "rich")
# Loaded only when the user asks for help or a Markdown view.
LATE_MODULES = ("ctdc_tui.tui.screens.help", "textual.widgets._markdown", "markdown_it")


SNAPSHOT = "\nimport json as _j, sys as _s\nprint('MODULES=' + _j.dumps(sorted(_s.modules)))\n"


def modules_after(code: str, env: dict[str, str] | None = None, *, snapshot_at_end: bool = True) -> set[str]:
    """Run ``code`` in a fresh interpreter; the names in ``sys.modules`` it reports.

    By default the snapshot is taken when ``code`` ends; code that prints its own
    ``MODULES=[...]`` line (at a moment of its choosing) passes ``snapshot_at_end=False``.
    """
    probe = code + SNAPSHOT if snapshot_at_end else code
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def tops(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def core_modules() -> list[str]:
    return sorted(f"ctdc_tui.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")


def test_import_ctdc_tui_loads_nothing_but_itself() -> None:
    loaded = modules_after("import ctdc_tui")
    ours = {name for name in loaded if name.startswith("ctdc_tui")}
    assert ours == {"ctdc_tui"}
    for heavy in ("yaml", "platformdirs", "textual", "rich", "whoosh", "httpx", "sqlite3"):
        assert heavy not in tops(loaded), f"`import ctdc_tui` pulled in {heavy}"


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_only_what_it_needs(module: str) -> None:
    loaded = tops(modules_after(f"import {module}"))
    for name in NEVER_IN_CORE:
        assert name not in loaded, f"{module} imports {name}; the core never does"
    for heavy, owners in HEAVY_OWNERS.items():
        if module not in owners:
            assert heavy not in loaded, (
                f"{module} imports {heavy}; only {', '.join(sorted(owners))} may (import it lazily)"
            )


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["list", "--help"]])
def test_cli_help_and_version_stay_light(argv: list[str]) -> None:
    code = textwrap.dedent(
        f"""
        import contextlib, io
        from ctdc_tui.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main({argv!r})
            except SystemExit:
                pass
        """
    )
    loaded = tops(modules_after(code))
    for heavy in ("textual", "rich", "whoosh", "httpx"):
        assert heavy not in loaded, f"`ctdc {' '.join(argv)}` imported {heavy}"


def test_cli_help_does_not_load_sqlite3() -> None:
    code = "from ctdc_tui.cli import build_parser\nbuild_parser()"
    assert "sqlite3" not in tops(modules_after(code))


def _app_module_exists() -> bool:
    return (ROOT / "ctdc_tui" / "tui" / "app.py").exists()


@pytest.mark.skipif(not _app_module_exists(), reason="ctdc_tui/tui/app.py has not landed yet")
def test_importing_the_app_does_not_load_search_help_or_markdown() -> None:
    loaded = modules_after("import ctdc_tui.tui.app")
    assert "textual" in tops(loaded)  # the probe really imported the app
    for name in ("whoosh", "httpx", "sqlite3"):
        assert name not in tops(loaded), f"`import ctdc_tui.tui.app` imported {name}; import it lazily"
    for name in LATE_MODULES:
        assert name not in loaded, f"`import ctdc_tui.tui.app` imported {name} before the first frame"


@pytest.mark.skipif(not _app_module_exists(), reason="ctdc_tui/tui/app.py has not landed yet")
def test_importing_the_app_does_not_load_yaml() -> None:
    assert "yaml" not in tops(modules_after("import ctdc_tui.tui.app"))


FIRST_FRAME = """
import asyncio, json, sys
from pathlib import Path
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.resource_list import ResourceList

async def main():
    app = CtdcApp(None, {index_dir!r}, None)
    async with app.run_test(size=(100, 30)) as pilot:
        results = app.query_one(ResourceList)
        for _ in range(600):
            if results.row_count:
                break
            await pilot.pause(0.05)
        assert results.row_count, "the list never filled"
        await pilot.pause()
        print("MODULES=" + json.dumps(sorted(sys.modules)))
        await pilot.press("q")

asyncio.run(main())
"""


@pytest.mark.skipif(not _app_module_exists(), reason="ctdc_tui/tui/app.py has not landed yet")
def test_help_and_markdown_are_not_loaded_until_asked(tmp_path: Path) -> None:
    env = {**os.environ, "CTDC_HOME": str(tmp_path / "home")}
    env.pop("CTDC_DATA", None)
    code = FIRST_FRAME.format(index_dir=str(tmp_path / "index"))
    loaded = modules_after(code, env=env, snapshot_at_end=False)
    assert "ctdc_tui.tui.app" in loaded
    for name in LATE_MODULES:
        assert name not in loaded, f"{name} was imported before the user asked for help"


FIRST_FILLED_FRAME = """
import json, sys
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.resource_list import ResourceList

app = CtdcApp(None, {index_dir!r}, None)
original = app._display
seen = {{}}

def display(screen, renderable):
    original(screen, renderable)
    if renderable is not None and not seen and app.query_one(ResourceList).row_count:
        seen["modules"] = sorted(sys.modules)
        seen["index"] = type(app.index).__name__
        app.exit()

app._display = display
app.run(headless=True, size=(100, 30))
print("SERVED_BY=" + seen["index"])
print("MODULES=" + json.dumps(seen["modules"]))
"""


@pytest.mark.skipif(not _app_module_exists(), reason="ctdc_tui/tui/app.py has not landed yet")
def test_the_first_filled_frame_imports_no_whoosh_or_yaml_with_a_kept_first_screen(tmp_path: Path) -> None:
    from ctdc_tui.core import first_screen, locations
    from ctdc_tui.core.search import SearchIndex

    catalogue = locations.bundled_catalogue()
    with SearchIndex.open(catalogue, tmp_path / "index") as index:
        assert index.location is not None
        first_screen.write(catalogue, index.location, first_screen.capture(index))
    env = {**os.environ, "CTDC_HOME": str(tmp_path / "home")}
    env.pop("CTDC_DATA", None)
    code = FIRST_FILLED_FRAME.format(index_dir=str(tmp_path / "index"))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "SERVED_BY=FirstScreenIndex" in done.stdout
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES="))
    loaded = set(json.loads(line.removeprefix("MODULES=")))
    for name in ("whoosh", "yaml"):
        assert name not in tops(loaded), f"{name} was imported before the first frame with the list filled"
    assert "ctdc_tui.core.search" not in loaded
    # The catalogue module (YAML reading and checks, ten dataclasses: ~12 ms) waits too; the
    # first screen's resources come from ctdc_tui.core.resource.
    assert "ctdc_tui.core.catalog" not in loaded
    # The indexing strip's progress bar is mounted (and imported) only when a build reports.
    assert "textual.widgets._progress_bar" not in loaded
    # The catalogue's key (a SHA-256 of its path) does not need hashlib's OpenSSL set-up.
    assert "hashlib" not in loaded
    # The detail pane's option lists (link choices, related resources) are mounted later.
    assert "ctdc_tui.tui.widgets.detail_lists" not in loaded


def test_catalogue_key_is_the_sha256_of_the_resolved_path(tmp_path: Path) -> None:
    import hashlib

    from ctdc_tui.core import locations

    folder = tmp_path / "My Catalogue"
    folder.mkdir()
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:12]
    assert locations.catalogue_key(folder) == f"my-catalogue-{digest}"
