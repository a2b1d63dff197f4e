"""The package's shape that docs/architecture.md describes: no import cycle between its
modules (counting imports made inside functions too), and only the pipeline's wiring loads
the stages."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from conftest import REPO

PACKAGE = REPO / "site_builder"


def _module_name(path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _targets(node: ast.AST) -> set[str]:
    """The package's modules an import statement loads."""
    if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "site_builder":
        named = {f"{node.module}.{alias.name}" for alias in node.names}
        return {name for name in named if name in MODULES} or {node.module}
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name.split(".")[0] == "site_builder"}
    return set()


def _imports() -> dict[str, set[str]]:
    """Module → the package's modules it imports, wherever in the file."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            found |= _targets(node)
        graph[name] = found - {name, "site_builder"}
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
    top = set().union(
        *(_targets(node) for node in ast.parse(MODULES["site_builder.pipeline"].read_text("utf-8")).body)
    )
    assert top <= {
        "site_builder.incremental.record",
        "site_builder.incremental.signing",
        "site_builder.errors",
        "site_builder.project",
        "site_builder.output.publish",
        "site_builder.site.files",
    }, top


def test_the_code_identity_covers_every_module_of_the_package(tmp_path):
    """A cache made by other code is not used: an edit to any module, in any folder of the
    package, gives the code another identity."""
    from site_builder.incremental.record import code_identity

    copy = tmp_path / "site_builder"
    for name in MODULES.values():
        target = copy / name.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(name.read_bytes())
    before = code_identity(copy)
    for name in MODULES.values():
        target = copy / name.relative_to(PACKAGE)
        original = target.read_bytes()
        target.write_bytes(original + b"\n# changed\n")
        assert code_identity(copy) != before, name
        target.write_bytes(original)
    assert code_identity(copy) == before


# Run in one process, one command after another: which of Amazon's SDK's packages each has loaded.
_LOADED_AFTER_EACH = """
import sys
from site_builder.cli import main
for argv in sys.argv[1:]:
    args = argv.split("|")
    code = main(args)
    sdk = sorted({name.split(".")[0] for name in sys.modules} & {"boto3", "botocore", "s3transfer"})
    print("loaded:", args[2], code, sdk)
"""


def test_amazon_s_sdk_is_imported_by_deploy_alone(mini_built, tmp_path):
    """README: boto3 (botocore) is imported by ``site-builder deploy`` alone."""
    root, _ = mini_built
    (root / "site.yaml").write_text(
        (root / "site.yaml").read_text("utf-8") + "deploy:\n  production:\n    bucket: lsh-site\n", "utf-8"
    )
    commands = [
        f"-C|{root}|build|--no-cache|--jobs|1|--out|{tmp_path / 'out'}",
        f"-C|{root}|check",
        f"-C|{root}|nginx-config",
        f"-C|{root}|deploy|--dry-run",  # no credentials: it stops at once, with botocore loaded
    ]
    environ = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_AFTER_EACH, *commands],
        env={
            **environ,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [line for line in done.stdout.splitlines() if line.startswith("loaded: ")] == [
        "loaded: build 0 []",
        "loaded: check 0 []",
        "loaded: nginx-config 0 []",
        "loaded: deploy 1 ['botocore']",
    ], done.stderr
    assert "no credentials to deploy to s3://lsh-site/" in done.stderr


# The wiring on top of the stages: only these decide what is kept between builds.
WIRING = {"site_builder.pipeline", "site_builder.stages", "site_builder.serve", "site_builder.cli"}


def test_only_the_wiring_uses_the_incremental_layer():
    """The stages are functions of their inputs: none of them imports ``incremental``."""
    users = {
        name
        for name, targets in _imports().items()
        if not name.startswith("site_builder.incremental")
        and any(t.startswith("site_builder.incremental") for t in targets)
    }
    assert users <= WIRING, users - WIRING
