"""The bundled CTDC Toolkit catalogue (``data/``): complete, clean, in order, and written fresh."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ctdc_tui.core import locations
from ctdc_tui.core.catalog import Resource, load_catalog

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SHARED = REPO.parent / "shared"
FACTS = SHARED / "toolkit" / "facts.yaml"
SEED = SHARED / "seed"

CATEGORIES = [
    ("ingredients", "Ingredients of a Civic Tech and Data Collaborative"),
    ("engaging-low-income-residents", "Engaging Low Income Residents"),
    ("mobilizing-for-collective-action", "Mobilizing for Collective Action"),
    ("resourcing-collaboratives", "Resourcing Collaboratives"),
    ("sustaining-the-gain", "Sustaining the Gain"),
]

# Bookmarks refer to these ids: they never change.
IDS = {
    "ingredients": [
        "equipt-to-innovate-framework",
        "brigade-organizer-resources",
        "guide-to-starting-a-local-data-intermediary",
    ],
    "engaging-low-income-residents": ["accelerating-public-engagement-roadmap", "cutgroup-book"],
    "mobilizing-for-collective-action": [
        "when-to-apply-collective-impact",
        "cultivating-talent",
        "understanding-the-value-of-backbone-organizations-part-1",
        "cross-sector-partnership-assessment",
        "ten-hacks-from-code-for-america-to-help-you-hire",
        "how-civic-tech-volunteers-should-engage-government-staff",
        "nnip-partners-and-local-governments-work-together",
        "playing-to-win-kansas-city-playbook",
    ],
    "resourcing-collaboratives": [],
    "sustaining-the-gain": [
        "connecting-to-change-the-world",
        "results-based-accountability-the-road-to-better-results",
    ],
}

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """Split prose into sentences (the bundled prose avoids abbreviations with inner full stops)."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def test_bundled_catalogue_is_found_and_validates_without_any_problem() -> None:
    assert locations.bundled_catalogue().resolve() == DATA.resolve()
    catalog, problems = load_catalog(DATA)
    assert [p.format() for p in problems] == []
    assert len(catalog) == 15


def test_catalogue_metadata() -> None:
    catalog, _ = load_catalog(DATA)
    assert catalog.title == "Civic Tech and Data Collaborative (CTDC) Toolkit"
    assert catalog.publishers == (
        "Living Cities",
        "National Neighborhood Indicators Partnership",
        "Code for America",
    )
    assert catalog.year == 2018
    assert len(sentences(catalog.description)) >= 2


def test_categories_in_toolkit_order_with_their_resources_in_order() -> None:
    catalog, _ = load_catalog(DATA)
    assert [(c.id, c.name) for c in catalog.categories] == CATEGORIES
    for category in catalog.categories:
        assert list(category.resource_ids) == IDS[category.id], category.id
        assert category.file == f"{category.id}.yaml"
        assert 1 <= len(sentences(category.summary)) <= 3, category.id
    assert [r.order for r in catalog] == list(range(15))


def test_resourcing_collaboratives_is_kept_empty_with_a_summary() -> None:
    catalog, _ = load_catalog(DATA)
    category = catalog.category("resourcing-collaboratives")
    assert category is not None and category.resource_ids == ()
    assert "no resources" in category.summary.lower()


@pytest.mark.parametrize("rid", [rid for ids in IDS.values() for rid in ids])
def test_every_resource_is_complete_with_a_fresh_two_to_four_sentence_description(rid: str) -> None:
    catalog, _ = load_catalog(DATA)
    res = catalog.get(rid)
    assert isinstance(res, Resource)
    assert res.title and res.url.startswith(("http://", "https://"))
    assert res.organizations or res.authors
    assert res.year is not None and 2010 <= res.year <= 2018
    assert res.kind in {
        "framework",
        "toolkit",
        "guide",
        "book",
        "article",
        "assessment",
        "playbook",
        "report",
    }
    assert 3 <= len(res.tags) <= 6 and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", t) for t in res.tags)
    parts = sentences(res.description)
    assert 2 <= len(parts) <= 4, parts
    assert all(len(words(p)) >= 6 for p in parts), parts


