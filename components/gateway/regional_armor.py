"""The edge's Cloud Armor rules as a regional policy takes them: the same order and expressions as
`cloud_armor.py` (WAF in preview first, the per-client throttle, the explicit default rule).

A regional backend security policy (`gcp.compute.RegionSecurityPolicy`, type CLOUD_ARMOR) attaches to
the regional external Application Load Balancer's backend services through the GCPBackendPolicy. It
supports preconfigured WAF expressions and `throttle` / `rate_based_ban` (pulumi-gcp 10.2
`RegionSecurityPolicyRule`: `redirect` is global-only). The installed SDK's `RegionSecurityPolicy` has
no `adaptive_protection_config` (the global `SecurityPolicy` has), so Adaptive Protection cannot be
set on this edge and the config refuses it offline; whether the API would take it on a regional
policy is not documented where we looked.
"""

from __future__ import annotations

import pulumi_gcp as gcp

from components.gateway.cloud_armor import (
    AUTHORIZATION_HEADER,
    DEFAULT_PRIORITY,
    RATE_LIMIT_PRIORITY,
    WAF_FIRST_PRIORITY,
    limited_tenants,
    tenant_description,
    tenant_expression,
    waf_expression,
)
from components.gateway.config import RateLimitConfig, TenantConfig, WafConfig


def _everyone() -> gcp.compute.RegionSecurityPolicyRuleMatchArgs:
    return gcp.compute.RegionSecurityPolicyRuleMatchArgs(
        versioned_expr="SRC_IPS_V1", config=gcp.compute.RegionSecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"])
    )


def regional_waf_rules(config: WafConfig) -> list[gcp.compute.RegionSecurityPolicyRuleArgs]:
    return [
        gcp.compute.RegionSecurityPolicyRuleArgs(
            priority=WAF_FIRST_PRIORITY + 10 * index,
            action="deny(403)",
            preview=config.preview,
            description=f"WAF {rule}",
            match=gcp.compute.RegionSecurityPolicyRuleMatchArgs(
                expr=gcp.compute.RegionSecurityPolicyRuleMatchExprArgs(
                    expression=waf_expression(rule, config.sensitivity)
                )
            ),
        )
        for index, rule in enumerate(config.rules)
    ]


def regional_rate_limit_rule(config: RateLimitConfig) -> gcp.compute.RegionSecurityPolicyRuleArgs:
    per_key = config.key == "apiKey"
    return gcp.compute.RegionSecurityPolicyRuleArgs(
        priority=RATE_LIMIT_PRIORITY,
        action="throttle",
        description=f"at most {config.count} requests per {config.interval_sec} s per {'API key' if per_key else 'IP'}",
        match=_everyone(),
        rate_limit_options=gcp.compute.RegionSecurityPolicyRuleRateLimitOptionsArgs(
            conform_action="allow",
            exceed_action="deny(429)",
            enforce_on_key="HTTP_HEADER" if per_key else "IP",
            enforce_on_key_name=AUTHORIZATION_HEADER if per_key else None,
            rate_limit_threshold=gcp.compute.RegionSecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
                count=config.count, interval_sec=config.interval_sec
            ),
        ),
    )


def regional_tenant_rate_limit_rules(
    tenants: dict[str, TenantConfig] | None,
) -> list[gcp.compute.RegionSecurityPolicyRuleArgs]:
    return [
        gcp.compute.RegionSecurityPolicyRuleArgs(
            priority=priority,
            action="throttle",
            description=tenant_description(tenant, limit),
            match=gcp.compute.RegionSecurityPolicyRuleMatchArgs(
                expr=gcp.compute.RegionSecurityPolicyRuleMatchExprArgs(expression=tenant_expression(tenant))
            ),
            rate_limit_options=gcp.compute.RegionSecurityPolicyRuleRateLimitOptionsArgs(
                conform_action="allow",
                exceed_action="deny(429)",
                enforce_on_key="HTTP_HEADER",
                enforce_on_key_name=AUTHORIZATION_HEADER,
                rate_limit_threshold=gcp.compute.RegionSecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
                    count=limit.count, interval_sec=limit.interval_sec
                ),
            ),
        )
        for priority, tenant, limit in limited_tenants(tenants)
    ]


def regional_default_rule() -> gcp.compute.RegionSecurityPolicyRuleArgs:
    return gcp.compute.RegionSecurityPolicyRuleArgs(
        priority=DEFAULT_PRIORITY, action="allow", description="default: allow", match=_everyone()
    )


def regional_security_policy_rules(
    waf: WafConfig, rate_limit: RateLimitConfig, tenants: dict[str, TenantConfig] | None = None
) -> list[gcp.compute.RegionSecurityPolicyRuleArgs]:
    return [
        *regional_waf_rules(waf),
        *regional_tenant_rate_limit_rules(tenants),
        regional_rate_limit_rule(rate_limit),
        regional_default_rule(),
    ]
