"""load_catalog: every kind of bad input gives a Problem naming the file, line, resource and field.

Each test writes a small catalogue folder, damages one thing, and checks both that
the message points at the right place and that the good records still load.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ctdc_tui.core.catalog import Catalog, Problem, load_catalog

CATALOG = """\
title: Test catalogue
description: A small catalogue for tests.
publishers: [Test Org]
categories: [alpha, beta]
"""

ALPHA = """\
category:
  id: alpha
  name: Alpha
  summary: The first category.
resources:
  - id: first
    title: First
    url: https://example.org/first
    year: 2016
    tags: [one, two]
  - id: second
    title: Second
    url: http://example.org/second
"""

BETA = """\
category:
  id: beta
  name: Beta
resources:
  - id: third
    title: Third
    url: https://example.org/third
"""


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return folder


def catalogue(tmp_path: Path, **overrides: str | bytes) -> Path:
    """The good three-resource catalogue with some files replaced (name_yaml=... for name.yaml)."""
    files: dict[str, str | bytes] = {"catalog.yaml": CATALOG, "alpha.yaml": ALPHA, "beta.yaml": BETA}
    for key, value in overrides.items():
        files[key.replace("_yaml", ".yaml").replace("_", "-")] = value
    return write(tmp_path / "cat", files)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def only(problems: list[Problem], severity: str = "error") -> Problem:
    chosen = [p for p in problems if p.severity == severity]
    assert len(chosen) == 1, "\n".join(p.format() for p in problems)
    return chosen[0]


def assert_names(
    p: Problem, file: str, line: int | None, field: str | None, resource: str | None = None
) -> None:
    shown = p.format()
    assert Path(p.file).name == file, shown
    assert p.line == line, shown
    assert p.field == field, shown
    if line is not None:
        assert f"{file}:{line}" in shown
    if field is not None:
        assert f"field '{field}'" in shown
    if resource is not None:
        assert p.resource_id == resource, shown
        assert f"resource '{resource}'" in shown
    assert p.hint, shown
    assert "Fix:" in shown


def test_good_catalogue_loads_without_problems(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path))
    assert problems == []
    assert isinstance(catalog, Catalog)
    assert catalog.title == "Test catalogue"
    assert catalog.publishers == ("Test Org",)
    assert [c.id for c in catalog.categories] == ["alpha", "beta"]
    assert [r.id for r in catalog] == ["first", "second", "third"]
    assert [r.order for r in catalog] == [0, 1, 2]
    first = catalog.get("first")
    assert first is not None
    assert (first.year, first.tags, first.category) == (2016, ("one", "two"), "alpha")
    assert catalog.category("alpha") is not None
    assert catalog.categories[0].resource_ids == ("first", "second")
    assert catalog.categories[0].file == "alpha.yaml"
    assert [r.id for r in catalog.in_category("beta")] == ["third"]


def test_string_folder_is_accepted(tmp_path: Path) -> None:
    catalog, problems = load_catalog(str(catalogue(tmp_path)))
    assert problems == [] and len(catalog) == 3


# ----------------------------------------------------------------------------- YAML-level damage


def test_yaml_syntax_error_names_line_and_column_and_keeps_earlier_records(tmp_path: Path) -> None:
    bad = ALPHA + '  - id: broken\n    title: "never closed\n    url: https://example.org/x\n'
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=bad))
    syntax = [p for p in problems if "YAML syntax error" in p.message]
    assert len(syntax) == 1, [p.format() for p in problems]
    p = syntax[0]
    assert Path(p.file).name == "alpha.yaml"
    assert p.line is not None and p.column is not None
    assert f"alpha.yaml:{p.line}:{p.column}" in p.format()
    assert "line 15" in p.message  # where the unclosed quote began
    assert {"first", "second", "third"} <= set(catalog.resources)  # before the error, and other files
    assert "broken" not in catalog.resources
    cut = [q for q in problems if q.resource_id == "broken"]
    assert cut and cut[0].line == 14


def test_bad_indentation_is_a_syntax_error_with_a_line(tmp_path: Path) -> None:
    bad = "category: {id: alpha, name: Alpha}\nresources:\n  - id: a\n    title: A\n   url: https://x.org\n"
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=bad))
    p = next(p for p in problems if "YAML syntax error" in p.message)
    assert Path(p.file).name == "alpha.yaml" and p.line == 5 and p.column is not None
    # The record the error broke is refused with one message pointing at the error.
    cut = [q for q in problems if q is not p]
    assert [(q.resource_id, q.line) for q in cut] == [("a", 3)] and "cut off" in cut[0].message
    assert "third" in catalog.resources and "a" not in catalog.resources


def test_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml="- id: first\n  title: x\n"))
    p = only(problems)
    assert Path(p.file).name == "alpha.yaml" and p.line == 1
    assert "must be a YAML mapping" in p.message and "a list" in p.message
    assert "category:" in p.hint
    assert list(catalog.resources) == ["third"]
    assert [c.id for c in catalog.categories] == ["beta"]


def test_scalar_file(tmp_path: Path) -> None:
    _, problems = load_catalog(catalogue(tmp_path, beta_yaml="just some words\n"))
    p = only(problems)
    assert Path(p.file).name == "beta.yaml" and "text" in p.message


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=content))
    p = only(problems)
    assert Path(p.file).name == "beta.yaml" and p.line == 1
    assert "empty" in p.message
    assert set(catalog.resources) == {"first", "second"}


def test_non_utf8_bytes(tmp_path: Path) -> None:
    data = ALPHA.encode("utf-8").replace(b"title: Second", b"title: Caf\xe9 Second")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=data))
    p = only(problems)
    assert Path(p.file).name == "alpha.yaml"
    assert (p.line, p.column) == (12, 15)
    assert "UTF-8" in p.message and "0xe9" in p.message
    assert "iconv" in p.hint
    assert "third" in catalog.resources


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=b"\xef\xbb\xbf" + BETA.encode()))
    assert problems == [] and "third" in catalog.resources


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user"
)
def test_unreadable_file(tmp_path: Path) -> None:
    folder = catalogue(tmp_path)
    (folder / "beta.yaml").chmod(0)
    try:
        catalog, problems = load_catalog(folder)
    finally:
        (folder / "beta.yaml").chmod(0o644)
    p = only(problems)
    assert Path(p.file).name == "beta.yaml"
    assert "ermission" in p.message and "chmod" in p.hint
    assert set(catalog.resources) == {"first", "second"}


def test_unreadable_file_reported_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root can read a chmod-0 file, so simulate the refusal at the open() the loader uses."""
    folder = catalogue(tmp_path)
    real_open = open

    def fake_open(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith("beta.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", fake_open)
    catalog, problems = load_catalog(folder)
    p = only(problems)
    assert Path(p.file).name == "beta.yaml" and "Permission denied" in p.message
    assert "chmod" in p.hint
    assert set(catalog.resources) == {"first", "second"}


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = catalogue(tmp_path)
    (folder / "beta.yaml").unlink()
    (folder / "beta.yaml").mkdir()
    _, problems = load_catalog(folder)
    p = only(problems)
    assert Path(p.file).name == "beta.yaml" and "folder" in p.message


def test_two_documents_in_one_file(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=BETA + "---\n" + BETA))
    p = only(problems)
    assert Path(p.file).name == "beta.yaml" and p.line == 8
    assert "more than one YAML document" in p.message
    assert "third" in catalog.resources  # the first document still counts


