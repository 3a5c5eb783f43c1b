"""Every wrong form of every checked field: absent, false, empty, a wrong enum value.

A policy's CASES (tests/policies/test_<module>.py) prove it fires on one violating value; a policy
written `x is False` instead of `x is not True` passes those and lets an absent field through. Each
module here holds, per rules module, one `Form` per other shape the field can take, with whether
the policy must fire on it (`fires=False`: the API's default for an absent field is the safe one,
and the policy says so). `test_coverage.py` holds every policy to having an absent-field form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tests.policies.conftest import DELETE, Case, changed, check_case, find, judge, swapped
from tools.graph import Registration, StackGraph
from tools.policy import PolicyPackProcess

Shape = Literal["absent", "false", "empty", "wrong"]


@dataclass(frozen=True)
class Form:
    policy: str
    shape: Shape
    graph: str  # key of `policy_graphs`
    target: tuple[str, str]
    change: Callable[[Registration], Registration]
    label: str
    fires: bool = True
    stack: bool = False
    expect: str = ""

    def __str__(self) -> str:
        return f"{self.policy}:{self.shape}:{self.label}"


def at(path: str, value: Any, **options: Any) -> Callable[[Registration], Registration]:
    """Set (DELETE: remove) one input path, and optionally replace resource options."""
    return lambda resource: changed(resource, {path: value}, **options)


def absent(policy: str, graph: str, target: tuple[str, str], path: str, **kwargs: Any) -> Form:
    return Form(policy, "absent", graph, target, at(path, DELETE), path, **kwargs)


def shape(policy: str, kind: Shape, graph: str, target: tuple[str, str], path: str, value: Any, **kwargs: Any) -> Form:
    return Form(policy, kind, graph, target, at(path, value), f"{path}={value!r}", **kwargs)


def check_form(pack: PolicyPackProcess, graphs: dict[str, StackGraph], form: Form) -> None:
    """The policy fires on the form (as a violating Case), or stays silent on it when `fires` is False."""
    if form.fires:
        case = Case(form.policy, form.graph, form.target, form.change, stack=form.stack, expect=form.expect)
        check_case(pack, graphs, case)
        return
    graph = graphs[form.graph]
    baseline = find(graph, form.target)
    other = form.change(baseline)
    report = judge(pack, swapped(graph, baseline, other), other, form.stack, (form.policy,))
    assert not report.by_policy(form.policy), report.by_policy(form.policy)
    assert not [v for v in report.not_run if v.policy == form.policy]
