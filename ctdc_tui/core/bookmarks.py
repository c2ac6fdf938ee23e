"""The bookmark store: the user's bookmarks and notes, in SQLite.

One SQLite file (``locations.bookmarks_file()``) holds the bookmarks of every
catalogue; each row belongs to one catalogue (``locations.catalogue_key``), and
every query names the catalogue, so bookmarks of different catalogues never mix.
A bookmark keeps the title, link and category as they were when it was saved,
so it survives its resource leaving the catalogue (``bookmark_status`` tells
which ones did, or changed).

Nothing is ever lost:

- every change is one ``BEGIN IMMEDIATE`` transaction in WAL mode with
  ``synchronous=FULL``: a killed process leaves the last committed state;
- a busy timeout lets two processes write to the same store in turn;
- a damaged file is moved aside (with its ``-wal``/``-shm``) under a timestamped
  name, whatever rows can still be read are copied into a fresh store, and a
  notice says where the old file went;
- a file written by a newer schema is refused (``CtdcError``), never altered;
- when the data folder cannot be written the store opens read-only (existing
  bookmarks are shown, every change raises ``CtdcError`` saying why) with a notice.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from ctdc_tui.core import locations
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.records import FrozenRecord, Record, frozen_record
from ctdc_tui.core.resource import Resource

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 15.0

Order = Literal["newest", "title"]
BookmarkStatus = Literal["ok", "missing", "changed"]

_T = TypeVar("_T")

# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
_DAMAGED_CODES = (_SQLITE_CORRUPT, _SQLITE_NOTADB)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bookmarks (
    catalogue   TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',
    created     TEXT NOT NULL,
    changed     TEXT NOT NULL,
    UNIQUE (catalogue, resource_id)
);
"""
_COLUMNS = "catalogue, resource_id, title, url, category, note, tags, created, changed"
_SELECT_ALL = (
    "SELECT catalogue, resource_id, title, url, category, note, tags, created, changed FROM bookmarks"
)
_SELECT_ONE = (
    "SELECT catalogue, resource_id, title, url, category, note, tags, created, changed FROM bookmarks "
    "WHERE catalogue = ? AND resource_id = ?"
)
_SELECT_CATALOGUE = (
    "SELECT catalogue, resource_id, title, url, category, note, tags, created, changed FROM bookmarks "
    "WHERE catalogue = ? ORDER BY "
)
_ORDER_BY = {"newest": "created DESC, rowid DESC", "title": "lower(title), title, resource_id"}
_INSERT = (
    "INSERT INTO bookmarks (catalogue, resource_id, title, url, category, note, tags, created, changed) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_NEW = _INSERT + " ON CONFLICT (catalogue, resource_id) DO NOTHING"
_INDEXES = "CREATE INDEX IF NOT EXISTS bookmarks_by_created ON bookmarks (catalogue, created)"
_Rows = list[tuple[object, ...]]


def utc_now() -> str:
    """The current time as a UTC ISO 8601 string with microseconds (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def clean_text(text: str) -> str:
    """``text`` storable as UTF-8: lone surrogates (from bad JSON escapes) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    return text


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags stripped of surrounding space, empty ones dropped, duplicates removed (order kept)."""
    seen: dict[str, None] = {}
    for tag in tags:
        value = clean_text(str(tag)).strip()
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)


# Frozen; its __init__ is written out, not made by the decorator; the rest: core/records.py.
@frozen_record(slots=True)
class Bookmark(FrozenRecord):
    """One saved resource, with what it looked like when it was saved."""

    catalogue: str
    resource_id: str
    title: str
    url: str
    category: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    created: str = ""
    changed: str = ""

    def __init__(
        self,
        catalogue: str,
        resource_id: str,
        title: str,
        url: str,
        category: str = "",
        note: str = "",
        tags: tuple[str, ...] = (),
        created: str = "",
        changed: str = "",
    ) -> None:
        set_ = object.__setattr__  # (frozen)
        set_(self, "catalogue", catalogue)
        set_(self, "resource_id", resource_id)
        set_(self, "title", title)
        set_(self, "url", url)
        set_(self, "category", category)
        set_(self, "note", note)
        set_(self, "tags", tags)
        set_(self, "created", created)
        set_(self, "changed", changed)

    def _values(self) -> tuple[object, ...]:
        return (
            self.catalogue,
            self.resource_id,
            self.title,
            self.url,
            self.category,
            self.note,
            self.tags,
            self.created,
            self.changed,
        )

    def status(self, resource: Resource | None) -> BookmarkStatus:
        """``missing`` when the resource left the catalogue, ``changed`` when its title or link differ."""
        if resource is None:
            return "missing"
        if resource.title != self.title or resource.url != self.url:
            return "changed"
        return "ok"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.resource_id,
            "title": self.title,
            "url": self.url,
            "category": self.category,
            "note": self.note,
            "tags": list(self.tags),
            "created": self.created,
            "changed": self.changed,
        }


@dataclass(slots=True, init=False, repr=False, eq=False)  # (methods: core/records.py)
class MergeResult(Record):
    """What ``BookmarkStore.merge`` did (or, for a dry run, would do)."""

    added: list[Bookmark] = field(default_factory=list)
    skipped: list[tuple[Bookmark, str]] = field(default_factory=list)

    def __init__(
        self,
        added: list[Bookmark] | None = None,
        skipped: list[tuple[Bookmark, str]] | None = None,
    ) -> None:
        self.added = [] if added is None else added
        self.skipped = [] if skipped is None else skipped

    def _values(self) -> tuple[object, ...]:
        return (
            self.added,
            self.skipped,
        )


class ResourceLookup(Protocol):
    """Anything that finds a resource by id: a ``Catalog``, a ``SearchIndex``, a dict."""

    def get(self, resource_id: str, /) -> Resource | None: ...


def bookmark_status(
    bookmarks: Iterable[Bookmark], catalogue: ResourceLookup | AbstractSet[str]
) -> dict[str, BookmarkStatus]:
    """Resource id -> ``ok``/``missing``/``changed`` for each bookmark.

    ``catalogue`` is a ``Catalog``, a ``SearchIndex`` or a mapping of id -> Resource
    (title and link are compared), or a set of ids (only ``missing`` is detected).
    """
    result: dict[str, BookmarkStatus] = {}
    for bookmark in bookmarks:
        if isinstance(catalogue, AbstractSet):
            result[bookmark.resource_id] = "ok" if bookmark.resource_id in catalogue else "missing"
        else:
            result[bookmark.resource_id] = bookmark.status(catalogue.get(bookmark.resource_id))
    return result


def not_in_catalogue(
    bookmarks: Iterable[Bookmark], catalogue: ResourceLookup | AbstractSet[str]
) -> list[Bookmark]:
    """The bookmarks whose resource left the catalogue or whose title or link changed."""
    items = list(bookmarks)
    status = bookmark_status(items, catalogue)
    return [b for b in items if status[b.resource_id] != "ok"]


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _is_damage(exc: sqlite3.Error) -> bool:
    if _code(exc) in _DAMAGED_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _row_to_bookmark(row: Sequence[object]) -> Bookmark:
    catalogue, resource_id, title, url, category, note, tags, created, changed = row
    tag_tuple: tuple[str, ...] = ()
    if tags != "[]":
        try:
            parsed = json.loads(str(tags))
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            tag_tuple = tuple(t for t in parsed if isinstance(t, str))
    return Bookmark(
        catalogue=str(catalogue),
        resource_id=str(resource_id),
        title=str(title),
        url=str(url),
        category=str(category or ""),
        note=str(note or ""),
        tags=tag_tuple,
        created=str(created),
        changed=str(changed),
    )


def _bookmark_params(b: Bookmark) -> tuple[str, ...]:
    return (
        b.catalogue,
        b.resource_id,
        b.title,
        b.url,
        b.category,
        b.note,
        json.dumps(list(b.tags), ensure_ascii=False),
        b.created,
        b.changed,
    )


def _clean_bookmark(b: Bookmark, catalogue: str | None = None, now: str = "") -> Bookmark:
    """``b`` storable: no lone surrogates, clean tags; optionally moved to ``catalogue`` and
    given ``now`` for missing times."""
    created = b.created or now
    return Bookmark(
        catalogue=clean_text(b.catalogue if catalogue is None else catalogue),
        resource_id=clean_text(b.resource_id),
        title=clean_text(b.title),
        url=clean_text(b.url),
        category=clean_text(b.category),
        note=clean_text(b.note),
        tags=clean_tags(b.tags),
        created=created,
        changed=b.changed or created,
    )


class _Damaged(Exception):
    """The database file cannot be trusted (raised only while opening)."""


class BookmarkStore:
    """The user's bookmarks. Open with ``BookmarkStore.open()``; safe to share between threads."""

    def __init__(self, conn: sqlite3.Connection, location: Path | None, *, read_only: bool = False) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.location = location
        self.read_only = read_only
        self.read_only_reason = ""
        self.notices: builtins.list[str] = []

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: Path | None = None) -> BookmarkStore:
        """Open (creating if needed) the store at ``path`` (default ``locations.bookmarks_file()``).

        Raises ``CtdcError`` only for a store written by a newer schema, or one that
        cannot be opened at all; every other trouble becomes a notice.
        """
        path = Path(path) if path is not None else locations.bookmarks_file()
        notices: builtins.list[str] = []
        reason = _unwritable_reason(path)
        if reason:
            store = cls._open_read_only(path, reason)
            return store
        try:
            conn = _connect(path)
            try:
                _prepare(conn, path)
            except BaseException:
                conn.close()
                raise
        except _Damaged as damaged:
            try:
                aside = _move_aside(path)
            except OSError as exc:
                raise CtdcError(
                    f"the bookmark store {path} is damaged ({damaged}) and could not be moved aside ({exc})",
                    f"move {path} somewhere else yourself, then start ctdc again",
                ) from exc
            recovered = _salvage(aside)
            conn = _connect(path)
            _prepare(conn, path)
            store = cls(conn, path)
            if recovered:
                result = store.merge_all(recovered)
                saved = len(result.added)
            else:
                saved = 0
            notices.append(
                f"The bookmark store {path} was damaged ({damaged}); it was moved aside to {aside} "
                f"and a fresh store was started"
                + (f" with the {saved} bookmark(s) that could still be read." if saved else ".")
            )
            store.notices.extend(notices)
            return store
        except sqlite3.Error as exc:
            if _code(exc) in (_SQLITE_READONLY, _SQLITE_CANTOPEN):
                return cls._open_read_only(path, str(exc))
            raise _person_error(exc, path) from exc
        return cls(conn, path)

    @classmethod
    def _open_read_only(cls, path: Path, reason: str) -> BookmarkStore:
        conn: sqlite3.Connection | None = None
        if path.is_file():
            # With a -wal (left by a killed writer, or the store is open elsewhere) its commits must
            # be read: ``immutable=1`` would skip them, so when ``mode=ro`` cannot open (no -shm, and
            # the folder cannot get one) a private copy is read through its -wal instead.
            wal = _has_wal(path)
            openers: tuple[Callable[[], sqlite3.Connection], ...] = (
                lambda: _connect_uri(path, "mode=ro"),
                (lambda: _read_through_copy(path)) if wal else (lambda: _connect_uri(path, "immutable=1")),
            )
            for opener in openers:
                candidate = None
                try:
                    candidate = opener()
                    version = int(candidate.execute("PRAGMA user_version").fetchone()[0])
                    _refuse_newer(version, path)
                    if version:
                        candidate.execute("SELECT count(*) FROM bookmarks").fetchone()
                    else:
                        candidate.close()
                        candidate = None
                        break
                    conn = candidate
                    break
                except (sqlite3.Error, OSError, CtdcError) as exc:
                    if candidate is not None:
                        candidate.close()
                    if isinstance(exc, CtdcError):  # a newer schema: refused here too
                        raise
                    continue
        if conn is None:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            conn.executescript(_SCHEMA)
        store = cls(conn, path if path.is_file() else None, read_only=True)
        store.read_only_reason = reason
        store.notices.append(
            f"Bookmarks are read-only: {path} cannot be written ({reason}). You can browse and see "
            f"saved bookmarks, but changes will not be saved. Make {path.parent} writable, "
            f"or set CTDC_HOME to a writable folder."
        )
        return store

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> BookmarkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- reading
    def get(self, catalogue: str, resource_id: str) -> Bookmark | None:
        rows = self._read(_SELECT_ONE, (catalogue, resource_id))
        return _row_to_bookmark(rows[0]) if rows else None

    def list(self, catalogue: str, order: Order = "newest") -> builtins.list[Bookmark]:
        """The bookmarks of one catalogue, newest first or by title (case-insensitive)."""
        rows = self._read(_SELECT_CATALOGUE + _ORDER_BY.get(order, _ORDER_BY["newest"]), (catalogue,))
        return [_row_to_bookmark(r) for r in rows]

    def notes(self, catalogue: str) -> dict[str, str]:
        """Every bookmarked id of a catalogue -> its note ("" when none), for ``SearchIndex.sync_notes``."""
        rows = self._read("SELECT resource_id, note FROM bookmarks WHERE catalogue = ?", (catalogue,))
        return {str(r[0]): str(r[1] or "") for r in rows}

    def ids(self, catalogue: str) -> set[str]:
        rows = self._read("SELECT resource_id FROM bookmarks WHERE catalogue = ?", (catalogue,))
        return {str(r[0]) for r in rows}

    def count(self, catalogue: str) -> int:
        rows = self._read("SELECT count(*) FROM bookmarks WHERE catalogue = ?", (catalogue,))
        return int(str(rows[0][0]))

    def catalogues(self) -> builtins.list[str]:
        """Every catalogue key that has bookmarks."""
        rows = self._read("SELECT DISTINCT catalogue FROM bookmarks ORDER BY catalogue", ())
        return [str(r[0]) for r in rows]

    # ----------------------------------------------------------------- writing
    def add(self, catalogue: str, resource: Resource, note: str = "", tags: Sequence[str] = ()) -> Bookmark:
        """Bookmark ``resource``. Already bookmarked: a non-empty ``note`` replaces the note and
        ``tags`` are added; the saved title and link stay as they were."""
        now = utc_now()
        note = clean_text(note)
        new_tags = clean_tags(tags)

        def work(conn: sqlite3.Connection) -> Bookmark:
            existing = self._get_in(conn, catalogue, resource.id)
            if existing is None:
                bookmark = _clean_bookmark(
                    Bookmark(
                        catalogue=catalogue,
                        resource_id=resource.id,
                        title=resource.title,
                        url=resource.url,
                        category=resource.category,
                        note=note,
                        tags=new_tags,
                        created=now,
                        changed=now,
                    )
                )
                conn.execute(_INSERT, _bookmark_params(bookmark))
                return bookmark
            merged_tags = clean_tags((*existing.tags, *new_tags))
            merged_note = note if note else existing.note
            if merged_tags == existing.tags and merged_note == existing.note:
                return existing
            updated = replace(existing, note=merged_note, tags=merged_tags, changed=now)
            self._update_in(conn, updated)
            return updated

        return self._write(work)

    def remove(self, catalogue: str, resource_id: str) -> Bookmark | None:
        """Remove a bookmark; returns it (for ``restore``), or None when there was none."""
        catalogue, resource_id = clean_text(catalogue), clean_text(resource_id)

        def work(conn: sqlite3.Connection) -> Bookmark | None:
            existing = self._get_in(conn, catalogue, resource_id)
            if existing is not None:
                conn.execute(
                    "DELETE FROM bookmarks WHERE catalogue = ? AND resource_id = ?", (catalogue, resource_id)
                )
            return existing

        return self._write(work)

    def restore(self, bookmark: Bookmark) -> None:
        """Put back a removed bookmark exactly as it was (the undo of ``remove``)."""
        bookmark = _clean_bookmark(bookmark)

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM bookmarks WHERE catalogue = ? AND resource_id = ?",
                (bookmark.catalogue, bookmark.resource_id),
            )
            conn.execute(_INSERT, _bookmark_params(bookmark))

        self._write(work)

    def set_note(self, catalogue: str, resource_id: str, note: str) -> Bookmark:
        """Replace the note of a bookmark ("" clears it). ``CtdcError`` when not bookmarked."""
        return self._edit(catalogue, resource_id, note=clean_text(note))

    def set_tags(self, catalogue: str, resource_id: str, tags: Sequence[str]) -> Bookmark:
        """Replace the tags of a bookmark. ``CtdcError`` when not bookmarked."""
        return self._edit(catalogue, resource_id, tags=clean_tags(tags))

    def _edit(
        self,
        catalogue: str,
        resource_id: str,
        *,
        note: str | None = None,
        tags: tuple[str, ...] | None = None,
    ) -> Bookmark:
        def work(conn: sqlite3.Connection) -> Bookmark:
            existing = self._require(conn, catalogue, resource_id)
            new_note = existing.note if note is None else note
            new_tags = existing.tags if tags is None else tags
            if (new_note, new_tags) == (existing.note, existing.tags):
                return existing
            updated = replace(existing, note=new_note, tags=new_tags, changed=utc_now())
            self._update_in(conn, updated)
            return updated

        return self._write(work)

    def merge(self, catalogue: str, bookmarks: Iterable[Bookmark], *, dry_run: bool = False) -> MergeResult:
        """Add ``bookmarks`` to ``catalogue`` (their own ``catalogue`` field is ignored) in one
        transaction, skipping ids already bookmarked or repeated. ``dry_run`` changes nothing."""
        now = utc_now()
        items = [_clean_bookmark(b, catalogue, now) for b in bookmarks]
        return self._merge(items, dry_run=dry_run)

    def merge_all(self, bookmarks: Iterable[Bookmark], *, dry_run: bool = False) -> MergeResult:
        """Like ``merge`` but each bookmark keeps its own catalogue (used for recovery)."""
        now = utc_now()
        return self._merge([_clean_bookmark(b, None, now) for b in bookmarks], dry_run=dry_run)

    def _merge(self, items: Sequence[Bookmark], *, dry_run: bool) -> MergeResult:
        probe_only = self.read_only  # a dry run on a read-only store only looks

        def work(conn: sqlite3.Connection) -> MergeResult:
            result = MergeResult()
            seen: set[tuple[str, str]] = set()
            for b in items:
                key = (b.catalogue, b.resource_id)
                if key in seen:
                    result.skipped.append((b, "appears more than once in what was imported"))
                    continue
                seen.add(key)
                if probe_only:
                    fresh = self._get_in(conn, b.catalogue, b.resource_id) is None
                else:  # a dry run inserts too, then rolls the transaction back
                    fresh = conn.execute(_INSERT_NEW, _bookmark_params(b)).rowcount == 1
                if fresh:
                    result.added.append(b)
                else:
                    result.skipped.append((b, "already bookmarked"))
            return result

        if dry_run and probe_only:
            with self._lock:
                return work(self._conn)
        return self._write(work, rollback=dry_run)

    # ----------------------------------------------------------------- internals
    def _get_in(self, conn: sqlite3.Connection, catalogue: str, resource_id: str) -> Bookmark | None:
        catalogue, resource_id = clean_text(catalogue), clean_text(resource_id)
        row = conn.execute(
            _SELECT_ONE,
            (catalogue, resource_id),
        ).fetchone()
        return _row_to_bookmark(row) if row else None

    def _require(self, conn: sqlite3.Connection, catalogue: str, resource_id: str) -> Bookmark:
        existing = self._get_in(conn, catalogue, resource_id)
        if existing is None:
            raise CtdcError(
                f"'{resource_id}' is not bookmarked",
                f"bookmark it first (`ctdc bookmarks add {resource_id}`, or `b` in the app)",
            )
        return existing

    def _update_in(self, conn: sqlite3.Connection, b: Bookmark) -> None:
        conn.execute(
            "UPDATE bookmarks SET note = ?, tags = ?, changed = ? WHERE catalogue = ? AND resource_id = ?",
            (b.note, json.dumps(list(b.tags), ensure_ascii=False), b.changed, b.catalogue, b.resource_id),
        )

    def _read(self, sql: str, params: tuple[object, ...]) -> _Rows:
        with self._lock:
            try:
                params = tuple(clean_text(p) if isinstance(p, str) else p for p in params)
                return list(self._conn.execute(sql, params).fetchall())
            except sqlite3.Error as exc:
                raise _person_error(exc, self.location) from exc

    def _write(self, work: Callable[[sqlite3.Connection], _T], *, rollback: bool = False) -> _T:
        if self.read_only:
            where = self.location or locations.bookmarks_file()
            raise CtdcError(
                f"cannot save bookmarks: {where} is read-only ({self.read_only_reason})",
                f"make {where.parent} writable, or set CTDC_HOME to a writable folder",
            )
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _person_error(exc, self.location) from exc
            try:
                result = work(conn)
                conn.execute("ROLLBACK" if rollback else "COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _person_error(exc, self.location) from exc
                raise
            return result

    def iter_all(self) -> Iterator[Bookmark]:
        """Every bookmark of every catalogue (for backups and recovery)."""
        for row in self._read(_SELECT_ALL + " ORDER BY catalogue, created", ()):
            yield _row_to_bookmark(row)


# --------------------------------------------------------------------- helpers
def check_bookmark_store(path: Path, catalogue_key: str) -> dict[str, Any]:
    """The health of the bookmark store, read without changing it (``BookmarkStore.open`` would repair).

    ``status`` is ``ok``, ``missing`` (no bookmarks yet: fine), ``damaged``,
    ``newer`` (a newer schema) or ``unreadable``.
    """
    out: dict[str, Any] = {"path": str(path), "status": "ok", "reason": "", "count": 0, "in_catalogue": 0}
    if not path.exists():
        return {**out, "status": "missing", "reason": "no bookmarks yet: the store is made by the first one"}
    if not os.access(path, os.R_OK):
        return {**out, "status": "unreadable", "reason": "permission denied"}
    conn: sqlite3.Connection | None = None
    try:
        # With no -wal file the main file holds everything, and immutable=1 reads it without
        # creating -wal/-shm files; with one (the store is open elsewhere, or a writer was killed)
        # read through it, from a private copy when the folder cannot hold the -shm that needs.
        wal = _has_wal(path)
        conn = _connect_uri(path, "mode=ro" if wal else "immutable=1")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as exc:
            if not wal or _code(exc) != _SQLITE_CANTOPEN:
                raise
            conn.close()
            conn = _read_through_copy(path)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            return {
                **out,
                "status": "newer",
                "reason": f"schema {version}, this version reads {SCHEMA_VERSION}",
            }
        check = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        if check != ["ok"]:
            return {**out, "status": "damaged", "reason": "; ".join(check[:3])}
        if version == 0:
            return {**out, "reason": "empty store"}
        total = int(conn.execute("SELECT count(*) FROM bookmarks").fetchone()[0])
        mine = int(
            conn.execute("SELECT count(*) FROM bookmarks WHERE catalogue = ?", (catalogue_key,)).fetchone()[0]
        )
        return {**out, "count": total, "in_catalogue": mine}
    except sqlite3.Error as exc:
        return {**out, "status": "damaged", "reason": str(exc)}
    except OSError as exc:
        return {**out, "status": "unreadable", "reason": exc.strerror or str(exc)}
    finally:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS
    )


