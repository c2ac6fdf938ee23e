"""The bulk evaluator gives Whoosh's answers: same hits, same order, same scores, same counts.

``SearchIndex._hits`` answers queries by reading posting blocks in bulk; Whoosh's own
collector (``_collector_hits``) is the reference. Whoosh's top-k shortcut can drop hits of OR
queries, so the reference is Whoosh scoring every match (``limit=None``), cut to the page.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctdc_tui.core import query as queries
from ctdc_tui.core import search as search_mod
from ctdc_tui.core.catalog import load_catalog
from ctdc_tui.core.search import SearchIndex
from tests.benchmarks.generate_catalogue import generate

SORTS = ("relevance", "title", "year", "catalogue")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchIndex, list[str]]]:
    folder = generate(tmp_path_factory.mktemp("fast") / "catalogue", 400, seed=11)
    index = SearchIndex.open(folder, tmp_path_factory.mktemp("fast-index"))
    vocabulary = index._vocabulary(index._searcher.reader()).frequency
    words = sorted(vocabulary, key=lambda w: (-vocabulary[w], w))
    yield index, words
    index.close()


@pytest.fixture(autouse=True)
def _lazy_prefix_at_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The words-then-prefix first page waits for big posting lists; these corpora are small."""
    monkeypatch.setattr(search_mod, "LAZY_PREFIX_POSTINGS", 0)


def _parsed(index: SearchIndex, text: str, any_word: bool = False) -> object:
    prepared = queries.prepare(text)
    return index._rewrite(index._parser(any_word).parse(prepared.text), index._searcher.reader(), {})


def _assert_same(index: SearchIndex, q: object, category: str | None, sort: str, limit: int = 30) -> None:
    fast = index._hits(q, category, sort, limit)  # type: ignore[arg-type]
    whole = index._collector_hits(q, category, sort, None)  # type: ignore[arg-type]
    if fast.estimate:  # a phrase's first page: checked only as far as needed, "30+"
        assert limit <= fast.total <= whole.total, q
    else:
        assert fast.total == whole.total, q
    if sort == "relevance":
        reference = list(zip(whole.docnums, whole.scores, strict=True))[:limit]
        got = list(zip(fast.docnums, fast.scores, strict=True))
        assert len(got) == len(reference), q
        for (d1, s1), (d2, s2) in zip(got, reference, strict=True):
            assert s1 == pytest.approx(s2, rel=1e-9, abs=1e-9), (q, d1, d2)
        # Equal scores may come in either order; the set of hits must match up to the last score.
        cut = reference[-1][1] if reference else 0.0
        assert {d for d, s in got if s > cut + 1e-9} == {d for d, s in reference if s > cut + 1e-9}, q
    else:
        assert fast.docnums == whole.docnums[:limit], q
    if fast.matched is not None:
        matched = fast.matched() if callable(fast.matched) else fast.matched
        everything = index._collector_hits(q, None, "relevance", None)
        assert set(matched) == set(everything.docnums), q


def _query(draw: st.DrawFn, words: list[str]) -> str:
    head, tail = words[:30], words[30:600]

    def word() -> str:
        return draw(st.sampled_from(head if draw(st.booleans()) else tail))

    shape = draw(st.integers(0, 11))
    if shape == 0:
        return word()
    if shape == 1:
        return f"{word()} {word()}"
    if shape == 2:
        return f'"{word()} {word()}"'
    if shape == 3:
        return f'"{word()} {word()} {word()}" {word()}'
    if shape == 4:
        return f"{word()} -{word()}"
    if shape == 5:
        return f"({word()} OR {word()}) AND NOT {word()}"
    if shape == 6:
        return f"{word()[:3]}* {word()}"
    if shape == 7:
        return f"year:2012..2016 {word()} OR tag:{word()}"
    if shape == 8:
        return f"{word()} {word()} zzqxw"
    if shape == 9:
        return f"{word()}~ {word()}"
    if shape == 10:  # typed in the search box: the last word is a prefix
        return f"{word()} {word()} {word()[:2]}*"
    # ANDMAYBE only at the top: nested in an AND, Whoosh's matcher adds the optional word's score
    # only sometimes (it does not move the optional side along); ours always adds it.
    return f"{word()} ANDMAYBE {word()}"


