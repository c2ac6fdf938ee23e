"""Every key of the app, as the user has it now (defaults plus their keymap).

Each binding the app defines has an id such as ``app.bookmark`` or
``list.down``; the part before the dot says where the key works. The user's
``[keymap]`` table (``ctdc_tui.core.config``) maps ids to new keys and the app
hands it to ``App.set_keymap``. ``collect_key_help`` reads the bindings of the
app, of every widget and screen that is mounted, and of the screens that only
open on demand, and applies the active keymap, so the help screen and the
command palette show the keys that really work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

# Where a key works, from the first part of its binding id, in the order the help shows them.
SECTIONS = {
    "app": "Everywhere",
    "search": "Search box",
    "sidebar": "Categories (sidebar)",
    "list": "Resource list",
    "detail": "Detail pane",
    "related": "Related resources",
    "note": "Note editor",
    "help": "This help screen",
}
FIXED_SECTION = "Everywhere"

# Textual's own app-level keys have no id; they get a clearer description here.
BUILT_IN_DESCRIPTIONS = {
    "command_palette": "Command palette: go to a resource or category, run a command",
    "quit": "Quit",
    "app.focus_next": "Move to the next pane",
    "app.focus_previous": "Move to the previous pane",
    "screen.copy_text": "Copy the selected text",
}


def _fixed_key_listed(app: App[Any], node: DOMNode | None) -> bool:
    """Textual's own keys (no id) are listed from the app and the main screen only."""
    return node is app or (isinstance(node, Screen) and not node.is_modal)


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One line of the key list: which keys do what, where, and under which binding id."""

    section: str
    keys: tuple[str, ...]
    description: str
    binding_id: str | None
    action: str
    remapped: bool = False

    @property
    def keys_text(self) -> str:
        return ", ".join(self.keys)


def section_of(binding_id: str | None) -> str:
    if not binding_id:
        return FIXED_SECTION
    prefix = binding_id.split(".", 1)[0]
    return SECTIONS.get(prefix, prefix.replace("_", " ").capitalize())


# The keys of screens that open on demand live here, not in the screens' modules, so the app can
# check a keymap's ids and list these keys without importing (and slowing its start with) them.
HELP_BINDINGS: list[BindingType] = [
    Binding("escape,q,question_mark,f1", "close", "Close help", id="help.close"),
    Binding("j,down", "scroll_down", "Scroll down", show=False, id="help.down"),
    Binding("k,up", "scroll_up", "Scroll up", show=False, id="help.up"),
    Binding("g,home", "scroll_home", "Top", show=False, id="help.top"),
    Binding("G,end", "scroll_end", "Bottom", show=False, id="help.bottom"),
    Binding("pagedown,space", "page_down", "Page down", show=False, id="help.page_down"),
    Binding("pageup", "page_up", "Page up", show=False, id="help.page_up"),
]
NOTE_EDITOR_BINDINGS: list[BindingType] = [
    Binding("ctrl+s", "save", "Save note", priority=True, id="note.save"),
    Binding("escape", "cancel", "Cancel editing", priority=True, id="note.cancel"),
]


class HelpKeys(DOMNode):
    """Stands in for ``HelpScreen`` when only its keys are wanted."""

    BINDINGS = HELP_BINDINGS


class NoteEditorKeys(DOMNode):
    """Stands in for ``NoteEditorScreen`` when only its keys are wanted."""

    BINDINGS = NOTE_EDITOR_BINDINGS


def on_demand_key_classes() -> list[type[DOMNode]]:
    """Classes holding the keys of the screens that are not mounted until opened (cheap: no import)."""
    return [HelpKeys, NoteEditorKeys]


_on_demand_screens = on_demand_key_classes  # the name the app first used


def _binding_maps(
    app: App[Any], extra: Iterable[type[DOMNode]]
) -> Iterator[tuple[DOMNode | None, BindingsMap]]:
    yield app, app._bindings
    seen: set[type[DOMNode]] = {type(app)}
    for screen in app.screen_stack:
        if screen.has_class("--textual-command-palette"):
            continue
        for node in (screen, *screen.walk_children(with_self=False)):
            if type(node) in seen:
                continue
            seen.add(type(node))
            yield node, node._bindings
    for cls in extra:
        if cls not in seen:
            seen.add(cls)
            merged = cls._merged_bindings
            if merged is not None:
                yield None, merged


def collect_key_help(app: App[Any], extra: Iterable[type[DOMNode]] | None = None) -> list[KeyHelp]:
    """Every key the user can press, grouped by where it works, with the active keymap applied.

    Bindings with an id are the app's own (remappable); of Textual's built-in
    widget keys only the app-level ones with a description are listed (quit,
    command palette). ``extra`` adds classes that are not mounted (by default
    the help screen and the note editor).
    """
    keymap: dict[str, str] = dict(getattr(app, "_keymap", {}) or {})
    classes = on_demand_key_classes() if extra is None else list(extra)
    # (section, id or action) -> [keys], description, id, action, remapped
    grouped: dict[tuple[str, str], tuple[list[str], str, str | None, str, bool]] = {}
    for node, bindings in _binding_maps(app, classes):
        for _key, binding in bindings:
            if binding.system:
                continue
            if binding.id is None and not _fixed_key_listed(app, node):
                continue
            description = binding.description or BUILT_IN_DESCRIPTIONS.get(binding.action, "")
            if binding.id is None or binding.action == "command_palette":  # the footer's word is short
                description = BUILT_IN_DESCRIPTIONS.get(binding.action, description)
            if not description:
                description = binding.action.replace("_", " ").capitalize()
            section = section_of(binding.id)
            group_key = (section, binding.id or binding.action)
            remapped = binding.id is not None and binding.id in keymap
            if remapped and binding.id is not None:
                keys = [app.get_key_display(binding.with_key(k)) for k in keymap[binding.id].split(",")]
            else:
                keys = [app.get_key_display(binding)]
            entry = grouped.setdefault(group_key, ([], description, binding.id, binding.action, remapped))
            for key in keys:
                if key not in entry[0]:
                    entry[0].append(key)
    order = {name: n for n, name in enumerate(SECTIONS.values())}
    items = [
        KeyHelp(section, tuple(keys), description, binding_id, action, remapped)
        for (section, _), (keys, description, binding_id, action, remapped) in grouped.items()
    ]
    items.sort(key=lambda item: order.get(item.section, len(order)))
    return items


def keys_for_action(app: App[Any], action: str) -> str:
    """The keys of an app-level action as shown to the user ("" when unbound)."""
    keymap: dict[str, str] = dict(getattr(app, "_keymap", {}) or {})
    keys: list[str] = []
    for _key, binding in app._bindings:
        if binding.action != action or binding.system:
            continue
        if binding.id is not None and binding.id in keymap:
            shown = [app.get_key_display(binding.with_key(k)) for k in keymap[binding.id].split(",")]
        else:
            shown = [app.get_key_display(binding)]
        keys.extend(k for k in shown if k not in keys)
    return ", ".join(keys)


def binding_ids(classes: Iterable[type[DOMNode]]) -> set[str]:
    """Every binding id defined by these classes (and what they inherit)."""
    ids: set[str] = set()
    for cls in classes:
        merged = cls._merged_bindings
        if merged is None:
            continue
        for _key, binding in merged:
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids
