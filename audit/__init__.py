"""The audit log. `audit.record(action, actor=..., target=..., **details)` is the API the apps call.

Imported lazily so that `import audit` works before the app registry is ready.
"""

from __future__ import annotations

from typing import Any


def record(action: str, **kwargs: Any):
    from audit.actions import record as _record

    return _record(action, **kwargs)
