"""The index build: the one-pass analyzer, the writer and the two-process build give what Whoosh gives."""

from __future__ import annotations

import errno
import gc
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import whoosh.index
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from ctdc_tui.core import search as search_mod
from ctdc_tui.core.catalog import Catalog, load_catalog
from ctdc_tui.core.resource import Resource
from ctdc_tui.core.search import SearchIndex, WordAnalyzer
from tests.benchmarks.generate_catalogue import generate

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data"

AWKWARD = [
    "",
    "   ",
    "The and of a",  # nothing but stop words
    "the Open Data portal, and the city's 3.141 budget_lines in 2014",
    "Café naïve résumé façade ÆON Straße Øresund Ångström",
    "İstanbul ŞEHİR ıi ǅemal",  # case mappings that change length
    "e\u0301cole cafe\u0301",  # combining accents
    "Москва данные 東京 データ مدينة",
    "under_score big-time x.y.z a.b. ..dots.. 42 4.2.1",
    "To be or not to be: that is the question",
    "running runs ran runner organizations organizing organized",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "catalogue", 300, seed=11)


def _texts(folder: Path) -> list[str]:
    catalog, _ = load_catalog(folder)
    out: list[str] = []
    for res in catalog:
        doc = search_mod._document(res)
        out += [doc["text"], doc["title"], doc["authors"], doc["organizations"], doc["tags"]]
    return out


@pytest.fixture(scope="module")
def texts(generated: Path) -> list[str]:
    return AWKWARD + _texts(BUNDLED) + _texts(generated)


ANALYZERS = [
    pytest.param(WordAnalyzer(stop=True, stem=True), id="stem"),
    pytest.param(WordAnalyzer(stop=False, stem=False), id="fold"),
    pytest.param(WordAnalyzer(stop=True, stem=False), id="fold+stop"),
]


def _tokens(analyzer: Any, text: str, **kwargs: Any) -> list[tuple[Any, ...]]:
    return [
        (t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None))
        for t in analyzer(text, **kwargs)
    ]


@pytest.mark.parametrize("analyzer", ANALYZERS)
@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": "index"},
        {"mode": "query"},
        {"positions": True, "mode": "index"},
        {"chars": True, "mode": "index"},
        {"positions": True, "chars": True, "start_pos": 3, "start_char": 10},
        {"removestops": False, "positions": True, "chars": True},
        {"tokenize": False, "mode": "query"},
        {"no_morph": True},
    ],
)
def test_tokens_match_the_whoosh_chain(
    analyzer: WordAnalyzer, kwargs: dict[str, Any], texts: list[str]
) -> None:
    chain = analyzer.chain()
    for text in texts:
        assert _tokens(analyzer, text, **kwargs) == _tokens(chain, text, **kwargs), text


@pytest.mark.parametrize("analyzer", ANALYZERS)
def test_analyse_gives_the_terms_positions_and_words_of_the_chain(
    analyzer: WordAnalyzer, texts: list[str]
) -> None:
    chain = analyzer.chain()
    folded = WordAnalyzer(stop=analyzer.stop, stem=False).chain()
    for text in texts:
        expected: dict[str, list[int]] = {}
        for token in chain(text, positions=True, mode="index"):
            expected.setdefault(token.text, []).append(token.pos)
        analysed = analyzer.analyse(text)
        counts = {term: len(where) for term, where in expected.items()}
        assert analysed.counts() == counts, text  # from the terms (positions not worked out yet)
        assert analysed.positions == expected, text
        assert analysed.counts() == counts, text  # from the positions
        assert analysed.words == {t.text for t in folded(text)}, text
        assert analyzer.words(text) == analysed.words, text  # the words alone (deleted resources)


def _analysis(analysed: Any) -> tuple[Any, ...]:
    return (
        analysed.text,
        analysed.terms,
        analysed._kept,
        analysed.size,
        analysed._first,
        analysed.words,
        analysed.counts(),
        analysed.positions,
    )


def _assert_prepared_as_analysed(res: Resource) -> None:
    analyzer = search_mod._stem_analyzer()
    plain = search_mod._document(res, order=7)
    prepared = search_mod._prepared(res, analyzer, 7)
    assert set(prepared) == set(plain)
    for name, value in plain.items():
        got = prepared[name]
        if name in ("text", "sequence", "title") or (name == "tags" and value):
            assert _analysis(got) == _analysis(analyzer.analyse(value)), (name, value)
        else:
            assert got == value, name


