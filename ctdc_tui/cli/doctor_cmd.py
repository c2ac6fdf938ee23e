"""``ctdc doctor``: what is installed, where everything lives, and what needs fixing.

Read-only by design: it never creates a folder, builds an index, moves a damaged
bookmark store aside or rewrites a cache. Every check reads; each problem comes
with the command that fixes it. Exit 0 when nothing needs the user (warnings
allowed), 1 when something does.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ctdc_tui import __version__
from ctdc_tui.cli.output import JSON_SCHEMA_VERSION, Subparsers, catalogue_path, index_dir_option, print_json
from ctdc_tui.core import locations
from ctdc_tui.core.text import printable

Severity = Literal["problem", "warning"]

# Distribution names of what ctdc-tui runs on, as ``pip`` knows them.
DISTRIBUTIONS = {
    "textual": "textual",
    "whoosh": "whoosh-reloaded",
    "pyyaml": "PyYAML",
    "httpx": "httpx",
    "platformdirs": "platformdirs",
}
LINKS_STALE_DAYS = 90
SHOWN_PROBLEMS = 5


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "doctor",
        parents=[common],
        help="check the installation, the catalogue, the index, bookmarks and config (changes nothing)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_doctor)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something that needs (``problem``) or may want (``warning``) the user's attention."""

    area: str
    severity: Severity
    message: str
    fix: str

    def to_json(self) -> dict[str, str]:
        return {"area": self.area, "severity": self.severity, "message": self.message, "fix": self.fix}


