"""The ASGI application for uvicorn workers: ``registry.api.asgi:app`` (reads PCFREG_DATA_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

from .app import build_context, create_app

app = create_app(build_context(Path(os.environ.get("PCFREG_DATA_DIR", "pcfreg-data"))))
