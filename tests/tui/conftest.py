"""Fixtures for the app's Pilot and snapshot tests.

Every test runs with ``CTDC_HOME`` and ``CTDC_INDEX_DIR`` in a temporary folder
so nothing touches the real user folders, and with a fixed clock-free,
blink-free app so snapshots are stable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ctdc_tui.core import locations

BUNDLED = locations.bundled_catalogue()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("CTDC_HOME", str(home))
    monkeypatch.setenv("CTDC_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("CTDC_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield home
