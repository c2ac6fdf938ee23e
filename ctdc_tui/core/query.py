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

import re
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
    "description": "description",
    "desc": "description",
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

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FIELD = re.compile(r"(?<![\w.])([A-Za-z_]+)\s*:(?=\S)")
_YEAR_RANGE = re.compile(r"\byear:(\d{1,4})?\.\.(\d{1,4})?(?=$|[\s)])")
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
    return f"year:[{low} TO {high}]".replace("[ TO", "[TO").replace("TO ]", "TO]")


def prepare(query: str, *, as_you_type: bool = False) -> PreparedQuery:
    """Rewrite ``query`` into the Whoosh parser's syntax (see module docstring)."""
    text = clean(query)
    prefixed = False
    if as_you_type and text and not text[-1].isspace() and text.count('"') % 2 == 0:
        match = _LAST_WORD.search(text)
        if match and match.group(2).upper() not in OPERATORS:
            text = text + "*"
            prefixed = True
    text = _FIELD.sub(_alias, text)
    text = _YEAR_RANGE.sub(_year_range, text)
    text = _LOWER_VALUE.sub(lambda m: f"{m.group(1)}:{m.group(2).lower()}", text)
    text = _MINUS.sub("NOT ", text)
    return PreparedQuery(
        original=query, text=text.strip(), plain_words=plain_words(query), prefixed_last=prefixed
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
