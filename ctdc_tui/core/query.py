"""Pure-Python pre-processing of what a person types into the search box.

The search engine (``search.py``) parses queries with Whoosh; this module turns
the friendlier syntax documented in ``docs/search.md`` into what that parser
understands, without importing Whoosh:

- field aliases (``org:`` -> ``organizations:``, ``author:`` -> ``authors:``, ...),
- ``year:2014..2017`` -> ``year:[2014 TO 2017]``,
- ``-word`` -> ``NOT word``,
- ``is:bookmarked`` / ``is:ok`` / ``is:dead`` kept as a pseudo-field,
- search-as-you-type: the last word becomes a prefix (``backb`` -> ``backb*``),
- control characters and lone surrogates removed (they cannot be indexed).

It also finds the plain words of a query, for "did you mean" suggestions.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

# What a person may type before ':' -> the schema field it means.
FIELD_ALIASES: dict[str, str] = {
    "category": "category",
    "cat": "category",
    "tag": "tags",
    "tags": "tags",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "org": "organizations",
    "orgs": "organizations",
    "organization": "organizations",
    "organisation": "organizations",
    "organizations": "organizations",
    "organisations": "organizations",
    "publisher": "organizations",
    "kind": "kind",
    "type": "kind",
    "year": "year",
    "title": "title",
    "description": "text",
    "desc": "text",
    "text": "text",
    "note": "note",
    "notes": "note",
    "is": "is",
    "id": "id",
}

# Values of the ``is:`` pseudo-field and what each means.
IS_VALUES: dict[str, str] = {
    "bookmarked": "resources you bookmarked",
    "ok": "resources whose link answered at the last link check",
    "dead": "resources whose link failed at the last link check",
}

OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
# Longer than anyone types; a 10,000-character paste costs Whoosh's parser seconds.
MAX_QUERY_CHARS = 500
_BOOLEAN = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
# An operator followed by another operator (or by nothing) is a typo that crashes Whoosh's parser.
_DANGLING = re.compile(rf"(?:(?<=[\s(])|^){_BOOLEAN}(?=\s+{_BOOLEAN}(?:$|[\s)])|\s*$|\s*\))")
_LEADING = re.compile(r"^\s*(?:AND|OR|ANDNOT|ANDMAYBE)(?=$|[\s(])")

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FIELD = re.compile(r"(?<![\w.])([A-Za-z_]+)\s*:(?=\S)")
_YEAR_RANGE = re.compile(r"\byear:(\d{1,4})?\.\.(\d{1,4})?(?=$|[\s)])")
# Open-ended numeric ranges make Whoosh walk its whole numeric trie: close them.
YEAR_MIN, YEAR_MAX = 0, 9999
_OPEN_YEAR = re.compile(r"\byear:([\[{])\s*(\S*?)\s*\bTO\b\s*([^\]}\s]*)\s*([\]}])")
_MINUS = re.compile(r"(?:(?<=[\s(])|^)-+(?=[\w\"(])")
_LOWER_VALUE = re.compile(r"\b(category|kind|is|id):(\S+)")
_LAST_WORD = re.compile(r"(?:(?<=[\s(])|^)((?:[A-Za-z_]+:)?)([^\W_][\w'-]*)$")
_QUOTED = re.compile(r'"[^"]*"?')
_PLAIN_WORD = re.compile(r"(?:(?<=[\s(])|^)([^\W\d_][\w'-]*[^\W_]|[^\W\d_])(?=$|[\s)])")


@dataclass(frozen=True, slots=True)
class PreparedQuery:
    """A query ready for the Whoosh parser, and what we learnt preparing it."""

    original: str
    text: str
    truncated: bool
    plain_words: tuple[str, ...]
    prefixed_last: bool


def clean(text: str) -> str:
    """Remove characters no index can hold (controls, lone surrogates)."""
    return _UNSAFE.sub(" ", text)


def _alias(match: re.Match[str]) -> str:
    name = match.group(1)
    canonical = FIELD_ALIASES.get(name.lower())
    if canonical is None:
        # Not a field of ours: keep the text searchable as plain words.
        return f"{name} "
    return f"{canonical}:"


def _year_range(match: re.Match[str]) -> str:
    low, high = match.group(1) or "", match.group(2) or ""
    if not low and not high:
        return "year:*"
    return f"year:[{low or YEAR_MIN} TO {high or YEAR_MAX}]"


def _closed_year(match: re.Match[str]) -> str:
    low, high = (match.group(2) or "").strip(), (match.group(3) or "").strip()
    return f"year:{match.group(1)}{low or YEAR_MIN} TO {high or YEAR_MAX}{match.group(4)}"


def prepare(query: str, *, as_you_type: bool = False) -> PreparedQuery:
    """Rewrite ``query`` into the Whoosh parser's syntax (see module docstring)."""
    text = clean(query)
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        text = text[:MAX_QUERY_CHARS]
    prefixed = False
    if as_you_type and text and not text[-1].isspace() and text.count('"') % 2 == 0:
        match = _LAST_WORD.search(text)
        # An ``is:`` filter names a fixed set (bookmarked, ok, dead), not a word: never a prefix.
        if match and match.group(2).upper() not in OPERATORS and match.group(1).lower() != "is:":
            text = text + "*"
            prefixed = True
    text = _FIELD.sub(_alias, text)
    text = _YEAR_RANGE.sub(_year_range, text)
    text = _OPEN_YEAR.sub(_closed_year, text)
    text = _LOWER_VALUE.sub(lambda m: f"{m.group(1)}:{m.group(2).lower()}", text)
    text = _MINUS.sub("NOT ", text)
    previous = None
    while previous != text:
        previous = text
        text = _LEADING.sub(" ", _DANGLING.sub(" ", text))
    return PreparedQuery(
        original=query,
        text=text.strip(),
        truncated=truncated,
        plain_words=plain_words(query[:MAX_QUERY_CHARS]),
        prefixed_last=prefixed,
    )


