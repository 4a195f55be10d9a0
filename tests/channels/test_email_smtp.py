"""E-mail through a real SMTP server on 127.0.0.1: MIME, headers, one connection per batch, and failures."""

from dataclasses import replace

import pytest

from app.channels.base import OutgoingEmail, PermanentDeliveryError, SentReceipt, TransientDeliveryError
from app.channels.email_smtp import SmtpSender, build_message, message_id
from app.domain.messages import MessageKind, compose
from app.domain.template_checks import sample_facts
from tests.support.smtp_server import CaptureSmtpServer, free_port


def an_email(index=0, **changes):
    message = compose(MessageKind.STOCKOUT_NOTICE, "zh-CN", sample_facts("zh-CN"))
    email = OutgoingEmail(
        to=f"customer{index}@example.com",
        to_name="晓雯",
        subject=message.subject,
        text=message.text,
        html=message.html,
        from_name="山野手作陶瓷工作室",
        from_address="notifications@shanye-taoci.cn",
        reply_to="kefu@shanye-taoci.cn",
        list_unsubscribe_url=None,
        idempotency_key=f"notification:{index}:email",
    )
    return replace(email, **changes)


@pytest.fixture
def server():
    with CaptureSmtpServer() as running:
        yield running


def sender_for(server, **options):
    return SmtpSender(server.host, server.port, timeout=5, **options)


def test_an_email_arrives_with_both_parts_and_utf8_headers_intact(server):
    email = an_email()
    receipt = sender_for(server).send(email)
    assert receipt == SentReceipt("smtp", message_id(email.idempotency_key, email.from_address))
    [captured] = server.messages
    assert captured.mail_from == "notifications@shanye-taoci.cn"
    assert captured.rcpt_tos == ["customer0@example.com"]
    received = captured.message
    assert received["Subject"] == email.subject
    assert received["From"].addresses[0].display_name == "山野手作陶瓷工作室"
    assert received["From"].addresses[0].addr_spec == "notifications@shanye-taoci.cn"
    assert received["To"].addresses[0].display_name == "晓雯"
    assert received["Reply-To"] == "kefu@shanye-taoci.cn"
    assert received["Message-ID"] == receipt.provider_id
    assert received["X-Entity-Ref-ID"] == receipt.provider_id.strip("<>").split("@")[0]
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Date"].datetime.tzinfo is not None
    assert received["List-Unsubscribe"] is None
    assert received.get_content_type() == "multipart/alternative"
    plain, rich = received.iter_parts()
    assert plain.get_content_type() == "text/plain" and plain.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n") == email.text
    assert rich.get_content_type() == "text/html"
    assert rich.get_content().replace("\r\n", "\n") == email.html
    assert not received.defects and not plain.defects and not rich.defects


def test_english_bodies_stay_readable_on_the_wire(server):
    message = compose(MessageKind.SHIPPED, "en", sample_facts("en"))
    email = an_email(subject=message.subject, text=message.text, html=None, to_name="Emma", from_name="Juniper & Clay")
    sender_for(server).send(email)
    raw = server.messages[0].raw.decode("ascii")
    assert "Subject: Order #1001 is on its way" in raw
    assert "From: Juniper & Clay <notifications@shanye-taoci.cn>" in raw
    assert "Your order #1001 has left us" in raw
    received = server.messages[0].message
    assert received.get_content_type() == "text/plain"
    assert received.get_content().replace("\r\n", "\n") == message.text


