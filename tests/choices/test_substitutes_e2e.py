"""Substitutes with a price difference, carried out through the emulated Admin API as one order edit."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from app import db
from app.choices import links, offers
from app.models import Compensation, CompensationRuleRow, SideEffect, StockoutCase
from jobs import choices as choice_jobs

ORDER_AFTER_EDIT = """
query TestOrderAfterEdit($id: ID!) {
  order(id: $id) {
    displayFinancialStatus
    currentSubtotalPriceSet { shopMoney { amount } }
    currentTotalPriceSet { shopMoney { amount } }
    totalOutstandingSet { shopMoney { amount } }
    totalDiscountsSet { shopMoney { amount } }
    discountApplications(first: 5) { nodes { targetType ... on ManualDiscountApplication { title } } }
    refunds { totalRefundedSet { shopMoney { amount } } }
    lineItems(first: 20) {
      nodes {
        currentQuantity variant { id }
        originalUnitPriceSet { shopMoney { amount } }
        discountedUnitPriceSet { shopMoney { amount } }
        totalDiscountSet { shopMoney { amount } }
      }
    }
  }
}
"""


def _amount(bag: dict) -> Decimal:
    return Decimal(bag["shopMoney"]["amount"])


def _variants(store, title: str) -> list[str]:
    product = next(p for p in store.products() if p["title"] == title)
    return [variant["id"] for variant in product["variants"]["nodes"]]


def _stock(store, levels: dict[str, int], *emptied: str) -> None:
    """Give these variants this stock and empty every other variant of the products named."""
    for title in emptied:
        for variant in _variants(store, title):
            if variant not in levels:
                store.set_stock(variant, 0)
    for variant, available in levels.items():
        store.set_stock(variant, available)


def _cover_differences_up_to(store, amount: str) -> None:
    db.session().add(CompensationRuleRow(shop_id=store.shop.id, option="substitute", kind="none",
                                         cover_price_difference_up_to=Decimal(amount)))
    db.session().commit()


def _page(store_app, case) -> tuple[str, str]:
    token = links.choice_token(case.shop_id, case.id)
    return token, store_app.test_client().get(f"/c/{token}").get_data(as_text=True)


def _post(store_app, token: str, page: str, fields: dict, times: int = 1) -> None:
    client = store_app.test_client()
    form = {"form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1),
            "expected": re.search(r'name="expected" value="([^"]*)"', page).group(1), **fields}
    for _ in range(times):
        assert client.post(f"/c/{token}/choose", data=form).status_code == 303


def _committed_edits(emulator, order_gid: str) -> int:
    number = int(order_gid.rsplit("/", 1)[-1])
    return sum(1 for edit in emulator.shop_state().order_edits.values()
               if edit.order_id == number and edit.committed_at is not None)


def _lines(order: dict) -> dict[str, dict]:
    return {node["variant"]["id"]: node for node in order["lineItems"]["nodes"]}


def test_a_dearer_substitute_is_partly_covered_by_a_line_discount_and_the_customer_owes_the_rest(
        store, store_app, work, emulator):
    oxford, flannel = _variants(store, "牛津纺衬衫")[0], _variants(store, "格纹法兰绒衬衫")[0]
    _stock(store, {flannel: 500}, "牛津纺衬衫")
    _cover_differences_up_to(store, "25")
    case = store.open_case(oxford, quantity=2)
    choice_jobs.prepare_offer(store.shop.id, case.id)
    offered = {offer.key: offer for offer in offers.offers_for(case)}
    dearer = offered[f"substitute:{flannel}"]
    assert dearer.price_difference == Decimal("40.00")
    token, page = _page(store_app, case)
    assert "格纹法兰绒衬衫" in page and "我们承担 ¥25.00，您补 ¥15.00" in page

    _post(store_app, token, page, {"offer": f"substitute:{flannel}"}, times=2)
    work()

    order = store.graphql(ORDER_AFTER_EDIT, id=case.order_gid)["order"]
    lines = _lines(order)
    assert {variant: node["currentQuantity"] for variant, node in lines.items()} == {oxford: 0, flannel: 2}
    added = lines[flannel]
    assert (_amount(added["originalUnitPriceSet"]), _amount(added["discountedUnitPriceSet"])) == (
        Decimal("299.00"), Decimal("286.50"))
    assert _amount(added["totalDiscountSet"]) == Decimal("25.00")
    assert [node["targetType"] for node in order["discountApplications"]["nodes"]] == ["LINE_ITEM"]
    assert _amount(order["currentSubtotalPriceSet"]) == Decimal("573.00")
    assert _amount(order["currentTotalPriceSet"]) == Decimal("583.00")
    assert _amount(order["totalOutstandingSet"]) == Decimal("15.00"), "the customer pays what the rule does not cover"
    assert order["refunds"] == []
    assert _committed_edits(emulator, case.order_gid) == 1
    assert db.session().scalars(select(SideEffect).where(SideEffect.kind == "order_edit")).one().status == "done"
    invoices = emulator.shop_state().orders[int(case.order_gid.rsplit("/", 1)[-1])].invoices
    assert [(invoice["to"], invoice["amount"]) for invoice in invoices] == [("mei@example.com", Decimal("15.00"))]
    covered = db.session().scalars(select(Compensation).where(Compensation.kind == "price_difference")).one()
    assert (covered.option, covered.amount, covered.status) == ("substitute", Decimal("25.00"), "granted")
    db.session().expire_all()
    assert db.session().get(StockoutCase, case.id).status == "resolved"
    done_page = store_app.test_client().get(f"/c/{token}").get_data(as_text=True)
    assert "我们会通过邮件发送 ¥15.00 的付款链接" in done_page


def _radios(page: str) -> dict[str, list[str]]:
    """Each per-line picker's field name with the pick keys it offers, in page order."""
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'type="radio" name="(pick-\d+)" value="([^"]+)"', page):
        found.setdefault(name, []).append(value)
    return found


