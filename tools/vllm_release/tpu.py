"""What the TPU platform (vllm-project/tpu-inference) accepts and reads, from its syntax trees. Pure.

- `TpuPlatform.supported_quantization`: vLLM's `Platform.verify_quantization` refuses any other
  `--quantization` (or checkpoint `quant_method`) on TPU;
- the methods `get_tpu_quantization_config` maps to TPU implementations (None: unquantized);
- the compile cache: the `jax.config.update("jax_compilation_cache_dir", <env>)` calls and the `if`s
  around them, and the default vLLM gives that variable;
- every environment variable the two `envs.py` modules declare (`environment_variables`).
"""

from __future__ import annotations

import ast
from typing import Any

from tools.vllm_release.pysource import Module, SourceIndex, UnresolvedError, call_name, conditions

PLATFORM = "tpu_inference/platforms/tpu_platform.py"
QUANTIZATION_MAP = ("tpu_inference/layers/vllm/quantization/__init__.py", "get_tpu_quantization_config")
LKG_FILE = ".buildkite/vllm_lkg.version"


class TpuError(ValueError):
    """The TPU platform's source does not have the shape this reader expects."""


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """`name = value` or `name: T = value` -> (name, value); anything else -> (None, None)."""
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    return None, None


def supported_quantization(index: SourceIndex) -> dict[str, Any]:
    module = index.by_path(PLATFORM)
    for cls in module.classes().values():
        for stmt in cls.body:
            name, value = _assignment(stmt)
            if name == "supported_quantization" and value is not None:
                return {
                    "methods": list(index.literal(module, value)),
                    "file": module.path,
                    "line": stmt.lineno,
                    "class": cls.name,
                }
    raise TpuError(f"{PLATFORM} defines no supported_quantization")


def quantization_map(index: SourceIndex) -> dict[str, Any]:
    """The keys of the method -> config dict in `get_tpu_quantization_config` (None stays None)."""
    module = index.by_path(QUANTIZATION_MAP[0])
    for node in ast.walk(module.tree):
        if isinstance(node, ast.FunctionDef) and node.name == QUANTIZATION_MAP[1]:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Dict) and inner.keys and all(k is not None for k in inner.keys):
                    keys = [index.literal(module, k) for k in inner.keys if k is not None]
                    return {"methods": keys, "file": module.path, "line": inner.lineno}
    raise TpuError(f"{QUANTIZATION_MAP[0]} has no {QUANTIZATION_MAP[1]}() mapping")


def _env_name(module: Module, node: ast.expr) -> str | None:
    """`vllm_envs.VLLM_XLA_CACHE_PATH` / `envs.X` -> the variable's name."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and "envs" in node.value.id:
        return node.attr
    return None


def compile_cache(index: SourceIndex, package: str = "tpu_inference") -> list[dict[str, Any]]:
    found = []
    for name in index.names():
        if not name.startswith(package) or "jax_compilation_cache_dir" not in index.text(name):
            continue
        module = index.module(name)
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and call_name(node) == "update" and len(node.args) == 2):
                continue
            try:
                setting = index.literal(module, node.args[0])
            except UnresolvedError:
                continue
            if setting == "jax_compilation_cache_dir":
                found.append(
                    {
                        "setting": setting,
                        "env": _env_name(module, node.args[1]),
                        "value": ast.unparse(node.args[1]),
                        "conditions": conditions(module, node),
                        "file": module.path,
                        "line": node.lineno,
                    }
                )
    return found


def declared_environment(index: SourceIndex, path: str) -> dict[str, dict[str, Any]]:
    """`environment_variables = {"NAME": lambda: ..., ...}` in an `envs.py` -> name -> its reader's source."""
    module = index.by_path(path)
    for stmt in module.tree.body:
        name, table = _assignment(stmt)
        if name == "environment_variables" and isinstance(table, ast.Dict):
            declared = {}
            for key, value in zip(table.keys, table.values, strict=True):
                if key is None:
                    continue
                reader = value.body if isinstance(value, ast.Lambda) else value
                declared[index.literal(module, key)] = {
                    "line": key.lineno,
                    "reads": " ".join(ast.unparse(reader).split()),
                }
            return dict(sorted(declared.items()))
    raise TpuError(f"{path} has no environment_variables dict")
