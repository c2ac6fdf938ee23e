"""Relevance, the query language, highlights, facets, suggestions, related, and no query ever raising."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctdc_tui.core.search import Results, SearchIndex

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    root = tmp_path_factory.mktemp("search")
    folder = root / "catalogue"
    shutil.copytree(REPO / "data", folder)
    mp = pytest.MonkeyPatch()
    mp.setenv("CTDC_HOME", str(root / "home"))
    with SearchIndex.open(folder, root / "idx") as opened:
        yield opened
    mp.undo()


def ids(results: Results) -> list[str]:
    return [r.id for r in results]


# ------------------------------------------------------------------ relevance


@pytest.mark.parametrize(
    ("query", "expected_top"),
    [
        ("hiring", {"ten-hacks-from-code-for-america-to-help-you-hire", "cultivating-talent"}),
        ("backbone", {"understanding-the-value-of-backbone-organizations-part-1"}),
        ("data intermediary", {"guide-to-starting-a-local-data-intermediary"}),
        ("brigade organizer", {"brigade-organizer-resources"}),
        ("collective impact", {"when-to-apply-collective-impact"}),
        ("CUTGroup", {"cutgroup-book"}),
        ("Kansas City playbook", {"playing-to-win-kansas-city-playbook"}),
    ],
)
def test_obvious_answers_rank_first(index: SearchIndex, query: str, expected_top: set[str]) -> None:
    found = ids(index.search(query))
    assert found, query
    assert set(found[: len(expected_top)]) == expected_top


def test_case_and_accents_fold(index: SearchIndex) -> None:
    assert ids(index.search("BACKBONE")) == ids(index.search("backbone"))
    assert ids(index.search("bäckbóne")) == ids(index.search("backbone"))


def test_stemming_matches_other_forms(index: SearchIndex) -> None:
    assert "ten-hacks-from-code-for-america-to-help-you-hire" in ids(index.search("hires"))


def test_scores_are_descending(index: SearchIndex) -> None:
    results = index.search("data")
    scores = [results.score(i) for i in range(len(results))]
    assert all(s is not None for s in scores)
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


# ------------------------------------------------------------- query language


def test_all_words_required_then_any_word_fallback(index: SearchIndex) -> None:
    strict = index.search("backbone hiring")
    assert strict.fallback
    assert set(ids(strict)) >= {
        "understanding-the-value-of-backbone-organizations-part-1",
        "ten-hacks-from-code-for-america-to-help-you-hire",
    }
    both = index.search("data intermediary")
    assert not both.fallback
    for res in both:
        text = f"{res.title} {res.description} {' '.join(res.tags)}".lower()
        assert "data" in text and "intermediar" in text


def test_phrase(index: SearchIndex) -> None:
    hits = index.search('"data intermediary"')
    assert "guide-to-starting-a-local-data-intermediary" in ids(hits)
    assert ids(index.search('"intermediary data guide"')) == []


def test_not_and_minus(index: SearchIndex) -> None:
    everything = set(ids(index.search("data")))
    without = set(ids(index.search("data -intermediary")))
    also_without = set(ids(index.search("data NOT intermediary")))
    assert without == also_without
    assert without < everything
    assert "guide-to-starting-a-local-data-intermediary" not in without


def test_or_and_parentheses(index: SearchIndex) -> None:
    either = set(ids(index.search("(backbone OR brigade)")))
    assert either == set(ids(index.search("backbone"))) | set(ids(index.search("brigade")))


def test_prefix_and_stem_prefix(index: SearchIndex) -> None:
    assert "understanding-the-value-of-backbone-organizations-part-1" in ids(index.search("backb*"))
    # the stem of "budgeting" is "budget": the prefix must match the raw word too
    assert "cutgroup-book" in ids(index.search("budgeting*"))


def test_as_you_type_treats_last_word_as_prefix(index: SearchIndex) -> None:
    assert ids(index.search("backb")) == []
    typed = index.search("backb", as_you_type=True)
    assert ids(typed)[:1] == ["understanding-the-value-of-backbone-organizations-part-1"]
    assert typed.suggestion is None
    assert "guide-to-starting-a-local-data-intermediary" in ids(index.search("data interm", as_you_type=True))


def test_fuzzy(index: SearchIndex) -> None:
    assert "understanding-the-value-of-backbone-organizations-part-1" in ids(index.search("backbonne~"))


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("category:ingredients", lambda r: r.category == "ingredients"),
        ("cat:ingredients", lambda r: r.category == "ingredients"),
        ("tag:equity", lambda r: "equity" in r.tags),
        ("author:kingsley", lambda r: any("Kingsley" in a for a in r.authors)),
        ("org:urban", lambda r: any("Urban" in o for o in (*r.organizations, r.publisher))),
        ("kind:guide", lambda r: r.kind == "guide"),
        ("kind:GUIDE", lambda r: r.kind == "guide"),
        ("year:2016", lambda r: r.year == 2016),
        ("year:2014..2016", lambda r: r.year is not None and 2014 <= r.year <= 2016),
        ("year:[2017 TO]", lambda r: r.year is not None and r.year >= 2017),
        ("collective year:..2015", lambda r: r.year is not None and r.year <= 2015),
    ],
)
def test_field_filters(index: SearchIndex, query: str, check: object) -> None:
    results = index.search(query, limit=None)
    assert len(results) > 0, query
    assert all(check(r) for r in results), query  # type: ignore[operator]
    if " " not in query:  # a filter alone finds every resource that passes it
        everything = index.browse()
        assert len(results) == sum(1 for r in everything if check(r))  # type: ignore[operator]


def test_category_argument_filters_but_facets_cover_all(index: SearchIndex) -> None:
    whole = index.search("data")
    only = index.search("data", category="ingredients")
    assert ids(only) and all(r.category == "ingredients" for r in only)
    assert only.facets == whole.facets
    assert len(whole.facets) > 1
    assert whole.facets["ingredients"] == len(only)


def test_facets_sum_to_total(index: SearchIndex) -> None:
    results = index.search("city", limit=2)
    assert len(results) == 2
    facets = results.facets
    assert sum(facets.values()) == results.total > 2
    assert not results.total_is_estimate
    assert index.search("city", facets=False).facets == {}


def test_unknown_word_gets_a_suggestion(index: SearchIndex) -> None:
    results = index.search("goverment")
    assert results.suggestion == "government"
    assert index.search(results.suggestion).total > 0
    assert index.search("government").suggestion is None
    assert index.search("backbone brigadde").suggestion == "backbone brigade"


def test_is_bookmarked_and_note_words(index: SearchIndex) -> None:
    index.sync_notes({"cutgroup-book": "share with the quuxly team", "cultivating-talent": ""})
    assert set(ids(index.search("is:bookmarked"))) == {"cutgroup-book", "cultivating-talent"}
    assert ids(index.search("quuxly")) == ["cutgroup-book"]
    index.sync_notes({"cultivating-talent": ""})
    assert ids(index.search("is:bookmarked")) == ["cultivating-talent"]
    assert ids(index.search("quuxly")) == []
    index.sync_notes({})
    assert ids(index.search("is:bookmarked")) == []


def test_is_ok_and_dead(index: SearchIndex) -> None:
    index.sync_link_status(
        {"cutgroup-book": "dead", "cultivating-talent": "ok", "brigade-organizer-resources": "ok"}
    )
    assert ids(index.search("is:dead")) == ["cutgroup-book"]
    assert set(ids(index.search("is:ok"))) == {"cultivating-talent", "brigade-organizer-resources"}
    assert ids(index.search("talent is:ok")) == ["cultivating-talent"]
    bad = index.search("is:wobbly")
    assert ids(bad) == [] and bad.explanation and "is:bookmarked" in bad.explanation
    index.sync_link_status({})


# ------------------------------------------------------------------ highlights


def test_title_and_description_highlights(index: SearchIndex) -> None:
    results = index.search("backbone")
    title = results.highlight_title(0)
    assert title.spans
    assert all(title.text[s:e].lower() == "backbone" for s, e in title.spans)
    fragment = results.highlight_description(0)
    assert fragment.spans
    assert all(fragment.text[s:e].lower().startswith("backbone") for s, e in fragment.spans)
    assert len(fragment.text) <= 240


def test_highlights_follow_stems_not_negated_words(index: SearchIndex) -> None:
    results = index.search("hire -brigade")
    spans_text = {
        results.highlight_title(i).text[s:e].lower()
        for i in range(len(results))
        for s, e in results.highlight_title(i).spans
    }
    assert "hire" in spans_text
    assert "brigade" not in spans_text


def test_no_highlights_when_not_asked(index: SearchIndex) -> None:
    assert index.search("backbone", highlights=False).highlight_title(0).spans == ()


# ------------------------------------------------------------- related, browse


def test_related_resources(index: SearchIndex) -> None:
    related = [r.id for r in index.related("guide-to-starting-a-local-data-intermediary", limit=3)]
    assert related and len(related) <= 3
    assert "guide-to-starting-a-local-data-intermediary" not in related
    assert "nnip-partners-and-local-governments-work-together" in related
    assert index.related("no-such-resource") == []


def test_browse_orders(index: SearchIndex) -> None:
    catalogue_order = [rid for c in index.catalogue.categories for rid in c.resource_ids]
    assert ids(index.browse()) == catalogue_order
    by_title = [r.title.casefold() for r in index.browse(sort="title")]
    assert by_title == sorted(by_title)
    years = [r.year or 0 for r in index.browse(sort="year")]
    assert years == sorted(years, reverse=True)
    first = index.catalogue.categories[0]
    assert tuple(ids(index.browse(first.id))) == first.resource_ids


def test_get(index: SearchIndex) -> None:
    res = index.get("cutgroup-book")
    assert res is not None and res.title == "CUTGroup Book"
    assert index.get("nope") is None


def test_sorted_search(index: SearchIndex) -> None:
    by_year = index.search("data", sort="year", limit=None)
    years = [r.year or 0 for r in by_year]
    assert years == sorted(years, reverse=True)
    assert by_year.score(0) is None


# ------------------------------------------------------------ never raises

OPERATOR_SOUP = st.sampled_from(
    ['"', "(", ")", "*", "?", "~", "~2", "^", ":", "-", "+", "AND", "OR", "NOT", "ANDNOT", "TO", "[", "]",
     "{", "}", "..", "year:", "tag:", "is:", "category:", "author:", "org:", "kind:", "title:", "\\", "'",
     "is:bookmarked", "is:dead", "year:2014..", "year:..x", "year:abc", "*:*", "\x00", "\x1b[2J", "\ud800",
     "data", "backbone", "ä", " ", "  ", "\t", "\n", "𝔘", "日本"]
)  # fmt: skip
QUERIES = st.one_of(
    st.text(max_size=40),
    st.lists(OPERATOR_SOUP, max_size=12).map("".join),
    st.lists(st.one_of(OPERATOR_SOUP, st.text(max_size=6)), max_size=10).map(" ".join),
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERIES, as_you_type=st.booleans())
def test_no_query_raises(index: SearchIndex, text: str, as_you_type: bool) -> None:
    results = index.search(text, as_you_type=as_you_type, limit=5)
    assert isinstance(results, Results)
    assert len(results) <= 5
    for i in range(len(results)):
        assert results[i].id
        results.highlight_title(i)
        results.highlight_description(i)
    assert isinstance(results.facets, dict)
    assert results.explanation is None or results.explanation.strip()
    if results.suggestion is not None:
        assert isinstance(results.suggestion, str)


def test_explanations_are_friendly(index: SearchIndex) -> None:
    for text in ["(((", "AND", '"', "*", "-", "is:"]:
        results = index.search(text)
        if not len(results):
            assert results.explanation
            assert not re.search(r"Traceback|Error\b", results.explanation)


def test_a_prefix_that_starts_no_word_says_nothing_matches(index: SearchIndex) -> None:
    # typed letter by letter: "zzqx" expands to no word of the catalogue
    typed = index.search("zzqx", as_you_type=True)
    assert len(typed) == 0 and typed.explanation == "No resources match."
    assert (
        index.search("zzqx*", category="ingredients").explanation
        == "No resources match in category 'ingredients'."
    )
    # nothing but stop words: there is nothing to search for
    assert index.search("the of").explanation == "Nothing to search for in that; try some words."


@pytest.mark.parametrize(
    "text",
    ["NOT NOT backbone", "backbone NOT AND brigade", "backbone ANDNOT ANDMAYBE brigade", "backbone OR"],
)
def test_doubled_or_dangling_operators_still_search(index: SearchIndex, text: str) -> None:
    results = index.search(text)
    assert results.explanation is None or "Could not understand" not in results.explanation
    if text == "backbone OR":
        assert ids(results) == ["understanding-the-value-of-backbone-organizations-part-1"]
    if text.startswith("NOT NOT"):  # read as one NOT
        assert len(results) > 0
        assert "understanding-the-value-of-backbone-organizations-part-1" not in ids(results)


def test_very_long_query_is_cut_and_says_so(index: SearchIndex) -> None:
    tildes = index.search("backbone " + "~" * 10_000)
    assert tildes.explanation and "first 500 characters" in tildes.explanation
    spaces = index.search("backbone" + " " * 10_000 + "brigade")
    assert spaces.explanation and "first 500 characters" in spaces.explanation
    assert ids(spaces) == ["understanding-the-value-of-backbone-organizations-part-1"]


def test_slow_search_is_stopped_and_says_so(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from ctdc_tui.core import search as search_mod

    monkeypatch.setattr(search_mod, "SEARCH_SECONDS", 0.0)
    monkeypatch.setattr(search_mod, "FACET_SECONDS", -1.0)
    results = index.search("data OR city OR community", limit=None)
    assert results.explanation and "stopped" in results.explanation
    assert results.total_is_estimate
    assert sum(results.facets.values()) > 0  # counting is separate, and complete here (14 matches)
    assert results.total_is_estimate  # a stopped search never claims an exact total
