"""Index faults, seen from the command line: `ctdc search` recovers (rebuilds, falls back, or explains) and
loses nothing: it gives the same hits as a clean index, never a traceback, and the catalogue and the
bookmark store are left byte for byte as they were.

The core tests (tests/core/test_search_index.py) prove each mechanism on ``SearchIndex``; these
run the whole command. Read-only folders and a full disk are real: the command runs in a user
namespace (``unshare -U``) where root's permission override does not apply, and on a 64 KiB tmpfs
mounted inside a private mount namespace. Where the kernel refuses namespaces, those tests skip.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ctdc_tui.cli import main
from ctdc_tui.core import locations
from ctdc_tui.core.bookmarks import BookmarkStore
from tests.adversarial.sandbox import World, namespace_prefix, quote, run_cli, sh

REPO = Path(__file__).resolve().parents[2]
QUERIES = ["hiring", "brigade", "data"]


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The hits of a clean index, to compare every recovery against."""
    from ctdc_tui.core.search import SearchIndex

    with SearchIndex.open(REPO / "data", tmp_path_factory.mktemp("clean")) as index:
        return {q: list(index.search(q, limit=None).ids()) for q in QUERIES}


def search_in_process(world: World, capsys: pytest.CaptureFixture[str], query: str) -> tuple[list[str], str]:
    code = main(world.args("search", query, "--json", "--limit", "0"))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == 0, err
    return [hit["id"] for hit in json.loads(out)["results"]], err


def assert_recovered(world: World, capsys: pytest.CaptureFixture[str], baseline: dict[str, list[str]]) -> str:
    before = _snapshot(world.catalogue), _snapshot(world.home / "data")
    notices = ""
    for query in QUERIES:
        ids, err = search_in_process(world, capsys, query)
        assert ids == baseline[query], (query, err)
        notices += err
    assert (_snapshot(world.catalogue), _snapshot(world.home / "data")) == before
    with BookmarkStore.open() as store:
        saved = store.get(locations.catalogue_key(world.catalogue), "cutgroup-book")
        assert saved is not None and saved.note == "keep me"
    return notices


def _segments(place: Path) -> list[Path]:
    return sorted(place.glob("*.seg"))


def _tocs(place: Path) -> list[Path]:
    return sorted(place.glob("_MAIN_*.toc"))


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _each(paths: list[Path], action: Callable[[Path], object]) -> None:
    assert paths, "nothing to damage: the index layout changed"
    for path in paths:
        action(path)


def _manifest_wrong_count(place: Path) -> None:
    manifest = place / "ctdc-manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "resource_count": 999}))


def _stale_locks(place: Path) -> None:
    (place / "MAIN_WRITELOCK").write_text("stale")
    (place.parent / f".{place.name}.lock").write_text("4242")


def _leftover_half_build(place: Path) -> None:
    half = place.parent / f".{place.name}.build-dead"
    half.mkdir()
    (half / "_MAIN_1.toc").write_bytes(b"half")


def _folder_is_a_file(place: Path) -> None:
    shutil.rmtree(place)
    place.write_text("not a folder")


