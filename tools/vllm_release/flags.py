"""The `vllm serve` command line of a vLLM source tree: every flag, read by walking the parser builders.

`make_arg_parser` (`vllm/entrypoints/openai/cli_args.py`) is read statement by statement, as the
interpreter would run it, following `X.add_cli_args(parser)` into each class's builder (and
`_customize_cli_kwargs` through `super()`): `k = get_kwargs(Config)` gives each field's argparse
settings (`hints.py`), `k["f"]["type"] = ...` and `del k["f"]["nargs"]` change them, and every
`add_argument(...)` records a flag with its explicit keywords over the `**k["f"]` it spreads. Pure.
"""

from __future__ import annotations

import ast
from typing import Any

from tools.vllm_release.flag_record import ConfigField, FieldKwargs, FlagError, describe, flag_record, jsonable
from tools.vllm_release.hints import Hint, HintReader, NotAFieldError, argparse_kwargs, literal_values
from tools.vllm_release.pysource import Module, SourceIndex, UnresolvedError, call_name, class_attribute, keyword

ENTRY = ("vllm/entrypoints/openai/cli_args.py", "make_arg_parser")
_CONSTRAINTS = ("ge", "gt", "le", "lt")


Owner = tuple[Module, ast.ClassDef]
Ctx = tuple[Owner, Owner] | None  # (the class a classmethod runs for, the class that defines it)


