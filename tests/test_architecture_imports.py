"""The layers of issue 18 (ARCHITECTURE.md), checked so that a violation fails the tests.

* import-linter's contracts in pyproject.toml (``layers`` and ``forbidden``): ``server`` over
  ``loaders`` over the ``policykg`` library, and the layers inside each;
* no import circle between modules (import-linter's layers do not see a circle between two
  modules of one layer);
* no import inside a function, except of a heavy optional dependency, the query worker's
  imports after it drops its network and a command's own task in the ``cli`` modules (so
  ``policykg --help`` and each command load only what they run), each with a comment;
* no private name (``_x``) imported or used from another module.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("policykg", "loaders", "server")
LAZY_OK = ("openpyxl", "pdfplumber", "pdfminer", "pyshacl", "rdflib", "jieba")   # heavy optional dependencies (jieba: ~1 s to load its dictionary)


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def test_import_linter_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_import_linter_fails_on_an_upward_import(tmp_path, monkeypatch):
    """The check can fail: the real code against contracts that put the library on top."""
    config = tmp_path / "upside-down.toml"
    config.write_text(textwrap.dedent("""
        [tool.importlinter]
        root_packages = ["policykg", "loaders", "server"]

        [[tool.importlinter.contracts]]
        name = "upside down"
        type = "layers"
        layers = ["policykg", "loaders", "server"]
    """), encoding="utf-8")
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(config), no_cache=True, no_logo=True) == 1


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.find_modules_directly_imported_by(v) & modules:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for m in sorted(modules):
        if m not in index:
            visit(m)
    return found


def test_no_import_circle():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    modules = set(graph.modules)
    assert {"policykg.graph.store", "policykg.graph.derive", "server.executor", "server.remote"} <= modules
    assert "policykg.graph.store" in graph.find_modules_directly_imported_by("policykg.graph.derive")
    assert _cycles(graph, modules) == []


def test_cycle_finder_sees_a_circle():
    graph = grimp.ImportGraph()
    for m in ("a", "b", "c"):
        graph.add_module(m)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph, {"a", "b", "c"}) == [["a", "b"]]


def _function_imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, imported module, the line before) of every import inside a function."""
    lines = path.read_text(encoding="utf-8").split("\n")
    out = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import):
                    out += [(sub.lineno, a.name, lines[sub.lineno - 2]) for a in sub.names]
                elif isinstance(sub, ast.ImportFrom):
                    out.append((sub.lineno, "." * sub.level + (sub.module or ""), lines[sub.lineno - 2]))
    return out


def test_imports_inside_functions_are_only_heavy_optional_dependencies():
    found = []
    for name, path in _modules().items():
        for line, module, before in _function_imports(path):
            heavy = module.split(".")[0] in LAZY_OK
            sandboxed = name in ("server.worker", "server.upload")   # imports after drop_network() or the memory cap
            command = name.endswith(".cli")           # a command's task, loaded when it runs
            commented = "#" in before or "#" in path.read_text(encoding="utf-8").split("\n")[line - 1]
            if not ((heavy or sandboxed or command) and (commented or before.strip().startswith(("from ", "import ")))):
                found.append(f"{name}:{line} {module}")
    assert found == []


def _private_uses(path: Path, modules: set[str], name: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    aliases: dict[str, str] = {}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            for a in node.names:
                if f"{base}.{a.name}" in modules:
                    aliases[a.asname or a.name] = f"{base}.{a.name}"
                elif base in modules and a.name.startswith("_") and not a.name.startswith("__"):
                    out.append(f"{name}: from {base} import {a.name}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name in modules and a.asname:
                    aliases[a.asname] = a.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            out.append(f"{name}: {aliases[node.value.id]}.{node.attr}")
    return out


def test_no_private_name_used_across_modules():
    modules = _modules()
    found = [u for name, path in modules.items() for u in _private_uses(path, set(modules), name)]
    assert found == []


@pytest.mark.parametrize(("source", "expected"), [
    ("from policykg.sparql import queries\nqueries._collect(1)\n", ["x.y: policykg.sparql.queries._collect"]),
    ("from policykg.sparql.queries import _collect\n", ["x.y: from policykg.sparql.queries import _collect"]),
    ("from policykg.sparql import queries\nqueries.collect(1)\n", []),
])
def test_private_name_finder(tmp_path, source, expected):
    path = tmp_path / "y.py"
    path.write_text(source, encoding="utf-8")
    assert _private_uses(path, set(_modules()), "x.y") == expected
