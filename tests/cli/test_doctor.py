"""``ctdc doctor``: reports every part, gives a fix for each problem, and changes nothing."""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctdc_tui.cli import main
from ctdc_tui.core import locations
from ctdc_tui.core.bookmarks import BookmarkStore
from ctdc_tui.core.catalog import load_catalog
from ctdc_tui.core.link_status import LinkResult, LinkStatusCache

pytestmark = pytest.mark.usefixtures("home")


def doctor(capsys: pytest.CaptureFixture[str], catalogue: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["doctor", "--data", str(catalogue), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def doctor_json(capsys: pytest.CaptureFixture[str], catalogue: Path) -> tuple[int, dict[str, object]]:
    code, out, _err = doctor(capsys, catalogue, "--json")
    return code, json.loads(out)


def make_healthy(capsys: pytest.CaptureFixture[str], catalogue: Path) -> None:
    """An index built, one bookmark, one link check: everything a user has after a while."""
    assert main(["index", "--data", str(catalogue)]) == 0
    catalog, _problems = load_catalog(catalogue)
    first = next(iter(catalog))
    store = BookmarkStore.open()
    store.add(locations.catalogue_key(catalogue), first, note="for the partners meeting")
    store.close()
    cache = LinkStatusCache.load(catalogue)
    result = LinkResult(
        url=first.url, status="ok", checked_at=datetime.now(UTC), http_status=200, answered=True
    )
    cache.record({first.id: [first.url]}, [result])
    cache.save()
    capsys.readouterr()


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``roots`` with its size and modification time."""
    found: dict[str, tuple[int, int]] = {}
    for root in roots:
        if not root.exists():
            continue
        for path in [root, *sorted(root.rglob("*"))]:
            stat = path.stat()
            found[str(path)] = (stat.st_size if path.is_file() else 0, stat.st_mtime_ns)
    return found


def findings(report: dict[str, object], area: str) -> list[dict[str, str]]:
    return [f for f in report["findings"] if f["area"] == area]  # type: ignore[union-attr,index]


def test_all_is_well_exits_0_and_reports_every_part(
    capsys: pytest.CaptureFixture[str], catalogue: Path
) -> None:
    make_healthy(capsys, catalogue)
    code, report = doctor_json(capsys, catalogue)
    assert code == 0, report["findings"]
    assert report["ok"] is True
    assert report["findings"] == []
    versions = report["versions"]
    assert versions["textual"] == importlib.metadata.version("textual")  # type: ignore[index]
    assert versions["whoosh"] == importlib.metadata.version("whoosh-reloaded")  # type: ignore[index]
    assert versions["pyyaml"] == importlib.metadata.version("PyYAML")  # type: ignore[index]
    assert set(report["locations"]) == {"catalogue", "index", "bookmarks", "config", "state", "cache"}  # type: ignore[arg-type]
    assert all(place["writable"] for place in report["locations"].values())  # type: ignore[union-attr]
    catalog, _problems = load_catalog(catalogue)
    assert report["catalogue"]["resources"] == len(catalog)  # type: ignore[index]
    assert report["catalogue"]["errors"] == 0  # type: ignore[index]
    assert report["index"]["status"] == "fresh"  # type: ignore[index]
    assert report["index"]["resource_count"] == len(catalog)  # type: ignore[index]
    assert (report["bookmarks"]["status"], report["bookmarks"]["in_catalogue"]) == ("ok", 1)  # type: ignore[index]
    assert report["links"]["age"] == "just now"  # type: ignore[index]
    assert report["links"]["ok"] == 1  # type: ignore[index]

    code, out, _err = doctor(capsys, catalogue)
    assert code == 0
    assert out.startswith("ctdc doctor: all is well")
    assert "Index       fresh" in out
    assert "Needs attention" not in out


def test_a_first_run_is_fine_and_nothing_is_created(
    capsys: pytest.CaptureFixture[str], catalogue: Path, home: Path
) -> None:
    before = snapshot(catalogue)
    code, report = doctor_json(capsys, catalogue)
    assert code == 0  # nothing needs the user: the index and the stores are made when needed
    assert report["index"]["status"] == "missing"  # type: ignore[index]
    assert report["bookmarks"]["status"] == "missing"  # type: ignore[index]
    assert [f["fix"] for f in findings(report, "index")] == [f"ctdc index --data {catalogue}"]
    assert [f["fix"] for f in findings(report, "links")] == [f"ctdc links check --data {catalogue}"]
    assert not home.exists()
    assert snapshot(catalogue) == before


def test_doctor_repairs_nothing(capsys: pytest.CaptureFixture[str], catalogue: Path, home: Path) -> None:
    make_healthy(capsys, catalogue)
    bookmarks = locations.bookmarks_file()
    bookmarks.write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 2000)  # damaged
    (catalogue / "ingredients.yaml").write_text(
        (catalogue / "ingredients.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )  # the index is now stale
    locations.link_cache_file(catalogue).write_text("not json", encoding="utf-8")
    before = snapshot(home, catalogue)
    code, report = doctor_json(capsys, catalogue)
    assert code == 1
    assert report["bookmarks"]["status"] == "damaged"  # type: ignore[index]
    assert report["index"]["status"] == "stale"  # type: ignore[index]
    assert snapshot(home, catalogue) == before  # not moved aside, not rebuilt, not rewritten


def test_each_problem_comes_with_the_command_that_fixes_it(
    capsys: pytest.CaptureFixture[str], catalogue: Path
) -> None:
    make_healthy(capsys, catalogue)
    locations.bookmarks_file().write_bytes(b"this is no database" * 100)
    locations.config_file().parent.mkdir(parents=True)
    locations.config_file().write_text('theme = "nord"\n[keymap\n', encoding="utf-8")
    index_dir = locations.index_dir(catalogue)
    for segment in index_dir.glob("*.seg"):
        segment.write_bytes(b"garbage")
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"garbage")
    (catalogue / "ingredients.yaml").write_text(
        "category: {id: ingredients, name: Ingredients}\nresources:\n  - id: no-link\n    title: No link\n",
        encoding="utf-8",
    )
    code, report = doctor_json(capsys, catalogue)
    assert code == 1
    assert report["ok"] is False
    data = f"--data {catalogue}"
    problems = {f["area"]: f for f in report["findings"] if f["severity"] == "problem"}  # type: ignore[union-attr,index]
    assert problems["bookmarks"]["fix"] == f"ctdc bookmarks list {data}"
    assert problems["config"]["fix"].startswith(f"edit {locations.config_file()}:2")
    assert problems["catalogue"]["fix"] == f"ctdc validate {data}"
    assert "ingredients.yaml" in problems["catalogue"]["message"]
    # the catalogue changed too, so the index reads as stale first (a warning): still a fix
    assert [f["fix"] for f in findings(report, "index")] == [f"ctdc index {data}"]
    for finding in report["findings"]:  # type: ignore[union-attr]
        assert finding["fix"]

    code, out, _err = doctor(capsys, catalogue)
    assert code == 1
    assert "PROBLEM [bookmarks]" in out
    assert f"fix: ctdc bookmarks list {data}" in out


def test_a_damaged_index_is_a_problem_with_rebuild_as_the_fix(
    capsys: pytest.CaptureFixture[str], catalogue: Path
) -> None:
    make_healthy(capsys, catalogue)
    for toc in locations.index_dir(catalogue).glob("*.toc"):
        toc.write_bytes(b"\x00garbage")
    code, report = doctor_json(capsys, catalogue)
    assert code == 1
    assert report["index"]["status"] == "damaged"  # type: ignore[index]
    assert [f["fix"] for f in findings(report, "index")] == [f"ctdc index --rebuild --data {catalogue}"]


def test_an_index_being_built_elsewhere_shows_as_rebuilding(
    capsys: pytest.CaptureFixture[str], catalogue: Path
) -> None:
    place = locations.index_dir(catalogue)
    place.parent.mkdir(parents=True)
    with open(place.parent / f".{place.name}.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        code, report = doctor_json(capsys, catalogue)
    assert report["index"]["status"] == "rebuilding"  # type: ignore[index]
    assert report["index"]["rebuilding"] is True  # type: ignore[index]
    assert findings(report, "index") == []
    assert code == 0


def test_bookmarks_from_a_newer_version_are_a_problem(
    capsys: pytest.CaptureFixture[str], catalogue: Path
) -> None:
    path = locations.bookmarks_file()
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    code, report = doctor_json(capsys, catalogue)
    assert code == 1
    assert report["bookmarks"]["status"] == "newer"  # type: ignore[index]
    assert "upgrade" in findings(report, "bookmarks")[0]["fix"]


def test_an_unwritable_data_folder_is_a_problem(
    capsys: pytest.CaptureFixture[str], catalogue: Path, home: Path
) -> None:
    home.mkdir()
    (home / "data").write_text("a file where the data folder should be", encoding="utf-8")
    code, report = doctor_json(capsys, catalogue)
    assert code == 1
    assert report["locations"]["bookmarks"]["writable"] is False  # type: ignore[index]
    [finding] = findings(report, "locations")
    assert "cannot be written" in finding["message"]
    assert "CTDC_HOME" in finding["fix"]


def test_a_damaged_link_cache_or_old_check_is_a_warning(
    capsys: pytest.CaptureFixture[str], catalogue: Path
) -> None:
    make_healthy(capsys, catalogue)
    cache = LinkStatusCache.load(catalogue)
    old = datetime(2020, 1, 1, tzinfo=UTC)
    cache.links = {u: LinkResult(url=u, status="ok", checked_at=old) for u in cache.links}
    cache.path.unlink()  # type: ignore[union-attr]
    cache.save()
    code, report = doctor_json(capsys, catalogue)
    assert code == 0
    [finding] = findings(report, "links")
    assert finding["severity"] == "warning"
    assert "years ago" in finding["message"]
    locations.link_cache_file(catalogue).write_text("{", encoding="utf-8")
    code, report = doctor_json(capsys, catalogue)
    assert code == 0
    assert "damaged" in findings(report, "links")[0]["message"]


def test_a_missing_catalogue_is_a_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, report = doctor_json(capsys, tmp_path / "nowhere")
    assert code == 1
    [finding] = report["findings"]  # type: ignore[misc]
    assert finding["area"] == "catalogue"
    assert "catalog.yaml is missing" in finding["message"]
    assert "--data DIR" in finding["fix"]
    assert report["index"]["status"] == "missing"  # type: ignore[index]


def test_doctor_does_not_import_textual() -> None:
    probe = (
        "import sys, io, contextlib\n"
        "from ctdc_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['doctor', '--json'])\n"
        "print('textual' in sys.modules, 'rich' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
