"""The user's config file (``config.toml``): key remapping and a preferred theme.

The file lives at ``locations.config_file()`` and is optional. Its shape::

    theme = "gruvbox"            # optional: a Textual theme name

    [keymap]                     # binding id = key, or several keys split by commas
    toggle-bookmark = "ctrl+b"
    cursor-down = "j,down"

``load_config`` never raises. A file that is not valid TOML is ignored as a whole
(every default stays); a single bad entry (a wrong type, an unknown table or
key, a key string that is not a key) is dropped and the rest is used. Every
problem names the file, the line and the key, and says how to fix it.

Whether a binding id exists is known only to the app (its widgets define the
bindings), so the app calls ``check_binding_ids`` with the ids it knows.

This module is part of the core: it never imports Textual. Key strings are
normalised the way Textual spells keys (modifiers in lower case, ``ctrl``
before ``shift``), so ``"Ctrl+J"`` and ``"ctrl+j"`` mean the same.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ctdc_tui.core import locations

Severity = Literal["error", "warning"]

MODIFIERS = ("ctrl", "alt", "meta", "super", "hyper", "shift")

# Key names Textual understands besides single characters and Unicode character names.
NAMED_KEYS = frozenset(
    {
        "escape",
        "enter",
        "return",
        "tab",
        "backtab",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "up",
        "down",
        "left",
        "right",
        "space",
        "newline",
        # Textual's short names for some punctuation.
        "slash",
        "backslash",
        "at",
        "minus",
        "plus",
        "underscore",
        "comma",
        *(f"f{n}" for n in range(1, 25)),
    }
)

# Common names people reach for, and the key Textual calls it.
_SPELLING_FIXES = {
    "esc": "escape",
    "return": "enter",
    "pgup": "pageup",
    "pgdn": "pagedown",
    "page_up": "pageup",
    "page_down": "pagedown",
    "del": "delete",
    "ins": "insert",
    "control": "ctrl",
    "question": "question_mark",
}

KNOWN_TABLES = {"keymap"}
KNOWN_TOP_LEVEL = {"theme", "keymap"}


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong with the config file: where, what, and how to fix it."""

    file: str
    message: str
    hint: str = ""
    line: int | None = None
    column: int | None = None
    key: str | None = None
    severity: Severity = "error"

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}:"
        if self.key:
            text += f" '{self.key}':"
        text += f" {self.message}"
        if self.hint:
            text += f" Fix: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True, slots=True)
class Config:
    """What the config file asks for. An empty Config means "all defaults"."""

    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    path: Path | None = None
    # binding id -> line of its entry in the file, for messages about it later.
    keymap_lines: dict[str, int] = field(default_factory=dict)
    theme_line: int | None = None


def normalise_key(key: str) -> str:
    """One key in Textual's spelling: ``"Ctrl+Shift+J"`` -> ``"ctrl+shift+J"``.

    Modifiers are lower-cased and put in Textual's order; a single character
    keeps its case (``G`` is shift+g in Textual); a named key is lower-cased.
    """
    key = key.strip()
    if len(key) <= 1:
        return key
    parts = key.split("+")
    # A trailing "+" (as in "ctrl++") means the plus key.
    if key.endswith("++"):
        parts = [*key[:-2].split("+"), "plus"]
    *mods, base = parts
    mods = [_SPELLING_FIXES.get(m.strip().lower(), m.strip().lower()) for m in mods]
    base = base.strip()
    if mods and len(base) == 1:
        # Terminals send ctrl+letter in lower case: "Ctrl+B" means ctrl+b.
        base = base.lower()
    if len(base) > 1:
        base = base.lower()
        base = _SPELLING_FIXES.get(base, base)
    ordered = [m for m in MODIFIERS if m in mods] + [m for m in mods if m not in MODIFIERS]
    return "+".join([*ordered, base])


def _is_character_name(name: str) -> bool:
    """True for Textual's names of characters, such as ``question_mark`` or ``full_stop``."""
    try:
        char = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return len(char) == 1 and char.isprintable()


