"""Typed SDK Args as plain data, so pure builders are tested against literal values."""

from __future__ import annotations

from typing import Any


def plain(value: Any) -> Any:
    """An SDK `*Args` object as a dict of the fields it sets (Python names), recursively; other values as they are."""
    if hasattr(type(value), "_pulumi_input_type"):  # what `@pulumi.input_type` marks
        return {key: plain(item) for key, item in vars(value).items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value
