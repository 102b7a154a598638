"""The package's import graph: no cycles, and no module reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def modules(src: Path = SRC) -> dict[str, tuple[Path, str]]:
    """Every module of the package: dotted name -> (file, the package its relative imports start from)."""
    out = {}
    for path in sorted((src / "thresher").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
            out[".".join(parts)] = (path, ".".join(parts))
        else:
            out[".".join(parts)] = (path, ".".join(parts[:-1]))
    return out


def imports(mods: dict) -> tuple[dict[str, set[str]], list[str]]:
    """The modules each module imports (at any depth of its code: lazy imports count), and
    every use of another module's private name (``from m import _x``, or ``m._x`` on an imported ``m``)."""
    graph: dict[str, set[str]] = {name: set() for name in mods}
    private: list[str] = []
    for name, (path, package) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: dict[str, str] = {}  # local name -> the package module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join([*base, node.module] if node.module else base)
                for alias in node.names:
                    if f"{target}.{alias.name}" in mods:  # a module: from . import dedup
                        graph[name].add(f"{target}.{alias.name}")
                        bound[alias.asname or alias.name] = f"{target}.{alias.name}"
                    elif target in mods:
                        graph[name].add(target)
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            private.append(f"{name} imports {target}.{alias.name}")
            elif isinstance(node, ast.Import):
                graph[name].update(alias.name for alias in node.names if alias.name in mods)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                private.append(f"{name} uses {bound[node.value.id]}.{node.attr}")
    return graph, private


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found = []

    def visit(node: str, path: list[str], done: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in done:
                done.add(nxt)
                visit(nxt, [*path, nxt], done)

    for start in sorted(graph):
        visit(start, [start], {start})
    return found


def test_the_package_has_no_import_cycles():
    graph, _ = imports(modules())
    assert graph["thresher.corpus.sources.files"] >= {"thresher.corpus.sources.sniff"}  # the walk sees imports
    assert cycles(graph) == []


def test_no_module_uses_another_modules_private_names():
    _, private = imports(modules())
    assert private == []


def test_the_checks_find_a_cycle_and_a_private_import(tmp_path):
    """The two checks above can fail: on a package made to break both rules, they do."""
    pkg = tmp_path / "thresher"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import _helper\n")
    (pkg / "b.py").write_text("from . import a\n\n_helper = a.f\n")
    (pkg / "c.py").write_text("from . import b\n\nx = b._helper\n")
    graph, private = imports(modules(tmp_path))
    assert {frozenset(cycle) for cycle in cycles(graph)} == {frozenset({"thresher.a", "thresher.b"})}
    assert private == ["thresher.a imports thresher.b._helper", "thresher.c uses thresher.b._helper"]
