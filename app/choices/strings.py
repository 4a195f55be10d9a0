"""What the choice page says, per locale; `{name}` places are filled by the page model."""

from __future__ import annotations

from app.domain.locales import NO_DATE_TEXT

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your order {order}",
        "intro": "We're sorry: we can't ship {items} right now.",
        "restock": "New stock is expected on {date}.",
        "choose_by": "Please choose by {deadline}.",
        "default_wait": "If we don't hear from you by then, we'll keep your order in line.",
        "default_refund": "If we don't hear from you by then, we'll refund you.",
        "wait": "Wait for it",
        "wait_detail": "We'll ship it the day the stock arrives.",
        "priority": "With priority shipping, at no cost to you.",
        "coupon": "Plus a {value} coupon for your next order.",
        "coupon_until": "Plus a {value} coupon for your next order, valid until {date}.",
        "substitute": "Take {title} instead",
        "substitute_detail": "In stock now; we ship it right away.",
        "same_price": "Same price.",
        "dearer_covered": "It costs {difference} more; we cover that.",
        "dearer_shared": "It costs {difference} more; we cover {covered}, you pay {pays}.",
        "cheaper": "It costs {difference} less; we refund the difference.",
        "refund": "Get a refund",
        "refund_detail": "{amount} back to your original payment method.",
        "button": "Choose this",
        "chosen_wait": "You chose to wait.",
        "chosen_substitute": "You chose {title} instead.",
        "chosen_refund": "You chose a refund of {amount}.",
        "chosen_by_default": "We didn't hear from you by the deadline, so we applied the shop's default.",
        "next_wait": "We'll ship your order the day the stock arrives. We've e-mailed you a confirmation.",
        "next_substitute": "We're updating your order and will ship it soon. We've e-mailed you a confirmation.",
        "next_refund": "We're processing your refund now and will e-mail you when it's done.",
        "switch": "Changed your mind? You can still switch:",
        "delay_title": "The date has moved",
        "delay_ask": "Do you still want to wait? If we don't hear from you by {deadline}, we'll cancel and refund you in full.",
        "agree": "Yes, keep waiting",
        "agreed": "Thank you. Your order keeps its place in line.",
        "cancel_title": "Cancel and get a full refund",
        "cancel_detail": "One tap: we refund {amount} to your original payment method.",
        "cancel_button": "Cancel and refund me",
        "keep_waiting": "No, I'll keep waiting",
        "finished": "This order's stockout has been taken care of. Questions? Reply to our last e-mail.",
        "bad_link_title": "This link doesn't work",
        "bad_link": "It may have been copied incompletely. Please open the link in our latest message, "
                    "or reply to it and we'll help you.",
        "expired_title": "This link has expired",
        "expired": "For your safety, choice links work for 30 days. Reply to our latest message and "
                   "we'll send you a new one.",
        "stale_form": "This page was open too long. Please choose again.",
        "questions": "Questions? Write to {email}.",
        "days_card": "Banks usually show it within 3–5 business days.",
        "days_wallet": "It usually shows within 1–2 business days.",
        "days_gift_card": "It goes back to your gift card right away.",
        "days_manual": "The shop will contact you about how the money gets back to you.",
    },
    "zh-CN": {
        "title": "您的订单 {order}",
        "intro": "非常抱歉：{items} 目前无法发货。",
        "restock": "预计 {date} 到货。",
        "choose_by": "请在 {deadline} 前选择。",
        "default_wait": "如届时未收到您的回复，我们会为您保留订单，到货即发。",
        "default_refund": "如届时未收到您的回复，我们会为您退款。",
        "wait": "等待到货",
        "wait_detail": "到货当天即为您发货。",
        "priority": "并免费升级为优先配送。",
        "coupon": "另赠 {value} 优惠券，下次购物可用。",
        "coupon_until": "另赠 {value} 优惠券，下次购物可用，有效期至 {date}。",
        "substitute": "改选 {title}",
        "substitute_detail": "现货，立即发货。",
        "same_price": "价格相同。",
        "dearer_covered": "贵 {difference}，差价由我们承担。",
        "dearer_shared": "贵 {difference}，我们承担 {covered}，您补 {pays}。",
        "cheaper": "便宜 {difference}，差价退还给您。",
        "refund": "申请退款",
        "refund_detail": "{amount} 将退回您的原支付方式。",
        "button": "选择此项",
        "chosen_wait": "您选择了等待到货。",
        "chosen_substitute": "您选择了改为 {title}。",
        "chosen_refund": "您选择了退款 {amount}。",
        "chosen_by_default": "截止时间前未收到您的选择，我们已按店铺的默认方式处理。",
        "next_wait": "到货当天我们就会为您发货，确认邮件已发送给您。",
        "next_substitute": "我们正在更新您的订单，很快发货，确认邮件已发送给您。",
        "next_refund": "我们正在为您办理退款，完成后会通知您。",
        "switch": "改变主意了？您仍可以改选：",
        "delay_title": "到货日期有变",
        "delay_ask": "您还愿意继续等待吗？如在 {deadline} 前未收到您的回复，我们将取消订单并全额退款。",
        "agree": "是的，继续等待",
        "agreed": "谢谢！您的订单将保持原有的排队顺序。",
        "cancel_title": "取消并全额退款",
        "cancel_detail": "一键操作：{amount} 将退回您的原支付方式。",
        "cancel_button": "取消并退款",
        "keep_waiting": "不，我继续等待",
        "finished": "此订单的缺货问题已处理完毕。如有疑问，请回复我们最近的邮件。",
        "bad_link_title": "此链接无法使用",
        "bad_link": "链接可能没有复制完整。请打开我们最新消息中的链接，或直接回复消息，我们会协助您。",
        "expired_title": "此链接已过期",
        "expired": "为保障您的安全，选择链接的有效期为 30 天。请回复我们最新的消息，我们会给您发送新链接。",
        "stale_form": "页面打开时间过长，请重新选择。",
        "questions": "如有疑问，请写信至 {email}。",
        "days_card": "银行通常在 3–5 个工作日内到账。",
        "days_wallet": "通常在 1–2 个工作日内到账。",
        "days_gift_card": "将立即退回您的礼品卡。",
        "days_manual": "店铺会与您联系退款方式。",
    },
    "zh-TW": {
        "title": "您的訂單 {order}",
        "intro": "非常抱歉：{items} 目前無法出貨。",
        "restock": "預計 {date} 到貨。",
        "choose_by": "請在 {deadline} 前選擇。",
        "default_wait": "如屆時未收到您的回覆，我們會為您保留訂單，到貨即出。",
        "default_refund": "如屆時未收到您的回覆，我們會為您退款。",
        "wait": "等待到貨",
        "wait_detail": "到貨當天即為您出貨。",
        "priority": "並免費升級為優先配送。",
        "coupon": "另贈 {value} 優惠券，下次購物可用。",
        "coupon_until": "另贈 {value} 優惠券，下次購物可用，有效期限至 {date}。",
        "substitute": "改選 {title}",
        "substitute_detail": "現貨，立即出貨。",
        "same_price": "價格相同。",
        "dearer_covered": "貴 {difference}，差價由我們負擔。",
        "dearer_shared": "貴 {difference}，我們負擔 {covered}，您補 {pays}。",
        "cheaper": "便宜 {difference}，差價退還給您。",
        "refund": "申請退款",
        "refund_detail": "{amount} 將退回您的原付款方式。",
        "button": "選擇此項",
        "chosen_wait": "您選擇了等待到貨。",
        "chosen_substitute": "您選擇了改為 {title}。",
        "chosen_refund": "您選擇了退款 {amount}。",
        "chosen_by_default": "截止時間前未收到您的選擇，我們已依店家的預設方式處理。",
        "next_wait": "到貨當天我們就會為您出貨，確認郵件已寄給您。",
        "next_substitute": "我們正在更新您的訂單，很快出貨，確認郵件已寄給您。",
        "next_refund": "我們正在為您辦理退款，完成後會通知您。",
        "switch": "改變主意了？您仍可以改選：",
        "delay_title": "到貨日期有變",
        "delay_ask": "您還願意繼續等待嗎？如在 {deadline} 前未收到您的回覆，我們將取消訂單並全額退款。",
        "agree": "是的，繼續等待",
        "agreed": "謝謝！您的訂單將保持原有的排隊順序。",
        "cancel_title": "取消並全額退款",
        "cancel_detail": "一鍵操作：{amount} 將退回您的原付款方式。",
        "cancel_button": "取消並退款",
        "keep_waiting": "不，我繼續等待",
        "finished": "此訂單的缺貨問題已處理完畢。如有疑問，請回覆我們最近的郵件。",
        "bad_link_title": "此連結無法使用",
        "bad_link": "連結可能沒有複製完整。請開啟我們最新訊息中的連結，或直接回覆訊息，我們會協助您。",
        "expired_title": "此連結已過期",
        "expired": "為保障您的安全，選擇連結的有效期限為 30 天。請回覆我們最新的訊息，我們會寄給您新連結。",
        "stale_form": "頁面開啟時間過長，請重新選擇。",
        "questions": "如有疑問，請寫信至 {email}。",
        "days_card": "銀行通常在 3–5 個工作天內入帳。",
        "days_wallet": "通常在 1–2 個工作天內入帳。",
        "days_gift_card": "將立即退回您的禮品卡。",
        "days_manual": "店家會與您聯繫退款方式。",
    },
}

_WALLETS = ("paypal", "alipay", "wechat", "apple_pay", "google_pay", "shop_pay")
_MANUAL = ("manual", "cash", "cod", "bank_deposit", "money_order")


def refund_timing_key(gateway: str | None) -> str:
    """Which wording fits the payment method the refund goes back to."""
    name = (gateway or "").lower().replace(" ", "_")
    if "gift_card" in name:
        return "days_gift_card"
    if any(word in name for word in _WALLETS):
        return "days_wallet"
    if any(word in name for word in _MANUAL):
        return "days_manual"
    return "days_card"


def say(locale: str, key: str, **values: str) -> str:
    """One page string in one locale, its places filled."""
    if key == "no_date":
        return NO_DATE_TEXT[locale]
    return STRINGS[locale][key].format(**values)
