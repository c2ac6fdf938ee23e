"""Fixtures shared by the adversarial suite: an isolated home and the hostile catalogue."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctdc_tui.core import locations
from ctdc_tui.core.bookmarks import BookmarkStore
from tests.adversarial.hostile_strings import Hostile, write_hostile_catalogue
from tests.adversarial.sandbox import World, resource

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


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A sandbox with one bookmark ("cutgroup-book", note "keep me") that no fault may touch."""
    root = Path(tempfile.mkdtemp(prefix="ctdc-faults-"))
    try:
        w = World(root)
        monkeypatch.setenv("CTDC_HOME", str(w.home))
        monkeypatch.delenv("CTDC_INDEX_DIR", raising=False)
        monkeypatch.delenv("CTDC_DATA", raising=False)
        with BookmarkStore.open() as store:
            store.add(locations.catalogue_key(w.catalogue), resource("cutgroup-book"), note="keep me")
        yield w
    finally:
        subprocess.run(["chmod", "-R", "u+rwX", str(root)], check=False)
        shutil.rmtree(root, ignore_errors=True)
