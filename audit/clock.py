"""The audit's clock: when an audit started and finished, and when it was recorded.

Test hook: `RGPD_AUDIT_TEST_NOW` (an ISO 8601 date-time with its offset) makes the clock
start at that instant and run at real speed from there, so that the tests can record two
audits a year apart. It changes only the dates written in `audit.json` and the history;
certificate validity and every network check keep the machine's real time.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

TEST_NOW_ENV = "RGPD_AUDIT_TEST_NOW"

_STARTED = time.monotonic()


def now() -> datetime:
    """The current instant, timezone-aware (UTC unless the test hook says otherwise)."""
    fixed = os.environ.get(TEST_NOW_ENV)
    if not fixed:
        return datetime.now(UTC)
    start = datetime.fromisoformat(fixed)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return start + timedelta(seconds=time.monotonic() - _STARTED)
