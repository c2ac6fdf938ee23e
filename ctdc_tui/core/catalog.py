"""The catalogue model and its loading from YAML.

A catalogue is a folder: ``catalog.yaml`` (title, description, publishers, the
order of categories) and one YAML file per category. See
``docs/catalogue-format.md``. ``load_catalog`` never raises for bad input: it
returns the catalogue of every good record plus a list of ``Problem``s, each
naming the file, line, resource id and field, and saying how to fix it.

How the YAML is read: the files are parsed with PyYAML's event parser (libyaml's
C parser when present, else the pure-Python one) and the values are built here,
with the resolution rules of ``yaml.safe_load`` (plain ``2016`` is a number,
``yes`` a boolean, ``"2016"`` text). Building the values ourselves gives every
key its line number, keeps 100,000 resources fast (PyYAML's own composer and
constructor are several times slower), needs no recursion (a file nested
100,000 levels deep is refused, not a crash) and lets us refuse what a
catalogue never needs:

- any tag outside plain YAML (``!!python/...``, ``!!set``, ``!custom``): the
  value is refused, nothing is ever constructed or run;
- an alias to a list or mapping that itself contains aliases (the "billion
  laughs" bomb) and an alias to the collection it sits in. Aliases are never
  expanded (a value used twice is shared, as in ``safe_load``), so a bomb costs
  no time or memory; the resource that carries one is refused;
- more than one YAML document in a file, and nesting deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from ctdc_tui.core import locations
from ctdc_tui.core.fsutil import atomic_write_text
from ctdc_tui.core.resource import CATALOG_FILE, CATEGORY_SUFFIXES
from ctdc_tui.core.resource import Resource as Resource  # re-exported: the catalogue model's record
from ctdc_tui.core.yaml_lines import GIVE_UP, read_plain_layout

Severity = Literal["error", "warning"]

MAX_FILE_BYTES = 256 * 1024 * 1024
"""A bigger file is refused unread (split the catalogue into more category files)."""
MAX_DEPTH = 32
"""Deeper nesting is refused: a catalogue needs four levels at most."""

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
"""A resource or category id: lowercase letters and digits in words joined by single hyphens."""
MAX_ID_LENGTH = 200

RESOURCE_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "title_full",
    "url",
    "alternate_urls",
    "authors",
    "organizations",
    "publisher",
    "year",
    "kind",
    "tags",
    "description",
    "note",
)
REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "url")
CATEGORY_FIELDS: tuple[str, ...] = ("id", "name", "summary")
CATEGORY_FILE_KEYS: tuple[str, ...] = ("category", "resources")
CATALOG_KEYS: tuple[str, ...] = ("title", "description", "publishers", "publisher", "year", "categories")

_TEXT_FIELDS = ("title_full", "publisher", "kind", "description", "note")
_LIST_FIELDS = ("authors", "organizations", "tags")
_ALL_LIST_FIELDS = (*_LIST_FIELDS, "alternate_urls")
_RESOURCE_FIELD_SET = frozenset(RESOURCE_FIELDS)
_BAD_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")
_SIMPLE_URL = re.compile(
    r"(?i:https?)://[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]{1,5})?(?:[/?#][^\s\x00-\x1f\x7f]*)?\Z"
)
_STR_ONLY = frozenset({str})


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    summary: str = ""
    resource_ids: tuple[str, ...] = ()
    file: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "count": len(self.resource_ids),
            "file": self.file,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a catalogue: where it is, what it is, how to fix it.

    ``file`` is the path of the file (the catalogue folder joined with the file
    name, as given), ``line`` and ``column`` count from 1.
    """

    severity: Severity
    file: str
    message: str
    hint: str = ""
    line: int | None = None
    resource_id: str | None = None
    field: str | None = None
    column: int | None = None

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [f"{where}: {self.severity}:"]
        if self.resource_id:
            parts.append(f"resource '{self.resource_id}',")
        if self.field:
            parts.append(f"field '{self.field}':")
        parts.append(self.message)
        text = " ".join(parts)
        if self.hint:
            text += f" Fix: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "resource_id": self.resource_id,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(slots=True)
class Catalog:
    root: Path
    title: str = ""
    description: str = ""
    publishers: tuple[str, ...] = ()
    categories: list[Category] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)
    year: int | None = None

    def __len__(self) -> int:
        return len(self.resources)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources.values())

    def get(self, resource_id: str) -> Resource | None:
        return self.resources.get(resource_id)

    def category(self, category_id: str) -> Category | None:
        for category in self.categories:
            if category.id == category_id:
                return category
        return None

    def in_category(self, category_id: str) -> list[Resource]:
        category = self.category(category_id)
        if category is None:
            return []
        return [self.resources[rid] for rid in category.resource_ids if rid in self.resources]


# --------------------------------------------------------------------------- YAML values with lines


class YMap(dict[Any, Any]):
    """A YAML mapping: a dict that remembers its own line and the line of each key.

    ``bomb``: a refused value sits somewhere inside; ``cut``: a YAML error ended
    the file before the mapping was complete.
    """

    __slots__ = ("bomb", "cut", "key_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.bomb = False
        self.cut = False


class YList(list[Any]):
    """A YAML sequence: a list that remembers its own line and the line of each item."""

    __slots__ = ("bomb", "cut", "item_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []
        self.bomb = False
        self.cut = False


@dataclass(frozen=True, slots=True)
class Refused:
    """A value the loader will not build (an unsafe tag, an alias bomb); ``why`` says what it was."""

    why: str
    hint: str
    line: int


@dataclass(slots=True)
class _Frame:
    node: YMap | YList
    has_alias: bool = False
    key: Any = None
    key_line: int = 0
    want_key: bool = True
    anchor: str | None = None
    refused: Refused | None = None


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq"})
_MAP_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map"})
_SCALAR_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:timestamp",
    }
)
_SAFE_TAG_HINT = "remove the tag: catalogue values are plain text, numbers and lists"
# YAML 1.1 words that plain scalars starting with a letter can resolve to (bools and nulls).
_SPECIAL_WORDS = frozenset(
    word
    for stem in ("yes", "no", "true", "false", "on", "off", "null")
    for word in (stem, stem.title(), stem.upper())
)


@dataclass(frozen=True, slots=True)
class _Kit:
    """PyYAML, imported on first use (the app does not need it when its search index is fresh)."""

    yaml: Any
    events: Any
    parser: Any  # CSafeLoader (libyaml) when present, else SafeLoader: only its event parser is used
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]]
    wildcard: list[tuple[str, re.Pattern[str]]]
    first_chars: frozenset[str]  # a plain scalar starting with one of these may not be text
    slow_first: frozenset[str]  # ... and among them, those not settled by ``_SPECIAL_WORDS``
    constructor: Any


