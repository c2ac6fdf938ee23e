"""What is known about a catalogue's links, without touching the network.

This module holds the vocabulary of link statuses, one check's outcome
(``LinkResult``) and the per-catalogue cache of the last check
(``LinkStatusCache``). It never imports httpx, so the app can show link marks at
start-up cheaply; the checking itself lives in ``ctdc_tui.core.links``, which
re-exports everything here.

The cache is a JSON file at ``locations.link_cache_file(catalogue)``::

    {"version": 1, "catalogue": "/abs/path",
     "resources": {"<resource id>": ["<url>", "<alternate url>", ...]},
     "links": {"<url>": {<LinkResult.to_disk(): status, checked_at, and only the fields that are set>}}}

It is a cache: a damaged or unreadable file is ignored (with a notice) and the
next check writes a fresh one. Writes are atomic and merge with what is on disk
(the newer result of each link wins), so the CLI and the app never undo each
other's checks. With 100,000 resources the file is about 17 MB and takes a
few seconds to load: the app should load it in a worker.
"""

from __future__ import annotations

import contextlib
import json
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from ctdc_tui.core import locations
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.fsutil import atomic_write_text

CACHE_VERSION = 1

LinkStatus = Literal[
    "ok",  # answered 2xx at the address given
    "redirected",  # answered 2xx after a temporary redirect (final_url says where)
    "moved",  # the address itself moved permanently (301/308); final_url is the new one
    "not_found",  # 404 or 410
    "server_error",  # 5xx
    "client_error",  # another 4xx (403, 401, 429...): the server answered but refused us
    "timeout",  # no complete answer within the timeout
    "dns",  # the host name does not resolve
    "tls",  # the secure connection failed (certificate, protocol)
    "unreachable",  # the connection was refused or the network unreachable
    "error",  # anything else: too many redirects, a broken answer, a malformed address
    "not_checked",  # not an http or https address: never fetched
]

Health = Literal["ok", "dead", "unknown"]

STATUSES: tuple[LinkStatus, ...] = (
    "ok",
    "redirected",
    "moved",
    "not_found",
    "server_error",
    "client_error",
    "timeout",
    "dns",
    "tls",
    "unreachable",
    "error",
    "not_checked",
)

LABELS: dict[str, str] = {
    "ok": "ok",
    "redirected": "redirected",
    "moved": "moved permanently",
    "not_found": "not found",
    "server_error": "server error",
    "client_error": "refused by server",
    "timeout": "timed out",
    "dns": "DNS failure",
    "tls": "TLS error",
    "unreachable": "unreachable",
    "error": "error",
    "not_checked": "not checked",
}

_HEALTH: dict[str, Health] = {
    "ok": "ok",
    "redirected": "ok",
    "moved": "ok",
    "not_found": "dead",
    "server_error": "dead",
    "timeout": "dead",
    "dns": "dead",
    "tls": "dead",
    "unreachable": "dead",
    "error": "dead",
    "client_error": "unknown",
    "not_checked": "unknown",
}


def health_of(status: str) -> Health:
    """``ok`` (it answers, maybe elsewhere), ``dead`` or ``unknown`` (403s, non-web links)."""
    return _HEALTH.get(status, "unknown")


# Bidirectional overrides and isolates: they make an address read differently from what it is.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe_char(ch: str) -> bool:
    """Spaces, C0/DEL/C1 control characters and bidi controls: never part of an address we open."""
    code = ord(ch)
    return ch.isspace() or code < 32 or 127 <= code <= 159 or ch in _BIDI_CONTROLS


def is_openable(url: str) -> bool:
    """True only for an ``http``/``https`` address with a host and no spaces or control characters.

    This is the one rule for "is this a web link": opening, copying, archiving and
    the bookmark exports all use it. It does not strip: an address with leading or
    trailing blanks is refused here, so callers strip first when they mean to accept it.
    """
    if not isinstance(url, str) or not url or any(_unsafe_char(ch) for ch in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def archived_url(url: str) -> str | None:
    """The Internet Archive's Wayback Machine address of ``url`` (its newest copy), or None.

    None when ``url`` is not an openable http/https address. The fragment is
    dropped: the archive keys pages without it.
    """
    if not is_openable(url):
        return None
    return "https://web.archive.org/web/" + urllib.parse.urldefrag(url).url


def describe_age(then: datetime, now: datetime | None = None) -> str:
    """``just now``, ``5 minutes ago``, ``3 days ago``: how old a piece of knowledge is."""
    now = now or datetime.now(UTC)
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    if seconds >= 60:
        count = seconds // 60
        return f"{count} minute{'s' if count != 1 else ''} ago"
    return "just now"


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The outcome of checking one address."""

    url: str
    status: LinkStatus
    checked_at: datetime
    http_status: int | None = None  # of the final answer
    final_url: str | None = None  # where redirects ended; None when there was none
    redirects: tuple[tuple[str, int], ...] = ()  # every hop: (address, status code)
    error: str = ""  # what went wrong, in words, for failures
    method: str = ""  # "HEAD" or "GET": the request whose answer counts
    elapsed: float = 0.0  # seconds
    answered: bool = False  # something on the network replied (a server, or DNS saying "no such name")

    @property
    def health(self) -> Health:
        return health_of(self.status)

    @property
    def label(self) -> str:
        """The status in words, with the HTTP code when there is one."""
        text = LABELS.get(self.status, self.status)
        if self.http_status is not None and self.http_status >= 400:
            text += f" (HTTP {self.http_status})"
        return text

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or datetime.now(UTC)) - self.checked_at

    def age_text(self, now: datetime | None = None) -> str:
        return describe_age(self.checked_at, now)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "health": self.health,
            "label": self.label,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": [{"url": u, "status": s} for u, s in self.redirects],
            "error": self.error or None,
            "method": self.method or None,
            "elapsed": round(self.elapsed, 3),
            "answered": self.answered,
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
        }

    def to_disk(self) -> dict[str, Any]:
        """The compact form kept in the cache file: no address (it is the key), no defaults."""
        entry: dict[str, Any] = {
            "status": self.status,
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
        }
        if self.http_status is not None:
            entry["http_status"] = self.http_status
        if self.final_url:
            entry["final_url"] = self.final_url
        if self.redirects:
            entry["redirects"] = [{"url": u, "status": s} for u, s in self.redirects]
        if self.error:
            entry["error"] = self.error
        if self.method:
            entry["method"] = self.method
        if self.elapsed:
            entry["elapsed"] = round(self.elapsed, 3)
        if self.answered:
            entry["answered"] = True
        return entry

    @classmethod
    def from_json(cls, data: Any, url: str | None = None) -> LinkResult:
        """Rebuild a result from ``to_json()`` or ``to_disk()`` (then ``url`` is its address).

        Raises ValueError/TypeError/KeyError when malformed.
        """
        if not isinstance(data, dict):
            raise TypeError("not an object")
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        checked_at = datetime.fromisoformat(str(data["checked_at"]))
        if checked_at.tzinfo is None:
            checked_at = checked_at.replace(tzinfo=UTC)
        http_status = data.get("http_status")
        if http_status is not None and not isinstance(http_status, int):
            raise TypeError("http_status is not a number")
        final_url = data.get("final_url")
        redirects = tuple((str(hop["url"]), int(hop["status"])) for hop in data.get("redirects") or ())
        return cls(
            url=str(data["url"] if url is None else url),
            status=status,
            checked_at=checked_at,
            http_status=http_status,
            final_url=str(final_url) if final_url else None,
            redirects=redirects,
            error=str(data.get("error") or ""),
            method=str(data.get("method") or ""),
            elapsed=float(data.get("elapsed") or 0.0),
            answered=bool(data.get("answered", False)),
        )


def resource_urls(url: str, alternate_urls: Iterable[str] = ()) -> tuple[str, ...]:
    """A resource's addresses, main one first, without repeats or blanks."""
    seen: dict[str, None] = {}
    for candidate in (url, *alternate_urls):
        text = str(candidate).strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


@dataclass
class LinkStatusCache:
    """The last known status of every link of one catalogue (see the module docstring)."""

    path: Path | None
    catalogue: str = ""
    resources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    links: dict[str, LinkResult] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    # (inode, mtime, size) of the file as last read or written: when it has not changed,
    # save() need not read it again to merge (every atomic write makes a new inode)
    _stamp: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, catalogue: Path, path: Path | None = None) -> LinkStatusCache:
        """The cache of ``catalogue`` (``path`` overrides where it lives). Never raises.

        A missing file gives an empty cache; a damaged or unreadable one gives an
        empty cache and a line in ``notices``.
        """
        target = Path(path) if path is not None else locations.link_cache_file(Path(catalogue))
        cache = cls(path=target, catalogue=str(Path(catalogue).expanduser().resolve()))
        try:
            stamp = _stamp_of(target)
            raw = target.read_bytes()
        except FileNotFoundError:
            return cache
        except OSError as exc:
            cache.notices.append(
                f"link cache {target} could not be read ({exc.strerror or exc}); link statuses are unknown"
                " until `ctdc links check` runs"
            )
            return cache
        try:
            resources, links = _parse(raw)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            cache.notices.append(
                f"link cache {target} is damaged ({exc}); it was ignored,"
                " and `ctdc links check` will rewrite it"
            )
            return cache
        cache.resources, cache.links, cache._stamp = resources, links, stamp
        return cache

    def __len__(self) -> int:
        """How many resources have a known status."""
        return sum(1 for rid in self.resources if self.get(rid) is not None)

    def get(self, resource_id: str) -> LinkResult | None:
        """The last result for the resource's main link, or None when never checked."""
        urls = self.resources.get(resource_id)
        return self.links.get(urls[0]) if urls else None

    def results_for(self, resource_id: str) -> list[LinkResult]:
        """Results for every checked address of the resource, main link first."""
        return [self.links[u] for u in self.resources.get(resource_id, ()) if u in self.links]

    def get_url(self, url: str) -> LinkResult | None:
        return self.links.get(url)

    def status_map(self, current: Mapping[str, str] | None = None) -> dict[str, Health]:
        """Resource id -> ``ok``/``dead``/``unknown`` of its main link (for ``sync_link_status``).

        ``current`` (resource id -> its main link now) leaves out resources whose
        link was edited since the check, so an old address never speaks for a new one.
        """
        out: dict[str, Health] = {}
        for rid, urls in self.resources.items():
            if not urls or (current is not None and current.get(rid, "").strip() != urls[0]):
                continue
            result = self.links.get(urls[0])
            if result is not None:
                out[rid] = result.health
        return out

    def last_checked(self) -> datetime | None:
        """When the newest result was taken, or None for an empty cache."""
        return max((r.checked_at for r in self.links.values()), default=None)

    def record(self, resources: Mapping[str, Sequence[str]], results: Iterable[LinkResult]) -> None:
        """Remember new results: ``resources`` maps each checked resource id to its addresses."""
        for rid, urls in resources.items():
            self.resources[rid] = tuple(urls)
        for result in results:
            self.links[result.url] = result

    def save(self) -> None:
        """Write the cache atomically, merged with the file on disk (newer results win).

        Raises CtdcError (with a fix) when the file cannot be written.
        """
        if self.path is None:
            return
        on_disk_resources: dict[str, tuple[str, ...]] = {}
        on_disk_links: dict[str, LinkResult] = {}
        try:
            if self._stamp is None or _stamp_of(self.path) != self._stamp:
                on_disk_resources, on_disk_links = _parse(self.path.read_bytes())
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass
        resources = {**on_disk_resources, **self.resources}
        links = dict(on_disk_links)
        for url, result in self.links.items():
            older = links.get(url)
            if older is None or older.checked_at <= result.checked_at:
                links[url] = result
        used = {u for urls in resources.values() for u in urls}
        links = {u: r for u, r in links.items() if u in used}
        self.resources, self.links = resources, links
        payload = {
            "version": CACHE_VERSION,
            "catalogue": self.catalogue,
            "resources": {rid: list(urls) for rid, urls in resources.items()},
            "links": {u: r.to_disk() for u, r in links.items()},
        }
        try:
            atomic_write_text(
                self.path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n"
            )
        except OSError as exc:
            raise CtdcError(
                f"could not save link statuses to {self.path}: {exc.strerror or exc}",
                "make that folder writable, or set CTDC_HOME to a writable folder",
            ) from exc
        with contextlib.suppress(OSError):
            self._stamp = _stamp_of(self.path)


def _stamp_of(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _parse(raw: bytes) -> tuple[dict[str, tuple[str, ...]], dict[str, LinkResult]]:
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("version") != CACHE_VERSION:
        raise ValueError(f"unknown version {data.get('version')!r}")
    raw_resources = data["resources"]
    raw_links = data["links"]
    if not isinstance(raw_resources, dict) or not isinstance(raw_links, dict):
        raise ValueError("'resources' and 'links' must be objects")
    resources: dict[str, tuple[str, ...]] = {}
    for rid, urls in raw_resources.items():
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise ValueError(f"resource {rid!r}: addresses must be a list of strings")
        resources[str(rid)] = tuple(urls)
    links = {str(url): LinkResult.from_json(entry, str(url)) for url, entry in raw_links.items()}
    return resources, links
