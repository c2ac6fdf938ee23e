"""Every path the program reads or writes, in one place.

Defaults come from platformdirs (the user's data, config, state and cache
folders). Environment variables override them:

- ``CTDC_HOME``: one folder for everything the user owns (``data/``, ``config/``,
  ``state/``, ``cache/`` below it); for tests and portable use.
- ``CTDC_DATA``: the catalogue folder to open instead of the bundled one.
- ``CTDC_INDEX_DIR``: where indexes live instead of the default.

A source checkout (this package next to ``pyproject.toml`` and ``data/``) keeps
its indexes in ``index/`` at the repository root; an installed copy uses the
user cache folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

# SHA-256 from its own small module: importing ``hashlib`` sets up OpenSSL's digests, about 1.5 ms
# of a start that needs one hash of one path before the first frame (docs/performance.md).
if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha2 import sha256  # CPython 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256  # CPython 3.11
        except ImportError:  # pragma: no cover (other Pythons)
            from hashlib import sha256

APP_NAME = "ctdc-tui"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_REPO_ROOT = _PACKAGE_DIR.parent


def _home() -> Path | None:
    value = os.environ.get("CTDC_HOME")
    return Path(value).expanduser() if value else None


def _user_dir(kind: str) -> Path:
    home = _home()
    if home is not None:
        return home / kind
    if kind == "data":
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if kind == "config":
        return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    if kind == "state":
        return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Where user data lives (the bookmark store)."""
    return _user_dir("data")


def config_dir() -> Path:
    """Where the user's configuration lives (``config.toml``: keymap and options)."""
    return _user_dir("config")


def state_dir() -> Path:
    """Where the app remembers things between runs (theme, last category, last resource)."""
    return _user_dir("state")


def cache_dir() -> Path:
    """Where rebuildable things live (indexes of an installed copy, link-check results)."""
    return _user_dir("cache")


def config_file() -> Path:
    return config_dir() / "config.toml"


def state_file() -> Path:
    return state_dir() / "state.json"


def bookmarks_file() -> Path:
    return data_dir() / "bookmarks.sqlite3"


def source_checkout_root() -> Path | None:
    """The repository root when running from a source checkout, else None."""
    if (_REPO_ROOT / "pyproject.toml").is_file() and (_REPO_ROOT / "data" / "catalog.yaml").is_file():
        return _REPO_ROOT
    return None


def bundled_catalogue() -> Path:
    """The catalogue shipped with the program.

    In a wheel it is ``ctdc_tui/data``; in a source checkout, ``data/`` at the root.
    """
    packaged = _PACKAGE_DIR / "data"
    if (packaged / "catalog.yaml").is_file():
        return packaged
    return _REPO_ROOT / "data"


def catalogue_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The catalogue to open: ``--data``, else ``CTDC_DATA``, else the bundled one."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("CTDC_DATA")
    if env:
        return Path(env).expanduser()
    return bundled_catalogue()


def catalogue_key(catalogue: Path) -> str:
    """A stable, filesystem-safe name for a catalogue: its folder name and a hash of its path."""
    resolved = str(Path(catalogue).expanduser().resolve())
    digest = sha256(resolved.encode("utf-8")).hexdigest()[:12]
    stem = re.sub(r"[^a-z0-9]+", "-", Path(resolved).name.lower()).strip("-") or "catalogue"
    return f"{stem[:40]}-{digest}"


def index_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds one index folder per catalogue."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("CTDC_INDEX_DIR")
    if env:
        return Path(env).expanduser()
    if _home() is None:
        root = source_checkout_root()
        if root is not None:
            return root / "index"
    return cache_dir() / "index"


def index_dir(catalogue: Path, explicit: str | os.PathLike[str] | None = None) -> Path:
    """The index folder of one catalogue."""
    return index_root(explicit) / catalogue_key(catalogue)


def fallback_index_dir(catalogue: Path) -> Path:
    """Where an index goes when the preferred location cannot be written."""
    return cache_dir() / "index" / catalogue_key(catalogue)


def link_cache_file(catalogue: Path) -> Path:
    """Where the last link check of a catalogue is kept."""
    return cache_dir() / "links" / f"{catalogue_key(catalogue)}.json"
