"""The link-status cache (per catalogue, atomic, survives damage) and the URL helpers. No network."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctdc_tui.core import locations
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.link_status import (
    LinkResult,
    LinkStatusCache,
    archived_url,
    describe_age,
    is_openable,
    resource_urls,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def catalogue(tmp_path: Path, name: str = "cat") -> Path:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def result(url: str, status: str = "ok", when: datetime = NOW, **extra: object) -> LinkResult:
    return LinkResult(url=url, status=status, checked_at=when, **extra)  # type: ignore[arg-type]


def test_missing_cache_is_empty_and_quiet(tmp_path: Path) -> None:
    cache = LinkStatusCache.load(catalogue(tmp_path))
    assert len(cache) == 0
    assert cache.get("anything") is None
    assert cache.status_map() == {}
    assert cache.last_checked() is None
    assert cache.notices == []


def test_results_round_trip_through_the_file(tmp_path: Path) -> None:
    folder = catalogue(tmp_path)
    cache = LinkStatusCache.load(folder)
    moved = result(
        "http://a.org/old",
        "moved",
        http_status=200,
        final_url="https://a.org/new",
        redirects=(("http://a.org/old", 301),),
        method="HEAD",
        elapsed=0.25,
        answered=True,
    )
    dead = result("http://b.org/x", "not_found", NOW - timedelta(days=3), http_status=404, error="Not Found")
    alt = result("http://mirror.org/x", "ok", http_status=200)
    cache.record(
        {"a": ["http://a.org/old"], "b": ["http://b.org/x", "http://mirror.org/x"]}, [moved, dead, alt]
    )
    cache.save()
    assert cache.path == locations.link_cache_file(folder)

    again = LinkStatusCache.load(folder)
    assert again.notices == []
    assert again.get("a") == moved
    assert again.get("b") == dead
    assert again.results_for("b") == [dead, alt]
    assert again.status_map() == {"a": "ok", "b": "dead"}
    assert again.last_checked() == NOW
    assert len(again) == 2
    assert again.get("b").age_text(NOW) == "3 days ago"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff garbage",
        b'{"version": 1, "resources": {"a": ["http://a.org/"]}, "links": {"http://a.org/": {"stat',
        b"[1, 2, 3]",
        b'{"version": 99, "resources": {}, "links": {}}',
        b'{"version": 1, "resources": {"a": "http://a.org/"}, "links": {}}',
        b'{"version": 1, "resources": {}, "links": {"u": {"url": "u", "status": "fine", "checked_at": "x"}}}',
        b'{"version": 1, "resources": {}, "links": {"u": {"url": "u", "status": "ok", "checked_at": "x"}}}',
    ],
)
def test_a_damaged_cache_is_ignored_with_a_notice_and_rewritten(tmp_path: Path, content: bytes) -> None:
    folder = catalogue(tmp_path)
    path = locations.link_cache_file(folder)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    cache = LinkStatusCache.load(folder)
    assert cache.get("a") is None
    assert len(cache.notices) == 1
    assert str(path) in cache.notices[0]
    assert "ctdc links check" in cache.notices[0]
    cache.record({"a": ["http://a.org/"]}, [result("http://a.org/")])
    cache.save()
    repaired = LinkStatusCache.load(folder)
    assert repaired.notices == []
    assert repaired.status_map() == {"a": "ok"}


def test_an_unreadable_cache_is_a_notice_not_a_crash(tmp_path: Path) -> None:
    folder = catalogue(tmp_path)
    path = locations.link_cache_file(folder)
    path.mkdir(parents=True)  # a folder where the file should be
    cache = LinkStatusCache.load(folder)
    assert cache.status_map() == {}
    assert len(cache.notices) == 1
    with pytest.raises(CtdcError) as raised:
        cache.save()
    assert str(path) in raised.value.message
    assert raised.value.hint


def test_an_edited_link_is_not_judged_by_its_old_address(tmp_path: Path) -> None:
    cache = LinkStatusCache.load(catalogue(tmp_path))
    cache.record(
        {"a": ["http://old.org/"], "b": ["http://b.org/"]},
        [result("http://old.org/", "not_found"), result("http://b.org/")],
    )
    assert cache.status_map() == {"a": "dead", "b": "ok"}
    assert cache.status_map({"a": "https://new.org/", "b": "http://b.org/"}) == {"b": "ok"}
    assert cache.get_url("https://new.org/") is None


def test_each_catalogue_has_its_own_cache(tmp_path: Path) -> None:
    first, second = catalogue(tmp_path, "one"), catalogue(tmp_path, "two")
    cache = LinkStatusCache.load(first)
    cache.record({"a": ["http://a.org/"]}, [result("http://a.org/", "not_found")])
    cache.save()
    other = LinkStatusCache.load(second)
    assert other.path != cache.path
    assert other.get("a") is None
    other.record({"a": ["http://a.org/"]}, [result("http://a.org/", "ok")])
    other.save()
    assert LinkStatusCache.load(first).status_map() == {"a": "dead"}
    assert LinkStatusCache.load(second).status_map() == {"a": "ok"}


def test_saves_from_two_holders_merge_and_newer_results_win(tmp_path: Path) -> None:
    folder = catalogue(tmp_path)
    app_side, cli_side = LinkStatusCache.load(folder), LinkStatusCache.load(folder)
    cli_side.record(
        {"a": ["http://a.org/"], "b": ["http://b.org/"]},
        [result("http://a.org/", "not_found", NOW), result("http://b.org/", "ok", NOW)],
    )
    cli_side.save()
    app_side.record({"a": ["http://a.org/"]}, [result("http://a.org/", "timeout", NOW - timedelta(hours=1))])
    app_side.record({"c": ["http://c.org/"]}, [result("http://c.org/", "ok", NOW)])
    app_side.save()
    merged = LinkStatusCache.load(folder)
    assert merged.status_map() == {"a": "dead", "b": "ok", "c": "ok"}
    assert merged.get("a").status == "not_found"  # type: ignore[union-attr]  # the newer result
    assert app_side.get("b") is not None  # the holder sees what the other saved


def test_a_save_notices_a_file_rewritten_since_it_was_read(tmp_path: Path) -> None:
    folder = catalogue(tmp_path)
    first = LinkStatusCache.load(folder)
    first.record({"a": ["http://a.org/"]}, [result("http://a.org/")])
    first.save()
    one, two = LinkStatusCache.load(folder), LinkStatusCache.load(folder)
    one.record({"b": ["http://b.org/"]}, [result("http://b.org/")])
    one.save()
    two.record({"c": ["http://c.org/"]}, [result("http://c.org/")])
    two.save()  # must merge what `one` wrote after `two` read the file
    assert LinkStatusCache.load(folder).status_map() == {"a": "ok", "b": "ok", "c": "ok"}


def test_the_file_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = catalogue(tmp_path)
    cache = LinkStatusCache.load(folder)
    cache.record({"a": ["http://a.org/"]}, [result("http://a.org/")])
    cache.save()
    before = cache.path.read_bytes()  # type: ignore[union-attr]

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ctdc_tui.core.fsutil.os.replace", fail)
    cache.record({"b": ["http://b.org/"]}, [result("http://b.org/")])
    with pytest.raises(CtdcError, match="No space left"):
        cache.save()
    assert cache.path.read_bytes() == before  # type: ignore[union-attr]
    assert [p.name for p in cache.path.parent.iterdir()] == [cache.path.name]  # type: ignore[union-attr]
    assert json.loads(before)["version"] == 1


def test_resource_urls_keeps_order_and_drops_repeats_and_blanks() -> None:
    assert resource_urls("http://a.org/", ["", "http://b.org/", "http://a.org/", " http://c.org/ "]) == (
        "http://a.org/",
        "http://b.org/",
        "http://c.org/",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.livingcities.org/resources", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("http://", False),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("data:text/html,<script>", False),
        ("mailto:a@b.org", False),
        ("ftp://ftp.example.org/", False),
        ("//example.org/x", False),
        ("http://exa mple.org/", False),
        ("http://example.org/\x1b[2J", False),
        (" http://example.org/", False),
        ("", False),
    ],
)
def test_only_http_and_https_are_openable(url: str, expected: bool) -> None:
    assert is_openable(url) is expected
    assert (archived_url(url) is not None) is expected


@settings(max_examples=200)
@given(st.text())
def test_openable_text_always_starts_with_a_web_scheme(text: str) -> None:
    if is_openable(text):
        assert text.lower().startswith(("http://", "https://"))


def test_archived_url_points_at_the_wayback_machine() -> None:
    assert archived_url("https://ex.org/a?b=1#part") == "https://web.archive.org/web/https://ex.org/a?b=1"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59), "59 minutes ago"),
        (timedelta(hours=2), "2 hours ago"),
        (timedelta(days=1, hours=3), "1 day ago"),
        (timedelta(days=45), "1 month ago"),
        (timedelta(days=800), "2 years ago"),
        (timedelta(seconds=-30), "just now"),
    ],
)
def test_describe_age(delta: timedelta, text: str) -> None:
    assert describe_age(NOW - delta, NOW) == text
