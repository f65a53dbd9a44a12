"""The HTTP API is a contract: every path, method, operation id, tag, summary, parameter and schema
of the OpenAPI document, as in the snapshot.

The snapshot ``tests/api/openapi-snapshot.json`` is ``app.openapi()`` of an app built on a fresh
SQLite data directory, dumped with sorted keys. Only ``info.version`` (the package's version) is not
compared. When a change to the API is intended, regenerate it with::

    python tests/api/test_openapi_stable.py > tests/api/openapi-snapshot.json

and let the diff of the snapshot show the change in review.
"""

from __future__ import annotations

import difflib
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry.api.app import build_context, create_app
from registry.service.bootstrap import init_data_dir
from registry.storage.settings import StorageSettings

SNAPSHOT = Path(__file__).with_name("openapi-snapshot.json")
REGENERATE = "python tests/api/test_openapi_stable.py > tests/api/openapi-snapshot.json"


def openapi_document(data_dir: Path) -> dict[str, Any]:
    init_data_dir(StorageSettings(data_dir=data_dir), now=datetime.now(UTC))
    ctx = build_context(data_dir)
    try:
        spec: dict[str, Any] = create_app(ctx).openapi()
    finally:
        ctx.engine.dispose()
    return spec


def _text(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, sort_keys=True)


def test_openapi_document_is_the_snapshot(tmp_path: Path) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    actual = openapi_document(tmp_path / "data")
    actual["info"]["version"] = expected["info"]["version"]
    if actual != expected:
        diff = difflib.unified_diff(
            _text(expected).splitlines(), _text(actual).splitlines(), "snapshot", "now", lineterm="", n=2
        )
        shown = "\n".join(list(diff)[:80])
        raise AssertionError(
            f"the OpenAPI document is not the snapshot {SNAPSHOT.name}; if the API change is intended, "
            f"regenerate the snapshot deliberately with\n    {REGENERATE}\nand review its diff.\n{shown}"
        )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        sys.stdout.write(_text(openapi_document(Path(tmp) / "data")) + "\n")
