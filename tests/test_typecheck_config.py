"""mypy reads only the SDK subpackages pyproject.toml lists: every one the code uses must be listed.

pulumi_gcp and pulumi_kubernetes import all their subpackages under TYPE_CHECKING; pyproject.toml
skips them (`follow_imports = "skip"`) except the ones listed, which keeps mypy's cold run short. A
skipped subpackage is `Any` to mypy, so code that starts using an unlisted one would lose the
checking of its typed `*Args` without a word: this test names it instead.
"""

from __future__ import annotations

import ast
import tomllib
from importlib.util import find_spec
from pathlib import Path

from tools.stack_config import PROJECT_ROOT

SDKS = ("pulumi_gcp", "pulumi_kubernetes")


def _mypy() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def _followed() -> set[str]:
    """Module patterns mypy follows inside the SDKs (the override with follow_imports = silent)."""
    (override,) = [o for o in _mypy()["overrides"] if o.get("follow_imports") == "silent"]
    return set(override["module"])


def _sdk_root(name: str) -> Path:
    spec = find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


def _is_module(dotted: str) -> bool:
    top, *rest = dotted.split(".")
    path = _sdk_root(top).joinpath(*rest)
    return path.is_dir() or path.with_suffix(".py").is_file()


def _checked_files() -> list[Path]:
    files: list[Path] = []
    for entry in _mypy()["files"]:
        path = PROJECT_ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _chain(node: ast.expr) -> list[str]:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names[::-1]


def _used_subpackages(tree: ast.Module) -> set[str]:
    """SDK subpackages reached by `import pulumi_gcp.x`, `from pulumi_gcp.x import`, or `gcp.x.Y`."""
    aliases: dict[str, str] = {}
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in SDKS:
                    top = alias.name.split(".")[0]
                    aliases[alias.asname or top] = alias.name if alias.asname else top
                    used.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SDKS:
            used.add(node.module)
            used.update(f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names = _chain(node)
            if names and names[0] in aliases:
                module = aliases[names[0]]
                for name in names[1:]:
                    if not _is_module(f"{module}.{name}"):
                        break
                    module = f"{module}.{name}"
                    used.add(module)
    return used


def _covered(module: str, patterns: set[str]) -> bool:
    parts = module.split(".")
    return module in patterns or any(".".join(parts[:i]) + ".*" in patterns for i in range(1, len(parts) + 1))


def test_every_sdk_subpackage_the_code_uses_is_type_checked() -> None:
    patterns = _followed()
    missing: dict[str, set[str]] = {}
    for path in _checked_files():
        for module in _used_subpackages(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            # the module and every package on the way to it: a skipped package hides what is under it
            for i in range(1, len(parts) + 1):
                if not _covered(".".join(parts[:i]), patterns):
                    missing.setdefault(".".join(parts[:i]), set()).add(str(path.relative_to(PROJECT_ROOT)))
    assert not missing, f"add to the followed SDK modules in pyproject.toml's [tool.mypy] overrides: {missing}"


def test_every_listed_sdk_subpackage_is_used() -> None:
    used = {m for path in _checked_files() for m in _used_subpackages(ast.parse(path.read_text(encoding="utf-8")))}
    # Packages only: the SDKs' own modules (_utilities, provider, shared inputs) serve what is used.
    listed = {p.removesuffix(".*") for p in _followed()} - set(SDKS)
    packages = {m for m in listed if _sdk_root(m.split(".")[0]).joinpath(*m.split(".")[1:]).is_dir()}
    unused = {m for m in packages if not any(u == m or u.startswith(f"{m}.") for u in used)}
    assert not unused, f"listed for mypy in pyproject.toml but used nowhere (remove them): {sorted(unused)}"
