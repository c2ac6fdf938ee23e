"""BookmarkStore never loses a bookmark: concurrent writers, SIGKILL mid-write, damaged files,
newer schemas and read-only folders."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ctdc_tui.core.bookmarks import SCHEMA_VERSION, BookmarkStore
from ctdc_tui.core.catalog import Resource
from ctdc_tui.core.errors import CtdcError

CAT = "toolkit-0123456789ab"


def res(rid: str) -> Resource:
    return Resource(id=rid, title=f"Title {rid}", url=f"https://example.org/{rid}", category="c")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_together(tmp_path: Path, script: str, argvs: list[list[str]]) -> None:
    """Start one process per argv running ``script``, release them at once (a go-file whose path
    is the last argument), and check that each one finished and printed ``done``."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *argv, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    time.sleep(0.3)
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "done"


# Each worker adds N bookmarks of its own, removes every third one again and writes a note on
# every fifth, so its expected end state is known exactly. Both start together (a go-file).
CONCURRENT_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ctdc_tui.core.bookmarks import BookmarkStore
    from ctdc_tui.core.catalog import Resource
    path, name, n, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[-1])
    store = BookmarkStore.open(path)
    while not go.exists():
        time.sleep(0.005)
    for i in range(n):
        rid = f"{name}-{i}"
        store.add("cat", Resource(id=rid, title=rid, url="https://example.org/" + rid, category="c"))
        if i % 5 == 0:
            store.set_note("cat", rid, f"note {rid}")
        if i % 3 == 0:
            assert store.remove("cat", rid) is not None
    store.close()
    print("done")
    """
)


def test_two_processes_writing_at_once_keep_every_change(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    n = 300  # 300 adds, 100 removes and 60 notes per process: 920 transactions in all
    run_together(tmp_path, CONCURRENT_WORKER, [[str(path), name, str(n)] for name in ("p", "q")])
    with BookmarkStore.open(path) as store:
        assert store.notices == []
        got = store.notes("cat")
    expected = {
        f"{name}-{i}": (f"note {name}-{i}" if i % 5 == 0 else "")
        for name in ("p", "q")
        for i in range(n)
        if i % 3 != 0
    }
    assert got == expected


CONTENDED_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ctdc_tui.core.bookmarks import BookmarkStore
    from ctdc_tui.core.catalog import Resource
    from ctdc_tui.core.errors import CtdcError
    path, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[-1])
    store = BookmarkStore.open(path)
    while not go.exists():
        time.sleep(0.005)
    for i in range(120):
        rid = f"shared-{i % 8}"
        if store.get("cat", rid) is None:
            store.add("cat", Resource(id=rid, title=rid, url="https://example.org/" + rid, category="c"))
        else:
            try:
                store.set_note("cat", rid, f"{name} {i}")
            except CtdcError as exc:  # the other process removed it in between
                assert "is not bookmarked" in exc.message, exc.message
            store.remove("cat", rid)
    store.add("cat", Resource(id=f"last-{name}", title="t", url="https://example.org/", category="c"))
    print("done")
    """
)


