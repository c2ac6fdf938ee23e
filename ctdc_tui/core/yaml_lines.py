"""The plain layout of category files, read line by line without a YAML parser.

Most category files, and every generated one, are written in one plain layout: block
mappings of ``key: value`` lines, lists of records (``- key: value``, the record's other keys
lined up under the first), and values that are double-quoted text, plain words and numbers,
or one-line flow lists of those. ``read_plain_layout`` reads that layout several times faster
than walking PyYAML's events, and builds exactly what ``catalog._parse_yaml`` builds from it:
the same values, containers and line numbers (a property test compares the two).

Anything else gives None and the YAML parser reads the text as before: block scalars
(``>-``, ``|``), single quotes, a comment after a value, anchors, aliases, tags, flow
mappings, a value over several lines, a list of plain items, a tab or carriage return, a
character YAML does not allow, an escape it does not know, a key used twice, a value that
resolves to something refused, a document marker. So a file is never read differently, only
sometimes more slowly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# A line holding a key: indentation, an optional "- " opening a list item, the key, then the
# end of the line or at least one space and the value (a key needs a space after its colon).
_KEY_LINE = re.compile(r"( *)(?:-( +))?([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
# What YAML allows in a stream, less what this reader leaves to PyYAML: tab, line feed and the
# printable ranges; not carriage return, NEL, the line and paragraph separators (YAML 1.1
# line breaks) nor the byte order mark.
_REFUSED_CHARACTER = re.compile(
    "[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_ALLOWED_ASCII = bytes([9, 10, *range(0x20, 0x7F)])
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
# YAML's double-quoted escapes (the one-character ones).
_ESCAPED = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
# Characters a plain value may not start with (YAML indicators), and what it may not hold.
_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
_MAX_DEPTH = 8  # open containers (a catalogue needs four)
_FLOW_PLAIN_STOP = re.compile(r"[,\[\]{}]")
# One-line flow lists of the usual kinds: quoted items without escapes, or plain words.
_QUOTED_ITEMS = re.compile(r' *"[^"\\]*"(?: *, *"[^"\\]*")* *')
_QUOTED_ITEM = re.compile(r'"([^"\\]*)"')
_NOT_IN_PLAIN_ITEMS = re.compile(r"[:#\[\]{}\t\\']")

Scalar = Callable[[str, int], Any]  # plain text and its line -> its value (``GIVE_UP``: give up)


class _GiveUp(Exception):
    """Not the plain layout: the YAML parser reads the text."""


def read_plain_layout(
    text: str, make_map: Callable[[int], Any], make_list: Callable[[int], Any], plain: Scalar
) -> Any:
    """The root mapping of ``text`` as the YAML reader builds it, or None when the text is not
    in the plain layout. ``make_map(line)`` and ``make_list(line)`` make the containers (with
    ``key_lines`` and ``item_lines``); ``plain(value, line)`` resolves a plain scalar, returning
    ``GIVE_UP`` to give up (a value the YAML reader would refuse)."""
    if text.isascii():  # (the same test, in C: no control character but tab and line feed)
        if text.encode("ascii").translate(None, _ALLOWED_ASCII):
            return None
    elif _REFUSED_CHARACTER.search(text):
        return None
    try:
        return _read(text, make_map, make_list, plain)
    except _GiveUp:
        return None
    except (ValueError, OverflowError, IndexError, KeyError, TypeError, RecursionError):
        return None


GIVE_UP: Any = object()  # what ``plain`` returns for a value to leave to the YAML reader


def _read(text: str, make_map: Callable[[int], Any], make_list: Callable[[int], Any], plain: Scalar) -> Any:
    root: Any = None
    # Open containers, innermost last: (column, container, is_list). A mapping's column is its
    # keys'; a list's is its dashes'.
    stack: list[tuple[int, Any, bool]] = []
    pending: tuple[Any, str] | None = None  # a key whose value is on the lines below
    match = _KEY_LINE.fullmatch
    keys_ok: set[str] = set()  # keys known to be plain text
    mapping: Any = None  # the open mapping, and the column of its keys
    column = -1
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        found = match(line)
        if found is None:
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":
                continue  # a blank line or a comment line
            raise _GiveUp
        spaces, dash, key, value = found.groups()
        if dash is not None or pending is not None or len(spaces) != column:
            # Anything but another key of the open mapping: work out where the line belongs.
            mapping, column, pending = _place(
                stack, len(spaces), dash, number, pending, make_map, make_list, plain
            )
            if root is None:
                root = mapping
        if key not in keys_ok:
            if len(key) > 1024 or plain(key, number) != key:
                raise _GiveUp  # a key that is not plain text (``yes``, ``null``...)
            keys_ok.add(key)
        if key in mapping:
            raise _GiveUp  # a repeated key
        mapping.key_lines[key] = number
        if value is not None:
            value = value.rstrip(" ")
        if not value:
            mapping[key] = None  # kept in its place; the lines below give the value
            pending = (mapping, key)
            continue
        first = value[0]
        if (
            first == '"'
            and value[-1] == '"'
            and len(value) > 1
            and '"' not in value[1:-1]
            and "\\" not in value
        ):
            mapping[key] = value[1:-1]  # quoted text without escapes
        elif (
            first not in _NOT_FIRST
            and ": " not in value
            and " #" not in value
            and value[-1] != ":"
            and "\t" not in value
        ):
            resolved = plain(value, number)
            if resolved is GIVE_UP:
                raise _GiveUp
            mapping[key] = resolved
        else:
            mapping[key] = _value(value, number, make_list, plain)
    if pending is not None:
        owner, pending_key = pending
        owner[pending_key] = _value_of("", len(lines), plain)
    return root


def _place(
    stack: list[tuple[int, Any, bool]],
    indent: int,
    dash: str | None,
    number: int,
    pending: tuple[Any, str] | None,
    make_map: Callable[[int], Any],
    make_list: Callable[[int], Any],
    plain: Scalar,
) -> tuple[Any, int, None]:
    """The mapping a key line at ``indent`` (after a dash, if any) goes into, and its column;
    opens and closes containers on the way."""
    while stack and stack[-1][0] > indent:
        stack.pop()
    if pending is not None:
        owner, pending_key = pending
        if stack and stack[-1][1] is owner and stack[-1][0] < indent:
            # The value of the key above: a list (this line's dash) or a mapping.
            node = make_list(number) if dash is not None else make_map(number)
            owner[pending_key] = node
            stack.append((indent, node, dash is not None))
            if len(stack) > _MAX_DEPTH:
                raise _GiveUp  # deeper than any catalogue: the YAML reader says how deep is too deep
        else:
            owner[pending_key] = _value_of("", number, plain)
    if dash is not None:
        if not stack or not stack[-1][2] or stack[-1][0] != indent:
            raise _GiveUp
        items = stack[-1][1]
        record = make_map(number)
        items.append(record)
        items.item_lines.append(number)
        column = indent + 1 + len(dash)
        stack.append((column, record, False))
        if len(stack) > _MAX_DEPTH:
            raise _GiveUp
        return record, column, None
    if not stack:
        if indent:
            raise _GiveUp
        root = make_map(number)
        stack.append((0, root, False))
        return root, 0, None
    if stack[-1][2] or stack[-1][0] != indent:
        raise _GiveUp
    return stack[-1][1], indent, None


def _value_of(text: str, line: int, plain: Scalar) -> Any:
    value = plain(text, line)
    if value is GIVE_UP:
        raise _GiveUp
    return value


def _value(text: str, line: int, make_list: Callable[[int], Any], plain: Scalar) -> Any:
    first = text[0]
    if first == '"':
        if _QUOTED.fullmatch(text) is None:
            raise _GiveUp
        return _unquote(text[1:-1])
    if first == "[":
        return _flow_list(text, line, make_list, plain)
    if first in _NOT_FIRST or ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        raise _GiveUp
    return _value_of(text, line, plain)


def _unquote(inner: str) -> str:
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(_escape, inner)


def _escape(found: re.Match[str]) -> str:
    code = found[1]
    if len(code) == 1:
        replaced = _ESCAPED.get(code)
        if replaced is None:
            raise _GiveUp  # YAML refuses an unknown escape
        return replaced
    if code[0] in "xuU" and len(code) > 1:
        point = int(code[1:], 16)
        if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
            raise _GiveUp
        return chr(point)
    raise _GiveUp  # pragma: no cover - the pattern matches nothing else


def _flow_list(text: str, line: int, make_list: Callable[[int], Any], plain: Scalar) -> Any:
    """A one-line flow list of double-quoted and plain items (``[a, "b c", 3]``)."""
    if not text.endswith("]"):
        raise _GiveUp
    items = make_list(line)
    inner = text[1:-1]
    value: Any
    if '"' in inner:
        if _QUOTED_ITEMS.fullmatch(inner) is not None:
            words = _QUOTED_ITEM.findall(inner)
            items.extend(words)
            items.item_lines.extend([line] * len(words))
            return items
    elif inner.strip(" ") and _NOT_IN_PLAIN_ITEMS.search(inner) is None:
        for part in inner.split(","):
            word = part.strip(" ")
            if not word or word[0] in _NOT_FIRST:
                raise _GiveUp
            value = plain(word, line)
            if value is GIVE_UP:
                raise _GiveUp
            items.append(value)
        items.item_lines.extend([line] * len(items))
        return items
    at, end = 1, len(text) - 1
    while True:
        while at < end and text[at] == " ":
            at += 1
        if at == end:
            if items:
                raise _GiveUp  # a comma before the closing bracket
            return items
        if text[at] == '"':
            quoted = _QUOTED.match(text, at)
            if quoted is None:
                raise _GiveUp
            value = _unquote(quoted[1])
            at = quoted.end()
        else:
            stop = _FLOW_PLAIN_STOP.search(text, at)
            finish = stop.start() if stop is not None else end
            word = text[at:finish].rstrip(" ")
            if (
                not word
                or word[0] in _NOT_FIRST
                or ":" in word
                or " #" in word
                or "\t" in word
                or (stop is not None and text[finish] not in ",]")
            ):
                raise _GiveUp
            value = _value_of(word, line, plain)
            at = finish
        items.append(value)
        items.item_lines.append(line)
        while at < end and text[at] == " ":
            at += 1
        if at == end:
            return items
        if text[at] != ",":
            raise _GiveUp
        at += 1
        if at == end or text[at] != " ":
            raise _GiveUp  # ",]" or ",x": left to YAML
