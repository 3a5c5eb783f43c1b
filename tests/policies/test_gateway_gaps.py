"""Gaps mutation testing found in policies/rules/gateway.py: the values given to --api-key, read
literally from each argument form; the bound of lb-backend-timeout's setting; a route's backends
after one IAP covers."""

from __future__ import annotations

import pytest

from policies.rules.gateway import _key_values
from tests.policies.conftest import changed, find, judge, swapped
from tools.policy import PolicyConfigError, resolve_config


@pytest.mark.parametrize(
    ("arguments", "values"),
    [
        (["--api-key=$(VLLM_API_KEY_A)"], ["$(VLLM_API_KEY_A)"]),
        (["--api-key=sk-a=b"], ["sk-a=b"]),  # only the first `=` separates the flag
        (["--api-key", "$(A)", "$(B)", "--port", "8000"], ["$(A)", "$(B)"]),
        (['exec vllm serve --api-key "${A}" "${B}" --port 8000'], ["${A}", "${B}"]),
        (["vllm serve --api-key ${A} && echo done"], ["${A}"]),
        # An unbalanced quote: shlex gives up, the words are split on blanks.
        (['vllm serve --api-key "${A} sk-literal --port 1'], ["${A}", "sk-literal"]),
        (["vllm serve --port 8000"], []),
        # An escaped `$` is the shell's literal text, not a variable: kept as written, so it is reported.
        (["vllm serve --api-key \\${A}"], ["\\${A}"]),
        # Only the first occurrence of the flag starts the words (a later one inside a word is a word).
        (["serve --api-key ${A} x--api-key ${B}"], ["${A}", "x--api-key", "${B}"]),
        (['serve --api-key "${A} x--api-key ${B}'], ["${A}", "x--api-key", "${B}"]),
    ],
)
def test_every_value_given_to_the_key_flag_is_found(arguments: list[str], values: list[str]) -> None:
    assert _key_values(arguments) == values


@pytest.mark.parametrize(("seconds", "accepted"), [(29, False), (30, True), (31, True)])
def test_the_backend_timeout_setting_starts_at_30_seconds(pack, seconds: int, accepted: bool) -> None:
    config = {"lb-backend-timeout": {"minTimeoutSec": seconds}}
    if accepted:
        assert resolve_config(pack.info(), config)["lb-backend-timeout"][1]["minTimeoutSec"] == seconds
    else:
        with pytest.raises(PolicyConfigError, match="29 is less than the minimum of 30"):
            resolve_config(pack.info(), config)


def test_a_backend_after_one_iap_covers_is_still_judged(pack, policy_graphs) -> None:
    graph = policy_graphs["edge"]
    policy = find(graph, ("kubernetes:networking.gke.io/v1:GCPBackendPolicy", "edge-small-backend-policy"))
    routes = find(graph, ("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "edge-routes"))
    with_iap = changed(
        policy, {"spec.default.iap": {"enabled": True, "clientID": "x", "oauth2ClientSecret": {"name": "s"}}}
    )
    # The first rule's first backend is covered by IAP; its second has no Service and no server behind it.
    two_backends = changed(routes, {"spec.rules.0.backendRefs": [{"name": "small"}, {"name": "ghost"}]})
    graph = swapped(swapped(graph, policy, with_iap), routes, two_backends)
    report = judge(pack, graph, two_backends, stack=True, policies=("lb-authenticated-routes",))
    messages = [v.message for v in report.by_policy("lb-authenticated-routes")]
    assert len(messages) == 1 and "route backend ghost has neither IAP" in messages[0], messages
