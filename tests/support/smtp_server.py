"""A real SMTP server on 127.0.0.1 for tests: it captures what arrives, can refuse recipients, drop, and go down."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from functools import cached_property
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Captured:
    """One message as the server received it; parsed on first look, so a big batch stays fast."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    peer: tuple

    @cached_property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class _Session:
    messages: int = 0


class _Handler:
    def __init__(self, server: CaptureSmtpServer):
        self.server = server

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.server._opened(session)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        limit = self.server.drop_after
        if limit is not None and self.server._state(session).messages >= limit:
            # Like a server's idle timeout: hang up without answering, before anything is accepted.
            server.transport.close()
            return "421 4.4.2 closing connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.rejected:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.server._received(session, Captured(envelope.mail_from, list(envelope.rcpt_tos), raw, session.peer))
        return "250 2.0.0 Message accepted for delivery"


class CaptureSmtpServer:
    """Listens on 127.0.0.1:port (free by default); stop() and start() again reuse the same port."""

    def __init__(
        self,
        port: int | None = None,
        *,
        rejected: set[str] | None = None,
        credentials: tuple[str, str] | None = None,
        drop_after: int | None = None,
    ):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.rejected = {address.lower() for address in (rejected or set())}
        self.credentials = credentials
        self.drop_after = drop_after
        self.messages: list[Captured] = []
        self.connections = 0
        self._sessions: dict[int, tuple[object, _Session]] = {}
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.credentials is not None:
            login, password = self.credentials
            if auth_data.login.decode() == login and auth_data.password.decode() == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def _opened(self, session: object) -> None:
        with self._lock:
            self.connections += 1
            self._sessions[id(session)] = (session, _Session())

    def _state(self, session: object) -> _Session:
        with self._lock:
            return self._sessions.setdefault(id(session), (session, _Session()))[1]

    def _received(self, session: object, captured: Captured) -> None:
        with self._lock:
            self.messages.append(captured)
        self._state(session).messages += 1

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> CaptureSmtpServer:
        """Start listening (again) on the same port."""
        if self._controller is not None:
            return self
        options = {}
        if self.credentials is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening and close every open connection: clients now get 'connection refused'."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> CaptureSmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def to(self, address: str) -> list[Captured]:
        """The messages addressed to one recipient."""
        return [captured for captured in self.messages if address in captured.rcpt_tos]
