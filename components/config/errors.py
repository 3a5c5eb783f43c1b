"""Pydantic validation errors -> one `fully.qualified.key: what is wrong (allowed: ...)` line each.

Keys are written the way `pulumi config set --path` takes them (`llm-platform:a.b[0].c`), every
line shows the value given where there is one, and no Python class name or internal path
reaches the user.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Mapping
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from components.config.fields import FieldError, MultiFieldError

NAMESPACE = "llm-platform"
# Model fields that are read from the Google provider's own keys, not from this project's namespace.
GCP_KEYS = {"project": "gcp:project", "region": "gcp:region", "zone": "gcp:zone"}

Location = tuple[int | str, ...]


class ConfigError(ValueError):
    """A stack configuration that cannot be deployed; the message lists every problem."""


def key_for(loc: Location) -> str:
    """The fully qualified config key of a location in the model tree, in `--path` syntax."""
    parts = [part for part in loc if part != "[key]"]
    if not parts:
        return NAMESPACE
    head, *rest = parts
    key = GCP_KEYS.get(str(head), f"{NAMESPACE}:{head}")
    for part in rest:
        key += f"[{part}]" if isinstance(part, int) else f".{part}"
    return key


def set_command(key: str) -> str:
    """A `pulumi config set` command that works for `key` (nested keys need `--path`)."""
    nested = "." in key.split(":", 1)[1] or "[" in key
    return f"pulumi config set --path '{key}' VALUE" if nested else f"pulumi config set {key} VALUE"


def unwrap(annotation: Any) -> Any:
    """`Annotated[X, ...]` -> X and `X | None` -> X."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def fields_of(model: type[BaseModel]) -> dict[str, Any]:
    """A model's fields by the key users type (the camelCase alias)."""
    return {field.alias or name: field for name, field in model.model_fields.items()}


def model_at(root: type[BaseModel], loc: Location) -> type[BaseModel] | None:
    """The model class that the config path `loc` points into, if it is one."""
    current = annotation_at(root, loc)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def annotation_at(root: type[BaseModel], loc: Location) -> Any:
    """The (unwrapped) type of the value at `loc`, or None when `loc` leads nowhere."""
    current: Any = root
    for part in loc:
        if part == "[key]":
            return str
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = fields_of(current)
            if str(part) not in fields:
                return None
            current = unwrap(fields[str(part)].annotation)
        elif get_origin(current) in (dict, list):  # the key or index selects the value
            current = unwrap(get_args(current)[-1])
        else:
            return None
    return current


def _range_of(root: type[BaseModel], loc: Location) -> str:
    model = model_at(root, loc[:-1])
    if model is None:
        return ""
    bounds: dict[str, Any] = {}
    for item in getattr(fields_of(model).get(str(loc[-1])), "metadata", []):
        for bound in ("ge", "gt", "le", "lt"):
            if getattr(item, bound, None) is not None:
                bounds[bound] = getattr(item, bound)
    low = f"{bounds['ge']} <= " if "ge" in bounds else f"{bounds['gt']} < " if "gt" in bounds else ""
    high = f" <= {bounds['le']}" if "le" in bounds else f" < {bounds['lt']}" if "lt" in bounds else ""
    return f"{low}value{high}" if low or high else ""


def _choices(root: type[BaseModel], loc: Location) -> list[str]:
    annotation = annotation_at(root, loc)
    return [str(c) for c in get_args(annotation)] if get_origin(annotation) is Literal else []


def _shape(value: Any) -> str:
    """What a YAML value is, in the user's words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a map of keys"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


def _expected(root: type[BaseModel], loc: Location) -> str:
    """What belongs at `loc`, in the user's words."""
    annotation = annotation_at(root, loc)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"a map with the keys {', '.join(sorted(fields_of(annotation)))}"
    origin = get_origin(annotation)
    if origin is dict:
        return "a map of names to values"
    if origin is list:
        return "a list"
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    return names.get(annotation, "a value of another kind")