# ----------------------------------------------------------------------------- unsafe YAML


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {sentinel}']",
        "!!python/object/new:subprocess.Popen [['touch', '{sentinel}']]",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!!set {{a: null}}",
        "!custom value",
    ],
)
def test_unsafe_tags_are_refused_and_never_run(tmp_path: Path, payload: str) -> None:
    sentinel = tmp_path / "pwned"
    bad = ALPHA.replace("    title: Second\n", f"    title: {payload.format(sentinel=sentinel)}\n")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=bad))
    assert not sentinel.exists()
    tagged = [p for p in errors(problems) if p.field == "title"]
    assert tagged, [p.format() for p in problems]
    assert_names(tagged[0], "alpha.yaml", 12, "title", "second")
    assert "tag" in tagged[0].message
    assert "second" not in catalog.resources
    assert {"first", "third"} <= set(catalog.resources)


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    lines = ["category: {id: beta, name: Beta}", 'x-lol0: &lol0 "lol"']
    for level in range(1, 12):
        lines.append(f"x-lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    lines += [
        "resources:",
        "  - id: boom",
        "    title: *lol11",
        "    url: https://example.org/boom",
        "  - id: third",
        "    title: Third",
        "    url: https://example.org/third",
    ]
    started = time.perf_counter()
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml="\n".join(lines) + "\n"))
    assert time.perf_counter() - started < 2
    bomb = [p for p in errors(problems) if p.resource_id == "boom" and p.field == "title"]
    assert bomb, [p.format() for p in problems]
    assert "alias bomb" in bomb[0].message and bomb[0].line == 16
    assert "boom" not in catalog.resources
    assert "third" in catalog.resources


