"""vLLM's config dataclass fields -> the argparse settings `vllm.engine.arg_utils.get_kwargs` makes of them.

A port of `_compute_kwargs`, `get_type_hints`, `literal_to_kwargs` and `collection_to_kwargs` (vLLM
`vllm/engine/arg_utils.py`) from objects to syntax trees. The port is only as good as its match with
those functions, so `tools/vllm_release/review.py` pins their source: a release that changes them
stops the extraction until this module is re-read against them. Pure.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from tools.vllm_release.pysource import Module, SourceIndex, UnresolvedError, View

BUILTINS = ("bool", "str", "int", "float", "dict", "list", "tuple", "set", "bytes")
_UNION = ("Union", "Optional")
_NOT_FIELDS = ("ClassVar", "InitVar")
# `_compute_kwargs` gives these int fields human-readable parsers (`1k`, `2M`; `auto` or -1 for the first).
HUMAN_READABLE = {
    "max_model_len": "human_readable_int_or_auto",
    "max_num_batched_tokens": "human_readable_int",
    "kv_cache_memory_bytes": "human_readable_int",
    "safetensors_prefetch_block_size": "human_readable_int",
}


class NotAFieldError(Exception):
    """`ClassVar[...]` and `InitVar[...]` annotations: not in `dataclasses.fields()`."""


@dataclass(frozen=True)
class Hint:
    kind: str  # a builtin name, "None", "literal" or "class"
    values: tuple[Any, ...] = ()  # literal options, or element hints of a collection
    name: str = ""
    dataclass: bool = False


def _base(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


class HintReader:
    def __init__(self, index: SourceIndex, view: View) -> None:
        self.index = index
        self.view = view

    def hints(self, module: Module, node: ast.expr, depth: int = 0) -> frozenset[Hint]:
        """The flattened union of an annotation, as `get_type_hints` flattens Annotated and Union."""
        if depth > 20:
            raise UnresolvedError(ast.unparse(node))
        if isinstance(node, ast.Constant) and node.value is None:
            return frozenset({Hint("None")})
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self.hints(module, ast.parse(node.value, mode="eval").body, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.hints(module, node.left, depth + 1) | self.hints(module, node.right, depth + 1)
        if isinstance(node, ast.Subscript):
            return self._subscript(module, node, depth)
        if isinstance(node, ast.Name) and node.id in BUILTINS:
            return frozenset({Hint(node.id)})
        if isinstance(node, ast.Name | ast.Attribute):
            return self._named(module, node, depth)
        return frozenset({Hint("class", name=ast.unparse(node))})

    def _subscript(self, module: Module, node: ast.Subscript, depth: int) -> frozenset[Hint]:
        base = _base(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base in _NOT_FIELDS:
            raise NotAFieldError(base)
        if base == "Literal":
            return frozenset({Hint("literal", tuple(v for a in args for v in self._options(module, a, depth)))})
        if base == "Annotated":
            return self.hints(module, args[0], depth + 1)
        if base in _UNION:
            found = frozenset().union(*(self.hints(module, a, depth + 1) for a in args))
            return found | {Hint("None")} if base == "Optional" else found
        kind = base.lower()
        if kind in ("list", "tuple", "set"):
            elements = tuple(
                "..." if isinstance(a, ast.Constant) and a.value is Ellipsis else self.hints(module, a, depth + 1)
                for a in args
            )
            return frozenset({Hint(kind, elements)})
        if kind == "dict":
            return frozenset({Hint("dict")})
        return frozenset({Hint("class", name=ast.unparse(node.value))})

    def _options(self, module: Module, node: ast.expr, depth: int) -> tuple[Any, ...]:
        """A Literal's argument: a value, or another Literal it nests (`Literal["auto", RunnerType]`)."""
        try:
            return (self.index.literal(module, node),)
        except UnresolvedError:
            nested = self.hints(module, node, depth + 1)
            if all(h.kind == "literal" for h in nested):
                return tuple(v for h in nested for v in h.values)
            raise

    def _named(self, module: Module, node: ast.Name | ast.Attribute, depth: int) -> frozenset[Hint]:
        try:
            if isinstance(node, ast.Name):
                where, value = self.index.lookup(module, node.id, self.view)
            else:
                where, value = self.index.attribute(module, node, self.view)
        except UnresolvedError:
            return frozenset({Hint("class", name=ast.unparse(node))})
        if isinstance(value, ast.ClassDef):
            return frozenset({Hint("class", name=value.name, dataclass=self.is_dataclass(where, value))})
        if isinstance(value, ast.expr):
            if isinstance(value, ast.Call):  # NewType, TypeVar, LazyLoader...: an object, not an alias
                return frozenset({Hint("class", name=ast.unparse(node))})
            return self.hints(where, value, depth + 1)
        return frozenset({Hint("class", name=ast.unparse(node))})

    def is_dataclass(self, module: Module, cls: ast.ClassDef, depth: int = 0) -> bool:
        """Decorated `@dataclass` / `@config` (vLLM's pydantic dataclass), or inheriting from one."""
        for decorator in cls.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if _base(target) in ("dataclass", "config"):
                return True
        for base in cls.bases:
            try:
                where, value = (
                    self.index.lookup(module, base.id, self.view)
                    if isinstance(base, ast.Name)
                    else self.index.attribute(module, base, self.view)
                    if isinstance(base, ast.Attribute)
                    else (module, None)
                )
            except UnresolvedError:
                continue
            if isinstance(value, ast.ClassDef) and depth < 10 and self.is_dataclass(where, value, depth + 1):
                return True
        return False


