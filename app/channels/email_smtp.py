"""E-mail over SMTP: one connection for a whole batch, and MIME that receivers can de-duplicate and unsubscribe from."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.utils import format_datetime, formataddr
from functools import lru_cache

from app.channels.base import (
    DeliveryError,
    OutgoingEmail,
    PermanentDeliveryError,
    SentReceipt,
    TransientDeliveryError,
)

_CRLF = "\r\n"
# A plain ASCII address (dot-atom local part, host names of letters, digits and hyphens) that the full parser
# below would return unchanged: most of a blast's recipients, checked without building a header object.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def message_id(idempotency_key: str, from_address: str) -> str:
    """A Message-ID fixed by the idempotency key, so a resend after a dropped connection is recognisably the same."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{from_address.rpartition('@')[2]}>"


def wire_address(addr_spec: str) -> str:
    """The address as it travels: a valid addr-spec with an ASCII (IDNA) domain, else PermanentDeliveryError."""
    if _PLAIN_ADDRESS.fullmatch(addr_spec.strip()):
        return addr_spec.strip()
    try:
        address = Address(addr_spec=addr_spec.strip())
        domain = address.domain.encode("idna").decode("ascii")
    except (ValueError, IndexError, HeaderParseError, UnicodeError) as error:
        raise PermanentDeliveryError(f"{addr_spec!r} is not an e-mail address ({error})") from error
    if not address.username or "." not in domain:
        raise PermanentDeliveryError(f"{addr_spec!r} is not an e-mail address")
    if not address.username.isascii():
        raise PermanentDeliveryError(f"{addr_spec!r} needs SMTPUTF8, which we do not send")
    return f"{address.username}@{domain}"


@lru_cache(maxsize=256)
def _header(value: str, name: str) -> str:
    """One header value on the wire: a single logical line, RFC 2047-encoded and folded when not plain ASCII."""
    value = " ".join(value.split())
    if value.isascii() and len(value) <= 900:
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep=_CRLF)


def _body(content: str) -> tuple[str, str]:
    """Transfer encoding and encoded body: 7bit when plain, quoted-printable when mostly ASCII, else base64."""
    text = content.replace("\r\n", "\n")
    data = text.encode("utf-8")
    if data.isascii() and max(map(len, text.split("\n"))) <= 998:
        return "7bit", text.replace("\n", _CRLF)
    if (len(data) - len(text)) * 5 < len(data):
        return "quoted-printable", binascii.b2a_qp(data, istext=True).decode("ascii").replace("\n", _CRLF)
    return "base64", base64.encodebytes(data).decode("ascii").replace("\n", _CRLF)


def _part(content: str, subtype: str) -> tuple[str, str]:
    encoding, body = _body(content)
    return f'Content-Type: text/{subtype}; charset="utf-8"{_CRLF}Content-Transfer-Encoding: {encoding}', body


@lru_cache(maxsize=256)
def _from_header(name: str, address: str) -> str:
    """The same shop's sender on every message of a batch: encoded once."""
    return formataddr((name, address), "utf-8")


@dataclass(frozen=True)
class WireMessage:
    """An e-mail ready for SMTP: envelope addresses, its Message-ID, and the MIME bytes."""

    sender: str
    recipient: str
    message_id: str
    data: bytes


