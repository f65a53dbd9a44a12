"""A label's history as given out (registry.service.label_history.history_json): stored rows in order, and
expiry added as computed once the label's time has passed, never stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import cast

from registry.service.label_history import history_json
from registry.storage.models import Label, LabelEvent, LabelEventKind, LabelState

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_expiry_is_computed_after_the_label_time_only() -> None:
    label = cast(Label, SimpleNamespace(id="L" * 16, certifier_id="c", expires_at=T0 + timedelta(days=30)))
    issued = LabelEvent(
        label_id=label.id, event=LabelEventKind.ISSUED, state=LabelState.VALID, by="c", at=T0, tlog_index=7
    )
    before = history_json(label, [issued], now=T0 + timedelta(days=29))
    assert [e["event"] for e in before["events"]] == ["issued"] and before["events"][0]["tlog_index"] == 7
    after = history_json(label, [issued], now=T0 + timedelta(days=30))
    assert after["events"][-1] == {"event": "expired", "at": label.expires_at.isoformat(), "computed": True}
