"""The layering is enforced: import-linter's contracts (.importlinter) and no import cycles.

core ← services ← storage ← sync/importer/sandbox ← ui ← cli; nothing below app/ui imports Qt.
Imports inside functions count: a lazy import may keep start-up fast, never dodge a rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import each other, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("app", cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


def _lazy_imports_without_reason(path: Path) -> list[str]:
    return _lazy_imports_without_reason_in(path, ROOT)


def _lazy_imports_without_reason_in(path: Path, root: Path) -> list[str]:
    """Imports inside a function with no "start-up" comment before them in that function."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import | ast.ImportFrom):
                before = "\n".join(lines[func.lineno - 1:node.end_lineno])
                if "start-up" not in before:
                    found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return sorted(set(found))


def test_lazy_imports_are_there_for_start_up_speed() -> None:
    """An import inside a function is allowed only to keep start-up fast, and says so; the
    contracts and the cycle check above see it like any other import."""
    found = [place for path in sorted((ROOT / "app").rglob("*.py")) for place in _lazy_imports_without_reason(path)]
    assert found == [], "hoist these to the top of the module, or say why start-up needs them late:\n" + \
        "\n".join(found)


def test_the_lazy_import_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "app" / "m.py"
    sample.parent.mkdir()
    sample.write_text("def f():\n    import json\n\n\ndef g():\n    # start-up: only when asked\n    import csv\n")
    found = [p.replace("\\", "/") for p in _lazy_imports_without_reason_in(sample, tmp_path)]
    assert found == ["app/m.py:2"]
