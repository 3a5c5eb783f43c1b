"""Load a stack's configuration the way the Pulumi engine hands it to the program.

The engine merges project-level values from `Pulumi.yaml` (`config:` entries with a `value`
or `default`) with the stack's `Pulumi.<stack>.yaml`, qualifies bare keys with the project
name, and passes every value as a string: scalars as text, objects and lists as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_PLACEHOLDER = "[secret]"


class StackNotFoundError(LookupError):
    pass


def project_name(root: Path = PROJECT_ROOT) -> str:
    return str(_read_yaml(root / "Pulumi.yaml")["name"])


def available_stacks(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _opaque_secrets(value: Any) -> Any:
    """Every `{secure: ...}`, top-level or nested (`pulumi config set --secret --path`), as opaque text:
    offline runs cannot decrypt secrets, so the program only ever sees them as a placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _opaque_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_opaque_secrets(v) for v in value]
    return value


def _as_engine_value(value: Any) -> str:
    value = _opaque_secrets(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def load_stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Every config value of `stack`, fully qualified, as the engine would pass it."""
    project_file = _read_yaml(root / "Pulumi.yaml")
    project = str(project_file["name"])
    stack_path = root / f"Pulumi.{stack}.yaml"
    if not stack_path.is_file():
        raise StackNotFoundError(f"no stack file {stack_path.name} (stacks here: {', '.join(available_stacks(root))})")

    values: dict[str, str] = {}
    for key, declaration in (project_file.get("config") or {}).items():
        if isinstance(declaration, dict) and ("value" in declaration or "default" in declaration):
            values[_qualify(key, project)] = _as_engine_value(declaration.get("value", declaration.get("default")))
        elif not isinstance(declaration, dict):
            values[_qualify(key, project)] = _as_engine_value(declaration)
    for key, value in (_read_yaml(stack_path).get("config") or {}).items():
        values[_qualify(key, project)] = _as_engine_value(value)
    return values