_PART = st.sampled_from(AWKWARD) | st.lists(
    st.sampled_from(["the", "and", "of", "a1_b", "x.y", "é", "e\u0301", "İ", "Ж", "東", "-", ".", "\n"])
    | st.text(max_size=4),
    max_size=8,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    title=_PART,
    title_full=_PART,
    tags=st.lists(_PART, max_size=3),
    authors=st.lists(_PART, max_size=2),
    organizations=st.lists(_PART, max_size=2),
    publisher=_PART,
    description=_PART,
)
def test_a_prepared_document_analyses_each_part_once_with_the_same_result(
    title: str,
    title_full: str,
    tags: list[str],
    authors: list[str],
    organizations: list[str],
    publisher: str,
    description: str,
) -> None:
    """``_prepared`` analyses the title and the tags once each, for their fields and for their
    places in the text (the title three times over), and joins the analyses: the same terms,
    words, positions and counts as analysing each field's whole value."""
    res = Resource(
        id="r",
        title=title,
        url="https://example.org/r",
        category="c",
        title_full=title_full,
        tags=tuple(tags),
        authors=tuple(authors),
        organizations=tuple(organizations),
        publisher=publisher,
        description=description,
    )
    _assert_prepared_as_analysed(res)


def test_prepared_documents_of_real_catalogues_are_analysed_as_whole_values(generated: Path) -> None:
    for folder in (BUNDLED, generated):
        catalog, _ = load_catalog(folder)
        for res in catalog:
            _assert_prepared_as_analysed(res)


def test_the_words_of_a_deleted_resource_are_those_of_its_document(generated: Path) -> None:
    """An update takes a deleted resource's words from its fields (its title read once)."""
    analyzer = search_mod._stem_analyzer()
    for folder in (BUNDLED, generated):
        catalog, _ = load_catalog(folder)
        for res in catalog:
            expected = analyzer.analyse(search_mod._document(res)["text"]).words
            assert search_mod._resource_words(res, analyzer) == expected, res.id


def test_posting_values_are_whoosh_positions_bytes() -> None:
    whoosh_format = fields.TEXT().format
    for positions in ([0], [5], [1, 2], [0, 7, 9, 300], list(range(50))):
        assert search_mod._encode_positions(positions) == whoosh_format.encode(positions)


WORD_FIELDS = ("text", "title", "authors", "organizations", "tags")


def _chain_schema() -> fields.Schema:
    """The schema's word fields with Whoosh's filter chains in place of ``WordAnalyzer``."""
    schema = search_mod.build_schema()
    for name in WORD_FIELDS:
        schema[name].analyzer = schema[name].analyzer.chain()
    return schema


def _postings(ix: Any) -> dict[tuple[str, bytes], tuple[list[Any], list[Any], list[Any]]]:
    """(field, term) -> its documents with their weights, posting values and positions."""
    out = {}
    with ix.reader() as reader:
        for name in WORD_FIELDS:
            has_positions = ix.schema[name].format.supports("positions")
            for term in reader.lexicon(name):
                weights = list(reader.postings(name, term).items_as("weight"))
                values = list(reader.postings(name, term).items_as("frequency"))
                positions = list(reader.postings(name, term).items_as("positions")) if has_positions else []
                out[(name, term)] = (weights, values, positions)
    return out


@pytest.mark.parametrize("source", ["bundled", "generated"])
def test_same_terms_and_postings_as_the_filter_chains(source: str, generated: Path, tmp_path: Path) -> None:
    catalog, _ = load_catalog(BUNDLED if source == "bundled" else generated)
    docs = [{n: search_mod._document(res)[n] for n in WORD_FIELDS} for res in catalog]
    built = []
    for label, schema in (("chains", _chain_schema()), ("new", search_mod.build_schema())):
        folder = tmp_path / label
        folder.mkdir()
        ix = whoosh.index.create_in(str(folder), schema)
        writer = ix.writer()
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        built.append(_postings(ix))
    assert built[0] == built[1]
    assert len(built[0]) > 50


def _segment_files(folder: Path, segment_id: str) -> dict[str, bytes]:
    return {
        name.replace(segment_id, "SEG"): (folder / name).read_bytes()
        for name in os.listdir(folder)
        if segment_id in name
    }


