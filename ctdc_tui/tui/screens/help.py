"""The help screen: every key (as remapped), the search syntax, and the config file.

Opened by the app's help action, which imports this module only then, so the
first frame never waits for it. The key list is built from the live bindings
(``collect_key_help``), so a key the user remapped shows its new key. Esc, q,
? and F1 close it; it scrolls with the usual keys and reads at 60x20.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ctdc_tui.core import locations
from ctdc_tui.core.text import one_line
from ctdc_tui.tui.keymap import HELP_BINDINGS, KeyHelp, collect_key_help

# (what to type, what it finds): written for this app's search (docs/search.md has the detail).
QUERY_SYNTAX: tuple[tuple[str, str], ...] = (
    ("open data", "resources with both words (in any field)"),
    ('"data sharing"', "the exact phrase"),
    ("civ*", "words starting with civ"),
    ("goverment~", "words spelt about like that (typo-tolerant)"),
    ("data OR privacy", "either word; AND is the default between words"),
    ("data NOT health", "leave out resources with a word (also: -health)"),
    ("(open OR civic) data", "parentheses group words"),
    ("category:ID", "only one category (its id, as ctdc list shows it)"),
    ("tag:open-data", "resources with that tag"),
    ("author:NAME  org:NAME", "by an author, or by an organisation"),
    ("kind:guide", "one kind of resource (guide, report, playbook…)"),
    ("year:2016", "published in 2016"),
    ("year:2014..2017", "published in a range of years"),
    ("is:bookmarked", "your bookmarks; words in your notes match too"),
    ("title:word  note:word", "a word in the title only / in your bookmark notes"),
    ("is:ok  is:dead", "links that answered / failed at the last link check"),
)


_NUMBERED = re.compile(r"^(?P<stem>.+?)(?P<number>\d+)$")


def fold_numbered(items: list[KeyHelp]) -> list[KeyHelp]:
    """Runs like app.category_1 … app.category_9 (one key each, unremapped) as one line "1–9"."""
    folded: list[KeyHelp] = []
    run: list[KeyHelp] = []

    def stem(item: KeyHelp) -> str | None:
        match = _NUMBERED.match(item.binding_id or "")
        desc = _NUMBERED.match(item.description)
        if match is None or desc is None or item.remapped or len(item.keys) != 1:
            return None
        return f"{item.section}|{match.group('stem')}|{desc.group('stem')}"

    def flush() -> None:
        if len(run) < 3:
            folded.extend(run)
        else:
            first, last = run[0], run[-1]
            desc = _NUMBERED.match(first.description)
            last_id = _NUMBERED.match(last.binding_id or "")
            assert desc is not None
            folded.append(
                KeyHelp(
                    first.section,
                    (f"{first.keys[0]}–{last.keys[0]}",),
                    f"{desc.group('stem').strip()} 1 to {len(run)}",
                    f"{first.binding_id}…{last_id.group('number') if last_id else ''}",
                    first.action,
                )
            )
        run.clear()

    for item in items:
        if run and stem(item) is not None and stem(item) == stem(run[-1]):
            run.append(item)
            continue
        flush()
        if stem(item) is not None:
            run.append(item)
        else:
            folded.append(item)
    flush()
    return folded


def keys_table(items: list[KeyHelp]) -> Group:
    """The key list as one table per section, columns aligned; every cell is plain text."""
    items = fold_numbered(items)
    key_cells = [Text(item.keys_text or "(none)") for item in items]
    for cell, item in zip(key_cells, items, strict=True):
        if item.remapped:
            cell.append(" *", style="italic")
    key_width = min(max((cell.cell_len for cell in key_cells), default=4), 18)
    id_width = max((len(item.binding_id or "(fixed)") for item in items), default=10)
    parts: list[Table | Text] = []
    section = None
    table: Table | None = None
    for cell, item in zip(key_cells, items, strict=True):
        if item.section != section:
            if table is not None:
                parts.extend((table, Text("")))
            table = Table(
                title=Text(item.section, style="bold"),
                title_justify="left",
                show_header=section is None,
                show_edge=False,
                box=None,
                expand=True,
                padding=(0, 1, 0, 0),
            )
            section = item.section
            table.add_column("Key", style="bold", width=key_width)
            table.add_column("Does", ratio=1)
            table.add_column("Binding id", style="dim", no_wrap=True, width=id_width)
        assert table is not None
        table.add_row(cell, Text(item.description), Text(item.binding_id or "(fixed)"))
    if table is not None:
        parts.append(table)
    parts.append(Text("* remapped in your config file", style="dim italic"))
    return Group(*parts)


def syntax_table() -> Table:
    table = Table(show_edge=False, box=None, expand=True, padding=(0, 1, 0, 0))
    table.add_column("Type", style="bold", no_wrap=True)
    table.add_column("Finds", ratio=1)
    for example, meaning in QUERY_SYNTAX:
        table.add_row(Text(example), Text(meaning))
    return table


def shown_path(path: Path) -> str:
    """``path`` under ``$CTDC_HOME`` or ``~`` written so (shorter, and the same on every machine)."""
    bases: list[tuple[str, str]] = []
    if home := os.environ.get("CTDC_HOME"):
        bases.append(("$CTDC_HOME", home))
    with contextlib.suppress(RuntimeError, KeyError):
        bases.append(("~", str(Path.home())))
    for name, base in bases:
        try:
            return f"{name}/" + path.relative_to(Path(base).expanduser()).as_posix()
        except ValueError:
            continue
    return str(path)


def config_text() -> Text:
    path = one_line(shown_path(locations.config_file()))
    text = Text()
    text.append("Your config file: ")
    text.append(path, style="bold")
    text.append(
        "\nIt is optional TOML. Under [keymap] give a binding id (from the list above)"
        " the key or keys you want, separated by commas. For example:\n\n"
    )
    text.append(
        'theme = "nord"\n\n[keymap]\napp.bookmark = "ctrl+b"\nlist.down = "j,down,ctrl+n"\n', style="bold"
    )
    text.append(
        "\nKeys are written like j, G, ctrl+j, shift+tab, f2, pageup, question_mark."
        " A mistake in the file is reported when the app starts and the default keys stay."
        " docs/keymap.md lists every binding id."
    )
    return text


class HelpScreen(ModalScreen[None]):
    """Keys, search syntax and configuration, over the main screen."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: 100%;
        max-width: 110;
        height: 100%;
        max-height: 48;
        border: round $accent;
        border-title-align: left;
        background: $surface;
    }
    HelpScreen VerticalScroll {
        padding: 0 1;
    }
    HelpScreen .heading {
        text-style: bold;
        color: $accent;
        margin-top: 1;
    }
    HelpScreen #help-hint {
        dock: bottom;
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = HELP_BINDINGS

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = "Help"
            with VerticalScroll(id="help-body"):
                yield Static("Keys", classes="heading")
                yield Static(keys_table(collect_key_help(self.app)), id="help-keys")
                yield Static("Searching", classes="heading")
                yield Static(syntax_table(), id="help-syntax")
                yield Static("Changing keys", classes="heading")
                yield Static(config_text(), id="help-config")
            yield Static(self._hint(), id="help-hint")

    def _hint(self) -> Text:
        keys = [item for item in collect_key_help(self.app) if item.binding_id == "help.close"]
        close = keys[0].keys_text if keys else "esc"
        return Text(f"{close}: close   j/k, pgup/pgdn: scroll")

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    def _body(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self._body().scroll_down()

    def action_scroll_up(self) -> None:
        self._body().scroll_up()

    def action_scroll_home(self) -> None:
        self._body().scroll_home()

    def action_scroll_end(self) -> None:
        self._body().scroll_end()

    def action_page_down(self) -> None:
        self._body().scroll_page_down()

    def action_page_up(self) -> None:
        self._body().scroll_page_up()
