"""api/, core/, store/ (and the simulator) are a library: they never import textual."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "signal_tui"
LIBRARY = ["api", "core", "store", "simulator"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", LIBRARY)
def test_library_packages_do_not_import_textual(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    offenders = [
        str(f.relative_to(ROOT))
        for f in files
        if any(n == "textual" or n.startswith("textual.") for n in _imports(f))
    ]
    assert offenders == []


def test_simulator_shares_no_code_with_the_client() -> None:
    """The simulator stands in for someone else's server: no imports from the client side."""
    offenders = []
    for f in sorted((ROOT / "simulator").rglob("*.py")):
        for name in _imports(f):
            if name.startswith("signal_tui.") and not name.startswith("signal_tui.simulator"):
                offenders.append(f"{f.name}: {name}")
    assert offenders == []


def test_client_side_does_not_import_the_simulator() -> None:
    offenders = []
    for package in ("api", "core", "store", "ui"):
        for f in sorted((ROOT / package).rglob("*.py")):
            if any(n.startswith("signal_tui.simulator") for n in _imports(f)):
                offenders.append(str(f.relative_to(ROOT)))
    assert offenders == []
