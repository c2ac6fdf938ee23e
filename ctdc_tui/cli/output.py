"""Helpers shared by the subcommands: options, JSON output, opening the catalogue."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeAlias

from ctdc_tui.core import locations

JSON_SCHEMA_VERSION = 1

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # not subscriptable at run time
"""The type of the object each command module's ``register`` receives."""


def catalogue_path(args: argparse.Namespace) -> Path:
    return locations.catalogue_dir(getattr(args, "data", None))


def index_dir_option(args: argparse.Namespace) -> str | None:
    value = getattr(args, "index_dir", None)
    return str(value) if value else None


def print_json(payload: Any) -> None:
    """Write one JSON document to stdout (UTF-8, stable key order, trailing newline)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def error(message: str, hint: str = "") -> int:
    print(f"ctdc: error: {message}", file=sys.stderr)
    if hint:
        print(f"  fix: {hint}", file=sys.stderr)
    return 1


def unknown_resource_hint(resource_id: str, known: Iterable[str]) -> str:
    """The fix for an unknown resource id: close ids if there are any, and how to find one."""
    close = difflib.get_close_matches(resource_id, list(known), n=3, cutoff=0.6)
    hint = "run `ctdc list` to see every id, or `ctdc search WORDS` to find one"
    return f"did you mean {', '.join(close)}? Otherwise {hint}" if close else hint
