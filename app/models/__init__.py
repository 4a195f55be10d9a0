"""The data model: every row belongs to a shop."""

from app.models.shops import Shop, ShopSettings, CompensationRuleRow, MessageTemplate
from app.models.catalogue import VariantStock, ProductState, CatalogueChange, RestockPlan, LedgerOrder, LedgerLine
from app.models.cases import StockoutCase, CaseLine, CaseEvent, Compensation, SideEffect
from app.models.messaging import Notification, ContactOptOut, BackInStockSubscription
from app.models.intake import WebhookEvent
from app.models.compliance import ComplianceRequest

__all__ = [
    "Shop",
    "ShopSettings",
    "CompensationRuleRow",
    "MessageTemplate",
    "VariantStock",
    "ProductState",
    "CatalogueChange",
    "RestockPlan",
    "LedgerOrder",
    "LedgerLine",
    "StockoutCase",
    "CaseLine",
    "CaseEvent",
    "Compensation",
    "SideEffect",
    "Notification",
    "ContactOptOut",
    "BackInStockSubscription",
    "WebhookEvent",
    "ComplianceRequest",
]
