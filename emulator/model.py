"""The records a store holds; plain dataclasses, no behaviour beyond derived quantities."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class Location:
    typename = "Location"
    id: int
    name: str
    address: dict
    is_active: bool = True


@dataclass
class Publication:
    typename = "Publication"
    id: int
    title: str
    catalog_id: int


@dataclass
class Metafield:
    typename = "Metafield"
    id: int
    owner_gid: str
    namespace: str
    key: str
    value: str
    type: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Product:
    typename = "Product"
    id: int
    title: str
    handle: str
    vendor: str
    product_type: str
    created_at: datetime
    updated_at: datetime
    status: str = "ACTIVE"
    tags: list[str] = field(default_factory=list)
    description_html: str = ""
    option_names: list[str] = field(default_factory=list)
    variant_ids: list[int] = field(default_factory=list)
    published_at: dict[int, datetime] = field(default_factory=dict)
    metafields: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class Variant:
    typename = "ProductVariant"
    id: int
    product_id: int
    inventory_item_id: int
    title: str
    sku: str
    price: Decimal
    options: list[str]
    position: int
    created_at: datetime
    updated_at: datetime
    inventory_policy: str = "DENY"
    compare_at_price: Decimal | None = None
    barcode: str | None = None
    metafields: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class InventoryItem:
    typename = "InventoryItem"
    id: int
    variant_id: int
    sku: str
    created_at: datetime
    updated_at: datetime
    tracked: bool = True


@dataclass
class InventoryLevel:
    typename = "InventoryLevel"
    item_id: int
    location_id: int
    available: int
    updated_at: datetime
    created_at: datetime
    committed: int = 0

    @property
    def on_hand(self) -> int:
        return self.available + self.committed


@dataclass
class Customer:
    typename = "Customer"
    id: int
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    locale: str
    created_at: datetime
    updated_at: datetime
    email_state: str = "NOT_SUBSCRIBED"
    email_opt_in_level: str | None = "SINGLE_OPT_IN"
    email_consent_at: datetime | None = None
    sms_state: str = "NOT_SUBSCRIBED"
    sms_opt_in_level: str = "SINGLE_OPT_IN"
    sms_consent_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    metafields: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class LineDiscount:
    """A manual discount on one line, added in an order edit: a percentage or a fixed amount off each unit."""
    typename = "OrderStagedChangeAddLineItemDiscount"
    id: int
    description: str
    percentage: float | None = None
    amount: Decimal | None = None


@dataclass
class LineItem:
    typename = "LineItem"
    id: int
    order_id: int
    variant_id: int | None
    product_id: int | None
    title: str
    variant_title: str | None
    sku: str | None
    vendor: str | None
    quantity: int
    unit_price: Decimal
    location_id: int | None
    removed_quantity: int = 0
    refunded_quantity: int = 0
    fulfilled_quantity: int = 0
    discount: LineDiscount | None = None

    @property
    def current_quantity(self) -> int:
        return self.quantity - self.removed_quantity - self.refunded_quantity

    @property
    def unfulfilled_quantity(self) -> int:
        return max(self.current_quantity - self.fulfilled_quantity, 0)

    @property
    def name(self) -> str:
        return f"{self.title} - {self.variant_title}" if self.variant_title else self.title


@dataclass
class Transaction:
    typename = "OrderTransaction"
    id: int
    order_id: int
    kind: str
    amount: Decimal
    gateway: str
    created_at: datetime
    status: str = "SUCCESS"
    parent_id: int | None = None
    test: bool = False


@dataclass
class RefundLine:
    id: int
    line_item_id: int
    quantity: int
    restock_type: str
    location_id: int | None
    subtotal: Decimal


@dataclass
class Refund:
    typename = "Refund"
    id: int
    order_id: int
    note: str | None
    created_at: datetime
    lines: list[RefundLine]
    transaction_ids: list[int]
    shipping: Decimal = Decimal("0")


@dataclass
class Order:
    typename = "Order"
    id: int
    number: int
    email: str | None
    phone: str | None
    customer_id: int | None
    customer_locale: str | None
    currency: str
    created_at: datetime
    updated_at: datetime
    shipping: Decimal = Decimal("0")
    line_item_ids: list[int] = field(default_factory=list)
    transaction_ids: list[int] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    test: bool = False
    metafields: dict[tuple[str, str], int] = field(default_factory=dict)
    invoices: list[dict] = field(default_factory=list)  # sent by orderInvoiceSend: to, amount due, sent_at

    @property
    def name(self) -> str:
        return f"#{self.number}"


@dataclass
class EditLine:
    """A calculated line item: an existing line with a staged quantity, or one staged for addition."""
    typename = "CalculatedLineItem"
    id: int
    line_item_id: int | None
    variant_id: int | None
    quantity: int
    restock: bool = False
    location_id: int | None = None
    discount: LineDiscount | None = None


@dataclass
class OrderEdit:
    typename = "CalculatedOrder"
    id: int
    order_id: int
    created_at: datetime
    lines: list[EditLine]
    committed_at: datetime | None = None


@dataclass
class Discount:
    """A code discount: `kind` "basic" (amount or percentage off) or "free_shipping"; `minimum` is
    ("quantity", n) or ("subtotal", amount); `countries` None ships free everywhere."""
    typename = "DiscountCodeNode"
    id: int
    code_id: int
    code: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    usage_limit: int | None
    applies_once_per_customer: bool
    customer_ids: list[int] | None
    percentage: float | None
    amount: Decimal | None
    applies_on_each_item: bool
    combines_with: dict
    created_at: datetime
    currency: str
    tags: list[str] = field(default_factory=list)
    kind: str = "basic"
    minimum: tuple[str, object] | None = None
    countries: list[str] | None = None
    include_rest_of_world: bool = False
    maximum_shipping_price: Decimal | None = None


@dataclass
class WebhookSubscription:
    typename = "WebhookSubscription"
    id: int
    topic_enum: str
    topic: str
    uri: str
    name: str | None
    include_fields: list[str]
    created_at: datetime
    api_version: dict
