"""Full-text search over a catalogue, on Whoosh. The only module that imports whoosh.

``SearchIndex.open(catalogue)`` opens the catalogue's index when it is fresh, or
builds it (in a temporary sibling folder, swapped in with a rename) when it is
missing, stale or damaged. A manifest next to the index records the catalogue's
fingerprint, the schema and Whoosh versions, the catalogue's title, categories
(with their ordered resource ids) and validation problems, so a fresh index
serves the app without reading any YAML. See ``docs/search.md`` for the query
language and ``docs/performance.md`` for the measurements behind the choices.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import errno
import gc
import hashlib
import heapq
import json
import multiprocessing
import operator
import os
import pickle
import re
import shutil
import stat
import struct
import sys
import tempfile
import threading
import time
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterator, KeysView, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate, filterfalse
from operator import sub as _minus
from pathlib import Path
from typing import Any, Literal, overload

import whoosh
import whoosh.index
from whoosh import columns, fields, formats, query, sorting
from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.analysis.tokenizers import default_pattern
from whoosh.codec.whoosh3 import LENGTHS_COLUMN as _LENGTHS_COLUMN
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.structfile import StructFile
from whoosh.lang.porter import stem as porter_stem
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher
from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser, OrGroup
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.support.charset import accent_map
from whoosh.system import _INT_SIZE as _POSITIONS_AT
from whoosh.system import pack_int as _pack_int
from whoosh.system import pack_long as _pack_long
from whoosh.system import pack_uint as _pack_uint
from whoosh.system import pack_ushort as _pack_ushort
from whoosh.util.numeric import byte_to_length as _byte_to_length
from whoosh.util.numeric import length_to_byte as _length_to_byte
from whoosh.writing import NO_MERGE, SegmentWriter

from ctdc_tui.core import locations
from ctdc_tui.core import query as queries
from ctdc_tui.core.catalog import (
    Catalog,
    CatalogueLoad,
    Category,
    ChildWork,
    FileOutline,
    Problem,
    Resource,
    load_catalog_detail,
)
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.fsutil import atomic_write_text
from ctdc_tui.core.resource import resource_from_json_text, resource_to_json_text, source_file_stats

Sort = Literal["relevance", "catalogue", "title", "year"]
Progress = Callable[[int, int], None]

SCHEMA_VERSION = 8
MANIFEST = "ctdc-manifest.json"
MANIFEST_APP = "ctdc-tui search index"
VOCABULARY = "ctdc-vocabulary.json"
# One JSON file per category file: its resources' ids, sort keys and content digests, so that an
# in-place update re-indexes only the resources that changed (see ``_update_in_place``).
FILE_STATES = "ctdc-files"
# Present while an in-place update writes (the index, then the side files, then the manifest): an
# index that has it is not used as it is (see ``_update_in_place``).
UPDATING = "ctdc-updating"
UNFINISHED = "an update of the index did not finish"
WHOOSH_VERSION = whoosh.versionstring()

# Plain words are looked up in ``text``: everything a resource says, in one field, the title
# repeated TITLE_WEIGHT times so that a word of the title counts more. One posting list per word
# (not one per field) lets Whoosh skip the blocks that cannot reach the top hits.
DEFAULT_FIELDS: dict[str, float] = {"text": 1.0}
TITLE_WEIGHT = 3
STEMMED_FIELDS = frozenset({"text", "title", "tags", "note"})
FOLDED_FIELDS = frozenset({"authors", "organizations"})  # names are folded, never stemmed
WORD_FIELDS = STEMMED_FIELDS | FOLDED_FIELDS
# Prefix/wildcard expansion: at most this many words (the most frequent), after
# scanning at most this many dictionary entries. Keeps ``c*`` fast at 100,000.
EXPANSION_LIMIT = 32
EXPANSION_SCAN = 20_000
FRAGMENT_CHARS = 220
# Documents per slice of the id -> document map (SearchIndex.prepare_lookups): about 1 ms each.
LOOKUP_SLICE = 4_000
# Posting lists kept between searches (a word typed earlier in the box): at most this many postings.
TERM_CACHE_POSTINGS = 250_000
# Decoded posting blocks of positions (``title:"..."``) kept between a phrase's first page and its facets.
POSITION_BLOCKS = 2_000
# A prefix typed after words is checked on the words' best hits only when its expanded words are
# in at least this share of the resources (counted with repeats); rarer ones are read in full.
LAZY_PREFIX_SHARE = 0.02
LAZY_PREFIX_POSTINGS = 50_000  # ... and hold at least this many postings (10,000 resources: read them)
# A phrase whose candidates are more than 1/SEQUENCE_SCAN_SHARE of a segment reads the whole
# ``sequence`` column in one pass of ``find`` instead of one ``find`` per candidate.
SEQUENCE_SCAN_SHARE = 4
_UNSEEN = object()
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9 ]+")
_WORDS_ONLY = re.compile(r"\w+")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO"})
MAX_SUGGESTED_WORDS = 4
# Wall-clock budgets: a search (or a facet count) that would take longer is cut short and
# says so, so that one pathological query (a phrase of two very common words on 100,000
# resources takes seconds) cannot hold the index for the next keystroke.
SEARCH_SECONDS = 1.5
FACET_SECONDS = 1.5
LOCK_WAIT_SECONDS = 300.0
# The index's ``order`` field: category rank * ORDER_STRIDE + a key within the category. A build
# spreads a category's keys evenly over its stride, so that a resource added later between two
# others gets a key between theirs and nothing else moves (``_keys_within``).
ORDER_STRIDE = 10_000_000
# An in-place update commits without merging segments until there are this many or more.
UPDATE_SEGMENTS = 8
# Then it merges earlier updates' small segments, smallest first, up to this many documents in all:
# the segment of a whole changed file (thousands of documents, seconds to rewrite) is left as it is,
# so an ordinary edit never pays for it ...
MERGE_BUDGET = 1_000
# ... unless the index has this many segments: then every small segment is merged.
MAX_SEGMENTS = 24
# Re-index changed category files in place unless they hold more than this share of the catalogue.
INCREMENTAL_MAX_SHARE = 0.5
# A full build of at least this many resources runs in two processes (when two CPUs are there).
PARALLEL_MIN_RESOURCES = 5_000
# How many processes a full build may use: None picks 2 on Linux with two CPUs or more, else 1.
INDEX_PROCESSES: int | None = None
# An in-place update adding at least this many resources splits them across two processes too.
PARALLEL_UPDATE_MIN = 1_000
# An in-place update deleting at least this many resources finds them by reading their
# categories' documents (whose stored fields it reads anyway) rather than by one id lookup each.
DELETE_SCAN_MIN = 200
# What an update's own process does besides adding its share, in resources added (for splitting
# the work with its helper; measured at 100,000 resources, a 5,713-resource file changed
# wholesale): deleting one resource, writing the parse-cache entry of one record of a file read,
# and checking the index and reading its vocabulary once.
DELETE_COST = 0.11
CACHE_COST = 0.045
UPDATE_CHECK_COST = 120
# The process that parsed half the changes and goes on as the helper (``_Pipelined``) has
# already made its documents while this process planned: about this many additions ahead.
PIPELINE_HEAD_START = 400


# Words: runs of word characters joined by single dots. (Whoosh's default RegexTokenizer takes
# ``*`` as a word character too: ``[\w\*]+(\.?[\w\*]+)*``.) Written ``\w+(\.?\w+)*`` until
# schema 8; the first ``\w+`` takes every word character it can, so the group can only go on
# after a dot and the dot need not be optional: the same matches, found about an eighth faster.
_WORD_PATTERN = re.compile(r"\w+(?:\.\w+)*", re.UNICODE)
# Encoded posting values (most words occur once or twice in a field), see ``_value_encoder``.
_POSITION_CACHE_LIMIT = 100_000
_STEM_CACHE_LIMIT = 200_000


class _StemCache(dict[str, str]):
    """Porter stems of folded words, shared by every analyzer (a catalogue has a few tens of
    thousands). ``_STEMS[word]`` works a missing one out, so a whole list of words is stemmed
    by one ``map`` of ``__getitem__``."""

    def __missing__(self, word: str) -> str:
        if len(self) >= _STEM_CACHE_LIMIT:
            self.clear()
        stem: str = porter_stem(word)
        self[word] = stem
        return stem


_STEMS = _StemCache()
_stem = _STEMS.__getitem__


class _PositionValues:
    """Positions -> the posting value a positions format writes for them, cached."""

    def __init__(self, encode: Callable[[list[int]], bytes]) -> None:
        self._encode = encode
        self._single: dict[int, bytes] = {}  # bounded by the longest field (a few thousand words)
        self._many: dict[tuple[int, ...], bytes] = {}

    def __call__(self, positions: list[int]) -> bytes:
        if len(positions) == 1:
            single = self._single.get(positions[0])
            if single is None:
                single = self._single[positions[0]] = self._encode(positions)
            return single
        key = tuple(positions)
        value = self._many.get(key)
        if value is None:
            if len(self._many) >= _POSITION_CACHE_LIMIT:
                self._many.clear()
            value = self._many[key] = self._encode(positions)
        return value


class _FrequencyValues:
    """Positions -> the posting value Whoosh's ``Frequency`` format writes (the count), cached."""

    def __init__(self) -> None:
        self._values: dict[int, bytes] = {}

    def __call__(self, positions: list[int]) -> bytes:
        count = len(positions)
        value = self._values.get(count)
        if value is None:
            value = self._values[count] = _pack_uint(count)
        return value


_FREQUENCY_BYTES = {count: _pack_uint(count) for count in range(1, 256)}
_ENCODERS: dict[type, Callable[[list[int]], bytes]] = {}


def _value_encoder(format_: Any) -> Callable[[list[int]], bytes] | None:
    """How a word field's format turns a term's positions into its posting value (byte for byte
    what the format's ``word_values`` writes), or None for a format this module does not know."""
    kind = type(format_)
    encoder = _ENCODERS.get(kind)
    if encoder is None:
        if kind is formats.Frequency:
            encoder = _FrequencyValues()
        elif kind is formats.Positions or kind is _BitPositions:
            encoder = _PositionValues(kind().encode)
        else:
            return None
        _ENCODERS[kind] = encoder
    return encoder


def _encode_positions(positions: list[int]) -> bytes:
    """The posting value Whoosh's ``Positions`` format writes for these positions."""
    encoder = _value_encoder(formats.Positions())
    assert encoder is not None
    return encoder(positions)


class _Analysed:
    """A field value analysed ahead of ``add_document`` (its words also feed the vocabulary)."""

    __slots__ = ("_first", "_kept", "_positions", "_words", "size", "terms", "text")

    def __init__(
        self,
        text: str,
        positions: dict[str, list[int]] | None,
        kept: list[str],
        terms: list[str] | None = None,
        first: int = 0,
        size: int | None = None,
    ) -> None:
        self.text = text
        self._positions = positions
        self._kept = kept  # the folded words before stemming, stop words left out, in order
        self._words: set[str] | None = None
        self.terms = terms or []  # the indexed terms in reading order (consecutive positions)
        self._first = first  # the position of the first term
        self.size = len(kept) if size is None else size  # the words before the stop filter

    @classmethod
    def joined(cls, text: str, parts: Sequence[_Analysed]) -> _Analysed:
        """The analysis of ``text``, made of these parts' texts joined by line breaks (no word
        spans one), from theirs: their words and terms one after the other, the first term
        where the first part with a term puts it."""
        kept: list[str] = []
        terms: list[str] = []
        first = offset = 0
        found = False
        for part in parts:
            if not found and part.terms:
                first, found = offset + part._first, True
            offset += part.size
            kept += part._kept
            terms += part.terms
        return cls(text, None, kept, terms, first, offset)

    @property
    def words(self) -> set[str]:
        """The folded words before stemming, stop words left out (worked out on first use: an
        update does not count the words of a resource it replaces)."""
        if self._words is None:
            self._words = set(self._kept)
        return self._words

    @property
    def positions(self) -> dict[str, list[int]]:
        """Indexed term -> its positions (worked out on first use: a field that keeps only
        frequencies needs ``counts``)."""
        if self._positions is None:
            positions: dict[str, list[int]] = {}
            for pos, term in enumerate(self.terms, self._first):
                found = positions.get(term)
                if found is None:
                    positions[term] = [pos]
                else:
                    found.append(pos)
            self._positions = positions
        return self._positions

    def counts(self) -> dict[str, int]:
        """Indexed term -> how many times it occurs (in the order of ``positions``)."""
        if self._positions is not None:
            return {term: len(where) for term, where in self._positions.items()}
        return Counter(self.terms)


def _STOPPED(word: str) -> bool:
    """Whether the stop filter drops a folded word: a stop word, or nothing left once folded."""
    return not word or word in STOP_WORDS


_STOP_WORD = STOP_WORDS.__contains__


class WordAnalyzer(Analyzer):  # type: ignore[misc]
    """One-pass analyzer: words, lower case, accents folded, then optionally stop words and stems.

    Gives exactly the tokens of ``RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)``
    followed by ``StopFilter(minsize=1)`` (``stop``) and ``StemFilter()`` (``stem``), positions
    included (the stop filter renumbers them), without a generator and a Token per filter.
    Unusual calls (``tokenize=False``, ``removestops=False``, ``keeporiginal``) go to that chain.
    """

    def __init__(self, stop: bool = True, stem: bool = True) -> None:
        self.stop = stop
        self.stem = stem

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordAnalyzer) and (other.stop, other.stem) == (self.stop, self.stem)

    def __hash__(self) -> int:
        return hash((self.stop, self.stem))

    def __repr__(self) -> str:
        return f"WordAnalyzer(stop={self.stop}, stem={self.stem})"

    def __getstate__(self) -> dict[str, Any]:
        return {"stop": self.stop, "stem": self.stem}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.stop = bool(state.get("stop", True))
        self.stem = bool(state.get("stem", True))

    def has_morph(self) -> bool:
        return self.stem

    def chain(self) -> Any:
        """The Whoosh filter chain this analyzer reproduces (for unusual calls and for tests)."""
        chain = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
        if self.stop:
            chain = chain | StopFilter(minsize=1)
        if self.stem:
            chain = chain | StemFilter(cachesize=50_000)
        return chain

    def _words(self, value: str) -> list[tuple[int, str, re.Match[str]]]:
        """(tokenizer position, folded word, match) of every word kept by the stop list."""
        stops = STOP_WORDS if self.stop else None
        ascii_only = value.isascii()
        out = []
        for i, match in enumerate(_WORD_PATTERN.finditer(value)):
            word = match.group(0).lower()
            if not ascii_only:
                word = word.translate(accent_map)
            if stops is not None and (not word or word in stops):
                continue
            out.append((i, word, match))
        return out

    def words(self, value: str) -> set[str]:
        """``analyse(value).words`` alone: the folded words, stop words left out."""
        if value.isascii():
            found = _WORD_PATTERN.findall(value.lower())
        else:
            found = [
                w.lower() if w.isascii() else w.lower().translate(accent_map)
                for w in _WORD_PATTERN.findall(value)
            ]
        out = set(found)
        if self.stop:
            out.discard("")
            out -= STOP_WORDS
        return out

    def analyse(self, value: str) -> _Analysed:
        """Term -> positions (as ``Positions.word_values`` sees them) and the folded words."""
        ascii_only = value.isascii()
        if ascii_only:
            words = _WORD_PATTERN.findall(value.lower())
        else:
            words = [
                w.lower() if w.isascii() else w.lower().translate(accent_map)
                for w in _WORD_PATTERN.findall(value)
            ]
        first = 0
        if self.stop:
            kept = list(filterfalse(_STOP_WORD, words))
            if not ascii_only:  # folding can leave nothing of a word (combining marks only)
                kept = [w for w in kept if w]
            if len(kept) != len(words) and kept:
                # The stop filter renumbers: the first kept word keeps its place, the rest follow it.
                first = next(i for i, w in enumerate(words) if not _STOPPED(w))
        else:
            kept = words
        terms = list(map(_stem, kept)) if self.stem else kept
        return _Analysed(value, None, kept, terms, first, len(words))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Any]:
        if not tokenize or keeporiginal or (self.stop and not removestops):
            chain = self.chain()
            yield from chain(
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                no_morph=no_morph,
                **kwargs,
            )
            return
        stem = self.stem and not no_morph
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = -1
        for i, word, match in self._words(value):
            token.text = _stem(word) if stem else word
            token.boost = 1.0
            token.stopped = False
            if positions:
                pos = (i if pos < 0 else pos + 1) if self.stop else i
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class WordField(fields.TEXT):  # type: ignore[misc]
    """A TEXT field indexed through ``WordAnalyzer.analyse`` (or a value analysed beforehand)."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        analyzer = self.analyzer
        encode = _value_encoder(self.format)
        if encode is None or not isinstance(analyzer, WordAnalyzer):  # Whoosh's own way
            return super().index(value.text if isinstance(value, _Analysed) else value, **kwargs)
        analysed = value if isinstance(value, _Analysed) else analyzer.analyse(value)
        boost = self.format.field_boost
        return [
            (term.encode("utf-8"), len(where), len(where) * boost, encode(where))
            for term, where in analysed.positions.items()
        ]


def _word_encoder(field_: Any) -> Callable[[list[int]], bytes] | None:
    """The posting-value encoder of a word field indexed through ``WordAnalyzer``, else None."""
    if isinstance(field_, WordField) and isinstance(field_.analyzer, WordAnalyzer):
        return _value_encoder(field_.format)
    return None


def _stem_analyzer() -> Any:
    return WordAnalyzer(stop=True, stem=True)


def _fold_analyzer(stop: bool = False) -> Any:
    return WordAnalyzer(stop=stop, stem=False)


def _lower_id_analyzer() -> Any:
    from whoosh.analysis import IDTokenizer

    return IDTokenizer() | LowercaseFilter()


class _SequenceField(fields.COLUMN):  # type: ignore[misc]
    """The indexed words of ``text`` in reading order, one byte string per resource: `` a b c ``.

    A phrase on ``text`` is its words standing side by side, so it is a substring of this value
    (``b" b c "``), found by one ``find`` on the memory map. Whoosh's way, positions in the
    posting lists, cost a third of the build and hundreds of milliseconds per phrase of common
    words at 100,000 resources (every candidate's positions unpickled).
    """

    def __init__(self) -> None:
        # Offsets always written: a reader then opens without summing every length in Python.
        super().__init__(columns.VarBytesColumn(write_offsets_cutoff=0))

    def to_column_value(self, value: Any) -> bytes:
        if not isinstance(value, _Analysed):
            value = _stem_analyzer().analyse(value)
        return _sequence_bytes(value.terms)

    def from_column_value(self, value: bytes) -> bytes:
        return value


def _sequence_bytes(terms: Sequence[str]) -> bytes:
    return (" " + " ".join(terms) + " ").encode("utf-8") if terms else b""


def _near(spots: Sequence[Sequence[int]], slop: int) -> bool:
    """Whether the words stand in order, each at most ``slop`` places after the one before.

    ``spots`` are the positions of each word of the phrase, in phrase order. With ``slop`` 1 this
    is "side by side"; it gives Whoosh's ``Phrase`` (``SpanNear2(ordered=True, mindist=1)``).
    """
    # Each partial match is (its first position, its last position); keep the distinct ones.
    partial = {(p, p) for p in spots[0]} if spots else set()
    for later in spots[1:]:
        partial = {(start, q) for start, end in partial for q in later if end < q <= end + slop}
        if not partial:
            return False
    return bool(partial)


def _phrase_in(sequence: bytes, words: Sequence[str], slop: int) -> bool:
    """Whether a ``_SequenceField`` value holds the phrase (analysed ``words``) with this slop."""
    if not words:
        return False
    if slop == 1:
        return (" " + " ".join(words) + " ").encode("utf-8") in sequence
    where: dict[str, list[int]] = {w: [] for w in words}
    for pos, term in enumerate(sequence.decode("utf-8").split()):
        found = where.get(term)
        if found is not None:
            found.append(pos)
    return _near([where[w] for w in words], slop)


def _column_only(field: Any) -> Any:
    """A sortable field kept as a column for sorting, with no terms in the index."""
    field.indexed = False
    return field


class _BitPositions(formats.Positions):  # type: ignore[misc]
    """Word positions stored as a bitmap (bit p set: the word stands at position p).

    Whoosh's own format pickles a list of gaps, which costs about 3 µs to read back per
    posting. A bitmap reads back with ``int.from_bytes`` and answers a phrase with shifts and
    ANDs on Python integers (``(first << 1) & second``), which run in C. The 4-byte count in
    front is Whoosh's, so term frequencies read the same way.
    """

    def encode(self, poslist: Sequence[int]) -> bytes:
        bits = 0
        for pos in poslist:
            bits |= 1 << pos
        count: bytes = _pack_uint(len(poslist))
        return count + bits.to_bytes((bits.bit_length() + 7) // 8, "little")

    def decode_positions(self, valuestring: bytes) -> list[int]:
        bits = _position_bits(valuestring)
        positions = []
        while bits:
            low = bits & -bits
            positions.append(low.bit_length() - 1)
            bits ^= low
        return positions


def _position_bits(value: bytes) -> int:
    return int.from_bytes(value[_POSITIONS_AT:], "little")


def _text_field(analyzer: Any, stored: bool = False) -> Any:
    field = WordField(analyzer=analyzer, stored=stored)
    field.format = _BitPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> fields.Schema:
    """The index schema. Bump ``SCHEMA_VERSION`` whenever it changes."""
    stem = _stem_analyzer()
    return fields.Schema(
        id=fields.ID(unique=True, stored=True, sortable=True),
        data=fields.STORED(),
        # Plain words: frequencies only, so a posting block unpickles without a position list per
        # document (about 25 times faster to read); ``sequence`` keeps their order for phrases.
        text=WordField(analyzer=stem, phrase=False),
        sequence=_SequenceField(),
        title=_text_field(stem),
        authors=_text_field(_fold_analyzer()),
        organizations=_text_field(_fold_analyzer()),
        tags=_text_field(stem),
        note=_text_field(stem, stored=True),
        bookmarked=fields.ID(),
        category=fields.ID(analyzer=_lower_id_analyzer(), sortable=True),
        kind=fields.ID(analyzer=_lower_id_analyzer()),
        # One term per year (no trie levels): a catalogue has a few dozen years, so a range
        # query reads a few terms either way, and each resource writes 1 posting instead of 8.
        year=fields.NUMERIC(int, bits=32, shift_step=0),
        # Sort keys live in columns only: nothing searches them, and indexing them cost
        # 17 postings per resource (and a term per resource for each of order and title_sort).
        year_sort=_column_only(fields.NUMERIC(int, bits=32, sortable=True)),
        order=_column_only(fields.NUMERIC(int, bits=32, sortable=True)),
        title_sort=_column_only(fields.ID(sortable=True)),
        # ``is:`` is parsed as a field, then answered from memory (bookmarks, link status).
        **{"is": fields.ID()},
    )


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """What ``ctdc index`` reports about an index."""

    fingerprint: str
    resource_count: int
    built_at: str
    build_seconds: float
    schema_version: int
    whoosh_version: str
    rebuilt: bool = False

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class CatalogueInfo:
    """The catalogue as the app shows it, served from the index manifest."""

    title: str = ""
    description: str = ""
    publishers: tuple[str, ...] = ()
    categories: list[Category] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def category(self, category_id: str) -> Category | None:
        for category in self.categories:
            if category.id == category_id:
                return category
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "description": self.description,
            "publishers": list(self.publishers),
            "categories": [
                {
                    "id": c.id,
                    "name": c.name,
                    "summary": c.summary,
                    "file": c.file,
                    "resource_ids": list(c.resource_ids),
                }
                for c in self.categories
            ],
            "problems": [p.to_json() for p in self.problems],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CatalogueInfo:
        problem_fields = {f.name for f in dataclasses.fields(Problem)}
        return cls(
            title=str(raw.get("title", "")),
            description=str(raw.get("description", "")),
            publishers=tuple(str(p) for p in raw.get("publishers", ())),
            categories=[
                Category(
                    id=str(c["id"]),
                    name=str(c.get("name", "")),
                    summary=str(c.get("summary", "")),
                    resource_ids=tuple(map(str, c.get("resource_ids", ()))),
                    file=str(c.get("file", "")),
                )
                for c in raw.get("categories", ())
            ],
            problems=[
                Problem(**{k: v for k, v in p.items() if k in problem_fields})
                for p in raw.get("problems", ())
            ],
        )

    @classmethod
    def from_catalog(cls, catalog: Catalog, problems: Sequence[Problem]) -> CatalogueInfo:
        return cls(
            title=catalog.title,
            description=catalog.description,
            publishers=tuple(catalog.publishers),
            categories=list(catalog.categories),
            problems=list(problems),
        )


@dataclass(frozen=True, slots=True)
class Highlight:
    """A piece of text and where the matched words are in it."""

    text: str  # the title, or a fragment of the description
    spans: tuple[tuple[int, int], ...] = ()  # [start, end) character offsets of matched terms


def _fresh_keys(rank: int, count: int) -> list[int]:
    """Sort keys for ``count`` resources of the category at ``rank``, evenly spread over its stride."""
    gap = max(1, ORDER_STRIDE // (count + 1))
    return [rank * ORDER_STRIDE + (i + 1) * gap for i in range(count)]


def _sort_keys(categories: Sequence[Category]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for rank, c in enumerate(categories):
        keys.update(zip(c.resource_ids, _fresh_keys(rank, len(c.resource_ids)), strict=True))
    return keys


def _title(res: Resource) -> str:
    return res.title if not res.title_full or res.title_full == res.title else f"{res.title} {res.title_full}"


def _organizations(res: Resource) -> list[str]:
    return [*res.organizations, *([res.publisher] if res.publisher else [])]


def _text_after_title(res: Resource, orgs: Sequence[str], note: str | None) -> list[str]:
    """The parts of a document's ``text`` after the title's copies."""
    return [" ".join(res.tags), " ".join(res.authors), " ".join(orgs), res.description, note or ""]


def _resource_words(res: Resource, analyzer: WordAnalyzer) -> set[str]:
    """The words ``_document(res)``'s text adds to the vocabulary (the title read once, not thrice)."""
    return analyzer.words("\n".join(p for p in _word_parts(res) if p))


def _word_parts(res: Resource) -> list[str]:
    """The texts whose words ``_resource_words`` gives (none of them spans a line break)."""
    return [_title(res), *_text_after_title(res, _organizations(res), None)]


def _words_changed(
    old: Resource, new: Resource, analyzer: WordAnalyzer, memo: dict[str, set[str]] | None = None
) -> tuple[set[str], set[str]]:
    """(words of ``new`` that ``old`` lacks, words of ``old`` that ``new`` lacks), as
    ``_resource_words`` gives them, worked out from the parts that changed.

    The words of a text made of parts are those of its parts (no word spans the line breaks
    between them), so the parts both versions share only decide, for the few words that come or
    go, whether the resource keeps them anyway. A word that is not even a piece of a shared ASCII
    part is not one of its words; otherwise the part's words are worked out (``memo``: text ->
    words, for names and tags that many resources share)."""
    before, after = _word_parts(old), _word_parts(new)
    if before == after:
        return set(), set()
    pairs = list(zip(before, after, strict=True))
    was = analyzer.words("\n".join(p for p, q in pairs if p != q and p))
    now = analyzer.words("\n".join(q for p, q in pairs if p != q and q))
    came, went = now - was, was - now
    for p, q in pairs:
        if not (came or went):
            break
        if p != q or not p:
            continue
        if p.isascii():
            lowered = p.lower()
            if not any(w in lowered for w in came) and not any(w in lowered for w in went):
                continue
        kept = memo.get(p) if memo is not None else None
        if kept is None:
            kept = analyzer.words(p)
            if memo is not None:
                if len(memo) >= _WORDS_MEMO_LIMIT:
                    memo.clear()
                memo[p] = kept
        came -= kept
        went -= kept
    return came, went


_WORDS_MEMO_LIMIT = 50_000


def _document(res: Resource, note: str | None = None, order: int | None = None) -> dict[str, Any]:
    """The Whoosh document of a resource (``note``: the user's bookmark note; ``order``: its sort key)."""
    orgs = _organizations(res)
    title = _title(res)
    parts = [*[title] * TITLE_WEIGHT, *_text_after_title(res, orgs, note)]
    doc: dict[str, Any] = {
        "id": res.id,
        "data": resource_to_json_text(res),
        "text": "\n".join(p for p in parts if p),
        "title": title,
        "authors": "; ".join(res.authors),
        "organizations": "; ".join(orgs),
        "tags": " ".join(res.tags),
        "category": res.category,
        "order": res.order if order is None else order,
        "title_sort": res.title.casefold(),
        "year_sort": res.year if isinstance(res.year, int) else 0,
    }
    doc["sequence"] = doc["text"]
    if res.kind:
        doc["kind"] = res.kind
    if isinstance(res.year, int):
        doc["year"] = res.year
    if note is not None:
        doc["bookmarked"] = "yes"
        doc["note"] = note
    return doc


# ------------------------------------------------------------------ fingerprint


def _catalogue_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and p.is_file()
    )


