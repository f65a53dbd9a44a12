"""``pcfreg pact ...``: PACT (Technical Specifications v3.0) with partners.

The client commands (pull, request, requests) live in :mod:`registry.cli.pact_client`.
"""

from __future__ import annotations

import click


@click.group()
def pact() -> None:
    """PACT (Technical Specifications v3.0) with partners' hosts: pull footprints, request them."""
