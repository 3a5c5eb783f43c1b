"""`llm-platform:modelStore.*` rules that a property states better than examples (the mistakes are in tests/corpus)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.concerns import parse_config
from components.config.errors import ConfigError
from tests.helpers import values


@given(st.integers(min_value=0, max_value=200_000))
def test_parallelstore_capacity_rule(capacity: int) -> None:
    valid = 12000 <= capacity <= 100000 and capacity % 4000 == 0
    overrides = {"llm-platform:modelStore": {"parallelstore": {"capacityGib": capacity}}}
    if valid:
        assert parse_config(values(overrides)).model_store.parallelstore.capacity_gib == capacity
    else:
        with pytest.raises(ConfigError, match="is not a Parallelstore capacity"):
            parse_config(values(overrides))
