"""Code a person read at the pinned commit: where it is (file:line), and whether it has changed since.

Some facts are readings, not extractions: what SIGTERM does, how `--api-key` values combine, how
`hints.py` mirrors vLLM's own argparse builder. Each reading names the code it rests on as an
`Anchor` (a definition, or the smallest node inside one whose source contains a text); the anchor's
line is found again at every extraction, and a digest of its source (`ast.unparse`, so comments and
formatting do not count) is compared with the digest at the reviewed commit. A moved pin that
changes any of that code stops the extraction with the list of anchors to re-read, so a note never
outlives the code it describes. Pure.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from tools.vllm_release.pysource import Module, SourceIndex


class ReviewError(ValueError):
    """Anchored code is missing, or differs from the reviewed commit."""


@dataclass(frozen=True)
class Anchor:
    key: str
    path: str
    qualname: str  # "" for module level
    contains: str | None = None
    node: str = "stmt"  # the smallest statement (or, with "expr", any node) whose source contains `contains`


@dataclass(frozen=True)
class Located:
    key: str
    path: str
    line: int
    symbol: str
    digest: str


def digest(node: ast.AST) -> str:
    return hashlib.sha256(ast.unparse(node).encode()).hexdigest()[:16]


def _definition(module: Module, qualname: str) -> ast.AST | None:
    if not qualname:
        return module.tree
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and module.qualname(node) == qualname
        ):
            return node
    return None


def _smallest_containing(root: ast.AST, text: str, kind: str) -> ast.AST | None:
    best: tuple[int, ast.AST] | None = None
    for node in ast.walk(root):
        if node is root or not hasattr(node, "lineno") or (kind == "stmt" and not isinstance(node, ast.stmt)):
            continue
        source = ast.unparse(node)
        if text in source and (best is None or len(source) < best[0]):
            best = (len(source), node)
    return best[1] if best else None


def locate(index: SourceIndex, anchor: Anchor) -> Located:
    try:
        module = index.by_path(anchor.path)
    except KeyError:
        raise ReviewError(f"{anchor.key}: {anchor.path} is not in the source") from None
    node = _definition(module, anchor.qualname)
    if node is None:
        raise ReviewError(f"{anchor.key}: {anchor.path} has no {anchor.qualname}")
    if anchor.contains is not None:
        node = _smallest_containing(node, anchor.contains, anchor.node)
        if node is None:
            raise ReviewError(f"{anchor.key}: {anchor.qualname or anchor.path} no longer contains {anchor.contains!r}")
    line = getattr(node, "lineno", 1)
    return Located(anchor.key, anchor.path, line, anchor.qualname or "<module>", digest(node))


def check(index: SourceIndex, anchors: tuple[Anchor, ...], reviewed: dict[str, str] | None) -> dict[str, Located]:
    """Every anchor located; with `reviewed` (key -> digest), any change is a ReviewError naming each."""
    located = {a.key: locate(index, a) for a in anchors}
    if reviewed is not None:
        changed = [
            f"{loc.key} ({loc.path}:{loc.line} {loc.symbol}: now {loc.digest}, reviewed {reviewed.get(loc.key)})"
            for loc in located.values()
            if reviewed.get(loc.key) != loc.digest
        ]
        if changed:
            raise ReviewError(
                "code behind a reviewed note changed since the reviewed commit; re-read it, update the note "
                "(and hints.py for argparse_*) in tools/vllm_release/notes.py, then its digests: " + "; ".join(changed)
            )
    return located


def render(text: str, located: dict[str, Located]) -> str:
    """`{key}` -> `path:line`."""
    return text.format(**{k: f"{v.path}:{v.line}" for k, v in located.items()})
