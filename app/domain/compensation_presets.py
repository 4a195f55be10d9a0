"""Ready-made compensation rules a merchant can start from, named in our languages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.domain.compensation_rules import CompensationKind, CompensationRule, Option
from app.domain.locales import resolve_locale


@dataclass(frozen=True)
class CompensationPreset:
    """A ready-made set of rules for all three options, with a stable id and names in our languages."""

    id: str
    names: Mapping[str, str]
    rules: Mapping[Option, CompensationRule]

    def name(self, locale: str | None) -> str:
        return self.names[resolve_locale(locale, None)]


def _for_every_option(rule: CompensationRule) -> dict[Option, CompensationRule]:
    return {option: rule for option in Option}


_GOODWILL = Decimal(8)
PRESETS: tuple[CompensationPreset, ...] = (
    CompensationPreset(
        "platform_standard",
        {"en": "Platform standard — 5 % of the order, at most 30",
         "zh-CN": "平台标准：订单金额的 5%，最多 30", "zh-TW": "平台標準：訂單金額的 5%，最多 30"},
        _for_every_option(CompensationRule(CompensationKind.PERCENT_OF_ORDER, Decimal(5), cap=Decimal(30))),
    ),
    CompensationPreset(
        "marketplace_late_shipment",
        {"en": "Marketplace late-shipment rule — 10 %, at least 5, at most 100",
         "zh-CN": "电商平台延迟发货规则：10%，最少 5，最多 100", "zh-TW": "電商平台延遲出貨規則：10%，最少 5，最多 100"},
        _for_every_option(
            CompensationRule(CompensationKind.PERCENT_OF_ORDER, Decimal(10), floor=Decimal(5), cap=Decimal(100))
        ),
    ),
    CompensationPreset(
        "goodwill",
        {"en": "Goodwill — 8 % of the refund", "zh-CN": "善意补偿：退款金额的 8%", "zh-TW": "善意補償：退款金額的 8%"},
        # Waiting or taking a substitute refunds nothing, so those options get 8 % of the affected lines instead.
        {
            Option.WAIT: CompensationRule(CompensationKind.PERCENT_OF_AFFECTED_LINES, _GOODWILL),
            Option.SUBSTITUTE: CompensationRule(CompensationKind.PERCENT_OF_AFFECTED_LINES, _GOODWILL),
            Option.REFUND: CompensationRule(CompensationKind.PERCENT_OF_REFUND, _GOODWILL),
        },
    ),
    CompensationPreset(
        "waiting_reward",
        {"en": "Waiting reward — fixed 20, priority shipping",
         "zh-CN": "等待奖励：固定 20，优先发货", "zh-TW": "等待獎勵：固定 20，優先出貨"},
        {
            Option.WAIT: CompensationRule(CompensationKind.FIXED_AMOUNT, Decimal(20), priority_shipping=True),
            Option.SUBSTITUTE: CompensationRule(),
            Option.REFUND: CompensationRule(),
        },
    ),
)


def preset(preset_id: str) -> CompensationPreset:
    """The preset with this id, or ValueError naming the ones there are."""
    for candidate in PRESETS:
        if candidate.id == preset_id:
            return candidate
    raise ValueError(f"unknown compensation preset {preset_id!r}; choose one of {[p.id for p in PRESETS]}")
