"""The page's fetches: bearer tokens only, forms saved whole or not at all, errors in place, actions as jobs."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app import db, queues
from app.admin.auth import RETRY_HEADER
from app.admin.tasks import choose_for_customer
from app.models import (
    CaseEvent,
    Shop,
    CompensationRuleRow,
    MessageTemplate,
    ProductState,
    RestockPlan,
    ShopSettings,
    StockoutCase,
)
from app.models.catalogue import SeenOrder, VariantSalesDay
from app.reports.sales import SoldLine, record_order_seen

CATALOGUE_FORM = {"short_days": "2", "presale_days": "9", "delist_mode": "draft", "grace_minutes": "15",
                  "safety_stock": "1", "presale_label_format": ""}


def test_state_changes_need_a_valid_bearer_token(client, shop, token):
    url = "/app/api/settings/catalogue"
    no_token = client.post(url, json=CATALOGUE_FORM)
    assert no_token.status_code == 401 and RETRY_HEADER not in no_token.headers
    form_post = client.post(url, data=CATALOGUE_FORM)
    assert form_post.status_code == 401
    stale = token(now=db.utcnow() - timedelta(minutes=5))
    expired = client.post(url, json=CATALOGUE_FORM, headers={"Authorization": f"Bearer {stale}"})
    assert expired.status_code == 401 and expired.headers[RETRY_HEADER] == "1"
    foreign = token(client_id="another-app")
    assert client.post(url, json=CATALOGUE_FORM, headers={"Authorization": f"Bearer {foreign}"}).status_code == 401
    assert db.session().scalar(select(func.count()).select_from(ShopSettings)) == 0


def test_settings_are_saved_and_shown_after_a_reload(call, page, shop):
    response = call("/app/api/settings/catalogue", json=CATALOGUE_FORM)
    assert response.status_code == 200 and response.json["message"] == "已保存。"
    row = db.session().scalar(select(ShopSettings).where(ShopSettings.shop_id == shop.id))
    assert (row.short_days, row.presale_days, row.delist_mode, row.grace_minutes) == (2, 9, "draft", 15)
    html = page("/app/settings").get_data(as_text=True)
    assert 'name="presale_days" type="text" inputmode="decimal"\n         value="9"' in html


def test_bad_input_gets_field_errors_in_the_shops_language_and_saves_nothing(call, shop):
    response = call("/app/api/settings/catalogue", json={**CATALOGUE_FORM, "short_days": "12", "grace_minutes": "x"})
    assert response.status_code == 422
    assert response.json["errors"] == {"presale_days": "不能少于继续销售的天数。",
                                       "grace_minutes": "请输入 0 到 1440 之间的整数。"}
    assert db.session().scalar(select(func.count()).select_from(ShopSettings)) == 0


def rules_form(**changes) -> dict:
    form = {"preset_id": ""}
    for option in ("wait", "substitute", "refund"):
        form.update({f"{option}.kind": "fixed_amount", f"{option}.value": "10", f"{option}.validity_days": "30"})
    form.update(changes)
    return form


def test_compensation_rules_are_saved_together_or_not_at_all_with_a_live_sample(call, shop):
    refused = call("/app/api/compensation", json=rules_form(**{"refund.kind": "percent_of_refund",
                                                               "refund.value": "120"}))
    assert refused.status_code == 422 and refused.json["errors"] == {"refund.value": "百分比不能超过 100。"}
    assert db.session().scalar(select(func.count()).select_from(CompensationRuleRow)) == 0
    assert call("/app/api/compensation", json=rules_form(**{"wait.value": "12.5"})).status_code == 200
    rows = {r.option: r for r in db.session().scalars(select(CompensationRuleRow))}
    assert set(rows) == {"wait", "substitute", "refund"} and rows["wait"].value == Decimal("12.5")
    sample = call("/app/api/compensation/preview", json=rules_form(**{"wait.kind": "percent_of_order",
                                                                     "wait.value": "5", "wait.cap": "3"}))
    assert sample.json["sample"]["wait"].startswith("价值 ¥3.00 的优惠券（按 5% 计算）")
    assert sample.json["sample"]["refund"].startswith("价值 ¥10.00 的优惠券")


def test_templates_preview_refuse_save_and_reset(call, shop):
    target = {"kind": "stockout_notice", "locale": "zh-CN", "part": "sms"}
    source = call("/app/api/templates/source", **target).json["source"]
    preview = call("/app/api/templates/preview", json={**target, "source": source}).json["preview"]
    assert "山野手作陶瓷工作室" in preview["rendered"] and preview["problems"] == []
    assert preview["segments"].endswith("UCS-2）") and "条短信" in preview["segments"]
    refused = call("/app/api/templates/save", json={**target, "source": "您好"})
    assert refused.status_code == 422 and "必须" in refused.json["errors"]["source"]
    assert db.session().scalar(select(func.count()).select_from(MessageTemplate)) == 0
    edited = source.replace("】", "】您好，", 1)
    assert call("/app/api/templates/save", json={**target, "source": edited}).status_code == 200
    assert call("/app/api/templates/source", **target).json["customised"] is True
    reset = call("/app/api/templates/reset", json=target)
    assert reset.status_code == 200 and reset.json["source"] == source
    assert db.session().scalar(select(func.count()).select_from(MessageTemplate)) == 0


def test_switching_language_is_stored_per_shop(call, page, shop):
    assert call("/app/api/locale", json={"locale": "fr"}).status_code == 422
    assert call("/app/api/locale", json={"locale": "zh-TW"}).status_code == 200
    html = page("/app/").get_data(as_text=True)
    assert '<html lang="zh-TW">' in html and "總覽" in html


def make_case(shop, **values) -> StockoutCase:
    defaults = dict(shop_id=shop.id, order_gid="gid://shopify/Order/1", order_name="#1001", status="notified",
                    email="buyer@example.com", detected_at=db.utcnow(), reason="supplier_shortage")
    case = StockoutCase(**{**defaults, **values})
    db.session().add(case)
    db.session().commit()
    return case


def test_closing_a_case_is_a_job_that_runs_once_and_only_on_this_shops_cases(call, shop, run_jobs):
    case = make_case(shop)
    response = call(f"/app/api/cases/{case.id}/close", json={})
    assert response.status_code == 202 and response.json["message"] == "正在关闭…"
    db.session().expire_all()
    assert db.session().get(StockoutCase, case.id).status == "notified"
    run_jobs()
    db.session().expire_all()
    closed = db.session().get(StockoutCase, case.id)
    assert closed.status == "closed" and closed.closed_at is not None
    assert db.session().scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all() == ["closed"]
    assert call(f"/app/api/cases/{case.id}/close", json={}).status_code == 409
    assert call(f"/app/api/cases/{case.id}/launch", json={}).status_code == 409
    other = Shop(domain="other.myshopify.com", installed_at=db.utcnow())
    db.session().add(other)
    db.session().commit()
    foreign = make_case(other)
    assert call(f"/app/api/cases/{foreign.id}/close", json={}).status_code == 404


def test_choosing_for_the_customer_records_the_offered_option(call, page, shop):
    case = make_case(shop, order_total=Decimal("120"), currency="CNY")
    assert 'value="wait"' in page(f"/app/cases/{case.id}").get_data(as_text=True)
    assert call(f"/app/api/cases/{case.id}/choose", json={"offer": "teleport"}).status_code == 422
    response = call(f"/app/api/cases/{case.id}/choose", json={"offer": "wait"})
    assert response.status_code == 202 and response.json["message"] == "正在记录选择。"
    (job,) = queues.queue("default").get_jobs()
    assert (job.func_name, job.args) == ("app.admin.tasks.choose_for_customer", [shop.id, case.id, "wait"])
    # Run the job itself: the worker would go on to carry the choice out through Shopify, out of scope here.
    assert choose_for_customer(*job.args) is True
    db.session().expire_all()
    chosen = db.session().get(StockoutCase, case.id)
    assert (chosen.choice, chosen.status) == ("wait", "waiting")
    event = db.session().scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "choice_made"))
    assert event.detail["source"] == "merchant"


def test_send_me_a_test_goes_through_the_configured_channel(call, client, token, shop, run_jobs):
    refused = call("/app/api/channels/test", json={"channel": "sms", "to": "12345"})
    assert refused.status_code == 422 and "test_sms" in refused.json["errors"]
    queued = call("/app/api/channels/test", json={"channel": "email", "to": "owner@example.com"})
    assert queued.status_code == 202
    test_id = queued.json["test_id"]
    assert call(f"/app/api/channels/test/{test_id}").json["status"] == "queued"
    run_jobs(["notifications"])
    result = call(f"/app/api/channels/test/{test_id}").json
    assert (result["status"], result["label"], result["detail"]) == ("sent", "测试已发送。", "outbox")
    other = Shop(domain="other-shop.myshopify.com", name="Other", installed_at=db.utcnow(), scopes="read_orders",
                 access_token_encrypted=shop.access_token_encrypted)
    db.session().add(other)
    db.session().commit()
    from_other_shop = client.get(f"/app/api/channels/test/{test_id}",
                                 headers={"Authorization": f"Bearer {token(other.domain)}"})
    assert from_other_shop.status_code == 404, "another shop cannot read this shop's test result"


def test_restock_plans_for_many_products_are_one_transaction_and_products_can_be_left_alone(call, shop):
    products = [ProductState(shop_id=shop.id, product_gid=f"gid://shopify/Product/{n}", title=f"P{n}",
                             state="presale") for n in (1, 2)]
    db.session().add_all(products)
    db.session().commit()
    ids = [p.id for p in products]
    past = call("/app/api/products/restock", json={"product_ids": ids, "restock_date": "2020-01-01"})
    assert past.status_code == 422 and past.json["errors"] == {"restock_date": "到货日期已经过去。"}
    day = (db.utcnow() + timedelta(days=20)).date().isoformat()
    saved = call("/app/api/products/restock", json={"product_ids": ids, "restock_date": day,
                                                    "reason": "supplier_shortage"})
    assert saved.status_code == 200 and saved.json["message"] == "已为 2 个商品保存到货计划。"
    plans = db.session().scalars(select(RestockPlan).order_by(RestockPlan.scope_key)).all()
    assert [(p.scope, p.scope_key, p.restock_date.isoformat(), p.reason) for p in plans] == [
        ("product", "gid://shopify/Product/1", day, "supplier_shortage"),
        ("product", "gid://shopify/Product/2", day, "supplier_shortage"),
    ]
    alone = call(f"/app/api/products/{ids[0]}/leave-alone", json={"leave_alone": "on"})
    assert alone.status_code == 200 and alone.json["leave_alone"] is True
    db.session().expire_all()
    assert db.session().get(ProductState, ids[0]).leave_alone is True


def test_restock_csv_import_reports_refused_rows_in_the_shops_language(call, shop):
    text = "product_id,restock_date,reason\n123,2030-01-05,demand_spike\n456,31/12,other\n"
    response = call("/app/api/products/import", json={"csv": text})
    assert response.json["applied"] == 1
    assert response.json["problems"] == [{"row": 3, "message": "“31/12”不是日期，例如 2026-12-31。"}]
    assert call("/app/api/products/import", json={"csv": ""}).json["errors"] == {"csv": "请选择 CSV 文件。"}


def test_orders_are_counted_once_however_often_they_arrive(shop):
    created = db.utcnow() - timedelta(days=2)
    lines = [SoldLine("gid://shopify/ProductVariant/1", "gid://shopify/Product/1", 2),
             SoldLine("gid://shopify/ProductVariant/1", "gid://shopify/Product/1", 1)]
    assert record_order_seen(shop.id, "gid://shopify/Order/77", created, lines) is True
    assert record_order_seen(shop.id, "gid://shopify/Order/77", created, lines) is False
    assert record_order_seen(shop.id, "gid://shopify/Order/78", created, lines[:1]) is True
    db.session().commit()
    assert db.session().scalar(select(func.count()).select_from(SeenOrder)) == 2
    assert db.session().scalar(select(VariantSalesDay.quantity)) == 5


def test_report_csv_numbers_match_the_database(call, shop):
    from bench.admin_seed import seed_shop

    seed_shop(db.session(), shop.id, db.utcnow(), products=30, cases=120, orders=900)
    response = call("/app/api/reports/monthly.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["月份", "订单数", "缺货订单数"]
    assert len(rows) == 13
    month = rows[-1][0]
    from app.reports.arithmetic import month_bounds

    start, end = month_bounds(month, shop.timezone)
    cases = db.session().scalar(select(func.count()).select_from(StockoutCase).where(
        StockoutCase.detected_at >= start, StockoutCase.detected_at < end))
    orders = db.session().scalar(select(func.count()).select_from(SeenOrder).where(
        SeenOrder.created_at >= start, SeenOrder.created_at < end))
    assert (int(rows[-1][1]), int(rows[-1][2])) == (orders, cases)
    assert Decimal(rows[-1][3]) == (Decimal(cases) / orders).quantize(Decimal("0.0001"))