def _combined_hash(file_hashes: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(file_hashes):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(bytes.fromhex(file_hashes[name]))
    return digest.hexdigest()


class _Source:
    """The catalogue folder, read at most once per open, and only when needed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stats = source_file_stats(folder)
        self._hashes: dict[str, str] | None = None
        self._trusted: dict[str, str] = {}  # hashes of files whose size and time are as recorded
        self._loaded: CatalogueLoad | None = None
        # index manifests read during this open: file -> (its identity then, its content)
        self.manifests: dict[Path, tuple[tuple[int, int, int, int], Any]] = {}

    def trust(self, manifest: Mapping[str, Any]) -> None:
        """Take a manifest's hash of each file whose size and time it recorded unchanged.

        The same trust as a fresh reopen (unchanged sizes and times mean an unchanged
        catalogue): after one file changed, only that file is hashed again.
        """
        stats, hashes = manifest.get("files"), manifest.get("file_hashes")
        if self._hashes is not None or not isinstance(stats, dict) or not isinstance(hashes, dict):
            return
        self._trusted = {
            name: str(hashes[name])
            for name, stat in self.stats.items()
            if stats.get(name) == stat and isinstance(hashes.get(name), str)
        }

    @property
    def file_hashes(self) -> dict[str, str]:
        if self._hashes is None:
            self._hashes = {
                path.name: self._trusted.get(path.name) or hashlib.sha256(path.read_bytes()).hexdigest()
                for path in _catalogue_files(self.folder)
            }
        return self._hashes

    @property
    def fingerprint(self) -> str:
        return _combined_hash(self.file_hashes)

    def load(self) -> tuple[Catalog, list[Problem]]:
        detail = self.load_detail()
        return detail.catalog, detail.problems

    def load_detail(
        self, known: Mapping[str, FileOutline] | None = None, child_work: ChildWork | None = None
    ) -> CatalogueLoad:
        """The whole catalogue, or (with ``known``) only the files that are not known."""
        if self._loaded is not None:
            return self._loaded
        try:
            detail = (
                load_catalog_detail(self.folder, known, defer_cache_writes=True, child_work=child_work)
                if known
                else None
            )
            if detail is None:
                detail = load_catalog_detail(self.folder)
                assert detail is not None  # nothing known: always exact
                self._loaded = detail
        except CtdcError:
            raise
        except Exception as exc:
            raise CtdcError(
                f"cannot read the catalogue in {self.folder}: {exc}",
                "run `ctdc validate` to see what is wrong, or point --data at another folder",
            ) from exc
        return detail


# ---------------------------------------------------------------- index folders


class _Stale(Exception):
    """The index at a location cannot be used as it is (missing, stale, damaged)."""

    def __init__(self, reason: str, damaged: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.damaged = damaged


def _read_manifest(place: Path, source: _Source | None = None) -> dict[str, Any]:
    """The index's manifest, checked. With ``source`` (one open of the index), a manifest file
    that has not changed since that open read it is not read again (4.7 MB at 100,000
    resources: about 15 ms; an update looks at it three times)."""
    path = place / MANIFEST
    if (place / UPDATING).exists():
        raise _Stale(UNFINISHED)
    try:
        if source is None:
            raw = json.loads(path.read_text(encoding="utf-8"))
        else:
            st = path.stat()
            key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            seen = source.manifests.get(path)
            if seen is not None and seen[0] == key:
                raw = seen[1]
            else:
                raw = json.loads(path.read_text(encoding="utf-8"))
                source.manifests[path] = (key, raw)
    except FileNotFoundError:
        raise _Stale("no index yet") from None
    except (OSError, ValueError) as exc:
        raise _Stale(f"its manifest is unreadable ({exc})", damaged=True) from None
    if not isinstance(raw, dict) or raw.get("app") != MANIFEST_APP:
        raise _Stale("its manifest was not written by ctdc-tui", damaged=True)
    if raw.get("schema_version") != SCHEMA_VERSION or raw.get("whoosh_version") != WHOOSH_VERSION:
        raise _Stale("it was built by another version of ctdc-tui or Whoosh")
    return raw


def _check_fresh(place: Path, manifest: dict[str, Any], source: _Source) -> None:
    if manifest.get("files") == source.stats:
        return
    source.trust(manifest)  # hash only the files whose size or time changed
    if manifest.get("fingerprint") != source.fingerprint:
        raise _Stale("the catalogue changed")
    # Same content, new times (a checkout, a copy): remember the new times.
    with contextlib.suppress(OSError):
        atomic_write_text(
            place / MANIFEST, json.dumps({**manifest, "files": source.stats}, ensure_ascii=False)
        )


def _probe(ix: Any, manifest: Mapping[str, Any]) -> None:
    """Make the index prove it can answer (Whoosh checks nothing when it opens one)."""
    with ix.searcher() as searcher:
        count = searcher.doc_count()
        if count != manifest.get("resource_count"):
            raise _Stale(
                f"it holds {count} resources, its manifest says {manifest.get('resource_count')}", True
            )
        if count:
            reader = searcher.reader()
            last = searcher.doc_count_all() - 1
            for docnum in {0, last}:
                if not reader.is_deleted(docnum):
                    resource_from_json_text(reader.stored_fields(docnum)["data"])
            for name in ("title", "text"):
                for text in reader.lexicon(name):
                    list(searcher.search(query.Term(name, text.decode("utf-8")), limit=3))
                    break
            for name in ("order", "category"):  # the sort and facet columns (cheaper than a sorted search)
                column = reader.column_reader(name)
                _ = (column[0], column[last])


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector off while an index is built or updated.

    Indexing makes millions of short-lived objects and no reference cycles to speak of, so the
    collector finds nothing; but each of its full passes walks every object alive, the whole
    catalogue included (about a tenth of an update's CPU at 100,000 resources). Processes forked
    meanwhile inherit the setting. If another thread paused it first, that thread turns it back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """An exclusive lock across processes (released by the OS if we die: no stale locks)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the atomic swap alone protects readers
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class _Lengths:
    """The new segment's per-document reader, with field lengths read once per field.

    While writing postings Whoosh asks for the length of the field of every posting; its reader
    checks that the column file exists (a ``stat``) and reads one byte through the file layer each
    time. Here each field's column is read once into a list.
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[str, list[int | None] | None] = {}

    def field_lengths(self, fieldname: str) -> list[int | None] | None:
        """Every document's length of this field (None: the field keeps no lengths)."""
        if fieldname not in self._lengths:
            self._lengths[fieldname] = self._load(fieldname)
        return self._lengths[fieldname]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self.field_lengths(fieldname)
        if lengths is None:
            return default
        return lengths[docnum]

    def _load(self, fieldname: str) -> list[int | None] | None:
        column = _lenfield(fieldname)
        if not self._reader.has_column(column):
            return None
        values = self._reader.column_reader(column, _LENGTHS_COLUMN)
        raw = _raw_column(values, self._reader.doc_count_all())  # the whole column in one read
        # Same as Whoosh's reader: a zero byte reads as None, the rest as the length it encodes.
        return list(map(_LENGTH_OF_BYTE.__getitem__, values if raw is None else raw))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


_LENGTH_OF_BYTE: list[int | None] = [None, *(_byte_to_length(b) for b in range(1, 256))]
_Postings = tuple["array[int]", "array[float]", list[bytes | None]]  # documents, weights, values
_Words = tuple["array[int]", "array[int]", list[bytes | None]]  # documents, frequencies, values


class _MemoryPool:
    """Postings kept per field and term in memory, in place of Whoosh's sorting pool.

    Whoosh's pool holds one tuple per posting, sorts them all at commit and, past ``limitmb``,
    spills sorted runs to temporary files and merges them back. Grouping by term as postings
    arrive leaves only the terms to sort, and a posting costs a few array slots. Word fields
    (``add_words``) are kept by term text and turned into Whoosh's form once per term at commit.
    """

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self._fields: dict[str, dict[bytes, _Postings]] = {}
        self._words: dict[str, dict[str, _Words]] = {}
        self._counts: dict[str, dict[str, tuple[array[int], array[int]]]] = {}  # frequencies only
        self._unordered = False  # True once postings may have come in out of document order

    def _terms(self, fieldname: str) -> dict[bytes, _Postings]:
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting (Whoosh's interface, used when segments are merged)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self._unordered = True
        self.add_field(fieldname, [(tbytes, 0, weight, vbytes)], docnum)

    def add_field(self, fieldname: str, items: Any, docnum: int) -> int:
        """The postings of one field of one document; returns the sum of their frequencies."""
        terms = self._terms(fieldname)
        length = 0
        for tbytes, freq, weight, vbytes in items:
            length += freq
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("d"), [])
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes)
        return length

    def add_words(
        self,
        fieldname: str,
        positions: Mapping[str, list[int]],
        docnum: int,
        encode: Callable[[list[int]], bytes],
    ) -> int:
        """A word field of one document (term -> positions); returns its length in words."""
        terms = self._words.get(fieldname)
        if terms is None:
            terms = self._words[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = 0
        for term, where in positions.items():
            count = len(where)
            length += count
            entry = terms.get(term)
            if entry is None:
                entry = terms[term] = (array("I"), array("I"), [])
            entry[0].append(docnum)
            entry[1].append(count)
            entry[2].append(encode(where))
        return length

    def add_counts(self, fieldname: str, counts: Mapping[str, int], docnum: int) -> int:
        """A word field that keeps frequencies only (term -> count); returns its length in words."""
        terms = self._counts.get(fieldname)
        if terms is None:
            terms = self._counts[fieldname] = {}
            self.fieldnames.add(fieldname)
        for term, count in counts.items():  # the posting values come from the counts at commit
            entry = terms.get(term)
            if entry is None:
                entry = terms[term] = (array("I"), array("I"))
            entry[0].append(docnum)
            entry[1].append(count)
        return sum(counts.values())

    def _settle(self, schema: Any) -> None:
        """Fold the word fields into the byte-keyed postings (weights as Whoosh computes them)."""
        known = _FREQUENCY_BYTES
        value_of = known.__getitem__
        for fieldname, counted in self._counts.items():
            words = self._words.setdefault(fieldname, {})
            for term, (docs, counts) in counted.items():
                try:
                    values = list(map(value_of, counts))
                except KeyError:  # a word more than 255 times in one document
                    values = [known.get(count) or _pack_uint(count) for count in counts]
                found = words.get(term)
                if found is None:
                    words[term] = (docs, counts, values)
                else:  # pragma: no cover - a field indexed with positions and with counts
                    self._unordered = True
                    found[0].extend(docs)
                    found[1].extend(counts)
                    found[2].extend(values)
        self._counts.clear()
        for fieldname, words in self._words.items():
            boost = schema[fieldname].format.field_boost
            terms = self._terms(fieldname)
            for term, (docs, counts, values) in words.items():
                # A weight is the count times the field's boost (1 for every field here, when
                # the counts convert in C).
                if boost == 1:
                    weights = array("d", counts.tolist())
                else:
                    weights = array("d", [count * boost for count in counts])
                tbytes = term.encode("utf-8")
                entry = terms.get(tbytes)
                if entry is None:
                    terms[tbytes] = (docs, weights, values)  # (the lists are this pool's own)
                else:  # also merged in from another segment
                    self._unordered = True
                    entry[0].extend(docs)
                    entry[1].extend(weights)
                    entry[2].extend(values)
        self._words.clear()

    def _sorted(self, terms: dict[bytes, _Postings]) -> Iterator[tuple[bytes, _Postings]]:
        for tbytes in sorted(terms):
            docs, weights, values = terms[tbytes]
            if self._unordered and any(docs[i] > docs[i + 1] for i in range(len(docs) - 1)):
                order = sorted(range(len(docs)), key=docs.__getitem__)
                docs = array("I", [docs[i] for i in order])
                weights = array("d", [weights[i] for i in order])
                values = [values[i] for i in order]
            yield tbytes, (docs, weights, values)

    def iter_postings(self, schema: Any = None) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        """Every posting in (field, term, document) order, as Whoosh's field writer wants them."""
        if self._words or self._counts:
            if schema is None:
                raise ValueError("word fields need the schema")
            self._settle(schema)
        for fieldname in sorted(self._fields):
            for tbytes, (docs, weights, values) in self._sorted(self._fields[fieldname]):
                for i in range(len(docs)):
                    yield fieldname, tbytes, docs[i], weights[i], values[i]

    def write(self, schema: Any, fieldwriter: Any, lengths: _Lengths | None) -> None:
        """Write every posting list: the bytes Whoosh's field writer writes (``_write_postings``)."""
        self._settle(schema)
        for fieldname in sorted(self._fields):
            fieldwriter.start_field(fieldname, schema[fieldname])
            field_lengths = lengths.field_lengths(fieldname) if lengths is not None else None
            _write_postings(fieldwriter, self._sorted(self._fields[fieldname]), field_lengths)
            fieldwriter.finish_field()

    def write_through_whoosh(self, schema: Any, fieldwriter: Any, lengths: _Lengths | None) -> None:
        """``write`` through Whoosh's posting writer, a block at a time (what tests compare with)."""
        self._settle(schema)
        for fieldname in sorted(self._fields):
            fieldwriter.start_field(fieldname, schema[fieldname])
            field_lengths = lengths.field_lengths(fieldname) if lengths is not None else None
            for tbytes, (docs, weights, values) in self._sorted(self._fields[fieldname]):
                fieldwriter.start_term(tbytes)
                _add_postings(fieldwriter._postwriter, docs, weights, values, field_lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        self._fields.clear()
        self._words.clear()
        self._counts.clear()


_TERM_INFO = W3TermInfo._struct.pack
_BUFFER_BYTES = 1 << 20


def _write_postings(
    fieldwriter: Any, terms: Iterator[tuple[bytes, _Postings]], lengths: list[int | None] | None
) -> None:
    """The posting lists of one field, byte for byte as Whoosh's ``W3FieldWriter`` writes them
    (``start_term``, ``add_posting`` per posting, ``finish_term``), without its objects per
    term and block: blocks of at most ``blocklimit`` postings, each a pickled header and a pickled
    (and compressed, as the codec says) tuple of ids, weights and values; then the term's
    statistics in the term table. Never inlined (Whoosh's ``inlinelimit`` 1 inlines nothing)."""
    postwriter = fieldwriter._postwriter
    limit = postwriter._blocklimit
    level = postwriter._compression
    fixed = fieldwriter._format.fixed_value_size()
    postfile = fieldwriter._postfile
    entries: list[tuple[bytes, bytes]] = []  # the term table's, written together at the end
    add_term = entries.append
    prefix = _pack_ushort(fieldwriter._fieldid)
    to_byte = _length_to_byte
    length_of = lengths.__getitem__ if lengths is not None else None
    compress = zlib.compress
    out = bytearray()
    base = postfile.tell()
    for tbytes, (docs, weights, values) in terms:
        start = base + len(out)
        out += WHOOSH3_HEADER_MAGIC
        total = len(docs)
        term_weight: float = 0
        term_min: int | None = None
        term_max = 0
        term_top: float = 0
        for first in range(0, total, limit):
            end = min(total, first + limit)
            ids = docs[first:end]
            chunk = weights[first:end].tolist()
            stored = array("f", chunk)  # Whoosh keeps block weights as 32-bit floats
            top: float = 0
            high = max(chunk)
            if high > top:
                top = high
            low_length: int | None = None
            high_length = 0
            if length_of is not None:
                found = list(filter(None, map(length_of, ids)))
                if found:
                    low_length = min(found)
                    high_length = max(found)
            # The block's statistics, as ``W3TermInfo.add_block`` adds them up.
            term_weight += sum(stored)
            if term_min is None:
                term_min = low_length
            elif low_length is not None:
                term_min = min(term_min, low_length)
            term_max = max(term_max, high_length)
            term_top = max(term_top, top)
            # ``_mini_ids``, ``_mini_weights``, ``_mini_values``.
            count = end - first
            mini_ids = tuple(ids)
            if count > 1:
                mini_ids = (mini_ids[0], *map(_minus, mini_ids[1:], mini_ids))
            w0 = stored[0]
            if stored.count(1.0) == count:
                mini_weights: Any = None
            elif stored.count(w0) == count:
                mini_weights = w0
            else:
                mini_weights = tuple(stored)
            kept = list(filter(None, values[first:end]))
            if fixed is None or fixed < 0:
                mini_values: Any = tuple(kept)
            elif fixed == 0:
                mini_values = None
            else:
                mini_values = b"".join(kept)
            data = pickle.dumps((mini_ids, mini_weights, mini_values), 2)
            if level:
                data = compress(data, level)
            header = (end - first, ids[-1], top, level, to_byte(low_length), to_byte(high_length))
            info = pickle.dumps(header, 2)
            size = len(info) + len(data)
            out += _pack_int(-size if end == total else size)
            out += info
            out += data
        length = base + len(out) - start
        add_term(
            (
                prefix + tbytes,
                _TERM_INFO(
                    False,
                    term_weight,
                    total,
                    0 if term_min is None else to_byte(term_min),
                    to_byte(term_max),
                    term_top,
                    docs[0],
                    docs[-1],
                )
                + _pack_long(start)
                + _pack_int(length),
            )
        )
        if len(out) >= _BUFFER_BYTES:
            postfile.write(bytes(out))
            base = postfile.tell()
            out.clear()
    if out:
        postfile.write(bytes(out))
    _add_terms(fieldwriter._tindex, entries)


_TERM_LENGTHS = struct.Struct("!ii")  # a term table record's key and value lengths


def _add_terms(table: Any, entries: Sequence[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` of each (key, value), in order, byte for byte, in one write: the
    positions are counted here instead of asked of the file twice per term, and each key's MD5
    hash is read from its digest's last four bytes (Whoosh's ``md5_hash`` takes them from the hex
    digest)."""
    if type(table) is not OrderedHashWriter or table.hashfn is not md5_hash:
        for key, value in entries:  # pragma: no cover - another table or hash
            table.add(key, value)
        return
    dbfile = table.dbfile
    position = dbfile.tell()
    last = table.lastkey
    index = table.index.append
    buckets = table.buckets
    pack = _TERM_LENGTHS.pack
    out = bytearray()
    for key, value in entries:
        if key <= last:
            raise ValueError(f"Keys must increase: {last!r}..{key!r}")
        index(position)
        out += pack(len(key), len(value))
        out += key
        out += value
        h = int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[12:], "big")
        buckets[h & 255].append((h, position))
        position += 8 + len(key) + len(value)
        last = key
    dbfile.write(bytes(out))
    table.lastkey = last


def _add_postings(
    writer: Any,
    docs: array[int],
    weights: array[float],
    values: list[bytes | None],
    lengths: list[int | None] | None,
) -> None:
    """``W3PostingsWriter.add_posting`` for a whole posting list: the same blocks and statistics."""
    limit = writer._blocklimit
    total = len(docs)
    start = 0
    while start < total:
        if len(writer._ids) >= limit:
            writer._write_block()
        end = min(total, start + limit - len(writer._ids))
        writer._ids.extend(docs[start:end])
        chunk = weights[start:end].tolist()
        writer._weights.fromlist(chunk)
        top = max(chunk)
        if top > writer._maxweight:
            writer._maxweight = top
        writer._values.extend(filter(None, values[start:end]))
        if lengths is not None:
            found = list(filter(None, map(lengths.__getitem__, docs[start:end])))
            if found:
                low = min(found)
                if writer._minlength is None or low < writer._minlength:
                    writer._minlength = low
                high = max(found)
                if high > writer._maxlength:
                    writer._maxlength = high
        start = end


class _Writer(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer with an in-memory posting pool and a shorter ``add_document``.

    ``add_document`` does what Whoosh's does for the documents ``_document`` makes (indexed,
    stored and column values); anything else (boosts, ``_stored_`` values, spelling or vector
    fields) goes to Whoosh's own. Field lengths are read once per field at commit (``_Lengths``).
    """

    segments: list[Any]  # Whoosh's: the index's segments as this writer found them

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if getattr(self.codec, "_compression", None) == 0:
            _store_without_zlib(self.perdocwriter)
        whoosh_pool: Any = self.pool
        whoosh_pool.cleanup()
        self.pool: Any = _MemoryPool()
        self._indexed: dict[tuple[str, Any], list[Any]] = {}  # (field, value) -> its postings
        self._plans: dict[str, Any] = {}  # field name -> how add_document handles it
        self._columns: dict[str, Any] = {}  # column name -> its writer, once created

    def per_document_reader(self) -> Any:
        return _Lengths(super().per_document_reader())

    def commit_with(self, segments: Sequence[Any], mergetype: Any = NO_MERGE) -> None:
        """``commit()``, adding segments that other processes wrote into the same storage."""
        self.commit_segments([*self.close_own(mergetype), *segments])

    def close_own(self, mergetype: Any = NO_MERGE) -> list[Any]:
        """The first half of ``commit()``: merge (as ``mergetype`` decides) and write this writer's
        segment; returns the segments to commit. Nothing is visible until ``commit_segments``."""
        self._check_state()
        # A segment whose documents are all deleted (a file's earlier version, replaced
        # wholesale) holds nothing: it leaves the index now instead of waiting for a merge,
        # which would read all of its postings to keep none of them.
        self.segments = [s for s in self.segments if s.doc_count() > 0]
        final: list[Any] = self._merge_segments(mergetype, None, None)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        return final

    def commit_segments(self, segments: Sequence[Any]) -> None:
        """The second half of ``commit()``: write the table of contents naming these segments."""
        self._commit_toc(list(segments))
        self._finish()

    def _flush_segment(self) -> None:
        fieldwriter = self.fieldwriter
        pool: Any = self.pool
        if not isinstance(fieldwriter, W3FieldWriter) or not isinstance(pool, _MemoryPool):
            super()._flush_segment()  # pragma: no cover - another codec
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        pool.write(self.schema, fieldwriter, lengths)
        fieldwriter.close()
        if lengths is not None:
            lengths.close()

    def _field_plan(self, name: str) -> tuple[Any, ...] | None:
        """How ``add_document`` handles a field (worked out once per writer); None: Whoosh's way."""
        plan = self._plans.get(name, _UNSEEN)
        if plan is _UNSEEN:
            schema = self.schema
            plan = None
            if not name.startswith("_") and name in schema:
                field_ = schema[name]
                if not (field_.vector or field_.separate_spelling()):
                    encode = _word_encoder(field_) if field_.indexed else None
                    plan = (
                        field_,
                        field_.indexed,
                        encode,
                        type(encode) is _FrequencyValues,
                        name in _REPEATED_FIELDS,
                        field_.stored,
                        field_.scorable,
                        field_.column_type,
                        isinstance(field_, _SequenceField),
                        _lenfield(name),
                    )
            self._plans[name] = plan
        return plan  # type: ignore[no-any-return]

    def add_document(self, **fields_: Any) -> None:
        names = sorted(fields_)
        plans: list[Any] = [self._field_plan(name) for name in names]
        if None in plans:
            super().add_document(**fields_)
            return
        self._check_state()
        perdoc = self.perdocwriter
        docnum = self.docnum
        pool = self.pool
        add_field = pool.add_field
        add_words = pool.add_words
        add_counts = pool.add_counts
        # Whoosh's per-document writer, its steps done here: stored values, field lengths and
        # columns (each column's writer looked up once, after the first value created it).
        w3 = type(perdoc) is W3PerDocWriter
        columns = self._columns
        perdoc.start_doc(docnum)
        try:
            stored_values = perdoc._storedfields if w3 else None
            for name, plan in zip(names, plans, strict=True):
                value = fields_[name]
                if value is None:
                    continue
                (
                    field_,
                    indexed,
                    encode,
                    counts_only,
                    repeated,
                    stored,
                    scorable,
                    column,
                    sequence,
                    lenname,
                ) = plan
                analysed = value if isinstance(value, _Analysed) else None
                if analysed is not None:
                    value = analysed.text
                length = 0
                if indexed:
                    if encode is not None and isinstance(value, str):
                        if analysed is None:
                            analysed = field_.analyzer.analyse(value)
                        if counts_only:
                            length = add_counts(name, analysed.counts(), docnum)
                        else:
                            length = add_words(name, analysed.positions, docnum, encode)
                    elif repeated:  # a few distinct values: index each once
                        key = (name, value)
                        items = self._indexed.get(key)
                        if items is None:
                            if len(self._indexed) >= _POSITION_CACHE_LIMIT:
                                self._indexed.clear()
                            items = self._indexed[key] = list(field_.index(value))
                        length = add_field(name, items, docnum)
                    else:
                        length = add_field(name, field_.index(value), docnum)
                    if not scorable:
                        length = 0
                if stored_values is None:
                    perdoc.add_field(name, field_, value if stored else None, length)
                else:  # ``W3PerDocWriter.add_field``
                    if stored:
                        stored_values[name] = value
                    if length:
                        self._column_value(perdoc, columns, lenname, _LENGTHS_COLUMN, _length_to_byte(length))
                        perdoc._fieldlengths[name] += length
                if column:
                    whole = analysed if sequence and analysed is not None else value
                    if w3:
                        self._column_value(perdoc, columns, name, column, field_.to_column_value(whole))
                    else:
                        perdoc.add_column_value(name, column, field_.to_column_value(whole))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    @staticmethod
    def _column_value(perdoc: Any, columns: dict[str, Any], name: str, column: Any, value: Any) -> None:
        """``perdoc.add_column_value`` with the column's writer remembered."""
        writer = columns.get(name)
        if writer is None:
            perdoc.add_column_value(name, column, value)
            columns[name] = perdoc._colwriters[name]
        else:
            writer.add(perdoc._docnum, value)


# Fields whose values repeat from document to document (``add_document`` indexes each value once).
_REPEATED_FIELDS = frozenset({"category", "kind", "year", "bookmarked"})


# An update's segments are small and written while the user waits: their posting blocks are
# stored without zlib (about a quarter of writing them), which Whoosh's reader reads as is.
_UNCOMPRESSED: dict[str, Any] = {"codec": W3Codec(compression=0)}


def _store_without_zlib(perdoc: Any) -> None:
    """Stored fields at zlib level 0 (a stored block) in this per-document writer's segment:
    compressing a resource's 1 to 2 KB at level 3 costs about 25 µs, mostly setting zlib up, a
    twentieth of indexing it. Whoosh's reader decompresses any level."""
    stored = getattr(perdoc, "_colwriters", {}).get("_stored")
    child = getattr(stored, "_child", None)
    if child is not None and hasattr(child, "_level"):
        child._level = 0


def _writer(ix: Any, **kwargs: Any) -> Any:
    return _Writer(ix, **kwargs)


def _add_resources(
    writer: Any,
    resources: Sequence[Resource],
    keys: Mapping[str, int],
    vocabulary: Counter[str],
    on_done: Callable[[int], None] | None = None,
    replaced: Collection[str] = (),
) -> None:
    """Add these resources to the writer and count their words into ``vocabulary`` (except
    those of ``replaced`` resources: the update counts what their new version changes)."""
    analyzer = _stem_analyzer()
    step = max(1, min(500, len(resources) // 100))
    for done, res in enumerate(resources, 1):
        doc = _prepared(res, analyzer, keys.get(res.id))
        if res.id not in replaced:  # one analysis of the text serves the index and the vocabulary
            vocabulary.update(doc["text"].words)
        writer.add_document(**doc)
        if on_done is not None and (done % step == 0 or done == len(resources)):
            on_done(done)


def _build_processes() -> int:
    if INDEX_PROCESSES is not None:
        return max(1, INDEX_PROCESSES)
    if not sys.platform.startswith("linux"):  # fork is only dependable on Linux
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover
        cpus = os.cpu_count() or 1
    return 2 if cpus >= 2 else 1


def _helper_main(
    ix: Any,
    resources: Sequence[Resource],
    keys: Mapping[str, int],
    conn: Any,
    done: Any,
    compress: bool,
    replaced: Collection[str] = (),
) -> None:
    """In the forked helper: write these resources as a segment of their own and send it back."""
    writer = None
    try:
        writer = _Writer(ix, _lk=False, **({} if compress else _UNCOMPRESSED))
        vocabulary: Counter[str] = Counter()

        def report(n: int) -> None:
            done.value = n

        _add_resources(writer, resources, keys, vocabulary, report, replaced)
        segment = writer._finalize_segment()
        conn.send(("ok", segment, dict(vocabulary)))
    except BaseException as exc:  # the parent indexes these resources itself
        if writer is not None:
            with contextlib.suppress(Exception):
                writer._close_segment()
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}", None))
    finally:
        conn.close()


def _segment_here(
    ix: Any,
    resources: Sequence[Resource],
    keys: Mapping[str, int],
    on_done: Callable[[int], None] | None,
    replaced: Collection[str],
) -> tuple[Any, dict[str, int]]:
    """What a failed update helper would have sent: its resources as a segment of their own,
    written in this process (uncompressed, as an update writes), and their vocabulary."""
    writer = _Writer(ix, _lk=False, **_UNCOMPRESSED)
    try:
        vocabulary: Counter[str] = Counter()
        _add_resources(writer, resources, keys, vocabulary, on_done, replaced)
        segment = writer._finalize_segment()
    except BaseException:
        with contextlib.suppress(Exception):
            writer._close_segment()
        raise
    finally:
        writer._tempstorage.destroy()
    return segment, dict(vocabulary)


# ``SearchIndex.prefetch`` asks for an index file this much at a time (Linux's usual largest
# read-ahead is 128 KB to 8 MB per request).
PREFETCH_PIECE = 8 << 20

# How long the process that parsed half of a file's changes waits for its share of the update.
PIPELINE_WAIT_SECONDS = 60.0


class _Pipelined:
    """The process that parses the second half of a changed file's records, kept on as the
    update's helper (``load_catalog_detail``'s ``child_work``).

    Once it has sent its records back it makes their documents (``_document`` and the text's
    analysis) while this process puts the catalogue together and plans; then it waits for its
    share (``start``) and writes it as a segment of its own, as a ``_Helper`` does, sending
    the segment and its vocabulary back. A document it made is used only if its resource's
    digest is the one the plan has for that id. If it is gone, or anything is odd, the update
    forks a ``_Helper`` as before (or, once started, writes its share here).
    """

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._mine, self._theirs = context.Pipe(duplex=True)
        self.done = context.Value("q", 0, lock=False)
        self.process: Any = None
        self.ids: set[str] = set()  # the resources it read
        self._handed = False

    # ---- in the forked process

    def work(self, resources: list[Resource]) -> None:
        self._mine.close()
        conn = self._theirs
        try:
            analyzer = _stem_analyzer()
            made = {res.id: (_digest(res), _prepared(res, analyzer)) for res in resources}
            if not conn.poll(PIPELINE_WAIT_SECONDS):
                return
            job = conn.recv()
            if job[0] != "index":
                return
            _, place, order, extras, keys, digests, replaced = job
            for res in extras:
                made[res.id] = (digests[res.id], _prepared(res, analyzer))
            ix = _open_dir(Path(place))
            writer = _Writer(ix, _lk=False, **_UNCOMPRESSED)
            vocabulary: Counter[str] = Counter()
            for n, rid in enumerate(order, 1):
                digest, doc = made[rid]
                if digest != digests[rid]:
                    raise ValueError(f"resource {rid} changed since it was read")
                doc["order"] = keys[rid]
                if rid not in replaced:
                    vocabulary.update(doc["text"].words)
                writer.add_document(**doc)
                self.done.value = n
            segment = writer._finalize_segment()
            conn.send(("ok", segment, dict(vocabulary)))
        except BaseException as exc:  # the parent writes these resources itself
            with contextlib.suppress(Exception):
                conn.send(("error", f"{type(exc).__name__}: {exc}", None))
        finally:
            conn.close()

    # ---- in this process

    def connect(self, detail: CatalogueLoad) -> None:
        """After the load: take the process that went on (if one did)."""
        self._theirs.close()
        if detail.continuing:
            self.process, ids = detail.continuing[0]
            self.ids = set(ids)

    @property
    def waiting(self) -> bool:
        """Whether a process is there to be handed its share."""
        return self.process is not None and not self._handed and self.process.is_alive()

    def start(self, place: Path, resources: Sequence[Resource], plan: _Plan) -> _Helper | None:
        """Hand the waiting process its share: a ``_Helper`` to wait for, or None if it is gone."""
        if not self.waiting:
            return None
        wanted = {res.id for res in resources}
        digests = {
            res.id: digest
            for held, _keys, made in plan.states.values()
            for res, digest in zip(held, made, strict=True)
            if res.id in wanted
        }
        if len(digests) != len(wanted):  # a resource of a file the plan has no digests of
            return None
        extras = [res for res in resources if res.id not in self.ids]
        job = (
            "index",
            str(place),
            [res.id for res in resources],
            extras,
            {rid: plan.keys[rid] for rid in wanted},
            digests,
            {rid for rid in wanted if rid in plan.replaced},
        )
        # Sent from a thread: the process reads it only once its documents are made, and the job
        # (the resources it did not read, above all) may not fit in the pipe meanwhile.
        sender = threading.Thread(target=self._send, args=(job,), daemon=True)
        sender.start()
        self._handed = True
        return _Helper.attached(self.process, self._mine, self.done, resources)

    def _send(self, job: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError, ValueError):  # it is gone: its helper's wait finds out
            self._mine.send(job)

    def stop(self) -> None:
        """End the process unless it was handed its share (its ``_Helper`` ends it then)."""
        if not self._handed:
            if self.process is not None:
                self.process.kill()
                self.process.join()
            with contextlib.suppress(OSError):
                self._mine.close()


def _prepared(res: Resource, analyzer: WordAnalyzer, order: int | None = None) -> dict[str, Any]:
    """``_document(res, order=order)`` with its text analysed once, for the index (``text`` and,
    the same words in order, ``sequence``) and the vocabulary (``doc["text"].words``)."""
    doc = _document(res, order=order)
    text = doc["text"]
    # The title and the tags are fields of their own with the same analyzer: each is analysed
    # once, for its field and for its place in the text (the title three times over).
    title = doc["title"] = analyzer.analyse(doc["title"])
    parts = [title] * TITLE_WEIGHT if title.text else []
    if doc["tags"]:
        tags = doc["tags"] = analyzer.analyse(doc["tags"])
        parts.append(tags)
    rest = "\n".join(p for p in _text_after_title(res, _organizations(res), None)[1:] if p)
    parts.append(analyzer.analyse(rest))
    analysed = _Analysed.joined(text, parts)
    doc["text"] = analysed
    if doc.get("sequence") is text:
        doc["sequence"] = analysed
    return doc


class _Helper:
    """A forked process writing the second half of the catalogue as a second segment.

    The parent holds Whoosh's write lock; the helper writes its own segment files next to the
    parent's and hands back the segment (and the vocabulary of its half), which the parent adds
    to the table of contents it commits. If the helper fails in any way, the parent indexes its
    half itself.
    """

    def __init__(
        self,
        ix: Any,
        resources: Sequence[Resource],
        keys: Mapping[str, int],
        compress: bool = True,
        replaced: Collection[str] = (),
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.resources = resources
        self._done = context.Value("q", 0, lock=False)
        self._recv, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_helper_main,
            args=(ix, resources, keys, send, self._done, compress),
            kwargs={"replaced": replaced} if replaced else {},
            daemon=True,
        )
        self._process.start()
        send.close()

    @classmethod
    def attached(cls, process: Any, conn: Any, done: Any, resources: Sequence[Resource]) -> _Helper:
        """A helper for a process already running (``_Pipelined``): ``conn`` brings its result."""
        helper = cls.__new__(cls)
        helper.resources = resources
        helper._done = done
        helper._recv = conn
        helper._process = process
        return helper

    @property
    def done(self) -> int:
        return int(self._done.value)

    def wait(self, on_wait: Callable[[], None] | None) -> tuple[Any, dict[str, int]] | None:
        """The helper's segment and vocabulary, or None when it failed."""
        message = None
        try:
            while True:
                if self._recv.poll(0.1):
                    message = self._recv.recv()
                    break
                if not self._process.is_alive() and not self._recv.poll(0):
                    break
                if on_wait is not None:
                    on_wait()
        except (EOFError, OSError):
            message = None
        finally:
            self.stop()
        if not message or message[0] != "ok":
            return None
        return message[1], message[2]

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.join(timeout=5)
        if self._process.is_alive():  # pragma: no cover - only when the parent gives up
            self._process.kill()
            self._process.join()
        self._recv.close()


def _write_index(ix: Any, catalog: Catalog, progress: Progress | None) -> Counter[str]:
    """Index every resource; returns the vocabulary (folded word -> resources using it).

    Large catalogues are split in two: a forked helper process writes the second half as a
    segment of its own while this process writes the first half (see ``_Helper``).
    """
    resources = list(catalog)
    total = len(resources)
    vocabulary: Counter[str] = Counter()
    keys = _sort_keys(catalog.categories)
    helper: _Helper | None = None
    mine: Sequence[Resource] = resources
    writer = _writer(ix)
    try:
        if (
            total >= PARALLEL_MIN_RESOURCES
            and _build_processes() >= 2
            and isinstance(ix.storage, FileStorage)
        ):
            half = (total + 1) // 2
            mine = resources[:half]
            helper = _Helper(ix, resources[half:], keys)

        def report(done: int) -> None:
            if progress:
                progress(done + (helper.done if helper is not None else 0), total)

        report(0)
        _add_resources(writer, mine, keys, vocabulary, report)
        segments = []
        if helper is not None:
            result = helper.wait(lambda: report(len(mine)))
            if result is None:  # the helper failed: index its half here
                _add_resources(writer, helper.resources, keys, vocabulary, lambda n: report(len(mine) + n))
            else:
                segments.append(result[0])
                vocabulary.update(result[1])
            helper = None
        if progress:
            progress(total, total)
        writer.commit_with(segments)
    except BaseException:
        if helper is not None:
            helper.stop()
        writer.cancel()
        raise
    return vocabulary


def _save_vocabulary(vocabulary: Counter[str], folder: Path) -> None:
    words = sorted(vocabulary.items())
    atomic_write_text(
        folder / VOCABULARY, json.dumps({"words": words}, ensure_ascii=False, separators=(",", ":"))
    )


def _manifest(
    source: _Source,
    catalog: Catalog,
    problems: list[Problem],
    seconds: float,
    detail: CatalogueLoad | None = None,
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if detail is not None:  # what lets the next in-place update skip reading unchanged files
        extra["duplicates"] = detail.duplicates
        extra["outlines"] = {
            name: {
                "cid": o.cid,
                "name": o.name,
                "summary": o.summary,
                "problems": [{k: v for k, v in p.to_json().items() if k != "file"} for p in o.problems],
            }
            for name, o in detail.outlines.items()
        }
    return {
        "app": MANIFEST_APP,
        "schema_version": SCHEMA_VERSION,
        "whoosh_version": WHOOSH_VERSION,
        "catalogue_path": str(source.folder.resolve()),
        "fingerprint": source.fingerprint,
        "file_hashes": source.file_hashes,
        "files": source.stats,
        "resource_count": sum(len(c.resource_ids) for c in catalog.categories),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(seconds, 3),
        "catalogue": CatalogueInfo.from_catalog(catalog, problems).to_json(),
        **extra,
    }


# ------------------------------------------------------------ in-place updates

_DIGEST_FIELDS = tuple(f.name for f in dataclasses.fields(Resource) if f.name != "order")


_digest_values = operator.attrgetter(*_DIGEST_FIELDS)


def _digest(res: Resource) -> str:
    """A digest of what the index holds of a resource, apart from its place in the catalogue."""
    return hashlib.blake2b(repr(_digest_values(res)).encode("utf-8"), digest_size=8).hexdigest()


def _save_file_state(
    place: Path,
    name: str,
    resources: Sequence[Resource],
    keys: Sequence[int],
    digests: Sequence[str] | None = None,
) -> None:
    """Record what the index holds for one category file: ids, sort keys, digests."""
    if digests is None:
        digests = [_digest(r) for r in resources]
    state = {"ids": [r.id for r in resources], "keys": list(keys), "digests": list(digests)}
    atomic_write_text(place / FILE_STATES / f"{name}.json", json.dumps(state, separators=(",", ":")))


def _read_file_state(place: Path, name: str) -> dict[str, tuple[str, int]] | None:
    """Resource id -> (digest, sort key) of one category file, as the index holds it; None if unreadable."""
    try:
        raw = json.loads((place / FILE_STATES / f"{name}.json").read_text(encoding="utf-8"))
        ids, keys, digests = raw["ids"], raw["keys"], raw["digests"]
        if not len(ids) == len(keys) == len(digests):
            return None
        return {str(rid): (str(d), int(k)) for rid, k, d in zip(ids, keys, digests, strict=True)}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _standins(
    manifest: Mapping[str, Any], old: CatalogueInfo, folder: Path, changed: Collection[str]
) -> dict[str, FileOutline]:
    """Outlines of the unchanged category files, which a load need not read again ({}: read all)."""
    raw = manifest.get("outlines")
    if not isinstance(raw, dict) or manifest.get("duplicates") is not False:
        return {}  # an id used twice: which copy wins depends on every file
    by_file = {c.file: c for c in old.categories}
    out: dict[str, FileOutline] = {}
    try:
        for name, outline in raw.items():
            if name in changed:
                continue
            cid = str(outline["cid"])
            category = by_file.get(name)
            if cid and (category is None or category.id != cid):
                return {}
            shown = str(folder / name)
            problems = tuple(Problem(**{**p, "file": shown}) for p in outline["problems"])
            ids = category.resource_ids if category is not None else ()
            out[name] = FileOutline(cid, str(outline["name"]), str(outline["summary"]), ids, problems)
    except (KeyError, TypeError, AttributeError):
        return {}
    return out


@dataclass(slots=True)
class _Plan:
    """What an in-place update deletes and adds, and the side files it writes."""

    delete: set[str]  # ids to delete (those the index holds, and those about to be added)
    indexed: set[str]  # ids the index holds among the files read
    add: list[Resource]
    keys: dict[str, int]  # sort keys of the resources added
    states: dict[str, tuple[list[Resource], list[int], list[str]]]  # file -> resources, keys, digests
    gone: set[str]  # files whose side file goes
    categories: set[str]  # the categories (as indexed) of the files read or gone
    replaced: dict[str, Resource] = field(default_factory=dict)  # added, and held by the index
    held: dict[str, str] = field(default_factory=dict)  # id -> digest, as the index holds it


def _plan_update(place: Path, old: CatalogueInfo, detail: CatalogueLoad) -> _Plan | None:
    """Compare the files read with what the index holds for them; None when a full build is needed."""
    catalog, read = detail.catalog, detail.read
    old_rank = {c.id: r for r, c in enumerate(old.categories)}
    new_files = {c.file for c in catalog.categories}
    for rank, c in enumerate(catalog.categories):
        if c.file not in read and old_rank.get(c.id) != rank:
            return None  # a category that was not read moved: its sort keys would all change
    before: dict[str, tuple[str, int]] = {}
    categories: set[str] = set()
    for c in old.categories:
        if c.file in read or c.file not in new_files:
            state = _read_file_state(place, c.file)
            if state is None or list(state) != list(c.resource_ids):
                return None
            before.update(state)
            categories.add(c.id)
    plan = _Plan(set(), set(before), [], {}, {}, {c.file for c in old.categories} - new_files, categories)
    kept: set[str] = set()
    for rank, c in enumerate(catalog.categories):
        if c.file not in read:
            continue
        resources = [catalog.resources[rid] for rid in c.resource_ids]
        keys = _keys_within(rank, [before[rid][1] if rid in before else None for rid in c.resource_ids])
        digests = [_digest(res) for res in resources]
        for res, key, digest in zip(resources, keys, digests, strict=True):
            if before.get(res.id) == (digest, key):
                kept.add(res.id)
            else:
                plan.add.append(res)
                plan.keys[res.id] = key
        plan.states[c.file] = (resources, keys, digests)
    plan.delete = (set(before) - kept) | set(plan.keys)
    plan.replaced = {res.id: res for res in plan.add if res.id in plan.indexed}
    plan.held = {rid: digest for rid, (digest, _key) in before.items()}
    return plan


def _delete_old(
    writer: Any, plan: _Plan, vocabulary: Counter[str], detail: CatalogueLoad | None = None
) -> None:
    """Delete the documents of ``plan.delete`` and take their words out of ``vocabulary``.

    A deleted resource's words need the version the index holds. For a file the load read
    record by record, the parse cache's earlier version of each resource stands in when its
    digest is the one the index holds (most of a file changed wholesale): no stored document
    to read and decode. The others are read from the index."""
    analyzer = _stem_analyzer()
    wanted = set(plan.delete)
    known: dict[str, Resource] = {}
    if detail is not None:
        for name in detail.earlier:
            for rid, res in detail.earlier_resources(name).items():
                if rid in wanted and plan.held.get(rid) == _digest(res):
                    known[rid] = res
    found: dict[str, tuple[int, str | Resource]] = {}  # id -> document number, resource or stored data
    searcher = writer.searcher()
    try:
        reader = searcher.reader()
        if len(wanted) >= DELETE_SCAN_MIN:
            # The documents of the categories whose files were read: one posting list each, and
            # their ids from the id column.
            ids = reader.column_reader("id")
            for cid in sorted(plan.categories):
                for docnum in searcher.docs_for_query(query.Term("category", cid)):
                    rid = ids[docnum]
                    if rid in wanted:
                        version = known.get(rid)
                        found[rid] = (
                            docnum,
                            version if version is not None else reader.stored_fields(docnum)["data"],
                        )
        for rid in sorted(wanted - set(found)):
            docnum = searcher.document_number(id=rid)
            if docnum is None:
                if rid in plan.indexed:
                    raise _Stale(f"resource {rid} is missing from the index", True)
                continue
            version = known.get(rid)
            found[rid] = (docnum, version if version is not None else searcher.stored_fields(docnum)["data"])
    finally:
        searcher.close()
    gone: Counter[str] = Counter()
    came: Counter[str] = Counter()
    memo: dict[str, set[str]] = {}
    for rid, (docnum, data) in found.items():
        old = data if isinstance(data, Resource) else resource_from_json_text(data)
        new = plan.replaced.get(rid)
        if new is None:
            gone.update(_resource_words(old, analyzer))
        else:  # its new version is added without counting its words: count what changed
            now, was = _words_changed(old, new, analyzer, memo)
            came.update(now)
            gone.update(was)
        writer.delete_document(docnum)
    vocabulary.subtract(gone)
    vocabulary.update(came)


def _merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy: the segments far smaller than the largest (those that in-place
    updates added) are merged into the new one, smallest first and at most ``MERGE_BUDGET``
    documents of them (all of them once there are ``MAX_SEGMENTS``); the build's segments
    stay as they are."""
    largest = max((s.doc_count_all() for s in segments), default=0)
    small = sorted((s for s in segments if s.doc_count_all() * 8 < largest), key=lambda s: s.doc_count_all())
    if len(segments) < MAX_SEGMENTS:
        within, total = [], 0
        for segment in small:
            total += segment.doc_count_all()
            if total > MERGE_BUDGET:
                break
            within.append(segment)
        small = within
    if len(small) < 2:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def _keys_within(rank: int, old: Sequence[int | None]) -> list[int]:
    """Sort keys for a category's resources in their new order, keeping as many old keys as can be.

    ``old`` holds each resource's key in the index (None: new). The longest increasing run of
    old keys stays; the others get keys evenly spaced between their neighbours. When there is
    no room, every resource of the category gets a fresh key.
    """
    low, high = rank * ORDER_STRIDE, (rank + 1) * ORDER_STRIDE
    valid = [k if k is not None and low < k < high else None for k in old]
    keep = _increasing(valid)
    keys: list[int | None] = [k if i in keep else None for i, k in enumerate(valid)]
    out: list[int] = []
    i, n = 0, len(keys)
    while i < n:
        key = keys[i]
        if key is not None:
            out.append(key)
            i += 1
            continue
        j = i
        while j < n and keys[j] is None:
            j += 1
        before = out[-1] if out else low
        after = keys[j] if j < n else high
        assert after is not None
        count = j - i
        if after - before <= count:
            return _fresh_keys(rank, n)
        out.extend(before + (t + 1) * (after - before) // (count + 1) for t in range(count))
        i = j
    return out


def _increasing(values: Sequence[int | None]) -> set[int]:
    """Positions of a longest strictly increasing run of the values that are not None."""
    tails: list[int] = []  # tails[k]: the smallest last value of an increasing run of length k + 1
    tail_at: list[int] = []  # its position
    previous: dict[int, int] = {}
    for i, value in enumerate(values):
        if value is None:
            continue
        k = bisect.bisect_left(tails, value)
        if k:
            previous[i] = tail_at[k - 1]
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k] = value
            tail_at[k] = i
    out: set[int] = set()
    at = tail_at[-1] if tail_at else None
    while at is not None:
        out.add(at)
        at = previous.get(at)
    return out


# -------------------------------------------------------------------- queries


class _DocSet(query.Query):  # type: ignore[misc]
    """Matches the resources whose ids are in a set held in memory (``is:`` filters)."""

    def __init__(self, label: str, ids: frozenset[str]) -> None:
        self.label = label
        self.ids = ids
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _DocSet) and other.label == self.label and other.ids == self.ids

    def __hash__(self) -> int:
        return hash((self.label, len(self.ids)))

    def __repr__(self) -> str:
        return f"_DocSet({self.label!r}, {len(self.ids)} ids)"

    def __unicode__(self) -> str:
        return f"is:{self.label}"

    __str__ = __unicode__

    def estimate_size(self, ixreader: Any) -> int:
        return len(self.ids)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        docnums: list[int] = []
        if len(self.ids) < 2000:
            for rid in self.ids:
                with contextlib.suppress(Exception):
                    if reader.doc_frequency("id", rid):
                        docnums.extend(reader.postings("id", rid).all_ids())
        else:
            column = reader.column_reader("id")
            docnums = [n for n, value in enumerate(column) if value in self.ids]
        docnums = sorted({d for d in docnums if not reader.is_deleted(d)})
        if not docnums:
            return NullMatcher()
        return ListMatcher(docnums, all_weights=self.boost)


class _TextPhrase(query.Query):  # type: ignore[misc]
    """A phrase on ``text``: the resources whose ``sequence`` holds the words side by side.

    ``_rewrite`` puts it under ``Require``, after the words themselves, which give the score.
    """

    def __init__(self, words: Sequence[str], slop: int = 1, boost: float = 1.0) -> None:
        self.words = list(words)
        self.slop = slop
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TextPhrase) and (other.words, other.slop, other.boost) == (
            self.words,
            self.slop,
            self.boost,
        )

    def __hash__(self) -> int:
        return hash((tuple(self.words), self.slop, self.boost))

    def __repr__(self) -> str:
        return f"_TextPhrase({self.words!r}, slop={self.slop})"

    def __unicode__(self) -> str:
        return '"' + " ".join(self.words) + '"' + (f"~{self.slop}" if self.slop != 1 else "")

    __str__ = __unicode__

    def estimate_size(self, ixreader: Any) -> int:
        return min((ixreader.doc_frequency("text", w) for w in self.words), default=0)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        """Whoosh's way in (its collector, when the bulk evaluator ran out of time)."""
        reader = searcher.reader()
        words = self.words
        if not words or any(("text", w) not in reader for w in words):
            return NullMatcher()
        common: set[int] | None = None
        for w in sorted(set(words), key=lambda w: reader.doc_frequency("text", w)):
            ids = set(reader.postings("text", w).all_ids())
            common = ids if common is None else common & ids
        column = reader.column_reader("sequence", translate=False)
        docnums = sorted(
            d for d in common or () if not reader.is_deleted(d) and _phrase_in(column[d], words, self.slop)
        )
        return ListMatcher(docnums, all_weights=self.boost) if docnums else NullMatcher()


class _FuzzyWord(query.Query):  # type: ignore[misc]
    """``word~``/``word~2`` as typed (unstemmed); ``_rewrite`` swaps it for known words near it."""

    def __init__(self, fieldname: str, text: str, maxdist: int, boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.text = text
        self.maxdist = maxdist
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FuzzyWord) and (other.fieldname, other.text, other.maxdist) == (
            self.fieldname,
            self.text,
            self.maxdist,
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, self.text, self.maxdist))

    def __unicode__(self) -> str:
        return f"{self.fieldname}:{self.text}~{self.maxdist}"

    __str__ = __unicode__


class _FuzzyPlugin(FuzzyTermPlugin):  # type: ignore[misc]
    class FuzzyTermNode(FuzzyTermPlugin.FuzzyTermNode):  # type: ignore[misc]
        def query(self, parser: Any) -> Any:
            return _FuzzyWord(self.fieldname or parser.fieldname, self.text, self.maxdist, self.boost)


def _walk_terms(q: Any, reader: Any, out: set[tuple[str, str]]) -> None:
    """The (field, text) terms a query matches on, skipping anything under NOT."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        _walk_terms(q.a, reader, out)
        return
    if isinstance(q, query.Phrase):
        out.update((q.fieldname, w) for w in q.words)
        return
    if isinstance(q, (_DocSet, _TextPhrase)):
        return
    if q.is_leaf():
        with contextlib.suppress(Exception):
            for fname, text in q.existing_terms(reader, phrases=True, expand=True):
                out.add((fname, text.decode("utf-8") if isinstance(text, bytes) else text))
        return
    for child in q.children():
        _walk_terms(child, reader, out)


# -------------------------------------------------------------------- results


class Results(Sequence[Resource]):
    """A lazy, indexable sequence of resources: a search's hits or a category's list.

    ``total`` is exact when ``total_is_estimate`` is False. Facet counts are
    computed on first access of ``facets`` (after the first page is shown), which
    also makes ``total`` exact.
    """

    def __init__(
        self,
        owner: SearchIndex,
        query_text: str,
        *,
        searcher: Any = None,
        docnums: Sequence[int] = (),
        scores: Sequence[float] | None = None,
        ids: Sequence[str] | None = None,
        total: int = 0,
        total_is_estimate: bool = False,
        facet_query: Any = None,
        want_facets: bool = False,
        suggestion: str | None = None,
        fallback: bool = False,
        explanation: str | None = None,
        terms: frozenset[tuple[str, str]] = frozenset(),
        stopped: bool = False,
        matched: Mapping[int, float] | Callable[[], Mapping[int, float]] | None = None,
    ) -> None:
        self.query = query_text
        self.suggestion = suggestion
        self.fallback = fallback
        self.explanation = explanation
        self._owner = owner
        self._searcher = searcher
        self._docnums = list(docnums)
        self._scores = list(scores) if scores is not None else None
        self._ids = list(ids) if ids is not None else None
        self._total = total
        self._estimate = total_is_estimate
        self._facet_query = facet_query
        self._matched = matched
        self._want_facets = want_facets
        self._facets: dict[str, int] | None = None if want_facets else {}
        self._field_terms = terms
        self._stopped = stopped
        self.facets_complete = True  # False when counting stopped at FACET_SECONDS
        self._cache: dict[int, Resource] = {}

    def truncate(self, limit: int | None) -> None:
        """Keep at most ``limit`` rows (``total`` still counts them all)."""
        if limit is None:
            return
        if self._ids is not None:
            del self._ids[limit:]
        del self._docnums[limit:]
        if self._scores is not None:
            del self._scores[limit:]

    # -- counts
    @property
    def total(self) -> int:
        return self._total

    @property
    def total_is_estimate(self) -> bool:
        return self._estimate

    @property
    def facets(self) -> dict[str, int]:
        """Category id -> number of matches (ignoring the category filter)."""
        if self._facets is None:
            if self._matched is not None:
                matched = self._matched() if callable(self._matched) else self._matched
                self._facets, complete = self._owner._count_matched(self._searcher, matched), True
                category = getattr(self, "_category", None)
                if self._estimate and category is not None and not self._stopped:
                    wanted = str(category).lower()
                    self._total = sum(n for cid, n in self._facets.items() if cid.lower() == wanted)
                    self._estimate = False
            else:
                self._facets, complete = self._owner._count_categories(self._searcher, self._facet_query)
            self.facets_complete = complete
            if (
                complete
                and self._estimate
                and not self._stopped
                and not self._owner._last_category_filtered(self)
            ):
                self._total = sum(self._facets.values())
                self._estimate = False
        return self._facets

    @property
    def terms(self) -> tuple[str, ...]:
        """The indexed words the query matched (stemmed), for highlighting elsewhere."""
        return tuple(sorted({text for _f, text in self._field_terms}))

    # -- sequence
    def __len__(self) -> int:
        return len(self._ids) if self._ids is not None else len(self._docnums)

    @overload
    def __getitem__(self, i: int) -> Resource: ...
    @overload
    def __getitem__(self, i: slice) -> list[Resource]: ...
    def __getitem__(self, i: int | slice) -> Resource | list[Resource]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        res = self._cache.get(i)
        if res is None:
            res = self._load(i)
            self._cache[i] = res
        return res

    def _load(self, i: int) -> Resource:
        if self._ids is not None:
            res = self._owner.get(self._ids[i])
            if res is None:  # pragma: no cover - ids come from the same index
                raise IndexError(i)
            return res
        return self._owner._stored(self._searcher, self._docnums[i])

    def ids(self) -> Sequence[str]:
        if self._ids is None:
            self._ids = self._owner._stored_ids(self._searcher, self._docnums)
        return list(self._ids)

    def score(self, i: int) -> float | None:
        if self._scores is None:
            return None
        return self._scores[i]

    # -- highlights
    def _spans(self, fieldname: str, text: str) -> list[tuple[int, int]]:
        wanted = {t for f, t in self._field_terms if f in (fieldname, "text")}
        if not wanted or not text:
            return []
        return self._owner._match_spans(fieldname, text, wanted)

    def highlight_title(self, i: int) -> Highlight:
        res = self[i]
        return Highlight(res.title, tuple(self._spans("title", res.title)))

    def highlight_description(self, i: int) -> Highlight:
        res = self[i]
        return _fragment(res.description, self._spans("description", res.description))


def _fragment(text: str, spans: list[tuple[int, int]], size: int = FRAGMENT_CHARS) -> Highlight:
    """A window of ``text`` around its first match, cut at word boundaries."""
    text = " ".join(text.split()) if "\n" in text else text
    if len(text) <= size:
        return Highlight(text, tuple(spans))
    start = 0
    if spans:
        first = spans[0][0]
        if first > size // 3:
            start = text.rfind(" ", 0, first - size // 4) + 1
    end = min(len(text), start + size)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        if cut > start:
            end = cut
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return Highlight(prefix + text[start:end] + suffix, inside)


# ---------------------------------------------------------------- the index


@dataclass(slots=True)
class _Hits:
    docnums: list[int]
    scores: list[float]
    total: int
    estimate: bool
    stopped: bool
    # every match, ignoring the category filter (for facets), or how to find them
    matched: Mapping[int, float] | Callable[[], Mapping[int, float]] | None


class SearchIndex:
    """A catalogue's search index: opened fresh, or (re)built on its own. See the module docstring."""

    def __init__(
        self,
        ix: Any,
        location: Path | None,
        manifest: Mapping[str, Any],
        *,
        rebuilt: bool,
        notices: list[str],
        catalogue_path: Path,
    ) -> None:
        self._ix = ix
        self.location = location
        self.notices = notices
        self.catalogue_path = catalogue_path
        self.catalogue = CatalogueInfo.from_json(manifest.get("catalogue", {}))
        self.info = IndexInfo(
            fingerprint=str(manifest.get("fingerprint", "")),
            resource_count=int(manifest.get("resource_count", 0)),
            built_at=str(manifest.get("built_at", "")),
            build_seconds=float(manifest.get("build_seconds", 0.0)),
            schema_version=int(manifest.get("schema_version", SCHEMA_VERSION)),
            whoosh_version=str(manifest.get("whoosh_version", WHOOSH_VERSION)),
            rebuilt=rebuilt,
        )
        self._lock = threading.RLock()
        self._searcher = ix.searcher()
        self._old_searchers: list[Any] = []
        self._resources: dict[str, Resource] = {}
        self._bookmarked: frozenset[str] = frozenset()
        self._link_status: dict[str, frozenset[str]] = {}
        self._categories_by_doc: tuple[int, list[str]] | None = None
        self._eval: _Evaluator | None = None
        self._columns: dict[tuple[int, str], list[Any]] = {}
        # id -> document number for one searcher (prepare_lookups), and who builds it.
        self._docnums: tuple[Any, dict[str, int]] | None = None
        self._docnums_lock = threading.Lock()
        self._vocab: queries.Vocabulary | None = None
        self._notes: dict[str, str] = {}  # the last synced notes: their words join the vocabulary
        self._closed = False
        self._schema = ix.schema  # reading it from the index unpickles the TOC each time
        self._parsers: dict[str, Any] = {}
        self._stem = self._schema["title"].analyzer
        self._fold = self._schema["authors"].analyzer
        self._word_forms: dict[bool, dict[str, object]] = {False: {}, True: {}}
        self._words = _tokenizer_pattern(self._stem)

    # ------------------------------------------------------------------ open
    @classmethod
    def open(
        cls,
        catalogue: Path,
        index_dir: str | Path | None = None,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> SearchIndex:
        """Open a fresh index of ``catalogue`` or (re)build it (atomic swap).

        Never raises for a damaged, stale, locked or read-only index: it rebuilds
        or falls back (the cache folder, then memory) and says so in
        ``notices``. Raises ``CtdcError`` only when the catalogue itself cannot
        be read.
        """
        catalogue = Path(catalogue).expanduser()
        if not (catalogue / "catalog.yaml").is_file():
            raise CtdcError(
                f"no catalogue at {catalogue}: catalog.yaml is missing",
                "pass --data DIR with a catalogue folder (see docs/catalogue-format.md), or unset CTDC_DATA",
            )
        try:
            source = _Source(catalogue)
        except OSError as exc:
            raise CtdcError(f"cannot read the catalogue folder {catalogue}: {exc.strerror or exc}") from exc
        notices: list[str] = []
        preferred = locations.index_dir(catalogue, index_dir)
        places = [preferred]
        fallback = locations.fallback_index_dir(catalogue)
        if fallback != preferred:
            places.append(fallback)
        for place in places:
            try:
                return cls._open_at(place, source, rebuild=rebuild, progress=progress, notices=notices)
            except CtdcError:
                raise
            except Exception as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                notices.append(f"Cannot keep the search index in {place} ({reason}).")
        notices.append("The search index lives in memory for this session: it is rebuilt at every start.")
        return cls._build_in_memory(source, progress, notices)

    @classmethod
    def _open_at(
        cls, place: Path, source: _Source, *, rebuild: bool, progress: Progress | None, notices: list[str]
    ) -> SearchIndex:
        changed_catalogue = False
        if not rebuild:
            try:
                return cls._open_existing(place, source, notices)
            except _Stale as stale:
                changed_catalogue = stale.reason == "the catalogue changed"
                if stale.damaged:
                    notices.append(
                        f"The search index in {place} was unusable ({stale.reason}); rebuilding it."
                    )
                elif stale.reason not in ("no index yet", "the catalogue changed", UNFINISHED):
                    notices.append(f"Rebuilding the search index because {stale.reason}.")
        root = place.parent
        root.mkdir(parents=True, exist_ok=True)
        with _build_lock(root / f".{place.name}.lock"), _gc_paused():
            if not rebuild:
                # Someone else may have built it while we waited for the lock.
                with contextlib.suppress(_Stale):
                    return cls._open_existing(place, source, [])
                try:
                    updated = cls._update_in_place(place, source, progress, notices)
                except _Stale as stale:  # nothing there to update: a first build says nothing
                    if stale.reason != "no index yet":
                        notices.append(
                            f"Re-indexing only the changed files failed ({stale.reason}); rebuilding."
                        )
                    updated = None
                except Exception as exc:  # any doubt: build from scratch
                    notices.append(f"Re-indexing only the changed files failed ({exc}); rebuilding.")
                    updated = None
                if updated is not None:
                    return updated
                if changed_catalogue:
                    notices.append("Rebuilding the search index because the catalogue changed.")
            for leftover in root.glob(f".{place.name}.build-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            detail = source.load_detail()
            catalog, problems = detail.catalog, detail.problems
            tmp = Path(tempfile.mkdtemp(prefix=f".{place.name}.build-", dir=root))
            try:
                started = time.perf_counter()
                ix = whoosh.index.create_in(str(tmp), build_schema())
                vocabulary = _write_index(ix, catalog, progress)
                _save_vocabulary(vocabulary, tmp)
                ix.close()
                keys = _sort_keys(catalog.categories)
                for c in catalog.categories:
                    resources = [catalog.resources[rid] for rid in c.resource_ids]
                    _save_file_state(tmp, c.file, resources, [keys[res.id] for res in resources])
                manifest = _manifest(source, catalog, problems, time.perf_counter() - started, detail)
                atomic_write_text(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False))
                _swap(tmp, place)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        ix = _open_dir(place)
        return cls(ix, place, manifest, rebuilt=True, notices=notices, catalogue_path=source.folder)

    @classmethod
    def _update_in_place(
        cls, place: Path, source: _Source, progress: Progress | None, notices: list[str]
    ) -> SearchIndex | None:
        """Re-index only the resources that changed; None when a full build is needed.

        Only the files whose hash changed are read (the others stand in by the outlines in
        the manifest); their resources are compared by digest and sort key with what the
        index holds (``FILE_STATES``), and only new, changed and removed ones are deleted
        and added. While the index, its side files and the manifest are written, an
        ``UPDATING`` file marks the index as unusable, so an update cut short anywhere
        leads to a full build.
        """
        manifest = _read_manifest(place, source)
        old_hashes = manifest.get("file_hashes")
        if not isinstance(old_hashes, dict) or not (place / FILE_STATES).is_dir():
            return None
        source.trust(manifest)
        new_hashes = source.file_hashes
        changed = {n for n in set(old_hashes) | set(new_hashes) if old_hashes.get(n) != new_hashes.get(n)}
        if not changed or changed & {"catalog.yaml", "catalog.yml"}:
            return None
        started = time.perf_counter()
        old = CatalogueInfo.from_json(manifest.get("catalogue", {}))
        pipelined = _Pipelined() if _build_processes() >= 2 else None
        try:
            detail = source.load_detail(
                _standins(manifest, old, source.folder, changed),
                pipelined.work if pipelined is not None else None,
            )
            if pipelined is not None:
                pipelined.connect(detail)
            try:
                return cls._update_with(
                    place, source, progress, notices, manifest, old, changed, started, detail, pipelined
                )
            finally:
                detail.write_cache()  # if the update did not get to it
        finally:
            if pipelined is not None:
                pipelined.stop()

    @classmethod
    def _update_with(
        cls,
        place: Path,
        source: _Source,
        progress: Progress | None,
        notices: list[str],
        manifest: dict[str, Any],
        old: CatalogueInfo,
        changed: set[str],
        started: float,
        detail: CatalogueLoad,
        pipelined: _Pipelined | None = None,
    ) -> SearchIndex | None:
        """``_update_in_place`` once the changed files are read."""
        catalog, problems = detail.catalog, detail.problems
        plan = _plan_update(place, old, detail)
        if plan is None:
            return None
        total = sum(len(c.resource_ids) for c in catalog.categories)
        if len(plan.add) > INCREMENTAL_MAX_SHARE * max(1, total):
            return None
        ix = _open_dir(place)
        try:
            atomic_write_text(place / UPDATING, "")
            writer = _writer(ix, timeout=LOCK_WAIT_SECONDS, **_UNCOMPRESSED)
            helper: _Helper | None = None
            mine: Sequence[Resource] = plan.add
            try:
                if (
                    len(plan.add) >= PARALLEL_UPDATE_MIN
                    and _build_processes() >= 2
                    and isinstance(ix.storage, FileStorage)
                ):
                    # As a full build does: a forked helper writes part of the resources as a
                    # segment of its own, while this process deletes and writes the rest.
                    # This process also deletes, writes the parse cache and checks the index:
                    # it takes fewer resources, so both end together.
                    records = sum(len(state[0]) for state in plan.states.values()) if detail.pending else 0
                    extra = DELETE_COST * len(plan.delete) + CACHE_COST * records + UPDATE_CHECK_COST
                    if pipelined is not None and pipelined.waiting:
                        extra += PIPELINE_HEAD_START
                    share = (len(plan.add) - extra) / 2
                    mine = plan.add[: max(0, round(share))]
                    theirs = plan.add[len(mine) :]
                    if pipelined is not None:  # the process that parsed half the changes, if still there
                        helper = pipelined.start(place, theirs, plan)
                    if helper is None:
                        helper = _Helper(ix, theirs, plan.keys, compress=False, replaced=plan.replaced)
                detail.write_cache()  # while the helper indexes
                # Checked while the helper works: a failed check cancels it all (a full build).
                _probe(ix, manifest)
                raw = json.loads((place / VOCABULARY).read_text(encoding="utf-8"))
                vocabulary: Counter[str] = Counter({str(w): int(n) for w, n in raw["words"]})
                _delete_old(writer, plan, vocabulary, detail)

                def report(n: int) -> None:
                    if progress:
                        progress(n + (helper.done if helper is not None else 0), len(plan.add))

                report(0)
                _add_resources(writer, mine, plan.keys, vocabulary, report, plan.replaced)
                # A new segment per update (and one more from the helper); the small ones are
                # merged only once there are a few. This process writes its segment before
                # waiting for the helper's, so the two are written side by side.
                merge = len(writer.segments) + (helper is not None) >= UPDATE_SEGMENTS
                segments = writer.close_own(_merge_small_segments if merge else NO_MERGE)
                if helper is not None:
                    result = helper.wait(lambda: report(len(mine)))
                    if result is None:  # the helper failed: write its resources here, as it would have
                        result = _segment_here(
                            ix, helper.resources, plan.keys, lambda n: report(len(mine) + n), plan.replaced
                        )
                    segments.append(result[0])
                    vocabulary.update(result[1])
                    helper = None
                writer.commit_segments(segments)
            except BaseException:
                if helper is not None:
                    helper.stop()
                writer.cancel()
                raise
            if ix.doc_count() != total:
                raise _Stale(f"the index holds {ix.doc_count()} resources, the catalogue {total}", True)
        finally:
            ix.close()
        _save_vocabulary(+vocabulary, place)
        for name, (resources, keys, digests) in plan.states.items():
            _save_file_state(place, name, resources, keys, digests)
        for name in plan.gone:
            (place / FILE_STATES / f"{name}.json").unlink(missing_ok=True)
        seconds = time.perf_counter() - started
        manifest = {**_manifest(source, catalog, problems, seconds, detail), "updated_files": sorted(changed)}
        atomic_write_text(place / MANIFEST, json.dumps(manifest, ensure_ascii=False))
        (place / UPDATING).unlink()
        removed = len(plan.indexed & plan.delete) - len(plan.indexed & {res.id for res in plan.add})
        notices.append(
            f"The catalogue changed: re-indexed {len(plan.add)} resource(s) and removed {removed} "
            f"from {len(changed)} changed file(s) in {seconds:.1f} s."
        )
        return cls(
            _open_dir(place),
            place,
            manifest,
            rebuilt=True,
            notices=notices,
            catalogue_path=source.folder,
        )

    @classmethod
    def _open_existing(cls, place: Path, source: _Source, notices: list[str]) -> SearchIndex:
        manifest = _read_manifest(place, source)
        _check_fresh(place, manifest, source)
        try:
            ix = _open_dir(place)
            _probe(ix, manifest)
        except _Stale:
            raise
        except Exception as exc:
            raise _Stale(f"{type(exc).__name__}: {exc}", damaged=True) from None
        return cls(ix, place, manifest, rebuilt=False, notices=notices, catalogue_path=source.folder)

    @classmethod
    def _build_in_memory(cls, source: _Source, progress: Progress | None, notices: list[str]) -> SearchIndex:
        catalog, problems = source.load()
        started = time.perf_counter()
        ix = RamStorage().create_index(build_schema())
        vocabulary = _write_index(ix, catalog, progress)
        manifest = _manifest(source, catalog, problems, time.perf_counter() - started)
        index = cls(ix, None, manifest, rebuilt=True, notices=notices, catalogue_path=source.folder)
        index._vocab = queries.Vocabulary(vocabulary.items())
        return index

    def prefetch(self) -> int:
        """Ask the OS to read this index's files into its file cache, in the background: the
        first searches after a cold start otherwise wait on the disk for each page of a posting
        list they touch (at 100,000 resources, p95 of a typed search 136–150 ms against 96–106
        with the files cached). The kernel reads; nothing is copied here, and with the files
        already cached it costs about 4 ms. Linux reads ahead at most ``read_ahead_kb`` per
        request (8 MB here), so the files are asked for a piece at a time. Returns the bytes
        asked for (0 for an index in memory, or where the OS has no ``posix_fadvise``)."""
        advise = getattr(os, "posix_fadvise", None)
        if advise is None or self.location is None:
            return 0
        asked = 0
        try:
            names = sorted(os.listdir(self.location))
        except OSError:
            return 0
        for name in names:
            try:
                fd = os.open(self.location / name, os.O_RDONLY)
            except OSError:
                continue
            try:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    continue
                size = info.st_size
                for offset in range(0, size, PREFETCH_PIECE):
                    advise(fd, offset, min(PREFETCH_PIECE, size - offset), os.POSIX_FADV_WILLNEED)
                asked += size
            except OSError:
                continue
            finally:
                os.close(fd)
        return asked

    # ----------------------------------------------------------- plumbing
    def _refresh(self) -> None:
        # Results handed out earlier keep using the old searcher, so it stays open until close().
        new = self._ix.searcher()
        self._old_searchers.append(self._searcher)
        self._searcher = new
        self._categories_by_doc = None

    def close(self) -> None:
        """Release the index files. The object cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for searcher in [*self._old_searchers, self._searcher]:
                with contextlib.suppress(Exception):
                    searcher.close()
            with contextlib.suppress(Exception):
                self._ix.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stored(self, searcher: Any, docnum: int) -> Resource:
        with self._lock:
            if searcher is self._searcher:  # the id column answers without unpickling stored fields
                res = self._resources.get(str(self._column("id")[docnum]))
                if res is not None:
                    return res
            fields_ = searcher.stored_fields(docnum)
            rid = fields_["id"]
            res = self._resources.get(rid)
            if res is None:
                res = resource_from_json_text(fields_["data"])
                self._resources[rid] = res
            return res

    def _stored_ids(self, searcher: Any, docnums: Sequence[int]) -> list[str]:
        """The ids of these documents, from the id column (no stored fields read)."""
        with self._lock:
            try:
                column = searcher.reader().column_reader("id")
                return [str(column[d]) for d in docnums]
            except Exception:  # pragma: no cover - an index without the column
                return [str(searcher.stored_fields(d)["id"]) for d in docnums]

    def _match_spans(self, fieldname: str, text: str, wanted: set[str]) -> list[tuple[int, int]]:
        """Where the words of ``text`` that index as one of ``wanted`` stand (start, end).

        The analyzers turn each word on its own (no filter looks at neighbours), so a word's
        indexed form is cached: a highlight is one regex pass over the text plus dict lookups.
        """
        folded = fieldname in FOLDED_FIELDS
        analyzer = self._fold if folded else self._stem
        forms = self._word_forms[folded]
        spans = []
        with self._lock:
            for match in self._words.finditer(text):
                word = match.group()
                form = forms.get(word, _UNSEEN)
                if form is _UNSEEN:
                    terms = [t.text for t in analyzer(word, mode="index")]
                    form = terms[0] if len(terms) == 1 else None
                    if len(forms) < 200_000:
                        forms[word] = form
                if form is not None and form in wanted:
                    spans.append((match.start(), match.end()))
        return spans

    # ---------------------------------------------------------- lookups
    def get(self, resource_id: str) -> Resource | None:
        """The resource with this id, or None."""
        res = self._resources.get(resource_id)
        if res is not None:
            return res
        with self._lock:
            known = self._docnums
            if known is not None and known[0] is self._searcher:
                docnum = known[1].get(resource_id)
            else:
                try:
                    docnum = self._searcher.document_number(id=resource_id)
                except Exception:
                    return None
            if docnum is None:
                return None
            return self._stored(self._searcher, docnum)

    def prepare_lookups(self, pause: Callable[[], object] | None = None) -> None:
        """Map every resource id to its document, so that ``get`` need not ask the index.

        Whoosh finds a document by id through the id's posting list: about 0.1 ms, over
        half of reading a resource that was not read before (a list row at 100,000
        resources). With the map ``get`` is a dict lookup and the stored-field read. Meant
        for a background thread: the map is made in slices of LOOKUP_SLICE documents, with
        ``pause()`` between them so that other threads get the interpreter (a slice holds it
        for about 1 ms). Until it is ready, and for another searcher, ``get`` asks the index.
        """
        with self._docnums_lock:  # a second caller waits for the first one's map
            with self._lock:
                searcher = self._searcher
                known = self._docnums
                if known is not None and known[0] is searcher:
                    return
                ids = self._column("id")  # by document number, deleted documents included
                reader = searcher.reader()
                deleted: set[int] = set()
                if reader.has_deletions():
                    for leaf, offset in reader.leaf_readers():
                        if leaf.has_deletions():
                            deleted.update(offset + n for n in leaf.deleted_docs_set or ())
            mapping: dict[str, int] = {}
            # Slices from the last to the first, each reversed: where an id is held by two
            # live documents the lowest number wins, as with Whoosh's lookup.
            for stop in range(len(ids), 0, -LOOKUP_SLICE):
                start = max(stop - LOOKUP_SLICE, 0)
                numbers = range(stop - 1, start - 1, -1)
                if deleted:
                    mapping.update((str(ids[n]), n) for n in numbers if n not in deleted)
                else:
                    mapping.update(zip(map(str, ids[start:stop][::-1]), numbers, strict=True))
                if pause is not None:
                    pause()
            with self._lock:
                if self._searcher is searcher:
                    self._docnums = (searcher, mapping)

    def browse(self, category: str | None = None, sort: Sort = "catalogue") -> Results:
        """Every resource of a category (None: all of them), without a query."""
        if sort == "catalogue":
            cats = self.catalogue.categories
            if category is not None:
                cats = [c for c in cats if c.id == category]
            ids = [rid for c in cats for rid in c.resource_ids]
            return Results(self, "", ids=ids, total=len(ids))
        with self._lock:
            q = query.Term("category", category.lower()) if category is not None else query.Every()
            hits = self._searcher.search(q, limit=None, sortedby=self._sort_facet(sort), scored=False)
            docnums = [hit.docnum for hit in hits]
            return Results(self, "", searcher=self._searcher, docnums=docnums, total=len(docnums))

    @staticmethod
    def _sort_facet(sort: Sort) -> Any:
        if sort == "title":
            return sorting.MultiFacet([sorting.FieldFacet("title_sort"), sorting.FieldFacet("order")])
        if sort == "year":
            return sorting.MultiFacet(
                [sorting.FieldFacet("year_sort", reverse=True), sorting.FieldFacet("order")]
            )
        if sort == "catalogue":
            return sorting.FieldFacet("order")
        return None

    # ---------------------------------------------------------- search
    def _parser(self, any_word: bool = False) -> Any:
        key = "any" if any_word else "all"
        parser = self._parsers.get(key)
        if parser is None:
            group = OrGroup.factory(0.9) if any_word else AndGroup
            parser = MultifieldParser(
                list(DEFAULT_FIELDS), self._schema, fieldboosts=DEFAULT_FIELDS, group=group
            )
            parser.add_plugin(_FuzzyPlugin())
            self._parsers[key] = parser
        return parser

    def _parse(self, text: str) -> Any:
        """Whoosh's parse of a query; plain words (the common case) without the parser's machinery.

        A query of ASCII letters and digits only, with no operator word, parses to the AND of each
        word's analysed term in ``text``: built directly, that takes a few microseconds instead of
        about 0.2 ms; so does such a query with a prefix last (``housing da*``, as search as you
        type sends it). ``tests/core/test_fast_search.py`` checks both equal the parser's result.
        """
        words = text.split()
        if _PLAIN_QUERY.fullmatch(text) and not _OPERATOR_WORDS.intersection(words):
            return self._words_query(words)
        if (
            words
            and words[-1].endswith("*")
            and _PLAIN_QUERY.fullmatch(text[: text.rindex("*")])
            and not _OPERATOR_WORDS.intersection(w.rstrip("*") for w in words)
        ):
            # Plain words and a prefix typed last (search as you type): the words' terms and
            # Whoosh's Prefix of the last word as the field analyses it (stemmed, stop words kept).
            field = self._schema["text"]
            stem = words[-1][:-1]
            prefix = (
                list(field.process_text(stem, mode="query", tokenize=False, removestops=False))
                if stem
                else []
            )
            if len(prefix) == 1:
                head = self._words_query(words[:-1])
                parts = [] if head is query.NullQuery else [head]
                return query.And([*parts, query.Prefix("text", prefix[0])]).normalize()
        return self._parser().parse(text)

    def _words_query(self, words: Sequence[str]) -> Any:
        """Every one of these words (each analysed as ``text`` indexes it), built without the parser."""
        terms = [query.Term("text", t.text) for w in words for t in self._stem(w, mode="query")]
        if not terms:
            return query.NullQuery
        return query.And(terms).normalize()

    def search(
        self,
        query: str,
        *,
        category: str | None = None,
        sort: Sort = "relevance",
        limit: int | None = 50,
        as_you_type: bool = False,
        highlights: bool = True,
        facets: bool = True,
    ) -> Results:
        """Run a query (``docs/search.md``). Never raises: bad syntax gives ``Results.explanation``."""
        try:
            with self._lock:
                return self._search(query, category, sort, limit, as_you_type, highlights, facets)
        except Exception as exc:  # the promise: no query string ever raises
            return Results(
                self,
                query,
                explanation=f"Could not understand this search ({type(exc).__name__}). "
                "Try plain words, or see the search help for the syntax.",
            )

    def _search(
        self,
        text: str,
        category: str | None,
        sort: Sort,
        limit: int | None,
        as_you_type: bool,
        highlights: bool,
        facets: bool,
    ) -> Results:
        prepared = queries.prepare(text, as_you_type=as_you_type)
        if not prepared.text.strip():
            if not text.strip():  # nothing typed: the whole list (of the category)
                base = self.browse(category, sort if sort != "relevance" else "catalogue")
                base.query = text
                base.truncate(limit)
                return base
            return Results(self, text, explanation="Type words to search; see the search help for filters.")
        searcher = self._searcher
        reader = searcher.reader()
        unknown = self._unknown_is(prepared.text)
        if unknown:
            known = ", ".join(f"is:{k}" for k in queries.IS_VALUES)
            return Results(self, text, explanation=f"'is:{unknown}' is not a filter; use one of {known}.")
        misread = False
        try:
            parsed = self._parse(prepared.text)
        except Exception:  # Whoosh's parser asserts on some operator tangles query.prepare misses
            parsed, misread = self._words_query(_WORDS_ONLY.findall(prepared.text)), True
        q = self._rewrite(parsed, reader, {})
        if q is query.NullQuery:
            if parsed is query.NullQuery:  # nothing but stop words or punctuation
                return Results(self, text, explanation="Nothing to search for in that; try some words.")
            # Words whose expansions found nothing (``housi`` typed, no word starts so): no match.
            nothing = "No resources match" + (f" in category '{category}'." if category else ".")
            return Results(self, text, explanation=nothing)
        hits = self._hits(q, category, sort, limit)
        fallback = False
        if not hits.docnums and len(prepared.plain_words) > 1:
            try:
                any_parsed = self._parser(any_word=True).parse(prepared.text)
            except Exception:  # as above: the words alone, any of them
                words_q = self._words_query(_WORDS_ONLY.findall(prepared.text))
                any_parsed = (
                    query.Or(list(words_q.subqueries), scale=0.9) if words_q.is_leaf() is False else words_q
                )
            any_q = self._rewrite(any_parsed, reader, {})
            any_hits = self._hits(any_q, category, sort, limit)
            if any_hits.docnums:
                q, hits, fallback = any_q, any_hits, True
        docnums, scores, stopped = hits.docnums, hits.scores, hits.stopped
        total, estimate = hits.total, hits.estimate
        terms: set[tuple[str, str]] = set()
        if highlights:
            _walk_terms(q, reader, terms)
        words = prepared.plain_words[:-1] if prepared.prefixed_last else prepared.plain_words
        suggestion = self._suggest(words, reader, text)
        explanation = None
        if prepared.truncated:
            explanation = f"Only the first {queries.MAX_QUERY_CHARS} characters of the search were used."
        if misread:
            note = "The operators of this search could not be read, so its words were searched for."
            explanation = f"{explanation} {note}" if explanation else note
        if stopped:
            explanation = (
                f"This search was stopped after {SEARCH_SECONDS:g} s: these are the best matches among the "
                "resources looked at so far. Add a word or a filter for a complete answer."
            )
        if not docnums:
            nothing = "No resources match" + (f" in category '{category}'." if category else ".")
            explanation = f"{nothing} {explanation}" if explanation else nothing
        results = Results(
            self,
            text,
            searcher=searcher,
            docnums=docnums,
            scores=scores if sort == "relevance" else None,
            total=total,
            total_is_estimate=estimate,
            facet_query=q,
            want_facets=facets,
            matched=hits.matched,
            suggestion=suggestion,
            fallback=fallback,
            explanation=explanation,
            terms=frozenset(terms),
            stopped=stopped,
        )
        results._category_filtered = category is not None  # type: ignore[attr-defined]
        results._category = category  # type: ignore[attr-defined]
        return results

    def _evaluator(self) -> _Evaluator:
        if self._eval is None or self._eval.searcher is not self._searcher:
            self._eval = _Evaluator(self._searcher)
        return self._eval

    def _column(self, name: str) -> list[Any]:
        """A sortable column as a list indexed by document number (read once per searcher)."""
        key = (id(self._searcher), name)
        found = self._columns.get(key)
        if found is None:
            if any(k[0] != key[0] for k in self._columns):
                self._columns.clear()
            found = _column_values(self._searcher.reader(), name)
            self._columns[key] = found
        return found

    def _hits(self, q: Any, category: str | None, sort: Sort, limit: int | None) -> _Hits:
        """The hits of a parsed query: the bulk evaluator, or Whoosh's collector when it ran out of time."""
        evaluator = self._evaluator()
        evaluator.deadline = time.monotonic() + SEARCH_SECONDS
        try:
            if (
                isinstance(q, query.Require)
                and evaluator.is_phrase(q.b)
                and sort == "relevance"
                and limit is not None
            ):
                return self._phrase_first_page(evaluator, q, category, limit)
            if isinstance(q, query.ConstantScoreQuery) and sort == "relevance" and limit is not None:
                first = self._prefix_first_page(evaluator, q, category, limit)
                if first is not None:
                    return first
            if type(q) is query.And and q.boost == 1.0 and sort == "relevance" and limit is not None:
                first = self._and_prefix_first_page(evaluator, q, category, limit)
                if first is not None:
                    return first
            matched = evaluator.eval(q)
        except _OutOfTime:
            return self._collector_hits(q, category, sort, limit)
        finally:
            evaluator.deadline = float("inf")
        chosen: Mapping[int, float] = matched
        if category is not None:
            wanted = category.lower()
            cats = self._category_column(self._searcher)
            chosen = {d: s for d, s in matched.items() if cats[d].lower() == wanted}
        if sort == "relevance":
            top = _top(chosen, limit)
            docnums, scores = [d for d, _s in top], [s for _d, s in top]
        else:
            docnums = sorted(chosen, key=self._sort_key(sort))[:limit]
            scores = [0.0] * len(docnums)
        return _Hits(docnums, scores, len(chosen), False, False, matched)

    def _prefix_first_page(
        self, evaluator: _Evaluator, q: Any, category: str | None, limit: int
    ) -> _Hits | None:
        """The first page of a lone prefix (``h`` typed in the search box), without reading it all.

        Every hit scores the same constant, so the page is the lowest document numbers of the
        expanded words; posting lists are in document order, so only their first blocks are read.
        The total is then a lower bound until the per-category counts are asked for.
        """
        terms = _expanded_terms(q)
        if terms is None:
            return None
        streams = []
        for t in terms:
            btext = evaluator._bytes(t.fieldname, t.text)
            if btext is not None:
                streams.append(evaluator.doc_stream(t.fieldname, btext))
        wanted = category.lower() if category is not None else None
        cats = self._category_column(self._searcher) if wanted is not None else None
        page: list[int] = []
        last = -1
        for d in heapq.merge(*streams):
            if d == last:
                continue
            last = d
            if cats is not None and cats[d].lower() != wanted:
                continue
            page.append(d)
            if len(page) >= limit:
                break
        complete = len(page) < limit  # every stream ran out: the page is all there is
        if complete:
            total = len(page)
        else:
            # Each word's document count, less every deleted document: at least this many match.
            deleted = sum(len(d) for d in evaluator.deleted)
            sizes = [
                evaluator.doc_frequency(t.fieldname, evaluator._bytes(t.fieldname, t.text) or b"")
                for t in terms
            ]
            total = limit if wanted is not None else max(limit, max(sizes) - deleted)

        def every_match() -> Mapping[int, float]:
            with self._lock:
                return evaluator.eval(q)

        return _Hits(page, [float(q.score)] * len(page), total, not complete, False, every_match)

    def _phrase_first_page(self, evaluator: _Evaluator, q: Any, category: str | None, limit: int) -> _Hits:
        """A phrase's best hits, checking word order only for the best-scored candidates.

        The phrase's score is its words' score, known for every resource that has all the words;
        their order is checked for the best candidates first. The total is then a lower bound
        ("50+") until the per-category counts are asked for, which check every candidate.
        """
        scored = evaluator.eval(q.a)
        return self._filtered_first_page(
            scored, lambda docs: evaluator.phrase_filter(q.b, docs), None, category, limit
        )

    def _and_prefix_first_page(
        self, evaluator: _Evaluator, q: Any, category: str | None, limit: int
    ) -> _Hits | None:
        """Words and a prefix (``housing da`` typed in the box): the prefix checked on the best only.

        The prefix part scores a constant, so the order of the hits is the order of the words'
        score. Reading every document of the prefix's (often very common) expanded words would
        cost more than the words themselves; instead the best candidates of the words are checked
        against their ``sequence`` (does it hold one of the expanded words?), a few pages at a time.
        """
        parts = list(q.subqueries)
        lazy = [i for i, part in enumerate(parts) if self._text_words(part) is not None]
        if not lazy or len(lazy) == len(parts) or any(isinstance(p, query.Not) for p in parts):
            return None
        # Whoosh sums an AND's parts in order; with the constants last (or two parts, where the
        # order cannot matter) the total rises with the words' score, so their order is the order.
        if len(parts) > 2 and min(lazy) < len(parts) - len(lazy):
            return None
        reader = self._searcher.reader()
        groups: list[list[str]] = []
        rate = 1.0  # the expected share of candidates that pass (the words counted independently)
        for i in lazy:
            words = self._text_words(parts[i]) or []
            groups.append(words)
            postings = sum(evaluator.doc_frequency("text", w.encode("utf-8")) for w in words)
            share = postings / max(1, reader.doc_count())
            if share < LAZY_PREFIX_SHARE or postings < LAZY_PREFIX_POSTINGS:  # cheaper read in full
                return None
            rate *= min(1.0, share)
        base_parts = [p for i, p in enumerate(parts) if i not in lazy]
        base = evaluator.eval(base_parts[0] if len(base_parts) == 1 else query.And(base_parts))
        constants = [float(parts[i].score) for i in lazy]

        def total_score(s: float) -> float:
            for c in constants:
                s += c
            return s

        def every_match() -> Mapping[int, float]:
            # The counts need every match: reading the expanded words beats checking each candidate.
            with self._lock:
                return evaluator.eval(q)

        def keep(docs: Collection[int]) -> set[int]:
            return evaluator.sequence_filter(groups, docs)

        return self._filtered_first_page(base, keep, total_score, category, limit, every_match, rate)

    @staticmethod
    def _text_words(part: Any) -> list[str] | None:
        """The words of a constant-score expansion on ``text`` (a prefix typed last), else None."""
        terms = _expanded_terms(part) if isinstance(part, query.ConstantScoreQuery) else None
        if terms is None or any(t.fieldname != "text" for t in terms):
            return None
        return [str(t.text) for t in terms]

    def _filtered_first_page(
        self,
        scored: Mapping[int, float],
        keep: Callable[[Collection[int]], set[int]],
        total_score: Callable[[float], float] | None,
        category: str | None,
        limit: int,
        every: Callable[[], Mapping[int, float]] | None = None,
        rate: float = 0.5,
    ) -> _Hits:
        """The best ``limit`` of ``scored`` that pass ``keep``, checking the best-scored first.

        ``total_score`` maps a candidate's score to its hit's score (it must not change their
        order). Candidates are checked a few pages at a time, as many as the hit rate so far says
        a page needs; the total is a lower bound until every match is asked for.
        """
        chosen: Mapping[int, float] = scored
        if category is not None:
            wanted = category.lower()
            cats = self._category_column(self._searcher)
            chosen = {d: s for d, s in scored.items() if cats[d].lower() == wanted}
        # Enough candidates for a page at the expected pass rate, with room to spare.
        ranked = _top(chosen, limit + int(2 * limit / max(rate, 0.01)))
        found: list[tuple[int, float]] = []
        verified: set[int] = set()  # candidates checked, kept or not
        checked = 0
        while True:
            batch = ranked[checked:]
            kept = keep([d for d, _s in batch])
            found.extend((d, s) for d, s in batch if d in kept)
            verified.update(d for d, _s in batch)
            checked = len(ranked)
            if len(found) >= limit or checked >= len(chosen):
                break
            rate = max(len(found), 1) / checked
            more = checked + int(2 * (limit - len(found)) / rate)
            ranked = _top(chosen, len(chosen) if more > len(chosen) // 2 else more)
        complete = checked >= len(chosen)
        if total_score is not None:
            found = [(d, total_score(s)) for d, s in found]
            if not complete and len(found) >= limit:
                # Two close scores can become one after the constants are added; the tie then goes
                # to the lower document number, which may not have been checked yet.
                last, least = found[limit - 1][1], found[limit - 1][0]
                near = chosen[least] - 1e-9 * (abs(last) + 1.0)  # a few rounding steps below
                # Candidates not checked yet score at most the last one checked: look only if it is near.
                tied = []
                if ranked and ranked[-1][1] >= near:
                    tied = [d for d, s in chosen.items() if s >= near and d not in verified]
                    tied = [d for d in tied if total_score(chosen[d]) >= last]
                if tied:
                    kept = keep(tied)
                    verified.update(tied)
                    found.extend((d, total_score(chosen[d])) for d in tied if d in kept)
                    found.sort(key=lambda h: (-h[1], h[0]))

        def every_match() -> Mapping[int, float]:
            with self._lock:
                rest = keep(scored.keys())
                out = {d: s for d, s in scored.items() if d in rest}
                return out if total_score is None else {d: total_score(s) for d, s in out.items()}

        total = len(found) if complete else max(len(found), limit)
        found = found[:limit]
        matched = every or every_match
        return _Hits([d for d, _s in found], [s for _d, s in found], total, not complete, False, matched)

    def _sort_key(self, sort: Sort) -> Callable[[int], Any]:
        order = self._column("order")
        if sort == "title":
            titles = self._column("title_sort")
            return lambda d: (titles[d], order[d])
        if sort == "year":
            years = self._column("year_sort")
            return lambda d: (-years[d], order[d])
        return order.__getitem__

    def _collector_hits(self, q: Any, category: str | None, sort: Sort, limit: int | None) -> _Hits:
        cat_filter = query.Term("category", category.lower()) if category else None
        hits, stopped = _timed_search(self._searcher, q, limit, cat_filter, self._sort_facet(sort))
        docnums = [hit.docnum for hit in hits]
        # Sorted by a field, Whoosh puts the sort key (a tuple) where the score would be.
        scores = [float(hit.score) if isinstance(hit.score, int | float) else 0.0 for hit in hits]
        if stopped:
            total, estimate = len(docnums), True
        elif limit is None or hits.has_exact_length():
            total, estimate = len(hits), False
        else:
            total, estimate = max(hits.estimated_length(), len(docnums)), True
        return _Hits(docnums, scores, total, estimate, stopped, None)

    def forget_cached_terms(self) -> None:
        """Drop the posting lists kept for the next keystroke (benchmarks measure cold queries)."""
        with self._lock:
            if self._eval is not None:
                self._eval.forget_terms()

    def _last_category_filtered(self, results: Results) -> bool:
        return bool(getattr(results, "_category_filtered", False))

    @staticmethod
    def _unknown_is(prepared: str) -> str | None:
        for value in re.findall(r"\bis:([^\s)]*)", prepared):
            if value not in queries.IS_VALUES:
                return str(value)
        return None

    def _rewrite(self, q: Any, reader: Any, cache: dict[str, list[str]]) -> Any:
        """Swap prefix/wildcard queries for capped expansions and ``is:`` for in-memory sets."""
        if isinstance(q, query.Prefix):
            return self._expand(q.fieldname, q.text, None, reader, cache, q.boost)
        if isinstance(q, query.Wildcard):
            literal = re.split(r"[*?]", q.text, maxsplit=1)[0]
            pattern = re.compile(re.escape(q.text).replace(r"\*", ".*").replace(r"\?", ".") + "$")
            return self._expand(q.fieldname, literal, pattern, reader, cache, q.boost)
        if isinstance(q, query.NumericRange) and q.constantscore:
            # ``year:2014..2017``: the years' own terms (one per year), not Whoosh's range matcher,
            # which the evaluator could only walk document by document.
            compiled = q._compile_query(reader)
            if not isinstance(compiled, query.ConstantScoreQuery):
                return compiled
            child = compiled.child
            if isinstance(child, query.TermRange):
                btexts = sorted(child._btexts(reader))
                if not btexts:
                    return query.NullQuery
                child = query.Or([query.Term(q.fieldname, b) for b in btexts])
            return query.ConstantScoreQuery(child, compiled.score)
        if isinstance(q, query.Every):
            # field:* would list every word of the field; every resource has these fields anyway
            return query.Term("bookmarked", "yes") if q.fieldname == "note" else query.Every(boost=q.boost)
        if isinstance(q, _FuzzyWord):
            folded = [t.text for t in self._fold(q.text)]
            if not folded:
                return query.NullQuery
            words = self._vocabulary(reader).speller.similar(folded[0], q.maxdist, EXPANSION_LIMIT)
            return self._terms_for(q.fieldname, words or folded[:1], q.boost)
        if isinstance(q, query.Phrase) and q.fieldname == "text":
            # ``text`` keeps no positions: its words score the phrase, ``sequence`` checks their order.
            words = list(q.words)
            if not words:
                return query.NullQuery
            terms = query.And([query.Term("text", w) for w in words], boost=q.boost)
            return query.Require(terms, _TextPhrase(words, slop=q.slop))
        if isinstance(q, query.Term) and q.fieldname == "is":
            if q.text == "bookmarked":
                return _DocSet("bookmarked", self._bookmarked)
            return _DocSet(str(q.text), self._link_status.get(str(q.text), frozenset()))
        return q.apply(lambda child: self._rewrite(child, reader, cache))

    def _expand(
        self,
        fieldname: str,
        prefix: str,
        pattern: re.Pattern[str] | None,
        reader: Any,
        cache: dict[str, list[str]],
        boost: float,
    ) -> Any:
        if not prefix and (pattern is None or set(pattern.pattern) <= set(".*$")):
            return query.Every()  # a lone * means everything
        folded = [t.text for t in self._fold(prefix)]
        prefix = folded[0] if folded else prefix.lower()
        if fieldname in WORD_FIELDS:
            key = f"{prefix}\0{pattern.pattern if pattern else ''}"
            words = cache.get(key)
            if words is None:
                words = self._vocabulary(reader).expand(
                    prefix, _expansion_limit(prefix), pattern, EXPANSION_SCAN
                )
                cache[key] = words
            # Constant score, like Whoosh's own Prefix: scoring dozens of expanded words costs more
            # than it tells; the complete words of the query decide the order.
            expanded = self._terms_for(fieldname, words, boost)
            return expanded if expanded is query.NullQuery else query.ConstantScoreQuery(expanded, boost)
        terms = set(_top_terms(reader, fieldname, prefix, pattern, _expansion_limit(prefix)))
        if not terms:
            return query.NullQuery
        return query.Or([query.Term(fieldname, t) for t in sorted(terms)], boost=boost)

    def _terms_for(self, fieldname: str, words: Sequence[str], boost: float) -> Any:
        """Any of ``words`` in a field, each analysed the way that field indexes it."""
        if fieldname not in WORD_FIELDS:
            return (
                query.Or([query.Term(fieldname, w) for w in words], boost=boost) if words else query.NullQuery
            )
        analyzer = self._fold if fieldname in FOLDED_FIELDS else self._stem
        terms: set[str] = set()
        for word in words:
            terms.update(t.text for t in analyzer(word, mode="query"))
        if not terms:
            return query.NullQuery
        return query.Or([query.Term(fieldname, t) for t in sorted(terms)], boost=boost)

    def suggest(self, text: str) -> str | None:
        """The "did you mean" spelling of ``text`` read as whole words, without searching.

        ``search(..., as_you_type=True)`` leaves the last word, a prefix, unchecked;
        this checks it too, at the cost of a few term look-ups, not a second search.
        """
        try:
            with self._lock:
                prepared = queries.prepare(text)
                return self._suggest(prepared.plain_words, self._searcher.reader(), text)
        except Exception:  # like search(): a query string never raises
            return None

    def _suggest(self, words: Sequence[str], reader: Any, text: str) -> str | None:
        replacements: dict[str, str] = {}
        for word in words:
            folded = [t.text for t in self._fold(word)]
            if not folded or len(folded[0]) < 3:
                continue
            stems = [t.text for t in self._stem(word, mode="query")]
            if any(reader.doc_frequency("text", s) for s in stems):
                continue  # known: no need to load the vocabulary
            vocabulary = self._vocabulary(reader)
            if folded[0] in vocabulary.frequency:
                continue
            found = vocabulary.speller.suggest(folded[0])
            if found:
                replacements[word] = found
            if len(replacements) >= MAX_SUGGESTED_WORDS:
                break
        if not replacements:
            return None
        return queries.replace_words(text, replacements)

    def _vocabulary(self, reader: Any) -> queries.Vocabulary:
        """Every indexed word and its frequency: saved at build time, else read from the index once."""
        if self._vocab is None:
            saved = self._load_vocabulary()
            self._vocab = saved if saved is not None else self._vocabulary_from_documents(reader)
            # The saved vocabulary predates the notes: their words expand as prefixes too.
            self._vocab.add(t.text for text in self._notes.values() for t in self._fold(text))
        return self._vocab

    def _vocabulary_from_documents(self, reader: Any) -> queries.Vocabulary:
        """Slow path (the saved vocabulary is missing): count the words of every stored resource."""
        fold = _fold_analyzer(stop=True)
        counts: Counter[str] = Counter()
        for stored in reader.all_stored_fields():
            res = resource_from_json_text(stored["data"])
            counts.update({t.text for t in fold(_document(res, stored.get("note"))["text"])})
        return queries.Vocabulary(counts.items())

    def _load_vocabulary(self) -> queries.Vocabulary | None:
        if self.location is None:
            return None
        try:
            raw = json.loads((self.location / VOCABULARY).read_text(encoding="utf-8"))
            return queries.Vocabulary((str(w), int(n)) for w, n in raw["words"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _count_matched(self, searcher: Any, matched: Mapping[int, float]) -> dict[str, int]:
        """Matches per category, in catalogue order, from the evaluator's full set of matches."""
        with self._lock:
            cats = self._category_column(searcher)
            counts = Counter(map(cats.__getitem__, matched))
        return self._ranked_counts(counts)

    def _ranked_counts(self, counts: Counter[str]) -> dict[str, int]:
        order = [c.id for c in self.catalogue.categories]
        ranked = {cid: counts[cid] for cid in order if counts.get(cid)}
        ranked.update({cid: n for cid, n in counts.items() if cid not in ranked})
        return ranked

    def _count_categories(self, searcher: Any, q: Any) -> tuple[dict[str, int], bool]:
        """Matches per category, in catalogue order, and whether every match was counted."""
        complete = True
        if q is None:
            return {}, complete
        with self._lock:
            try:
                reader = searcher.reader()
                cats = self._category_column(searcher)
                counts: Counter[str] = Counter()
                has_deleted = reader.has_deletions()
                deadline = time.monotonic() + FACET_SECONDS
                for n, docnum in enumerate(searcher.docs_for_query(q)):
                    if has_deleted and reader.is_deleted(docnum):
                        continue
                    counts[cats[docnum]] += 1
                    if n % 512 == 511 and time.monotonic() > deadline:
                        complete = False
                        break
            except Exception:
                return {}, False
        return self._ranked_counts(counts), complete

    def _category_column(self, searcher: Any) -> list[str]:
        key = id(searcher)
        if self._categories_by_doc is None or self._categories_by_doc[0] != key:
            self._categories_by_doc = (key, _column_values(searcher.reader(), "category"))
        return self._categories_by_doc[1]

    # ---------------------------------------------------------- related
    def related(self, resource_id: str, limit: int = 5) -> list[Resource]:
        """Resources most like this one (shared key words), best first."""
        res = self.get(resource_id)
        if res is None or limit <= 0:
            return []
        try:
            with self._lock:
                searcher = self._searcher
                text = " ".join([res.title, res.title, " ".join(res.tags), res.description])
                keys = searcher.key_terms_from_text("text", text, numterms=16, normalize=True)
                subqueries = [
                    query.Term(name, word, boost=float(weight) * DEFAULT_FIELDS[name])
                    for word, weight in keys
                    for name in DEFAULT_FIELDS
                ]
                if not subqueries:
                    return []
                # The bulk evaluator, as for a search: Whoosh's matcher took a third of a second at
                # 100,000 resources, long enough to hold up the next keystroke's search.
                evaluator = self._evaluator()
                scores = evaluator.eval(query.Or(subqueries))
                for docnum in evaluator.docs(query.Term("id", resource_id)):
                    scores.pop(docnum, None)
                return [self._stored(searcher, d) for d, _s in _top(scores, limit)]
        except Exception:
            return []

    # ---------------------------------------------------------- user state
    def sync_notes(self, notes: Mapping[str, str]) -> None:
        """Bookmarked ids -> note text: makes ``is:bookmarked`` and the notes' words searchable."""
        with self._lock:
            self._bookmarked = frozenset(notes)
            self._notes = {rid: text or "" for rid, text in notes.items()}
            if self._vocab is not None:
                self._vocab.add(t.text for text in self._notes.values() for t in self._fold(text))
            try:
                current: dict[str, str] = {}
                for hit in self._searcher.search(query.Term("bookmarked", "yes"), limit=None, scored=False):
                    current[hit["id"]] = hit.get("note", "") or ""
                changed = [rid for rid in set(current) | set(notes) if current.get(rid) != notes.get(rid)]
                changed = [rid for rid in changed if self.get(rid) is not None]
                if not changed:
                    return
                writer = self._ix.writer(timeout=5.0)
                try:
                    for rid in sorted(changed):
                        res = self.get(rid)
                        assert res is not None
                        docnum = self._searcher.document_number(id=rid)
                        order = None if docnum is None else int(self._column("order")[docnum])
                        writer.update_document(**_document(res, notes.get(rid), order=order))
                    writer.commit()
                except BaseException:
                    writer.cancel()
                    raise
                self._refresh()
                if self._vocab is not None:
                    self._vocab.add(t.text for rid in changed for t in self._fold(notes.get(rid) or ""))
            except Exception as exc:
                message = (
                    f"Note words are not searchable this session (the index could not be updated: {exc})."
                )
                if message not in self.notices:
                    self.notices.append(message)

    def sync_link_status(self, status: Mapping[str, str]) -> None:
        """Resource id -> link status ("ok", "dead", ...): makes ``is:ok`` / ``is:dead`` work."""
        groups: dict[str, set[str]] = {}
        for rid, value in status.items():
            groups.setdefault(str(value).lower(), set()).add(rid)
        with self._lock:
            self._link_status = {k: frozenset(v) for k, v in groups.items()}


@dataclass(frozen=True, slots=True)
class IndexCheck:
    """The verdict of ``check_index``: is there a fresh, healthy index, and where."""

    ok: bool
    location: Path | None
    status: Literal["fresh", "missing", "stale", "damaged"]
    reason: str
    resource_count: int = 0
    fingerprint: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "location": str(self.location) if self.location else None,
            "status": self.status,
            "reason": self.reason,
            "resource_count": self.resource_count,
            "fingerprint": self.fingerprint,
        }


def check_index(catalogue: Path, index_dir: str | Path | None = None) -> IndexCheck:
    """Verify the index of ``catalogue`` without building anything.

    Reads every stored resource back and compares the ids with the manifest, so
    it costs more than the check ``SearchIndex.open`` makes at start-up.
    """
    catalogue = Path(catalogue).expanduser()
    preferred = locations.index_dir(catalogue, index_dir)
    fallback = locations.fallback_index_dir(catalogue)
    places = (
        [preferred] if fallback == preferred or (preferred / MANIFEST).exists() else [preferred, fallback]
    )
    place = next((p for p in places if (p / MANIFEST).exists()), preferred)
    try:
        source = _Source(catalogue)
        manifest = _read_manifest(place)
        _check_fresh(place, manifest, source)
        ix = _open_dir(place)
        try:
            _probe(ix, manifest)
            wanted = {
                rid for c in manifest.get("catalogue", {}).get("categories", ()) for rid in c["resource_ids"]
            }
            found: set[str] = set()
            with ix.searcher() as searcher:
                reader = searcher.reader()
                for docnum in range(searcher.doc_count_all()):
                    if not reader.is_deleted(docnum):
                        found.add(resource_from_json_text(reader.stored_fields(docnum)["data"]).id)
        finally:
            ix.close()
        if wanted - found:
            raise _Stale(f"{len(wanted - found)} resources of the manifest are missing from the index", True)
    except _Stale as stale:
        status: Literal["missing", "stale", "damaged"] = (
            "missing" if stale.reason == "no index yet" else "damaged" if stale.damaged else "stale"
        )
        return IndexCheck(False, place, status, stale.reason)
    except Exception as exc:
        return IndexCheck(False, place, "damaged", f"{type(exc).__name__}: {exc}")
    return IndexCheck(
        True,
        place,
        "fresh",
        "the index matches the catalogue and answers queries",
        resource_count=len(found),
        fingerprint=str(manifest.get("fingerprint", "")),
    )


# ------------------------------------------------------------ fast evaluation
#
# Whoosh scores one matching document at a time through a tree of matcher objects: about
# 7 µs of Python per document, paid for every match of a common word (85% of a catalogue), and
# the top-k block skipping never fires on Zipf head words. This evaluator reads the same
# posting blocks in bulk (ids and weights come out of each block as arrays), scores them with
# the same BM25F formula and parameters in one comprehension per block, and combines
# subqueries with dict and set operations, which run in C. Node types it does not know are
# handed to Whoosh's own matcher for that subtree, so the answer is always Whoosh's answer;
# ``tests/core/test_fast_search.py`` checks that hits and scores agree on thousands of queries.


class _OutOfTime(Exception):
    """The evaluation ran past its deadline (see SEARCH_SECONDS)."""


class _Evaluator:
    """Evaluates parsed queries against one searcher: {global docnum: score} for every match."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.leaves: list[tuple[Any, int]] = list(searcher.reader().leaf_readers())
        self.deleted = [
            frozenset(r.deleted_docs_set or ()) if r.has_deletions() else frozenset() for r, _ in self.leaves
        ]
        self.weighting = searcher.weighting
        self._lengths: dict[tuple[int, str], bytes] = {}
        self._terms: dict[tuple[str, bytes, float], dict[int, float]] = {}
        self._term_postings = 0
        self._position_blocks: dict[tuple[str, bytes, int, int], tuple[Any, Any, Any]] = {}
        self._sequence_columns: dict[int, Any] = {}
        self._infos: dict[tuple[int, str, bytes], Any] = {}  # term table entries (see _term_info)
        self.deadline = float("inf")

    # -- plumbing
    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _OutOfTime

    def _field_lengths(self, leaf: int, fieldname: str) -> bytes:
        key = (leaf, fieldname)
        found = self._lengths.get(key)
        if found is None:
            reader = self.leaves[leaf][0]
            count = reader.doc_count_all()
            try:
                column = reader._perdoc._cached_reader(f"_{fieldname}_len", _LENGTHS_COLUMN)
                raw = column._dbfile.get(column._basepos, column._count) if column is not None else b""
                if column is not None and column._fixedlen != 1:  # pragma: no cover - other codecs
                    raise TypeError
                found = bytes(raw[:count]) + bytes(max(0, count - len(raw)))
            except Exception:  # pragma: no cover - another codec: ask per document
                found = bytes(
                    _length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0) for d in range(count)
                )
            self._lengths[key] = found
        return found

    def _term_info(self, reader: Any, fieldname: str, btext: bytes) -> Any:
        """A segment's entry for a term (None when it has none), looked up once, not three times."""
        key = (id(reader), fieldname, btext)
        info = self._infos.get(key, _UNSEEN)
        if info is _UNSEEN:
            if len(self._infos) >= 50_000:
                self._infos.clear()
            try:
                info = reader._terms.term_info(fieldname, btext)
            except Exception:  # TermNotFound, or a reader of another kind
                info = None if (fieldname, btext) not in reader else False
            self._infos[key] = info
        return info

    def _postings(self, reader: Any, fieldname: str, btext: bytes) -> Any:
        """A segment's raw posting matcher for a term (deleted documents included), or None."""
        info = self._term_info(reader, fieldname, btext)
        if info is None:
            return None
        if info is False:  # pragma: no cover - a reader without Whoosh 3's term table
            m = reader.postings(fieldname, btext)
        else:
            m = reader._codec.postings_reader(
                reader._terms._postfile, info, self.schema[fieldname].format, term=(fieldname, btext)
            )
        while isinstance(m, FilterMatcher):
            m = m.child
        return m

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        """How many documents hold a term, deleted ones included (as Whoosh counts)."""
        total = 0
        for reader, _offset in self.leaves:
            info = self._term_info(reader, fieldname, btext)
            if info is False:  # pragma: no cover - see _term_info
                total += reader.doc_frequency(fieldname, btext)
            elif info is not None:
                total += info.doc_frequency()
        return total

    def _blocks(
        self, reader: Any, fieldname: str, btext: bytes, values: bool = False, weights: bool = True
    ) -> Iterator[tuple[Any, Any, Any]]:
        """(ids, weights, values) per posting block of one term in one segment (deleted docs included)."""
        m = self._postings(reader, fieldname, btext)
        if m is None:
            return
        if not hasattr(m, "_read_ids"):  # pragma: no cover - another codec: one posting at a time
            ids: list[int] = []
            found_weights: list[float] = []
            vals: list[Any] = []
            while m.is_active():
                ids.append(m.id())
                found_weights.append(m.weight())
                vals.append(m.value() if values else None)
                m.next()
            yield ids, found_weights, vals
            return
        while m.is_active():
            yield _block(m, weights, values)
            m._next_block()

    # -- leaves
    def term(self, fieldname: str, text: Any, boost: float) -> dict[int, float]:
        """{docnum: BM25F score} of one word, read a posting block at a time (kept for the next key)."""
        field = self._field(fieldname)
        btext = self._bytes(fieldname, text)
        if field is None or btext is None:
            return {}
        key = (fieldname, btext, boost)
        cached = self._terms.get(key)
        if cached is not None:
            return cached
        out: dict[int, float] = {}
        scorable = field.scorable and isinstance(self.weighting, BM25F)
        if scorable:
            top, norms = self._bm25(fieldname, btext)
        elif field.scorable:  # pragma: no cover - another weighting model: let Whoosh score it
            return self.whoosh(query.Term(fieldname, text, boost=boost))
        for leaf, (reader, offset) in enumerate(self.leaves):
            lengths = self._field_lengths(leaf, fieldname) if scorable else b""
            for ids, weights, _values in self._blocks(reader, fieldname, btext):
                if scorable:
                    out.update(
                        {
                            d + offset: top * w / (w + norms[lengths[d]])
                            for d, w in zip(ids, weights, strict=True)
                        }
                    )
                else:
                    out.update({d + offset: w for d, w in zip(ids, weights, strict=True)})
            self._drop_deleted(out, leaf)
        if boost != 1.0:
            out = {d: s * boost for d, s in out.items()}
        self._remember(key, out)
        return out

    def _bm25(self, fieldname: str, btext: bytes) -> tuple[float, list[float]]:
        """Whoosh's BM25F for one word as (top, norms): score = top * tf / (tf + norms[length byte]).

        bm25(idf, tf, fl, avgfl, B, K1) = idf * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * fl / avgfl))
        """
        idf = self.searcher.idf(fieldname, btext)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        b = self.weighting._field_B.get(fieldname, self.weighting.B)
        k1 = self.weighting.K1
        norms = [k1 * ((1 - b) + b * _byte_to_length(i) / avgfl) for i in range(256)]
        return idf * (k1 + 1), norms

    def term_within(self, q: Any, within: set[int]) -> dict[int, float]:
        """A word's scores for the documents in ``within`` only: blocks holding none are skipped.

        Same numbers as ``term`` (one formula); used for a common word ANDed with a rarer part,
        where reading and scoring every posting of the common word would be wasted.
        """
        cached = self._terms.get((q.fieldname, self._bytes(q.fieldname, q.text) or b"", q.boost))
        if cached is not None:
            return {d: cached[d] for d in within if d in cached}
        field = self._field(q.fieldname)
        btext = self._bytes(q.fieldname, q.text)
        if field is None or btext is None or not field.scorable or not isinstance(self.weighting, BM25F):
            full = self.eval(q)
            return {d: full[d] for d in within if d in full}
        top, norms = self._bm25(q.fieldname, btext)
        out: dict[int, float] = {}
        for leaf, local, ids, weights, _values in self._blocks_within(
            q.fieldname, btext, within, weights=True
        ):
            offset = self.leaves[leaf][1]
            lengths = self._field_lengths(leaf, q.fieldname)
            out.update(
                {
                    d + offset: top * w / (w + norms[lengths[d]])
                    for d, w in zip(ids, weights, strict=True)
                    if d in local
                }
            )
        if q.boost != 1.0:
            out = {d: v * q.boost for d, v in out.items()}
        return out

    def _blocks_within(
        self,
        fieldname: str,
        btext: bytes,
        within: Collection[int],
        weights: bool = False,
        values: bool = False,
        cache: dict[tuple[str, bytes, int, int], tuple[Any, Any, Any]] | None = None,
    ) -> Iterator[tuple[int, Collection[int], Any, Any, Any]]:
        """(leaf, its wanted documents, ids, weights, values) of each posting block of a word that may
        hold a document of ``within`` (global numbers); the block headers, which carry each block's
        last document number, let the others go unread. Ids are the segment's own numbers.
        """
        for leaf, (reader, offset) in enumerate(self.leaves):
            end = offset + reader.doc_count_all()
            local = within if len(self.leaves) == 1 else {d - offset for d in within if offset <= d < end}
            if not local:
                continue
            m = self._postings(reader, fieldname, btext)
            if m is None:
                continue
            if not hasattr(m, "_read_ids"):  # pragma: no cover - another codec: every block
                for every in self._blocks(reader, fieldname, btext, values=values, weights=weights):
                    yield (leaf, local, *every)
                continue
            wanted = sorted(local)
            i = 0
            while m.is_active() and i < len(wanted):
                if m._maxid < wanted[i]:  # no wanted document in this block
                    m._next_block()
                    continue
                key = (fieldname, btext, leaf, m._maxid)
                block = cache.get(key) if cache is not None else None
                if block is None:
                    block = _block(m, weights, values)
                    if cache is not None:
                        self._keep_position_block(key, block)
                yield (leaf, local, *block)
                i = bisect.bisect_right(wanted, m._maxid, i)
                m._next_block()

    def doc_stream(self, fieldname: str, btext: bytes) -> Iterator[int]:
        """A word's documents in order (deleted ones left out), read a block at a time as needed."""
        for leaf, (reader, offset) in enumerate(self.leaves):
            deleted = self.deleted[leaf]
            for ids, _weights, _values in self._blocks(reader, fieldname, btext, weights=False):
                for d in ids:
                    if d not in deleted:
                        yield d + offset

    def _drop_deleted(self, out: dict[int, float], leaf: int) -> None:
        deleted = self.deleted[leaf]
        if deleted:
            offset = self.leaves[leaf][1]
            for d in deleted:
                out.pop(d + offset, None)

    def forget_terms(self) -> None:
        self._infos.clear()
        self._terms.clear()
        self._term_postings = 0
        self._position_blocks.clear()

    def _remember(self, key: tuple[str, bytes, float], out: dict[int, float]) -> None:
        # The words of a search typed letter by letter come back at every key: keep the last
        # few posting lists, up to TERM_CACHE_POSTINGS postings (about 100 bytes each).
        if len(out) > TERM_CACHE_POSTINGS:
            return
        while self._terms and self._term_postings + len(out) > TERM_CACHE_POSTINGS:
            old = self._terms.pop(next(iter(self._terms)))
            self._term_postings -= len(old)
        self._terms[key] = out
        self._term_postings += len(out)

    def whoosh(self, q: Any) -> dict[int, float]:
        """Whoosh's own matcher for a subtree it alone knows, one document at a time."""
        out: dict[int, float] = {}
        m = q.matcher(self.searcher, self.searcher.context())
        n = 0
        while m.is_active():
            out[m.id()] = m.score()
            m.next()
            n += 1
            if n % 1024 == 0:
                self._check_time()
        return out

    def phrase(self, q: Any) -> dict[int, float]:
        """A phrase on its own (``title:"..."``): its words' scores, where they stand side by side."""
        if not self._fast_phrase(q):
            return self.whoosh(q)
        scored = [self.term(q.fieldname, w, 1.0) for w in q.words]
        if not q.words or any(not s for s in scored):
            return {}
        first, rest = min(scored, key=len), scored
        candidates = {d for d in first if all(d in s for s in rest)}
        found = self.phrase_filter(q, candidates)
        return {d: sum(s[d] for s in scored) * q.boost for d in found}

    def _fast_phrase(self, q: Any) -> bool:
        field = self._field(q.fieldname)
        return field is not None and q.slop == 1 and isinstance(field.format, _BitPositions)

    def is_phrase(self, q: Any) -> bool:
        """Whether ``phrase_filter`` answers this query."""
        return isinstance(q, _TextPhrase) or (isinstance(q, query.Phrase) and self._fast_phrase(q))

    def _sequences(self, leaf: int) -> Any:
        found = self._sequence_columns.get(leaf)
        if found is None:
            reader = self.leaves[leaf][0]
            has = reader.has_column("sequence")
            found = reader.column_reader("sequence", translate=False) if has else None
            self._sequence_columns[leaf] = found
        return found

    def text_phrase_filter(self, q: _TextPhrase, candidates: Collection[int]) -> set[int]:
        """The candidates whose ``sequence`` holds the phrase."""
        if not q.words:
            return set()
        if q.slop == 1:
            return self.sequence_filter([[" ".join(q.words)]], candidates)
        return self._sequence_scan(candidates, lambda value: _phrase_in(value, q.words, q.slop))

    def sequence_filter(self, groups: Sequence[Sequence[str]], candidates: Collection[int]) -> set[int]:
        """The candidates whose ``sequence`` holds one of the runs of words of every group."""
        needles = [[(" " + run + " ").encode("utf-8") for run in group] for group in groups]

        def holds(value: bytes) -> bool:
            return all(any(n in value for n in group) for group in needles)

        if not needles:
            return set(candidates)
        return self._sequence_scan(candidates, holds, needles)

    def _sequence_scan(
        self,
        candidates: Collection[int],
        holds: Callable[[bytes], bool],
        needles: Sequence[Sequence[bytes]] | None = None,
    ) -> set[int]:
        """The candidates whose ``sequence`` value ``holds``; with ``needles``, found in the map."""
        found: set[int] = set()
        by_leaf: dict[int, Collection[int]] = {}
        if len(self.leaves) == 1:
            by_leaf[0] = candidates
        else:  # a few segments: one cheap pass each
            bounds = [offset for _r, offset in self.leaves] + [self.searcher.reader().doc_count_all()]
            for leaf in range(len(self.leaves)):
                lo, hi = bounds[leaf], bounds[leaf + 1]
                by_leaf[leaf] = [d for d in candidates if lo <= d < hi]
        wanted = candidates if isinstance(candidates, (set, frozenset, KeysView)) else set(candidates)
        single = needles[0][0] if needles is not None and len(needles) == 1 and len(needles[0]) == 1 else None
        for leaf, docnums in by_leaf.items():
            column = self._sequences(leaf)
            if column is None:
                continue
            offset = self.leaves[leaf][1]
            starts, lengths = column._offsets, column._lengths
            base, dbfile = column._basepos, column._dbfile
            if needles is not None and isinstance(dbfile, _MappedFile):
                # ``find`` on the map itself: nothing is copied per resource.
                find, at = dbfile._source.find, dbfile._base + base
                if single is not None and len(docnums) * SEQUENCE_SCAN_SHARE > len(lengths):
                    # Most resources are candidates (a phrase of common words): one pass of ``find``
                    # over the whole column, jumping to the next resource after each match.
                    matches = self._column_matches(column, single)
                    found.update(d + offset for d in matches if d + offset in wanted)
                    continue
                if single is not None:
                    for n, d in enumerate(docnums):
                        start = at + starts[d - offset]
                        if find(single, start, start + lengths[d - offset]) >= 0:
                            found.add(d)
                        if n % 8192 == 8191:
                            self._check_time()
                    continue
                for n, d in enumerate(docnums):
                    start = at + starts[d - offset]
                    end = start + lengths[d - offset]
                    if all(any(find(x, start, end) >= 0 for x in group) for group in needles):
                        found.add(d)
                    if n % 8192 == 8191:
                        self._check_time()
            else:
                get = dbfile.get
                for n, d in enumerate(docnums):
                    local = d - offset
                    if holds(get(base + starts[local], lengths[local])):
                        found.add(d)
                    if n % 8192 == 8191:
                        self._check_time()
        return found

    def _column_matches(self, column: Any, needle: bytes) -> list[int]:
        """The (segment) document numbers whose ``sequence`` value holds ``needle``, by one scan."""
        dbfile, starts, lengths = column._dbfile, column._offsets, column._lengths
        if not len(starts):
            return []
        find, at = dbfile._source.find, dbfile._base + column._basepos
        stop = at + starts[-1] + lengths[-1]
        out: list[int] = []
        pos = at
        while True:
            i = find(needle, pos, stop)
            if i < 0:
                return out
            # Values start and end with a space and needles never hold two spaces running, so a
            # match lies inside one value.
            d = bisect.bisect_right(starts, i - at) - 1
            out.append(d)
            pos = at + starts[d] + lengths[d]
            if len(out) % 8192 == 0:
                self._check_time()

    def phrase_filter(self, q: Any, candidates: Collection[int]) -> set[int]:
        """The candidates in which the phrase's words stand side by side, in order."""
        if isinstance(q, _TextPhrase):
            return self.text_phrase_filter(q, candidates)
        words = list(q.words)
        found_bytes = [self._bytes(q.fieldname, w) for w in words]
        reader = self.searcher.reader()
        btexts = [b for b in found_bytes if b is not None]
        if not words or len(btexts) < len(words) or any((q.fieldname, b) not in reader for b in btexts):
            return set()
        remaining = set(candidates)
        positions: dict[bytes, dict[int, bytes]] = {}
        # Rarest word first: each word's positions are read only in the blocks that hold a
        # document still in the running, and the running set shrinks word by word.
        for btext in sorted(set(btexts), key=lambda b: reader.doc_frequency(q.fieldname, b)):
            values = self._values_within(q.fieldname, btext, remaining)
            positions[btext] = values
            remaining &= values.keys()
            if not remaining:
                return set()
            self._check_time()
        lists = [positions[b] for b in btexts]
        at = _POSITIONS_AT
        if len(lists) == 2:  # the usual phrase: one comprehension
            first, second = lists
            return {
                d
                for d in remaining
                if (int.from_bytes(first[d][at:], "little") << 1) & int.from_bytes(second[d][at:], "little")
            }
        first, rest = lists[0], lists[1:]
        found = set()
        for n, d in enumerate(remaining):
            # bit p of ``bits``: the phrase's first k+1 words stand at p-k .. p
            bits = int.from_bytes(first[d][at:], "little")
            for later in rest:
                bits = (bits << 1) & int.from_bytes(later[d][at:], "little")
                if not bits:
                    break
            if bits:
                found.add(d)
            if n % 4096 == 4095:
                self._check_time()
        return found

    def _values_within(self, fieldname: str, btext: bytes, within: set[int]) -> dict[int, bytes]:
        """Posting values (positions) of one word for the documents in ``within``, skipping blocks."""
        out: dict[int, bytes] = {}
        blocks = self._blocks_within(fieldname, btext, within, values=True, cache=self._position_blocks)
        for leaf, local, ids, _weights, vals in blocks:
            offset, deleted = self.leaves[leaf][1], self.deleted[leaf]
            out.update(
                {d + offset: v for d, v in zip(ids, vals, strict=True) if d in local and d not in deleted}
            )
        return out

    def _keep_position_block(self, key: tuple[str, bytes, int, int], block: tuple[Any, Any, Any]) -> None:
        # A phrase's first page and then its facet count read the same blocks: keep the last
        # POSITION_BLOCKS decoded blocks (a few MB) so the second pass does not unpickle them again.
        if len(self._position_blocks) >= POSITION_BLOCKS:
            self._position_blocks.clear()
        self._position_blocks[key] = block

    # -- the tree
    def eval(self, q: Any) -> dict[int, float]:
        self._check_time()
        if isinstance(q, query.Term):
            return self.term(q.fieldname, q.text, q.boost)
        if isinstance(q, query.NullQuery.__class__):
            return {}
        if isinstance(q, query.And):
            return self._and(q.subqueries, q.boost)
        if type(q) is query.Or and not q.minmatch and not any(isinstance(s, query.Not) for s in q.subqueries):
            if q.scale:
                return self._scaled_or(q)
            return self._or([self.eval(s) for s in q.subqueries], q.boost)
        if isinstance(q, query.ConstantScoreQuery):
            return dict.fromkeys(self.docs(q.child), q.score)
        if isinstance(q, query.AndNot):
            positive = self.eval(q.a)
            negative = self.eval(q.b)
            return {d: s for d, s in positive.items() if d not in negative}
        if isinstance(q, query.Require):
            scored = self.eval(q.a)
            kept = self.phrase_filter(q.b, scored.keys()) if self.is_phrase(q.b) else self.docs(q.b)
            return {d: s for d, s in scored.items() if d in kept}
        if isinstance(q, query.AndMaybe):
            scored = self.eval(q.a)
            maybe = self.eval(q.b)
            return {d: s + maybe[d] if d in maybe else s for d, s in scored.items()}
        if isinstance(q, query.Phrase):
            return self.phrase(q)
        if isinstance(q, _TextPhrase):
            candidates = self.docs(query.And([query.Term("text", w) for w in q.words]))
            return dict.fromkeys(self.phrase_filter(q, candidates), q.boost)
        return self.whoosh(q)

    def docs(self, q: Any) -> Collection[int]:
        """The documents a query matches, without scores (the words of an expanded prefix)."""
        if isinstance(q, query.Term):
            btext = self._bytes(q.fieldname, q.text)
            if btext is None:
                return ()
            cached = self._terms.get((q.fieldname, btext, q.boost))
            if cached is not None:
                return cached.keys()
            found: set[int] = set()
            for leaf, (reader, offset) in enumerate(self.leaves):
                for ids, _weights, _values in self._blocks(reader, q.fieldname, btext, weights=False):
                    found.update([d + offset for d in ids] if offset else ids)
                deleted = self.deleted[leaf]
                if deleted:
                    found.difference_update(d + offset for d in deleted)
            return found
        if type(q) is query.Or and not q.minmatch and not any(isinstance(s, query.Not) for s in q.subqueries):
            parts = [self.docs(s) for s in q.subqueries]
            if len(parts) == 1:
                return parts[0]
            return set().union(*parts)
        return self.eval(q).keys()

    def _field(self, fieldname: str) -> Any:
        try:
            return self.schema[fieldname]
        except KeyError:
            return None

    def _bytes(self, fieldname: str, text: Any) -> bytes | None:
        if fieldname not in self.schema:
            return None
        if isinstance(text, bytes):  # already the indexed form (a year of ``year:2014..2017``)
            return text
        try:
            return self.schema[fieldname].to_bytes(text)  # type: ignore[no-any-return]
        except ValueError:
            return None

    def _and(self, subqueries: Sequence[Any], boost: float) -> dict[int, float]:
        positives = [s for s in subqueries if not isinstance(s, query.Not)]
        negatives = [s.query for s in subqueries if isinstance(s, query.Not)]
        if not positives:
            return self.whoosh(query.And(list(subqueries), boost=boost))
        parts = self._and_parts(positives)
        if any(not p for p in parts):
            return {}
        smallest = min(parts, key=len)
        if len(parts) == 1:
            out = dict(smallest)
        elif len(parts) == 2:  # the usual case: one pass (a + b == b + a in floating point)
            a, b = parts
            other = b if smallest is a else a
            out = {d: s + other[d] for d, s in smallest.items() if d in other}
        else:  # sum in the query's order, as Whoosh does
            keys = set(smallest)
            for p in parts:
                if p is not smallest:
                    keys.intersection_update(p.keys())
            out = dict.fromkeys(keys, 0.0)
            for p in parts:
                out = {d: s + p[d] for d, s in out.items()}
        if negatives:
            # Whoosh intersects with an inverse matcher per NOT, which adds its weight (1.0) to the score
            excluded = self._or([self.eval(n) for n in negatives], 1.0)
            extra = float(len(negatives))
            out = {d: s + extra for d, s in out.items() if d not in excluded}
        if boost != 1.0:
            out = {d: s * boost for d, s in out.items()}
        return out

    def _and_parts(self, positives: Sequence[Any]) -> list[dict[int, float]]:
        """Each positive part's scores; a common word is scored only where the rarer parts match."""
        sizes: list[int] = []
        parts: list[dict[int, float] | None] = []
        for sub in positives:
            btext = self._bytes(sub.fieldname, sub.text) if isinstance(sub, query.Term) else None
            if btext is not None and (sub.fieldname, btext, sub.boost) not in self._terms:
                sizes.append(self.doc_frequency(sub.fieldname, btext))
                parts.append(None)
            else:
                part = self.eval(sub)
                if not part:
                    return [{}]
                sizes.append(len(part))
                parts.append(part)
        smallest = min(sizes)
        for i, sub in enumerate(positives):  # the small words in full (they decide the candidates)
            if parts[i] is None and sizes[i] <= 4 * smallest:
                parts[i] = self.eval(sub)
                if not parts[i]:
                    return [{}]
        known: list[dict[int, float]] = [p for p in parts if p is not None]
        if len(known) == len(parts):
            return known
        candidates: set[int] = set(min(known, key=lambda p: len(p)))  # type: ignore[arg-type]
        for p in known:
            candidates.intersection_update(p.keys())
        for i, sub in enumerate(positives):
            if parts[i] is None:
                parts[i] = self.term_within(sub, candidates)
                candidates.intersection_update(parts[i].keys())  # type: ignore[union-attr]
        return parts  # type: ignore[return-value]

    @staticmethod
    def _or(parts: Sequence[dict[int, float]], boost: float) -> dict[int, float]:
        parts = [p for p in parts if p]
        out: dict[int, float] = {}
        for p in parts:
            if not out:
                out = dict(p)
                continue
            get = out.get
            out.update({d: get(d, 0.0) + s for d, s in p.items()})
        if boost != 1.0:
            out = {d: s * boost for d, s in out.items()}
        return out

    def _scaled_or(self, q: Any) -> dict[int, float]:
        """Whoosh's any-word Or with its coordination bonus (``CoordMatcher``), for plain terms."""
        if not all(isinstance(s, query.Term) for s in q.subqueries):
            return self.whoosh(q)
        parts = [p for p in (self.eval(s) for s in q.subqueries) if p]
        termcount, scale = len(parts), q.scale
        if termcount == 0:
            return {}
        summed = self._or(parts, 1.0)
        if termcount == 1:
            # a lone term is not wrapped: Whoosh scores it plainly
            return {d: s * q.boost for d, s in summed.items()}
        if termcount == scale:  # pragma: no cover - Whoosh gives 0 here
            return dict.fromkeys(summed, 0.0)
        matching: Counter[int] = Counter()
        for p in parts:
            matching.update(p.keys())
        factor = (termcount - 1) / termcount
        denominator = (termcount - scale) ** 2
        return {d: (s + (matching[d] - 1) / denominator) * factor * q.boost for d, s in summed.items()}


def _block(m: Any, weights: bool, values: bool) -> tuple[Sequence[int], Any, Any]:
    """(ids, weights, values) of the block a Whoosh 3 leaf matcher stands on.

    Whoosh's own ``_read_ids`` undoes the gaps between ids with a Python generator;
    ``itertools.accumulate`` does the same in C.
    """
    if m._data is None:
        m._read_data()
    ids = m._data[0]
    if not m._byteids:
        ids = list(accumulate(ids))
    found_weights = None
    if weights:
        m._read_weights()
        found_weights = m._weights
    found_values = None
    if values:
        m._read_values()
        found_values = m._values
    return ids, found_weights, found_values


def _expanded_terms(q: Any) -> list[Any] | None:
    """The words of a constant-score expansion (``_expand``'s output: a Term or a plain Or of
    Terms), or None for any other query under the constant score."""
    child = q.child
    terms = [child] if type(child) is query.Term else list(getattr(child, "subqueries", ()))
    if type(child) not in (query.Term, query.Or) or not terms:
        return None
    if type(child) is query.Or and child.minmatch:
        return None
    return terms if all(isinstance(t, query.Term) for t in terms) else None


def _top(scores: Mapping[int, float], limit: int | None) -> list[tuple[int, float]]:
    """The best ``limit`` (docnum, score) pairs: highest score first, lower docnum first on ties."""
    if limit is None or limit >= len(scores):
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if limit <= 0:
        return []
    # The limit-th best score, from the scores alone (no key function: about 3 times faster), then
    # everything at least as good. BM25 scores of one word take few values, so ties are common:
    # those cut at the threshold go to the lowest docnums.
    threshold = heapq.nlargest(limit, scores.values())[-1]
    good = [(d, s) for d, s in scores.items() if s >= threshold]  # fewer than limit score above it
    above = sorted(((d, s) for d, s in good if s > threshold), key=lambda kv: (-kv[1], kv[0]))
    ties = heapq.nsmallest(limit - len(above), [d for d, s in good if s == threshold])
    above.extend((d, threshold) for d in ties)
    return above


class _Deadline(TimeLimitCollector):  # type: ignore[misc]
    """Whoosh's time limit, also checked when a filter collector drives the loop."""

    def matches(self) -> Iterator[int]:
        for docnum in self.child.matches():
            if self.timedout:
                raise TimeLimit
            yield docnum


def _timed_search(searcher: Any, q: Any, limit: int | None, filter_q: Any, sortedby: Any) -> tuple[Any, bool]:
    """Run a search within SEARCH_SECONDS; returns (hits, stopped early)."""
    # No block-quality shortcut: it drops hits of OR queries and trips an assertion on Require.
    collector = searcher.collector(limit=limit, sortedby=sortedby, optimize=False)
    timed = _Deadline(collector, SEARCH_SECONDS, use_alarm=False)
    outer = timed if filter_q is None else FilterCollector(timed, filter_q, None)
    try:
        searcher.search_with_collector(q, outer)
    except TimeLimit:
        return outer.results(), True
    finally:
        if timed.timer is not None:
            timed.timer.cancel()
    return outer.results(), False


def _tokenizer_pattern(analyzer: Any) -> re.Pattern[str]:
    """The word pattern of an analyzer's tokenizer (Whoosh's default when it has none)."""
    first = getattr(analyzer, "items", [analyzer])[0]
    expression = getattr(first, "expression", None)
    return expression if isinstance(expression, re.Pattern) else default_pattern


def _expansion_limit(prefix: str) -> int:
    """Short prefixes match many words and say little: expand them to fewer (the commonest)."""
    return {0: 8, 1: 8, 2: 16}.get(len(prefix), EXPANSION_LIMIT)


def _top_terms(
    reader: Any, fieldname: str, prefix: str, pattern: re.Pattern[str] | None, limit: int = EXPANSION_LIMIT
) -> list[str]:
    """The most frequent words of a field that start with ``prefix`` (capped, see EXPANSION_*)."""
    found: list[tuple[int, str]] = []
    try:
        iterator = reader.iter_prefix(fieldname, prefix)
        for scanned, (btext, info) in enumerate(iterator):
            if scanned >= EXPANSION_SCAN:
                break
            word = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
            if pattern is not None and not pattern.match(word):
                continue
            found.append((info.doc_frequency(), word))
    except Exception:
        return []
    return [word for _n, word in heapq.nlargest(limit, found)]


PEEK_BYTES = 512  # what _MappedView.peek hands out: copying 128 KB per block header cost ~7 µs


class _MappedView:
    """A read-only file over part of a memory map: reads slice the map, nothing is copied."""

    __slots__ = ("_base", "_end", "_map", "_pos")

    def __init__(self, source: Any, base: int, length: int) -> None:
        self._map = source
        self._base = base
        self._end = base + length
        self._pos = base

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        end = self._end if n is None or n < 0 else min(self._end, start + n)
        self._pos = end
        return bytes(self._map[start:end])

    def peek(self, n: int = 0) -> bytes:
        # pickle.load reads ahead through peek() when a file has one (one call per header instead
        # of one per pickle opcode). It asks for 128 KB; a block header is a few hundred bytes, and
        # peek may return less than asked (the unpickler peeks again if it needs more).
        start = self._pos
        return bytes(self._map[start : min(self._end, start + PEEK_BYTES)])

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, limit: int | None = -1) -> bytes:
        start = self._pos
        found = self._map.find(b"\n", start, self._end)
        end = self._end if found < 0 else found + 1
        if limit is not None and limit >= 0:
            end = min(end, start + limit)
        self._pos = end
        return bytes(self._map[start:end])

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: self._base, 1: self._pos, 2: self._end}[whence]
        self._pos = min(max(self._base, base + pos), self._end)
        return self._pos - self._base

    def tell(self) -> int:
        return self._pos - self._base

    def close(self) -> None:
        pass


class _MappedFile(StructFile):  # type: ignore[misc]
    """Whoosh's ``StructFile`` over a ``_MappedView``, with ``get`` answered by slicing the map."""

    def __init__(self, source: Any, base: int, length: int, name: str | None = None) -> None:
        super().__init__(_MappedView(source, base, length), name=name)
        self._source = source
        self._base = base
        self._length = length

    def get(self, position: int, length: int) -> bytes:
        start = self._base + position
        return bytes(self._source[start : min(start + length, self._base + self._length)])

    def subset(self, position: int, length: int, name: str | None = None) -> _MappedFile:
        return _MappedFile(self._source, self._base + position, length, name=name or self._name)


def _column_values(reader: Any, name: str) -> list[Any]:
    """Every document's value of a column, each segment's column read in one piece.

    Whoosh's column readers hand out one value at a time through two generators and a
    translation call: about 1.5 µs a value, 0.1 to 0.2 s a column at 100,000 resources.
    """
    field = reader.schema[name]
    translate = field.from_column_value
    out: list[Any] = []
    for leaf, _offset in reader.leaf_readers():
        raw = leaf.column_reader(name, translate=False)
        values = _raw_column(raw, leaf.doc_count_all())
        if values is None:  # another kind of column: Whoosh's way
            out.extend(leaf.column_reader(name))
            continue
        if len(values) > 64 and len(set(values[:64])) < 16:  # few distinct values (a category)
            known = {v: translate(v) for v in set(values)}
            out.extend([known[v] for v in values])
        else:
            out.extend([translate(v) for v in values])
    return out


def _raw_column(raw: Any, doccount: int) -> list[Any] | None:
    """The stored values of one segment's column, or None for a kind of column not read here."""
    if isinstance(raw, columns.VarBytesColumn.Reader):
        starts, lengths = raw._offsets, raw._lengths
        if not len(lengths):
            return [b""] * doccount
        data = raw._dbfile.get(raw._basepos, starts[-1] + lengths[-1])
        values = [data[a : a + n] for a, n in zip(starts, lengths, strict=True)]
        return values + [b""] * (doccount - len(values))
    if isinstance(raw, columns.NumericColumn.Reader):
        try:
            numbers = array(raw._typecode)
        except ValueError:  # pragma: no cover - a typecode array cannot hold
            return None
        if numbers.itemsize != raw._fixedlen:  # pragma: no cover - e.g. "L" on 64-bit Linux
            return None
        numbers.frombytes(raw._dbfile.get(raw._basepos, raw._count * raw._fixedlen))
        if sys.byteorder == "little":  # stored big-endian ("!" in struct)
            numbers.byteswap()
        return numbers.tolist() + [raw._default] * (doccount - raw._count)
    return None


def _open_compound_member(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """``CompoundStorage.open_file`` without the copy.

    Whoosh hands out each file of a memory-mapped compound segment as a ``BytesIO`` over the
    map, which copies it: a 100,000-resource index then held about 300 MB from the moment a
    searcher opened. A view reads the same bytes from the map (the OS page cache) as needed.
    """
    if self._source is None or self.is_closed:
        return _whoosh_open_compound_member(self, name, *args, **kwargs)
    offset, length = self.range(name)
    return _MappedFile(self._source, offset, length, name=name)


_whoosh_open_compound_member = CompoundStorage.open_file
CompoundStorage.open_file = _open_compound_member


def _create_folder(self: Any) -> Any:
    """``FileStorage.create`` without the reference cycle.

    Whoosh's keeps the ``OSError`` of an existing folder in a local variable, so the exception,
    its traceback and the frame hold one another; through the frames' ``f_back`` every caller's
    locals stay alive until the cycle collector runs. Every writer meets it (the segment writer
    and its per-document writer create the same temporary folder), so an update's whole
    catalogue stayed in memory, and the collector's first pass afterwards took a fiftieth of
    the update. The same folder; a file in its place raises ``OSError`` (ENOTDIR) as Whoosh's does."""
    dirpath = os.path.abspath(self.folder)
    with contextlib.suppress(FileExistsError):
        os.makedirs(dirpath)
    if not os.path.isdir(dirpath):
        raise OSError(errno.ENOTDIR, f"{dirpath!r} is not a directory")
    return self


FileStorage.create = _create_folder


def _open_dir(place: Path) -> Any:
    """Open the index in ``place``; compound segments are read through ``_MappedFile`` views."""
    return FileStorage(str(place)).open_index()


def _swap(tmp: Path, place: Path) -> None:
    """Move a finished build into place; readers see the old index or the new one."""
    old: Path | None = None
    if place.exists():
        old = place.with_name(f".{place.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(place, old)
    os.rename(tmp, place)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