def test_two_processes_on_the_same_bookmarks_never_fail(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    run_together(tmp_path, CONTENDED_WORKER, [[str(path), name] for name in ("p", "q")])
    with BookmarkStore.open(path) as store:
        assert {"last-p", "last-q"} <= store.ids("cat")
        assert store.ids("cat") <= {"last-p", "last-q", *(f"shared-{i}" for i in range(8))}
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# Adds bookmarks r<start>, r<start+1>, ... and prints each id once its commit returned. With a
# third argument N it SIGKILLs itself right after the N-th commit, before printing it: the exact
# moment that leaves a committed write nobody was told about.
KILL_WORKER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from ctdc_tui.core.bookmarks import BookmarkStore
    from ctdc_tui.core.catalog import Resource
    path, start = Path(sys.argv[1]), int(sys.argv[2])
    die_after = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    store = BookmarkStore.open(path)
    i = start
    while True:
        rid = f"r{i}"
        store.add("cat", Resource(id=rid, title=rid, url="https://example.org/" + rid, category="c"),
                  note="x" * (i % 700))
        if i - start + 1 == die_after:
            os.kill(os.getpid(), signal.SIGKILL)
        print(rid, flush=True)  # printed only after the commit returned
        i += 1
    """
)


def check_after_kill(path: Path, committed: list[str]) -> list[str]:
    """Open the store a killed writer left: every reported write is there, and at most one more
    (the write in flight when the signal came); returns ``committed`` with that one added, since
    it is committed now and later rounds must keep it too."""
    with BookmarkStore.open(path) as store:
        assert store.notices == []
        ids = store.ids("cat")
    assert set(committed) <= ids
    unreported = ids - set(committed)
    assert len(unreported) <= 1, unreported
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    return committed + sorted(unreported)


def test_sigkill_in_a_loop_of_writes_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    committed: list[str] = []
    for round_no, wait_for in enumerate((25, 60, 40)):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_WORKER, str(path), str(len(committed) + round_no * 1000)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        seen = 0
        while seen < wait_for:
            line = proc.stdout.readline()
            assert line, "the writer stopped before it was killed"
            committed.append(line.strip())
            seen += 1
        proc.send_signal(signal.SIGKILL)
        # Read the rest through the same file object: readline() may already hold later lines in
        # its buffer, which communicate(timeout=...) (reading the raw pipe) would never return.
        committed += proc.stdout.read().split()
        proc.stdout.close()
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        committed = check_after_kill(path, committed)


def test_writes_killed_before_they_were_reported_are_kept_round_after_round(tmp_path: Path) -> None:
    """Each writer dies right after a commit it never reported; every one of those is kept, and
    each round still allows (and finds) exactly one such write of its own."""
    path = tmp_path / "bookmarks.sqlite3"
    committed: list[str] = []
    for round_no, die_after in enumerate((3, 7, 1)):
        start = round_no * 1000
        proc = subprocess.run(
            [sys.executable, "-c", KILL_WORKER, str(path), str(start), str(die_after)],
            stdout=subprocess.PIPE,
            text=True,
            timeout=120,
        )
        assert proc.returncode == -signal.SIGKILL
        reported = proc.stdout.split()
        assert reported == [f"r{start + i}" for i in range(die_after - 1)]
        committed = check_after_kill(path, committed + reported)
        assert committed[-1] == f"r{start + die_after - 1}"  # the unreported commit survived
    assert len(committed) == 3 + 7 + 1


def test_damaged_file_is_moved_aside_and_a_fresh_store_starts(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    garbage = b"this is not an SQLite file at all\n" * 200
    path.write_bytes(garbage)
    store = BookmarkStore.open(path)
    try:
        assert len(store.notices) == 1
        notice = store.notices[0]
        asides = list(tmp_path.glob("bookmarks.sqlite3.damaged-*"))
        assert len(asides) == 1
        assert str(asides[0]) in notice and "damaged" in notice
        assert asides[0].read_bytes() == garbage  # nothing lost: the old file is kept as it was
        store.add(CAT, res("a"))
        assert store.ids(CAT) == {"a"}
    finally:
        store.close()
    with BookmarkStore.open(path) as again:
        assert again.notices == [] and again.ids(CAT) == {"a"}


def test_corrupted_pages_are_moved_aside_and_readable_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    with BookmarkStore.open(path) as store:
        for i in range(300):
            store.add(CAT, res(f"r{i}"), note="n" * 200)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > page * 6
    hit = data.index(b"Title r150")  # wreck the table page that holds this row
    start = hit - hit % page
    data[start : start + page] = b"\xff" * page
    path.write_bytes(bytes(data))
    before = digest(path)
    with BookmarkStore.open(path) as store:
        assert len(store.notices) == 1 and "moved aside" in store.notices[0]
        (aside,) = [p for p in tmp_path.glob("*.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
        assert digest(aside) == before
        kept = store.ids(CAT)
        # what lived on the wrecked page may be gone from the fresh store, but it stays in the
        # moved-aside file; the rest was carried over
        assert kept <= {f"r{i}" for i in range(300)}
        assert ("could still be read" in store.notices[0]) == bool(kept)
        assert "r150" not in kept
        assert len(kept) > 250  # the rows on the pages that were not touched


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    with BookmarkStore.open(path) as store:
        store.add(CAT, res("a"))
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = digest(path)
    with pytest.raises(CtdcError) as info:
        BookmarkStore.open(path)
    assert "newer version" in info.value.message and str(path) in info.value.message
    assert "upgrade" in info.value.hint
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists()


def test_data_folder_that_cannot_exist_opens_read_only(tmp_path: Path) -> None:
    blocker = tmp_path / "home"
    blocker.write_text("a file where the data folder should be")
    store = BookmarkStore.open(blocker / "data" / "bookmarks.sqlite3")
    assert store.read_only
    assert len(store.notices) == 1 and "read-only" in store.notices[0] and "CTDC_HOME" in store.notices[0]
    assert store.list(CAT) == []
    with pytest.raises(CtdcError) as info:
        store.add(CAT, res("a"))
    assert "cannot save bookmarks" in info.value.message
    assert "writable" in info.value.hint
    with pytest.raises(CtdcError):
        store.set_note(CAT, "a", "x")


READ_ONLY_PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from ctdc_tui.core.bookmarks import BookmarkStore
    from ctdc_tui.core.catalog import Resource
    from ctdc_tui.core.errors import CtdcError
    store = BookmarkStore.open(Path(sys.argv[1]))
    out = {"read_only": store.read_only, "notices": store.notices, "ids": sorted(store.ids("cat")),
           "notes": store.notes("cat")}
    try:
        store.add("cat", Resource(id="new", title="t", url="https://e.org", category="c"))
        out["error"] = None
    except CtdcError as exc:
        out["error"] = exc.message
        out["hint"] = exc.hint
    print(json.dumps(out))
    """
)


