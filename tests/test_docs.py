"""The README's promises: the two opening commands and a row for every config key."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from components.config.errors import GCP_KEYS, unwrap
from components.config.platform import PlatformConfig
from tools.stack_config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _config_keys(model: type[BaseModel]) -> set[str]:
    """Every camelCase key name in the config tree."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(GCP_KEYS.get(name, field.alias or name))
        annotation: Any = unwrap(field.annotation)
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            candidate = unwrap(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                keys |= _config_keys(candidate)
    return keys


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]] == [
        "make preview",
        "make test",
    ]


def test_every_config_key_is_documented() -> None:
    undocumented = sorted(key for key in _config_keys(PlatformConfig) if key not in README)
    assert undocumented == []
