"""A world-readable sandbox (catalogue, index folder, user home) and running `ctdc` in it,
optionally inside a user namespace where file permissions apply even to root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ctdc_tui.core import locations
from ctdc_tui.core.catalog import Resource

REPO = Path(__file__).resolve().parents[2]


class World:
    """A catalogue, an index folder and a user home in one world-readable folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.catalogue = root / "catalogue"
        shutil.copytree(REPO / "data", self.catalogue)
        self.index_root = root / "index"
        self.home = root / "home"
        self.home.mkdir()
        for path in (root, self.catalogue, self.home):
            path.chmod(0o755)
        self.home.chmod(0o777)
        for path in self.catalogue.iterdir():
            path.chmod(0o644)

    @property
    def place(self) -> Path:
        return self.index_root / locations.catalogue_key(self.catalogue)

    def args(self, *argv: str) -> list[str]:
        return [*argv, "--data", str(self.catalogue), "--index-dir", str(self.index_root)]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CTDC_")}
        env["CTDC_HOME"] = str(self.home)
        return env


def resource(rid: str) -> Resource:
    return Resource(id=rid, title=rid, url=f"https://example.org/{rid}", category="c")


def namespace_prefix(*flags: str) -> list[str]:
    if shutil.which("unshare") is None:
        pytest.skip("`unshare` is missing: cannot enforce permissions or mount a small disk")
    probe = subprocess.run(["unshare", *flags, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces are not allowed here: {probe.stderr.decode(errors='replace')[:200]}")
    return ["unshare", *flags]


def run_cli(world: World, prefix: list[str], *argv: str) -> subprocess.CompletedProcess[str]:
    command = " ".join(["exec", *map(quote, [sys.executable, "-m", "ctdc_tui", *argv])])
    return sh(world, prefix, command)


def quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def sh(world: World, prefix: list[str], script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=world.env(),
        cwd=str(world.root),
        check=False,
    )