def test_plain_aliases_are_allowed(tmp_path: Path) -> None:
    beta = BETA.replace("    title: Third\n", "    title: Third\n    tags: &shared [a, b]\n") + (
        "  - id: fourth\n    title: Fourth\n    url: https://example.org/4\n    tags: *shared\n"
    )
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    assert problems == []
    assert catalog.resources["fourth"].tags == ("a", "b")


def test_self_referencing_alias_is_refused(tmp_path: Path) -> None:
    beta = BETA.replace("    title: Third\n", "    title: Third\n    tags: &me [a, *me]\n")
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    p = next(p for p in errors(problems) if p.field == "tags")
    assert "refers to the list or mapping it is inside" in p.message and p.resource_id == "third"
    assert "third" not in catalog.resources


def test_undefined_alias(tmp_path: Path) -> None:
    beta = BETA.replace("    title: Third\n", "    title: *nowhere\n")
    _, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    (p,) = [q for q in problems if "*nowhere" in q.message]
    assert Path(p.file).name == "beta.yaml" and p.line == 6
    cut = [(q.resource_id, q.line, q.message) for q in problems if q is not p]
    assert cut == [("third", 5, "this resource is cut off by the YAML error at line 6; it is not loaded")]


@pytest.mark.parametrize(
    "deep",
    [
        "[" * 100_000 + "]" * 100_000,
        "\n      " + "- " * 5_000 + "x",
        "\n" + "".join(" " * (6 + i) + f"k{i}:\n" for i in range(60)),
    ],
    ids=["flow", "block-sequence", "block-mapping"],
)
def test_very_deep_nesting_is_refused(tmp_path: Path, deep: str) -> None:
    started = time.perf_counter()
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=BETA + "    note: " + deep + "\n"))
    assert time.perf_counter() - started < 5
    (p,) = [q for q in problems if "nest" in q.message]
    assert Path(p.file).name == "beta.yaml" and p.line is not None and p.line >= 8
    assert all(q.severity == "error" and Path(q.file).name == "beta.yaml" for q in problems)
    assert set(catalog.resources) == {"first", "second"}


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    beta = BETA.replace("    title: Third\n", "    title: Third\n    <<: {kind: guide}\n")
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    assert any("merge key" in p.message and p.line == 7 for p in errors(problems)), problems
    assert "third" not in catalog.resources


# ----------------------------------------------------------------------------- field checks


@pytest.mark.parametrize("missing", ["id", "title", "url"])
def test_missing_required_field(tmp_path: Path, missing: str) -> None:
    alpha = "\n".join(
        line
        for line in ALPHA.splitlines()
        if line.strip()
        != {
            "id": "- id: second",
            "title": "title: Second",
            "url": "url: http://example.org/second",
        }[missing]
    )
    if missing == "id":
        alpha = alpha.replace("    title: Second", "  - title: Second")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha + "\n"))
    p = only(problems)
    assert_names(p, "alpha.yaml", 11, missing, None if missing == "id" else "second")
    assert f"required field '{missing}' is missing" in p.message
    assert "second" not in catalog.resources
    assert {"first", "third"} <= set(catalog.resources)


def test_empty_required_field(tmp_path: Path) -> None:
    alpha = ALPHA.replace("title: Second", "title: '   '")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha))
    p = only(problems)
    assert_names(p, "alpha.yaml", 12, "title", "second")
    assert "is empty" in p.message
    assert "second" not in catalog.resources