def _connect_uri(path: Path, query: str) -> sqlite3.Connection:
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?{query}",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_SECONDS,
    )


def _has_wal(path: Path) -> bool:
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def _read_through_copy(path: Path) -> sqlite3.Connection:
    """An in-memory copy of the store at ``path`` with the commits of its -wal, for a folder where
    SQLite cannot create the -shm that reading a -wal needs. The file and its -wal are copied to a
    private temporary folder, SQLite recovers the copy there, and the result is loaded into memory;
    nothing next to ``path`` is touched. Raises ``OSError`` or ``sqlite3.Error``."""
    with tempfile.TemporaryDirectory(prefix="ctdc-bookmarks-") as tmp:
        copy = Path(tmp) / "bookmarks.sqlite3"
        shutil.copyfile(path, copy)
        shutil.copyfile(f"{path}-wal", f"{copy}-wal")
        source = sqlite3.connect(str(copy), isolation_level=None)
        try:
            memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            try:
                source.backup(memory)
            except BaseException:
                memory.close()
                raise
        finally:
            source.close()
    return memory


def _refuse_newer(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise CtdcError(
            f"the bookmark store {path} was written by a newer version of ctdc-tui "
            f"(schema {version}; this version understands up to {SCHEMA_VERSION}); it was left untouched",
            "upgrade ctdc-tui, or set CTDC_HOME to another folder to keep a separate store",
        )


def _check_columns(conn: sqlite3.Connection) -> None:
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(bookmarks)").fetchall()}
    if not columns:
        return
    missing = {c.strip() for c in _COLUMNS.split(",")} - columns
    if missing:
        raise _Damaged(f"the bookmarks table lacks column(s) {', '.join(sorted(missing))}")


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Check the file (reading only), then switch on WAL and create the schema.

    Raises ``_Damaged``, ``CtdcError`` or ``sqlite3.Error``. A file that is refused
    or found damaged has not been written to.
    """
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        _refuse_newer(version, path)
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version or tables:
            check = conn.execute("PRAGMA quick_check").fetchall()
            if [tuple(r) for r in check] != [("ok",)]:
                raise _Damaged("integrity check failed: " + "; ".join(str(r[0]) for r in check[:3]))
            _check_columns(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            _refuse_newer(version, path)
            conn.execute(_SCHEMA)
            _check_columns(conn)
            conn.execute(_INDEXES)
            if version == 0:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        if _is_damage(exc):
            raise _Damaged(str(exc)) from exc
        raise


def _unwritable_reason(path: Path) -> str:
    """Why ``path`` cannot be written ("" when it can)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return exc.strerror or str(exc)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"the folder {path.parent} is not writable"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"the file {path} is not writable"
    return ""


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{path}{suffix}")
        if extra.exists():
            with contextlib.suppress(OSError):
                os.replace(extra, Path(f"{aside}{suffix}"))
    return aside


def _salvage(aside: Path) -> list[Bookmark]:
    """Whatever bookmark rows can still be read from a damaged file (often none).

    A full scan first; when it trips on a broken page, each rowid is fetched on its
    own so that rows on the pages that are still whole are kept.
    """
    try:
        conn = sqlite3.connect(f"{aside.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return []
    try:
        try:
            return [_row_to_bookmark(row) for row in conn.execute(_SELECT_ALL).fetchall()]
        except sqlite3.Error:
            pass
        try:
            top = int(conn.execute("SELECT max(rowid) FROM bookmarks").fetchone()[0] or 0)
        except (sqlite3.Error, TypeError, ValueError):
            top = 0
        try:
            pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        except sqlite3.Error:
            pages = 0
        found: list[Bookmark] = []
        for rowid in range(1, max(top, pages * 64) + 1):
            try:
                row = conn.execute(_SELECT_ALL + " WHERE rowid = ?", (rowid,)).fetchone()
            except sqlite3.Error:
                continue
            if row is not None:
                with contextlib.suppress(ValueError, TypeError):
                    found.append(_row_to_bookmark(row))
        return found
    finally:
        conn.close()


def _person_error(exc: sqlite3.Error, path: Path | None) -> CtdcError:
    where = str(path) if path else "the bookmark store"
    code = _code(exc)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return CtdcError(
            f"{where} is busy: another ctdc process kept it locked for {BUSY_TIMEOUT_SECONDS:.0f} seconds",
            "try again; if it persists, close other copies of ctdc",
        )
    if code == _SQLITE_READONLY:
        return CtdcError(
            f"cannot save bookmarks: {where} is read-only", "make the file and its folder writable"
        )
    if code == _SQLITE_FULL:
        return CtdcError(
            f"cannot save bookmarks to {where}: the disk is full", "free some space and try again"
        )
    if _is_damage(exc):
        return CtdcError(
            f"the bookmark store {where} is damaged ({exc})",
            "restart ctdc: it moves the damaged file aside, keeps what it can read and starts a fresh store",
        )
    if code in (_SQLITE_IOERR, _SQLITE_CANTOPEN):
        return CtdcError(
            f"cannot use the bookmark store {where}: {exc}", "check the disk and the folder permissions"
        )
    return CtdcError(f"bookmark store {where}: {exc}", "check the file; `ctdc doctor` reports its state")
