"""Fixtures for the app's Pilot and snapshot tests.

Every test runs with ``CTDC_HOME`` and ``CTDC_INDEX_DIR`` in a temporary folder
so nothing touches the real user folders, and with a fixed clock-free,
blink-free app so snapshots are stable.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctdc_tui.core import locations

BUNDLED = locations.bundled_catalogue()


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalogue's index and first-screen file, built once per session (each test gets a copy)."""
    from ctdc_tui.core import first_screen
    from ctdc_tui.core.search import SearchIndex

    root = tmp_path_factory.mktemp("index-template")
    with SearchIndex.open(BUNDLED, root) as index:
        # As after the app's first run: the next starts draw their first frame from this file.
        assert index.location is not None
        first_screen.write(BUNDLED, index.location, first_screen.capture(index))
    return root


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundled_index: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("CTDC_HOME", str(home))
    # A private copy of a prebuilt index: fast to open, and notes synced by one test stay in it.
    shutil.copytree(bundled_index, tmp_path / "index")
    monkeypatch.setenv("CTDC_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("CTDC_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # A test never starts a real browser (Textual's driver calls webbrowser.open).
    monkeypatch.setattr("webbrowser.open", lambda url, *args, **kwargs: True)
    yield home


def write_catalogue(folder: Path, categories: list[dict[str, object]], title: str = "Test catalogue") -> Path:
    """A catalogue folder in the documented format: ``categories`` are dicts with id, name, resources."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    meta = {"title": title, "description": "For tests.", "categories": [c["id"] for c in categories]}
    (folder / "catalog.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    for category in categories:
        doc = {
            "category": {
                "id": category["id"],
                "name": category["name"],
                "summary": category.get("summary", ""),
            },
            "resources": category.get("resources", []),
        }
        path = folder / f"{category['id']}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def resource(rid: str, title: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": rid,
        "title": title,
        "url": f"https://example.org/{rid}",
        "organizations": ["Example Org"],
        "year": 2017,
        "kind": "guide",
        "tags": ["test"],
        "description": f"About {title}.",
    }
    base.update(fields)
    return base


async def settle(pilot: object) -> None:
    """Let every worker (index opening, searches, related) finish and the screen catch up."""
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(4):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        # The detail pane waits for typing to rest, the related lookup for the cursor to rest.
        for _ in range(20):
            timers = ("_detail_timer", "_related_timer", "_spell_timer")
            if all(getattr(app, name, None) is None for name in timers):
                break
            await pilot.pause(0.1)  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
