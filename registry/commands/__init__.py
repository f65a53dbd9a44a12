"""CLI command groups that live beside ``registry.cli`` (each registered there)."""
