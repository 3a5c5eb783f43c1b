"""The policy pack: builds the PolicyPack from the rules, nothing else.

Constructing `PolicyPack` starts the analyzer's gRPC server, prints its port and blocks; the
Pulumi engine (or `python -m tools policy`) then speaks the Analyzer protocol to it.
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.ADVISORY)