@st.composite
def _queries(draw: st.DrawFn, words: list[str]) -> str:
    return _query(draw, words)


def test_known_query_shapes_agree_with_whoosh(corpus: tuple[SearchIndex, list[str]]) -> None:
    index, words = corpus
    rng = random.Random(5)
    categories = [c.id for c in index.catalogue.categories]
    for text in [
        words[0],
        f"{words[0]} {words[1]}",
        f'"{words[0]} {words[1]}"',
        f"{words[0]} -{words[1]}",
        f"({words[2]} OR {words[40]}) AND NOT {words[3]}",
        f"{words[5][:2]}* {words[0]}",
        f"{words[0]} {words[3][:2]}*",  # words, then a prefix: checked on the best candidates only
        f"{words[1]} {words[4]} {words[2][:1]}*",
        f"{words[0]} {words[0]} {words[0]}",  # one cached posting list three times (found by hypothesis)
    ]:
        for any_word in (False, True):
            q = _parsed(index, text, any_word)
            for sort in SORTS:
                _assert_same(index, q, rng.choice([None, *categories]), sort)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_queries_agree_with_whoosh(
    corpus: tuple[SearchIndex, list[str]], data: st.DataObject
) -> None:
    index, words = corpus
    text = data.draw(_queries(words))
    any_word = data.draw(st.booleans())
    sort = data.draw(st.sampled_from(SORTS))
    category = data.draw(st.sampled_from([None, *[c.id for c in index.catalogue.categories]]))
    _assert_same(index, _parsed(index, text, any_word), category, sort)


def test_phrases_need_the_words_side_by_side(corpus: tuple[SearchIndex, list[str]]) -> None:
    index, _words = corpus
    res = index.get(index.catalogue.categories[0].resource_ids[0])
    assert res is not None
    pair = re.findall(r"[a-z]+", res.description.lower())[3:5]
    forward = index.search(f'"{pair[0]} {pair[1]}"', limit=None)
    backward = index.search(f'"{pair[1]} {pair[0]}"', limit=None)
    both = index.search(f"{pair[0]} {pair[1]}", limit=None)
    assert res.id in {r.id for r in forward}
    assert {r.id for r in forward} <= {r.id for r in both}
    assert forward.total + backward.total <= both.total + forward.total
    assert not forward.total_is_estimate  # limit=None: every candidate was checked


def _brute_phrase(words: list[str], slop: int, catalog: list[object]) -> set[str]:
    """The resources whose text holds the phrase, found with Whoosh's own filter chain."""
    chain = search_mod._stem_analyzer().chain()
    found = set()
    for res in catalog:
        spots: dict[str, list[int]] = {}
        for token in chain(search_mod._document(res)["text"], positions=True):  # type: ignore[arg-type]
            spots.setdefault(token.text, []).append(token.pos)

        def rest(i: int, after: int, spots: dict[str, list[int]] = spots) -> bool:
            if i == len(words):
                return True
            return any(after < p <= after + slop and rest(i + 1, p) for p in spots.get(words[i], ()))

        if any(rest(1, p) for p in spots.get(words[0], ())):
            found.add(res.id)  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("scan_share", [0, 10**9], ids=["one find per candidate", "one pass over the column"])
def test_phrases_match_a_brute_force_reading_of_every_resource(
    corpus: tuple[SearchIndex, list[str]], scan_share: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_mod, "SEQUENCE_SCAN_SHARE", scan_share)
    index, words = corpus
    catalog = list(load_catalog(index.catalogue_path)[0])
    assert catalog, "the corpus fixture's catalogue"
    chain = search_mod._stem_analyzer().chain()
    rng = random.Random(3)
    texts = []
    for res in rng.sample(catalog, 12):
        said = re.findall(r"\w+", res.description)
        start = rng.randrange(0, max(1, len(said) - 4))
        for size in (2, 3, 4):
            texts.append(" ".join(said[start : start + size]))  # runs of the text, stop words included
        long = [i for i, w in enumerate(said[1:], 1) if len(w) > 6]
        if long:  # a word cut short: it must not match the longer word that stands there
            i = rng.choice(long)
            texts.append(f"{said[i - 1]} {said[i][:4]}")
    texts += [f"{words[0]} {words[1]}", f"{words[1]} {words[0]}", f"{words[2]} {words[2]}"]
    checked = 0
    for text in texts:
        analysed = [t.text for t in chain(text)]
        for slop in (1, 3):
            expected = _brute_phrase(analysed, slop, catalog) if analysed else set()
            suffix = f"~{slop}" if slop != 1 else ""
            got = index.search(f'"{text}"{suffix}', limit=None)
            assert {r.id for r in got} == expected, (text, slop)
            checked += bool(expected)
    assert checked > 20  # most phrases are found somewhere


