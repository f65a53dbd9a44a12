"""The ASGI application for uvicorn workers: ``registry.api.asgi:app``.

Reads ``PCFREG_DATA_DIR`` (and ``DATABASE_URL``); logs one JSON line per request to stderr
at ``PCFREG_LOG_LEVEL`` (default INFO; WARNING silences access lines).
"""

from __future__ import annotations

import gc
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
# What start-up made (modules, schemas, the app) lives as long as the process: move it out of the
# collector's generations, so that a full collection during a request scans only what requests made
# (a full collection over everything took hundreds of milliseconds: the p99 spikes of issue 15).
gc.freeze()