def test_year_of_twenty(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=ALPHA.replace("2016", "twenty")))
    p = only(problems)
    assert_names(p, "alpha.yaml", 9, "year", "first")
    assert "'twenty'" in p.message
    # An optional field with a bad value is dropped; the record still loads (and validate fails).
    assert catalog.resources["first"].year is None


@pytest.mark.parametrize("value", ["true", "2016.5", "'2016'", "99999", "2016-05-01"])
def test_other_bad_years(tmp_path: Path, value: str) -> None:
    _, problems = load_catalog(catalogue(tmp_path, alpha_yaml=ALPHA.replace("2016", value)))
    assert_names(only(problems), "alpha.yaml", 9, "year", "first")


def test_tags_not_a_list(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=ALPHA.replace("[one, two]", "one, two")))
    p = only(problems)
    assert_names(p, "alpha.yaml", 10, "tags", "first")
    assert "must be a list" in p.message and "tags: [" in p.hint
    assert catalog.resources["first"].tags == ()


def test_list_item_of_wrong_type(tmp_path: Path) -> None:
    alpha = ALPHA.replace("[one, two]", "\n      - one\n      - {nested: map}")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha))
    p = only(problems)
    assert_names(p, "alpha.yaml", 12, "tags", "first")
    assert catalog.resources["first"].tags == ("one",)


@pytest.mark.parametrize("field", ["title", "description", "kind"])
def test_text_field_given_a_mapping(tmp_path: Path, field: str) -> None:
    alpha = ALPHA.replace("    year: 2016\n", f"    year: 2016\n    {field}: {{nested: [1, 2]}}\n")
    if field == "title":
        alpha = alpha.replace("    title: First\n", "")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha))
    p = only(problems)
    assert_names(p, "alpha.yaml", 9 if field == "title" else 10, field, "first")
    assert "must be text, not a mapping" in p.message
    assert ("first" in catalog.resources) is (field != "title")


def test_number_as_title_suggests_quotes(tmp_path: Path) -> None:
    _, problems = load_catalog(catalogue(tmp_path, beta_yaml=BETA.replace("title: Third", "title: 1984")))
    p = only(problems)
    assert_names(p, "beta.yaml", 6, "title", "third")
    assert 'title: "1984"' in p.hint


@pytest.mark.parametrize(
    ("bad_id", "why"),
    [
        ("Second", "not a valid id"),
        ("two words", "not a valid id"),
        ("a--b", "not a valid id"),
        ("-x", "not a valid id"),
    ],
)
def test_invalid_id(tmp_path: Path, bad_id: str, why: str) -> None:
    catalog, problems = load_catalog(
        catalogue(tmp_path, alpha_yaml=ALPHA.replace("id: second", f"id: '{bad_id}'"))
    )
    p = only(problems)
    assert_names(p, "alpha.yaml", 11, "id")
    assert why in p.message and "lowercase" in p.hint
    assert len(catalog) == 2


def test_numeric_id_suggests_quotes(tmp_path: Path) -> None:
    _, problems = load_catalog(catalogue(tmp_path, alpha_yaml=ALPHA.replace("id: second", "id: 2016")))
    p = only(problems)
    assert_names(p, "alpha.yaml", 11, "id")
    assert 'id: "2016"' in p.hint


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=BETA.replace("id: third", "id: first")))
    again, first = problems
    assert_names(again, "beta.yaml", 5, "id", "first")
    assert "alpha.yaml:6" in again.message and "not loaded" in again.message
    assert_names(first, "alpha.yaml", 6, "id", "first")  # the first definition gets one too
    assert "beta.yaml:5" in first.message
    assert catalog.resources["first"].category == "alpha"
    assert len(catalog) == 2


