"""The ASGI application for uvicorn workers: ``registry.api.asgi:app``.

Reads ``PCFREG_DATA_DIR`` (and ``DATABASE_URL``); logs one JSON line per request to stderr
at ``PCFREG_LOG_LEVEL`` (default INFO; WARNING silences access lines).
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import queue
import sys
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from typing import TextIO

from registry.api.app import build_context, create_app


def queued_logging(logger: logging.Logger, stream: TextIO) -> QueueListener:
    """Log lines of ``logger`` written to ``stream`` by a thread of their own: a request only queues its
    line, so a reader of the log that falls behind (a full pipe) never holds up a worker's event loop
    (issue 15: one synchronous write per request, to a pipe, under the event loop)."""
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    out = logging.StreamHandler(stream)
    out.setFormatter(logging.Formatter("%(message)s"))
    listener = QueueListener(lines, out)
    listener.start()
    logger.addHandler(QueueHandler(lines))
    return listener


def _configure_logging() -> None:
    logger = logging.getLogger("pcfreg")
    if not logger.handlers:
        atexit.register(queued_logging(logger, sys.stderr).stop)  # writes what is queued, then ends
    logger.setLevel(os.environ.get("PCFREG_LOG_LEVEL", "INFO").upper())
    logger.propagate = False


_configure_logging()
app = create_app(build_context(Path(os.environ.get("PCFREG_DATA_DIR", "pcfreg-data"))))
# What start-up made (modules, schemas, the app) lives as long as the process: move it out of the
# collector's generations, so that a full collection during a request scans only what requests made
# (a full collection over everything took hundreds of milliseconds: the p99 spikes of issue 15).
gc.freeze()