def _python_type(value: Any) -> str:
    return type(value).__name__


def _literal_kwargs(hints: frozenset[Hint]) -> dict[str, Any]:
    options = next(h for h in hints if h.kind == "literal").values
    if len({type(o) for o in options}) > 1:
        raise UnresolvedError(f"Literal{list(options)} mixes types, which vLLM's parser refuses")
    key = "metavar" if any(h.kind == "str" for h in hints) else "choices"
    return {"type": _python_type(options[0]), key: sorted(options)}


def _collection_kwargs(hint: Hint) -> dict[str, Any]:
    elements = [e for e in hint.values if e != "..."]
    element = elements[0] if elements else frozenset({Hint("str")})
    kinds = {h.kind for h in element}
    if len(element) > 1:
        if "str" not in kinds:
            raise UnresolvedError(f"{hint.kind} of a union without str, which vLLM's parser refuses")
        element = frozenset({Hint("str")})
    nargs: Any = "+" if hint.kind != "tuple" or "..." in hint.values else len(hint.values)
    only = next(iter(element))
    if only.kind == "literal":
        return {**_literal_kwargs(element), "nargs": nargs}
    return {"type": only.name if only.kind == "class" else only.kind, "nargs": nargs}


def argparse_kwargs(name: str, hints: frozenset[Hint]) -> dict[str, Any]:
    """What `_compute_kwargs` sets besides default and help, described as data."""
    kinds = {h.kind for h in hints}
    dataclass_hint = next((h for h in hints if h.kind == "class" and h.dataclass), None)
    kwargs: dict[str, Any]
    if dataclass_hint is not None:
        kwargs = {"type": f"json:{dataclass_hint.name}"}
    elif kinds == {"bool", "str", "None"}:
        kwargs = {"type": "str", "nargs": "?", "const": True}
    elif "bool" in kinds:
        kwargs = {"action": "BooleanOptionalAction"}
    elif "literal" in kinds:
        kwargs = _literal_kwargs(hints)
    elif kinds & {"tuple", "list", "set"}:
        kind = next(k for k in ("tuple", "list", "set") if k in kinds)
        kwargs = _collection_kwargs(next(h for h in hints if h.kind == kind))
    elif "int" in kinds:
        kwargs = {"type": HUMAN_READABLE.get(name, "int")}
    elif "float" in kinds:
        kwargs = {"type": "float"}
    elif "dict" in kinds:
        kwargs = {"type": "json_or_str" if kinds & {"str", "class"} else "json"}
    elif kinds & {"str", "class"}:
        kwargs = {"type": "str"}
    else:
        raise UnresolvedError(f"{name}: no argparse type for {sorted(kinds)}")
    if "None" in kinds and "bool" not in kinds:
        kwargs["optional"] = True  # `optional_type`: "" and "None" parse to None
        if kwargs.get("choices"):
            kwargs["choices"] = [*kwargs["choices"], "None"]
    return kwargs


def literal_values(hints: frozenset[Hint]) -> list[Any] | None:
    """The options of the Literals in a hint, elements of collections included (the documented values)."""
    found: list[Any] = []
    for hint in hints:
        if hint.kind == "literal":
            found += hint.values
        elif hint.kind in ("list", "tuple", "set"):
            for element in hint.values:
                if element != "...":
                    found += literal_values(element) or []
    return sorted(set(found), key=str) if found else None
