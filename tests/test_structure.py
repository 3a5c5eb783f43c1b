"""The code stays readable: imports point one way, modules fit a few screens, functions fit one.

The import graph is read from the source (every `import`, including those under `TYPE_CHECKING` and
inside functions), so a cycle that only type checkers or a lazy import would follow still counts.
`components.concerns` discovers the concern packages with `importlib`; its edges to them are added.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from components.concerns import concern_packages
from tools.stack_config import PROJECT_ROOT

ROOTS = ("components", "policies", "tools")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    found = {"__main__": PROJECT_ROOT / "__main__.py"}
    for root in ROOTS:
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            if "venv" in path.parts:
                continue
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports_of(module: str, path: Path) -> set[str]:
    """The program modules `module` imports, resolved to the most specific module named."""
    edges: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(module, path).split(".")
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        edges |= {name for name in names if name in MODULES and name != module}
    if module == "components.concerns":
        edges |= {f"components.{package.__name__.split('.')[1]}" for package in concern_packages()}
    return edges


def test_no_import_cycle_between_the_programs_own_modules() -> None:
    graph = {module: imports_of(module, path) for module, path in MODULES.items()}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as cycle:
        pytest.fail("import cycle: " + " -> ".join(cycle.args[1]))


def test_the_root_config_imports_no_concern_package() -> None:
    """`components/config/` composes the concerns' config models and pure decisions, never their components."""
    for module, path in MODULES.items():
        if not module.startswith("components.config"):
            continue
        for target in imports_of(module, path):
            concern = target.split(".")[1] if target.startswith("components.") and "." in target else None
            if concern in (None, "config", "base", "naming"):
                continue
            assert target.count(".") == 2, f"{module} imports the package {target}, not a config or pure module"
            assert target != "components.concerns", f"{module} imports the concern registry"


def test_the_policy_pack_imports_nothing_from_the_program() -> None:
    for module, path in MODULES.items():
        if module.startswith("policies"):
            outside = {t for t in imports_of(module, path) if not t.startswith("policies")}
            assert not outside, f"{module} imports {sorted(outside)}"


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_module_fits_a_few_screens(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines: split it by what the code is about"


def test_no_function_is_longer_than_a_screen() -> None:
    long = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{module}.{node.name} ({length} lines)")
    assert long == []
