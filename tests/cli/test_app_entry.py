"""``ctdc`` with no command opens the app through a parser of the app's options only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ctdc_tui import cli
from ctdc_tui.tui import app as app_module


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run_app(catalogue: Path, index_dir: str | None, resource_id: str | None) -> int:
        calls.append({"catalogue": catalogue, "index_dir": index_dir, "resource_id": resource_id})
        return 0

    monkeypatch.setattr(app_module, "run_app", fake_run_app)
    return calls


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"index_dir": None, "resource_id": None}),
        (["--resource", "abc"], {"index_dir": None, "resource_id": "abc"}),
        (["--index-dir=/tmp/i", "--resource=abc"], {"index_dir": "/tmp/i", "resource_id": "abc"}),
        (["open", "abc"], {"index_dir": None, "resource_id": "abc"}),  # (the full parser)
    ],
)
def test_the_app_opens_with_its_options(
    opened: list[dict[str, Any]], argv: list[str], expected: dict[str, Any]
) -> None:
    assert cli.main(argv) == 0
    assert len(opened) == 1
    assert {k: opened[0][k] for k in expected} == expected


def test_data_names_the_catalogue(opened: list[dict[str, Any]], tmp_path: Path) -> None:
    assert cli.main(["--data", str(tmp_path)]) == 0
    assert Path(opened[0]["catalogue"]) == tmp_path


@pytest.mark.parametrize(
    ("argv", "fast"),
    [
        ([], True),
        (["--data", "x", "--index-dir", "y", "--resource", "z"], True),
        (["--data=x"], True),
        (["--data"], False),  # (the full parser says what is missing)
        (["--help"], False),
        (["--version"], False),
        (["list"], False),
        (["--data", "x", "search", "q"], False),
        (["--bogus"], False),
    ],
)
def test_only_the_app_options_take_the_short_way(argv: list[str], fast: bool) -> None:
    assert cli._opens_the_app(argv) is fast


def test_a_missing_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--resource"])
    assert exited.value.code == 2
    assert "--resource" in capsys.readouterr().err


def test_opening_the_app_does_not_import_the_other_commands() -> None:
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "import ctdc_tui.tui.app as app\n"
        "app.run_app = lambda catalogue, index_dir, resource_id: 0\n"
        "from ctdc_tui.cli import main\n"
        "assert main([]) == 0\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "ctdc_tui.cli.app_cmd" in loaded
    for name in ("catalogue_cmds", "search_cmds", "bookmark_cmds", "link_cmds", "doctor_cmd"):
        assert f"ctdc_tui.cli.{name}" not in loaded, f"`ctdc` imported ctdc_tui.cli.{name} to open the app"
