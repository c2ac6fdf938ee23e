"""Bookmark store faults, through `ctdc bookmarks` (the store itself is proven in
tests/core/test_bookmarks_durability.py): a damaged file, a newer schema, a read-only data
folder, processes killed mid-write, and hostile notes. Every time: a clear message, no
traceback, nothing lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ctdc_tui.cli import main
from ctdc_tui.core.bookmarks import SCHEMA_VERSION
from tests.adversarial.hostile_strings import HOSTILE, TERMINAL_CONTROLS
from tests.adversarial.sandbox import World, namespace_prefix, run_cli

IDS = ["cutgroup-book", "brigade-organizer-resources", "equipt-to-innovate-framework"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(world: World, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(world.args(*argv)[:-2])  # bookmarks commands take no --index-dir
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def store_file(world: World) -> Path:
    return world.home / "data" / "bookmarks.sqlite3"


def listed(world: World, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, err = cli(world, capsys, "bookmarks", "list", "--json")
    assert code == 0, err
    payload = json.loads(out)
    items = payload["bookmarks"] if isinstance(payload, dict) else payload
    return {b["resource_id"] if "resource_id" in b else b["id"]: b.get("note", "") for b in items}


def test_damaged_store_is_moved_aside_and_the_user_told_where(
    world: World, store_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = b"SQLite format 3\x00" + os.urandom(5000)
    for extra in ("-wal", "-shm"):
        Path(f"{store_file}{extra}").unlink(missing_ok=True)
    store_file.write_bytes(garbage)
    code, out, err = cli(world, capsys, "bookmarks", "add", IDS[1], "--note", "after the damage")
    assert code == 0, err
    asides = [
        p
        for p in store_file.parent.iterdir()
        if "damaged" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(asides) == 1 and asides[0].read_bytes() == garbage  # the damaged bytes are kept
    assert str(asides[0]) in out + err or asides[0].name in out + err
    assert listed(world, capsys) == {IDS[1]: "after the damage"}


def test_newer_schema_is_refused_with_a_message_and_left_untouched(
    world: World, store_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(store_file)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = _digest(store_file)
    for argv in (("bookmarks", "list"), ("bookmarks", "add", IDS[1]), ("bookmarks", "note", IDS[0], "x")):
        code, _out, err = cli(world, capsys, *argv)
        assert code == 1
        assert "newer" in err and "fix:" in err, err
    assert _digest(store_file) == before


def test_read_only_data_folder_lists_and_refuses_changes_clearly(world: World, store_file: Path) -> None:
    prefix = namespace_prefix("-U")
    conn = sqlite3.connect(store_file)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    subprocess.run(["chmod", "-R", "a+rX,a-w", str(world.home)], check=True)
    before = _digest(store_file)
    listing = run_cli(world, prefix, "bookmarks", "list", "--json", "--data", str(world.catalogue))
    assert "Traceback" not in listing.stderr and listing.returncode == 0, listing.stderr
    assert IDS[0] in listing.stdout
    change = run_cli(world, prefix, "bookmarks", "add", IDS[1], "--data", str(world.catalogue))
    assert "Traceback" not in change.stderr
    assert change.returncode == 1 and "fix:" in change.stderr, change.stderr
    assert _digest(store_file) == before


def _add_process(world: World, rid: str, note: str) -> subprocess.Popen[bytes]:
    """`ctdc bookmarks add RID --note NOTE` in its own process, on the world's catalogue (the same
    `--data` as `listed`: without it the command bookmarks into the bundled catalogue, whose key
    differs, and its note is never seen here)."""
    return subprocess.Popen(
        [sys.executable, "-m", "ctdc_tui", *world.args("bookmarks", "add", rid, "--note", note)[:-2]],
        env=world.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_finished_add_process_is_seen_by_the_next_listing(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The premise of the kill test below: a process left to finish changes what `listed` shows."""
    proc = _add_process(world, IDS[0], "replaced")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert listed(world, capsys)[IDS[0]] == "replaced"


def test_processes_killed_mid_write_lose_nothing_committed(
    world: World, store_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ctdc bookmarks add --note` processes are SIGKILLed at random moments; each finished one is kept."""
    rng = random.Random(7)
    # For each id, the notes it may hold now: the last one whose process finished, and any written
    # after it by a process killed between its commit and its exit.
    possible: dict[str, list[str]] = {IDS[0]: ["keep me"], IDS[1]: []}
    finished: set[str] = {IDS[0]}
    for round_ in range(8):
        rid = IDS[round_ % 2]
        note = f"round {round_}"
        proc = _add_process(world, rid, note)
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        if proc.returncode == 0:
            possible[rid] = [note]
            finished.add(rid)
        else:
            assert proc.returncode == -signal.SIGKILL, err
            possible[rid].append(note)
    notes = listed(world, capsys)
    assert notes[IDS[0]] in possible[IDS[0]]
    if IDS[1] in notes:
        assert notes[IDS[1]] in possible[IDS[1]]
    else:
        assert IDS[1] not in finished, "a bookmark whose command finished is missing"
    assert not [p for p in store_file.parent.iterdir() if "damaged" in p.name]  # a kill never damages it


@pytest.mark.parametrize("item", [h for h in HOSTILE if len(h.value) < 1000], ids=lambda h: h.name)
def test_hostile_notes_round_trip_and_print_safely(
    item: object, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    value: str = item.value  # type: ignore[attr-defined]
    code, out, err = cli(world, capsys, "bookmarks", "note", IDS[0], value)
    assert code == 0, err
    code, out, err = cli(world, capsys, "bookmarks", "list")
    assert code == 0, err
    assert not (set(out + err) & TERMINAL_CONTROLS - {"\n", "\t"}), item.name  # type: ignore[attr-defined]
    notes = listed(world, capsys)
    assert notes[IDS[0]] == value.replace("\x00", "\ufffd") or notes[IDS[0]] == value


def test_undecodable_command_line_bytes_get_a_message_not_a_traceback(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note typed in a Latin-1 terminal arrives as lone surrogates (surrogateescape)."""
    note = os.fsdecode(b"caf\xe9 \xff\xfe")
    code, _out, err = cli(world, capsys, "bookmarks", "note", IDS[0], note)
    assert code in (0, 1)
    if code == 1:
        assert "fix:" in err
    notes = listed(world, capsys)
    assert IDS[0] in notes
    json.dumps(notes, ensure_ascii=False).encode("utf-8")  # whatever was stored is valid UTF-8
