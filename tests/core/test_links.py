"""Link checking against servers on 127.0.0.1 started here; never the internet."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ctdc_tui import __version__
from ctdc_tui.core import links
from ctdc_tui.core.catalog import Resource
from ctdc_tui.core.links import LinkResult, check_links, check_one, check_resources, looks_offline
from tests.link_server import LocalSite, closed_port, silent_server


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as server:
        yield server


def by_url(results: list[LinkResult]) -> dict[str, LinkResult]:
    return {r.url: r for r in results}


def test_each_kind_of_answer_is_classified(site: LocalSite) -> None:
    paths = [
        "/ok",
        "/chain/1",
        "/temp",
        "/temp-to-missing",
        "/missing",
        "/gone",
        "/boom",
        "/forbidden",
        "/loop",
    ]
    got = by_url(check_links([site.url(p) for p in paths], timeout=3))
    ok = got[site.url("/ok")]
    assert (ok.status, ok.http_status, ok.final_url, ok.redirects, ok.health) == ("ok", 200, None, (), "ok")

    chain = got[site.url("/chain/1")]
    assert chain.status == "moved"
    assert chain.final_url == site.url("/ok")
    assert chain.redirects == ((site.url("/chain/1"), 301), (site.url("/chain/2"), 301))
    assert chain.health == "ok"

    temp = got[site.url("/temp")]
    assert (temp.status, temp.final_url, temp.redirects) == (
        "redirected",
        site.url("/ok"),
        ((site.url("/temp"), 302),),
    )

    to_missing = got[site.url("/temp-to-missing")]
    assert (to_missing.status, to_missing.http_status, to_missing.final_url) == (
        "not_found",
        404,
        site.url("/missing"),
    )
    assert got[site.url("/missing")].status == "not_found"
    assert got[site.url("/missing")].health == "dead"
    assert (got[site.url("/gone")].status, got[site.url("/gone")].http_status) == ("not_found", 410)
    assert (got[site.url("/boom")].status, got[site.url("/boom")].http_status) == ("server_error", 500)
    assert got[site.url("/forbidden")].status == "client_error"
    assert got[site.url("/forbidden")].health == "unknown"
    loop = got[site.url("/loop")]
    assert loop.status == "error"
    assert "redirects" in loop.error
    assert all(r.answered for r in got.values())


@pytest.mark.parametrize("path", ["/to-script", "/to-file"])
def test_a_redirect_to_a_non_web_address_is_not_followed(site: LocalSite, path: str) -> None:
    result = check_one(site.url(path), timeout=3)
    assert result.status == "error"
    assert result.health == "dead"
    assert "not a usable web address" in result.error


@pytest.mark.parametrize("path", ["/nohead", "/nohead501"])
def test_a_server_that_refuses_head_is_asked_with_get(site: LocalSite, path: str) -> None:
    result = check_one(site.url(path), timeout=3)
    assert (result.status, result.http_status, result.method) == ("ok", 200, "GET")
    assert site.methods(path) == ["HEAD", "GET"]


def test_head_is_enough_when_it_works(site: LocalSite) -> None:
    result = check_one(site.url("/ok"), timeout=3)
    assert result.method == "HEAD"
    assert site.methods("/ok") == ["HEAD"]


def test_user_agent_names_the_project_and_version(site: LocalSite) -> None:
    check_one(site.url("/ok"), timeout=3)
    agents = {ua for _m, _p, ua in site.requests}
    assert agents == {links.USER_AGENT}
    assert f"ctdc-tui/{__version__}" in links.USER_AGENT


def test_a_server_that_never_answers_times_out_within_the_timeout() -> None:
    with silent_server() as url:
        started = time.monotonic()
        result = check_one(url, timeout=0.5)
        took = time.monotonic() - started
    assert result.status == "timeout"
    assert result.health == "dead"
    assert not result.answered
    assert took < 2.0
    assert "0.5" in result.error


def test_dns_failure_for_a_name_that_never_resolves() -> None:
    result = check_one("http://ctdc-link-test.invalid/page", timeout=2)
    assert result.status == "dns"
    assert result.label == "DNS failure"
    assert "resolve" in result.error


def test_refused_connection_is_unreachable() -> None:
    result = check_one(f"http://127.0.0.1:{closed_port()}/", timeout=2)
    assert (result.status, result.error) == ("unreachable", "connection refused")
    assert result.answered  # a refusal means the network itself works


def test_tls_error_when_the_secure_handshake_fails(site: LocalSite) -> None:
    # a plain-HTTP server cannot complete a TLS handshake
    result = check_one(f"https://127.0.0.1:{site.port}/ok", timeout=2)
    assert result.status == "tls"
    assert result.label == "TLS error"


@pytest.mark.parametrize(
    "url",
    ["mailto:someone@example.org", "javascript:alert(1)", "file:///etc/passwd", "ftp://x.org/a", "", "x"],
)
def test_non_web_addresses_are_not_checked(url: str) -> None:
    result = check_one(url, timeout=1)
    assert result.status == "not_checked"
    assert result.health == "unknown"
    assert result.error


def test_concurrency_is_honoured_and_used(site: LocalSite) -> None:
    urls = [site.url(f"/slow?{i}") for i in range(6)]
    started = time.monotonic()
    results = check_links(urls, concurrency=3, timeout=3)
    took = time.monotonic() - started
    assert [r.status for r in results] == ["ok"] * 6
    assert site.max_in_flight <= 3
    assert site.max_in_flight >= 2
    assert took < 6 * 0.2  # faster than one at a time


def test_no_host_gets_more_than_its_share_and_hosts_are_taken_in_turn(site: LocalSite) -> None:
    with LocalSite() as other:
        # a catalogue lists one site's links together: all of the first host, then the other
        urls = [site.url(f"/slow?{i}") for i in range(10)] + [other.url(f"/slow?{i}") for i in range(10)]
        results = check_links(urls, concurrency=8, timeout=3)
    assert [r.status for r in results] == ["ok"] * 20
    assert site.max_in_flight <= links.PER_HOST_LIMIT
    assert other.max_in_flight <= links.PER_HOST_LIMIT
    # the second host did not wait for the first host's queue: both started together
    assert abs(other.arrivals[0] - site.arrivals[0]) < 0.15


def test_duplicates_are_checked_once_and_order_is_kept(site: LocalSite) -> None:
    urls = [site.url("/missing"), site.url("/ok"), site.url("/missing")]
    seen: list[tuple[int, int]] = []
    results = check_links(urls, timeout=3, progress=lambda done, total, _r: seen.append((done, total)))
    assert [r.url for r in results] == urls
    assert [r.status for r in results] == ["not_found", "ok", "not_found"]
    assert len(site.methods("/missing")) == 2  # HEAD then GET, once
    assert seen == [(1, 2), (2, 2)]


def test_check_resources_covers_alternates_and_maps_back(site: LocalSite) -> None:
    resources = [
        Resource(
            id="a", title="A", url=site.url("/missing"), category="c", alternate_urls=(site.url("/ok"),)
        ),
        Resource(id="b", title="B", url=site.url("/ok"), category="c"),
    ]
    report = check_resources(resources, timeout=3)
    assert report.resources == {"a": (site.url("/missing"), site.url("/ok")), "b": (site.url("/ok"),)}
    assert report.main_result("a") is not None
    assert report.main_result("a").status == "not_found"  # type: ignore[union-attr]
    assert report.counts == {"not_found": 1, "ok": 1}
    assert not report.network_down


def test_everything_unanswered_looks_offline_and_ends_in_time() -> None:
    with silent_server() as first, silent_server() as second:
        resources = [
            Resource(id="a", title="A", url=first, category="c"),
            Resource(id="b", title="B", url=second + "?x", category="c", alternate_urls=("mailto:x@y.org",)),
        ]
        started = time.monotonic()
        report = check_resources(resources, timeout=0.5)
        took = time.monotonic() - started
    assert report.network_down
    assert took < 2.0
    assert report.counts == {"timeout": 2, "not_checked": 1}


def _result(
    status: links.LinkStatus, answered: bool, host: str = "x.org", code: int | None = None
) -> LinkResult:
    return LinkResult(
        url=f"http://{host}/",
        status=status,
        checked_at=datetime.now(UTC),
        answered=answered,
        http_status=code,
    )


def test_looks_offline_needs_every_tried_link_to_fail_without_an_http_answer() -> None:
    assert looks_offline([_result("timeout", False), _result("dns", False)])
    assert not looks_offline([_result("timeout", False), _result("not_found", True, code=404)])
    assert not looks_offline([_result("dns", True)])  # "no such name" came from a working resolver
    assert not looks_offline([_result("unreachable", True, "a.org"), _result("dns", True, "b.org")])
    assert not looks_offline([_result("not_checked", False)])  # nothing was tried
    assert not looks_offline([])
    # every host of several failing, none answering over HTTP: the fault is on this side
    assert looks_offline([_result("dns", True, host) for host in ("a.org", "b.org", "c.org")])
    assert not looks_offline(
        [_result("dns", True, h) for h in ("a.org", "b.org")] + [_result("ok", True, code=200)]
    )


def test_ctrl_c_during_a_check_raises_with_the_links_checked_so_far(site: LocalSite) -> None:
    import signal

    paths = ["/ok", "/missing", "/boom", "/gone", "/temp", "/forbidden"]
    resources = [Resource(id=f"r{n}", title="R", url=site.url(p), category="c") for n, p in enumerate(paths)]
    seen: list[str] = []

    def progress(done: int, total: int, result: LinkResult) -> None:
        seen.append(result.url)
        if done == 2:
            signal.raise_signal(signal.SIGINT)  # as Ctrl+C does: asyncio's runner cancels the check

    with pytest.raises(links.CheckInterrupted) as caught:
        check_resources(resources, concurrency=1, timeout=3, progress=progress)
    assert isinstance(caught.value, KeyboardInterrupt)  # callers that know nothing of it still stop
    report = caught.value.report
    assert report.interrupted and report.total == len(paths)
    assert 2 <= len(seen) < len(paths)
    assert set(report.results) == set(seen)
    checked = {r.id for r in resources if r.url in seen}
    assert set(report.resources) == checked  # only resources whose main link was checked
    assert sum(report.counts.values()) == len(seen)
