"""Fixtures shared by the adversarial suite: an isolated home and the hostile catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.hostile_strings import Hostile, write_hostile_catalogue

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every user location (bookmarks, config, state, cache, indexes) inside a temporary folder."""
    root = tmp_path / "home"
    root.mkdir()
    monkeypatch.setenv("CTDC_HOME", str(root))
    monkeypatch.setenv("CTDC_INDEX_DIR", str(root / "index"))
    monkeypatch.delenv("CTDC_DATA", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return root


@pytest.fixture(scope="session")
def hostile_catalogue(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Hostile]]:
    folder = tmp_path_factory.mktemp("hostile") / "catalogue"
    carried = write_hostile_catalogue(folder)
    return folder, carried
