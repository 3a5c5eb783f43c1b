"""The pack's field readers (`policies/rules/metadata.py`), held directly: every policy reads
resource properties through them, so an off-by-one or a swallowed unknown would bend them all."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies.rules.metadata import UNKNOWN, get, has, items, known


class _UnknownAt(Mapping[str, Any]):
    """A property map as the engine's proxy gives it in a preview: reading `key` raises."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __getitem__(self, key: str) -> Any:
        if key == self._key:
            raise UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", [key])
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter([self._key])

    def __len__(self) -> int:
        return 1


@pytest.mark.parametrize(
    ("value", "path", "expected"),
    [
        ({"a": {"b": 1}}, ("a", "b"), 1),
        ({"a": [10, 20]}, ("a", 1), 20),
        ({"a": [10, 20]}, ("a", 2), "default"),  # one past the end
        ({"a": [10, 20]}, ("a", 9), "default"),
        ({"a": "xy"}, ("a", 0), "default"),  # a string is not a list
        ({"a": {"0": 1}}, ("a", 0), "default"),  # nor is a map with a key "0"
        ({"a": None}, ("a", "b"), "default"),
        ({"a": 5}, ("a", "b"), "default"),
        ({}, ("a",), "default"),
        ({"a": None}, ("a",), None),  # set, to null: not the default
    ],
)
def test_get_reads_a_path_or_gives_the_default(value: Any, path: tuple[str | int, ...], expected: Any) -> None:
    assert get(value, *path, default="default") == expected


def test_known_turns_an_unknown_value_into_unknown_and_get_raises() -> None:
    props = {"spec": _UnknownAt("ip")}
    assert known(props, "spec", "ip") is UNKNOWN
    assert known(props, "spec", "other", default="d") == "d"
    with pytest.raises(UnknownValueError):
        get(props, "spec", "ip")
    assert has(props["spec"], "ip")  # iterating keys never reads the unknown value


@pytest.mark.parametrize(("value", "expected"), [([1, 2], [1, 2]), ((1,), [1]), ("ab", []), (None, []), ({"a": 1}, [])])
def test_items_is_a_list_field_or_nothing(value: Any, expected: list[Any]) -> None:
    assert items(value) == expected