def test_duplicate_ids_in_one_file(tmp_path: Path) -> None:
    _, problems = load_catalog(catalogue(tmp_path, alpha_yaml=ALPHA.replace("id: second", "id: first")))
    assert [(Path(p.file).name, p.line, p.field, p.resource_id) for p in problems] == [
        ("alpha.yaml", 6, "id", "first"),
        ("alpha.yaml", 11, "id", "first"),
    ]
    assert "used again at" in problems[0].message and "alpha.yaml:11" in problems[0].message
    assert "alpha.yaml:6" in problems[1].message and "not loaded" in problems[1].message


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)", "'javascript:'"),
        ("file:///etc/passwd", "'file:'"),
        ("ftp://example.org/x", "'ftp:'"),
        ("www.example.org/x", "no http:// or https://"),
        ("https://", "no host name"),
        ("'https://exa mple.org'", "spaces"),
    ],
)
def test_bad_url(tmp_path: Path, url: str, why: str) -> None:
    catalog, problems = load_catalog(
        catalogue(tmp_path, alpha_yaml=ALPHA.replace("http://example.org/second", url))
    )
    p = only(problems)
    assert_names(p, "alpha.yaml", 13, "url", "second")
    assert why in p.message
    assert "second" not in catalog.resources


def test_url_without_scheme_gets_a_concrete_hint(tmp_path: Path) -> None:
    alpha = ALPHA.replace("http://example.org/second", "www.example.org/x")
    _, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha))
    assert "https://www.example.org/x" in only(problems).hint


def test_bad_alternate_url_is_dropped_and_reported(tmp_path: Path) -> None:
    alpha = ALPHA.replace(
        "    year: 2016\n", "    year: 2016\n    alternate_urls: [https://ok.org, 'file:///x']\n"
    )
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha))
    p = only(problems)
    assert_names(p, "alpha.yaml", 10, "alternate_urls", "first")
    assert catalog.resources["first"].alternate_urls == ("https://ok.org",)


def test_unknown_key_is_a_warning(tmp_path: Path) -> None:
    alpha = ALPHA.replace("    year: 2016\n", "    year: 2016\n    tag: [typo]\n")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha))
    assert errors(problems) == []
    p = only(problems, "warning")
    assert_names(p, "alpha.yaml", 10, "tag", "first")
    assert "did you mean 'tags'" in p.hint
    assert "first" in catalog.resources


def test_duplicate_key_is_a_warning(tmp_path: Path) -> None:
    alpha = ALPHA.replace("    year: 2016\n", "    year: 2016\n    title: Again\n")
    catalog, problems = load_catalog(catalogue(tmp_path, alpha_yaml=alpha))
    p = only(problems, "warning")
    assert_names(p, "alpha.yaml", 10, "title", "first")
    assert "line 7" in p.message
    assert catalog.resources["first"].title == "Again"


def test_resource_that_is_not_a_mapping(tmp_path: Path) -> None:
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=BETA + "  - just a string\n"))
    p = only(problems)
    assert Path(p.file).name == "beta.yaml" and p.line == 8
    assert "must be a mapping" in p.message
    assert "third" in catalog.resources


def test_resources_not_a_list(tmp_path: Path) -> None:
    beta = "category: {id: beta, name: Beta}\nresources:\n  not: a list\n"
    _, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    assert_names(only(problems), "beta.yaml", 2, "resources")


def test_missing_category_block(tmp_path: Path) -> None:
    beta = "resources:\n  - id: third\n    title: Third\n    url: https://example.org/third\n"
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    assert_names(only(problems), "beta.yaml", 1, "category")
    # The file name gives the id, so its resources still load.
    assert catalog.resources["third"].category == "beta"


def test_category_id_invalid(tmp_path: Path) -> None:
    beta = BETA.replace("id: beta", "id: Beta Things")
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    assert_names(only(problems), "beta.yaml", 2, "category.id")
    assert catalog.resources["third"].category == "beta"


# ----------------------------------------------------------------------------- folder-level checks


def test_missing_folder(tmp_path: Path) -> None:
    catalog, problems = load_catalog(tmp_path / "nowhere")
    p = only(problems)
    assert p.file == str(tmp_path / "nowhere") and "does not exist" in p.message
    assert "--data" in p.hint
    assert len(catalog) == 0


def test_folder_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    _, problems = load_catalog(tmp_path / "file")
    assert "not a folder" in only(problems).message


def test_missing_catalog_yaml_still_loads_category_files(tmp_path: Path) -> None:
    folder = catalogue(tmp_path)
    (folder / "catalog.yaml").unlink()
    catalog, problems = load_catalog(folder)
    p = only(problems)
    assert Path(p.file).name == "catalog.yaml" and "missing" in p.message
    assert [c.id for c in catalog.categories] == ["alpha", "beta"]  # file-name order
    assert len(catalog) == 3
    assert catalog.title == "cat"


