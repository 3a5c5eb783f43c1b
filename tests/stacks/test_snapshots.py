"""The committed JSON snapshot per stack: the graph diff a pull request reviews.

The snapshot was recorded by another evaluation in another interpreter (another hash seed), so
this also holds evaluation deterministic, across runs and processes, with no second evaluation.
After an intended change, refresh with `make snapshots` and review the diff.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from tests.conftest import STACKS
from tools.graph import StackGraph


class CanonicalJson(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "json"


@pytest.mark.parametrize("stack", STACKS)
def test_graph_matches_committed_snapshot(
    stack: str, graphs: dict[str, StackGraph], snapshot: SnapshotAssertion
) -> None:
    assert graphs[stack].to_json() == snapshot(extension_class=CanonicalJson), (
        f"the {stack} graph changed (or its evaluation is not deterministic): review the diff, "
        "then run `make snapshots` to accept it"
    )
