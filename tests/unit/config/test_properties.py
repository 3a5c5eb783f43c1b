"""Configs hypothesis draws from the model's own types and bounds either evaluate to a graph or stop
with keyed messages: never a traceback, never an internal name.

Each example starts from a committed stack and redraws a few of its values (and some of the
defaults it leaves out) from what the model declares for them: the choices of an enum, the range
of a number, either truth value, free text. Many draws are valid; the rest are exactly the
plausible-looking values a cross-field check or a field rule must catch.
"""

from __future__ import annotations

import json
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from components.config.errors import GCP_KEYS, NAMESPACE, fields_of, unwrap
from components.config.platform import PlatformConfig
from tests.corpus.test_bad_configs import INTERNALS
from tests.helpers import names_a_leaf
from tools.graph import ProgramError, evaluate
from tools.stack_config import load_stack_config

Path = tuple[str, ...]


def _leaves(model: type[BaseModel], example: Any, path: Path = ()) -> list[tuple[Path, FieldInfo]]:
    """Every scalar field reachable from `model`, following the example's map entries (tier names)."""
    found = []
    for key, field in fields_of(model).items():
        annotation = unwrap(field.annotation)
        value = example.get(key) if isinstance(example, dict) else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _leaves(annotation, value or {}, (*path, key))
        elif get_origin(annotation) is dict and isinstance(value, dict):
            entry = unwrap(get_args(annotation)[-1])
            if isinstance(entry, type) and issubclass(entry, BaseModel):
                for name, item in value.items():
                    found += _leaves(entry, item, (*path, key, name))
        elif get_origin(annotation) is Literal or annotation in (bool, int, float, str):
            found.append(((*path, key), field))
    return found


def _bound(field: FieldInfo, name: str) -> Any:
    return next((getattr(m, name) for m in field.metadata if getattr(m, name, None) is not None), None)


def _values(field: FieldInfo) -> st.SearchStrategy[Any]:
    """What the model itself says may go in this field."""
    annotation = unwrap(field.annotation)
    if get_origin(annotation) is Literal:
        return st.sampled_from(get_args(annotation))
    if annotation is bool:
        return st.booleans()
    low = _bound(field, "ge") if _bound(field, "ge") is not None else _bound(field, "gt")
    high = _bound(field, "le") if _bound(field, "le") is not None else _bound(field, "lt")
    if annotation is int:
        return st.integers(min_value=low if low is not None else -10, max_value=high if high is not None else 10**6)
    if annotation is float:
        return st.floats(min_value=low or 0.0, max_value=high or 1e4, allow_nan=False)
    return st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-./:", max_size=24)


def _set(data: dict[str, Any], path: Path, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _as_engine_config(data: dict[str, Any]) -> dict[str, str]:
    return {
        GCP_KEYS.get(key, f"{NAMESPACE}:{key}"): value if isinstance(value, str) else json.dumps(value)
        for key, value in data.items()
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_drawn_configs_evaluate_or_stop_with_keyed_messages(stack: str, data: st.DataObject) -> None:
    engine = load_stack_config(stack)
    base: dict[str, Any] = {}
    for key, value in engine.items():
        name = next((f for f, k in GCP_KEYS.items() if k == key), key.removeprefix(f"{NAMESPACE}:"))
        base[name] = json.loads(value) if value[:1] in "{[" else value
    leaves = _leaves(PlatformConfig, base)
    for path, field in data.draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=3, unique_by=lambda x: x[0])):
        _set(base, path, data.draw(_values(field), label=".".join(path)))
    try:
        graph = evaluate(stack, config=_as_engine_config(base))
    except ProgramError as exc:
        assert exc.registered == 0
        message = str(exc)
        assert not INTERNALS.search(message), message
        for line in message.splitlines()[1:]:
            key = line.strip().split(": ", 1)[0]
            assert key.startswith((f"{NAMESPACE}:", "gcp:")) and names_a_leaf(key), line
        event("rejected with keyed messages")
        return
    assert graph.resources
    event("evaluated to a graph")
