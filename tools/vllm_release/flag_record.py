"""One `add_argument(...)` call -> the flag's record: names, type, default, choices, nargs, help. Pure.

Also the state the parser reader (`flags.py`) keeps per config field while it runs the builders.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Protocol

from tools.vllm_release.pysource import Module, SourceIndex, UnresolvedError, call_name

KEYS = ("unresolved", "type", "optional", "default", "choices", "metavar", "nargs", "const", "action", "dest", "help")
_STRING_METHODS = ("replace", "lower", "upper", "strip", "removeprefix")
_NAMED_TYPES = {"BooleanOptionalAction": "BooleanOptionalAction", "loads": "json"}


class FlagError(ValueError):
    """The parser builders do something this reader does not follow."""


def jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


@dataclass
class ConfigField:
    owner: str
    name: str
    path: str
    line: int
    default: Any
    constraints: dict[str, Any]
    help: str
    kwargs: dict[str, Any]
    values: list[Any] | None  # the Literal options the type checker sees (documented, maybe not enforced)


@dataclass
class FieldKwargs:
    """One field's argparse settings as the builder holds and changes them."""

    source: ConfigField | None
    kwargs: dict[str, Any] = field(default_factory=dict)
    computed: set[str] = field(default_factory=set)  # keys set to values only the running parser knows


def describe(module: Module, reader: Reader, node: ast.expr) -> Any:
    """An argparse keyword's value as data: literals as themselves, types and actions by name."""
    if isinstance(node, ast.Name) and node.id in ("int", "str", "float", "bool"):
        return node.id
    if isinstance(node, ast.Attribute) and node.attr in _NAMED_TYPES:
        return _NAMED_TYPES[node.attr]
    if isinstance(node, ast.Call) and call_name(node) == "optional_type" and node.args:
        inner = describe(module, reader, node.args[0])
        return f"optional:{inner}" if isinstance(inner, str) else inner
    return reader.value(module, node)


class Reader(Protocol):
    index: SourceIndex

    def value(self, module: Module, node: ast.expr | None) -> Any: ...

    def kwargs_of(self, module: Module, node: ast.expr, env: dict[str, Any]) -> FieldKwargs | None: ...


def _evaluate(reader: Reader, module: Module, node: ast.expr, env: dict[str, Any]) -> Any:
    """A flag name: a literal, a bound loop variable, or an f-string over them (`f"--{key.replace('_', '-')}"`)."""
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            value = part.value if isinstance(part, ast.FormattedValue) else part
            parts.append(str(_evaluate(reader, module, value, env)))
        return "".join(parts)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STRING_METHODS
        and not node.keywords
    ):
        target = _evaluate(reader, module, node.func.value, env)
        args = [_evaluate(reader, module, a, env) for a in node.args]
        if isinstance(target, str):
            return getattr(target, node.func.attr)(*args)
    return reader.index.literal(module, node)


def _spread(
    reader: Reader, module: Module, node: ast.expr, env: dict[str, Any]
) -> tuple[dict[str, Any], FieldKwargs | None]:
    """`**k["f"]`, `**held`, or `**{**k["f"], "default": None}`: the settings it spreads."""
    if isinstance(node, ast.Dict):
        merged: dict[str, Any] = {}
        source = None
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                spread, source = _spread(reader, module, value, env)
                merged.update(spread)
            else:
                merged[reader.value(module, key)] = describe(module, reader, value)
                if source is not None:
                    source.computed.discard(reader.value(module, key))
        return merged, source
    held = reader.kwargs_of(module, node, env)
    if not isinstance(held, FieldKwargs):
        raise UnresolvedError(ast.unparse(node))
    return dict(held.kwargs), held


def flag_record(reader: Reader, module: Module, call: ast.Call, env: dict[str, Any]) -> dict[str, Any] | None:
    try:
        names: list[str] = []
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                names += list(_evaluate(reader, module, arg.value, env) or [])
            else:
                names.append(_evaluate(reader, module, arg, env))
        kwargs: dict[str, Any] = {}
        source: FieldKwargs | None = None
        for kw in call.keywords:
            if kw.arg is None:
                spread, held = _spread(reader, module, kw.value, env)
                kwargs.update(spread)
                source = held or source
            else:
                kwargs[kw.arg] = describe(module, reader, kw.value)
    except UnresolvedError as exc:
        raise FlagError(f"{module.path}:{call.lineno}: cannot read add_argument({exc})") from None
    flags = [n for n in names if isinstance(n, str) and n.startswith("-")]
    long = [f for f in flags if f.startswith("--")]
    name = (long or flags or names)[0]
    record: dict[str, Any] = {
        "name": name,
        "aliases": [f for f in flags if f != name],
        "positional": not flags,
        "file": module.path,
        "line": call.lineno,
    }
    for key in KEYS:
        if key in kwargs:
            value = kwargs[key]
            record[key] = " ".join(value.split()) if key == "help" and isinstance(value, str) else value
    if record.get("action") in ("store_true", "store_false"):
        record.setdefault("default", record["action"] == "store_false")
    computed = sorted(k for k in (source.computed if source else set()) if k not in _explicit(call))
    if computed:
        record["computed"] = computed
    if source is not None and source.source is not None:
        field = source.source
        record["config"] = {
            "class": field.owner,
            "field": field.name,
            "file": field.path,
            "line": field.line,
            "default": field.default,
            "constraints": field.constraints,
        }
        if field.values and "choices" not in record:
            record["values"] = field.values
    return record


def _explicit(call: ast.Call) -> set[str]:
    return {kw.arg for kw in call.keywords if kw.arg is not None}
