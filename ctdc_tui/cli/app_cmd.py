"""``ctdc`` with no command, ``ctdc --resource ID`` and ``ctdc open ID``: start the app."""

from __future__ import annotations

import argparse

from ctdc_tui.cli.output import Subparsers, catalogue_path, index_dir_option


def add_app_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--resource", metavar="ID", help="start the app on this resource")


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("open", parents=[common], help="open the app on one resource")
    p.add_argument("resource", metavar="ID", help="the resource id (see `ctdc list`)")
    p.set_defaults(handler=run_app_command)


def run_app_command(args: argparse.Namespace) -> int:
    from ctdc_tui.tui.app import run_app

    exit_code: int = run_app(
        catalogue=catalogue_path(args),
        index_dir=index_dir_option(args),
        resource_id=getattr(args, "resource", None),
    )
    return exit_code
