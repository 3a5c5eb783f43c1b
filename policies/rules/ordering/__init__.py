"""Creation order on a brand-new project: for every resource type, what must exist before it.

A first `pulumi up` creates everything at once, in the order the graph's dependencies allow and in
no other: a resource whose Google API, service agent, grant or host is not upstream of it races it,
and fails (or waits until its timeout) on a fresh project, then passes on the second run. `RULES`
holds, per resource type, the APIs it needs (each API's `gcp:projects/service:Service` must be
upstream) and the resources that must be created first, each rule with its source. The stack policy
`stack-creation-order` walks every resource's dependencies, through its provider and transitively,
and reports each prerequisite that is not upstream. Every type in every stack has a rule (the tests
hold it), so a new type is reviewed before it lands.

Layout: `engine.py` (what a rule is, the upstream graph, the two policies), `agents.py` (the Google
service agents and what creates each), and one module of rows per concern, as `components/` is
split, each exposing its `RULES`. The table is their concatenation in the order of `CONCERNS`; only
the relative order of one type's rows matters (the first row citing a prerequisite is the one its
violation cites), and the rows every Kubernetes object shares come before the rows a concern adds.
"""

from __future__ import annotations

from . import gateway, gke, identity, inference_edge, kubernetes, network, operations, project, serving, storage
from .agents import AGENT_ORIGINS
from .engine import Prerequisite, Rule, creation_order_policies, missing

CONCERNS = (project, identity, network, kubernetes, gke, storage, serving, gateway, inference_edge, operations)
RULES: tuple[Rule, ...] = tuple(rule for concern in CONCERNS for rule in concern.RULES)
RULED_TYPES = frozenset(rule.type for rule in RULES)
POLICIES = creation_order_policies(RULES)

__all__ = ["AGENT_ORIGINS", "CONCERNS", "POLICIES", "RULED_TYPES", "RULES", "Prerequisite", "Rule", "missing"]
