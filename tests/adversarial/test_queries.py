"""Over 5,000 generated queries on the bundled catalogue: never an exception, always hits or an explanation.

One SearchIndex (built once, in a temporary index folder) serves every example.
Each result is used the way the app uses it (rows, highlights, scores, facets),
because a ``Results`` loads lazily and a failure could hide behind ``search()``.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ctdc_tui.core.catalog import Resource
from ctdc_tui.core.search import Results, SearchIndex
from tests.adversarial.hostile_strings import HOSTILE, SURROGATES, Hostile

REPO = Path(__file__).resolve().parents[2]
# Limits in CPU seconds of this process (not wall time), so a busy machine does not make them flaky.
MAX_CPU_SECONDS_PER_QUERY = 2.0  # any query: catches a hang
# A 10,000-character query on 15 resources. What we measured (CPU, 2026-11-27): one 10,000-letter
# word 1.0 s, 10,000 "[" 1.9 s, everything else under 0.35 s: slow, reported to search, but no hang.
MAX_CPU_SECONDS_LONG_QUERY = 4.0
# An exception's class name in the explanation means search() caught a crash and showed it.
LEAKED_EXCEPTION = re.compile(r"\b\w*(Error|Exception)\b")


class QueryTimeout(BaseException):
    """Raised by the alarm inside a query that runs too long (a BaseException: search() cannot swallow it)."""


def _alarm(signum: int, frame: object) -> None:
    raise QueryTimeout


FIELDS = [
    "category", "cat", "tag", "tags", "author", "by", "org", "organisation", "publisher", "kind", "type",
    "year", "title", "description", "desc", "note", "is", "id", "url", "unknown", "", "Year", "TAG", "é",
]  # fmt: skip
VALUES = [
    "", "x", "*", "?", "..", "2016", "2014..2017", "2017..2014", "..2016", "2016..", "[2000 TO]", "[TO 2010]",
    "{2000 TO 2020}", "-1", "99999999999999999999999", "1e9", "NaN", "twenty", "ok", "dead", "bookmarked",
    "nope", "civic-tech", "code-for-america", '"quoted value"', '"', "(", ")", "[", "]", ":", "::", "~", "^",
    "^2", "\\", "/", "'", "ü", "全角", "\U0001f600",
]  # fmt: skip
OPERATORS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "and", "or", "not", "-", "+", "&&", "||", "!"]
PUNCT = [
    '"',
    "'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "*",
    "?",
    "~",
    "~2",
    "^",
    "^3",
    ":",
    "\\",
    "/",
    "<",
    ">",
    "=",
]
WORDS = [
    "hiring", "data", "civic", "tech", "brigade", "community", "engagement", "low-income", "residents",
    "collective", "impact", "backbone", "budget", "governing", "cutgroup", "intermediary", "nnip", "equity",
    "goverment", "comunity", "zzzzzz", "the", "a", "of", "backb", "civ", "datum", "résidents", "ÉQUITY",
]  # fmt: skip
HOSTILE_BITS = [h.value for h in HOSTILE if len(h.value) < 300]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    ix = SearchIndex.open(REPO / "data", tmp_path_factory.mktemp("index"))
    yield ix
    ix.close()


def check(
    ix: SearchIndex,
    text: str,
    cpu_limit: float = MAX_CPU_SECONDS_PER_QUERY,
    **options: object,
) -> Results:
    """Run one query and use its results as the app does; fail on any broken promise or after 2 s."""
    previous = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, cpu_limit)
    try:
        return _check(ix, text, **options)
    except QueryTimeout:
        pytest.fail(f"{text[:60]!r}... ({len(text)} characters) took more than {cpu_limit} s of CPU")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _check(ix: SearchIndex, text: str, **options: object) -> Results:
    results = ix.search(text, **options)  # type: ignore[arg-type]
    assert isinstance(results, Results)
    rows = len(results)
    assert rows >= 0
    if rows == 0 and text.strip():  # a blank query browses; an empty category may rightly show nothing
        assert isinstance(results.explanation, str) and results.explanation.strip(), repr(text)
    if results.explanation:
        assert not LEAKED_EXCEPTION.search(results.explanation), (text, results.explanation)
    assert results.total >= 0
    if not results.total_is_estimate:
        assert results.total >= rows
    for i in range(min(rows, 3)):
        res = results[i]
        assert isinstance(res, Resource)
        for hl in (results.highlight_title(i), results.highlight_description(i)):
            assert isinstance(hl.text, str)
            for start, end in hl.spans:
                assert 0 <= start < end <= len(hl.text)
        score = results.score(i)
        assert score is None or isinstance(score, float)
    ids = list(results.ids())
    assert ids[: min(rows, 3)] == [results[i].id for i in range(min(rows, 3))]
    facets = results.facets
    assert all(isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in facets.items())
    assert results.suggestion is None or isinstance(results.suggestion, str)
    return results


def _joined(parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    return st.tuples(parts, st.sampled_from([" ", "", "  ", "\t", " \n "])).map(lambda t: t[1].join(t[0]))


field_filter = st.builds(
    lambda f, sep, v: f"{f}{sep}{v}",
    st.sampled_from(FIELDS),
    st.sampled_from([":", ": ", "::"]),
    st.sampled_from(VALUES),
)
token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(OPERATORS),
    st.sampled_from(PUNCT),
    field_filter,
    st.sampled_from(HOSTILE_BITS),
    st.text(max_size=8),
    st.builds(
        lambda w, p: w + p, st.sampled_from(WORDS), st.sampled_from(["*", "~", "~1", "^2", '"', ")", ":"])
    ),
)
operator_soup = _joined(st.lists(token, min_size=1, max_size=8))
any_text = st.text(max_size=120)  # any code point but surrogates (covered below)
with_surrogates = st.lists(
    st.one_of(st.sampled_from(SURROGATES), st.sampled_from(WORDS), st.text(max_size=5)), max_size=6
).map("".join)
category = st.one_of(
    st.none(),
    st.sampled_from(
        ["ingredients", "sustaining-the-gain", "resourcing-collaboratives", "no-such", "", "INGREDIENTS"]
    ),
    st.text(max_size=20),
)
sort = st.sampled_from(["relevance", "catalogue", "title", "year"])
# 10,000-character queries: one token repeated, one character repeated, or a long run of mixed tokens.
LONG = 10_000
# (One character repeated 10,000 times is in test_ten_thousand_character_shapes_answer_quickly.)
long_query = st.one_of(
    st.builds(lambda t: ((t or "x") + " ") * LONG, token).map(lambda s: s[:LONG]),
    _joined(st.lists(token, min_size=50, max_size=100))
    .map(lambda s: (s + " ") * (LONG // max(len(s), 1) + 1))
    .map(lambda s: s[:LONG]),
)

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# How many queries each generator runs; 5,000 or more in all.
EXAMPLES = {"soup": 1_200, "unicode": 2_415, "options": 700, "surrogates": 660, "long": 25}


@settings(FAST, max_examples=EXAMPLES["soup"])
@given(text=operator_soup, as_you_type=st.booleans())
def test_operator_soup(index: SearchIndex, text: str, as_you_type: bool) -> None:
    check(index, text, as_you_type=as_you_type)


@settings(FAST, max_examples=EXAMPLES["unicode"])
@given(text=any_text, as_you_type=st.booleans())
def test_any_unicode_text(index: SearchIndex, text: str, as_you_type: bool) -> None:
    check(index, text, as_you_type=as_you_type)


@settings(FAST, max_examples=EXAMPLES["options"])
@given(
    text=st.one_of(operator_soup, any_text),
    category=category,
    sort=sort,
    limit=st.sampled_from([None, 1, 50]),
)
def test_with_category_sort_and_limit(
    index: SearchIndex, text: str, category: str | None, sort: str, limit: int | None
) -> None:
    check(index, text, category=category, sort=sort, limit=limit, facets=True, highlights=True)


@settings(FAST, max_examples=EXAMPLES["surrogates"])
@given(text=with_surrogates, as_you_type=st.booleans())
def test_lone_surrogates(index: SearchIndex, text: str, as_you_type: bool) -> None:
    check(index, text, as_you_type=as_you_type)


# No shrinking: each failing example may cost the full limit.
@settings(FAST, max_examples=EXAMPLES["long"], phases=[Phase.explicit, Phase.generate])
@given(text=long_query, as_you_type=st.booleans())
def test_ten_thousand_character_queries(index: SearchIndex, text: str, as_you_type: bool) -> None:
    assert len(text) == LONG
    check(index, text, as_you_type=as_you_type, cpu_limit=MAX_CPU_SECONDS_LONG_QUERY)


def test_at_least_five_thousand_generated_queries() -> None:
    assert sum(EXAMPLES.values()) >= 5_000


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * LONG, id="one-word"),
        pytest.param("é" * LONG, id="one-accented-word"),
        pytest.param("[" * LONG, id="brackets"),
        pytest.param("~" * LONG, id="tildes"),
        pytest.param('"' * LONG, id="quotes"),
        pytest.param(("data " * LONG)[:LONG], id="one-word-repeated"),
        pytest.param(" ".join(f"word{i:05d}qq" for i in range(LONG // 12))[:LONG], id="distinct-words"),
    ],
)
def test_ten_thousand_character_shapes_answer_quickly(index: SearchIndex, text: str) -> None:
    check(index, text, cpu_limit=MAX_CPU_SECONDS_LONG_QUERY)
    check(index, text, as_you_type=True, cpu_limit=MAX_CPU_SECONDS_LONG_QUERY)


@pytest.mark.parametrize(
    "text", ["NOT NOT civic", "data NOT AND civic", "data ANDNOT ANDMAYBE civic", "NOT OR data"]
)
def test_operator_followed_by_operator(index: SearchIndex, text: str) -> None:
    """A doubled operator is a typo a person makes; it must get an answer, not a caught crash.

    Whoosh's parser raised IndexError on these until search.py guarded it (found by the generated queries).
    """
    check(index, text)


@pytest.mark.parametrize("sort", ["title", "year"])
def test_search_sorted_by_title_or_year(index: SearchIndex, sort: str) -> None:
    results = check(index, "brigade", sort=sort)
    assert "brigade-organizer-resources" in list(results.ids())


@pytest.mark.parametrize("item", HOSTILE, ids=[h.name for h in HOSTILE])
def test_every_hostile_string_as_a_query(index: SearchIndex, item: Hostile) -> None:
    check(index, item.value[:2_000])
    check(index, item.value[:2_000], as_you_type=True)


def test_known_words_still_find_their_resources(index: SearchIndex) -> None:
    """The properties above would hold for a search that finds nothing: make sure it finds things."""
    results = check(index, "brigade")
    assert "brigade-organizer-resources" in list(results.ids())
    assert len(check(index, "")) == len(index.browse()) > 0