def test_listed_category_without_file_is_an_error(tmp_path: Path) -> None:
    meta = CATALOG.replace("[alpha, beta]", "[alpha, ghost, beta]")
    catalog, problems = load_catalog(catalogue(tmp_path, catalog_yaml=meta))
    p = only(problems)
    assert_names(p, "catalog.yaml", 4, "categories")
    assert "ghost" in p.message and "ghost.yaml" in p.hint
    assert [c.id for c in catalog.categories] == ["alpha", "beta"]


def test_unlisted_file_is_a_warning_and_loads_last(tmp_path: Path) -> None:
    gamma = (
        "category: {id: gamma, name: Gamma}\nresources:\n  - id: g\n    title: G\n    url: https://g.org\n"
    )
    folder = catalogue(tmp_path, aardvark_yaml=gamma.replace("gamma", "aardvark"))
    catalog, problems = load_catalog(folder)
    p = only(problems, "warning")
    assert Path(p.file).name == "aardvark.yaml" and p.field == "categories"
    assert "not listed" in p.message and "aardvark" in p.hint
    assert errors(problems) == []
    assert [c.id for c in catalog.categories] == ["alpha", "beta", "aardvark"]


def test_category_order_follows_catalog_yaml(tmp_path: Path) -> None:
    catalog, problems = load_catalog(
        catalogue(tmp_path, catalog_yaml=CATALOG.replace("[alpha, beta]", "[beta, alpha]"))
    )
    assert problems == []
    assert [c.id for c in catalog.categories] == ["beta", "alpha"]
    assert [r.id for r in catalog] == ["third", "first", "second"]
    assert [r.order for r in catalog] == [0, 1, 2]


def test_catalog_yaml_unknown_key_and_bad_categories(tmp_path: Path) -> None:
    meta = "title: T\ncolour: blue\ncategories: alpha\n"
    catalog, problems = load_catalog(catalogue(tmp_path, catalog_yaml=meta))
    warning = only(problems, "warning")
    assert_names(warning, "catalog.yaml", 2, "colour")
    error = only(problems, "error")
    assert_names(error, "catalog.yaml", 3, "categories")
    assert len(catalog) == 3  # the files still load, in name order


def test_hidden_and_other_files_are_ignored(tmp_path: Path) -> None:
    folder = catalogue(tmp_path, **{".hidden_yaml": "- not: loaded\n"})
    (folder / "README.md").write_text("# notes\n")
    (folder / "alpha.yaml.swp").write_bytes(b"\x00\xff")
    catalog, problems = load_catalog(folder)
    assert problems == [] and len(catalog) == 3


def test_problem_json_shape(tmp_path: Path) -> None:
    _, problems = load_catalog(catalogue(tmp_path, alpha_yaml=ALPHA.replace("2016", "twenty")))
    assert only(problems).to_json() == {
        "severity": "error",
        "file": str(tmp_path / "cat" / "alpha.yaml"),
        "line": 9,
        "column": None,
        "resource_id": "first",
        "field": "year",
        "message": "'year' must be a four-digit year such as 2016, not 'twenty'",
        "hint": "write the year as digits without quotes, or remove the line",
    }


def test_many_bad_records_each_reported_and_good_ones_kept(tmp_path: Path) -> None:
    rows = []
    for i in range(200):
        url = "javascript:void(0)" if i % 3 == 0 else f"https://example.org/{i}"
        rows.append(f"  - id: r{i}\n    title: R{i}\n    url: {url}\n")
    beta = "category: {id: beta, name: Beta}\nresources:\n" + "".join(rows)
    catalog, problems = load_catalog(catalogue(tmp_path, beta_yaml=beta))
    bad = [p for p in problems if p.field == "url"]
    assert len(bad) == 67
    assert {p.resource_id for p in bad} == {f"r{i}" for i in range(0, 200, 3)}
    assert all(p.line == 5 + 3 * int(str(p.resource_id)[1:]) for p in bad)
    assert len(catalog) == 3 - 1 + 133
