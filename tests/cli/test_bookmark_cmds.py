"""``ctdc bookmarks …``: every action, its errors and fixes, and hostile text kept harmless."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ctdc_tui.cli import main
from ctdc_tui.core import locations
from ctdc_tui.core.bookmarks import Bookmark, BookmarkStore
from ctdc_tui.core.catalog import load_catalog

BUNDLED = Path(__file__).resolve().parents[2] / "data"
ESC = "\x1b"


pytestmark = pytest.mark.usefixtures("home")


@pytest.fixture
def ids(catalogue: Path) -> list[str]:
    catalog, _ = load_catalog(catalogue)
    return list(catalog.resources)[:4]


def run(capsys: pytest.CaptureFixture[str], catalogue: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["bookmarks", *argv, "--data", str(catalogue)])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], catalogue: Path, *extra: str) -> dict[str, object]:
    code, out, _ = run(capsys, catalogue, "list", "--json", *extra)
    assert code == 0
    return json.loads(out)


def test_add_list_note_remove(capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str]) -> None:
    code, out, _ = run(
        capsys, catalogue, "add", ids[0], "--note", "read first", "--tag", "a", "b", "--tag", "c"
    )
    assert code == 0 and out.startswith(f"Bookmarked {ids[0]}: ")
    assert run(capsys, catalogue, "add", ids[1])[0] == 0
    doc = listed(capsys, catalogue)
    assert doc["version"] == 1 and doc["order"] == "newest"
    assert doc["catalogue"]["key"] == locations.catalogue_key(catalogue)  # type: ignore[index]
    marks = doc["bookmarks"]
    assert [m["id"] for m in marks] == [ids[1], ids[0]]  # type: ignore[index]
    first = marks[1]  # type: ignore[index]
    assert (first["note"], first["tags"], first["status"]) == ("read first", ["a", "b", "c"], "ok")

    code, out, _ = run(capsys, catalogue, "note", ids[1], "line one\nline two")
    assert code == 0 and out == f"Saved the note of {ids[1]}\n"
    code, out, _ = run(capsys, catalogue, "list")
    assert "    > line one\n    > line two\n" in out and "2 bookmark(s) in" in out

    code, out, _ = run(capsys, catalogue, "add", ids[0])
    assert code == 0 and "nothing changed" in out
    code, out, _ = run(capsys, catalogue, "remove", ids[0])
    assert code == 0 and out.startswith(f"Removed the bookmark {ids[0]}") and "read first" in out
    assert [m["id"] for m in listed(capsys, catalogue)["bookmarks"]] == [ids[1]]  # type: ignore[union-attr]


def test_list_by_title_and_empty(capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str]) -> None:
    code, out, _ = run(capsys, catalogue, "list")
    assert code == 0 and "No bookmarks yet" in out
    for rid in ids:
        run(capsys, catalogue, "add", rid)
    titles = [m["title"] for m in listed(capsys, catalogue, "--order", "title")["bookmarks"]]  # type: ignore[union-attr]
    assert titles == sorted(titles, key=str.lower) and len(titles) == 4


def test_unknown_id_gets_a_clear_error_and_a_fix(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str]
) -> None:
    code, out, err = run(capsys, catalogue, "add", ids[0][:-2])
    assert code == 1 and out == ""
    assert f"ctdc: error: no resource '{ids[0][:-2]}' in the catalogue {catalogue}" in err
    assert f"fix: did you mean {ids[0]}" in err
    code, _, err = run(capsys, catalogue, "add", "zzzz-nothing-like-it")
    assert code == 1 and "fix: run `ctdc list` to see every id" in err
    assert "Traceback" not in err


def test_remove_and_note_of_what_is_not_bookmarked(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str]
) -> None:
    code, _, err = run(capsys, catalogue, "remove", ids[0])
    assert code == 1 and f"'{ids[0]}' is not bookmarked" in err and "fix:" in err
    code, _, err = run(capsys, catalogue, "note", ids[0], "x")
    assert code == 1 and "is not bookmarked" in err


def test_note_from_stdin(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, catalogue, "add", ids[0])
    monkeypatch.setattr("sys.stdin", io.StringIO("from a pipe\nsecond line\n"))
    assert run(capsys, catalogue, "note", ids[0], "-")[0] == 0
    assert listed(capsys, catalogue)["bookmarks"][0]["note"] == "from a pipe\nsecond line"  # type: ignore[index]
    code, out, _ = run(capsys, catalogue, "note", ids[0], "")
    assert code == 0 and out.startswith("Cleared the note")


def test_catalogues_never_mix(capsys: pytest.CaptureFixture[str], catalogue: Path, tmp_path: Path) -> None:
    other = Path(shutil.copytree(BUNDLED, tmp_path / "other"))
    catalog, _ = load_catalog(catalogue)
    rid = next(iter(catalog.resources))
    run(capsys, catalogue, "add", rid)
    assert listed(capsys, other)["bookmarks"] == []
    code, _, err = run(capsys, other, "remove", rid)
    assert code == 1 and "same --data" in err
    assert len(listed(capsys, catalogue)["bookmarks"]) == 1  # type: ignore[arg-type]


def test_hostile_notes_are_shown_literally(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str]
) -> None:
    note = f"[bold]x[/bold] [@click=app.quit] {ESC}[2J{ESC}]0;pwned\x07 <script> \u202eevil"
    run(capsys, catalogue, "add", ids[0], "--note", note, "--tag", f"{ESC}[31mred")
    code, out, _ = run(capsys, catalogue, "list")
    assert code == 0
    assert ESC not in out and "\x07" not in out and "\u202e" not in out
    assert "[bold]x[/bold] [@click=app.quit]" in out and "<script>" in out and "\\x1b[2J" in out
    code, out, _ = run(capsys, catalogue, "remove", ids[0])
    assert ESC not in out and "[@click=app.quit]" in out


def test_orphans_are_listed_as_saved_and_marked(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str]
) -> None:
    run(capsys, catalogue, "add", ids[0])
    with BookmarkStore.open() as store:
        store.merge(
            locations.catalogue_key(catalogue),
            [Bookmark("", "left-the-catalogue", "An old guide", "https://old.example.org/guide")],
        )
    doc = listed(capsys, catalogue)
    status = {m["id"]: m["status"] for m in doc["bookmarks"]}  # type: ignore[union-attr]
    assert status == {ids[0]: "ok", "left-the-catalogue": "missing"}
    _, out, _ = run(capsys, catalogue, "list")
    assert "left-the-catalogue  [not in the catalogue]\n    An old guide\n    https://old.example.org" in out
    assert run(capsys, catalogue, "remove", "left-the-catalogue")[0] == 0  # removable without the catalogue


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json", "html"])
def test_export_to_stdout_and_file(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str], tmp_path: Path, fmt: str
) -> None:
    run(capsys, catalogue, "add", ids[0], "--note", '=HYPERLINK("http://evil.example")')
    code, stdout_text, _ = run(capsys, catalogue, "export", "--format", fmt)
    assert code == 0 and "governing.com/equipt" in stdout_text
    target = tmp_path / "out" / f"list.{fmt}"
    code, out, _ = run(capsys, catalogue, "export", "--format", fmt, "-o", str(target))
    assert code == 0 and out == f"Exported 1 bookmark(s) as {fmt} to {target}\n"
    written = target.read_bytes().decode("utf-8")
    if fmt == "csv":
        assert written == "\ufeff" + stdout_text  # the BOM tells spreadsheets it is UTF-8
        assert "'=HYPERLINK(" in written
    elif fmt == "json":
        assert {**json.loads(written), "exported": ""} == {**json.loads(stdout_text), "exported": ""}
    else:
        assert written == stdout_text
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left


def test_export_to_an_unwritable_place(
    capsys: pytest.CaptureFixture[str], catalogue: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(capsys, catalogue, "export", "--format", "json", "-o", str(blocker / "x.json"))
    assert code == 1 and f"cannot write {blocker / 'x.json'}" in err and "fix:" in err


def test_import_round_trip_dry_run_and_report(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str], tmp_path: Path
) -> None:
    for rid in ids[:3]:
        run(capsys, catalogue, "add", rid, "--note", f"about {rid}")
    before = listed(capsys, catalogue)["bookmarks"]
    exported = tmp_path / "shared.html"
    run(capsys, catalogue, "export", "--format", "html", "-o", str(exported))
    partner = Path(shutil.copytree(BUNDLED, tmp_path / "partner"))

    code, out, _ = run(capsys, partner, "import", str(exported), "--dry-run")
    assert code == 0 and "would add 3, skipped 0, could not read 0 (dry run: nothing was changed)" in out
    assert listed(capsys, partner)["bookmarks"] == []

    code, out, _ = run(capsys, partner, "import", str(exported))
    assert code == 0 and "added 3, skipped 0" in out
    assert listed(capsys, partner)["bookmarks"] == before

    code, out, _ = run(capsys, partner, "import", str(exported), "--json")
    report = json.loads(out)
    assert report["added"] == [] and [s["reason"] for s in report["skipped"]] == ["already bookmarked"] * 3


def test_import_of_an_unreadable_file(
    capsys: pytest.CaptureFixture[str], catalogue: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ctdc-bookmarks", "version": 1, "bookmarks": [\n  {"id": ', encoding="utf-8")
    code, out, err = run(capsys, catalogue, "import", str(bad))
    assert code == 1 and out == ""
    assert (
        f"cannot import {bad}: not valid JSON at line 2" in err
        and "fix: import takes the JSON or HTML" in err
    )
    code, _, err = run(capsys, catalogue, "import", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot read" in err


def test_newer_store_is_refused_with_a_fix(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str]
) -> None:
    run(capsys, catalogue, "add", ids[0])
    conn = sqlite3.connect(locations.bookmarks_file())
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    code, out, err = run(capsys, catalogue, "list")
    assert code == 1 and out == ""
    assert "written by a newer version of ctdc-tui" in err and "fix: upgrade ctdc-tui" in err


def test_read_only_store_lists_and_refuses_changes(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str], home: Path
) -> None:
    home.mkdir(parents=True)
    (home / "data").write_text("not a folder")  # the data folder cannot be made
    code, out, err = run(capsys, catalogue, "list")
    assert code == 0 and "No bookmarks yet" in out and "Bookmarks are read-only" in err
    code, _, err = run(capsys, catalogue, "add", ids[0])
    assert code == 1 and "cannot save bookmarks" in err and "fix: make" in err


def test_export_to_a_terminal_shows_control_characters_as_text(
    capsys: pytest.CaptureFixture[str], catalogue: Path, ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, catalogue, "add", ids[0], "--note", f"{ESC}]0;pwned\x07 title")
    _, piped, _ = run(capsys, catalogue, "export", "--format", "json")
    assert json.loads(piped)["bookmarks"][0]["note"] == f"{ESC}]0;pwned\x07 title"  # data kept for a pipe
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    _, shown, _ = run(capsys, catalogue, "export", "--format", "markdown")
    assert ESC not in shown and "\x07" not in shown
    assert "\\x1b\\]0;pwned\\x07 title" in shown  # shown as text (and Markdown-escaped)


def test_the_cli_offers_every_export_format() -> None:
    from ctdc_tui.cli.bookmark_cmds import FORMATS
    from ctdc_tui.core.bookmark_io import EXPORT_FORMATS

    assert FORMATS == EXPORT_FORMATS
