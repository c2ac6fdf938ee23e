"""The core never imports Textual; the CLI does not import Textual or Whoosh until it needs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
for name in {modules!r}:
    __import__(name)
print(json.dumps(sorted(sys.modules)))
"""


def loaded_after_import(*modules: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(modules=list(modules))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out))


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


CORE_MODULES = [
    "ctdc_tui.core.catalog",
    "ctdc_tui.core.resource",
    "ctdc_tui.core.locations",
    "ctdc_tui.core.errors",
    "ctdc_tui.core.fsutil",
    "ctdc_tui.core.text",
    "ctdc_tui.core.search",
    "ctdc_tui.core.query",
    "ctdc_tui.core.bookmarks",
    "ctdc_tui.core.bookmark_io",
    "ctdc_tui.core.links",
    "ctdc_tui.core.link_status",
    "ctdc_tui.core.config",
    "ctdc_tui.core.state",
    "ctdc_tui.core.first_screen",
    "ctdc_tui.core.records",
    "ctdc_tui.core.yaml_lines",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_never_imports_textual_or_rich(module: str) -> None:
    tops = _top(loaded_after_import(module))
    assert "textual" not in tops
    assert "rich" not in tops
    assert "ctdc_tui" in tops


def test_package_and_cli_import_is_light() -> None:
    tops = _top(loaded_after_import("ctdc_tui", "ctdc_tui.cli"))
    for heavy in ("textual", "rich", "whoosh", "httpx", "sqlite3"):
        assert heavy not in tops, f"`import ctdc_tui.cli` pulled in {heavy}"


def test_every_core_module_is_guarded() -> None:
    from pathlib import Path

    core = Path(__file__).resolve().parent.parent / "ctdc_tui" / "core"
    on_disk = {f"ctdc_tui.core.{p.stem}" for p in core.glob("*.py") if p.stem != "__init__"}
    assert on_disk == set(CORE_MODULES)


def test_only_search_module_imports_whoosh() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "ctdc_tui"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if p.name != "search.py" and ("import whoosh" in p.read_text() or "from whoosh" in p.read_text())
    ]
    assert offenders == []


def test_tui_asks_the_core_and_never_reads_files_itself() -> None:
    """The widgets never read YAML or talk to Whoosh, SQLite or the network directly."""
    import re
    from pathlib import Path

    tui = Path(__file__).resolve().parent.parent / "ctdc_tui" / "tui"
    pattern = re.compile(r"^\s*(import|from)\s+(yaml|sqlite3|whoosh|httpx)\b", re.MULTILINE)
    offenders = [str(p.relative_to(tui)) for p in tui.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_the_line_reader_imports_neither_pyyaml_nor_the_rest_of_the_core() -> None:
    """``yaml_lines`` gets its containers and scalar resolution from ``catalog`` as arguments."""
    loaded = loaded_after_import("ctdc_tui.core.yaml_lines")
    assert "yaml" not in _top(loaded)
    assert not {m for m in loaded if m.startswith("ctdc_tui.core.") and m != "ctdc_tui.core.yaml_lines"}
