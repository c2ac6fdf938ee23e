"""Where a search as you type runs: at once on the UI thread in a small catalogue, else in a worker.

In a small catalogue (at most ``SMALL_CATALOGUE`` resources) a search that cost little
last time runs inside the keystroke's own handler, so its results are drawn in the frame
that echoes the key (issue 6). It must never make the UI wait: after a costly search, or
while a worker holds the index, the search goes to the worker as before. Either way the
list, the counts and the status line end up the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from ctdc_tui.tui import app as app_module
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.sidebar import ALL, Sidebar
from ctdc_tui.tui.widgets.status import StatusLine

from .conftest import BUNDLED, settle


def recording_worker(app: CtdcApp) -> list[str]:
    """Record the query of every search handed to the worker (which still runs)."""
    queries: list[str] = []
    original = app._search_worker

    def recording(generation: int, query: str, *args: Any) -> Any:
        queries.append(query)
        return original(generation, query, *args)

    app._search_worker = recording  # type: ignore[method-assign]
    return queries


def assert_shows_search(app: CtdcApp, query: str) -> None:
    expected = app.index.search(query, limit=None, as_you_type=True)
    rows = app.query_one(ResourceList).source
    assert [rows.row(i).id for i in range(len(rows))] == [r.id for r in expected]
    assert app.results is not None and app.results.query == query
    counts = {e.key: e.count for e in app.query_one(Sidebar).entries}
    assert counts[ALL] == len(expected)
    assert {k: v for k, v in counts.items() if k in expected.facets} == dict(expected.facets)
    info = app.query_one(StatusLine).info
    assert info is not None and info.query == query and info.count == len(expected)


async def type_query(pilot: Any, text: str) -> None:
    await pilot.press("slash")
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def test_a_small_catalogue_is_searched_in_the_keystrokes_own_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (However slow this machine is today: the budget is the next test's subject.)
    monkeypatch.setattr(app_module, "INLINE_SEARCH_BUDGET", 10.0)
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        handed_over = recording_worker(app)
        await type_query(pilot, "data")
        # No pause for workers: the results are there as soon as the key is handled.
        assert app.results is not None and app.results.query == "data"
        await settle(pilot)
        assert handed_over == []
        assert_shows_search(app, "data")


async def test_after_a_costly_search_the_next_one_goes_to_the_worker() -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        handed_over = recording_worker(app)
        app._search_cost = app_module.INLINE_SEARCH_BUDGET * 2  # as if the last search had been slow
        await type_query(pilot, "h")
        await settle(pilot)
        assert handed_over == ["h"]
        assert_shows_search(app, "h")
        # That search was cheap: the next key is searched at once again.
        assert app._search_cost <= app_module.INLINE_SEARCH_BUDGET
        await pilot.press("i")
        await settle(pilot)
        assert handed_over == ["h"]
        assert_shows_search(app, "hi")


async def test_while_a_worker_holds_the_index_the_key_does_not_wait_for_it() -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        handed_over = recording_worker(app)
        assert app._search_lock.acquire(timeout=5)  # a count or a related lookup, say
        try:
            await type_query(pilot, "budget")
            assert app.search_text == "budget"  # every key was handled meanwhile
            assert handed_over  # the searches were queued for the worker
        finally:
            app._search_lock.release()
        await settle(pilot)
        assert handed_over[-1] == "budget"
        assert_shows_search(app, "budget")


async def test_a_large_catalogue_is_searched_in_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "SMALL_CATALOGUE", 0)  # count as if the catalogue were large
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        handed_over = recording_worker(app)
        await type_query(pilot, "open data")
        await settle(pilot)
        assert handed_over and handed_over[-1] == "open data"
        assert_shows_search(app, "open data")


async def test_searching_shows_in_the_status_line_only_when_the_search_goes_to_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Shown for a moment before the results, the longer "searching…" text could take the status
    # line to two lines and back, and each change of height lays out the whole screen.
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        status = app.query_one(StatusLine)
        shown: list[bool] = []
        original = status.show

        def spy(info: Any, **kwargs: Any) -> None:
            shown.append(info.searching)
            original(info, **kwargs)

        status.show = spy  # type: ignore[method-assign]
        monkeypatch.setattr(app_module, "INLINE_SEARCH_BUDGET", 10.0)
        await type_query(pilot, "data")
        await settle(pilot)
        assert shown and not any(shown)
        shown.clear()
        monkeypatch.setattr(app_module, "INLINE_SEARCH_BUDGET", -1.0)  # every search to the worker
        await pilot.press("s")
        await settle(pilot)
        assert shown[0] is True and shown[-1] is False  # "searching…", then the results
        assert_shows_search(app, "datas")


async def test_the_whole_word_did_you_mean_waits_until_typing_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    # The last word typed is a prefix, so the engine does not spell-check it; the app checks
    # the whole words once the keys stop: not on each key ("did you mean open?" for "ope").
    monkeypatch.setattr(app_module, "INLINE_SEARCH_BUDGET", 10.0)
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        checked: list[str] = []
        original = app._whole_word_suggestion

        def spy(query: str, results: Any) -> str | None:
            checked.append(query)
            return original(query, results)

        app._whole_word_suggestion = spy  # type: ignore[method-assign]
        await type_query(pilot, "goverment")
        assert app.results is not None and app.results.query == "goverment"  # searched at once
        assert app.suggestion is None and checked == []  # but not spell-checked yet
        await settle(pilot)
        assert checked == ["goverment"]  # once, for the query where the keys stopped
        assert app.suggestion == "government"
        assert "government" in str(app.query_one(StatusLine).render())