FAULTS: dict[str, Callable[[Path], None]] = {
    "deleted-segment": lambda place: _each(_segments(place), Path.unlink),
    "truncated-segment": lambda place: _each(_segments(place), lambda p: _truncate(p, 0.5)),
    "empty-segment": lambda place: _each(_segments(place), lambda p: _truncate(p, 0.0)),
    "truncated-toc": lambda place: _each(_tocs(place), lambda p: _truncate(p, 0.3)),
    "garbage-toc": lambda place: _each(_tocs(place), lambda p: p.write_bytes(os.urandom(300))),
    "deleted-toc": lambda place: _each(_tocs(place), Path.unlink),
    "garbage-manifest": lambda place: (place / "ctdc-manifest.json").write_bytes(b"\x00{not json") and None,
    "deleted-manifest": lambda place: (place / "ctdc-manifest.json").unlink(),
    "manifest-wrong-count": _manifest_wrong_count,
    "stale-locks": _stale_locks,
    "leftover-half-build": _leftover_half_build,
    "index-folder-is-a-file": _folder_is_a_file,
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_search_recovers_from_a_damaged_index(
    fault: str, world: World, capsys: pytest.CaptureFixture[str], baseline: dict[str, list[str]]
) -> None:
    assert main(world.args("index")) == 0
    capsys.readouterr()
    assert world.place.is_dir()
    FAULTS[fault](world.place)
    assert_recovered(world, capsys, baseline)
    # Recovered for good: the next run opens the index without rebuilding.
    code = main(world.args("index", "--check"))
    out, err = capsys.readouterr()
    assert code == 0, out + err


def test_search_when_the_first_build_hits_a_full_disk(
    world: World,
    capsys: pytest.CaptureFixture[str],
    baseline: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every file write under the index folder fails with ENOSPC: the index goes to the cache folder."""
    import builtins
    import errno

    real_open = builtins.open
    real_mkstemp = tempfile.mkstemp
    full = str(world.index_root)

    def failing_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if isinstance(file, str | os.PathLike) and str(file).startswith(full) and set(mode) & set("wax+"):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    def failing_mkstemp(*args: object, dir: object = None, **kwargs: object) -> tuple[int, str]:
        if dir is not None and str(dir).startswith(full):
            raise OSError(errno.ENOSPC, "No space left on device", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", failing_open)
    monkeypatch.setattr(tempfile, "mkstemp", failing_mkstemp)
    notices = assert_recovered(world, capsys, baseline)
    assert "No space left on device" in notices or str(world.index_root) in notices, notices


# --------------------------------------------------------------- real permissions, real full disk


def _hits(proc: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    return [hit["id"] for hit in json.loads(proc.stdout)["results"]]


def test_read_only_index_folder_with_a_fresh_index_still_answers(
    world: World, capsys: pytest.CaptureFixture[str], baseline: dict[str, list[str]]
) -> None:
    prefix = namespace_prefix("-U")
    assert main(world.args("index")) == 0
    capsys.readouterr()
    subprocess.run(["chmod", "-R", "a+rX,a-w", str(world.index_root)], check=True)
    before = _snapshot(world.index_root)
    proc = run_cli(world, prefix, *world.args("search", "brigade", "--json", "--limit", "0"))
    assert _hits(proc) == baseline["brigade"]
    assert _snapshot(world.index_root) == before


def test_read_only_index_folder_without_an_index_falls_back_to_the_cache(
    world: World, baseline: dict[str, list[str]]
) -> None:
    prefix = namespace_prefix("-U")
    world.index_root.mkdir(mode=0o555)
    world.index_root.chmod(0o555)
    proc = run_cli(world, prefix, *world.args("search", "brigade", "--json", "--limit", "0"))
    assert _hits(proc) == baseline["brigade"]
    assert str(world.index_root) in proc.stderr  # the user is told where it could not go
    assert any((world.home / "cache").rglob("ctdc-manifest.json"))


def test_nothing_writable_falls_back_to_memory(world: World, baseline: dict[str, list[str]]) -> None:
    prefix = namespace_prefix("-U")
    world.index_root.mkdir(mode=0o555)
    world.index_root.chmod(0o555)
    world.home.chmod(0o555)
    proc = run_cli(world, prefix, *world.args("search", "brigade", "--json", "--limit", "0"))
    assert _hits(proc) == baseline["brigade"]
    assert "memory" in proc.stderr


def test_full_disk_falls_back_and_leaves_no_half_index(world: World, baseline: dict[str, list[str]]) -> None:
    """The index folder is a 64 KiB tmpfs: the build fails part way; the cache folder takes over."""
    prefix = namespace_prefix("-U", "-r", "-m")
    world.index_root.mkdir()
    command = " ".join(
        map(quote, [sys.executable, "-m", "ctdc_tui", *world.args("search", "brigade", "--json")])
    )
    script = (
        f"mount -t tmpfs -o size=64k tmpfs {quote(str(world.index_root))} && "
        f"{command}; rc=$?; echo LEFT: >&2; ls -A {quote(str(world.index_root))} >&2; exit $rc"
    )
    proc = sh(world, prefix, script)
    assert _hits(proc) == baseline["brigade"][:20]
    assert "No space left on device" in proc.stderr or str(world.index_root) in proc.stderr.split("LEFT:")[0]
    left = proc.stderr.split("LEFT:")[1].split()
    assert not [name for name in left if ".build-" in name], left  # no half-built index left behind


def test_two_processes_starting_at_once_on_a_missing_index(
    world: World, baseline: dict[str, list[str]]
) -> None:
    argv = [sys.executable, "-m", "ctdc_tui", *world.args("search", "data", "--json", "--limit", "0")]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=world.env())
        for _ in range(3)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        done = subprocess.CompletedProcess(argv, proc.returncode, out, err)
        assert _hits(done) == baseline["data"]
    assert not list(world.index_root.glob(".*.build-*"))
    assert main(world.args("index", "--check")) == 0


@pytest.mark.parametrize("fault", ["garbage-toc", "deleted-segment", "manifest-wrong-count"])
async def test_the_app_recovers_from_a_damaged_index(
    fault: str, world: World, capsys: pytest.CaptureFixture[str], baseline: dict[str, list[str]]
) -> None:
    """The app, too, rebuilds a damaged index, says so, and shows every resource."""
    from ctdc_tui.tui.app import CtdcApp
    from tests.adversarial.test_display import settle

    assert main(world.args("index")) == 0
    capsys.readouterr()
    FAULTS[fault](world.place)
    app = CtdcApp(world.catalogue, str(world.index_root))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        assert app.index is not None and app.index.info.rebuilt
        assert any("rebuilding" in n for n in app.index.notices), app.index.notices
        assert [r.id for r in app.index.search("brigade", limit=None)] == baseline["brigade"]
        assert app.current_id() is not None
        messages = " ".join(str(n.message) for n in app._notifications)
        assert "rebuilding" in messages
        assert app.is_running