@functools.cache
def _kit() -> _Kit:
    import yaml
    from yaml import events

    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
    wildcard = resolvers.get(None, [])
    first = frozenset(key for key in resolvers if key)
    # After these letters only a word of _SPECIAL_WORDS can be a non-string; checked against
    # the resolvers PyYAML actually has (one added with add_implicit_resolver turns it off).
    settled = {
        char
        for char in first
        if char.isalpha()
        and {tag for tag, _ in resolvers[char]} <= {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
    }
    if wildcard:  # a resolver for every first character: resolve every plain scalar
        first = frozenset(map(chr, range(0x110000)))
        settled = set()
    return _Kit(
        yaml=yaml,
        events=events,
        parser=getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader,
        resolvers=resolvers,
        wildcard=wildcard,
        first_chars=first,
        slow_first=first - settled,
        constructor=yaml.constructor.SafeConstructor(),
    )


class _YamlFileError(Exception):
    """The file cannot be parsed past ``line``: what was built before it is kept."""

    def __init__(self, message: str, hint: str, line: int | None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line
        self.column = column


def _resolve_scalar(value: str, tag: str | None, plain: bool, line: int) -> Any:
    """The value ``yaml.safe_load`` gives a scalar, or ``Refused`` for a tag it should not build."""
    if tag is None or tag == "!":
        if not plain:
            return value
        if value.isdigit() and value.isascii() and (value[0] != "0" or value == "0"):
            return int(value)  # the common case (a year), as the int resolver would give
        kit = _kit()
        resolvers = kit.resolvers.get(value[0] if value else "")
        if resolvers is None and not kit.wildcard:
            return value
        tag = _STR_TAG
        for candidate, regexp in (resolvers or []) + kit.wildcard:
            if regexp.match(value):
                tag = candidate
                break
        if tag == _STR_TAG:
            return value
    elif tag == _STR_TAG:
        return value
    if tag not in _SCALAR_TAGS:
        if tag == "tag:yaml.org,2002:merge":
            return Refused("a YAML merge key (<<) is not supported", "write the keys out in full", line)
        return Refused(f"the YAML tag {_short_tag(tag)} is not allowed", _SAFE_TAG_HINT, line)
    try:
        kit = _kit()
        node = kit.yaml.ScalarNode(tag, value)
        return kit.constructor.yaml_constructors[tag](kit.constructor, node)
    except (ValueError, TypeError, OverflowError, _kit().yaml.YAMLError) as exc:
        return Refused(
            f"the value {value!r} is not a valid {_short_tag(tag)} ({exc})",
            "remove the tag or fix the value",
            line,
        )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


def _plain_value(value: str, line: int) -> Any:
    """A plain scalar's value as ``_parse_yaml`` resolves it (``GIVE_UP``: one it refuses)."""
    if value and value[0] not in _kit().slow_first and value not in _SPECIAL_WORDS:
        return value
    resolved = _resolve_scalar(value, None, True, line)
    return GIVE_UP if isinstance(resolved, Refused) else resolved


def _parse_yaml(text: str, name: str) -> tuple[Any, _YamlFileError | None]:
    """Build the first document of ``text``: (root value or None, the error that stopped it or None).

    Never raises. When the YAML breaks halfway, the value holds everything
    completed before the break (open mappings and lists are closed and marked
    ``complete = False`` via the error); the caller reports the error.

    Text in the plain layout of most category files is read line by line
    (``yaml_lines``), with the same result; the rest goes through PyYAML's events.
    """
    plain = read_plain_layout(text, YMap, YList, _plain_value)
    if plain is not None:
        return plain, None
    return _parse_yaml_events(text, name)


def _parse_yaml_events(text: str, name: str) -> tuple[Any, _YamlFileError | None]:
    """``_parse_yaml`` through PyYAML's event parser (libyaml when present)."""
    kit = _kit()
    ev = kit.events
    parser = kit.parser(text)
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, bool]] = {}
    open_anchors: set[str] = set()
    root: Any = None
    documents = 0
    get_event = parser.get_event
    scalar_cls, map_cls, seq_cls = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
    map_end, seq_end, alias_cls = ev.MappingEndEvent, ev.SequenceEndEvent, ev.AliasEvent
    doc_start, doc_end, stream_start, stream_end = (
        ev.DocumentStartEvent,
        ev.DocumentEndEvent,
        ev.StreamStartEvent,
        ev.StreamEndEvent,
    )
    first_chars, slow_first = kit.first_chars, kit.slow_first
    special = _SPECIAL_WORDS
    # The open container, cached: most events are plain scalars added to it.
    top: _Frame | None = None
    container: Any = None
    is_list = False
    try:
        while True:
            event = get_event()
            cls = event.__class__
            if (
                cls is scalar_cls
                and top is not None
                and event.tag is None
                and event.anchor is None
                and (
                    not event.implicit[0]
                    or (event.value and event.value[0] not in slow_first and event.value not in special)
                )
            ):
                # Fast path: text that needs no resolving, added to the open list or mapping.
                value: Any = event.value
                line = event.start_mark.line + 1
                if is_list:
                    container.append(value)
                    container.item_lines.append(line)
                    continue
                if top.want_key:
                    top.key = value
                    top.key_line = line
                    top.want_key = False
                    continue
                key = top.key
                if type(key) is str and key not in container:
                    top.want_key = True
                    container[key] = value
                    container.key_lines[key] = top.key_line
                    continue
                # A duplicate or odd key: the general path below handles it.
            line = event.start_mark.line + 1
            has_alias = False
            if cls is scalar_cls:
                value = event.value
                # Fast path: quoted text, or plain text whose first character no implicit
                # resolver (number, bool, null, date) can start with.
                if event.tag is not None or (event.implicit[0] and (not value or value[0] in first_chars)):
                    value = _resolve_scalar(value, event.tag, event.implicit[0], line)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, False)
            elif cls is map_cls or cls is seq_cls:
                if len(stack) >= MAX_DEPTH:
                    raise _YamlFileError(
                        f"the YAML is nested more than {MAX_DEPTH} levels deep",
                        "a catalogue needs four levels at most: check the indentation",
                        line,
                    )
                tags = _MAP_TAGS if cls is map_cls else _SEQ_TAGS
                node: YMap | YList = YMap(line) if cls is map_cls else YList(line)
                frame = _Frame(node, anchor=event.anchor)
                if event.tag not in tags:
                    # Parse on into a throwaway container; the parent gets the Refused value.
                    frame.refused = Refused(
                        f"the YAML tag {_short_tag(event.tag)} is not allowed", _SAFE_TAG_HINT, line
                    )
                if event.anchor is not None:
                    open_anchors.add(event.anchor)
                stack.append(frame)
                top, container, is_list = frame, node, cls is seq_cls
                continue
            elif cls is map_end or cls is seq_end:
                frame = stack.pop()
                if stack:
                    top = stack[-1]
                    container = top.node
                    is_list = type(container) is YList
                else:
                    top, container, is_list = None, None, False
                value = frame.node
                has_alias = frame.has_alias
                if frame.refused is not None:
                    value = frame.refused
                if frame.anchor is not None:
                    open_anchors.discard(frame.anchor)
                    anchors[frame.anchor] = (value, has_alias)
                line = frame.node.line
            elif cls is alias_cls:
                has_alias = True
                name_ = event.anchor
                if name_ in open_anchors:
                    value = Refused(
                        f"the YAML alias *{name_} refers to the list or mapping it is inside",
                        "write the value out in full; a catalogue has no use for self-reference",
                        line,
                    )
                elif name_ not in anchors:
                    raise _YamlFileError(
                        f"the YAML alias *{name_} has no matching anchor &{name_}",
                        f"define &{name_} before using *{name_}, or write the value out in full",
                        line,
                        event.start_mark.column + 1,
                    )
                else:
                    value, nested = anchors[name_]
                    if nested:
                        value = Refused(
                            f"the YAML alias *{name_} expands into further aliases (an alias bomb)",
                            "write the value out in full; aliases of aliases are refused",
                            line,
                        )
            elif cls is doc_start:
                documents += 1
                if documents > 1:
                    raise _YamlFileError(
                        "the file holds more than one YAML document (a second '---')",
                        "keep one document per file: remove the extra '---' and merge or move what follows",
                        line,
                    )
                continue
            elif cls is stream_end:
                return root, None
            elif cls is stream_start or cls is doc_end:
                continue
            else:  # pragma: no cover - every event class is handled above
                continue
            # Attach ``value`` to the open container (or make it the root).
            if top is None:
                root = value
                continue
            if has_alias:
                top.has_alias = True
            if type(value) is not str and (
                isinstance(value, Refused) or (type(value) in (YMap, YList) and value.bomb)
            ):
                container.bomb = True
            if is_list:
                container.append(value)
                container.item_lines.append(line)
            elif top.want_key:
                top.key = value
                top.key_line = line
                top.want_key = False
            else:
                key = top.key
                top.want_key = True
                try:
                    hash(key)
                except TypeError:
                    key = Refused("a mapping key must be plain text, not a list or mapping", "", top.key_line)
                if isinstance(key, Refused):
                    container.bomb = True
                    key = _RefusedKey(key)
                if key in container:
                    container.key_lines.setdefault(_Duplicate(key), container.key_lines[key])
                container[key] = value
                container.key_lines[key] = top.key_line
    except _YamlFileError as exc:
        return _close(stack, root), exc
    except kit.yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        start = exc.context_mark
        if start is not None and mark is not None and start.line != mark.line:
            what += f" (the construct began at line {start.line + 1})"
        return _close(stack, root), _YamlFileError(
            f"YAML syntax error: {what}",
            "fix the YAML at this spot (check indentation, quotes and colons); "
            "records after it in this file are not loaded",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
    except kit.yaml.YAMLError as exc:
        return _close(stack, root), _YamlFileError(f"YAML error: {exc}", "fix the YAML", None)
    except (RecursionError, MemoryError) as exc:  # pragma: no cover - guarded by MAX_DEPTH and MAX_FILE_BYTES
        return _close(stack, root), _YamlFileError(
            f"the file is too large or deep to read ({exc!r})", "", None
        )
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


class _RefusedKey:
    """Stands in for a key that could not be used (unhashable or tagged)."""

    __slots__ = ("refused",)

    def __init__(self, refused: Refused) -> None:
        self.refused = refused


class _Duplicate:
    """Marks, in ``key_lines``, that a key occurred twice: maps to the line of the first one."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __hash__(self) -> int:
        return hash((_Duplicate, self.key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Duplicate) and other.key == self.key


def _close(stack: list[_Frame], root: Any) -> Any:
    """After an error: attach the open containers to their parents; the outermost is the root."""
    value: Any = root
    while stack:
        frame = stack.pop()
        frame.node.cut = True
        value = frame.node
        last = value[-1] if isinstance(value, YList) and value else None
        if isinstance(last, (YMap, YList)):
            last.cut = True  # the record just before the error may be what the error broke
        if not stack:
            break
        parent = stack[-1].node
        if isinstance(parent, YList):
            parent.append(value)
            parent.item_lines.append(frame.node.line)
        elif not stack[-1].want_key and _hashable(stack[-1].key) and not isinstance(stack[-1].key, Refused):
            parent[stack[-1].key] = value
            parent.key_lines[stack[-1].key] = stack[-1].key_line
            stack[-1].want_key = True
    return value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# --------------------------------------------------------------------------- the parse cache

CACHE_MIN_BYTES = 1024 * 1024
"""Category files at least this big have their checked records cached (smaller ones parse in milliseconds)."""
CACHE_KEEP = 4
"""How many catalogues keep a parse cache; the least recently written are removed."""
BATCH_RECORDS = 16
"""From this many changed records of a file on, they are parsed together (``_read_records``)."""
PARALLEL_RECORDS = 2_000
"""From this many, in two halves, the second in a forked process (Linux, two CPUs or more)."""
PARSE_PROCESSES: int | None = None
"""How many processes may parse changed records: None picks 2 on Linux with two CPUs or more."""


def _two_cpus() -> bool:
    if PARSE_PROCESSES is not None:
        return PARSE_PROCESSES >= 2
    if not sys.platform.startswith("linux"):  # fork is only dependable on Linux
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):  # pragma: no cover
        return (os.cpu_count() or 1) >= 2


# One good record as the per-file pass leaves it: id, line of the id, title, url, authors,
# organizations, publisher, year, kind, tags, description, title_full, alternate_urls, note.
_Row = tuple[
    str,
    int,
    str,
    str,
    tuple[str, ...],
    tuple[str, ...],
    str,
    "int | None",
    str,
    tuple[str, ...],
    str,
    str,
    tuple[str, ...],
    str,
]
_LIST_COLUMNS = (4, 5, 9, 12)
_TEXT_COLUMNS = (2, 3, 6, 8, 10, 11, 13)


@dataclass(slots=True)
class _FileResult:
    """What one category file holds: its category (id "" when unusable), good records and problems."""

    cid: str
    name: str
    summary: str
    rows: list[_Row]
    problems: list[Problem]


@functools.cache
def _loader_fingerprint() -> str:
    """Changes whenever this module changes, so a cache never outlives the rules that made it."""
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    except OSError:  # pragma: no cover - the module is being read right now
        return "unknown"


def _stat_key(path: Path) -> list[int] | None:
    """The identity of a file's current content for the cache; None when it is not worth caching.

    Size, modification and change times in nanoseconds, and the inode. A file system stamps
    times from a clock that ticks every few milliseconds (seconds on some), so two writes of
    the same size within one tick leave the same key: see ``_recent``.
    """
    try:
        st = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size < CACHE_MIN_BYTES:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


RECENT_NS = 3_000_000_000
"""A file whose times are this close to now (or ahead of it) may change again without its key
changing: its cache entry also keeps a digest of its bytes, checked at every use."""


def _recent(key: list[int]) -> bool:
    return max(key[1], key[2]) > time.time_ns() - RECENT_NS


def _content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _columns_ok(columns: Any) -> bool:
    """Cached records are used only if they still pass the checks the parsed records passed.

    Column by column, with C-level ``map``/``set`` so checking 100,000 records takes a moment.
    """
    if not isinstance(columns, list) or len(columns) != 14 or not all(type(c) is list for c in columns):
        return False
    count = len(columns[0])
    if any(len(column) != count for column in columns):
        return False
    ids = columns[0]
    if not set(map(type, ids)) <= _STR_ONLY or not all(map(ID_PATTERN.match, ids)):
        return False
    if not set(map(type, columns[1])) <= {int}:
        return False
    if any(not set(map(type, columns[i])) <= _STR_ONLY for i in _TEXT_COLUMNS) or not all(columns[2]):
        return False
    if not set(map(type, columns[7])) <= {int, type(None)}:
        return False
    for i in _LIST_COLUMNS:
        if not set(map(type, columns[i])) <= {list}:
            return False
        items = list(itertools.chain.from_iterable(columns[i]))
        if not set(map(type, items)) <= _STR_ONLY or not all(items):
            return False
    urls = itertools.chain(columns[3], itertools.chain.from_iterable(columns[12]))
    return not any(_url_problem(url) for url in urls if not _SIMPLE_URL.match(url))


# A file cut into records: the digest of its head (up to the first record), and each record's
# digest and (start, end, first line) in the text.
_Pieces = tuple[str, list[str], list[tuple[int, int, int]]]
# (Each pattern starts with a literal or a class, which the regex engine scans for quickly.)
_RECORD_START = re.compile(r"\n  - ")
_LINE_START = re.compile(r"\n[^ \r\n]")  # a line that starts in the first column
# An anchor, alias or tag where a value can start (one of these characters at the start of the
# text or after a space, bracket, comma or colon, and before a character that is not a space):
# a record holding one may not read alone.
_BEFORE_PROPERTY = frozenset(" \t\r\n[{,:")


def _has_node_property(text: str) -> bool:
    for mark in "&*!":  # str.find scans in C; these characters are rare in catalogue text
        at = text.find(mark)
        while at != -1:
            after = text[at + 1 : at + 2]
            if (at == 0 or text[at - 1] in _BEFORE_PROPERTY) and after and not after.isspace():
                return True
            at = text.find(mark, at + 1)
    return False


def _records_of(text: str) -> _Pieces | None:
    """Cut a category file into its head and records, or None when it is not in the usual layout."""
    starts = [m.start() + 1 for m in _RECORD_START.finditer(text)]
    if not starts or _LINE_START.search(text, starts[0]):
        return None
    if _has_node_property(text):
        return None
    ends = [*starts[1:], len(text)]
    lines = itertools.accumulate(
        (text.count("\n", a, b) for a, b in zip([0, *starts], starts, strict=False)), initial=1
    )
    spans = [(b, e, line) for b, e, line in zip(starts, ends, list(lines)[1:], strict=True)]

    def digest(piece: str) -> str:
        return hashlib.blake2b(piece.encode("utf-8"), digest_size=16).hexdigest()

    return digest(text[: starts[0]]), [digest(text[b:e]) for b, e, _ in spans], spans


class _ParseCache:
    """Checked records of big category files, as JSON in the user cache, keyed by file identity.

    A hit skips YAML parsing for that file; anything odd (missing, damaged,
    written by another version, a record that fails the checks) is a miss.
    Writes are atomic and a failure to write is ignored: the cache only saves time.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._dir: Path | None = None
        self.deferred: list[Callable[[], None]] | None = None  # writes kept for later, when a list

    def dir(self) -> Path:
        if self._dir is None:
            self._dir = locations.cache_dir() / "catalogue" / locations.catalogue_key(self.folder)
        return self._dir

    def entry(self, name: str) -> Any:
        """The raw cache entry of a file (read and decoded once per load), or None."""
        try:
            return json.loads((self.dir() / f"{name}.json").read_bytes())
        except (OSError, ValueError):
            return None

    def current(self, name: str, raw: Any, key: list[int]) -> _FileResult | None:
        """The entry's records if it was made from the file as it is now (``key``), else None.

        An entry made while the file's times were recent keeps a digest of the bytes it was
        made from; the file is read and compared before the entry is trusted.
        """
        try:
            if raw["key"] != key:
                return None
            content = raw.get("content")
            if content is not None:
                try:
                    if _content_digest((self.folder / name).read_bytes()) != content:
                        return None
                except OSError:
                    return None
        except (KeyError, TypeError, AttributeError):
            return None
        return self._result(name, raw, key)

    def _result(self, name: str, raw: Any, key: list[int]) -> _FileResult | None:
        """The checked records of a cache entry for the file version ``key`` (None: not usable)."""
        try:
            if raw["fingerprint"] != _loader_fingerprint() or raw["key"] != key:
                return None
            columns = raw["columns"]
            if not _columns_ok(columns):
                return None
            for i in _LIST_COLUMNS:
                columns[i] = list(map(tuple, columns[i]))
            rows: list[_Row] = list(zip(*columns, strict=True))
            shown = str(self.folder / name)
            problems = [Problem(**{**p, "file": shown}) for p in raw["problems"]]
            return _FileResult(str(raw["cid"]), str(raw["name"]), str(raw["summary"]), rows, problems)
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def earlier(self, name: str, raw: Any) -> tuple[_FileResult, str, list[str], list[int]] | None:
        """From the entry of a version of the file that has changed since: its records, the
        digest of its head and the digest and first line of each record (None: not usable)."""
        try:
            pieces = raw.get("pieces")
            if raw["fingerprint"] != _loader_fingerprint() or not isinstance(pieces, dict):
                return None
            result = self._result(name, raw, raw["key"])
            head, digests, starts = pieces["head"], pieces["digests"], pieces["starts"]
            if result is None or type(head) is not str or not type(digests) is type(starts) is list:
                return None
            if not set(map(type, digests)) <= _STR_ONLY or not set(map(type, starts)) <= {int}:
                return None
            if len(digests) != len(starts):
                return None
            return result, head, digests, starts
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(
        self,
        name: str,
        key: list[int],
        data: bytes | None,
        result: _FileResult,
        pieces: _Pieces | None = None,
    ) -> None:
        """Keep the records read from ``data`` (the file's bytes) for the file version ``key``."""
        # Whether the file is recent is decided now, when its bytes were just read, even if the
        # entry is written later (``deferred``).
        entry = (name, key, data, result, pieces, _recent(key))
        if self.deferred is not None:
            self.deferred.append(lambda: self._put(entry))
            return
        self._put(entry)

    def _put(self, entry: tuple[str, list[int], bytes | None, _FileResult, _Pieces | None, bool]) -> None:
        name, key, data, result, pieces, recent = entry
        content = None
        if recent:  # the file may change again within the same tick: keep what it held
            if data is None:
                return
            content = _content_digest(data)
        payload = {
            "fingerprint": _loader_fingerprint(),
            "key": key,
            "content": content,
            "pieces": None
            if pieces is None
            else {"head": pieces[0], "digests": pieces[1], "starts": [line for _b, _e, line in pieces[2]]},
            "cid": result.cid,
            "name": result.name,
            "summary": result.summary,
            "columns": [list(column) for column in zip(*result.rows, strict=True)] or [[] for _ in range(14)],
            "problems": [{k: v for k, v in p.to_json().items() if k != "file"} for p in result.problems],
        }
        try:
            atomic_write_text(self.dir() / f"{name}.json", json.dumps(payload, ensure_ascii=False))
            self._prune()
        except (OSError, ValueError):
            pass

    def _prune(self) -> None:
        parent = self.dir().parent
        entries = sorted(parent.iterdir(), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[CACHE_KEEP:]:
            if old != self.dir():
                with contextlib.suppress(OSError):
                    shutil.rmtree(old)


# --------------------------------------------------------------------------- loading


class _Loader:
    """One load of one catalogue folder: collects the catalogue and its problems."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.catalog = Catalog(root=folder)
        self.problems: list[Problem] = []
        self.seen: dict[str, tuple[str, int]] = {}  # resource id -> (file, line) of its first definition
        self.order = 0
        self.rows: list[_Row] = []  # the good records of the file being read, in file order
        self.cache = _ParseCache(folder)
        self.yaml_error_line: int | None = None  # of the file being read
        self.last_text: str | None = None  # of the file read last
        self.last_data: bytes | None = None  # its bytes
        self.known: Mapping[str, FileOutline] = {}  # files not read: their outline stands in
        self.outlines: dict[str, FileOutline] = {}
        self.duplicates = False  # a resource id or a category id was used twice
        self.earlier: dict[str, tuple[str, list[_Row]]] = {}  # see ``CatalogueLoad.earlier``
        self.child_work: ChildWork | None = None  # see ``load_catalog_detail``
        self.continuing: list[tuple[Any, list[str]]] = []  # see ``CatalogueLoad.continuing``

    # ---- reporting

    def problem(
        self,
        severity: Severity,
        file: str,
        message: str,
        hint: str = "",
        line: int | None = None,
        resource_id: str | None = None,
        field: str | None = None,
        column: int | None = None,
    ) -> None:
        self.problems.append(Problem(severity, file, message, hint, line, resource_id, field, column))

    def path(self, name: str) -> str:
        return str(self.folder / name)

    # ---- files

    def read(self, name: str) -> Any:
        """Parse one file of the folder; report why not and return None when it cannot be used."""
        shown = self.path(name)
        text = self.read_text(name)
        if text is None:
            return None
        return self.parse(text, name, shown)

    def read_text(self, name: str) -> str | None:
        """One file of the folder as text; report why not and return None when it cannot be read."""
        shown = self.path(name)
        path = self.folder / name
        try:
            st = path.stat()
        except FileNotFoundError:
            self.problem(
                "error", shown, "the file does not exist", "create it (see docs/catalogue-format.md)"
            )
            return None
        except OSError as exc:
            self.problem("error", shown, f"cannot be read: {exc.strerror or exc}", _read_hint(exc))
            return None
        if not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            self.problem(
                "error",
                shown,
                f"is {kind}, not a YAML file",
                "remove it or replace it with a YAML category file",
            )
            return None
        if st.st_size > MAX_FILE_BYTES:
            self.problem(
                "error",
                shown,
                f"is {st.st_size / 2**20:.0f} MiB, over the limit of {MAX_FILE_BYTES // 2**20} MiB per file",
                "split the catalogue into more category files",
            )
            return None
        try:
            with open(path, "rb") as handle:
                data = handle.read(st.st_size + 1)  # read(n) allocates n bytes up front
        except OSError as exc:
            self.problem("error", shown, f"cannot be read: {exc.strerror or exc}", _read_hint(exc))
            return None
        self.last_data = data
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self.problem(
                "error",
                shown,
                f"is not valid UTF-8: byte 0x{data[exc.start]:02x} at line {line}, column {column} "
                "cannot be decoded, so the file was not read",
                "save the file as UTF-8 (for example: iconv -f latin1 -t utf-8 FILE > NEW)",
                line,
                column=column,
            )
            return None
        self.last_text = text
        return text

    def parse(self, text: str, name: str, shown: str) -> Any:
        """The YAML of one file, or None (with the problem reported) when it cannot be used."""
        root, error = _parse_yaml(text, name)
        self.yaml_error_line = error.line if error is not None else None
        if error is not None:
            self.problem("error", shown, error.message, error.hint, error.line, column=error.column)
        if root is None and error is None:
            self.problem(
                "error",
                shown,
                "the file is empty (no YAML in it)",
                "add the content (see docs/catalogue-format.md) or delete the file",
                1,
            )
            return None
        if root is None:
            return None
        if type(root) is not YMap:
            found = _kind(root)
            self.problem(
                "error",
                shown,
                f"the file must be a YAML mapping (keys and values) but is {found}",
                "start the file with top-level keys such as 'category:' and 'resources:' "
                "(see docs/catalogue-format.md)",
                getattr(root, "line", 1) if not isinstance(root, Refused) else root.line,
            )
            return None
        return root

    def unknown_keys(
        self, mapping: YMap, known: tuple[str, ...], file: str, where: str, rid: str | None
    ) -> None:
        for key in mapping:
            if isinstance(key, str) and key in known:
                continue
            line = mapping.key_lines.get(key, mapping.line)
            if isinstance(key, _RefusedKey):
                self.problem(
                    "error", file, key.refused.why or "a key could not be read", key.refused.hint, line, rid
                )
                continue
            label = str(key)
            close = difflib.get_close_matches(label, known, n=1)
            if close:
                hint = f"did you mean '{close[0]}'? Rename it, or remove it"
            else:
                hint = f"remove or rename it (the known keys are: {', '.join(known)})"
            self.problem(
                "warning",
                file,
                f"unknown key '{label}' in {where} is ignored",
                hint,
                line,
                rid,
                label,
            )
        for key in mapping.key_lines:
            if isinstance(key, _Duplicate):
                self.problem(
                    "warning",
                    file,
                    f"key '{key.key}' appears twice in {where} (first at line {mapping.key_lines[key]}); "
                    "the last value is used",
                    "remove one of them",
                    mapping.key_lines.get(key.key, mapping.line),
                    rid,
                    str(key.key),
                )

    # ---- catalog.yaml

    def load_meta(self) -> list[tuple[str, int]] | None:
        """Read catalog.yaml; return the listed category ids with their lines (None: no list)."""
        name = CATALOG_FILE
        shown = self.path(name)
        if not (self.folder / name).exists() and not (self.folder / name).is_symlink():
            self.problem(
                "error",
                shown,
                "catalog.yaml is missing, so the catalogue has no title or category order",
                "create catalog.yaml with 'title:' and 'categories:' (see docs/catalogue-format.md); "
                "the category files found are loaded in file-name order",
            )
            return None
        meta = self.read(name)
        if meta is None:
            return None
        self.unknown_keys(meta, CATALOG_KEYS, shown, "catalog.yaml", None)
        cat = self.catalog
        title = self.text(meta, "title", shown, None)
        if not title:
            if "title" not in meta:
                self.problem(
                    "warning",
                    shown,
                    "catalog.yaml has no title; the folder name is shown instead",
                    "add a line such as 'title: My catalogue'",
                    1,
                    field="title",
                )
            title = self.folder.name
        cat.title = title
        cat.description = self.text(meta, "description", shown, None)
        publishers = list(self.text_list(meta, "publishers", shown, None))
        single = self.text(meta, "publisher", shown, None)
        if single:
            publishers.insert(0, single)
        cat.publishers = tuple(publishers)
        cat.year = self.year(meta, shown, None)
        if "categories" not in meta or meta["categories"] is None:
            return None
        listed = meta["categories"]
        line = meta.key_lines.get("categories", meta.line)
        if type(listed) is not YList:
            self.problem(
                "error",
                shown,
                f"'categories' must be a list of category ids, not {_kind(listed)}",
                "write it as 'categories: [first-id, second-id]' in the order to show them",
                line,
                field="categories",
            )
            return None
        ids: list[tuple[str, int]] = []
        for item, item_line in zip(listed, listed.item_lines, strict=True):
            if not isinstance(item, str) or not ID_PATTERN.match(item):
                self.problem(
                    "error",
                    shown,
                    f"{_show(item)} in 'categories' is not a category id",
                    "use the lowercase id given under 'category: id:' in a category file",
                    item_line,
                    field="categories",
                )
                continue
            if any(item == seen for seen, _ in ids):
                self.problem(
                    "warning",
                    shown,
                    f"category '{item}' is listed twice in 'categories'",
                    "remove the second one",
                    item_line,
                    field="categories",
                )
                continue
            ids.append((item, item_line))
        return ids

    # ---- field helpers (each reports and returns a default when the value is wrong)

    def text(self, mapping: YMap, key: str, file: str, rid: str | None, *, required: bool = False) -> str:
        value = mapping.get(key)
        if type(value) is str:
            stripped = value.strip()
            if stripped or not required:
                return stripped
        if value is None and not required:
            return ""
        line = mapping.key_lines.get(key, mapping.line)
        if isinstance(value, Refused):
            self.problem("error", file, value.why, value.hint, value.line, rid, key)
        elif value is None or (type(value) is str):
            what = "is missing" if key not in mapping else "is empty"
            self.problem("error", file, f"required field '{key}' {what}", _required_hint(key), line, rid, key)
        else:
            self.problem(
                "error",
                file,
                f"'{key}' must be text, not {_kind(value)} ({_show(value)})",
                _text_hint(key, value),
                line,
                rid,
                key,
            )
        return ""

    def text_list(self, mapping: YMap, key: str, file: str, rid: str | None) -> tuple[str, ...]:
        value = mapping.get(key)
        if value is None:
            return ()
        line = mapping.key_lines.get(key, mapping.line)
        if type(value) is not YList:
            if isinstance(value, Refused):
                self.problem("error", file, value.why, value.hint, value.line, rid, key)
            else:
                example = value if type(value) is str else "first"
                self.problem(
                    "error",
                    file,
                    f"'{key}' must be a list, not {_kind(value)} ({_show(value)})",
                    f"write it as a list: '{key}: [{example}]'",
                    line,
                    rid,
                    key,
                )
            return ()
        out: list[str] = []
        for item, item_line in zip(value, value.item_lines, strict=True):
            if type(item) is str and item.strip():
                out.append(item.strip())
            elif isinstance(item, Refused):
                self.problem("error", file, item.why, item.hint, item.line, rid, key)
            else:
                self.problem(
                    "error",
                    file,
                    f"an item of '{key}' must be non-empty text, not {_kind(item)} ({_show(item)})",
                    "quote it ('\"2016\"') or remove it",
                    item_line,
                    rid,
                    key,
                )
        return tuple(out)

    def year(self, mapping: YMap, file: str, rid: str | None) -> int | None:
        value = mapping.get("year")
        if value is None:
            return None
        if type(value) is int and 1000 <= value <= 9999:
            return value
        line = mapping.key_lines.get("year", mapping.line)
        if isinstance(value, Refused):
            self.problem("error", file, value.why, value.hint, value.line, rid, "year")
        else:
            self.problem(
                "error",
                file,
                f"'year' must be a four-digit year such as 2016, not {_show(value)}",
                "write the year as digits without quotes, or remove the line",
                line,
                rid,
                "year",
            )
        return None

    def url(self, value: Any, file: str, line: int, rid: str | None, key: str) -> str | None:
        """``value`` when it is an http(s) link; else report and return None."""
        if isinstance(value, Refused):
            self.problem("error", file, value.why, value.hint, value.line, rid, key)
            return None
        if type(value) is not str or not value.strip():
            if value is None or value == "":
                self.problem(
                    "error", file, f"required field '{key}' is empty", _required_hint(key), line, rid, key
                )
            else:
                self.problem(
                    "error",
                    file,
                    f"'{key}' must be a web address, not {_kind(value)}",
                    _URL_HINT,
                    line,
                    rid,
                    key,
                )
            return None
        url = value.strip()
        reason = _url_problem(url)
        if reason:
            hint = _URL_HINT
            if "://" not in url and "." in url.split("/")[0] and " " not in url:
                hint = f"add the scheme: 'https://{url}'"
            self.problem("error", file, f"{_show(url)} {reason}", hint, line, rid, key)
            return None
        return url

    # ---- category files

    def load_category_file(self, name: str) -> _FileResult | None:
        """What one category file holds, from the parse cache when the file is unchanged."""
        outline = self.known.get(name)
        if outline is not None:  # not read: its records are known to the caller (``load_catalog_detail``)
            return _FileResult(outline.cid, outline.name, outline.summary, [], list(outline.problems))
        key = _stat_key(self.folder / name)
        raw = self.cache.entry(name) if key is not None else None
        if key is not None and raw is not None:
            cached = self.cache.current(name, raw, key)
            if cached is not None:
                return cached
            reused = self._reuse_records(name, key, raw)
            if reused is not None:
                return reused
        outer_problems, outer_rows = self.problems, self.rows
        self.problems, self.rows = [], []
        self.last_text = self.last_data = None
        try:
            found = self._read_category_file(name)
            result = (
                _FileResult(*found, self.rows, self.problems)
                if found
                else _FileResult("", "", "", [], self.problems)
            )
        finally:
            self.problems, self.rows = outer_problems, outer_rows
        if key is not None:
            pieces = (
                _records_of(self.last_text) if self.last_text is not None and not result.problems else None
            )
            self.cache.put(name, key, self.last_data, result, pieces)
        return result

    def _reuse_records(self, name: str, key: list[int], raw: Any) -> _FileResult | None:
        """A changed file read record by record: records unchanged since the cached version are
        taken from the cache and only the others are parsed, each after the file's unchanged head.

        Only for files whose cached version had no problem, written in the usual layout (records
        start with ``  - `` at the start of a line, nothing else starts a line in the list) and with
        no anchors, aliases or tags, so that each record reads the same alone as in its file. None
        (read the whole file) otherwise, and whenever a parsed record is not exactly one good record.
        """
        stale = self.cache.earlier(name, raw)
        if stale is None:
            return None
        earlier, head_digest, digests, starts = stale
        if earlier.problems or not earlier.cid or len(earlier.rows) != len(digests):
            return None
        outer_problems = self.problems
        self.problems = []
        try:
            text = self.read_text(name)
        finally:
            self.problems = outer_problems
        if text is None:
            return None
        pieces = _records_of(text)
        if pieces is None or pieces[0] != head_digest:
            return None
        head = text[: pieces[2][0][0]]
        where = {digest: i for i, digest in enumerate(digests)}
        changed = [k for k, digest in enumerate(pieces[1]) if digest not in where]
        parsed = self._read_records(name, head, text, [pieces[2][k] for k in changed], earlier)
        if parsed is None:
            return None
        new_rows = dict(zip(changed, parsed, strict=True))
        rows: list[_Row] = []
        for k, (digest, (_begin, _end, line)) in enumerate(zip(pieces[1], pieces[2], strict=True)):
            i = where.get(digest)
            if i is None:
                rows.append(new_rows[k])
                continue
            row = earlier.rows[i]
            rows.append((row[0], row[1] - starts[i] + line, *row[2:]))
        result = _FileResult(earlier.cid, earlier.name, earlier.summary, rows, [])
        self.cache.put(name, key, self.last_data, result, pieces)
        self.earlier[name] = (earlier.cid, earlier.rows)
        return result

    def _read_records(
        self, name: str, head: str, text: str, spans: list[tuple[int, int, int]], earlier: _FileResult
    ) -> list[_Row] | None:
        """The good record of each of these records of ``text`` (spans as ``_records_of`` gives
        them), with its line in ``text``; None unless each is exactly one good record.

        A few are parsed one by one, each after the head; many, together after the head in one
        parse (libyaml's start-up per parse costs about as much as a record), which must give one
        good record starting inside each of them and no problem.
        """
        head_lines = head.count("\n")
        if len(spans) < BATCH_RECORDS:
            rows: list[_Row] = []
            for begin, end, line in spans:
                one = self._read_one_record(name, head + text[begin:end], earlier)
                if one is None:
                    return None
                rows.append((one[0], one[1] - head_lines - 1 + line, *one[2:]))
            return rows
        if len(spans) >= PARALLEL_RECORDS and _two_cpus():
            return self._read_records_in_two(name, head, text, spans, earlier)
        return self._read_records_together(name, head, text, spans, earlier)

    def _read_records_in_two(
        self, name: str, head: str, text: str, spans: list[tuple[int, int, int]], earlier: _FileResult
    ) -> list[_Row] | None:
        """``_read_records_together`` for the first half here and the second in a forked process
        (its rows come back through a pipe); if that process fails, here."""
        import multiprocessing  # only here: most loads never fork

        half = len(spans) // 2
        work, self.child_work = self.child_work, None  # one process at most goes on working
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=self._send_records,
            args=(send, name, head, text, spans[half:], earlier, work),
            daemon=True,
        )
        try:
            process.start()
        except OSError:
            receive.close()
            send.close()
            return self._read_records_together(name, head, text, spans, earlier)
        send.close()
        message = first = None
        try:
            first = self._read_records_together(name, head, text, spans[:half], earlier)
            try:
                message = receive.recv() if first is not None else None
            except (EOFError, OSError):
                message = None
        finally:
            receive.close()
            sent = message[1] if isinstance(message, tuple) and message[0] == "ok" else None
            if work is not None and first is not None and sent is not None:
                # It goes on with ``child_work``: the caller waits for it (``CatalogueLoad.continuing``).
                self.continuing.append((process, [row[0] for row in sent]))
            else:
                if work is not None:
                    process.kill()  # it may be waiting for work that will not come
                process.join(timeout=5)
                if process.is_alive():  # pragma: no cover - only when the parse went wrong
                    process.kill()
                    process.join()
        if first is None:
            return None
        if not isinstance(message, tuple) or message[0] != "ok":
            second = self._read_records_together(name, head, text, spans[half:], earlier)
        else:
            second = message[1]
        return None if second is None else first + second

    def _send_records(
        self,
        conn: Any,
        name: str,
        head: str,
        text: str,
        spans: list[tuple[int, int, int]],
        earlier: _FileResult,
        work: ChildWork | None = None,
    ) -> None:
        """In the forked process: read these records and send them back; then, given ``work``,
        go on with it (the resources of those records, as the load makes them but at place 0)."""
        rows = None
        try:
            rows = self._read_records_together(name, head, text, spans, earlier)
            conn.send(("ok", rows))
        except BaseException:  # the parent reads them itself
            rows = None
            with contextlib.suppress(Exception):
                conn.send(("error", None))
        finally:
            conn.close()
        if work is not None and rows is not None:
            work([_resource_of_row(row, earlier.cid, 0) for row in rows])

    def _read_records_together(
        self, name: str, head: str, text: str, spans: list[tuple[int, int, int]], earlier: _FileResult
    ) -> list[_Row] | None:
        """Many records of ``text`` parsed together after the head (see ``_read_records``)."""
        head_lines = head.count("\n")
        firsts: list[int] = []  # the line where each record starts in the text parsed
        at = head_lines + 1
        for begin, end, _line in spans:
            firsts.append(at)
            at += text.count("\n", begin, end)
        firsts.append(at + 1)
        outer_problems, outer_rows = self.problems, self.rows
        self.problems, self.rows = [], []
        try:
            doc = self.parse(head + "".join(text[b:e] for b, e, _ in spans), name, self.path(name))
            found = self._read_category_file(name, doc) if doc is not None else None
            if found != (earlier.cid, earlier.name, earlier.summary) or self.problems:
                return None
            got = self.rows
        finally:
            self.problems, self.rows = outer_problems, outer_rows
        if len(got) != len(spans):
            return None
        out: list[_Row] = []
        for k, row in enumerate(got):
            if not firsts[k] <= row[1] < firsts[k + 1]:
                return None
            out.append((row[0], row[1] - firsts[k] + spans[k][2], *row[2:]))
        return out

    def _read_one_record(self, name: str, text: str, earlier: _FileResult) -> _Row | None:
        """The one good record of ``text`` (a file's head and one record), or None."""
        outer_problems, outer_rows = self.problems, self.rows
        self.problems, self.rows = [], []
        try:
            doc = self.parse(text, name, self.path(name))
            found = self._read_category_file(name, doc) if doc is not None else None
            ok = found == (earlier.cid, earlier.name, earlier.summary) and not self.problems
            return self.rows[0] if ok and len(self.rows) == 1 else None
        finally:
            self.problems, self.rows = outer_problems, outer_rows

    def _read_category_file(self, name: str, doc: Any = None) -> tuple[str, str, str] | None:
        """Read one category file into ``self.rows``/``self.problems``; (id, name, summary) or None."""
        shown = self.path(name)
        if doc is None:
            doc = self.read(name)
        if doc is None:
            return None
        self.unknown_keys(doc, CATEGORY_FILE_KEYS, shown, "a category file", None)
        stem = Path(name).stem
        block = doc.get("category")
        cid = name_ = summary = ""
        if type(block) is YMap:
            self.unknown_keys(block, CATEGORY_FIELDS, shown, "'category'", None)
            raw_id = block.get("id")
            if type(raw_id) is str and ID_PATTERN.match(raw_id.strip()):
                cid = raw_id.strip()
            else:
                line = block.key_lines.get("id", block.line)
                what = "is missing" if raw_id is None else f"is not a lowercase id ({_show(raw_id)})"
                self.problem(
                    "error",
                    shown,
                    f"the category id {what}",
                    f"write 'id: {_slug(raw_id) or stem}' under 'category:' (lowercase, digits, hyphens)",
                    line,
                    field="category.id",
                )
            name_ = self.text(block, "name", shown, None)
            summary = self.text(block, "summary", shown, None)
        else:
            line = doc.key_lines.get("category", doc.line)
            what = "is missing" if "category" not in doc else f"must be a mapping, not {_kind(block)}"
            self.problem(
                "error",
                shown,
                f"the 'category' block {what}",
                "start the file with 'category:' and, indented below it, 'id:', 'name:' and 'summary:'",
                line,
                field="category",
            )
        if not cid:
            cid = stem if ID_PATTERN.match(stem) else ""
            if not cid:
                return None
        if not name_:
            if type(block) is YMap and "name" not in block:
                self.problem(
                    "warning",
                    shown,
                    "the category has no name; its id is shown instead",
                    "add 'name:' under 'category:'",
                    block.line,
                    field="category.name",
                )
            name_ = cid
        self.load_resources(doc, shown, cid)
        return cid, name_, summary

    def load_resources(self, doc: YMap, file: str, cid: str) -> list[str]:
        items = doc.get("resources")
        if items is None:
            if "resources" not in doc:
                self.problem(
                    "warning",
                    file,
                    "the file has no 'resources:' list, so the category is empty",
                    "add 'resources: []' to say so, or list the resources under 'resources:'",
                    doc.line,
                    field="resources",
                )
            return []
        if type(items) is not YList:
            if isinstance(items, Refused):
                self.problem("error", file, items.why, items.hint, items.line, field="resources")
            else:
                self.problem(
                    "error",
                    file,
                    f"'resources' must be a list of resources, not {_kind(items)}",
                    "put a '- ' before each resource, indented under 'resources:'",
                    doc.key_lines.get("resources", doc.line),
                    field="resources",
                )
            return []
        ids: list[str] = []
        for item, line in zip(items, items.item_lines, strict=True):
            rid = self.load_resource(item, line, file, cid)
            if rid is not None:
                ids.append(rid)
        return ids

    def load_resource(self, raw: Any, line: int, file: str, cid: str) -> str | None:
        if (
            type(raw) is YMap
            and not (raw.cut or raw.bomb)
            and len(raw.key_lines) == len(raw)
            and raw.keys() <= _RESOURCE_FIELD_SET
        ):
            fast_id = self._fast_resource(raw, file, cid)
            if fast_id is not None:
                return fast_id
        # Something is wrong (or unusual): the careful path finds and reports it.
        if type(raw) is not YMap:
            if isinstance(raw, Refused):
                self.problem("error", file, raw.why + "; the resource is not loaded", raw.hint, raw.line)
            else:
                self.problem(
                    "error",
                    file,
                    f"a resource must be a mapping with id, title and url, not {_kind(raw)} ({_show(raw)})",
                    "write each resource as '- id: ...' followed by indented 'title:' and 'url:' lines",
                    line,
                )
            return None
        if raw.cut:
            self.problem(
                "error",
                file,
                "this resource is cut off by the YAML error"
                + (f" at line {self.yaml_error_line}" if self.yaml_error_line else " in this file")
                + "; it is not loaded",
                "fix the YAML error",
                raw.line,
                _guess_id(raw),
            )
            return None
        rid = self._resource_id(raw, file)
        shown_id = rid if rid is not None else _guess_id(raw)
        self.unknown_keys(raw, RESOURCE_FIELDS, file, "a resource", shown_id)
        if raw.bomb:
            # A refused value (unsafe tag, alias bomb) inside: the field checks below
            # report those in known fields; this reports the ones in unknown keys.
            self._report_refused(raw, file, shown_id)
        title = self.text(raw, "title", file, shown_id, required=True)
        url_line = raw.key_lines.get("url", raw.line)
        if "url" not in raw:
            self.problem(
                "error",
                file,
                "required field 'url' is missing",
                _required_hint("url"),
                raw.line,
                shown_id,
                "url",
            )
            url = None
        else:
            url = self.url(raw["url"], file, url_line, shown_id, "url")
        alternates: list[str] = []
        alt_raw = raw.get("alternate_urls")
        if alt_raw is not None:
            if type(alt_raw) is YList:
                for item, item_line in zip(alt_raw, alt_raw.item_lines, strict=True):
                    checked = self.url(item, file, item_line, shown_id, "alternate_urls")
                    if checked:
                        alternates.append(checked)
            else:
                self.text_list(raw, "alternate_urls", file, shown_id)  # reports the wrong type
        texts = {key: self.text(raw, key, file, shown_id) for key in _TEXT_FIELDS}
        lists = {key: self.text_list(raw, key, file, shown_id) for key in _LIST_FIELDS}
        year = self.year(raw, file, shown_id)
        if rid is None or not title or url is None or raw.bomb:
            if rid is not None and raw.bomb:
                self.problem(
                    "error",
                    file,
                    "the resource is not loaded because of the problem(s) above",
                    "fix them and run 'ctdc validate' again",
                    raw.line,
                    rid,
                )
            return None
        lists["alternate_urls"] = tuple(alternates)
        return self._keep(rid, raw, title, url, year, texts, lists)

    def _fast_resource(self, raw: YMap, file: str, cid: str) -> str | None:
        """Load a well-formed record quickly; None when anything needs the careful path."""
        get = raw.get
        rid, title, url, year = get("id"), get("title"), get("url"), get("year")
        if type(rid) is not str or len(rid) > MAX_ID_LENGTH or not ID_PATTERN.match(rid):
            return None
        if type(title) is not str or type(url) is not str:
            return None
        title, url = title.strip(), url.strip()
        if not title or _url_problem(url):
            return None
        if year is not None and not (type(year) is int and 1000 <= year <= 9999):
            return None
        texts: dict[str, str] = {}
        for key in _TEXT_FIELDS:
            value = get(key)
            if value is None:
                texts[key] = ""
            elif type(value) is str:
                texts[key] = value.strip()
            else:
                return None
        lists: dict[str, tuple[str, ...]] = {}
        for key in _ALL_LIST_FIELDS:
            value = get(key)
            if value is None:
                lists[key] = ()
                continue
            if type(value) is not YList:
                return None
            if not set(map(type, value)) <= _STR_ONLY:
                return None
            items = tuple(map(str.strip, value))
            if "" in items:
                return None
            lists[key] = items
        if any(_url_problem(alt) for alt in lists["alternate_urls"]):
            return None
        return self._keep(rid, raw, title, url, year, texts, lists)

    def _keep(
        self,
        rid: str,
        raw: YMap,
        title: str,
        url: str,
        year: int | None,
        texts: dict[str, str],
        lists: dict[str, tuple[str, ...]],
    ) -> str:
        """Keep a checked record of the file being read (Resources are made once ids are known unique)."""
        self.rows.append(
            (
                rid,
                raw.key_lines.get("id", raw.line),
                title,
                url,
                lists["authors"],
                lists["organizations"],
                texts["publisher"],
                year,
                texts["kind"],
                lists["tags"],
                texts["description"],
                texts["title_full"],
                lists["alternate_urls"],
                texts["note"],
            )
        )
        return rid

    def add_rows(self, rows: list[_Row], file: str, cid: str) -> list[str]:
        """Make Resources of one file's good records; a duplicate id is reported and left out."""
        ids: list[str] = []
        resources, seen = self.catalog.resources, self.seen
        for row in rows:
            rid, line = row[0], row[1]
            first = seen.get(rid)
            if first is not None:
                if first[1] < 0:  # first seen in a file that was not read
                    raise _NeedsEveryFile
                self.duplicate(rid, first, (file, line))
                continue
            seen[rid] = (file, line)
            resources[rid] = _resource_of_row(row, cid, self.order)
            self.order += 1
            ids.append(rid)
        return ids

    def add_known_ids(self, ids: Sequence[str], file: str) -> list[str]:
        """Take the ids of a file that was not read (its records stay out of ``catalog.resources``)."""
        seen = self.seen
        for rid in ids:
            if rid in seen:  # which one is kept depends on the records: read every file
                raise _NeedsEveryFile
            seen[rid] = (file, -1)
        self.order += len(ids)
        return list(ids)

    def duplicate(self, rid: str, first: tuple[str, int], again: tuple[str, int]) -> None:
        """Report a duplicate id at both places (each is where someone may need to edit)."""
        self.duplicates = True
        hint = "give one of them a different id (ids must be unique across the whole catalogue)"
        self.problem(
            "error",
            again[0],
            f"duplicate id: '{rid}' is already used at {first[0]}:{first[1]}; this one is not loaded",
            hint,
            again[1],
            rid,
            "id",
        )
        self.problem(
            "error",
            first[0],
            f"duplicate id: '{rid}' is used again at {again[0]}:{again[1]} (that one is not loaded)",
            hint,
            first[1],
            rid,
            "id",
        )

    def _resource_id(self, raw: YMap, file: str) -> str | None:
        value = raw.get("id")
        line = raw.key_lines.get("id", raw.line)
        guess = _guess_id(raw)
        if type(value) is str and len(value) <= MAX_ID_LENGTH and ID_PATTERN.match(value):
            return value
        if isinstance(value, Refused):
            self.problem("error", file, value.why, value.hint, value.line, guess, "id")
        elif value is None:
            what = "is missing" if "id" not in raw else "is empty"
            suggestion = _slug(raw.get("title"))
            hint = "add an id: a lowercase slug such as " + (
                f"'{suggestion}'" if suggestion else "'my-resource'"
            )
            self.problem("error", file, f"required field 'id' {what}", hint, line, guess, "id")
        elif type(value) is str:
            suggestion = _slug(value)[:MAX_ID_LENGTH]
            too_long = len(value) > MAX_ID_LENGTH
            self.problem(
                "error",
                file,
                f"{_show(value)} is not a valid id"
                + (f" (longer than {MAX_ID_LENGTH} characters)" if too_long else ""),
                "an id is lowercase letters and digits in words joined by single hyphens"
                + (f", such as '{suggestion}'" if suggestion else ""),
                line,
                guess,
                "id",
            )
        else:
            self.problem(
                "error",
                file,
                f"'id' must be text, not {_kind(value)} ({_show(value)})",
                f'write it as a quoted slug: id: "{_slug(value) or "my-resource"}"',
                line,
                guess,
                "id",
            )
        return None

    def _report_refused(self, raw: YMap, file: str, rid: str | None) -> None:
        """Report refused values hidden in fields the typed checks skip (unknown keys, nested items)."""
        for key, value in raw.items():
            if key in RESOURCE_FIELDS or isinstance(key, _RefusedKey):
                continue  # reported by the field checks and by unknown_keys
            refused = _find_refused(value)
            if refused is not None:
                self.problem("error", file, refused.why, refused.hint, refused.line, rid, str(key))
            elif type(value) in (YMap, YList) and value.bomb:
                self.problem(
                    "error",
                    file,
                    "this value holds a refused YAML construct (an unsafe tag or an alias bomb)",
                    "remove the value",
                    raw.key_lines.get(key, raw.line),
                    rid,
                    str(key),
                )

    # ---- the whole folder

    def load(self) -> tuple[Catalog, list[Problem]]:
        folder = self.folder
        try:
            is_dir = folder.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            exists = folder.exists() or folder.is_symlink()
            self.problem(
                "error",
                str(folder),
                "the catalogue folder is not a folder" if exists else "the catalogue folder does not exist",
                "give --data (or CTDC_DATA) the folder that holds catalog.yaml",
            )
            return self.catalog, self.problems
        listed = self.load_meta()
        try:
            files = catalogue_files(folder)
        except OSError as exc:
            self.problem(
                "error", str(folder), f"cannot list the folder: {exc.strerror or exc}", _read_hint(exc)
            )
            return self.catalog, self.problems
        if not self.catalog.title:
            self.catalog.title = folder.name
        by_stem = {p.stem: p.name for p in files}
        meta_file = self.path(CATALOG_FILE)
        loaded: dict[str, Category] = {}
        used_files: set[str] = set()
        order: list[str] = []

        def take(name: str, expected: str | None) -> None:
            used_files.add(name)
            got = self.load_category_file(name)
            if got is None:
                return
            outline = self.known.get(name)
            self.outlines[name] = outline or FileOutline(
                got.cid, got.name, got.summary, tuple(row[0] for row in got.rows), tuple(got.problems)
            )
            self.problems.extend(got.problems)
            if not got.cid:
                return  # no usable id: already reported
            if got.cid in loaded:
                self.duplicates = True
                other = loaded[got.cid].file
                self.problem(
                    "error",
                    self.path(name),
                    f"category id '{got.cid}' is already used by {self.path(other)}; "
                    "this file's resources are not loaded",
                    "give each category file its own id",
                    1,
                    field="category.id",
                )
                return
            if expected is not None and got.cid != expected:
                self.problem(
                    "warning",
                    self.path(name),
                    f"the file is listed as '{expected}' in catalog.yaml (by its name) "
                    f"but its category id is '{got.cid}'",
                    f"rename the file to {got.cid}.yaml or change the id, so the two agree",
                    1,
                    field="category.id",
                )
            ids = (
                self.add_known_ids(outline.ids, self.path(name))
                if outline is not None
                else self.add_rows(got.rows, self.path(name), got.cid)
            )
            loaded[got.cid] = Category(
                id=got.cid, name=got.name, summary=got.summary, resource_ids=tuple(ids), file=name
            )
            order.append(got.cid)

        if listed is not None:
            for cid, line in listed:
                name = by_stem.get(cid)
                if name is None:
                    self.problem(
                        "error",
                        meta_file,
                        f"category '{cid}' is listed in 'categories' but there is no file {cid}.yaml",
                        f"create {cid}.yaml (with 'category: id: {cid}') or remove '{cid}' from the list",
                        line,
                        field="categories",
                    )
                    continue
                take(name, cid)
        for path in files:
            if path.name in used_files:
                continue
            if listed is not None:
                self.problem(
                    "warning",
                    self.path(path.name),
                    "the file is not listed in 'categories' of catalog.yaml; it comes after the listed ones",
                    f"add '{path.stem}' to 'categories' in catalog.yaml to place it, or delete the file",
                    None,
                    field="categories",
                )
            take(path.name, None)
        self.catalog.categories = [loaded[cid] for cid in order]
        return self.catalog, _in_reading_order(self.problems)


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (files in the order they were read), each file's by line."""
    first_seen: dict[str, int] = {}
    for problem in problems:
        first_seen.setdefault(problem.file, len(first_seen))
    return sorted(problems, key=lambda p: (first_seen[p.file], p.line or 0, p.column or 0))


def catalogue_files(folder: Path) -> list[Path]:
    """The category files of a catalogue folder, in file-name order (not catalog.yaml, not hidden files)."""
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name == CATALOG_FILE or not name.endswith(CATEGORY_SUFFIXES):
                continue
            out.append(folder / name)
    return sorted(out, key=lambda p: p.name)


def load_catalog(folder: Path | str) -> tuple[Catalog, list[Problem]]:
    """Load a catalogue folder. Never raises for bad input; see the module docstring.

    Returns the catalogue of every good record (categories in the order of
    catalog.yaml, then unlisted files in name order) and every problem found,
    errors first in file order. ``ctdc validate`` fails when any is an error.
    """
    return _Loader(Path(folder)).load()


@dataclass(frozen=True, slots=True)
class FileOutline:
    """A category file as a load saw it, without its records' contents.

    A later load can take it instead of reading the file again (``load_catalog_detail``):
    the category, the ids of the file's good records in file order (before any duplicate
    across files is left out) and the problems found inside the file itself.
    """

    cid: str  # "" when the file gave no usable category
    name: str
    summary: str
    ids: tuple[str, ...]
    problems: tuple[Problem, ...]


def _resource_of_row(row: _Row, cid: str, order: int) -> Resource:
    """The resource of a good record of category ``cid``, at place ``order`` in the catalogue."""
    (rid, _, title, url, authors, orgs, publisher, year, kind, tags, description, full, alts, note) = row
    return Resource(
        rid, title, url, cid, order, authors, orgs, publisher, year, kind, tags, description, full, alts, note
    )


@dataclass(slots=True)
class CatalogueLoad:
    """A load that may have left some files unread (see ``load_catalog_detail``)."""

    catalog: Catalog  # categories complete; resources only of the files in ``read``
    problems: list[Problem]
    outlines: dict[str, FileOutline]  # every category file looked at, by file name
    read: frozenset[str]  # the files whose records were read
    duplicates: bool  # a resource id or a category id was used twice
    # file -> (category id, good records) of the version the parse cache held before this load
    # read the file record by record (only for such files)
    earlier: dict[str, tuple[str, list[_Row]]] = field(default_factory=dict)
    # parse-cache writes put off by ``defer_cache_writes`` (see ``write_cache``)
    pending: list[Callable[[], None]] = field(default_factory=list)
    # the forked process that read the second half of a file's changed records and went on with
    # ``child_work`` (at most one), and the ids of the resources it read; the caller ends it
    continuing: list[tuple[Any, list[str]]] = field(default_factory=list)

    def write_cache(self) -> None:
        """Make the parse-cache writes this load put off (each at most once)."""
        while self.pending:
            self.pending.pop(0)()

    def earlier_resources(self, name: str) -> dict[str, Resource]:
        """The resources of file ``name`` as the parse cache knew them before this load read the
        file again (``order`` 0), by id; {} when the load did not reuse an earlier version."""
        cid, rows = self.earlier.get(name, ("", []))
        return {row[0]: _resource_of_row(row, cid, 0) for row in rows}


class _NeedsEveryFile(Exception):
    """A file that was not read takes part in a duplicate id: its records decide the outcome."""


ChildWork = Callable[[list[Resource]], None]
"""Work for the forked process that read the second half of a file's changed records, given the
resources it read; it runs there once they are sent back (see ``load_catalog_detail``)."""


def load_catalog_detail(
    folder: Path | str,
    known: Mapping[str, FileOutline] | None = None,
    *,
    defer_cache_writes: bool = False,
    child_work: ChildWork | None = None,
) -> CatalogueLoad | None:
    """``load_catalog``, with an outline of each category file, reading only what it must.

    Files named in ``known`` (unchanged since an earlier load made their outlines) are not
    read: their outlines stand in, so categories, ids, order and problems come out as a full
    load gives them, and only the resources of the files read are in ``catalog.resources``.
    Returns None when that cannot be exact (a file not read shares a resource id with
    another file): load again without ``known``.

    With ``defer_cache_writes``, the parse-cache entries of the files read are written only
    when the caller calls ``write_cache`` on the result (an index update does it while its
    second process indexes: the write of a large file's entry is no longer on its way).

    With ``child_work``, the first forked process that reads half of a file's changed records
    goes on with it once it has sent them back, instead of ending; the result's ``continuing``
    holds it (and the ids it read), and the caller ends it (an index update makes it its helper).
    """
    loader = _Loader(Path(folder))
    loader.known = known or {}
    loader.child_work = child_work
    pending: list[Callable[[], None]] = []
    if defer_cache_writes:
        loader.cache.deferred = pending
    try:
        catalog, problems = loader.load()
    except _NeedsEveryFile:
        for write in pending:  # what was read is worth keeping
            write()
        for process, _ids in loader.continuing:  # nobody will give it work
            process.kill()
            process.join()
        return None
    except BaseException:
        for process, _ids in loader.continuing:
            process.kill()
            process.join()
        raise
    read = frozenset(name for name in loader.outlines if name not in loader.known)
    return CatalogueLoad(
        catalog,
        problems,
        loader.outlines,
        read,
        loader.duplicates,
        loader.earlier,
        pending,
        loader.continuing,
    )


# --------------------------------------------------------------------------- small helpers

_URL_HINT = "use a full web address that starts with https:// (or http://)"


def _url_problem(url: str) -> str:
    """Why ``url`` is not an http(s) link we would open, or '' when it is fine."""
    if _SIMPLE_URL.match(url):
        return ""  # the common case, without urlsplit
    if _BAD_URL_CHARS.search(url):
        return "contains spaces or control characters, so it is not a web address"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"is not a valid web address ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if not scheme:
            return "is not a web address (it has no http:// or https:// at the start)"
        return f"uses '{scheme}:', but only http and https links are allowed"
    if not parts.hostname:
        return "has no host name after the scheme"
    return ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, Refused):
        return "a refused value"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _show(value: Any) -> str:
    """A short, single-line rendering of a value for a message."""
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list):
        return "[...]"
    text = repr(value) if not isinstance(value, str) else "'" + value + "'"
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _slug(value: Any) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return ""
    return "-".join(re.findall(r"[a-z0-9]+", str(value).lower()))[:80]


def _guess_id(raw: YMap) -> str | None:
    """The id as written (even if invalid), to name a resource in a message."""
    value = raw.get("id")
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return " ".join(str(value).split())[:80] or None
    return None


def _required_hint(key: str) -> str:
    if key == "url":
        return "add 'url:' with the resource's web address (https://...)"
    if key == "title":
        return "add 'title:' with the resource's name"
    return f"add '{key}:'"


def _text_hint(key: str, value: Any) -> str:
    if isinstance(value, (bool, int, float)) or value is None:
        return f'put the value in quotes: {key}: "{value}"'
    return f"write '{key}' as a single line of text"


def _read_hint(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "give yourself read permission (for example: chmod u+r FILE)"
    return "check that the file exists and can be read"


def _find_refused(value: Any) -> Refused | None:
    """The first refused value inside ``value`` (one level deep: a bomb is never walked)."""
    if isinstance(value, Refused):
        return value
    if type(value) is YList:
        for item in value:
            if isinstance(item, Refused):
                return item
    elif type(value) is YMap:
        for key, item in value.items():
            if isinstance(item, Refused):
                return item
            if isinstance(key, _RefusedKey):
                return key.refused
    return None