def plain_words(query: str) -> tuple[str, ...]:
    """The unquoted, unfielded, non-operator words of ``query``, in order (for spelling)."""
    text = _QUOTED.sub(" ", clean(query))
    words = []
    for match in _PLAIN_WORD.finditer(text):
        word = match.group(1)
        if word.upper() in OPERATORS and word.isupper():
            continue
        words.append(word)
    return tuple(words)


def replace_words(query: str, replacements: dict[str, str]) -> str:
    """``query`` with each whole plain word in ``replacements`` swapped (for "did you mean")."""
    if not replacements:
        return query
    pattern = re.compile(
        r"(?<![\w:])("
        + "|".join(re.escape(w) for w in sorted(replacements, key=len, reverse=True))
        + r")(?![\w:*~])"
    )
    return pattern.sub(lambda m: replacements[m.group(1)], query)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count 1), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Vocabulary:
    """Every indexed word with the number of resources that use it, sorted for prefix lookups."""

    def __init__(self, words: Iterable[tuple[str, int]]) -> None:
        self.frequency: dict[str, int] = dict(words)
        self.sorted = sorted(self.frequency)
        self._speller: Speller | None = None

    def add(self, words: Iterable[str]) -> None:
        """Add words (from bookmark notes) that were indexed after the vocabulary was built."""
        new = [w for w in words if w not in self.frequency]
        for word in new:
            self.frequency[word] = 1
            bisect.insort(self.sorted, word)
        if new:
            self._speller = None

    def expand(
        self, prefix: str, limit: int, pattern: re.Pattern[str] | None = None, scan: int = 20_000
    ) -> list[str]:
        """The ``limit`` commonest words starting with ``prefix`` (and matching ``pattern``).

        At most ``scan`` words are looked at, so a one-letter prefix stays fast on a huge vocabulary.
        """
        start = bisect.bisect_left(self.sorted, prefix)
        found: list[tuple[int, str]] = []
        for word in itertools.islice(self.sorted, start, start + scan):
            if not word.startswith(prefix):
                break
            if pattern is None or pattern.match(word):
                found.append((self.frequency[word], word))
        return [w for _n, w in heapq.nlargest(limit, found)]

    @property
    def speller(self) -> Speller:
        if self._speller is None:
            self._speller = Speller(self.frequency.items())
        return self._speller


class Speller:
    """ "Did you mean" over a known vocabulary, in memory (symmetric-delete lookup).

    Built from (word, frequency) pairs; keeps the ``max_words`` most frequent words
    (rare words make poor suggestions and would only cost memory). A lookup costs
    a few dictionary probes, whatever the size of the vocabulary.
    """

    def __init__(self, words: Iterable[tuple[str, int]], max_words: int = 60_000) -> None:
        ranked = sorted(((n, w) for w, n in words if len(w) >= 3 and w.isalpha()), reverse=True)[:max_words]
        self.frequency = {w: n for n, w in ranked}
        self._by_delete: dict[str, list[str]] = {}
        for word in self.frequency:
            for key in {word, *_deletes(word)}:
                self._by_delete.setdefault(key, []).append(word)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def suggest(self, word: str, max_distance: int = 2) -> str | None:
        """The closest (then commonest) known word within ``max_distance`` edits of an unknown ``word``."""
        if len(word) < 3 or word in self.frequency:
            return None
        found = self.similar(word, max_distance, limit=1)
        return found[0] if found else None

    def similar(self, word: str, max_distance: int = 1, limit: int = 40) -> list[str]:
        """Known words within ``max_distance`` edits of ``word`` (itself included), closest first."""
        max_distance = max(0, min(max_distance, 2))
        keys = {word, *_deletes(word)}
        if max_distance > 1 and len(word) > 4:
            keys |= {d2 for d in _deletes(word) for d2 in _deletes(d)}
        candidates = {c for key in keys for c in self._by_delete.get(key, ())}
        ranked = []
        for candidate in candidates:
            distance = edit_distance(word, candidate, max_distance)
            if distance <= max_distance:
                ranked.append((distance, -self.frequency[candidate], candidate))
        return [c for _d, _n, c in sorted(ranked)[:limit]]
