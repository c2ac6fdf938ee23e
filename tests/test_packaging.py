"""The built wheel carries the bundled catalogue: installed into a fresh virtual environment, run from
another folder, ``ctdc list --json`` shows all 15 toolkit resources.

How (the fastest way that still tests a real, non-editable install):

1. ``pip wheel . --no-deps`` builds the wheel with the project's own backend (hatchling, fetched by
   pip's build isolation on the first run, then cached).
2. ``python -m venv --without-pip`` makes an empty environment (no ensurepip: seconds faster), and
   ``pip --python NEW install --no-deps --no-index WHEEL`` installs the wheel alone into it.
3. The runtime dependencies (textual, pyyaml, whoosh, ...) are not downloaded again: a ``.pth`` file
   points the new environment at this environment's site-packages, *after* its own. Only the wheel
   provides ``ctdc_tui`` there (this environment's editable hook is a ``.pth`` file inside a folder
   that is merely appended, which Python does not process), and the test checks that the imported
   package really lives in the new environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.test_bundled_data import IDS as BUNDLED_IDS

REPO = Path(__file__).resolve().parents[1]
EXPECTED_FILES = {
    "catalog.yaml",
    "ingredients.yaml",
    "engaging-low-income-residents.yaml",
    "mobilizing-for-collective-action.yaml",
    "resourcing-collaboratives.yaml",
    "sustaining-the-gain.yaml",
}
EXPECTED_IDS = {rid for ids in BUNDLED_IDS.values() for rid in ids}

pytestmark = pytest.mark.slow


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{argv} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)])
    (built,) = out.glob("ctdc_tui-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
    )
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
    ).stdout.strip()
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(purelib) / "_ctdc_test_dependencies.pth").write_text(
        "\n".join(sorted(ours)) + "\n", encoding="utf-8"
    )
    return root


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CTDC_DATA", "PYTHONPATH", "CTDC_INDEX_DIR")}
    env["CTDC_HOME"] = str(tmp / "home")
    return env


def test_wheel_contains_the_catalogue_and_no_tests(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/", 2)[2] for n in names if n.startswith("ctdc_tui/data/")} == EXPECTED_FILES
    assert not [n for n in names if n.startswith(("tests/", "data/"))]
    for name in EXPECTED_FILES:
        assert zipfile.ZipFile(wheel).read(f"ctdc_tui/data/{name}") == (REPO / "data" / name).read_bytes()


def test_installed_ctdc_lists_the_bundled_catalogue_from_another_folder(venv: Path, tmp_path: Path) -> None:
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _clean_env(tmp_path)
    where = _run(
        [str(bindir / "python"), "-c", "import ctdc_tui.core.locations as l; print(l.bundled_catalogue())"],
        cwd=elsewhere,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), f"ctdc_tui came from {where}, not the installed wheel"
    assert not Path(where).is_relative_to(REPO)

    proc = _run([str(bindir / "ctdc"), "list", "--json"], cwd=elsewhere, env=env)
    doc = json.loads(proc.stdout)
    assert doc["catalogue"]["path"] == where
    ids = [r["id"] for c in doc["categories"] for r in c["resources"]]
    assert len(ids) == 15 and set(ids) == EXPECTED_IDS
    assert [c["id"] for c in doc["categories"]][3] == "resourcing-collaboratives"

    proc = _run([str(bindir / "ctdc"), "validate"], cwd=elsewhere, env=env)
    assert proc.stdout.startswith("OK: ")
