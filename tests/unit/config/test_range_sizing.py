"""The prefix a too-small pod range or node subnet is told to grow to (mutation testing found the
messages' arithmetic unchecked at the powers of two)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config.checks import pods_prefix_for, subnet_prefix_for


def _longest_prefix(fits: Callable[[int], bool]) -> int:
    """Brute force, independent of the module: the longest prefix whose range satisfies `fits`."""
    return max(prefix for prefix in range(0, 33) if fits(2 ** (32 - prefix)))


@pytest.mark.parametrize(
    ("nodes", "prefix"),
    [
        # Each node takes a /24 pod range (256 addresses): 2 nodes fit a /23, 3 need a /22.
        (1, 24),
        (2, 23),
        (3, 22),
        (4, 22),
        (5, 21),
        (256, 16),
        (257, 15),
    ],
)
def test_pods_prefix_rows(nodes: int, prefix: int) -> None:
    assert pods_prefix_for(nodes) == prefix


@pytest.mark.parametrize(
    ("nodes", "prefix"),
    [
        # Four addresses of every subnet are reserved: a /29 (8) holds 4 nodes, a /28 (16) holds 12.
        (1, 29),
        (4, 29),
        (5, 28),
        (12, 28),
        (13, 27),
        (28, 27),
        (29, 26),
        (252, 24),
        (253, 23),
    ],
)
def test_subnet_prefix_rows(nodes: int, prefix: int) -> None:
    assert subnet_prefix_for(nodes) == prefix


@given(st.integers(min_value=1, max_value=2**16))
def test_pods_prefix_is_the_longest_that_fits(nodes: int) -> None:
    assert pods_prefix_for(nodes) == _longest_prefix(lambda size: size >= nodes * 256)


@given(st.integers(min_value=1, max_value=2**24))
def test_subnet_prefix_is_the_longest_that_fits(nodes: int) -> None:
    assert subnet_prefix_for(nodes) == _longest_prefix(lambda size: size - 4 >= nodes)
