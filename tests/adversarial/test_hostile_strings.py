"""The hostile corpus, the loader keeping it as data, and the CLI never passing it raw to a terminal."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from ctdc_tui.cli import main
from ctdc_tui.core.catalog import load_catalog
from tests.adversarial.hostile_strings import HOSTILE, SURROGATES, TERMINAL_CONTROLS, Hostile

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def raw_controls(text: str) -> set[str]:
    """Characters in ``text`` that a terminal would act on (tab and newline are fine)."""
    return {ch for ch in text if ch in TERMINAL_CONTROLS or ch in BIDI_CONTROLS}


def test_corpus_is_large_and_well_formed() -> None:
    assert len(HOSTILE) >= 30
    names = [h.name for h in HOSTILE]
    assert len(set(names)) == len(names)
    for item in HOSTILE:
        assert item.visible is None or item.visible in item.value, item.name
        assert item.controls == bool(raw_controls(item.value)), item.name
    joined = "".join(h.value for h in HOSTILE)
    for needle in (
        "[@click=app.quit]",
        "[bold red]x[/]",
        "[link=file:///etc/passwd]x[/link]",
        "\x1b]52;",
        "\x1b]8;;",
    ):
        assert needle in joined
    assert any(len(h.value) >= 10_000 for h in HOSTILE)
    assert any(unicodedata.category(ch) == "Mn" for ch in joined)  # combining marks
    assert all(unicodedata.category(ch) == "Cs" for s in SURROGATES for ch in s if ord(ch) >= 0xD800)


def test_loader_keeps_every_hostile_record_as_data(
    hostile_catalogue: tuple[Path, dict[str, Hostile]],
) -> None:
    folder, carried = hostile_catalogue
    catalog, problems = load_catalog(folder)
    assert sorted(catalog.resources) == sorted(carried)
    for rid, item in carried.items():
        res = catalog.resources[rid]
        assert item.visible is not None
        assert item.visible in res.title, item.name
        assert item.visible in res.description, item.name
        if not item.controls and "\t" not in item.value:
            assert res.title == item.value, item.name
    errors = [p for p in problems if p.severity == "error"]
    assert errors == [], [p.format() for p in errors]


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("home")
def test_cli_list_and_show_print_hostile_text_literally_without_controls(
    hostile_catalogue: tuple[Path, dict[str, Hostile]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, carried = hostile_catalogue
    code, out, err = _run_cli(capsys, "list", "--data", str(folder))
    assert code == 0, err
    assert raw_controls(out + err) == set()
    for item in carried.values():
        if item.visible and len(item.value) < 1000:
            assert item.visible in out, item.name
    for rid, item in carried.items():
        code, out, err = _run_cli(capsys, "show", rid, "--data", str(folder))
        assert code == 0, err
        assert raw_controls(out + err) == set(), item.name
        assert item.visible is not None and item.visible in out, item.name


@pytest.mark.usefixtures("home")
def test_cli_json_carries_hostile_text_exactly(
    hostile_catalogue: tuple[Path, dict[str, Hostile]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, carried = hostile_catalogue
    code, out, err = _run_cli(capsys, "list", "--json", "--data", str(folder))
    assert code == 0, err
    assert "\x1b" not in out  # JSON escapes C0 controls, so ESC never appears raw
    payload = json.loads(out)
    titles = {r["id"]: r["title"] for c in payload["categories"] for r in c["resources"]}
    catalog, _ = load_catalog(folder)
    for rid in carried:
        assert titles[rid] == catalog.resources[rid].title


@pytest.mark.usefixtures("home")
def test_cli_validate_names_hostile_ids_without_passing_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad id made of escape sequences is reported, shown as escapes, and does not stop the good record."""
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "catalog.yaml").write_text("title: t\ncategories: [c]\n", encoding="utf-8")
    (folder / "c.yaml").write_text(
        "category: {id: c, name: C}\n"
        "resources:\n"
        '  - {id: "\\e]0;pwned\\a\\e[2J", title: "\\e[31mred", url: "https://example.org/a"}\n'
        '  - {id: good, title: "[@click=app.quit]", url: "https://example.org/b"}\n',
        encoding="utf-8",
    )
    catalog, problems = load_catalog(folder)
    assert "good" in catalog.resources
    assert any(p.severity == "error" and p.line == 3 for p in problems), [p.format() for p in problems]
    code, out, err = _run_cli(capsys, "validate", "--data", str(folder))
    assert code == 1
    assert raw_controls(out + err) == set()
    assert "c.yaml" in out + err