def test_phrase_first_page_total_turns_exact_with_facets(corpus: tuple[SearchIndex, list[str]]) -> None:
    index, words = corpus
    everything = index.search(f"{words[0]} {words[1]}", limit=None)
    phrase = f'"{words[0]} {words[1]}"'
    whole = index.search(phrase, limit=None)
    assert whole.total > 5  # the two commonest words stand side by side often enough
    page = index.search(phrase, limit=5)
    assert [r.id for r in page] == [r.id for r in whole[:5]]
    assert page.total_is_estimate and 5 <= page.total <= whole.total
    assert sum(page.facets.values()) == whole.total
    assert page.total == whole.total and not page.total_is_estimate
    assert sum(page.facets.values()) <= everything.total
    category = next(iter(page.facets))
    in_one = index.search(phrase, limit=1, category=category)
    _ = in_one.facets
    assert in_one.total == page.facets[category] and not in_one.total_is_estimate


def test_segments_with_deleted_documents_agree_with_whoosh(tmp_path: Path) -> None:
    """After an in-place update the index has several segments and deleted documents."""
    folder = generate(tmp_path / "catalogue", 300, seed=4)
    place = tmp_path / "index"
    SearchIndex.open(folder, place).close()
    changed = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")[0]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(re.sub(r"title: (\S+)", r"title: quibblewort \1", text, count=5), encoding="utf-8")
    with SearchIndex.open(folder, place) as index:
        assert any("re-indexed" in n for n in index.notices), index.notices
        reader = index._searcher.reader()
        assert reader.has_deletions() or len(list(reader.leaf_readers())) > 1
        vocabulary = index._vocabulary(reader).frequency
        words = sorted(vocabulary, key=lambda w: (-vocabulary[w], w))
        for text_ in [
            "quibblewort",
            f"quibblewort {words[0]}",
            words[0],
            f'"{words[0]} {words[1]}"',
            words[50],
            f"{words[0][:2]}*",  # a lone prefix: first page read ahead, deleted documents skipped
        ]:
            for sort in SORTS:
                _assert_same(index, _parsed(index, text_), None, sort)
        assert index.search("quibblewort").total == 5
        for name in ("id", "category", "order", "title_sort", "year_sort", "sequence"):
            # read a segment at a time in one piece: the same values as Whoosh's column readers
            assert search_mod._column_values(reader, name) == list(reader.column_reader(name)), name


def test_positions_bitmap_round_trip() -> None:
    fmt = search_mod._BitPositions()

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.integers(0, 5000), unique=True).map(sorted))
    def check(positions: list[int]) -> None:
        value = fmt.encode(positions)
        assert fmt.decode_positions(value) == positions
        assert fmt.decode_frequency(value) == len(positions)

    check()


def test_highlight_spans_match_the_analyzer(corpus: tuple[SearchIndex, list[str]]) -> None:
    """The cached word forms give the spans the analyzer chain gives."""
    index, words = corpus

    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(st.sampled_from([*words[:200], "Data", "DATA's", "café", "e.g.", "x*y", "1.5"]), max_size=30)
    )
    def check(parts: list[str]) -> None:
        text = " ".join(parts)
        wanted = {t.text for t in index._stem(" ".join(words[:60]))}
        expected = [
            (t.startchar, t.endchar) for t in index._stem(text, chars=True, mode="index") if t.text in wanted
        ]
        assert index._match_spans("title", text, wanted) == expected

    check()


