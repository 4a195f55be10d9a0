"""Which e-mail backend to use, by name: SMTP, or the outbox for development and tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.channels.base import EmailSender
from app.channels.email_smtp import SmtpSender
from app.channels.outbox import Outbox
from app.channels.settings import setting


def _smtp(settings: Any) -> EmailSender:
    return SmtpSender(
        setting(settings, "smtp_host"),
        int(setting(settings, "smtp_port", 25)),
        setting(settings, "smtp_username", "") or None,
        setting(settings, "smtp_password", "") or None,
        use_tls=bool(setting(settings, "smtp_use_tls", False)),
        starttls=bool(setting(settings, "smtp_starttls", False)),
        timeout=float(setting(settings, "smtp_timeout", 10.0)),
    )


def _outbox(settings: Any) -> EmailSender:
    return Outbox()


EMAIL_BACKENDS: dict[str, Callable[[Any], EmailSender]] = {"smtp": _smtp, "outbox": _outbox}


def make_email_sender(backend_name: str, settings: Any) -> EmailSender:
    """The e-mail sender named by EMAIL_BACKEND, built from the app's Settings (or a mapping of the same names)."""
    try:
        factory = EMAIL_BACKENDS[backend_name]
    except KeyError:
        raise ValueError(f"EMAIL_BACKEND must be one of {sorted(EMAIL_BACKENDS)}, not {backend_name!r}") from None
    return factory(settings)