def key_error(key: str) -> str | None:
    """Why ``key`` (already normalised, one key) is not a key Textual can bind, or None."""
    if not key:
        return "an empty key"
    if len(key) == 1:
        if key.isspace() or not key.isprintable():
            return f"{key!r} is not a printable key; name it instead (for a space: 'space')"
        return None
    if any(ch.isspace() for ch in key):
        return f"'{key}' contains a space; keys are written like 'ctrl+j' without spaces"
    *mods, base = key.split("+")
    for mod in mods:
        if mod not in MODIFIERS:
            return f"'{mod}' in '{key}' is not a modifier (use {', '.join(MODIFIERS)})"
    if not base:
        return f"'{key}' ends with '+' but names no key"
    if len(base) == 1 and base.isprintable():
        return None
    if base in NAMED_KEYS or _is_character_name(base):
        return None
    close = difflib.get_close_matches(base, sorted(NAMED_KEYS), n=1)
    guess = f" (did you mean '{close[0]}'?)" if close else ""
    return f"'{base}' in '{key}' is not a key name{guess}"


def parse_keys(value: str) -> tuple[str, list[str]]:
    """A comma-separated key list normalised, plus the reasons any part is not a key."""
    keys = [normalise_key(part) for part in value.split(",")]
    errors = [err for k in keys if (err := key_error(k)) is not None]
    return ",".join(keys), errors


_HEADER = re.compile(r"^\s*\[\s*(?P<name>[^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY_PART = r"(?:\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_\-]+)"
_KEY = re.compile(rf"^\s*(?P<key>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


def _clean_key(raw: str) -> str:
    """A TOML key as written (bare, quoted, dotted) as the dotted name ``_flatten`` gives it."""
    try:
        parsed = tomllib.loads(f"{raw} = 0")
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_\-]+)", raw)
        return ".".join("".join(groups) for groups in parts)
    return next((name for name, _value in _flatten(parsed)), raw)


def _line_numbers(text: str) -> dict[tuple[str, str | None], int]:
    """(table, dotted key) -> 1-based line ("" = top level; key None = the table header line)."""
    found: dict[tuple[str, str | None], int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            table = _clean_key(header.group("name"))
            found.setdefault((table, None), number)
            continue
        if match := _KEY.match(line):
            found.setdefault((table, _clean_key(match.group("key"))), number)
    return found


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def _type_name(value: object) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a table",
        str: "text",
    }.get(type(value), type(value).__name__)


