"""The house rules that hold the code's shape (docs/architecture.md): sizes and import direction.

The import-linter contracts in pyproject.toml (``lint-imports`` in ``make lint``) check the layers;
these tests add what a layer contract cannot say: no import cycle at all, counting imports inside
functions, and no module or function so long that a reader loses the thread.
"""

import ast
import subprocess
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["medi4sec", "community", "knowledgebase", "search", "digest", "events"]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def tracked_python_files():
    try:
        listing = subprocess.run(
            ["git", "ls-files", "*.py"],  # noqa: S607 - the developer's git, on this checkout
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs a git checkout", allow_module_level=True)
    return [
        path
        for path in listing.splitlines()
        if "/migrations/" not in path and not path.endswith("demo.py")
    ]


FILES = tracked_python_files()


def strongly_connected(graph):
    """Return the groups of modules that import each other in a circle (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while not group or module not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph(*APPS)
    assert strongly_connected(graph) == []


def test_no_module_over_500_lines():
    long = {path: lines for path in FILES if (lines := (ROOT / path).read_text().count("\n"))}
    assert {path: lines for path, lines in long.items() if lines > MAX_MODULE_LINES} == {}


def test_no_function_over_60_lines():
    long = []
    for path in FILES:
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


def test_the_cycle_check_finds_a_cycle(tmp_path, monkeypatch):
    package = tmp_path / "circle"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from . import b\n")
    (package / "b.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(tmp_path)
    assert strongly_connected(grimp.build_graph("circle", cache_dir=None)) == [
        ["circle.a", "circle.b"]
    ]
