"""The project stays ruff-clean and mypy-clean on the core and the CLI (configuration in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_is_clean() -> None:
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    done = _run("ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_is_clean_on_core_and_cli() -> None:
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_refuses_assigning_a_field_of_a_frozen_record(tmp_path: Path) -> None:
    """The frozen records write their methods by hand (``core/records.py``) and are decorated
    without ``frozen=True``; ``frozen_record`` still shows them to mypy as frozen dataclasses."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ctdc_tui.core.resource import Resource\n"
        "from ctdc_tui.core.state import AppState\n"
        "from ctdc_tui.core.bookmarks import Bookmark\n"
        "from ctdc_tui.core.first_screen import ScreenCategory\n"
        "def change(r: Resource, s: AppState, b: Bookmark, c: ScreenCategory) -> None:\n"
        "    r.title = 'x'\n"
        "    s.theme = 'x'\n"
        "    b.note = 'x'\n"
        "    c.name = 'x'\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(probe),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.count("is read-only") == 4, done.stdout + done.stderr