def _run_without_root(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` so that file permissions apply: as root, inside a user namespace
    (``unshare -U``) where root's override of permissions does not reach the real files."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root and `unshare` is missing: permissions cannot be enforced")
        probe = subprocess.run(["unshare", "-U", "true"], capture_output=True, check=False)
        if probe.returncode != 0:
            pytest.skip("running as root and user namespaces are not allowed: permissions cannot be enforced")
        prefix = ["unshare", "-U"]
    return subprocess.run(
        [*prefix, sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _run_in_read_only_folder(data: Path, *probes: tuple[str, Path]) -> list[subprocess.CompletedProcess[str]]:
    """Run each (script, store path) while ``data`` is read-only (restored after); the finished runs."""
    os.chmod(data, 0o555)
    try:
        return [_run_without_root(script, str(path)) for script, path in probes]
    finally:
        os.chmod(data, 0o755)


@pytest.mark.parametrize("existing", [True, False], ids=["with-store", "empty"])
def test_read_only_data_folder_shows_bookmarks_and_refuses_changes(tmp_path: Path, existing: bool) -> None:
    import json

    data = tmp_path / "data"
    data.mkdir()
    path = data / "bookmarks.sqlite3"
    if existing:
        with BookmarkStore.open(path) as store:
            store.add("cat", res("kept"), note="my note")
        for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert not leftover.exists()  # closed cleanly: checkpointed
        os.chmod(path, 0o444)
    (proc,) = _run_in_read_only_folder(data, (READ_ONLY_PROBE, path))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["read_only"] is True
    assert len(out["notices"]) == 1 and "read-only" in out["notices"][0]
    assert out["ids"] == (["kept"] if existing else [])
    if existing:
        assert out["notes"] == {"kept": "my note"}
    assert out["error"] and "cannot save bookmarks" in out["error"]
    assert not (data / "bookmarks.sqlite3-wal").exists()


def test_a_foreign_database_is_moved_aside_not_altered(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")  # somebody else's table of the same name
    conn.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    before = digest(path)
    with BookmarkStore.open(path) as store:
        assert len(store.notices) == 1 and "lacks column(s)" in store.notices[0]
        store.add(CAT, res("a"))
    (aside,) = [p for p in tmp_path.glob("*.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert digest(aside) == before


NEWER_PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ctdc_tui.core.bookmarks import BookmarkStore
    from ctdc_tui.core.errors import CtdcError
    try:
        BookmarkStore.open(Path(sys.argv[1]))
    except CtdcError as exc:
        print(exc.message)
    """
)


def test_newer_schema_in_a_read_only_folder_is_refused_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    path = data / "bookmarks.sqlite3"
    with BookmarkStore.open(path) as store:
        store.add(CAT, res("a"))
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    (proc,) = _run_in_read_only_folder(data, (NEWER_PROBE, path))
    assert proc.returncode == 0, proc.stderr
    assert "written by a newer version of ctdc-tui" in proc.stdout


# Commits two changes that live only in the -wal (no checkpoint), then starts a third change and
# SIGKILLs itself in the middle of it: the state a writer killed mid-transaction leaves.
WAL_KILL_WORKER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from ctdc_tui.core.bookmarks import BookmarkStore
    from ctdc_tui.core.catalog import Resource
    store = BookmarkStore.open(Path(sys.argv[1]))
    conn = store._conn
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    for rid in ("a", "b"):
        store.add("cat", Resource(id=rid, title=rid, url="https://example.org/" + rid, category="c"))
    store.set_note("cat", "a", "committed")
    b = Resource(id="b", title="b", url="https://example.org/b", category="c")
    store.add("cat", b, note="in the wal")  # adding again with a note replaces the note
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE bookmarks SET note = 'never committed'")
    conn.execute("DELETE FROM bookmarks WHERE resource_id = 'b'")
    os.kill(os.getpid(), signal.SIGKILL)
    """
)
WAL_ONLY_NOTES = {"a": "committed", "b": "in the wal"}
HEALTH_PROBE = (
    "import json, sys; from pathlib import Path; from ctdc_tui.core.bookmarks import check_bookmark_store; "
    "print(json.dumps(check_bookmark_store(Path(sys.argv[1]), 'cat')))"
)


def kill_writer_mid_transaction(path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", WAL_KILL_WORKER, str(path)], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert Path(f"{path}-wal").stat().st_size > 0  # the commits are in the -wal only
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    try:  # the main file alone does not even hold the table yet
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'bookmarks'").fetchall()
    finally:
        conn.close()


def test_wal_only_commits_of_a_writer_killed_mid_transaction_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    kill_writer_mid_transaction(path)
    with BookmarkStore.open(path) as store:
        assert store.notices == []  # a -wal left by a kill is normal, not damage
        assert store.notes("cat") == WAL_ONLY_NOTES
    assert not list(tmp_path.glob("*damaged*"))


@pytest.mark.parametrize("shm", [True, False], ids=["with-shm", "shm-gone"])
def test_read_only_folder_shows_wal_only_commits_a_killed_writer_left(tmp_path: Path, shm: bool) -> None:
    """SQLite cannot make a -shm in a read-only folder; the store must still be read through its
    -wal (never `immutable=1`, which skips it and showed no bookmarks at all)."""
    import json

    data = tmp_path / "data"
    data.mkdir()
    path = data / "bookmarks.sqlite3"
    kill_writer_mid_transaction(path)
    if not shm:
        Path(f"{path}-shm").unlink()
    before = {p.name: digest(p) for p in data.iterdir()}
    for p in data.iterdir():
        os.chmod(p, 0o444)
    proc, health = _run_in_read_only_folder(data, (READ_ONLY_PROBE, path), (HEALTH_PROBE, path))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["read_only"] is True
    assert out["notes"] == WAL_ONLY_NOTES
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout) | {"path": ""} == {  # `ctdc doctor` does not call it damaged
        "path": "",
        "status": "ok",
        "reason": "",
        "count": 2,
        "in_catalogue": 2,
    }
    assert out["error"] and "cannot save bookmarks" in out["error"]
    assert {p.name: digest(p) for p in data.iterdir()} == before  # nothing was written
    with BookmarkStore.open(path) as store:  # once writable again, the same commits are there
        assert store.notes("cat") == WAL_ONLY_NOTES
