"""The layering contracts in pyproject.toml ([tool.importlinter]) hold for the whole package.

import-linter reads every import (function-local ones too) and checks the arrows: cli > ui > core
> api | store > leaf helpers, no textual below the UI, the UI never calls the api layer, the
simulator shares nothing with the client. A broken contract fails here with the offending chain.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
    "--config",
    "pyproject.toml",
    "--no-cache",
]


def test_import_contracts_hold() -> None:
    run = subprocess.run(
        LINT,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """The check can fail: a store module importing the api layer breaks a contract."""
    pkg = tmp_path / "signal_tui"
    shutil.copytree(ROOT / "signal_tui", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "store" / "sneaky.py").write_text("from signal_tui.api import client\n")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    run = subprocess.run(
        LINT,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert run.returncode != 0
    assert "signal_tui.store.sneaky -> signal_tui.api.client" in run.stdout
