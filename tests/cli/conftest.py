"""Fixtures shared by the CLI tests: a private CTDC_HOME and a copy of the bundled catalogue."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BUNDLED = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every user folder under one temporary CTDC_HOME; no catalogue or index override from outside."""
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CTDC_DATA", raising=False)
    monkeypatch.delenv("CTDC_INDEX_DIR", raising=False)
    return tmp_path / "home"


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """A writable copy of the bundled catalogue."""
    return Path(shutil.copytree(BUNDLED, tmp_path / "catalogue"))
