"""The registry service's use cases: plain functions over a Session, with time and keys passed in.

Routes (registry.api) and CLI commands (registry.cli) only translate to and from these.
"""