@pytest.mark.parametrize(
    "codec",
    [{}, {"compression": 0}, {"blocklimit": 3}, {"blocklimit": 5, "compression": 0}],
    ids=["build", "update", "small-blocks", "small-blocks-update"],
)
def test_writer_writes_the_same_segment_files_as_whoosh(
    codec: dict[str, int], generated: Path, tmp_path: Path
) -> None:
    """Byte for byte, with the build's codec, an update's (no zlib, stored fields at level 0 too),
    and blocks small enough that most posting lists take several (``_write_postings`` writes them
    without Whoosh's writer)."""
    catalog, _ = load_catalog(generated)
    keys = search_mod._sort_keys(catalog.categories)
    docs = [search_mod._document(res, order=keys.get(res.id)) for res in catalog]
    analyzer = search_mod._stem_analyzer()
    files = []
    for writer_class in (SegmentWriter, search_mod._Writer):
        folder = tmp_path / writer_class.__name__
        folder.mkdir()
        ix = whoosh.index.create_in(str(folder), search_mod.build_schema())
        writer = writer_class(ix, compound=False, codec=W3Codec(**codec))
        if writer_class is SegmentWriter and codec.get("compression") == 0:
            search_mod._store_without_zlib(writer.perdocwriter)  # as an update's writer does
        for doc in docs:
            if writer_class is search_mod._Writer:  # the build hands it the text analysed beforehand
                analysed = analyzer.analyse(doc["text"])
                doc = {**doc, "text": analysed, "sequence": analysed}
            writer.add_document(**doc)
        writer.commit()
        (segment,) = ix._segments()
        files.append(_segment_files(folder, segment.segment_id()))
    assert set(files[0]) == set(files[1])
    assert any(name.endswith(".pst") for name in files[0])
    for name in files[0]:
        assert files[0][name] == files[1][name], name


# ------------------------------------------------------------------ the two-process build


