"""Link health in the app: marks with their age, places to try for a dead link, re-checking, is:dead.

Every address is on 127.0.0.1 (``tests/link_server.py``) or never fetched:
these tests never touch the internet.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ctdc_tui.core import locations
from ctdc_tui.core.link_status import LinkResult, LinkStatusCache
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.detail import DetailPane, LinkChoiceList
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.rows import DEAD_MARK, OLD_DEAD_MARK
from ctdc_tui.tui.widgets.sidebar import ALL

from ..link_server import LocalSite, silent_server
from .conftest import resource, settle, write_catalogue

SIZE = (140, 40)


def catalogue(folder: Path, urls: dict[str, str], alternates: dict[str, list[str]] | None = None) -> Path:
    alternates = alternates or {}
    items = [
        resource(rid, f"Resource {rid}", url=url, alternate_urls=alternates.get(rid, []))
        for rid, url in urls.items()
    ]
    return write_catalogue(folder, [{"id": "things", "name": "Things", "resources": items}])


def seed_cache(folder: Path, entries: dict[str, tuple[str, str, datetime, int | None]]) -> None:
    """Write the link cache (under CTDC_HOME) as `ctdc links check` would: id -> (url, status, when, code)."""
    cache = LinkStatusCache.load(folder)
    cache.record(
        {rid: [url] for rid, (url, _s, _w, _c) in entries.items()},
        [LinkResult(url, status, when, http_status=code) for url, status, when, code in entries.values()],  # type: ignore[arg-type]
    )
    cache.save()
    assert locations.link_cache_file(folder).exists()


def marks_by_id(app: CtdcApp) -> dict[str, str]:
    rows = app.rows
    assert rows is not None
    return {rows.row(i).id: rows.row(i).marks for i in range(len(rows))}


def detail(app: CtdcApp) -> DetailPane:
    return app.query_one(DetailPane)


def messages(app: CtdcApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def select(pilot: object, app: CtdcApp, resource_id: str) -> None:
    assert app.query_one(ResourceList).select_id(resource_id)
    await settle(pilot)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(CtdcApp, "open_url", lambda self, url, new_tab=True: urls.append(url))
    return urls


async def test_marks_and_detail_say_the_status_and_how_old_it_is(tmp_path: Path, opened: list[str]) -> None:
    now = datetime.now(UTC)
    folder = catalogue(
        tmp_path / "cat",
        {
            "dead-new": "https://example.org/dead-new",
            "dead-old": "https://example.org/dead-old",
            "works": "https://example.org/works",
            "unchecked": "https://example.org/unchecked",
        },
        {"dead-new": ["https://mirror.example.org/dead-new"]},
    )
    seed_cache(
        folder,
        {
            "dead-new": ("https://example.org/dead-new", "not_found", now - timedelta(days=3), 404),
            "dead-old": ("https://example.org/dead-old", "server_error", now - timedelta(days=90), 500),
            "works": ("https://example.org/works", "ok", now, 200),
        },
    )
    app = CtdcApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.show_view(ALL)
        await settle(pilot)
        marks = marks_by_id(app)
        assert marks["dead-new"] == DEAD_MARK
        assert marks["dead-old"] == OLD_DEAD_MARK  # dead at a check long ago: the weaker mark
        assert marks["works"] == "" and marks["unchecked"] == ""

        await select(pilot, app, "dead-new")
        assert detail(app).view.link_status == "dead: not found (HTTP 404), checked 3 days ago"
        await select(pilot, app, "dead-old")
        assert detail(app).view.link_status == "dead: server error (HTTP 500), checked 3 months ago"
        await select(pilot, app, "works")
        assert detail(app).view.link_status == "works, checked just now"
        assert detail(app).link_choices == []  # a working link needs no alternatives
        await select(pilot, app, "unchecked")
        assert detail(app).view.link_status == "not checked yet"

        # A dead link: the alternate and the archived copy are offered, and the keyboard reaches them.
        await select(pilot, app, "dead-new")
        choices = detail(app).link_choices
        assert [c.url for c in choices] == [
            "https://mirror.example.org/dead-new",
            "https://web.archive.org/web/https://example.org/dead-new",
        ]
        assert "(a)" in choices[1].label
        choice_list = app.query_one(LinkChoiceList)
        assert choice_list.display and choice_list.option_count == 2
        await pilot.press("l")  # list -> detail pane
        await settle(pilot)
        await pilot.press("tab")  # detail pane -> its places to try
        await settle(pilot)
        assert app.focused is choice_list
        await pilot.press("j", "enter")
        await settle(pilot)
        assert opened == ["https://web.archive.org/web/https://example.org/dead-new"]
        await pilot.press("k", "enter")
        await settle(pilot)
        assert opened[-1] == "https://mirror.example.org/dead-new"
        await pilot.press("a")  # the archive key works from anywhere
        await settle(pilot)
        assert opened[-1] == "https://web.archive.org/web/https://example.org/dead-new"


async def test_status_filter_in_the_search_box(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    folder = catalogue(
        tmp_path / "cat",
        {
            "a-dead": "https://example.org/a",
            "b-ok": "https://example.org/b",
            "c-never": "https://example.org/c",
        },
    )
    seed_cache(
        folder,
        {
            "a-dead": ("https://example.org/a", "dns", now, None),
            "b-ok": ("https://example.org/b", "moved", now, 301),
        },
    )
    app = CtdcApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for query, expected in (("is:dead", ["a-dead"]), ("is:ok", ["b-ok"])):
            app.set_query(query)
            await settle(pilot)
            assert sorted(marks_by_id(app)) == expected, query
        app.set_query("")
        await settle(pilot)
        assert sorted(marks_by_id(app)) == ["a-dead", "b-ok", "c-never"]


async def test_recheck_finds_a_dead_link_saves_it_and_updates_marks_and_filter(tmp_path: Path) -> None:
    with LocalSite() as site:
        folder = catalogue(
            tmp_path / "cat",
            {"broken": site.url("/missing"), "fine": site.url("/ok"), "moved": site.url("/chain/1")},
            {"broken": [site.url("/ok")]},
        )
        app = CtdcApp(folder)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await select(pilot, app, "broken")
            assert detail(app).view.link_status == "not checked yet"
            assert "app.recheck_link" in {b.id for b in CtdcApp.BINDINGS if hasattr(b, "id")}
            await pilot.press("L")
            await settle(pilot)
            assert ("HEAD", "/missing") in {(m, p) for m, p, _ in site.requests}
            assert marks_by_id(app)["broken"] == DEAD_MARK
            assert detail(app).view.link_status == "dead: not found (HTTP 404), checked just now"
            # the alternate was checked too, and is offered with its status
            assert detail(app).link_choices[0].url == site.url("/ok")
            assert detail(app).link_choices[0].label.startswith("Also at (ok, checked")
            assert "not found" in messages(app)

            await select(pilot, app, "moved")
            await pilot.press("L")
            await settle(pilot)
            assert detail(app).view.link_status.startswith("works: moved permanently")
            assert [c.url for c in detail(app).link_choices] == [site.url("/ok")]

            app.set_query("is:dead")
            await settle(pilot)
            assert list(marks_by_id(app)) == ["broken"]
            app.set_query("is:ok")
            await settle(pilot)
            assert list(marks_by_id(app)) == ["moved"]

        # the results were saved where `ctdc links check` keeps them, and a new app shows them
        saved = json.loads(locations.link_cache_file(folder).read_text(encoding="utf-8"))
        assert saved["links"][site.url("/missing")]["status"] == "not_found"
        assert saved["links"][site.url("/ok")]["status"] == "ok"
        again = CtdcApp(folder)
        async with again.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert marks_by_id(again)["broken"] == DEAD_MARK


async def test_recheck_runs_in_a_worker_and_keeps_the_old_status_when_the_network_looks_down(
    tmp_path: Path,
) -> None:
    with silent_server() as never:
        folder = catalogue(tmp_path / "cat", {"quiet": never, "other": "https://example.org/other"})
        seed_cache(folder, {"quiet": (never, "ok", datetime.now(UTC) - timedelta(days=2), 200)})
        app = CtdcApp(folder)
        app.link_check_timeout = 1.5
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await select(pilot, app, "quiet")
            assert detail(app).view.link_status == "works, checked 2 days ago"
            await pilot.press("L")
            await pilot.pause()
            # the check is still running, and the interface answers keys meanwhile
            assert any(w.group == "links" and not w.is_finished for w in app.workers)
            assert "checking again now" in (detail(app).view.link_status or "")
            started = app.query_one(ResourceList).cursor
            await pilot.press("j")
            await pilot.pause()
            assert app.query_one(ResourceList).cursor != started
            await settle(pilot)
            assert "network looks down" in messages(app)
            await select(pilot, app, "quiet")
            assert detail(app).view.link_status == "works, checked 2 days ago"  # the old status was kept
            assert marks_by_id(app)["quiet"] == ""


async def test_palette_command_re_checks_the_current_link(tmp_path: Path) -> None:
    from textual.command import CommandPalette

    from .palette_support import wait_for_hits, wait_until

    with LocalSite() as site:
        folder = catalogue(tmp_path / "cat", {"gone": site.url("/gone")})
        app = CtdcApp(folder)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            assert await wait_until(pilot, lambda: CommandPalette.is_open(app))
            await pilot.press(*"re-check")
            hits = await wait_for_hits(pilot, app)
            assert hits[0].startswith("Re-check this link")
            await pilot.press("enter")
            await settle(pilot)
            assert site.methods("/gone")  # the local server was asked
            assert marks_by_id(app)["gone"] == DEAD_MARK
            assert detail(app).view.link_status == "dead: not found (HTTP 410), checked just now"


async def _until(pilot: object, condition: object, what: str) -> None:
    for _ in range(400):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.025)  # type: ignore[attr-defined]
    raise AssertionError(f"timed out waiting until {what}")


@pytest.mark.parametrize("check_ends", ["before the index opens", "after the index opens"])
async def test_recheck_while_the_index_is_opening_shows_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check_ends: str
) -> None:
    """L pressed while the app is still opening: its result shows without a restart, whichever
    of the check and the index finishes first. The opening reads the link cache before the
    check saves to it, and hands the index over when ``index_go`` is set."""
    import threading

    from ctdc_tui.core import links
    from ctdc_tui.tui import app as app_module

    real_run, real_check = app_module._Opening.run, links.check_resources
    index_go, check_go = threading.Event(), threading.Event()

    def slow_run(self):  # type: ignore[no-untyped-def]
        real_run(self)  # the index is open and the link cache read
        index_go.wait(20)

    def slow_check(*args, **kwargs):  # type: ignore[no-untyped-def]
        check_go.wait(20)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(app_module._Opening, "run", slow_run)
    monkeypatch.setattr(links, "check_resources", slow_check)
    with LocalSite() as site:
        folder = catalogue(tmp_path / "cat", {"fine": site.url("/ok"), "broken": site.url("/missing")})
        app = CtdcApp(folder)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await _until(pilot, lambda: app.browsing_early and app.rows is not None, "browsing early")
            await select_early(pilot, app, "broken")
            await pilot.press("L")
            await pilot.pause()
            assert "broken" in app.checking_links
            first, second = (check_go, index_go) if check_ends.startswith("before") else (index_go, check_go)
            first.set()
            if first is check_go:
                await _until(pilot, lambda: "broken" not in app.checking_links, "the check ended")
                assert marks_by_id(app)["broken"] == DEAD_MARK  # shown while still opening
            else:
                await _until(pilot, lambda: not app.browsing_early, "the index opened")
            second.set()
            await _until(
                pilot,
                lambda: not app.browsing_early and "broken" not in app.checking_links,
                "the check ended and the index opened",
            )
            await settle(pilot)
            await select(pilot, app, "broken")
            assert marks_by_id(app)["broken"] == DEAD_MARK
            assert detail(app).view.link_status == "dead: not found (HTTP 404), checked just now"
            app.set_query("is:dead")
            await settle(pilot)
            assert list(marks_by_id(app)) == ["broken"]


async def select_early(pilot: object, app: CtdcApp, resource_id: str) -> None:
    assert app.query_one(ResourceList).select_id(resource_id)
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