def test_two_short_lines_each_get_a_substitute_picked_and_swapped_in_one_edit(store, store_app, work, emulator):
    oxford, flannel = _variants(store, "牛津纺衬衫")[0], _variants(store, "格纹法兰绒衬衫")[0]
    cap = _variants(store, "棒球帽")[0]
    beanie_black, beanie_grey = _variants(store, "针织毛线帽")[:2]
    _stock(store, {flannel: 500, beanie_black: 8, beanie_grey: 3}, "牛津纺衬衫", "棒球帽", "针织毛线帽")
    _cover_differences_up_to(store, "25")
    case = store.open_case(oxford, quantity=2, also_short={cap: 1})
    choice_jobs.prepare_offer(store.shop.id, case.id)
    shirt_line, cap_line = (line.line_item_gid.rsplit("/", 1)[-1] for line in case.lines)

    token, page = _page(store_app, case)
    radios = _radios(page)
    assert list(radios) == [f"pick-{shirt_line}", f"pick-{cap_line}"]
    assert radios[f"pick-{shirt_line}"][0] == f"substitute:{flannel.rsplit('/', 1)[-1]}@{shirt_line}"
    assert len(radios[f"pick-{cap_line}"]) == 2
    assert "替换 牛津纺衬衫：" in page and "差价合计由我们承担最多 ¥25.00" in page
    grey = f"substitute:{beanie_grey.rsplit('/', 1)[-1]}@"
    grey_pick = next(key for key in radios[f"pick-{cap_line}"] if key.startswith(grey))

    client = store_app.test_client()
    form = {"form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1), "expected": ""}
    lone = client.post(f"/c/{token}/choose", data={**form, "offer": grey_pick})
    half = client.post(f"/c/{token}/choose", data={**form, f"pick-{cap_line}": grey_pick})
    assert (lone.status_code, half.status_code) == (400, 400)
    db.session().expire_all()
    assert db.session().get(StockoutCase, case.id).choice is None

    picks = {f"pick-{shirt_line}": radios[f"pick-{shirt_line}"][0], f"pick-{cap_line}": grey_pick}
    _post(store_app, token, page, picks, times=2)
    work()

    order = store.graphql(ORDER_AFTER_EDIT, id=case.order_gid)["order"]
    lines = _lines(order)
    assert {variant: node["currentQuantity"] for variant, node in lines.items()} == {
        oxford: 0, cap: 0, flannel: 2, beanie_grey: 1}
    # +2 × 20 for the shirts and −30 for the cap: the net +10 is covered on the shirts, 5 off each.
    assert _amount(lines[flannel]["discountedUnitPriceSet"]) == Decimal("294.00")
    assert _amount(lines[beanie_grey]["discountedUnitPriceSet"]) == Decimal("99.00")
    assert _amount(order["totalDiscountsSet"]) == Decimal("10.00")
    assert _amount(order["currentTotalPriceSet"]) == Decimal("697.00")
    assert _amount(order["totalOutstandingSet"]) == Decimal("0.00") and order["refunds"] == []
    assert _committed_edits(emulator, case.order_gid) == 1
    assert emulator.shop_state().orders[int(case.order_gid.rsplit("/", 1)[-1])].invoices == []
    db.session().expire_all()
    settled = db.session().get(StockoutCase, case.id)
    assert (settled.choice, settled.status) == ("substitute", "resolved")
    chosen = [offer for offer in offers.offers_for(settled) if offer.chosen_at is not None]
    assert [offer.title for offer in chosen] == [
        f"格纹法兰绒衬衫 ({_title(store, flannel)}) + 针织毛线帽 ({_title(store, beanie_grey)})"]
    done_page = store_app.test_client().get(f"/c/{token}").get_data(as_text=True)
    assert "格纹法兰绒衬衫" in done_page and 'type="radio"' not in done_page


def test_a_cheaper_set_of_picks_refunds_the_net_difference_once(store, store_app, work, emulator):
    oxford, flannel = _variants(store, "牛津纺衬衫")[0], _variants(store, "格纹法兰绒衬衫")[0]
    cap, beanie = _variants(store, "棒球帽")[0], _variants(store, "针织毛线帽")[0]
    _stock(store, {flannel: 500, beanie: 8}, "牛津纺衬衫", "棒球帽", "针织毛线帽")
    case = store.open_case(oxford, also_short={cap: 1})
    choice_jobs.prepare_offer(store.shop.id, case.id)
    token, page = _page(store_app, case)
    _post(store_app, token, page, {name: keys[0] for name, keys in _radios(page).items()}, times=2)
    work()
    order = store.graphql(ORDER_AFTER_EDIT, id=case.order_gid)["order"]
    assert {variant: node["currentQuantity"] for variant, node in _lines(order).items()} == {
        oxford: 0, cap: 0, flannel: 1, beanie: 1}
    assert [_amount(refund["totalRefundedSet"]) for refund in order["refunds"]] == [Decimal("10.00")]
    assert _amount(order["totalOutstandingSet"]) == Decimal("0.00")
    assert _committed_edits(emulator, case.order_gid) == 1


def _title(store, variant_gid: str) -> str:
    product = next(p for p in store.products() if any(v["id"] == variant_gid for v in p["variants"]["nodes"]))
    return next(v["title"] for v in product["variants"]["nodes"] if v["id"] == variant_gid)
