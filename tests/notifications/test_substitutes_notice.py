"""A notice for two short lines, each with its own substitute, sent through the real local SMTP server."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from app import db, queues
from app.choices import offers
from app.choices.offer_policy import Candidate
from app.models import CaseLine
from app.notifications.offer import describe, per_item
from tests.notifications.conftest import add_case, add_shop


def candidate(number: int, title: str, price: str) -> Candidate:
    return Candidate(
        variant_gid=f"gid://shopify/ProductVariant/{number}", product_gid="gid://shopify/Product/31",
        product_type="Teaware", title=title, price=Decimal(price), available=5,
    )


def test_the_notice_names_each_short_item_with_its_substitute(app_context, smtp, twilio, run_jobs):
    shop = add_shop()
    case = add_case(shop)
    db.session().add(CaseLine(
        shop_id=shop.id, case_id=case.id, line_item_gid="gid://shopify/LineItem/2002",
        variant_gid="gid://shopify/ProductVariant/12", product_gid="gid://shopify/Product/32",
        title="Tea Cups, Set of 4", quantity_ordered=1, quantity_short=1, unit_price=Decimal("24.00"),
    ))
    db.session().commit()
    db.session().refresh(case)
    found = [[candidate(21, "Teapot in Sand", "40.00"), candidate(22, "Teapot in Ash", "42.00")],
             [candidate(23, "Tea Cups in Sand", "24.00")]]
    offers.save_offer(case, offers.compose_offer(case, found))
    db.session().commit()

    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    assert run_jobs() == 1

    [mail] = smtp.to("ada@example.com")
    text = mail.message.get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert any("Stoneware Teapot" in line and "Teapot in Sand" in line and "1 other" in line for line in lines), text
    assert any("Tea Cups, Set of 4" in line and "Tea Cups in Sand" in line for line in lines), text
    html = mail.message.get_body(("html",)).get_content()
    assert "Teapot in Sand" in html and "Tea Cups in Sand" in html
    [sms] = twilio.messages
    assert "Substitutes available for 2 items" in sms.body


def row(key: str, title: str, option: str = "substitute", chosen_at=None) -> SimpleNamespace:
    """An offer row as `describe` reads it (the fields of `CaseOffer` it uses)."""
    return SimpleNamespace(key=key, title=title, option=option, grant=None, refund_amount=None, chosen_at=chosen_at)


def test_per_item_groups_the_line_picks_and_a_confirmation_names_the_set_chosen():
    rows = [row("wait", "", "wait"), row("substitute:21@1", "Sand"), row("substitute:22@1", "Ash"),
            row("substitute:23@2", "Cups"), row("substitute:21@1+23@2", "Sand + Cups", chosen_at=db.utcnow())]
    picks = per_item(rows, {"1": "Teapot", "2": "Cups set"})
    assert [(p.item, p.title, p.more) for p in picks] == [("Teapot", "Sand", 1), ("Cups set", "Cups", 0)]
    assert per_item([row("substitute:gid://shopify/ProductVariant/21", "Sand")], {}) == ()
    options = describe(rows, lambda offer: None, lambda option: f"/c?option={option}", {"1": "Teapot", "2": "Cups"})
    assert options.substitute.title == "Sand + Cups", "a set already chosen is the substitute a confirmation names"
