"""`ctdc search` and `ctdc index`, through the real argument parser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ctdc_tui.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def opts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CTDC_INDEX_DIR", raising=False)
    monkeypatch.delenv("CTDC_DATA", raising=False)
    folder = tmp_path / "catalogue"
    shutil.copytree(REPO / "data", folder)
    return ["--data", str(folder), "--index-dir", str(tmp_path / "idx")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_shape(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "search", "data", "intermediary", "--json", *opts)
    assert code == 0
    doc = json.loads(out)
    assert doc["version"] == 1
    assert doc["query"] == "data intermediary"
    assert doc["results"][0]["id"] == "guide-to-starting-a-local-data-intermediary"
    first = doc["results"][0]
    assert isinstance(first["score"], float)
    title = first["highlights"]["title"]
    assert [title["text"][s:e] for s, e in title["spans"]] == ["Data", "Intermediary"]
    assert sum(doc["facets"].values()) == doc["total"]
    assert doc["suggestion"] is None and doc["fallback"] is False


def test_search_human_output_marks_matches(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "search", "backbone", *opts)
    assert code == 0
    assert "«Backbone»" in out
    assert "understanding-the-value-of-backbone-organizations-part-1" in out
    assert "By category:" in out


def test_search_suggestion_and_no_match_exit(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "search", "goverment", *opts)
    assert code == 1
    assert "Did you mean: government" in out
    code, out, _err = run(capsys, "search", "goverment", "--json", *opts)
    assert json.loads(out)["suggestion"] == "government"


def test_search_category_and_limit(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(
        capsys, "search", "data", "--category", "ingredients", "--limit", "1", "--json", *opts
    )
    doc = json.loads(out)
    assert code == 0
    assert len(doc["results"]) == 1
    assert doc["results"][0]["category"] == "ingredients"
    assert len(doc["facets"]) > 1


def test_unknown_category_is_a_clear_error(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "search", "data", "--category", "nope", *opts)
    assert code == 1
    assert "no category 'nope'" in err and "fix:" in err


def test_bad_limit_is_usage_error(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["search", "data", "--limit", "-3", *opts])
    assert caught.value.code == 2
    assert "positive" in capsys.readouterr().err


def test_hostile_query_never_tracebacks(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", '(( "year:..x is:wobbly \x1b[2J', *opts)
    assert code == 1
    assert "Traceback" not in out + err
    assert "\x1b" not in out


def test_index_reports_then_checks(opts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "index", "--json", *opts)
    first = json.loads(out)
    assert code == 0 and first["rebuilt"] is True and first["resources"] > 0
    code, out, _err = run(capsys, "index", "--json", *opts)
    again = json.loads(out)
    assert again["rebuilt"] is False and again["fingerprint"] == first["fingerprint"]
    code, out, _err = run(capsys, "index", "--check", *opts)
    assert code == 0 and out.startswith("OK:")
    code, out, _err = run(capsys, "index", "--rebuild", *opts)
    assert code == 0 and "built now" in out


def test_index_check_fails_on_missing_and_damaged(
    opts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "index", "--check", "--json", *opts)
    assert code == 1 and json.loads(out)["status"] == "missing"
    run(capsys, "index", *opts)
    code, out, _err = run(capsys, "index", "--json", *opts)
    location = Path(json.loads(out)["location"])
    for toc in location.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    code, out, _err = run(capsys, "index", "--check", *opts)
    assert code == 1 and out.startswith("DAMAGED:") and "ctdc index --rebuild" in out
