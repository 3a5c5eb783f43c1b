"""Reusable components of the LLM platform: one package per concern, shared naming and base at the top."""
