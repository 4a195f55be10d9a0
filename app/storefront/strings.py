"""What the storefront says back to a shopper, per locale."""

from __future__ import annotations

from app.domain.locales import resolve_locale

STRINGS = {
    "en": {
        "joined": "Thanks! We'll let you know as soon as it's back in stock.",
        "already": "You're already on the list. We'll let you know as soon as it's back.",
        "email": "Please enter a valid e-mail address.",
        "phone": "Please enter a valid phone number.",
        "ProductVariant": "Please choose a variant first.",
        "variant_id": "Please choose a variant first.",
        "Product": "Something went wrong. Please reload the page and try again.",
        "Customer": "Something went wrong. Please reload the page and try again.",
        "too_many": "Too many requests. Please try again in a little while.",
    },
    "zh-CN": {
        "joined": "谢谢！到货后我们会第一时间通知您。",
        "already": "您已在到货通知名单中，到货后我们会通知您。",
        "email": "请输入有效的电子邮箱地址。",
        "phone": "请输入有效的手机号码。",
        "ProductVariant": "请先选择款式。",
        "variant_id": "请先选择款式。",
        "Product": "出了点问题，请刷新页面后重试。",
        "Customer": "出了点问题，请刷新页面后重试。",
        "too_many": "请求过于频繁，请稍后再试。",
    },
    "zh-TW": {
        "joined": "謝謝！到貨後我們會第一時間通知您。",
        "already": "您已在到貨通知名單中，到貨後我們會通知您。",
        "email": "請輸入有效的電子郵件地址。",
        "phone": "請輸入有效的手機號碼。",
        "ProductVariant": "請先選擇款式。",
        "variant_id": "請先選擇款式。",
        "Product": "發生錯誤，請重新整理頁面後再試。",
        "Customer": "發生錯誤，請重新整理頁面後再試。",
        "too_many": "請求過於頻繁，請稍後再試。",
    },
}


def text(locale: str | None, key: str) -> str:
    """One storefront string in the shopper's language."""
    return STRINGS[resolve_locale(locale, None)][key]