def _field_problems(error: Mapping[str, Any]) -> list[tuple[Location, str]]:
    """A cross-field check's problems, each moved down to the field it names."""
    loc = tuple(error["loc"])
    raised = error.get("ctx", {}).get("error")
    problems = raised.problems if isinstance(raised, MultiFieldError) else [raised]
    if not all(isinstance(p, FieldError) for p in problems):
        return []
    located: list[tuple[Location, str]] = []
    for problem in problems:
        path = tuple(int(p) if p.isdigit() else p for p in problem.field.split("."))
        located.append(((*loc, *path), str(problem)))
    return located


_TYPE_ERRORS = {
    "bool_parsing",
    "bool_type",
    "int_parsing",
    "int_type",
    "int_from_float",
    "float_parsing",
    "float_type",
    "string_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "list_type",
}
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _quote_hint(kind: str, given: Any) -> str:
    """Text written without quotes that YAML read as a number: say how to keep it text."""
    if kind != "string_type" or isinstance(given, bool) or not isinstance(given, (int, float)):
        return ""
    hint = f' (quote it in the stack file: "{given}"'
    if isinstance(given, float):
        hint += "; unquoted, YAML reads it as a number and drops trailing zeros: 1.10 becomes 1.1"
    return hint + ")"


def describe(error: Mapping[str, Any], root: type[BaseModel]) -> list[str]:
    """The lines for one pydantic error of a `root` model validation."""
    loc = tuple(error["loc"])
    kind = error["type"]
    key = key_for(loc)
    given = error.get("input")
    if kind == "extra_forbidden":
        model = model_at(root, loc[:-1])
        allowed = sorted(f for f in fields_of(model) if f not in GCP_KEYS) if model else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]}? " if close else ""
        return [f"{key}: unknown key ({hint}allowed: {', '.join(allowed)})"]
    if kind == "missing":
        annotation = annotation_at(root, loc)
        if get_origin(annotation) is dict or model_at(root, loc):
            entry = ".NAME.KEY" if get_origin(annotation) is dict else ".KEY"
            example = f"pulumi config set --path '{key}{entry}' VALUE"
            return [f"{key}: required but not set (allowed: {_expected(root, loc)}; set one with `{example}`)"]
        options = ", ".join(_choices(root, loc))
        hint = f"allowed: {options}; " if options else ""
        return [f"{key}: required but not set ({hint}set it with `{set_command(key)}`)"]
    if kind == "value_error" and (moved := _field_problems(error)):
        return [f"{key_for(field_loc)}: {message}" for field_loc, message in moved]
    if kind == "literal_error":
        return [f"{key}: {given!r} is not a valid choice (allowed: {', '.join(_choices(root, loc))})"]
    if kind in _TYPE_ERRORS:
        shown = "" if isinstance(given, (Mapping, list)) else f"{given!r} is "
        return [f"{key}: {shown}{_shape(given)}, not {_expected(root, loc)}{_quote_hint(kind, given)}"]
    if kind in _RANGE_ERRORS and _range_of(root, loc):
        return [f"{key}: {given!r} is out of range (allowed: {_range_of(root, loc)})"]
    if kind == "too_short":
        minimum = error["ctx"]["min_length"]
        return [f"{key}: is empty (allowed: at least {minimum} {'entry' if minimum == 1 else 'entries'})"]
    if kind == "string_too_short":
        return [f"{key}: is empty (allowed: at least {error['ctx']['min_length']} character)"]
    message = str(error["msg"]).removeprefix("Value error, ")
    return [f"{key}: {message}"]


def all_models(model: type[BaseModel]) -> set[type[BaseModel]]:
    """Every model class reachable from `model` through its fields."""
    found = {model}
    for field in model.model_fields.values():
        annotation = unwrap(field.annotation)
        for candidate in (annotation, *typing.get_args(annotation)):
            candidate = unwrap(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and candidate not in found:
                found |= all_models(candidate)
    return found