def load_config(path: Path | None = None) -> tuple[Config, list[ConfigProblem]]:
    """Read the config file; never raises. A missing file is the defaults, with no problem."""
    path = Path(path) if path is not None else locations.config_file()
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path), []
    except IsADirectoryError:
        return Config(path=path), [
            ConfigProblem(shown, "is a folder, not a file", "remove it or put config.toml inside it")
        ]
    except OSError as exc:
        return Config(path=path), [
            ConfigProblem(
                shown,
                f"cannot be read ({exc.strerror or exc})",
                "check its permissions; the defaults are used meanwhile",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Config(path=path), [
            ConfigProblem(
                shown,
                "is not UTF-8 text; the whole file is ignored",
                "save it as UTF-8",
                line=line,
            )
        ]
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> tuple[Config, list[ConfigProblem]]:
    """Parse config text (what ``load_config`` does after reading the file); never raises."""
    shown = str(path) if path is not None else "config.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        if pos := _TOML_POSITION.search(message):
            line, column = int(pos.group(1)), int(pos.group(2))
            message = _TOML_POSITION.sub("", message).strip()
        elif "end of document" in message:
            line = text.count("\n") + 1
        return Config(path=path), [
            ConfigProblem(
                shown,
                f"is not valid TOML ({message}); the whole file is ignored and the defaults are used",
                'fix that line; a key binding looks like  toggle-bookmark = "ctrl+b"  under [keymap]',
                line=line,
                column=column,
            )
        ]
    except (ValueError, RecursionError) as exc:  # tomllib can raise these for odd input
        return Config(path=path), [
            ConfigProblem(shown, f"cannot be parsed ({exc}); the defaults are used", "check the file")
        ]

    lines = _line_numbers(text)
    problems: list[ConfigProblem] = []

    def problem(message: str, hint: str, table: str, key: str, severity: Severity = "error") -> None:
        problems.append(
            ConfigProblem(
                shown,
                message,
                hint,
                line=lines.get((table, key))
                or lines.get(("", f"{table}.{key}" if table else key))
                or lines.get((key if not table else f"{table}.{key}", None)),
                key=f"{table}.{key}" if table else key,
                severity=severity,
            )
        )

    theme: str | None = None
    keymap: dict[str, str] = {}
    keymap_lines: dict[str, int] = {}

    for name, value in data.items():
        if name == "theme":
            if isinstance(value, str) and value.strip():
                theme = value.strip()
            else:
                problem(
                    f"theme must be a theme name in quotes, not {_type_name(value)}",
                    'write it like  theme = "nord"  (the palette command "Change theme" lists names)',
                    "",
                    name,
                )
        elif name == "keymap":
            if not isinstance(value, dict):
                problem(
                    f"keymap must be a table, not {_type_name(value)}",
                    'put [keymap] on a line of its own, then lines like  toggle-bookmark = "ctrl+b"',
                    "",
                    name,
                )
                continue
            for binding_id, keys in _flatten(value):
                where = binding_id
                if not isinstance(keys, str):
                    problem(
                        f"the keys must be text in quotes, not {_type_name(keys)}",
                        f'write it like  {binding_id} = "ctrl+b"  (several keys: "j,down")',
                        "keymap",
                        where,
                    )
                    continue
                normalised, errors = parse_keys(keys)
                if errors:
                    problem(
                        "; ".join(errors) + "; this binding keeps its default key",
                        'keys look like "j", "ctrl+j", "shift+tab", "f2" or "question_mark";'
                        ' separate several with commas: "j,down"',
                        "keymap",
                        where,
                    )
                    continue
                keymap[binding_id] = normalised
                line = lines.get(("keymap", binding_id)) or lines.get(("", f"keymap.{binding_id}"))
                if line is not None:
                    keymap_lines[binding_id] = line
        else:
            close = difflib.get_close_matches(name, sorted(KNOWN_TOP_LEVEL), n=1)
            guess = f"did you mean '{close[0]}'? " if close else ""
            kind = "table" if isinstance(value, dict) else "setting"
            problem(
                f"unknown {kind} '{name}'; it is ignored",
                f"{guess}the file knows 'theme' and the [keymap] table; see docs/keymap.md",
                "",
                name,
                severity="warning",
            )

    config = Config(
        keymap=keymap,
        theme=theme,
        path=path,
        keymap_lines=keymap_lines,
        theme_line=lines.get(("", "theme")) if theme else None,
    )
    return config, problems


def check_theme(config: Config, known_themes: Iterable[str]) -> list[ConfigProblem]:
    """A problem when the config names a theme the app does not have (only the app knows its themes)."""
    if config.theme is None:
        return []
    known = sorted(set(known_themes))
    if config.theme in known:
        return []
    close = difflib.get_close_matches(config.theme, known, n=1)
    guess = f"did you mean '{close[0]}'? " if close else ""
    shown = str(config.path) if config.path is not None else str(locations.config_file())
    return [
        ConfigProblem(
            shown,
            f"there is no theme called '{config.theme}'; the default theme is used",
            f"{guess}the palette (ctrl+p) command 'Change theme' lists every theme",
            line=config.theme_line,
            key="theme",
            severity="warning",
        )
    ]


def check_binding_ids(
    keymap: Mapping[str, str],
    known_ids: Iterable[str],
    *,
    path: Path | None = None,
    lines: Mapping[str, int] | None = None,
) -> list[ConfigProblem]:
    """A problem for every keymap entry whose binding id the app does not have.

    ``known_ids`` comes from the app (every ``Binding.id`` of its classes).
    Pass ``path=config.path, lines=config.keymap_lines`` to name file and line.
    """
    known = sorted(set(known_ids))
    shown = str(path) if path is not None else str(locations.config_file())
    problems = []
    for binding_id in keymap:
        if binding_id in known:
            continue
        close = difflib.get_close_matches(binding_id, known, n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        problems.append(
            ConfigProblem(
                shown,
                f"no key binding has the id '{binding_id}'; the entry is ignored",
                f"{guess}the help screen (?) and docs/keymap.md list every binding id",
                line=(lines or {}).get(binding_id),
                key=f"keymap.{binding_id}",
                severity="warning",
            )
        )
    return problems