class Doctor:
    """Runs every check once and keeps the sections and the findings."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.catalogue = catalogue_path(args)
        self.index_dir = index_dir_option(args)
        self.findings: list[Finding] = []
        self.has_catalogue = (self.catalogue / "catalog.yaml").is_file()
        options = ""
        if getattr(args, "data", None):
            options += f" --data {shlex.quote(str(args.data))}"
        if self.index_dir:
            options += f" --index-dir {shlex.quote(self.index_dir)}"
        self.options = options

    def command(self, text: str) -> str:
        """A ``ctdc`` command line that acts on the same catalogue and index as this run."""
        return f"ctdc {text}{self.options}"

    def find(self, area: str, severity: Severity, message: str, fix: str) -> None:
        self.findings.append(Finding(area, severity, message, fix))

    def run(self) -> dict[str, Any]:
        return {
            "versions": self.versions(),
            "locations": self.locations(),
            "catalogue": self.catalogue_check(),
            "index": self.index_check(),
            "bookmarks": self.bookmarks_check(),
            "links": self.links_check(),
            "config": self.config_check(),
            "state": self.state_check(),
        }

    # ------------------------------------------------------------------ checks
    def versions(self) -> dict[str, str | None]:
        import importlib.metadata  # (with email and zipfile: not for every `ctdc` command)

        found: dict[str, str | None] = {"ctdc": __version__, "python": platform.python_version()}
        for name, dist in DISTRIBUTIONS.items():
            try:
                found[name] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                found[name] = None
                self.find(
                    "versions",
                    "problem",
                    f"{dist} is not installed",
                    f"python -m pip install '{dist}' (or reinstall ctdc-tui)",
                )
        return found

    def locations(self) -> dict[str, dict[str, Any]]:
        home = "set CTDC_HOME to a writable folder"
        places: dict[str, tuple[Path, str, Severity | None, str]] = {
            "catalogue": (self.catalogue, "the catalogue that is open", None, ""),
            "index": (
                locations.index_dir(self.catalogue, self.index_dir),
                "the search index of this catalogue",
                "warning",
                f"make it writable, or pass --index-dir DIR (the app falls back to {locations.cache_dir()})",
            ),
            "bookmarks": (locations.bookmarks_file(), "your bookmarks and notes", "problem", home),
            "config": (locations.config_file(), "your config file (keymap, theme)", None, ""),
            "state": (locations.state_file(), "where the app remembers your place", "warning", home),
            "cache": (
                locations.cache_dir(),
                "link-check results, and indexes of an installed copy",
                "warning",
                home,
            ),
        }
        out: dict[str, dict[str, Any]] = {}
        for name, (path, purpose, severity, fix) in places.items():
            writable = _writable(path)
            out[name] = {"path": str(path), "purpose": purpose, "exists": path.exists(), "writable": writable}
            if not writable and severity is not None:
                self.find("locations", severity, f"{path} ({purpose}) cannot be written", fix)
        return out

    def catalogue_check(self) -> dict[str, Any]:
        from ctdc_tui.core.catalog import load_catalog
        from ctdc_tui.core.errors import CtdcError

        if not self.has_catalogue:
            self.find(
                "catalogue",
                "problem",
                f"no catalogue at {self.catalogue}: catalog.yaml is missing, so nothing else about it "
                "can be checked",
                "ctdc doctor --data DIR, with the folder that holds catalog.yaml (or unset CTDC_DATA)",
            )
            return {"path": str(self.catalogue), "readable": False}
        try:
            catalog, problems = load_catalog(self.catalogue)
        except CtdcError as exc:
            self.find("catalogue", "problem", exc.message, exc.hint or self.command("validate"))
            return {"path": str(self.catalogue), "readable": False}
        errors = [p for p in problems if p.severity == "error"]
        warnings = len(problems) - len(errors)
        if errors:
            self.find(
                "catalogue",
                "problem",
                f"the catalogue has {len(errors)} error(s), and resources with errors are left out; "
                f"the first: {errors[0].format()}; the command below lists each with its file, line and fix",
                self.command("validate"),
            )
        return {
            "path": str(self.catalogue),
            "readable": True,
            "title": catalog.title,
            "resources": len(catalog),
            "categories": len(catalog.categories),
            "errors": len(errors),
            "warnings": warnings,
            "problems": [p.to_json() for p in problems[:SHOWN_PROBLEMS]],
        }

    def index_check(self) -> dict[str, Any]:
        from ctdc_tui.core.search import check_index

        if not self.has_catalogue:
            return {
                "ok": False,
                "status": "missing",
                "reason": "there is no catalogue to index",
                "rebuilding": False,
            }
        verdict = check_index(self.catalogue, self.index_dir)
        rebuilding = verdict.location is not None and index_is_being_built(verdict.location)
        status = "rebuilding" if rebuilding and verdict.status != "fresh" else verdict.status
        if status in ("missing", "stale"):
            self.find(
                "index",
                "warning",
                f"the search index is {status} ({verdict.reason}); the app builds it at start, "
                "or build it now",
                self.command("index"),
            )
        elif status == "damaged":
            self.find(
                "index",
                "problem",
                f"the search index is damaged ({verdict.reason})",
                self.command("index --rebuild"),
            )
        return {**verdict.to_json(), "status": status, "rebuilding": rebuilding}

    def bookmarks_check(self) -> dict[str, Any]:
        from ctdc_tui.core.bookmarks import check_bookmark_store  # sqlite3 only when doctor runs

        key = locations.catalogue_key(self.catalogue)
        health = check_bookmark_store(locations.bookmarks_file(), key)
        if health["status"] == "damaged":
            self.find(
                "bookmarks",
                "problem",
                f"the bookmark store is damaged ({health['reason']}); opening it moves the damaged file "
                "aside and keeps every bookmark that can still be read",
                self.command("bookmarks list"),
            )
        elif health["status"] == "newer":
            self.find(
                "bookmarks",
                "problem",
                f"the bookmark store was written by a newer ctdc-tui ({health['reason']})",
                "python -m pip install --upgrade ctdc-tui",
            )
        elif health["status"] == "unreadable":
            self.find(
                "bookmarks",
                "problem",
                f"the bookmark store cannot be read ({health['reason']})",
                f"check the permissions of {health['path']}",
            )
        return health

    def links_check(self) -> dict[str, Any]:
        from ctdc_tui.core.link_status import LinkStatusCache, describe_age

        cache = LinkStatusCache.load(self.catalogue)
        last = cache.last_checked()
        health = list(cache.status_map().values())
        for notice in cache.notices:
            self.find("links", "warning", notice, self.command("links check"))
        if last is None and not cache.notices and self.has_catalogue:
            self.find(
                "links",
                "warning",
                "the links of this catalogue were never checked, so the app shows no link marks",
                self.command("links check"),
            )
        age = (datetime.now(UTC) - last).total_seconds() if last else None
        if age is not None and age > LINKS_STALE_DAYS * 86400:
            self.find(
                "links",
                "warning",
                f"the last link check is {describe_age(last)}",  # type: ignore[arg-type]
                self.command("links check"),
            )
        return {
            "cache": str(cache.path),
            "last_checked": last.isoformat(timespec="seconds") if last else None,
            "age_seconds": int(age) if age is not None else None,
            "age": describe_age(last) if last else None,
            "checked_resources": len(health),
            "ok": health.count("ok"),
            "dead": health.count("dead"),
            "unknown": health.count("unknown"),
        }

    def config_check(self) -> dict[str, Any]:
        from ctdc_tui.core.config import load_config

        path = locations.config_file()
        _config, problems = load_config(path)
        for problem in problems:
            where = f"{path}:{problem.line}" if problem.line else str(path)
            self.find(
                "config",
                "problem" if problem.severity == "error" else "warning",
                problem.format(),
                f"edit {where}" + (f": {problem.hint}" if problem.hint else ""),
            )
        return {
            "path": str(path),
            "exists": path.exists(),
            "problems": [
                {"severity": p.severity, "line": p.line, "key": p.key, "message": p.message, "hint": p.hint}
                for p in problems
            ],
        }

    def state_check(self) -> dict[str, Any]:
        from ctdc_tui.core.state import load_state

        path = locations.state_file()
        _state, notice = load_state(path)
        if notice:
            self.find("state", "warning", notice, f"nothing to do: the app rewrites {path} when it quits")
        return {"path": str(path), "exists": path.exists(), "notice": notice}


# ------------------------------------------------------------ read-only probes
def _writable(path: Path) -> bool:
    """Could this file or folder be written (or created), judged without writing anything?"""
    path = Path(path)
    if path.exists():
        mode = os.W_OK | (os.X_OK if path.is_dir() else 0)
        if not os.access(path, mode):
            return False
        return path.is_dir() or os.access(path.parent, os.W_OK | os.X_OK)
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)


def index_is_being_built(place: Path) -> bool:
    """True while another process holds the build lock of the index at ``place``.

    The search engine takes an exclusive ``flock`` on ``.<name>.lock`` next to
    the index while it builds; asking for a shared lock without waiting tells
    whether it is held, and changes nothing.
    """
    lock = place.parent / f".{place.name}.lock"
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no flock
        return False
    try:
        handle = open(lock, "rb")  # noqa: SIM115 - closed below; never creates the file
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


# ------------------------------------------------------------------ output
def cmd_doctor(args: argparse.Namespace) -> int:
    doctor = Doctor(args)
    report = doctor.run()
    problems = [f for f in doctor.findings if f.severity == "problem"]
    code = 1 if problems else 0
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "ok": not problems,
                "exit_code": code,
                **report,
                "findings": [f.to_json() for f in doctor.findings],
            }
        )
        return code
    _print_report(report, doctor.findings)
    return code


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _print_report(report: dict[str, Any], findings: list[Finding]) -> None:
    problems = sum(1 for f in findings if f.severity == "problem")
    warnings = len(findings) - problems
    verdict = "all is well" if not findings else f"{problems} problem(s), {warnings} warning(s)"
    print(f"ctdc doctor: {verdict}")

    versions = report["versions"]
    print("\nVersions")
    print("  " + ", ".join(f"{name} {value or 'MISSING'}" for name, value in versions.items()))

    shown = {
        name: printable(place["path"], keep_newlines=False) for name, place in report["locations"].items()
    }
    width = max(len(text) for text in shown.values())
    print(f"\n{'Locations':<{width + 13}} exists  writable")
    for name, place in report["locations"].items():
        print(f"  {name:<10} {shown[name]:<{width}} {_yes(place['exists']):<7} {_yes(place['writable'])}")

    cat = report["catalogue"]
    print()
    if cat.get("readable"):
        title = printable(cat["title"], keep_newlines=False) or "(untitled)"
        print(
            f"Catalogue   {title}: {cat['resources']} resources in "
            f"{cat['categories']} categories, {cat['errors']} error(s), {cat['warnings']} warning(s)"
        )
    else:
        print("Catalogue   cannot be read")
    index = report["index"]
    count = f", {index.get('resource_count', 0)} resources" if index["status"] == "fresh" else ""
    print(f"Index       {index['status']}{count}: {printable(index['reason'], keep_newlines=False)}")
    marks = report["bookmarks"]
    if marks["status"] == "ok":
        print(f"Bookmarks   ok: {marks['count']} in all, {marks['in_catalogue']} for this catalogue")
    else:
        print(f"Bookmarks   {marks['status']}: {printable(marks['reason'], keep_newlines=False)}")
    links = report["links"]
    if links["last_checked"]:
        print(
            f"Links       checked {links['age']}: {links['ok']} ok, {links['dead']} dead, "
            f"{links['unknown']} unknown, of {links['checked_resources']} resources"
        )
    else:
        print("Links       never checked")
    config = report["config"]
    config_state = f"{len(config['problems'])} problem(s)" if config["problems"] else "ok"
    print(f"Config      {config_state if config['exists'] else 'no file (all defaults)'}")
    print(f"State       {'ignored (see below)' if report['state']['notice'] else 'ok'}")

    if findings:
        print("\nNeeds attention:")
    for finding in sorted(findings, key=lambda f: f.severity != "problem"):
        label = "PROBLEM" if finding.severity == "problem" else "warning"
        print(f"  {label} [{finding.area}] {printable(finding.message)}")
        print(f"    fix: {printable(finding.fix)}")
