"""A release's Python source as syntax trees: modules, their top-level names, literal values. Pure.

Nothing is imported or executed. A module's names are read in two views, because vLLM often writes
`if TYPE_CHECKING: from x import Alias` / `else: Alias = str`: `runtime` is what the interpreter (and
so argparse) sees, `typing` is what the type checker sees (the documented values of a `Literal`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

View = Literal["runtime", "typing"]


class UnresolvedError(ValueError):
    """An expression whose value the source alone does not fix (a call, an environment variable...)."""


@dataclass(frozen=True)
class Import:
    module: str
    name: str | None  # None: the module itself (`import a.b as c`)


@dataclass
class Module:
    name: str
    path: str
    tree: ast.Module
    _bindings: dict[View, dict[str, ast.expr | Import]] = field(default_factory=dict)
    _parents: dict[ast.AST, ast.AST] | None = None

    def bindings(self, view: View) -> dict[str, ast.expr | Import]:
        """Module-level names -> the expression assigned (last wins) or the import that binds them."""
        if view not in self._bindings:
            found: dict[str, ast.expr | Import] = {}
            _collect(self.tree.body, self, view, found)
            self._bindings[view] = found
        return self._bindings[view]

    def parent(self, node: ast.AST) -> ast.AST | None:
        if self._parents is None:
            self._parents = {child: p for p in ast.walk(self.tree) for child in ast.iter_child_nodes(p)}
        return self._parents.get(node)

    def classes(self) -> dict[str, ast.ClassDef]:
        return {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}

    def enclosing(self, node: ast.AST, kinds: tuple[type, ...]) -> ast.AST | None:
        current = self.parent(node)
        while current is not None and not isinstance(current, kinds):
            current = self.parent(current)
        return current

    def qualname(self, node: ast.AST) -> str:
        """`Class.method.inner` of the definitions around `node` (and `node` itself when it is one)."""
        names = []
        current: ast.AST | None = node
        while current is not None:
            if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.append(current.name)
            current = self.parent(current)
        return ".".join(reversed(names))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _collect(body: list[ast.stmt], module: Module, view: View, found: dict[str, ast.expr | Import]) -> None:
    for stmt in body:
        if isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            _collect(stmt.body if view == "typing" else stmt.orelse, module, view, found)
        elif isinstance(stmt, ast.If):
            _collect(stmt.body, module, view, found)
            _collect(stmt.orelse, module, view, found)
        elif isinstance(stmt, ast.Try):
            _collect(stmt.body, module, view, found)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            found[stmt.target.id] = stmt.value
        elif type(stmt).__name__ == "TypeAlias":  # `type X = ...` (Python 3.12+ source)
            found[stmt.name.id] = stmt.value  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    found[alias.asname] = Import(alias.name, None)
                else:
                    top = alias.name.split(".")[0]
                    found[top] = Import(top, None)
        elif isinstance(stmt, ast.ImportFrom):
            base = _absolute(module, stmt)
            for alias in stmt.names:
                found[alias.asname or alias.name] = Import(base, alias.name)
        elif isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            found.pop(stmt.name, None)


def _absolute(module: Module, stmt: ast.ImportFrom) -> str:
    if not stmt.level:
        return stmt.module or ""
    package = module.name.split(".") if module.path.endswith("__init__.py") else module.name.split(".")[:-1]
    package = package[: len(package) - stmt.level + 1]
    return ".".join([*package, *([stmt.module] if stmt.module else [])])


def module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class SourceIndex:
    """The Python modules of one source tree, parsed on first use."""

    def __init__(self, sources: dict[str, str]) -> None:
        self._sources = {module_name(p): (p, text) for p, text in sources.items() if p.endswith(".py")}
        self._modules: dict[str, Module] = {}

    def has(self, name: str) -> bool:
        return name in self._sources

    def names(self) -> list[str]:
        return sorted(self._sources)

    def text(self, name: str) -> str:
        return self._sources[name][1]

    def module(self, name: str) -> Module:
        if name not in self._modules:
            if name not in self._sources:
                raise KeyError(name)
            path, text = self._sources[name]
            self._modules[name] = Module(name, path, ast.parse(text, filename=path))
        return self._modules[name]

    def by_path(self, path: str) -> Module:
        return self.module(module_name(path))

    def modules(self) -> Iterator[Module]:
        for name in self.names():
            yield self.module(name)

    def lookup(self, module: Module, name: str, view: View = "runtime", depth: int = 0) -> tuple[Module, Any]:
        """What `name` means at the top of `module`: (defining module, expression | ClassDef | Module)."""
        if depth > 12:
            raise UnresolvedError(f"{name}: import chain too long")
        classes = module.classes()
        if name in classes:
            return module, classes[name]
        binding = module.bindings(view).get(name)
        if binding is None:
            raise UnresolvedError(f"{name} is not defined in {module.name}")
        if isinstance(binding, ast.expr):
            return module, binding
        if binding.name is None:
            if not self.has(binding.module):
                raise UnresolvedError(f"module {binding.module} is not in the source")
            return module, self.module(binding.module)
        if self.has(f"{binding.module}.{binding.name}"):
            return module, self.module(f"{binding.module}.{binding.name}")
        if not self.has(binding.module):
            raise UnresolvedError(f"{binding.module}.{binding.name} is outside the source")
        return self.lookup(self.module(binding.module), binding.name, view, depth + 1)

    def attribute(self, module: Module, node: ast.Attribute, view: View = "runtime") -> tuple[Module, Any]:
        """`a.b.c` -> what it names, through modules and class bodies."""
        if isinstance(node.value, ast.Name):
            owner_module, owner = self.lookup(module, node.value.id, view)
        elif isinstance(node.value, ast.Attribute):
            owner_module, owner = self.attribute(module, node.value, view)
        else:
            raise UnresolvedError(ast.unparse(node))
        if isinstance(owner, Module):
            return self.lookup(owner, node.attr, view)
        if isinstance(owner, ast.ClassDef):
            value = class_attribute(owner, node.attr)
            if value is None:
                raise UnresolvedError(f"{owner.name}.{node.attr} has no literal value")
            return owner_module, value
        raise UnresolvedError(ast.unparse(node))

    def literal(self, module: Module, node: ast.expr, depth: int = 0) -> Any:
        """The value of a literal expression, following names to module and class constants."""
        if depth > 12:
            raise UnresolvedError(ast.unparse(node))
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = [self.literal(module, e, depth + 1) for e in node.elts]
            return tuple(values) if isinstance(node, ast.Tuple) else values
        if isinstance(node, ast.Dict) and None not in node.keys:
            keys = [self.literal(module, k, depth + 1) for k in node.keys if k is not None]
            return dict(zip(keys, (self.literal(module, v, depth + 1) for v in node.values), strict=True))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.literal(module, node.operand, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mult):
            left, right = self.literal(module, node.left, depth + 1), self.literal(module, node.right, depth + 1)
            return left + right if isinstance(node.op, ast.Add) else left * right
        if isinstance(node, ast.Name | ast.Attribute):
            try:
                if isinstance(node, ast.Name):
                    where, value = self.lookup(module, node.id)
                else:
                    where, value = self.attribute(module, node)
            except UnresolvedError:
                raise UnresolvedError(ast.unparse(node)) from None
            if isinstance(value, ast.expr):
                return self.literal(where, value, depth + 1)
        raise UnresolvedError(ast.unparse(node))


def class_attribute(cls: ast.ClassDef, name: str) -> ast.expr | None:
    """The expression a class body assigns to `name` (a dataclass field's default counts)."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return stmt.value
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            return stmt.value
    return None


def call_name(node: ast.Call) -> str:
    """The last name of the callee: `self._counter_cls(...)` -> `_counter_cls`."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def keyword(node: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    for kw in node.keywords:
        if kw.arg == name:
            return kw.value
    if position is not None and len(node.args) > position and not isinstance(node.args[position], ast.Starred):
        return node.args[position]
    return None


def conditions(module: Module, node: ast.AST, stop: ast.AST | None = None) -> list[str]:
    """The `if` tests around `node` inside its function, outermost first (`not (...)` in an else)."""
    found: list[str] = []
    child, current = node, module.parent(node)
    while current is not None and current is not stop:
        if isinstance(current, ast.If):
            test = ast.unparse(current.test)
            if child in current.orelse:
                found.append(f"not ({test})")
            elif child is not current.test:
                found.append(test)
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            break
        child, current = current, module.parent(current)
    return list(reversed(found))
