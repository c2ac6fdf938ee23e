"""Pilot tests of the main screen's flows on the bundled catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.detail import DetailPane, RelatedList
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.sidebar import ALL, Sidebar
from ctdc_tui.tui.widgets.status import StatusLine

from .conftest import BUNDLED, settle


def make_app(resource_id: str | None = None) -> CtdcApp:
    return CtdcApp(BUNDLED, None, resource_id)


def shown_ids(app: CtdcApp) -> list[str]:
    rows = app.rows
    assert rows is not None
    return [rows.row(i).id for i in range(len(rows))]


def body_text(app: CtdcApp) -> str:
    import io

    from rich.console import Console

    from ctdc_tui.tui.widgets.detail import render_detail

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(render_detail(app.query_one(DetailPane).view))
    return console.export_text()


async def search(pilot, text: str) -> None:
    await pilot.press("slash")
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    await settle(pilot)


async def test_starts_on_first_category_first_resource() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first = app.index.catalogue.categories[0]
        assert app.view_key == first.id
        assert app.current_id() == first.resource_ids[0]
        assert app.focused is app.query_one(ResourceList)
        assert first.resource_ids[0] and app.query_one(DetailPane).view.resource.id == first.resource_ids[0]
        entries = app.query_one(Sidebar).entries
        assert entries[0].key == ALL and entries[-1].name == "Bookmarks"
        assert [e.name for e in entries[1:-1]] == [c.name for c in app.index.catalogue.categories]
        assert entries[0].count == 15


async def test_search_as_you_type_updates_list_facets_and_status() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await search(pilot, "hiring")
        assert app.focused is app.query_one(Input)
        assert app.view_key == ALL  # a search looks across the catalogue; facets say where
        ids = shown_ids(app)
        assert "ten-hacks-from-code-for-america-to-help-you-hire" in ids  # ranking is the core's to test
        assert all(app.index.get(rid) is not None for rid in ids)
        counts = {e.key: e.count for e in app.query_one(Sidebar).entries}
        assert counts[ALL] == len(ids)
        assert sum(v for k, v in counts.items() if k not in (ALL, "@bookmarks")) == len(ids)
        assert counts["resourcing-collaboratives"] == 0  # dimmed, not hidden
        info = app.query_one(StatusLine).info
        assert info is not None and info.query == "hiring" and info.count == len(ids)
        # matched words are highlighted in the detail title
        app.query_one(ResourceList).select_id("ten-hacks-from-code-for-america-to-help-you-hire")
        await settle(pilot)
        view = app.query_one(DetailPane).view
        marked = [view.resource.title[a:b] for a, b in view.title_spans]
        marked += [view.resource.description[a:b] for a, b in view.description_spans]
        assert marked and all(word.lower().startswith("hir") for word in marked), marked
        # Enter goes to the list, Esc (from the list) clears the search and returns to the category
        await pilot.press("enter")
        assert app.focused is app.query_one(ResourceList)
        await pilot.press("escape")
        await settle(pilot)
        assert app.search_text == "" and app.view_key == app.index.catalogue.categories[0].id


async def test_stale_search_results_are_dropped() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        stale = app.index.search("budget")
        app.generation += 1
        app.show_search_results(app.generation - 1, stale, {})
        assert app.results is not stale


async def test_choosing_a_category_during_search_narrows_it() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await search(pilot, "data")
        total = len(shown_ids(app))
        await pilot.press("enter", "3")
        await settle(pilot)
        narrowed = shown_ids(app)
        assert 0 < len(narrowed) < total
        assert all(app.index.get(rid).category == "mobilizing-for-collective-action" for rid in narrowed)


async def test_sort_cycles_and_orders_the_list() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        catalogue_order = shown_ids(app)
        await pilot.press("s")  # browsing: catalogue -> title
        await settle(pilot)
        titles = [app.index.get(rid).title.casefold() for rid in shown_ids(app)]
        assert app.effective_sort() == "title" and titles == sorted(titles)
        await pilot.press("s")  # -> year, newest first
        await settle(pilot)
        years = [app.index.get(rid).year or 0 for rid in shown_ids(app)]
        assert years == sorted(years, reverse=True)
        await pilot.press("s")  # -> back to catalogue order
        await settle(pilot)
        assert shown_ids(app) == catalogue_order


async def test_open_link_archive_and_refused_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(CtdcApp, "open_url", lambda self, url, new_tab=True: opened.append(url))
    app = make_app("guide-to-starting-a-local-data-intermediary")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        url = app.index.get("guide-to-starting-a-local-data-intermediary").url
        await pilot.press("o")
        await pilot.press("enter")
        await pilot.press("a")
        assert opened == [url, url, "https://web.archive.org/web/" + url]
        monkeypatch.setattr(app, "_link", lambda: ("javascript:alert(1)", "x"))
        await pilot.press("o", "a")
        assert len(opened) == 3


async def test_copy_link_and_citation() -> None:
    app = make_app("guide-to-starting-a-local-data-intermediary")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        resource = app.index.get("guide-to-starting-a-local-data-intermediary")
        await pilot.press("y")
        assert app.clipboard == resource.url
        await pilot.press("Y")
        cite = app.clipboard
        assert cite.startswith("Leah Hendey, Jake Cowan")
        assert "(2016)" in cite and resource.title in cite and cite.endswith(resource.url)
        assert "National Neighborhood Indicators Partnership" in cite and "\n" not in cite


async def test_number_keys_and_empty_category_message() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert app.view_key == "resourcing-collaboratives"
        assert shown_ids(app) == []
        text = body_text(app)
        assert "Resourcing Collaboratives has no resources yet" in text
        assert "resourcing-collaboratives.yaml" in text and "ctdc validate" in text
        assert "No resources in" in app.query_one(ResourceList).empty_message
        await pilot.press("9")  # no ninth category: a message, no crash
        await settle(pilot)
        assert app.view_key == "resourcing-collaboratives"


async def test_related_resources_can_be_followed_by_keyboard() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        related = app.query_one(DetailPane).view.related
        assert related, "the bundled resources share words, so each has related ones"
        target = related[0].id
        app.query_one(RelatedList).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_id() == target
        assert app.focused is app.query_one(ResourceList)


async def test_panes_h_l_tab() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        assert app.focused is app.query_one(Sidebar)
        await pilot.press("l", "l")
        assert app.focused is app.query_one(DetailPane)
        await pilot.press("escape")
        assert app.focused is app.query_one(ResourceList)
        await pilot.press("shift+tab")
        assert app.focused is app.query_one(Sidebar)
        assert app.query_one(Sidebar).current_key == app.index.catalogue.categories[0].id
        await pilot.press("j")  # moving in the sidebar switches the view at once
        await settle(pilot)
        assert app.view_key == app.index.catalogue.categories[1].id
        await pilot.press("k", "k")
        await settle(pilot)
        assert app.view_key == ALL and len(shown_ids(app)) == 15


async def test_help_screen_opens_and_closes() -> None:
    from ctdc_tui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_palette_goto_resource_and_category() -> None:
    from ctdc_tui.tui.messages import GotoCategory, GotoResource

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.post_message(GotoResource("ten-hacks-from-code-for-america-to-help-you-hire"))
        await settle(pilot)
        assert app.current_id() == "ten-hacks-from-code-for-america-to-help-you-hire"
        app.post_message(GotoCategory("sustaining-the-gain"))
        await settle(pilot)
        assert app.view_key == "sustaining-the-gain"
        app.post_message(GotoCategory(None))
        await settle(pilot)
        assert app.view_key == ALL
        # through the real palette: ctrl+p, type a title, enter
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "ten hacks":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_id() == "ten-hacks-from-code-for-america-to-help-you-hire"


async def test_remapped_key_from_config_file(isolated_home: Path) -> None:
    config = isolated_home / "config"
    config.mkdir()
    (config / "config.toml").write_text('[keymap]\n"app.bookmark" = "x"\n"app.nonsense" = "z"\n')
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rid = app.current_id()
        await pilot.press("b")
        assert rid not in app.bookmarked
        await pilot.press("x")
        assert rid in app.bookmarked
        messages = [n.message for n in app._notifications]
        assert any("app.nonsense" in m for m in messages), messages


async def test_bad_config_falls_back_with_a_message(isolated_home: Path) -> None:
    config = isolated_home / "config"
    config.mkdir()
    (config / "config.toml").write_text("[keymap\nbroken")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rid = app.current_id()
        await pilot.press("b")
        assert rid in app.bookmarked
        assert any("config.toml" in n.message for n in app._notifications)


async def test_deep_link_and_unknown_deep_link() -> None:
    app = make_app("ten-hacks-from-code-for-america-to-help-you-hire")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.current_id() == "ten-hacks-from-code-for-america-to-help-you-hire"
        assert app.view_key == app.index.get(app.current_id()).category
    app = make_app("no-such-thing")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.current_id() == app.index.catalogue.categories[0].resource_ids[0]
        assert any("no-such-thing" in n.message for n in app._notifications)


async def test_state_is_remembered_between_runs() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("5", "j", "s")
        await settle(pilot)
        app.theme = "gruvbox"
        chosen = app.current_id()
        await pilot.press("q")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.view_key == "sustaining-the-gain"
        assert app.current_id() == chosen
        assert app.theme == "gruvbox" and app.sort == "title"


async def test_damaged_state_file_is_ignored_with_a_notice(isolated_home: Path) -> None:
    state = isolated_home / "state"
    state.mkdir()
    (state / "state.json").write_text("{not json")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.current_id() == app.index.catalogue.categories[0].resource_ids[0]
        assert app._notifications, "the user is told the saved state was ignored"


async def test_suggestion_is_accepted_with_one_key() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await search(pilot, "goverment")
        assert app.suggestion == "government"
        suggestion = app.suggestion
        assert "government" in str(app.query_one(StatusLine).render())
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert app.query_one(Input).value == suggestion
        assert app.search_text == suggestion


async def test_keys_arriving_together_after_slash_land_in_the_search_box() -> None:
    """Over SSH "/" and the next letters often arrive in one read; none may reach the list."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key, char in [("slash", "/"), ("h", "h"), ("i", "i"), ("r", "r"), ("e", "e")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert app.query_one(Input).value == "hire"
        for key, char in [("enter", "\r"), ("j", "j")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert app.focused is app.query_one(ResourceList) and app.query_one(ResourceList).cursor == 1


async def test_link_status_from_the_last_check_marks_dead_links() -> None:
    from datetime import UTC, datetime

    from ctdc_tui.core.link_status import LinkResult, LinkStatusCache
    from ctdc_tui.tui.widgets.rows import DEAD_MARK

    dead_id = "equipt-to-innovate-framework"
    cache = LinkStatusCache.load(BUNDLED)
    checked = datetime.now(UTC)
    dead_url = "http://www.governing.com/equipt"
    ok_id = "brigade-organizer-resources"
    ok_url = "https://brigade.codeforamerica.org/resources"
    cache.record(
        {dead_id: [dead_url], ok_id: [ok_url]},
        [
            LinkResult(dead_url, "not_found", checked, http_status=404),
            LinkResult(ok_url, "ok", checked, http_status=200),
        ],
    )
    cache.save()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.current_id() == dead_id
        assert DEAD_MARK in app.rows.row(0).marks and DEAD_MARK not in app.rows.row(1).marks
        assert "404" in (app.query_one(DetailPane).view.link_status or "")
        assert "404" in body_text(app)
        await search(pilot, "is:dead")
        assert shown_ids(app) == [dead_id]


async def test_sort_cycles_during_a_search() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await search(pilot, "data")
        await pilot.press("enter")
        relevance = shown_ids(app)
        assert len(relevance) > 1 and app.effective_sort() == "relevance"
        await pilot.press("s")  # relevance -> title
        await settle(pilot)
        titles = [app.index.get(rid).title.casefold() for rid in shown_ids(app)]
        assert app.effective_sort() == "title" and sorted(shown_ids(app)) == sorted(relevance)
        assert titles == sorted(titles)
        await pilot.press("s")  # -> year, newest first
        await settle(pilot)
        years = [app.index.get(rid).year or 0 for rid in shown_ids(app)]
        assert len(years) == len(relevance) and years == sorted(years, reverse=True)
        assert app.results is not None and app.results.explanation is None


async def test_cursor_moved_while_a_search_runs_stays_put() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await search(pilot, "community")
        await pilot.press("enter", "j", "j")
        chosen = app.current_id()
        assert chosen == shown_ids(app)[2]
        # the results of the last keystroke arrive after the user moved on
        late = app.index.search("community", limit=None, as_you_type=True)
        app.show_search_results(app.generation, late, dict(late.facets))
        await settle(pilot)
        assert app.current_id() == chosen


@pytest.mark.parametrize("presses", [("s", "s"), ("s",)])
async def test_sort_is_saved_and_the_list_comes_back_in_that_order(presses: tuple[str, ...]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.show_view(ALL)  # every resource, so the order shows
        await settle(pilot)
        await pilot.press(*presses)
        await settle(pilot)
        chosen = app.sort
        assert chosen in ("title", "year")
        await pilot.press("q")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.sort == chosen and app.view_key == ALL
        source = app.query_one(ResourceList).source
        rows = [source.row(i) for i in range(len(source))]
        assert len(rows) > 10
        if chosen == "title":
            titles = [row.title.casefold() for row in rows]
            assert titles == sorted(titles)
        else:
            years = [row.year for row in rows if row.year is not None]
            assert len(set(years)) > 1
            assert years in (sorted(years), sorted(years, reverse=True))


async def test_a_search_shows_a_first_page_and_the_rest_near_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    from ctdc_tui.tui import app as app_module
    from ctdc_tui.tui import views

    monkeypatch.setattr(app_module, "SEARCH_PAGE", 2)
    monkeypatch.setattr(views, "MORE_AT_LEAST", 1)  # then 8, then 32 hits
    app = make_app()
    sizes: list[tuple[str, int]] = []
    first, more = app.show_search_results, app.show_more_results

    def on_first(generation, results, facets=None):  # type: ignore[no-untyped-def]
        sizes.append(("first", len(results)))
        first(generation, results, facets)

    def on_more(generation, results):  # type: ignore[no-untyped-def]
        sizes.append(("more", len(results)))
        more(generation, results)

    monkeypatch.setattr(app, "show_search_results", on_first)
    monkeypatch.setattr(app, "show_more_results", on_more)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        everything = app.index.search("data", limit=None, as_you_type=True)
        assert len(everything) > 2, "several bundled resources are about data"
        await search(pilot, "data")
        for _ in range(3):  # each longer part has its end on screen too: the list asks again
            await settle(pilot)
        assert sizes[-1] == ("more", len(everything))
        assert all(n <= 2 for kind, n in sizes if kind == "first")
        assert ("first", 2) in sizes  # the last keystroke's first page, then the rest
        assert shown_ids(app) == [r.id for r in everything]
        assert app.current_id() == everything[0].id
        info = app.query_one(StatusLine).info
        assert info is not None and info.count == len(everything) and not info.count_is_estimate


async def test_facet_counts_of_a_large_catalogue_follow_once_typing_pauses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ctdc_tui.tui import app as app_module

    monkeypatch.setattr(app_module, "SMALL_CATALOGUE", 0)  # count as if the catalogue were large
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await search(pilot, "data")
        assert not app.facets_pending
        counts = {e.key: e.count for e in app.query_one(Sidebar).entries}
        expected = app.index.search("data", limit=None, as_you_type=True).facets
        assert {k: v for k, v in counts.items() if k in expected} == expected
        assert counts[ALL] == sum(expected.values())


async def test_the_index_files_are_asked_of_the_os_once_the_catalogue_is_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a cold start each search waits on the disk for the pages it touches; once the
    catalogue is shown the app asks the OS to read the index in (``SearchIndex.prefetch``)."""
    from ctdc_tui.core.search import SearchIndex

    asked: list[Path | None] = []
    prefetch = SearchIndex.prefetch

    def spy(self: SearchIndex) -> int:
        asked.append(self.location)
        return prefetch(self)

    monkeypatch.setattr(SearchIndex, "prefetch", spy)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert app.index is not None
        assert asked == [app.index.location]
