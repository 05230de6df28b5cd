"""Test support shipped with narrascope (a local OpenAI-compatible server)."""
