"""The few sentences of the pages and replies a customer sees when answering us, in our three languages."""

from __future__ import annotations

from app.domain.locales import resolve_locale

TEXTS = {
    "en": {
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_ask": "Stop all messages from {shop} to {address}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed_title": "You are unsubscribed",
        "unsubscribed": "{shop} will not send any more messages to {address}.",
        "feedback_title": "Thank you",
        "feedback": "Thank you for rating us {score} out of 5. It helps us do better.",
        "bad_link_title": "This link does not work",
        "bad_link": "The link is broken or has expired. Reply to the shop's message and they will help you.",
        "bad_score": "Choose a rating from 1 to 5.",
    },
    "zh-CN": {
        "unsubscribe_title": "退订",
        "unsubscribe_ask": "不再接收{shop}发送到 {address} 的任何消息？",
        "unsubscribe_button": "确认退订",
        "unsubscribed_title": "您已退订",
        "unsubscribed": "{shop}不会再向 {address} 发送消息。",
        "feedback_title": "谢谢您",
        "feedback": "感谢您给我们打了 {score} 分（满分 5 分），这能帮助我们做得更好。",
        "bad_link_title": "此链接无法使用",
        "bad_link": "链接已损坏或已过期。请直接回复店铺的消息，店铺会协助您。",
        "bad_score": "请选择 1 到 5 分。",
    },
    "zh-TW": {
        "unsubscribe_title": "取消訂閱",
        "unsubscribe_ask": "不再接收{shop}傳送到 {address} 的任何訊息？",
        "unsubscribe_button": "確認取消訂閱",
        "unsubscribed_title": "您已取消訂閱",
        "unsubscribed": "{shop}不會再傳送訊息到 {address}。",
        "feedback_title": "謝謝您",
        "feedback": "感謝您給我們 {score} 分（滿分 5 分），這能幫助我們做得更好。",
        "bad_link_title": "此連結無法使用",
        "bad_link": "連結已損壞或已過期。請直接回覆商店的訊息，商店會協助您。",
        "bad_score": "請選擇 1 到 5 分。",
    },
}

# Our answer to an SMS opt-out in Chinese (the provider answers the English STOP words itself).
SMS_OPT_OUT_REPLY = {
    "zh-CN": "您已退订，将不再收到本号码发送的短信。",
    "zh-TW": "您已取消訂閱，將不再收到本號碼傳送的簡訊。",
}


def say(locale: str | None, key: str, **values: object) -> str:
    return TEXTS[resolve_locale(locale, None)][key].format(**values)


def sms_reply_locale(normalized_reply: str) -> str | None:
    """The language to confirm a Chinese opt-out word in; None for the English words."""
    if normalized_reply == "退訂":
        return "zh-TW"
    if normalized_reply in {"退订", "td", "t"}:
        return "zh-CN"
    return None
