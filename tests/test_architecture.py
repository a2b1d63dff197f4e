"""The package's shape that docs/architecture.md describes: no import cycle between its
modules (counting imports made inside functions too), and only the pipeline's wiring loads
the stages."""

from __future__ import annotations

import ast

from conftest import REPO

PACKAGE = REPO / "site_builder"


def _imports() -> dict[str, set[str]]:
    """Module → the package's modules it imports, wherever in the file."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = path.stem
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "site_builder":
                    found.update(alias.name for alias in node.names)
                elif node.module.startswith("site_builder."):
                    found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("site_builder."))
        graph[name] = found - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return None
        for target in sorted(graph.get(name, ())):
            found = visit(target, path + [name])
            if found:
                return found
        done.add(name)
        return None

    for name in sorted(graph):
        found = visit(name, [])
        if found:
            return found
    return None


def test_no_import_cycle_in_the_package():
    assert _cycle(_imports()) is None, " → ".join(_cycle(_imports()))


def test_the_checker_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_what_a_build_with_nothing_changed_loads_is_light():
    """``pipeline`` at module level imports only what the up-to-date check needs."""
    tree = ast.parse((PACKAGE / "pipeline.py").read_text("utf-8"))
    top = {
        node.module.split(".")[1] if node.module != "site_builder" else alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("site_builder")
        for alias in node.names
    }
    assert top <= {"record", "errors", "project", "write"}, top
