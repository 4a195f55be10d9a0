"""Reading a channel's settings from the app's Settings object or from a plain mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MISSING = object()


def setting(settings: Any, name: str, default: Any = _MISSING) -> Any:
    """One setting by its config name (e.g. "twilio_account_sid"); a missing required one is refused clearly."""
    value = settings.get(name, default) if isinstance(settings, Mapping) else getattr(settings, name, default)
    if value is _MISSING or (default is _MISSING and value in ("", None)):
        raise ValueError(f"{name.upper()} is required for the configured channel")
    return value