def test_marketing_mail_offers_one_click_unsubscribe(server):
    sender = sender_for(server)
    sender.send(an_email(1, list_unsubscribe_url="https://sc.example.com/u/Qm3xT9", marketing=True))
    sender.send(an_email(2, list_unsubscribe_url="https://sc.example.com/u/Qm3xT9"))
    marketing, transactional = (captured.message for captured in server.messages)
    assert marketing["List-Unsubscribe"] == "<https://sc.example.com/u/Qm3xT9>"
    assert marketing["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert transactional["List-Unsubscribe"] == "<https://sc.example.com/u/Qm3xT9>"
    assert transactional["List-Unsubscribe-Post"] is None


def test_marketing_mail_without_an_unsubscribe_link_is_refused_before_sending(server):
    with pytest.raises(PermanentDeliveryError, match="unsubscribe"):
        sender_for(server).send(an_email(marketing=True))
    assert server.messages == []


def test_message_id_follows_the_idempotency_key():
    first, again, other = an_email(1), an_email(1), an_email(2)
    assert build_message(first).message_id == build_message(again).message_id
    assert build_message(first).message_id != build_message(other).message_id
    assert build_message(first).message_id.endswith("@shanye-taoci.cn>")


def test_a_batch_reuses_one_connection(server):
    results = sender_for(server).send_many([an_email(index) for index in range(40)])
    assert all(isinstance(result, SentReceipt) for result in results)
    assert len(server.messages) == 40
    assert server.connections == 1
    assert [captured.rcpt_tos[0] for captured in server.messages] == [f"customer{i}@example.com" for i in range(40)]


def test_a_dropped_connection_is_reopened_and_nothing_is_lost_or_doubled():
    with CaptureSmtpServer(drop_after=3) as server:
        results = sender_for(server).send_many([an_email(index) for index in range(8)])
        assert all(isinstance(result, SentReceipt) for result in results)
        assert sorted(captured.rcpt_tos[0] for captured in server.messages) == sorted(
            f"customer{i}@example.com" for i in range(8)
        )
        assert server.connections == 3


def test_a_refused_recipient_is_permanent_and_the_batch_goes_on():
    with CaptureSmtpServer(rejected={"customer1@example.com"}) as server:
        results = sender_for(server).send_many([an_email(index) for index in range(3)])
        assert isinstance(results[0], SentReceipt) and isinstance(results[2], SentReceipt)
        assert isinstance(results[1], PermanentDeliveryError) and "550" in results[1].reason
        assert len(server.messages) == 2 and server.connections == 1
        with pytest.raises(PermanentDeliveryError, match="customer1@example.com"):
            sender_for(server).send(an_email(1))


@pytest.mark.parametrize("address", ["not-an-address", "a b@example.com", "x@", "@example.com", "user@localhost"])
def test_a_malformed_address_is_permanent_and_never_reaches_the_server(server, address):
    with pytest.raises(PermanentDeliveryError, match="not an e-mail address"):
        sender_for(server).send(an_email(to=address))
    assert server.connections == 0


def test_smtp_down_is_transient_and_sending_works_once_it_is_back():
    server = CaptureSmtpServer()
    sender = SmtpSender(server.host, server.port, timeout=2)
    with pytest.raises(TransientDeliveryError, match="cannot reach SMTP server"):
        sender.send(an_email())
    results = sender.send_many([an_email(index) for index in range(3)])
    assert all(isinstance(result, TransientDeliveryError) for result in results)
    with server:
        assert isinstance(sender.send(an_email()), SentReceipt)
        port = server.port
    assert not server.running
    with pytest.raises(TransientDeliveryError):
        sender.send(an_email())
    with server:
        assert server.port == port
        sender.send(an_email(5))
        assert [captured.rcpt_tos for captured in server.messages][-1] == ["customer5@example.com"]


def test_login_with_the_right_credentials_and_a_transient_error_with_wrong_ones():
    with CaptureSmtpServer(credentials=("shop", "s3cret")) as server:
        assert isinstance(sender_for(server, username="shop", password="s3cret").send(an_email()), SentReceipt)
        with pytest.raises(TransientDeliveryError, match="login"):
            sender_for(server, username="shop", password="wrong").send(an_email())
        assert len(server.messages) == 1


def test_nothing_listening_is_transient():
    with pytest.raises(TransientDeliveryError):
        SmtpSender("127.0.0.1", free_port(), timeout=2).send(an_email())


def test_a_batch_goes_over_one_connection_like_a_plain_smtplib_loop(server):
    """How fast, next to a plain loop, is bench/notifications.py's question; here: one connection, every message."""
    emails = [an_email(index) for index in range(150)]
    opened_before = server.connections
    results = sender_for(server).send_many(emails)
    assert all(isinstance(result, SentReceipt) for result in results)
    assert server.connections - opened_before == 1
    assert [captured.rcpt_tos for captured in server.messages[-150:]] == [[email.to] for email in emails]
