"""``ctdc links check`` / ``ctdc links status`` against servers on 127.0.0.1; never the internet."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from ctdc_tui.cli import main
from ctdc_tui.cli.link_cmds import ProgressBar
from ctdc_tui.core import locations
from ctdc_tui.core.link_status import LinkResult, LinkStatusCache
from tests.link_server import LocalSite, silent_server


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CTDC_DATA", raising=False)
    return tmp_path / "home"


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as server:
        yield server


def resource(rid: str, url: str, *alternates: str) -> dict[str, object]:
    return {
        "id": rid,
        "title": f"Resource {rid}",
        "organizations": ["Test Org"],
        "year": 2018,
        "url": url,
        **({"alternate_urls": list(alternates)} if alternates else {}),
        "kind": "guide",
        "tags": ["testing"],
        "description": f"A resource used to test link checking ({rid}).",
    }


def write_catalogue(folder: Path, categories: dict[str, list[dict[str, object]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"title": "Link test catalogue", "description": "For link tests.", "categories": list(categories)}
    (folder / "catalog.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    for cid, resources in categories.items():
        doc = {"category": {"id": cid, "name": f"Category {cid}", "summary": "Test."}, "resources": resources}
        (folder / f"{cid}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture
def catalogue(tmp_path: Path, site: LocalSite) -> Path:
    return write_catalogue(
        tmp_path / "cat",
        {
            "mixed": [
                resource("works", site.url("/ok")),
                resource("moved-away", site.url("/chain/1")),
                resource("gone-missing", site.url("/missing"), site.url("/nohead")),
                resource("broken-server", site.url("/boom")),
            ],
            "healthy": [resource("fine", site.url("/ok")), resource("picky", site.url("/nohead"))],
            "nowhere": [resource("no-such-host", "http://ctdc-link-test.invalid/page")],
        },
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_prints_a_summary_saves_the_cache_and_fails_on_dead_links(
    capsys: pytest.CaptureFixture[str], catalogue: Path, site: LocalSite
) -> None:
    code, out, err = run(capsys, "links", "check", "--data", str(catalogue), "--timeout", "3")
    assert code == 1, err
    assert "Checked 6 links of 7 resources" in out
    for label in ("ok", "moved permanently", "not found", "server error", "DNS failure"):
        assert f"  {label} " in out
    assert "gone-missing: not found (HTTP 404)" in out
    assert f"archived copy: https://web.archive.org/web/{site.url('/missing')}" in out
    assert f"now at {site.url('/ok')} (update the catalogue)" in out
    assert "Saved to" in out

    cache = LinkStatusCache.load(catalogue)
    assert cache.status_map() == {
        "works": "ok",
        "moved-away": "ok",
        "gone-missing": "dead",
        "broken-server": "dead",
        "fine": "ok",
        "picky": "ok",
        "no-such-host": "dead",
    }
    assert [r.status for r in cache.results_for("gone-missing")] == ["not_found", "ok"]


def test_check_json_is_complete_and_parseable(
    capsys: pytest.CaptureFixture[str], catalogue: Path, site: LocalSite
) -> None:
    code, out, _err = run(capsys, "links", "check", "--data", str(catalogue), "--json", "--concurrency", "2")
    assert code == 1
    data = json.loads(out)
    assert data["version"] == 1
    assert (data["saved"], data["network_down"], data["links"], data["concurrency"]) == (True, False, 6, 2)
    assert data["counts"] == {"ok": 2, "moved": 1, "not_found": 1, "server_error": 1, "dns": 1}
    assert data["dead"] == 3
    assert data["cache"] == str(locations.link_cache_file(catalogue))
    entries = {r["id"]: r for r in data["resources"]}
    moved = entries["moved-away"]
    assert moved["health"] == "ok"
    assert moved["links"][0]["final_url"] == site.url("/ok")
    assert [hop["status"] for hop in moved["links"][0]["redirects"]] == [301, 301]
    missing = entries["gone-missing"]["links"]
    assert [link["status"] for link in missing] == ["not_found", "ok"]
    assert missing[0]["archived_url"] == "https://web.archive.org/web/" + site.url("/missing")


def test_category_option_checks_only_that_category(
    capsys: pytest.CaptureFixture[str], catalogue: Path, site: LocalSite
) -> None:
    code, out, _err = run(capsys, "links", "check", "--data", str(catalogue), "--category", "healthy")
    assert code == 0
    assert "Checked 2 links of 2 resources" in out
    assert "Needs attention" not in out
    assert {path for _m, path, _ua in site.requests} == {"/ok", "/nohead"}
    assert set(LinkStatusCache.load(catalogue).status_map()) == {"fine", "picky"}


def test_unknown_category_names_the_choices(capsys: pytest.CaptureFixture[str], catalogue: Path) -> None:
    code, _out, err = run(capsys, "links", "check", "--data", str(catalogue), "--category", "nope")
    assert code == 1
    assert "no category 'nope'" in err
    assert "mixed, healthy, nowhere" in err


def test_a_missing_catalogue_is_an_error_not_an_empty_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "links", "check", "--data", str(tmp_path / "nowhere"))
    assert code == 1
    assert out == ""
    assert "does not exist" in err
    assert "ctdc: error: no resources to check" in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--concurrency", "0", "out of range"),
        ("--concurrency", "many", "not a whole number"),
        ("--timeout", "-1", "out of range"),
        ("--timeout", "soon", "not a number"),
    ],
)
def test_bad_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], catalogue: Path, option: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["links", "check", "--data", str(catalogue), option, value])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_offline_every_link_ends_in_time_and_nothing_is_called_dead(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with silent_server() as first, silent_server() as second:
        folder = write_catalogue(
            tmp_path / "offline",
            {
                "c": [
                    resource("one", first),
                    resource("two", second, first + "?alt"),
                    resource("m", "mailto:x@y.org"),
                ]
            },
        )
        earlier = LinkStatusCache.load(folder)
        before = datetime(2026, 11, 1, tzinfo=UTC)
        earlier.record(
            {"one": [first]}, [LinkResult(url=first, status="ok", checked_at=before, answered=True)]
        )
        earlier.save()
        started = time.monotonic()
        code, out, err = run(capsys, "links", "check", "--data", str(folder), "--timeout", "0.5")
        took = time.monotonic() - started
    assert code == 1
    assert took < 3.0
    assert "network looks down" in err
    assert "timed out: 3" in err
    assert "no link was marked dead" in err
    assert "fix:" in err
    assert "Needs attention" not in out
    kept = LinkStatusCache.load(folder)
    assert kept.status_map() == {"one": "ok"}  # the earlier knowledge survives
    assert kept.get("one").checked_at == before  # type: ignore[union-attr]


def test_a_damaged_cache_is_reported_and_replaced(
    capsys: pytest.CaptureFixture[str], catalogue: Path, site: LocalSite
) -> None:
    path = locations.link_cache_file(catalogue)
    path.parent.mkdir(parents=True)
    path.write_text("{ this is not json", encoding="utf-8")
    code, _out, err = run(capsys, "links", "check", "--data", str(catalogue), "--category", "healthy")
    assert code == 0
    assert f"ctdc: note: link cache {path} is damaged" in err
    assert LinkStatusCache.load(catalogue).notices == []


def test_an_unwritable_cache_is_a_warning_and_the_report_still_prints(
    capsys: pytest.CaptureFixture[str], catalogue: Path, home: Path
) -> None:
    (home / "cache").mkdir(parents=True)
    (home / "cache" / "links").write_text("a file where a folder should be", encoding="utf-8")
    code, out, err = run(capsys, "links", "check", "--data", str(catalogue), "--category", "healthy")
    assert code == 0
    assert "Checked 2 links" in out
    assert "ctdc: warning: could not save link statuses" in err
    assert "fix:" in err


def test_status_shows_the_last_check_without_the_network(
    capsys: pytest.CaptureFixture[str], catalogue: Path
) -> None:
    code, out, _err = run(capsys, "links", "status", "--data", str(catalogue))
    assert (code, out.strip()) == (0, "No link check yet for this catalogue: run `ctdc links check`.")
    run(capsys, "links", "check", "--data", str(catalogue), "--category", "mixed")
    code, out, _err = run(capsys, "links", "status", "--data", str(catalogue))
    assert code == 0
    assert "Last link check: just now" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "not found (HTTP 404), just now" in lines["gone-missing"]
    assert "never checked" in lines["fine"]
    code, out, _err = run(
        capsys, "links", "status", "--data", str(catalogue), "--json", "--category", "mixed"
    )
    entries = {r["id"]: r for r in json.loads(out)["resources"]}
    assert entries["broken-server"]["health"] == "dead"
    assert entries["works"]["links"][0]["status"] == "ok"


def test_links_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["links"])
    assert stopped.value.code == 2


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    result = LinkResult(url="http://a.org/", status="not_found", checked_at=datetime.now(UTC))
    terminal = FakeTerminal()
    bar = ProgressBar(terminal)
    bar.update(1, 4, result)
    assert terminal.getvalue() == "\r[" + "#" * 7 + "-" * 23 + "] 1/4 links, 1 failing"
    bar.finish()
    assert terminal.getvalue().endswith("\r")
    pipe = io.StringIO()
    quiet = ProgressBar(pipe)
    quiet.update(1, 4, result)
    quiet.finish()
    assert pipe.getvalue() == ""


def test_ctrl_c_saves_the_links_checked_so_far_and_says_how_many(
    capsys: pytest.CaptureFixture[str], catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    seen: list[str] = []

    def update(self: ProgressBar, done: int, total: int, result: LinkResult) -> None:
        seen.append(result.url)
        if done == 3:
            signal.raise_signal(signal.SIGINT)  # Ctrl+C after the third link

    monkeypatch.setattr(ProgressBar, "update", update)
    code, out, err = run(capsys, "links", "check", "--data", str(catalogue), "--concurrency", "1")
    assert code == 130
    assert out == ""
    cache = LinkStatusCache.load(catalogue)
    assert not cache.notices and cache.links and set(cache.links) <= set(seen)
    assert f"interrupted: saved the {len(cache.links)} link(s) checked so far (of 6) to {cache.path}" in err
    kept = {rid for rid, urls in cache.resources.items() if urls[0] in seen}
    assert kept and set(cache.status_map()) == kept  # a resource is marked only from its own link


def test_ctrl_c_before_any_answer_saves_nothing(
    capsys: pytest.CaptureFixture[str], catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctdc_tui.core import links

    def interrupted(*args: object, **kwargs: object) -> object:
        raise links.CheckInterrupted(links.CheckReport(results={}, resources={}, interrupted=True, total=6))

    monkeypatch.setattr(links, "check_resources", interrupted)
    code, out, err = run(capsys, "links", "check", "--data", str(catalogue))
    assert code == 130 and out == ""
    assert "interrupted before any link was checked; nothing was saved" in err
    assert not locations.link_cache_file(catalogue).exists()