def test_known_link_problems_are_kept_as_data() -> None:
    catalog, _ = load_catalog(DATA)
    r = catalog.resources
    assert r["cultivating-talent"].alternate_urls == ("https://govex.gitbook.io/cultivating-talent",)
    assert "gitbook.com" in r["cultivating-talent"].url
    assert r["brigade-organizer-resources"].alternate_urls == (
        "https://github.com/codeforamerica/brigade-knowledge",
    )
    assert "retail" in r["connecting-to-change-the-world"].note
    assert (
        "/blog/644-" in r["when-to-apply-collective-impact"].url and r["when-to-apply-collective-impact"].note
    )
    assert "cutgroupbook.org" in r["cutgroup-book"].note
    assert "2012" in r["playing-to-win-kansas-city-playbook"].note
    assert "Improving Public Decisionmaking" in r["nnip-partners-and-local-governments-work-together"].note
    aecf = r["results-based-accountability-the-road-to-better-results"]
    assert "raod" in aecf.url and "raod" in aecf.note


# ----------------------------------------------------------------------------- against the shared facts


def _facts() -> dict[str, Any]:
    if not FACTS.is_file():
        pytest.skip(f"the shared facts file is missing: {FACTS}")
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    assert isinstance(facts, dict)
    return facts


def test_ids_titles_urls_and_years_match_the_facts() -> None:
    facts = _facts()
    catalog, _ = load_catalog(DATA)
    assert [c["id"] for c in facts["categories"]] == [c.id for c in catalog.categories]
    for fcat in facts["categories"]:
        assert [r["id"] for r in fcat["resources"]] == IDS[fcat["id"]]
        for fres in fcat["resources"]:
            res = catalog.resources[fres["id"]]
            assert res.title == fres["title"]
            assert res.url == fres["url"]
            assert res.year == fres["year"]
            assert res.kind == fres["kind"]
            assert list(res.tags) == fres["tags"]
            assert list(res.authors) == fres["authors"]
            assert list(res.organizations) == fres["organizations"]
            assert res.title_full == fres.get("title_full", "")
            if "publisher" in fres:
                assert res.publisher == fres["publisher"]
            if "url_current_candidate" in fres:
                assert fres["url_current_candidate"] in res.alternate_urls


def _prose_in_data() -> str:
    """Every sentence of prose the project wrote in data/ (descriptions, notes, summaries)."""
    parts: list[str] = []
    for path in sorted(DATA.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "category" in doc:
            parts.append(doc["category"].get("summary", ""))
            for res in doc["resources"] or []:
                parts += [res.get("description", ""), res.get("note", "")]
        else:
            parts.append(doc.get("description", ""))
    return " \n ".join(parts)


def _source_sentences() -> tuple[list[str], set[str]]:
    """Sentences of the seed pages and the facts' own wording; plus the names and titles (facts)."""
    facts = _facts()
    seeds = sorted(SEED.glob("*.txt")) if SEED.is_dir() else []
    if not seeds:
        pytest.skip(f"the shared seed folder is missing or empty: {SEED}")
    found: list[str] = []
    for seed in seeds:
        for line in seed.read_text(encoding="utf-8").splitlines():
            found += sentences(line)
    names: set[str] = set()
    points = list(facts["toolkit"]["summary_points"])
    for fcat in facts["categories"]:
        points += fcat["summary_points"]
        names.add(fcat["name"])
        for fres in fcat["resources"]:
            points += fres["key_points"]
            points += sentences(fres.get("notes", ""))
            names.update(
                [fres["title"], fres.get("title_full", ""), *fres["authors"], *fres["organizations"]]
            )
            names.update(re.findall(r'"([^"]+)"', fres.get("notes", "")))  # other titles, quoted
    return found + points, {n for n in names if n}


def test_no_sentence_of_the_seed_or_the_facts_appears_in_data() -> None:
    source, _ = _source_sentences()
    prose = " ".join(words(_prose_in_data()))
    copied = [s for s in source if len(words(s)) >= 5 and " ".join(words(s)) in prose]
    assert copied == []


def test_no_run_of_eight_words_is_shared_with_the_sources_except_names_and_titles() -> None:
    source, names = _source_sentences()

    def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
        w = words(text)
        return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}

    allowed = set().union(*(shingles(n) for n in names))
    shared = set().union(*(shingles(s) for s in source)) & shingles(_prose_in_data())
    assert sorted(" ".join(s) for s in shared - allowed) == []
