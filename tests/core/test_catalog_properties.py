"""Property tests: over generated and mutated catalogues, load_catalog never raises, every Problem
is well-formed, and exactly the valid records load.

Modest example counts here (the default run stays fast); the adversarial suite scales this up.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctdc_tui.core.catalog import ID_PATTERN, Catalog, Problem, load_catalog

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
bad_ids = st.sampled_from(["Upper", "two words", "a--b", "-lead", "trail-", "", "ü-umlaut"])
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
good_urls = st.builds(lambda host, path: f"https://{host}.org/{path}", slugs, slugs)
bad_urls = st.sampled_from(
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://x.org",
        "www.x.org",
        "https://",
        "http://a b.org",
        "",
    ]
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=False), texts)
anything = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3)
)

field_values: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(slugs, slugs, bad_ids, anything),
    "title": st.one_of(texts, texts, anything),
    "url": st.one_of(good_urls, good_urls, bad_urls, anything),
    "year": st.one_of(st.integers(1990, 2030), anything),
    "tags": st.one_of(st.lists(slugs, max_size=4), anything),
    "authors": st.one_of(st.lists(texts, max_size=3), anything),
    "description": st.one_of(texts, anything),
    "alternate_urls": st.one_of(st.lists(st.one_of(good_urls, bad_urls), max_size=2), anything),
    "colour": anything,
}
records = st.one_of(
    st.fixed_dictionaries({}, optional=field_values),
    st.fixed_dictionaries(
        {"id": slugs, "title": st.just("T"), "url": good_urls},
        optional={k: v for k, v in field_values.items() if k not in ("id", "title", "url")},
    ),
    anything,
)
categories = st.lists(records, max_size=8)


def write(folder: Path, files: dict[str, list[Any]]) -> None:
    folder.mkdir()
    meta = {"title": "Generated", "categories": list(files)}
    (folder / "catalog.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    for cid, resources in files.items():
        doc = {"category": {"id": cid, "name": cid.title()}, "resources": resources}
        (folder / f"{cid}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def well_formed(catalog: Catalog, problems: list[Problem], folder: Path) -> None:
    names = {p.name for p in folder.iterdir()} | {str(folder)}
    for p in problems:
        assert p.severity in ("error", "warning")
        assert Path(p.file).name in names or p.file in names, p
        assert p.line is None or p.line >= 1
        assert p.message.strip() and isinstance(p.format(), str)
    for res in catalog:
        assert ID_PATTERN.match(res.id)
        assert isinstance(res.title, str) and res.title.strip() == res.title and res.title
        assert re.match(r"https?://[^/\s]+", res.url)
        assert res.year is None or (type(res.year) is int and 1000 <= res.year <= 9999)
        for value in (*res.tags, *res.authors, *res.organizations, *res.alternate_urls):
            assert isinstance(value, str) and value
        assert all(u.startswith(("http://", "https://")) for u in res.alternate_urls)


def expected_ids(resources: list[Any]) -> list[str]:
    """An independent oracle: the records a correct loader keeps (first of each id, required fields good)."""
    kept: list[str] = []
    for raw in resources:
        if not isinstance(raw, dict):
            continue
        rid, title, url = raw.get("id"), raw.get("title"), raw.get("url")
        if not (isinstance(rid, str) and ID_PATTERN.match(rid)):
            continue
        if not (isinstance(title, str) and title.strip()):
            continue
        if not (isinstance(url, str) and re.fullmatch(r"https?://[a-z0-9-]+\.org/[a-z0-9-]+", url.strip())):
            continue
        if rid in kept:
            continue
        kept.append(rid)
    return kept


@SETTINGS
@given(first=categories, second=categories)
def test_generated_catalogues_load_exactly_the_valid_records(first: list[Any], second: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cat"
        write(folder, {"alpha": first, "beta": second})
        catalog, problems = load_catalog(folder)
        well_formed(catalog, problems, folder)
        expected = expected_ids(first + second)
        assert list(catalog.resources) == expected
        # Every record that was left out is explained by an error in its file.
        if len(expected) < len(first) + len(second):
            assert any(p.severity == "error" for p in problems)
        if not any(p.severity == "error" for p in problems):
            assert len(expected) == len(first) + len(second)


BASE = {
    "alpha": [
        {"id": "one", "title": "One", "url": "https://example.org/1", "tags": ["a", "b"], "year": 2016},
        {"id": "two", "title": "Two", "url": "https://example.org/2", "description": "Some words here."},
    ],
    "beta": [{"id": "three", "title": "Three", "url": "https://example.org/3"}],
}


@SETTINGS
@given(
    data=st.data(),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["flip", "insert", "delete", "truncate"]),
            st.integers(0, 10**6),
            st.binary(max_size=4),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_bytes_never_make_the_loader_raise(
    data: st.DataObject, edits: list[tuple[str, int, bytes]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cat"
        write(folder, BASE)
        target = folder / data.draw(st.sampled_from(["catalog.yaml", "alpha.yaml", "beta.yaml"]))
        raw = bytearray(target.read_bytes())
        for kind, where, blob in edits:
            at = where % (len(raw) + 1)
            if kind == "flip" and raw:
                raw[at % len(raw)] ^= 0xFF
            elif kind == "insert":
                raw[at:at] = blob or b":"
            elif kind == "delete":
                del raw[at : at + 3]
            else:
                del raw[at:]
        target.write_bytes(bytes(raw))
        catalog, problems = load_catalog(folder)
        well_formed(catalog, problems, folder)
        if target.name != "beta.yaml":
            assert "three" in catalog.resources  # an untouched file still loads
        if target.name != "alpha.yaml":
            assert {"one", "two"} <= set(catalog.resources)


YAML_TOKENS = [
    "&a",
    "*a",
    "!!python/name:os.system",
    "!!str",
    "? ",
    "<<: ",
    "- ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "\t",
    "\n",
    "---\n",
    "%YAML 1.1\n",
    "|\n",
    ">-\n",
    "#",
    "\x1b",
]


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(YAML_TOKENS)), min_size=1, max_size=6))
def test_yaml_syntax_soup_never_makes_the_loader_raise(inserts: list[tuple[int, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cat"
        write(folder, BASE)
        target = folder / "alpha.yaml"
        text = target.read_text(encoding="utf-8")
        for where, token in inserts:
            at = where % (len(text) + 1)
            text = text[:at] + token + text[at:]
        target.write_text(text, encoding="utf-8")
        catalog, problems = load_catalog(folder)
        well_formed(catalog, problems, folder)
        assert "three" in catalog.resources
        try:
            parsed = yaml.load(text, Loader=SAFE_LOADER)  # what the catalogue uses: libyaml if present
        except yaml.YAMLError as exc:
            # safe_load refuses the file: the loader reports an error in it (with a line when YAML has one).
            hits = [p for p in problems if p.severity == "error" and Path(p.file).name == "alpha.yaml"]
            assert hits, exc
            if getattr(exc, "problem_mark", None) is not None:
                assert any(p.line is not None for p in hits)
        else:
            if not isinstance(parsed, dict):
                assert any(p.severity == "error" and Path(p.file).name == "alpha.yaml" for p in problems)


SCALARS = [
    *("2016", "0", "017", "0o17", "0x1F", "1_000", "1:30", "-5", "+7", "1e3", "1.5", ".inf", "-.Inf", ".NaN"),
    *("yes", "No", "TRUE", "off", "On", "null", "Null", "~", "", "y", "n", "nothing", "title", "tags"),
    *("2016-05-01", "2016-05-01 10:00:00", "2016-5-1", "<<", "=", "12:30:45", "0b101", "٣", "¹"),
]
scalar_texts = st.one_of(
    st.sampled_from(SCALARS),
    st.text(st.sampled_from("0123456789._:-+eExXoObB yYnNtTfF~"), max_size=8),
    st.text(max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(value=scalar_texts, style=st.sampled_from(["plain", "flow", "quoted"]))
def test_scalars_resolve_exactly_as_safe_load(value: str, style: str) -> None:
    """The loader builds values itself: a plain ``2016`` must be the int, ``yes`` True, ``"2016"`` text."""
    from ctdc_tui.core.catalog import Refused, _parse_yaml

    if style == "quoted":
        text = "k: " + json.dumps(value) + "\n"
    elif style == "flow":
        text = "k: [" + value + "]\n"
    else:
        text = "k: " + value + "\n"
    try:
        expected = yaml.load(text, Loader=SAFE_LOADER)
    except (yaml.YAMLError, ValueError, OverflowError):
        return  # not a valid scalar here; the syntax tests cover errors
    root, error = _parse_yaml(text, "x.yaml")
    assert error is None
    got = root["k"]
    if isinstance(got, Refused) or (isinstance(got, list) and any(isinstance(g, Refused) for g in got)):
        return  # a merge key or a tag-like value refused on purpose
    assert repr(got) == repr(expected["k"])  # repr: equal types and values, NaN included