def build_message(email: OutgoingEmail, *, now: datetime | None = None) -> WireMessage:
    """The MIME message: text and HTML alternatives, UTF-8 headers, and the headers mailbox providers expect."""
    to, sender = wire_address(email.to), wire_address(email.from_address)
    ident = message_id(email.idempotency_key, sender)
    headers = [
        ("From", _from_header(email.from_name, sender)),
        ("To", formataddr((email.to_name or "", to), "utf-8")),
        ("Subject", _header(email.subject, "Subject")),
        ("Date", format_datetime(now or datetime.now(timezone.utc))),
        ("Message-ID", ident),
        ("X-Entity-Ref-ID", ident.strip("<>").partition("@")[0]),
        # RFC 3834: tells vacation responders not to answer an automated message.
        ("Auto-Submitted", "auto-generated"),
    ]
    if email.reply_to:
        headers.append(("Reply-To", wire_address(email.reply_to)))
    if email.list_unsubscribe_url:
        headers.append(("List-Unsubscribe", f"<{_header(email.list_unsubscribe_url, 'List-Unsubscribe')}>"))
        if email.marketing:
            # RFC 8058: mailbox providers may unsubscribe with one POST, without opening a page.
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    elif email.marketing:
        raise PermanentDeliveryError("a marketing e-mail must carry an unsubscribe link")
    headers.append(("MIME-Version", "1.0"))
    parts = [_part(email.text, "plain")] + ([_part(email.html, "html")] if email.html else [])
    lines = [f"{name}: {value}" for name, value in headers]
    if len(parts) == 1:
        lines += [parts[0][0], "", parts[0][1]]
    else:
        # "=_" cannot occur in quoted-printable or base64, and 7bit bodies are checked, so the boundary is unique.
        boundary = f"=_sc_{ident.strip('<>').partition('@')[0]}"
        if any(boundary in body for _, body in parts):
            boundary += f"_{secrets.token_hex(8)}"
        lines += [f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
        for part_headers, body in parts:
            lines += [f"--{boundary}", part_headers, "", body]
        lines += [f"--{boundary}--", ""]
    return WireMessage(sender, to, ident, _CRLF.join(lines).encode("ascii"))


def _said(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _refusal(code: int, text: bytes | str, what: str) -> DeliveryError:
    """An SMTP refusal as ours: 5xx will not change by retrying, 4xx may."""
    reason = f"{what}: {code} {_said(text)}".strip()
    return PermanentDeliveryError(reason) if code >= 500 else TransientDeliveryError(reason)


def transmit(connection: smtplib.SMTP, message: WireMessage) -> None:
    """`sendmail` for one sender and one recipient that wire_address already checked, which smtplib would parse
    again with the e-mail package on every message; refusals raise smtplib's own exceptions, as sendmail's do."""
    connection.ehlo_or_helo_if_needed()
    size = f" SIZE={len(message.data)}" if connection.does_esmtp and connection.has_extn("size") else ""
    code, said = connection.docmd("mail", f"FROM:<{message.sender}>{size}")
    if code != 250:
        _reset(connection, code)
        raise smtplib.SMTPSenderRefused(code, said, message.sender)
    code, said = connection.docmd("rcpt", f"TO:<{message.recipient}>")
    if code not in (250, 251):
        _reset(connection, code)
        raise smtplib.SMTPRecipientsRefused({message.recipient: (code, said)})
    code, said = connection.data(message.data)
    if code != 250:
        _reset(connection, code)
        raise smtplib.SMTPDataError(code, said)


def _reset(connection: smtplib.SMTP, code: int) -> None:
    """After a refusal the server expects RSET, unless it is closing the connection (421)."""
    if code == 421:
        connection.close()
        return
    try:
        connection.rset()
    except smtplib.SMTPServerDisconnected:
        pass  # nothing to reset: the next message reconnects


class SmtpSender:
    """Sends e-mail through one SMTP server; a batch shares one connection and reconnects if it drops."""

    provider = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        *,
        use_tls: bool = False,
        starttls: bool = False,
        timeout: float = 10.0,
        local_hostname: str | None = None,
    ):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.use_tls, self.starttls = use_tls, starttls
        self.timeout, self.local_hostname = timeout, local_hostname

    def send(self, email: OutgoingEmail) -> SentReceipt:
        """Send one e-mail, raising TransientDeliveryError or PermanentDeliveryError when it does not leave."""
        result = self.send_many([email])[0]
        if isinstance(result, DeliveryError):
            raise result
        return result

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SentReceipt | DeliveryError]:
        """Send a batch over one connection; each e-mail gets its receipt or its error, in order."""
        batch = _Batch(self)
        try:
            return [batch.deliver(email) for email in emails]
        finally:
            batch.close()

    def connect(self) -> smtplib.SMTP:
        """An open, greeted and (when configured) encrypted and logged-in connection."""
        context = ssl.create_default_context() if (self.use_tls or self.starttls) else None
        where = f"{self.host}:{self.port}"
        try:
            if self.use_tls:
                connection = smtplib.SMTP_SSL(
                    self.host, self.port, self.local_hostname, timeout=self.timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, self.local_hostname, timeout=self.timeout)
            try:
                connection.ehlo()
                if self.starttls:
                    connection.starttls(context=context)
                    connection.ehlo()
                if self.username:
                    connection.login(self.username, self.password or "")
            except BaseException:
                connection.close()
                raise
        except smtplib.SMTPAuthenticationError as error:
            # Our credentials, not the recipient: the message will go once SMTP_USERNAME / SMTP_PASSWORD are fixed.
            reason = f"SMTP login to {where} refused: {error.smtp_code} {_said(error.smtp_error)}"
            raise TransientDeliveryError(reason) from None
        except OSError as error:
            raise TransientDeliveryError(f"cannot reach SMTP server {where}: {error}") from error
        return connection


class _Batch:
    """One connection's worth of sending; once the server cannot be reached, the rest wait for a retry."""

    def __init__(self, sender: SmtpSender):
        self.sender = sender
        self.connection: smtplib.SMTP | None = None
        self.unreachable: TransientDeliveryError | None = None

    def deliver(self, email: OutgoingEmail) -> SentReceipt | DeliveryError:
        try:
            message = build_message(email)
        except PermanentDeliveryError as error:
            return error
        if self.unreachable is not None:
            return TransientDeliveryError(self.unreachable.reason)
        # A dropped connection (idle timeout, server restart) gets one reconnect and one resend.
        outcome = self._attempt(message, email) or self._attempt(message, email)
        return outcome or TransientDeliveryError("the connection to the SMTP server dropped twice")

    def _attempt(self, message: WireMessage, email: OutgoingEmail) -> SentReceipt | DeliveryError | None:
        """The outcome of one try, or None when the connection dropped under it."""
        try:
            if self.connection is None:
                self.connection = self.sender.connect()
            transmit(self.connection, message)
            return SentReceipt(self.sender.provider, message.message_id)
        except TransientDeliveryError as error:
            self.unreachable = error
            return error
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            return _refusal(code, text, f"recipient {email.to} refused")
        except smtplib.SMTPResponseException as error:
            self._drop_if_closed()
            return _refusal(error.smtp_code, error.smtp_error, "message refused")
        except smtplib.SMTPNotSupportedError as error:
            return PermanentDeliveryError(f"the SMTP server cannot carry this message: {error}")
        except OSError:
            self._drop()
            return None

    def _drop_if_closed(self) -> None:
        if self.connection is not None and self.connection.sock is None:
            self.connection = None

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (OSError, smtplib.SMTPException):
            self.connection.close()
        self.connection = None