def _build(folder: Path, index_root: Path, processes: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(search_mod, "INDEX_PROCESSES", processes)
    monkeypatch.setattr(search_mod, "PARALLEL_MIN_RESOURCES", 50)
    seen: list[tuple[int, int]] = []
    index = SearchIndex.open(folder, index_root, progress=lambda done, total: seen.append((done, total)))
    return index, seen


QUERIES = ["data", "community partnership", '"open data"', "budg*", "year:2014..2018 city", "title:data"]


def _answers(index: SearchIndex) -> dict[str, list[str]]:
    out = {}
    for q in QUERIES:
        results = index.search(q, limit=None, highlights=False, facets=False)
        out[q] = sorted(r.id for r in results)
    out["browse"] = [r.id for r in index.browse()]
    out["by title"] = [r.id for r in index.browse(sort="title")]
    out["by year"] = [r.id for r in index.browse(sort="year")]
    return out


@pytest.mark.skipif(not search_mod.sys.platform.startswith("linux"), reason="the helper process forks")
def test_two_processes_build_the_same_index(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial, _ = _build(generated, tmp_path / "serial", 1, monkeypatch)
    parallel, seen = _build(generated, tmp_path / "parallel", 2, monkeypatch)
    try:
        assert len(parallel._ix._segments()) == 2
        assert len(serial._ix._segments()) == 1
        assert parallel.info.resource_count == serial.info.resource_count == 300
        assert _answers(parallel) == _answers(serial)
        assert all(len(v) > 0 for v in _answers(serial).values())
        assert parallel._vocabulary(None).frequency == serial._vocabulary(None).frequency
        dones = [done for done, _total in seen]
        assert dones == sorted(dones) and dones[0] == 0 and dones[-1] == 300
        assert {total for _done, total in seen} == {300}
    finally:
        serial.close()
        parallel.close()
    # Reopening reads the manifest and the two segments (no rebuild).
    again = SearchIndex.open(generated, tmp_path / "parallel")
    try:
        assert not again.info.rebuilt
        assert again.search("data", limit=5).total == serial_total(generated, tmp_path)
    finally:
        again.close()


def serial_total(folder: Path, tmp_path: Path) -> int:
    index = SearchIndex.open(folder, tmp_path / "serial")
    try:
        return index.search("data", limit=5).total
    finally:
        index.close()


def _failing_helper(ix: Any, resources: Any, keys: Any, conn: Any, done: Any) -> None:
    done.value = 3
    conn.send(("error", "RuntimeError: boom", None))
    conn.close()


def _dying_helper(ix: Any, resources: Any, keys: Any, conn: Any, done: Any) -> None:
    os._exit(3)


@pytest.mark.skipif(not search_mod.sys.platform.startswith("linux"), reason="the helper process forks")
@pytest.mark.parametrize("helper", [_failing_helper, _dying_helper], ids=["error", "dies"])
def test_a_failed_helper_leaves_its_half_to_the_parent(
    helper: Any, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_mod, "_helper_main", helper)
    index, seen = _build(generated, tmp_path / "idx", 2, monkeypatch)
    try:
        assert index.info.resource_count == 300
        assert len(index._ix._segments()) == 1
        with index._ix.searcher() as searcher:
            assert searcher.doc_count() == 300
        assert index.search("data", limit=None).total > 0
        assert seen[-1] == (300, 300)
    finally:
        index.close()


def test_vocabulary_counts_resources_per_folded_word(generated: Path, tmp_path: Path) -> None:
    index = SearchIndex.open(generated, tmp_path / "idx")
    try:
        assert index.location is not None
        saved = dict(json.loads((index.location / search_mod.VOCABULARY).read_text())["words"])
    finally:
        index.close()
    catalog, _ = load_catalog(generated)
    chain = WordAnalyzer(stop=True, stem=False).chain()
    expected: Counter[str] = Counter()
    for res in catalog:
        expected.update({t.text for t in chain(search_mod._document(res)["text"])})
    assert saved == dict(expected)


def test_an_edited_file_reindexes_in_place_with_the_same_answers(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "catalogue"
    shutil.copytree(generated, folder)
    first, _ = _build(folder, tmp_path / "idx", 2, monkeypatch)
    first.close()
    edited = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")[0]
    edited.write_text(edited.read_text().replace('title: "', 'title: "Zyxwv ', 1))
    updated = SearchIndex.open(folder, tmp_path / "idx")
    fresh = SearchIndex.open(folder, tmp_path / "fresh", rebuild=True)
    try:
        assert any("re-indexed" in n for n in updated.notices)
        assert updated.search("zyxwv").total == 1
        assert _answers(updated) == _answers(fresh)
        assert updated._vocabulary(None).frequency == fresh._vocabulary(None).frequency
    finally:
        updated.close()
        fresh.close()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_off_while_indexing_and_restored_after(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    """A build and an update run with Python's cycle collector off (its passes walk the whole
    catalogue for nothing); afterwards it is as it was, on or off."""
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    folder = tmp_path / "catalogue"
    shutil.copytree(generated, folder)
    seen: list[bool] = []
    add = search_mod._add_resources

    def spy(*args: Any, **kwargs: Any) -> None:
        seen.append(gc.isenabled())
        add(*args, **kwargs)

    monkeypatch.setattr(search_mod, "_add_resources", spy)
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        SearchIndex.open(folder, tmp_path / "idx").close()  # a build
        path = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")[0]
        path.write_text(
            path.read_text(encoding="utf-8").replace('title: "', 'title: "Edited ', 1), encoding="utf-8"
        )
        with SearchIndex.open(folder, tmp_path / "idx") as index:  # an update
            assert any("re-indexed 1 resource" in n for n in index.notices), index.notices
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
    assert len(seen) >= 2 and not any(seen), seen


def test_a_storage_folder_is_made_once_and_a_file_in_its_place_refused(tmp_path: Path) -> None:
    """``FileStorage.create`` as replaced here: the folders made, an existing one taken as it
    is, a file where the folder should be refused with ENOTDIR (as Whoosh's does)."""
    place = tmp_path / "a" / "b"
    assert FileStorage(str(place)).create().folder == str(place)
    assert place.is_dir()
    FileStorage(str(place)).create()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OSError) as refused:
        FileStorage(str(tmp_path / "file")).create()
    assert refused.value.errno == errno.ENOTDIR


def test_an_update_leaves_no_reference_cycle_holding_its_catalogue(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh's ``FileStorage.create`` kept an exception in a local variable, and every writer
    met one: the frame cycle held each caller's locals, the catalogue the update read among
    them, until the cycle collector's next pass (which then walked all of it)."""
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    folder = tmp_path / "catalogue"
    shutil.copytree(generated, folder)
    SearchIndex.open(folder, tmp_path / "idx").close()
    path = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")[0]
    path.write_text(path.read_text(encoding="utf-8").replace('title: "', 'title: "Edited '), encoding="utf-8")
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        with SearchIndex.open(folder, tmp_path / "idx") as index:
            assert any("re-indexed" in n for n in index.notices), index.notices
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        held = [o for o in gc.garbage if isinstance(o, (Resource, Catalog))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert not held, f"{len(held)} resources and catalogues were left to the cycle collector"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1_.. \n-é\u0301Ж東")), max_size=40) | st.text(max_size=40))
def test_the_word_pattern_finds_what_the_schema_8_pattern_found(text: str) -> None:
    """The word pattern left out the optional dot of ``\\w+(\\.?\\w+)*`` (the one the index was
    built with): the same words in any text."""
    expected = re.findall(r"\w+(?:\.?\w+)*", text)
    assert search_mod._WORD_PATTERN.findall(text) == expected
