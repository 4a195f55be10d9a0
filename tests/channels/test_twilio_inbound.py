"""Inbound SMS from Twilio: the signature is checked against Twilio's own example, and STOP words are understood."""

import json

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from app.channels.sms_twilio import InvalidSignature, inbound_signature, parse_inbound, verify_inbound_signature
from tests.support.sms_provider import post_inbound_sms, serve_wsgi

# The worked example from Twilio's "Webhooks security" guide.
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOC_TOKEN = "12345"
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilios_documented_example_signs_and_verifies():
    assert inbound_signature(DOC_URL, DOC_PARAMS, DOC_TOKEN) == DOC_SIGNATURE
    verify_inbound_signature(DOC_URL, DOC_PARAMS, DOC_SIGNATURE, DOC_TOKEN)
    verify_inbound_signature(DOC_URL, MultiDict(DOC_PARAMS), DOC_SIGNATURE, DOC_TOKEN)


@pytest.mark.parametrize(
    ("url", "params", "signature", "token"),
    [
        (DOC_URL, {**DOC_PARAMS, "Digits": "9999"}, DOC_SIGNATURE, DOC_TOKEN),
        (DOC_URL, {**DOC_PARAMS, "Extra": "1"}, DOC_SIGNATURE, DOC_TOKEN),
        ("https://mycompany.com/myapp.php?foo=1&bar=3", DOC_PARAMS, DOC_SIGNATURE, DOC_TOKEN),
        ("https://evil.example/myapp.php?foo=1&bar=2", DOC_PARAMS, DOC_SIGNATURE, DOC_TOKEN),
        (DOC_URL, DOC_PARAMS, DOC_SIGNATURE, "54321"),
        (DOC_URL, DOC_PARAMS, DOC_SIGNATURE[:-1], DOC_TOKEN),
        (DOC_URL, DOC_PARAMS, "", DOC_TOKEN),
        (DOC_URL, DOC_PARAMS, None, DOC_TOKEN),
    ],
)
def test_anything_twilio_did_not_sign_is_refused(url, params, signature, token):
    with pytest.raises(InvalidSignature):
        verify_inbound_signature(url, params, signature, token)


def test_a_rotated_token_is_accepted_alongside_the_new_one():
    verify_inbound_signature(DOC_URL, DOC_PARAMS, DOC_SIGNATURE, ["new-token", DOC_TOKEN])
    with pytest.raises(InvalidSignature):
        verify_inbound_signature(DOC_URL, DOC_PARAMS, DOC_SIGNATURE, ["new-token", "older-token"])


def test_the_default_port_may_or_may_not_be_in_the_signed_url():
    with_port = DOC_URL.replace("mycompany.com", "mycompany.com:443")
    verify_inbound_signature(with_port, DOC_PARAMS, DOC_SIGNATURE, DOC_TOKEN)
    signed_with_port = inbound_signature(with_port, DOC_PARAMS, DOC_TOKEN)
    verify_inbound_signature(DOC_URL, DOC_PARAMS, signed_with_port, DOC_TOKEN)


def test_repeated_parameters_are_signed_in_sorted_order():
    params = MultiDict([("MediaUrl", "https://b.example/2"), ("MediaUrl", "https://a.example/1"), ("Body", "hi")])
    as_lists = {"Body": "hi", "MediaUrl": ["https://a.example/1", "https://b.example/2"]}
    expected = inbound_signature(DOC_URL, as_lists, "t")
    assert inbound_signature(DOC_URL, params, "t") == expected


@pytest.mark.parametrize(
    ("body", "opt_out"),
    [
        ("STOP", True), ("stop", True), ("  Stop  ", True), ("STOP.", True), ("stop!", True), ("ＳＴＯＰ", True),
        ("STOPALL", True), ("Unsubscribe", True), ("cancel", True), ("END", True), ("quit", True),
        ("退订", True), ("退訂", True), (" 退订。", True), ("TD", True), ("td", True), ("Ｔｄ", True), ("T", True),
        ("t", True), ("please stop texting me", False), ("stopp", False), ("退订了吗", False), ("TDD", False),
        ("", False), ("1", False), ("start", False),
    ],
)
def test_opt_out_words(body, opt_out):
    inbound = parse_inbound({"From": "+8613800138000", "To": "+14155550100", "Body": body, "MessageSid": "SM1"})
    assert inbound.is_opt_out is opt_out
    assert inbound.from_ == "+8613800138000" and inbound.body == body and inbound.message_sid == "SM1"


@pytest.mark.parametrize(("body", "opt_in"), [("START", True), ("unstop", True), ("Yes", True), ("STOP", False)])
def test_opt_in_words(body, opt_in):
    assert parse_inbound({"From": "+14155550123", "Body": body}).is_opt_in is opt_in


def receiver(auth_token):
    """A webhook edge as the app will have one: verify, parse, answer."""

    def app(environ, start_response):
        request = Request(environ)
        try:
            verify_inbound_signature(request.url, request.form, request.headers.get("X-Twilio-Signature"), auth_token)
        except InvalidSignature as refused:
            return Response(str(refused), status=403)(environ, start_response)
        inbound = parse_inbound(request.form)
        payload = {"from": inbound.from_, "body": inbound.body, "opt_out": inbound.is_opt_out}
        return Response(json.dumps(payload), mimetype="application/json")(environ, start_response)

    return app


@pytest.mark.parametrize(("body", "opt_out"), [("STOP", True), ("退订", True), ("TD", True), ("谢谢", False)])
def test_a_signed_inbound_sms_over_http_is_verified_and_understood(body, opt_out):
    with serve_wsgi(receiver("inbound-token")) as base_url:
        url = f"{base_url}/sms/inbound?shop=juniper"
        customer = {"from_": "+8613800138000", "to": "+14155550100", "body": body}
        response = post_inbound_sms(url, **customer, auth_token="inbound-token")
        assert response.status_code == 200
        assert response.json() == {"from": "+8613800138000", "body": body, "opt_out": opt_out}
        forged = post_inbound_sms(url, **customer, auth_token="guess")
        assert forged.status_code == 403