class ParserReader:
    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self.runtime = HintReader(index, "runtime")
        self.typing = HintReader(index, "typing")
        self.flags: dict[str, dict[str, Any]] = {}
        self._tables: dict[str, dict[str, FieldKwargs]] = {}

    # --- config classes -------------------------------------------------------------------------

    def value(self, module: Module, node: ast.expr | None) -> Any:
        if node is None:
            return None
        try:
            return jsonable(self.index.literal(module, node))
        except UnresolvedError:
            return {"expr": ast.unparse(node)}

    def _default(self, module: Module, cls: ast.ClassDef, node: ast.expr | None) -> tuple[Any, dict[str, Any]]:
        if isinstance(node, ast.Name) and (earlier := class_attribute(cls, node.id)) is not None:
            return self._default(module, cls, earlier)  # a bare name in a class body: an attribute above it
        if not (isinstance(node, ast.Call) and call_name(node) in ("Field", "field")):
            return self.value(module, node), {}
        constraints = {k.arg: self.value(module, k.value) for k in node.keywords if k.arg in _CONSTRAINTS}
        default, factory = keyword(node, "default", 0), keyword(node, "default_factory")
        if default is not None:
            return self._default(module, cls, default)[0], constraints
        if isinstance(factory, ast.Lambda):
            return self.value(module, factory.body), constraints
        if isinstance(factory, ast.Name) and factory.id in ("list", "dict", "set", "tuple"):
            return ({} if factory.id == "dict" else []), constraints
        return ({"factory": ast.unparse(factory)} if factory is not None else None), constraints

    def fields(self, module: Module, cls: ast.ClassDef) -> dict[str, ConfigField]:
        """`dataclasses.fields()` of a config class: bases' fields first, ClassVar and InitVar left out."""
        found: dict[str, ConfigField] = {}
        for base in cls.bases:
            where, value = self._resolve(module, base)
            if isinstance(value, ast.ClassDef):
                found.update(self.fields(where, value))
        for position, stmt in enumerate(cls.body):
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            try:
                runtime = self.runtime.hints(module, stmt.annotation)
            except NotAFieldError:
                continue
            except UnresolvedError as exc:
                runtime = frozenset({Hint("class", name=f"unresolved: {exc}")})
            try:
                typing = self.typing.hints(module, stmt.annotation)
            except UnresolvedError:
                typing = frozenset()
            name = stmt.target.id
            try:
                kwargs = argparse_kwargs(name, runtime)
            except UnresolvedError as exc:  # reported if a flag spreads this field
                kwargs = {"unresolved": str(exc)}
            default, constraints = self._default(module, cls, stmt.value)
            after = cls.body[position + 1] if position + 1 < len(cls.body) else None
            doc = after.value.value if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) else ""
            found[name] = ConfigField(
                owner=cls.name,
                name=name,
                path=module.path,
                line=stmt.lineno,
                default=default,
                constraints=constraints,
                help=" ".join(str(doc).split()),
                kwargs=kwargs,
                values=literal_values(typing),
            )
        return found

    def _resolve(self, module: Module, node: ast.expr) -> tuple[Module, Any]:
        try:
            if isinstance(node, ast.Name):
                return self.index.lookup(module, node.id)
            if isinstance(node, ast.Attribute):
                return self.index.attribute(module, node)
        except UnresolvedError:
            pass
        return module, None

    def table(self, module: Module, cls: ast.ClassDef) -> dict[str, FieldKwargs]:
        """A fresh `get_kwargs(cls)`: a deep copy each call, as vLLM returns."""
        key = f"{module.name}.{cls.name}"
        if key not in self._tables:
            self._tables[key] = {
                name: FieldKwargs(f, {"default": f.default, "help": f.help, **f.kwargs})
                for name, f in self.fields(module, cls).items()
            }
        return {n: FieldKwargs(fk.source, dict(fk.kwargs), set(fk.computed)) for n, fk in self._tables[key].items()}

    # --- the builders ---------------------------------------------------------------------------

    def read(self) -> dict[str, dict[str, Any]]:
        module = self.index.by_path(ENTRY[0])
        function = next((n for n in module.tree.body if isinstance(n, ast.FunctionDef) and n.name == ENTRY[1]), None)
        if function is None:
            raise FlagError(f"{ENTRY[0]} has no {ENTRY[1]}()")
        self.run(module, function.body, {}, None)
        return dict(sorted(self.flags.items()))

    def run(self, module: Module, body: list[ast.stmt], env: dict[str, Any], cls: Ctx) -> None:
        for stmt in body:
            if isinstance(stmt, ast.If | ast.With | ast.Try):
                for block in (stmt.body, getattr(stmt, "orelse", [])):
                    self.run(module, block, env, cls)
            elif isinstance(stmt, ast.For):
                self._loop(module, stmt, env, cls)
            elif isinstance(stmt, ast.Assign | ast.AugAssign):
                self._assign(module, stmt, env, cls)
            elif isinstance(stmt, ast.Delete):
                for target in stmt.targets:
                    self._mutate(module, target, None, env, delete=True)
            elif isinstance(stmt, ast.Expr | ast.Return) and isinstance(stmt.value, ast.Call):
                self._call(module, stmt.value, env, cls)

    def _loop(self, module: Module, stmt: ast.For, env: dict[str, Any], cls: Ctx) -> None:
        """`for key, value in k.items():` over a kwargs table runs the body once per field."""
        iterable = stmt.iter
        if not (
            isinstance(iterable, ast.Call)
            and call_name(iterable) == "items"
            and isinstance(iterable.func, ast.Attribute)
            and isinstance(iterable.func.value, ast.Name)
            and isinstance(env.get(iterable.func.value.id), dict)
            and isinstance(stmt.target, ast.Tuple)
        ):
            return
        key, value = (t.id for t in stmt.target.elts if isinstance(t, ast.Name))
        for name, kwargs in env[iterable.func.value.id].items():
            self.run(module, stmt.body, {**env, key: name, value: kwargs}, cls)

    def _class_of(self, module: Module, node: ast.expr, ctx: Ctx) -> Owner | None:
        if isinstance(node, ast.Name) and node.id == "cls" and ctx is not None:
            return ctx[0]
        where, value = self._resolve(module, node)
        return (where, value) if isinstance(value, ast.ClassDef) else None

    def _assign(self, module: Module, stmt: ast.Assign | ast.AugAssign, env: dict[str, Any], cls: Ctx) -> None:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        if isinstance(target, ast.Subscript):
            self._mutate(module, target, stmt.value, env, augment=isinstance(stmt, ast.AugAssign))
            return
        if not isinstance(target, ast.Name) or not isinstance(stmt.value, ast.Call | ast.Subscript):
            return
        value = stmt.value
        if isinstance(value, ast.Subscript):
            kwargs = self.kwargs_of(module, value, env)
            if kwargs is not None:
                env[target.id] = kwargs
        elif call_name(value) == "get_kwargs" and value.args:
            owner = self._class_of(module, value.args[0], cls)
            if owner is not None:
                env[target.id] = self.table(*owner)
        elif call_name(value) == "pop" and isinstance(value.func, ast.Attribute):
            holder = env.get(ast.unparse(value.func.value))
            if isinstance(holder, FieldKwargs) and value.args:
                key = self.value(module, value.args[0])
                env[target.id] = holder.kwargs.pop(key, self.value(module, keyword(value, "default", 1)))
        else:
            self._call(module, value, env, cls)

    def kwargs_of(self, module: Module, node: ast.expr, env: dict[str, Any]) -> FieldKwargs | None:
        """`k["f"]` -> that field's settings; a bound name -> what it holds."""
        if isinstance(node, ast.Name):
            held = env.get(node.id)
            return held if isinstance(held, FieldKwargs) else None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            table = env.get(node.value.id)
            if isinstance(table, dict):
                name = self.value(module, node.slice)
                if name not in table:
                    raise FlagError(f"{module.path}:{node.lineno}: no config field {name!r} in {node.value.id}")
                return table[name]
        return None

    def _mutate(
        self, module: Module, target: ast.expr, value: ast.expr | None, env: dict[str, Any], **how: bool
    ) -> None:
        """`k["f"]["key"] = value`, `k["f"]["key"] += value`, `del k["f"]["key"]`."""
        if not isinstance(target, ast.Subscript):
            return
        holder = self.kwargs_of(module, target.value, env)
        if holder is None:
            return
        key = self.value(module, target.slice)
        if how.get("delete"):
            holder.kwargs.pop(key, None)
            return
        described = describe(module, self, value) if value is not None else None
        if how.get("augment") or isinstance(described, dict):
            holder.computed.add(key)
        if not how.get("augment"):
            holder.kwargs[key] = described

    def _call(self, module: Module, call: ast.Call, env: dict[str, Any], ctx: Ctx) -> None:
        name = call_name(call)
        if name == "add_argument":
            self._add_argument(module, call, env)
            return
        if name not in ("add_cli_args", "_customize_cli_kwargs") or not isinstance(call.func, ast.Attribute):
            return
        receiver = call.func.value
        start: Owner | None
        runtime: Owner | None
        if isinstance(receiver, ast.Call) and call_name(receiver) == "super" and ctx is not None:
            start, runtime = self._base_with(ctx[1], name), ctx[0]
        elif isinstance(receiver, ast.Name) and receiver.id == "cls" and ctx is not None:
            start = runtime = ctx[0]
        else:
            start = runtime = self._class_of(module, receiver, None)
        if start is None or runtime is None:
            return
        defining = self._defining(start, name)
        where, cls = defining
        method = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == name)
        params = [a.arg for a in method.args.args if a.arg not in ("self", "cls")]
        local = {
            p: env[a.id] for p, a in zip(params, call.args, strict=False) if isinstance(a, ast.Name) and a.id in env
        }
        self.run(where, method.body, local, (runtime, defining))

    def _bases(self, owner: Owner) -> list[Owner]:
        where, cls = owner
        return [b for b in (self._class_of(where, base, None) for base in cls.bases) if b is not None]

    def _defining(self, owner: Owner, name: str) -> Owner:
        """The class along `owner`'s bases (depth first, as a single-inheritance MRO) that defines `name`."""
        if any(isinstance(n, ast.FunctionDef) and n.name == name for n in owner[1].body):
            return owner
        for base in self._bases(owner):
            try:
                return self._defining(base, name)
            except FlagError:
                continue
        raise FlagError(f"{owner[1].name}.{name} is not defined in {owner[0].path}")

    def _base_with(self, owner: Owner, name: str) -> Owner | None:
        for base in self._bases(owner):
            try:
                return self._defining(base, name)
            except FlagError:
                continue
        return None

    def _add_argument(self, module: Module, call: ast.Call, env: dict[str, Any]) -> None:
        record = flag_record(self, module, call, env)
        if record is None:
            return
        name = record.pop("name")
        if name in self.flags:
            raise FlagError(
                f"{name} is added twice ({self.flags[name]['file']}:{self.flags[name]['line']}, "
                f"{record['file']}:{record['line']})"
            )
        self.flags[name] = record
