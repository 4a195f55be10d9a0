"""What the settings page shows first: saved values, the compensation sample and one template's preview."""

from __future__ import annotations

from flask import g

from app.admin import settings_store
from app.admin.compensation_form import form_values, sample_lines
from app.admin.forms import SECTIONS
from app.admin.i18n import label
from app.admin.shop_state import shop_today
from app.admin.template_editor import KINDS, preview_payload
from app.channels.sms_provider import SMS_PROVIDERS
from app.choices.rules import rules_for
from app.db import utcnow
from app.domain.compensation import PRESETS, CompensationKind, Option
from app.domain.locales import SUPPORTED
from app.domain.messages import PARTS

FIRST_TEMPLATE = ("stockout_notice", "sms")


def context() -> dict:
    shop, shop_settings, locale = g.shop, g.shop_settings, g.locale
    rules = rules_for(shop.id)
    kind, part = FIRST_TEMPLATE
    template_locale = locale
    source, customised = settings_store.template_source(shop.id, kind, template_locale, part)
    return dict(
        values={spec.name: getattr(shop_settings, spec.name) for specs in SECTIONS.values() for spec in specs},
        sections=SECTIONS,
        options=[option.value for option in Option],
        kinds=[kind.value for kind in CompensationKind],
        rules={option.value: form_values(rule) for option, rule in rules.items()},
        presets=[(p.id, p.name(locale), {o.value: form_values(r) for o, r in p.rules.items()}) for p in PRESETS],
        preset_id=settings_store.saved_preset(shop.id),
        sample=sample_lines(rules, shop.currency or "USD", locale, shop_today(shop, utcnow())),
        editor=dict(kind=kind, locale=template_locale, part=part, source=source, customised=customised,
                      preview=preview_payload(kind, template_locale, part, source, locale)),
        message_kinds=KINDS,
        template_parts=PARTS,
        template_locales=SUPPORTED,
        contact_email=shop.contact_email,
        sms_providers=[(name, label(locale, "provider", name)) for name in SMS_PROVIDERS],
    )