def test_plain_words_parse_like_whoosh(corpus: tuple[SearchIndex, list[str]]) -> None:
    """The parser's shortcut for plain words gives the query Whoosh's parser gives."""
    index, words = corpus
    pool = [*words[:300], "the", "of", "AND", "OR", "NOT", "and", "Data", "CITY", "2016", "x1", "a"]
    # typed last, as search as you type sends it: a prefix (stemmed by the parser, stop words kept)
    last = [*(w[:n] + "*" for w in words[:100] for n in (1, 3, 6)), "the*", "NOT*", "Housing*", "x1*", "*"]

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.sampled_from(pool), max_size=6), st.one_of(st.none(), st.sampled_from(last)))
    def check(parts: list[str], prefix: str | None) -> None:
        if prefix is not None:
            parts = [*parts, prefix]
        if not parts:
            return
        text = queries.prepare(" ".join(parts)).text  # as search() hands it over (operator soup cleaned)
        assert index._parse(text) == index._parser().parse(text), text

    check()


def test_a_query_whoosh_cannot_parse_searches_its_words(
    corpus: tuple[SearchIndex, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh's parser asserts on some operator tangles (a 10,000-character hypothesis query
    found one); the search then looks for the query's words and says so."""
    index, words = corpus
    expected = [r.id for r in index.search(f"{words[0]} {words[40]}", limit=10)]

    class Broken:
        def parse(self, text: str) -> object:
            raise AssertionError("len(self.nodes) == 2")

    monkeypatch.setattr(index, "_parser", lambda any_word=False: Broken())
    results = index.search(f"{words[0]} ANDMAYBE ( {words[40]} AND", limit=10)
    assert [r.id for r in results] == expected
    assert results.explanation is not None and "words were searched for" in results.explanation
    nothing = index.search(f"{words[0]} ANDMAYBE ( zzqxwv AND", limit=10)  # any-word fallback, same path
    assert nothing.fallback and len(nothing) > 0


@pytest.mark.parametrize("category_index", [None, 0])
def test_lone_prefix_first_page_reads_ahead_only(
    corpus: tuple[SearchIndex, list[str]], category_index: int | None
) -> None:
    """A lone prefix's first page is the lowest document numbers of its words, as a full read gives."""
    index, words = corpus
    category = None if category_index is None else index.catalogue.categories[category_index].id
    for prefix in {w[:1] for w in words[:40]} | {w[:2] for w in words[:40]}:
        q = _parsed(index, f"{prefix}*")
        whole = index._collector_hits(q, category, "relevance", None)
        page = index._hits(q, category, "relevance", 7)
        assert page.docnums == whole.docnums[:7], prefix
        if page.estimate:
            assert 7 <= page.total <= whole.total, prefix
        else:
            assert page.total == whole.total, prefix
        assert callable(page.matched)
        assert set(page.matched()) == set(index._collector_hits(q, None, "relevance", None).docnums)
    results = index.search(f"{words[0][:1]}*", limit=3, category=category)
    exact = index.search(f"{words[0][:1]}*", limit=None, category=category).total
    _ = results.facets  # counting every match makes the total exact
    assert results.total == exact and not results.total_is_estimate


def test_words_then_a_common_prefix_check_only_the_best_candidates(
    corpus: tuple[SearchIndex, list[str]],
) -> None:
    index, words = corpus
    prefix = next(w[:2] for w in words if len(w) > 3)
    for text in (f"{words[0]} {prefix}", f"{words[1]} {words[0]} {prefix}"):
        page = index.search(text, limit=5, as_you_type=True)
        whole = index.search(text, limit=None, as_you_type=True)
        assert page.total_is_estimate, text  # the prefix was not read in full
        assert [r.id for r in page] == [r.id for r in whole[:5]], text
        assert [page.score(i) for i in range(5)] == pytest.approx([whole.score(i) for i in range(5)])
        assert sum(page.facets.values()) == whole.total == page.total, text


def test_related_resources_are_whoosh_scoring_every_match(corpus: tuple[SearchIndex, list[str]]) -> None:
    from whoosh import query

    index, _words = corpus
    searcher = index._searcher
    checked = 0
    for category in index.catalogue.categories:
        for rid in category.resource_ids[:4]:
            res = index.get(rid)
            assert res is not None
            text = " ".join([res.title, res.title, " ".join(res.tags), res.description])
            keys = searcher.key_terms_from_text("text", text, numterms=16, normalize=True)
            terms = [query.Term("text", w, boost=float(x)) for w, x in keys]
            every = searcher.search(query.Or(terms), limit=None, mask=query.Term("id", rid))
            assert [r.id for r in index.related(rid)] == [hit["id"] for hit in every[:5]], rid
            checked += 1
    assert checked >= 8
