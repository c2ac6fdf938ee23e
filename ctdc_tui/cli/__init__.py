"""The ``ctdc`` command: opens the app, or runs one subcommand for scripts.

Each subcommand lives in a module of this package with a ``register(subparsers,
common)`` function; heavy imports (Whoosh, Textual) happen inside the command
handlers, never at import time, so ``ctdc --help`` stays instant.

Exit codes: 0 success, 1 something needs the user (bad catalogue, unknown id,
failed check), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from ctdc_tui import __version__
from ctdc_tui.core.errors import CtdcError

Handler = Callable[[argparse.Namespace], int]


def _common_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after the subcommand name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="catalogue folder to open (default: $CTDC_DATA, else the bundled toolkit)",
    )
    common.add_argument(
        "--index-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="folder for search indexes (default: $CTDC_INDEX_DIR, else index/ or the user cache)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    from ctdc_tui.cli import app_cmd

    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="ctdc",
        description=(
            "Browse, search and bookmark the Civic Tech and Data Collaborative Toolkit. "
            "With no command, opens the app."
        ),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"ctdc {__version__}")
    app_cmd.add_app_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub, common)
    return parser


def _command_modules() -> list[ModuleType]:
    """The subcommand modules, in the order ``ctdc --help`` lists them."""
    import importlib

    names = ["app_cmd", "catalogue_cmds", "search_cmds", "bookmark_cmds", "link_cmds", "doctor_cmd"]
    modules: list[ModuleType] = []
    for name in names:
        try:
            modules.append(importlib.import_module(f"ctdc_tui.cli.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"ctdc_tui.cli.{name}":
                raise
    return modules


# The options `ctdc` takes when it opens the app (no command), each followed by its value.
_APP_OPTIONS = ("--data", "--index-dir", "--resource")


def _opens_the_app(argv: Sequence[str]) -> bool:
    """True when ``argv`` holds only the app's options with their values (no command, no --help)."""
    pending = False
    for token in argv:
        if pending:
            pending = False
        elif token in _APP_OPTIONS:
            pending = True
        elif not token.startswith(tuple(f"{option}=" for option in _APP_OPTIONS)):
            return False
    return not pending


def _app_parser() -> argparse.ArgumentParser:
    """The parser for `ctdc` opening the app: the same options, without importing every command."""
    from ctdc_tui.cli import app_cmd

    parser = argparse.ArgumentParser(prog="ctdc", parents=[_common_options()])
    app_cmd.add_app_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Opening the app is the common case: its start-up skips building every command's parser.
    parser = _app_parser() if _opens_the_app(arguments) else build_parser()
    args = parser.parse_args(arguments)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        from ctdc_tui.cli.app_cmd import run_app_command

        handler = run_app_command
    try:
        return handler(args)
    except CtdcError as exc:
        print(f"ctdc: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  fix: {exc.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ctdc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
