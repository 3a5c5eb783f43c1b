"""Pydantic validation errors -> one `fully.qualified.key: what is wrong (allowed: ...)` line each."""

from __future__ import annotations

from collections.abc import Mapping
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from components.config.fields import FieldError, MultiFieldError

NAMESPACE = "llm-platform"
# Model fields that are read from the Google provider's own keys, not from this project's namespace.
GCP_KEYS = {"project": "gcp:project", "region": "gcp:region", "zone": "gcp:zone"}

Location = tuple[int | str, ...]


class ConfigError(ValueError):
    """A stack configuration that cannot be deployed; the message lists every problem."""


def key_for(loc: Location) -> str:
    """The fully qualified config key of a location in the model tree."""
    if not loc:
        return NAMESPACE
    head, *rest = (str(part) for part in loc if part != "[key]")
    root = GCP_KEYS.get(head, f"{NAMESPACE}:{head}")
    return ".".join([root, *rest])


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
    return {field.alias or name: field for name, field in model.model_fields.items()}


def model_at(root: type[BaseModel], loc: Location) -> type[BaseModel] | None:
    """The model class that the config path `loc` points into, if it is one."""
    current: Any = root
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = fields_of(current)
            if str(part) not in fields:
                return None
            current = unwrap(fields[str(part)].annotation)
        elif get_args(current):  # dict[str, Model] or list[Model]: the key or index selects the value
            current = unwrap(get_args(current)[-1])
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


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


def _field_problems(error: Mapping[str, Any]) -> list[tuple[Location, str]]:
    """A cross-field check's problems, each moved down to the field it names."""
    loc = tuple(error["loc"])
    raised = error.get("ctx", {}).get("error")
    problems = raised.problems if isinstance(raised, MultiFieldError) else [raised]
    if not all(isinstance(p, FieldError) for p in problems):
        return []
    return [((*loc, *p.field.split(".")), str(p)) for p in problems]


def describe(error: Mapping[str, Any], root: type[BaseModel]) -> list[str]:
    """The lines for one pydantic error of a `root` model validation."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        model = model_at(root, loc[:-1])
        allowed = sorted(f for f in fields_of(model) if f not in GCP_KEYS) if model else []
        return [f"{key_for(loc)}: unknown key (allowed: {', '.join(allowed)})"]
    if kind == "missing":
        key = key_for(loc)
        return [f"{key}: required but not set (set it with `pulumi config set {key} <value>`)"]
    if kind == "value_error" and (moved := _field_problems(error)):
        return [f"{key_for(field_loc)}: {message}" for field_loc, message in moved]
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "too_short":
        message = f"is empty (allowed: at least {error['ctx']['min_length']} entry)"
    if not loc:  # whole-stack checks name their own keys
        return message.splitlines()
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal") and _range_of(root, loc):
        return [f"{key_for(loc)}: {error['input']!r} is out of range (allowed: {_range_of(root, loc)})"]
    return [f"{key_for(loc)}: {message}"]
