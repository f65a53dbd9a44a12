"""The ASGI application for uvicorn workers: ``registry.api.asgi:app``.

Reads ``PCFREG_DATA_DIR`` (and ``DATABASE_URL``); logs one JSON line per request to stderr
at ``PCFREG_LOG_LEVEL`` (default INFO; WARNING silences access lines).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from registry.api.app import build_context, create_app


def _configure_logging() -> None:
    logger = logging.getLogger("pcfreg")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(os.environ.get("PCFREG_LOG_LEVEL", "INFO").upper())
    logger.propagate = False


_configure_logging()
app = create_app(build_context(Path(os.environ.get("PCFREG_DATA_DIR", "pcfreg-data"))))
