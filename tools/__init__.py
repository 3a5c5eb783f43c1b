"""Offline tooling: evaluate the real program under Pulumi's mock runtime and render the graph."""
