"""The Cloud Armor rules of the edge: preconfigured WAF, per-client throttling, a default allow.

Cloud Armor evaluates rules by ascending priority and stops at the first match that takes an action.
A throttle rule's conform action `allow` is such an action, so the WAF rules come first (a preview
rule only logs, and evaluation goes on); then the rate limit; then the mandatory default rule
(priority 2147483647, match `*`), written out so the API's implicit one never shows as a diff.

With tenants, each tenant that has its own rate limit gets a throttle rule just before the general
one (TENANT_FIRST_PRIORITY + its index among them by name, above the WAF range and below
RATE_LIMIT_PRIORITY) matching `request.headers['authorization'].startsWith('Bearer sk-<tenant>-')`:
one subexpression (of the five an advanced match may have), header names lower case in
`request.headers` (armor/docs/rules-language-reference). It counts per Authorization header, so per
exact key: a forged prefix with a wrong key gets a bucket of its own, then vLLM's 401. Only the
prefix, never a key, is in the policy. Tenants without a rate limit fall to the general rule.
Sources: armor/docs/rate-limiting-overview, armor/docs/waf-rules, armor/docs/configure-waf, the
pulumi-gcp 10.2 `SecurityPolicyRuleArgs` docs.
"""

from __future__ import annotations

import pulumi_gcp as gcp

from components.gateway.config import WAF_RULES, RateLimitConfig, TenantConfig, TenantRateLimitConfig, WafConfig
from components.gateway.tenants import MAX_TENANTS, key_prefix

WAF_FIRST_PRIORITY = 1000
RATE_LIMIT_PRIORITY = 10000
TENANT_FIRST_PRIORITY = RATE_LIMIT_PRIORITY - 100
# Every tenant rule sits after the last WAF rule and before the general throttle.
assert WAF_FIRST_PRIORITY + 10 * len(WAF_RULES) < TENANT_FIRST_PRIORITY
assert TENANT_FIRST_PRIORITY + MAX_TENANTS <= RATE_LIMIT_PRIORITY
DEFAULT_PRIORITY = 2147483647
AUTHORIZATION_HEADER = "Authorization"


def _everyone() -> gcp.compute.SecurityPolicyRuleMatchArgs:
    return gcp.compute.SecurityPolicyRuleMatchArgs(
        versioned_expr="SRC_IPS_V1", config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"])
    )


def waf_expression(rule: str, sensitivity: int) -> str:
    return f"evaluatePreconfiguredWaf('{rule}', {{'sensitivity': {sensitivity}}})"


def waf_rules(config: WafConfig) -> list[gcp.compute.SecurityPolicyRuleArgs]:
    return [
        gcp.compute.SecurityPolicyRuleArgs(
            priority=WAF_FIRST_PRIORITY + 10 * index,
            action="deny(403)",
            preview=config.preview,
            description=f"WAF {rule}",
            match=gcp.compute.SecurityPolicyRuleMatchArgs(
                expr=gcp.compute.SecurityPolicyRuleMatchExprArgs(expression=waf_expression(rule, config.sensitivity))
            ),
        )
        for index, rule in enumerate(config.rules)
    ]


def rate_limit_rule(config: RateLimitConfig) -> gcp.compute.SecurityPolicyRuleArgs:
    per_key = config.key == "apiKey"
    return gcp.compute.SecurityPolicyRuleArgs(
        priority=RATE_LIMIT_PRIORITY,
        action="throttle",
        description=f"at most {config.count} requests per {config.interval_sec} s per {'API key' if per_key else 'IP'}",
        match=_everyone(),
        rate_limit_options=gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs(
            conform_action="allow",
            exceed_action="deny(429)",
            # HTTP_HEADER keys on the first 128 bytes of `Authorization: Bearer <key>`; a request
            # without the header falls back to one shared bucket (ALL).
            enforce_on_key="HTTP_HEADER" if per_key else "IP",
            enforce_on_key_name=AUTHORIZATION_HEADER if per_key else None,
            rate_limit_threshold=gcp.compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
                count=config.count, interval_sec=config.interval_sec
            ),
        ),
    )


def tenant_expression(tenant: str) -> str:
    """Requests that carry one of the tenant's keys (or a forgery of its prefix, which vLLM refuses)."""
    return f"request.headers['authorization'].startsWith('Bearer {key_prefix(tenant)}')"


def limited_tenants(tenants: dict[str, TenantConfig] | None) -> list[tuple[int, str, TenantRateLimitConfig]]:
    """(priority, tenant, its rate limit) of every tenant with its own limit, in name order."""
    limited = sorted((name, t.rate_limit) for name, t in (tenants or {}).items() if t.rate_limit is not None)
    return [(TENANT_FIRST_PRIORITY + index, name, limit) for index, (name, limit) in enumerate(limited)]


def tenant_description(tenant: str, limit: TenantRateLimitConfig) -> str:
    # Cloud Armor takes at most 64 characters here (armor/docs/best-practices).
    return f"tenant {tenant}: {limit.count} per {limit.interval_sec} s per key"


def tenant_rate_limit_rules(tenants: dict[str, TenantConfig] | None) -> list[gcp.compute.SecurityPolicyRuleArgs]:
    return [
        gcp.compute.SecurityPolicyRuleArgs(
            priority=priority,
            action="throttle",
            description=tenant_description(tenant, limit),
            match=gcp.compute.SecurityPolicyRuleMatchArgs(
                expr=gcp.compute.SecurityPolicyRuleMatchExprArgs(expression=tenant_expression(tenant))
            ),
            rate_limit_options=gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs(
                conform_action="allow",
                exceed_action="deny(429)",
                enforce_on_key="HTTP_HEADER",
                enforce_on_key_name=AUTHORIZATION_HEADER,
                rate_limit_threshold=gcp.compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
                    count=limit.count, interval_sec=limit.interval_sec
                ),
            ),
        )
        for priority, tenant, limit in limited_tenants(tenants)
    ]


def default_rule() -> gcp.compute.SecurityPolicyRuleArgs:
    return gcp.compute.SecurityPolicyRuleArgs(
        priority=DEFAULT_PRIORITY, action="allow", description="default: allow", match=_everyone()
    )


def adaptive_protection(enabled: bool) -> gcp.compute.SecurityPolicyAdaptiveProtectionConfigArgs | None:
    """Layer 7 DDoS defense (alerts on Cloud Armor Standard, suggested rules on Enterprise); unset when off,
    so existing stacks send nothing new (armor/docs/adaptive-protection-overview)."""
    if not enabled:
        return None
    return gcp.compute.SecurityPolicyAdaptiveProtectionConfigArgs(
        layer7_ddos_defense_config=gcp.compute.SecurityPolicyAdaptiveProtectionConfigLayer7DdosDefenseConfigArgs(
            enable=True, rule_visibility="STANDARD"
        )
    )


def security_policy_rules(
    waf: WafConfig, rate_limit: RateLimitConfig, tenants: dict[str, TenantConfig] | None = None
) -> list[gcp.compute.SecurityPolicyRuleArgs]:
    return [*waf_rules(waf), *tenant_rate_limit_rules(tenants), rate_limit_rule(rate_limit), default_rule()]
