"""The config file: key remapping and theme, parsed without Textual; bad input never raises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctdc_tui.core.config import (
    Config,
    check_binding_ids,
    check_theme,
    key_error,
    load_config,
    normalise_key,
    parse_config,
)


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_is_defaults_without_problems(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path / "nope.toml")
    assert config.keymap == {}
    assert config.theme is None
    assert problems == []


def test_default_path_follows_ctdc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('theme = "nord"\n')
    config, problems = load_config()
    assert config.theme == "nord"
    assert config.path == tmp_path / "config" / "config.toml"
    assert problems == []


def test_good_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "gruvbox"\n\n[keymap]\ntoggle-bookmark = "ctrl+b"\n'
        'cursor-down = "j, down"\n"help.close" = "x"\n',
    )
    config, problems = load_config(path)
    assert problems == []
    assert config.theme == "gruvbox"
    assert config.keymap == {"toggle-bookmark": "ctrl+b", "cursor-down": "j,down", "help.close": "x"}
    assert config.keymap_lines == {"toggle-bookmark": 4, "cursor-down": 5, "help.close": 6}


def test_dotted_keys_flatten_to_one_binding_id(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, '[keymap]\nhelp.close = "x"\n'))
    assert problems == []
    assert config.keymap == {"help.close": "x"}


@pytest.mark.parametrize(
    ("given_key", "expected"),
    [
        ("Ctrl+J", "ctrl+j"),
        ("shift+ctrl+x", "ctrl+shift+x"),
        ("G", "G"),
        ("Esc", "escape"),
        ("PgDn", "pagedown"),
        ("F2", "f2"),
        ("ctrl++", "ctrl+plus"),
        ("?", "?"),
    ],
)
def test_keys_are_normalised_to_textual_spelling(given_key: str, expected: str) -> None:
    assert normalise_key(given_key) == expected
    assert key_error(expected) is None


@pytest.mark.parametrize("bad", ["", "ctrl+", "ctrl+foo", "hyperdrive+x", "page down", "ctrl+pagedwn"])
def test_not_a_key(bad: str) -> None:
    assert key_error(normalise_key(bad)) is not None


def test_unicode_character_names_are_keys() -> None:
    assert key_error("question_mark") is None
    assert key_error("ctrl+full_stop") is None


def test_syntax_error_names_file_line_and_column_and_uses_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\n[keymap]\ntoggle-bookmark = ctrl+b\n')
    config, problems = load_config(path)
    assert config == Config(path=path)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.line == 3
    assert problem.column is not None
    text = problem.format()
    assert str(path) in text
    assert f"{path}:3:" in text
    assert "not valid TOML" in text
    assert "Fix:" in text


def test_wrong_types_are_dropped_and_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = 7\n[keymap]\ncursor-down = ["j", "down"]\ntoggle-bookmark = "ctrl+b"\nquit = true\n',
    )
    config, problems = load_config(path)
    assert config.theme is None
    assert config.keymap == {"toggle-bookmark": "ctrl+b"}
    by_key = {p.key: p for p in problems}
    assert set(by_key) == {"theme", "keymap.cursor-down", "keymap.quit"}
    assert by_key["theme"].line == 1
    assert by_key["keymap.cursor-down"].line == 3
    assert "a list" in by_key["keymap.cursor-down"].message
    assert by_key["keymap.quit"].line == 5
    assert all(p.hint for p in problems)


def test_keymap_that_is_not_a_table(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, 'keymap = "ctrl+b"\n'))
    assert config.keymap == {}
    assert [p.key for p in problems] == ["keymap"]
    assert "table" in problems[0].message


def test_bad_key_string_keeps_the_default(tmp_path: Path) -> None:
    config, problems = load_config(
        write(tmp_path, '[keymap]\nquit = "ctrl+qq"\nhelp = "f1,,?"\nsort = "s"\n')
    )
    assert config.keymap == {"sort": "s"}
    assert {p.key for p in problems} == {"keymap.quit", "keymap.help"}
    quit_problem = next(p for p in problems if p.key == "keymap.quit")
    assert quit_problem.line == 2
    assert "qq" in quit_problem.message


def test_unknown_tables_and_settings_are_warnings_with_suggestions(tmp_path: Path) -> None:
    path = write(tmp_path, 'them = "nord"\n\n[keymaps]\nquit = "x"\n')
    config, problems = load_config(path)
    assert config.keymap == {}
    assert {p.key: p.severity for p in problems} == {"them": "warning", "keymaps": "warning"}
    assert any("did you mean 'theme'" in p.hint for p in problems)
    assert any("did you mean 'keymap'" in p.hint for p in problems)
    keymaps = next(p for p in problems if p.key == "keymaps")
    assert keymaps.line == 3


def test_not_utf8(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, b'theme = "nord"\n\xff\xfe = 1\n'))
    assert config.theme is None
    assert problems[0].line == 2
    assert "UTF-8" in problems[0].message


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "config.toml"
    folder.mkdir()
    config, problems = load_config(folder)
    assert config.keymap == {}
    assert "folder" in problems[0].message


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'theme = "nord"\n')

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 0 does not stop root, who runs CI here
    config, problems = load_config(path)
    assert config.theme is None
    assert "cannot be read (Permission denied)" in problems[0].message
    assert str(path) in problems[0].format()


def test_check_binding_ids_names_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, '[keymap]\ntoggle-bookmark = "b"\ntoggle-bookmarks = "ctrl+b"\n')
    config, problems = load_config(path)
    assert problems == []
    unknown = check_binding_ids(
        config.keymap, {"toggle-bookmark", "quit"}, path=config.path, lines=config.keymap_lines
    )
    assert len(unknown) == 1
    assert unknown[0].key == "keymap.toggle-bookmarks"
    assert unknown[0].line == 3
    assert "did you mean 'toggle-bookmark'" in unknown[0].hint
    assert f"{path}:3" in unknown[0].format()


def test_check_binding_ids_accepts_known() -> None:
    assert check_binding_ids({"quit": "x"}, ["quit", "help"]) == []


TOML_PIECES = st.sampled_from(
    [
        "[keymap]",
        "[theme]",
        "[[keymap]]",
        "[keymap.sub]",
        'theme = "nord"',
        "theme = 1",
        'quit = "ctrl+q"',
        'quit = "ctrl+"',
        "quit = [1, 2]",
        'a.b.c = "x"',
        '"a b" = "y"',
        "x = {y = 1}",
        "= 1",
        "[",
        '"',
        "'''",
        "keymap = 3",
        "keymap.quit = 'x'",
        "# comment",
        "",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(TOML_PIECES, st.text(max_size=30)), max_size=12))
def test_random_config_text_never_raises(lines: list[str]) -> None:
    config, problems = parse_config("\n".join(lines), Path("config.toml"))
    assert isinstance(config, Config)
    for binding_id, keys in config.keymap.items():
        assert isinstance(binding_id, str)
        assert all(key_error(k) is None for k in keys.split(","))
    for problem in problems:
        assert problem.format().startswith("config.toml")
        assert problem.hint


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_bytes(data)
    config, problems = load_config(path)
    assert isinstance(config, Config)
    assert all(str(path) in p.format() for p in problems)


def test_check_theme_names_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, '# my settings\ntheme = "gruvbax"\n')
    config, problems = load_config(path)
    assert problems == []
    assert config.theme_line == 2
    found = check_theme(config, ["gruvbox", "nord", "textual-dark"])
    assert len(found) == 1
    assert f"{path}:2" in found[0].format()
    assert "did you mean 'gruvbox'" in found[0].hint
    assert check_theme(Config(theme="nord"), ["nord"]) == []
    assert check_theme(Config(), ["nord"]) == []


PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(PRINTABLE, max_size=10), st.text(PRINTABLE, max_size=15), max_size=5))
def test_every_keymap_entry_is_kept_or_reported_with_its_line(entries: dict[str, str]) -> None:
    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    text = "[keymap]\n" + "\n".join(f"{quoted(k)} = {quoted(v)}" for k, v in entries.items())
    config, problems = parse_config(text, Path("config.toml"))
    for line, binding_id in enumerate(entries, start=2):
        if binding_id in config.keymap:
            assert config.keymap_lines[binding_id] == line
        else:
            assert [p.line for p in problems if p.key == f"keymap.{binding_id}"] == [line]
