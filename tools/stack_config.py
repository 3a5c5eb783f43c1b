"""Load a stack's configuration the way the Pulumi engine hands it to the program.

The engine merges project-level values from `Pulumi.yaml` (`config:` entries with a `value`
or `default`) with the stack's `Pulumi.<stack>.yaml`, qualifies bare keys with the project
name, and passes every value as a string: scalars as text, objects and lists as JSON.

The Pulumi CLI reads those files with a strict YAML parser: a key written twice is an error, not
"the last one wins". This loader refuses the same files, so the offline preview and a real one
never disagree about what a stack file says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_PLACEHOLDER = "[secret]"


class StackFileError(LookupError):
    """A stack or project file that is missing or that the Pulumi CLI would refuse to read."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys as the Pulumi CLI's parser does."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r} (first at line {seen[key]})", problem_mark=key_node.start_mark
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> dict[str, Any]:
    """A Pulumi YAML file as data; StackFileError with `file:line: problem` when it does not parse."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise StackFileError(f"{where}: {exc.problem or exc.context}") from None
    if data is not None and not isinstance(data, dict):
        raise StackFileError(f"{path.name}:1: expected a map of settings, found {type(data).__name__}")
    return data or {}


def project_name(root: Path = PROJECT_ROOT) -> str:
    return str(read_yaml(root / "Pulumi.yaml")["name"])


def available_stacks(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


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
    project_file = read_yaml(root / "Pulumi.yaml")
    project = str(project_file["name"])
    stack_path = root / f"Pulumi.{stack}.yaml"
    if not stack_path.is_file():
        raise StackFileError(f"no stack file {stack_path.name} (stacks here: {', '.join(available_stacks(root))})")

    values: dict[str, str] = {}
    for key, declaration in (project_file.get("config") or {}).items():
        if isinstance(declaration, dict) and ("value" in declaration or "default" in declaration):
            values[_qualify(key, project)] = _as_engine_value(declaration.get("value", declaration.get("default")))
        elif not isinstance(declaration, dict):
            values[_qualify(key, project)] = _as_engine_value(declaration)
    settings = read_yaml(stack_path).get("config") or {}
    if not isinstance(settings, dict):
        raise StackFileError(f"{stack_path.name}: `config:` is not a map of keys to values")
    for key, value in settings.items():
        values[_qualify(str(key), project)] = _as_engine_value(value)
    return values
