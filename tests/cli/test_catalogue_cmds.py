"""``ctdc validate``, ``list`` and ``show``: exit codes, the documented JSON, --data and CTDC_DATA."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ctdc_tui.cli import main

REPO = Path(__file__).resolve().parents[2]
BUNDLED_IDS = 15

RESOURCE_KEYS = {
    "id",
    "title",
    "title_full",
    "url",
    "alternate_urls",
    "category",
    "authors",
    "organizations",
    "publisher",
    "year",
    "kind",
    "tags",
    "description",
    "note",
}
PROBLEM_KEYS = {"severity", "file", "line", "column", "resource_id", "field", "message", "hint"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code, out, _ = run(capsys, *argv)
    return code, json.loads(out)


@pytest.fixture(autouse=True)
def _no_outside_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CTDC_DATA", raising=False)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "catalog.yaml").write_text("title: Small\ncategories: [things]\n", encoding="utf-8")
    (folder / "things.yaml").write_text(
        "category: {id: things, name: Things, summary: Some things.}\n"
        "resources:\n"
        "  - id: one\n"
        "    title: One\n"
        "    url: https://example.org/one\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def broken(small: Path) -> Path:
    (small / "things.yaml").write_text(
        "category: {id: things, name: Things}\n"
        "resources:\n"
        "  - id: one\n"
        "    title: One\n"
        "    url: https://example.org/one\n"
        "  - id: two\n"
        "    title: Two\n"
        "    url: javascript:alert(1)\n"
        "    year: twenty\n",
        encoding="utf-8",
    )
    return small


# ----------------------------------------------------------------------------- validate


def test_validate_bundled_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert (
        out.startswith("OK: ") and f"{BUNDLED_IDS} resources in 5 categories, 0 error(s), 0 warning(s)" in out
    )


def test_validate_bad_catalogue_exits_non_zero_and_names_file_line_field(
    capsys: pytest.CaptureFixture[str], broken: Path
) -> None:
    code, out, _ = run(capsys, "validate", "--data", str(broken))
    assert code == 1
    assert f"{broken / 'things.yaml'}:8: error: resource 'two', field 'url':" in out
    assert f"{broken / 'things.yaml'}:9: error: resource 'two', field 'year':" in out
    assert "Fix: " in out
    assert out.rstrip().splitlines()[-1].startswith("FAILED: ")


def test_validate_warnings_only_exits_zero(capsys: pytest.CaptureFixture[str], small: Path) -> None:
    text = (small / "things.yaml").read_text(encoding="utf-8") + "    colour: red\n"
    (small / "things.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "validate", "--data", str(small))
    assert code == 0
    assert "warning: resource 'one', field 'colour'" in out and "1 warning(s)" in out


def test_validate_json(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    code, doc = run_json(capsys, "validate", "--json", "--data", str(broken))
    assert code == 1
    assert set(doc) == {
        "version",
        "catalogue",
        "ok",
        "resources",
        "categories",
        "errors",
        "warnings",
        "problems",
    }
    assert (doc["version"], doc["ok"], doc["resources"], doc["categories"]) == (1, False, 1, 1)
    assert (doc["errors"], doc["warnings"]) == (2, 0)
    assert all(set(p) == PROBLEM_KEYS for p in doc["problems"])
    assert [(p["line"], p["field"], p["resource_id"]) for p in doc["problems"]] == [
        (8, "url", "two"),
        (9, "year", "two"),
    ]


def test_validate_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", "--data", str(tmp_path / "nope"))
    assert code == 1 and "does not exist" in out


# ----------------------------------------------------------------------------- list


def test_list_json_bundled(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, "list", "--json")
    assert code == 0
    assert set(doc) == {"version", "catalogue", "categories"}
    assert doc["version"] == 1
    assert set(doc["catalogue"]) == {"title", "description", "publishers", "year", "path"}
    assert doc["catalogue"]["title"] == "Civic Tech and Data Collaborative (CTDC) Toolkit"
    cats = doc["categories"]
    assert [c["id"] for c in cats][3] == "resourcing-collaboratives"
    assert all(set(c) == {"id", "name", "summary", "count", "file", "resources"} for c in cats)
    assert [c["count"] for c in cats] == [len(c["resources"]) for c in cats] == [3, 2, 8, 0, 2]
    resources = [r for c in cats for r in c["resources"]]
    assert len({r["id"] for r in resources}) == BUNDLED_IDS
    assert all(set(r) == RESOURCE_KEYS for r in resources)


def test_list_one_category(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, "list", "--category", "sustaining-the-gain", "--json")
    assert code == 0
    assert [c["id"] for c in doc["categories"]] == ["sustaining-the-gain"]
    code, out, _ = run(capsys, "list", "--category", "resourcing-collaboratives")
    assert code == 0 and "Resourcing Collaboratives (0)" in out and "(no resources yet)" in out


def test_list_unknown_category(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list", "--category", "nope")
    assert code == 1 and out == ""
    assert "no category 'nope'" in err and "ingredients" in err


def test_list_human(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out.startswith("Civic Tech and Data Collaborative (CTDC) Toolkit\n")
    assert "Mobilizing for Collective Action (8)" in out
    assert "cultivating-talent" in out and "Cultivating Talent — Center for Government Excellence" in out


def test_list_with_errors_lists_good_records_and_warns(
    capsys: pytest.CaptureFixture[str], broken: Path
) -> None:
    code, out, err = run(capsys, "list", "--data", str(broken))
    assert code == 0
    assert "one" in out and " two " not in out
    assert "2 error(s)" in err and "ctdc validate" in err


def test_list_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "list", "--json", "--data", str(tmp_path / "nope"))
    assert code == 1 and out == ""
    assert "does not exist" in err and "no catalogue could be loaded" in err


# ----------------------------------------------------------------------------- show


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, "show", "cultivating-talent", "--json")
    assert code == 0
    assert set(doc) == {"version", "resource"}
    res = doc["resource"]
    assert set(res) == RESOURCE_KEYS
    assert res["id"] == "cultivating-talent" and res["category"] == "mobilizing-for-collective-action"
    assert res["alternate_urls"] == ["https://govex.gitbook.io/cultivating-talent"]
    assert res["year"] == 2017 and res["publisher"] is None and res["title_full"] is None


def test_show_human(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "cutgroup-book")
    assert code == 0
    assert out.startswith("CUTGroup Book\n")
    assert "Link:          http://www.cutgroupbook.org/" in out
    assert "Category:      Engaging Low Income Residents" in out


def test_show_unknown_id_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "cultivating-talen")
    assert code == 1 and out == ""
    assert "no resource 'cultivating-talen'" in err and "did you mean cultivating-talent" in err


# ----------------------------------------------------------------------------- choosing the catalogue


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_option(capsys: pytest.CaptureFixture[str], small: Path, where: str) -> None:
    argv = (
        ["--data", str(small), "list", "--json"]
        if where == "before"
        else ["list", "--json", "--data", str(small)]
    )
    code, doc = run_json(capsys, *argv)
    assert code == 0
    assert doc["catalogue"]["title"] == "Small"
    assert [r["id"] for c in doc["categories"] for r in c["resources"]] == ["one"]


def test_ctdc_data_environment(
    capsys: pytest.CaptureFixture[str], small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTDC_DATA", str(small))
    code, doc = run_json(capsys, "show", "one", "--json")
    assert code == 0 and doc["resource"]["title"] == "One"
    # --data wins over CTDC_DATA.
    code, doc = run_json(capsys, "list", "--json", "--data", str(REPO / "data"))
    assert sum(c["count"] for c in doc["categories"]) == BUNDLED_IDS


# ----------------------------------------------------------------------------- text is data


def test_control_characters_are_shown_escaped_in_human_output_and_kept_in_json(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    (small / "things.yaml").write_text(
        'category: {id: things, name: "Th\\e]0;pwned\\a ings"}\n'
        "resources:\n"
        "  - id: one\n"
        '    title: "[bold]One[/bold] \\e[31mred\\e[0m"\n'
        "    url: https://example.org/one\n"
        '    description: "Line one.\\e[2J Wiped?"\n',
        encoding="utf-8",
    )
    for argv in (["list"], ["show", "one"]):
        code, out, _ = run(capsys, *argv, "--data", str(small))
        assert code == 0
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b" in out
    code, out, _ = run(capsys, "list", "--data", str(small))
    assert "[bold]One[/bold]" in out
    code, doc = run_json(capsys, "show", "one", "--json", "--data", str(small))
    assert doc["resource"]["title"] == "[bold]One[/bold] \x1b[31mred\x1b[0m"


def test_module_entry_point_with_environment(small: Path) -> None:
    env = {**os.environ, "CTDC_DATA": str(small)}
    proc = subprocess.run(
        [sys.executable, "-m", "ctdc_tui", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["catalogue"]["title"] == "Small"
