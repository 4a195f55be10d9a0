"""Every Admin GraphQL operation the app sends (API 2026-07), each a named document checked against the schema.

Page sizes stay small so a single query costs well under the bucket of a development store.
Another engineer needing a document appends it at the end of this file, as a named operation.
"""

MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }"

# --- Shop facts -----------------------------------------------------------------------------------

SHOP_FACTS = """
query ShopFacts {
  shop { id name email contactEmail currencyCode ianaTimezone myshopifyDomain }
  shopLocales { locale primary published }
}
"""

SHOP_LOCATIONS = """
query ShopLocations($after: String) {
  locations(first: 25, after: $after) {
    nodes { id name isActive }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PUBLICATIONS = """
query Publications($after: String) {
  publications(first: 25, after: $after) {
    nodes { id catalog { title } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# --- Catalogue ------------------------------------------------------------------------------------

PRODUCT_FOR_CATALOGUE = """
query ProductForCatalogue(
  $id: ID!, $publicationId: ID!, $namespace: String!, $key: String!,
  $variantsFirst: Int = 50, $variantsAfter: String
) {
  product(id: $id) {
    id title status tags vendor productType updatedAt
    publishedOnPublication(publicationId: $publicationId)
    metafield(namespace: $namespace, key: $key) { id value type compareDigest }
    variants(first: $variantsFirst, after: $variantsAfter) {
      nodes {
        id title sku price inventoryPolicy inventoryQuantity
        inventoryItem { id tracked }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

VARIANT_INVENTORY_LEVELS = """
query VariantInventoryLevels($id: ID!, $after: String) {
  productVariant(id: $id) {
    id sku inventoryPolicy inventoryQuantity
    product { id }
    inventoryItem {
      id tracked
      inventoryLevels(first: 25, after: $after) {
        nodes {
          id updatedAt
          location { id }
          quantities(names: ["available", "on_hand", "committed"]) { name quantity }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""

INVENTORY_ITEM_LEVELS = """
query InventoryItemLevels($id: ID!, $after: String) {
  inventoryItem(id: $id) {
    id tracked
    variant { id sku inventoryPolicy inventoryQuantity product { id } }
    inventoryLevels(first: 25, after: $after) {
      nodes {
        id updatedAt
        location { id }
        quantities(names: ["available", "on_hand", "committed"]) { name quantity }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

PRODUCTS_UPDATED_SINCE = """
query ProductsUpdatedSince($query: String!, $after: String, $first: Int = 50) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id title status updatedAt totalInventory tracksInventory }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SUBSTITUTE_CANDIDATES = """
query SubstituteCandidates($productId: ID!, $sameTypeQuery: String!, $first: Int = 25) {
  product(id: $productId) {
    id productType
    variants(first: $first) {
      nodes {
        id title sku price availableForSale inventoryQuantity inventoryPolicy
        inventoryItem { tracked }
        selectedOptions { name value }
      }
    }
  }
  productVariants(first: $first, query: $sameTypeQuery) {
    nodes {
      id title sku price availableForSale inventoryQuantity inventoryPolicy
      inventoryItem { tracked }
      product { id title productType status }
    }
  }
}
"""

PRODUCT_UPDATE = """
mutation ProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id status title tags }
    userErrors { field message }
  }
}
"""

PRODUCT_VARIANTS_BULK_UPDATE = """
mutation ProductVariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id inventoryPolicy }
    userErrors { field message code }
  }
}
"""

TAGS_ADD = """
mutation TagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

TAGS_REMOVE = """
mutation TagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

PUBLISHABLE_PUBLISH = """
mutation PublishablePublish($id: ID!, $input: [PublicationInput!]!) {
  publishablePublish(id: $id, input: $input) {
    publishable { ... on Product { id } }
    userErrors { field message }
  }
}
"""

PUBLISHABLE_UNPUBLISH = """
mutation PublishableUnpublish($id: ID!, $input: [PublicationInput!]!) {
  publishableUnpublish(id: $id, input: $input) {
    publishable { ... on Product { id } }
    userErrors { field message }
  }
}
"""

METAFIELDS_SET = """
mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key value type compareDigest }
    userErrors { field message code elementIndex }
  }
}
"""

METAFIELDS_DELETE = """
mutation MetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) {
    deletedMetafields { ownerId namespace key }
    userErrors { field message }
  }
}
"""

# --- Orders ---------------------------------------------------------------------------------------

ORDER_FOR_CASE = (
    """
query OrderForCase($id: ID!, $lineItemsAfter: String) {
  order(id: $id) {
    id name email phone createdAt updatedAt processedAt cancelledAt closedAt test tags
    displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode customerLocale
    totalPriceSet { MONEY }
    customer {
      id displayName firstName lastName locale
      defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
      defaultPhoneNumber { phoneNumber marketingState marketingOptInLevel marketingUpdatedAt }
      smsMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
    }
    lineItems(first: 25, after: $lineItemsAfter) {
      nodes {
        id title variantTitle sku vendor quantity currentQuantity unfulfilledQuantity refundableQuantity
        variant { id inventoryPolicy }
        product { id productType }
        originalUnitPriceSet { MONEY }
        discountedUnitPriceSet { MONEY }
      }
      pageInfo { hasNextPage endCursor }
    }
    transactions(first: 20) {
      id kind status gateway processedAt
      amountSet { MONEY }
      parentTransaction { id }
    }
  }
}
"""
).replace("MONEY", MONEY)

ORDER_REFUND_SUGGESTION = (
    """
query OrderRefundSuggestion(
  $id: ID!, $refundLineItems: [RefundLineItemInput!], $refundShipping: Boolean, $suggestFullRefund: Boolean
) {
  order(id: $id) {
    id
    suggestedRefund(
      refundLineItems: $refundLineItems, refundShipping: $refundShipping, suggestFullRefund: $suggestFullRefund
    ) {
      amountSet { MONEY }
      subtotalSet { MONEY }
      refundLineItems { lineItem { id } quantity restockType }
      suggestedTransactions {
        kind gateway
        amountSet { MONEY }
        parentTransaction { id }
      }
    }
  }
}
"""
).replace("MONEY", MONEY)

ORDERS_UPDATED_SINCE = """
query OrdersUpdatedSince($query: String!, $after: String, $first: Int = 100) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id name createdAt updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus }
    pageInfo { hasNextPage endCursor }
  }
}
"""

DISCOUNT_CODE_BASIC_CREATE = """
mutation DiscountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode {
      id
      codeDiscount {
        ... on DiscountCodeBasic { title startsAt endsAt usageLimit codes(first: 1) { nodes { code } } }
      }
    }
    userErrors { field message code extraInfo }
  }
}
"""

REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
    refund { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } }
    order { id displayFinancialStatus }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_BEGIN = """
mutation OrderEditBegin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder {
      id
      lineItems(first: 50) { nodes { id title quantity variant { id } } }
    }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_VARIANT = """
mutation OrderEditAddVariant($id: ID!, $variantId: ID!, $quantity: Int!, $locationId: ID, $allowDuplicates: Boolean) {
  orderEditAddVariant(
    id: $id, variantId: $variantId, quantity: $quantity, locationId: $locationId, allowDuplicates: $allowDuplicates
  ) {
    calculatedLineItem { id title quantity variant { id } }
    calculatedOrder { id }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_SET_QUANTITY = """
mutation OrderEditSetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!, $restock: Boolean) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) {
    calculatedLineItem { id quantity }
    calculatedOrder { id }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT = """
mutation OrderEditAddLineItemDiscount($id: ID!, $lineItemId: ID!, $discount: OrderEditAppliedDiscountInput!) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $lineItemId, discount: $discount) {
    addedDiscountStagedChange { id description }
    calculatedLineItem { id }
    calculatedOrder { id }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_COMMIT = """
mutation OrderEditCommit($id: ID!, $notifyCustomer: Boolean, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    order { id name }
    userErrors { field message }
  }
}
"""

ORDER_INVOICE_SEND = """
mutation OrderInvoiceSend($id: ID!, $email: EmailInput) {
  orderInvoiceSend(id: $id, email: $email) {
    order { id totalOutstandingSet { shopMoney { amount currencyCode } } }
    userErrors { field message code }
  }
}
"""

# --- Webhooks -------------------------------------------------------------------------------------

WEBHOOK_SUBSCRIPTIONS = """
query WebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 50, after: $after) {
    nodes { id topic uri name filter includeFields apiVersion { handle } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# --- Choices and back-in-stock ------------------------------------------------------------------

DISCOUNT_CODE_BY_CODE = """
query DiscountCodeByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount {
      ... on DiscountCodeBasic { title startsAt endsAt usageLimit codes(first: 1) { nodes { code } } }
    }
  }
}
"""

DISCOUNT_CODE_FREE_SHIPPING_CREATE = """
mutation DiscountCodeFreeShippingCreate($freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
  discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field message code extraInfo }
  }
}
"""

VARIANT_RESTOCK_STATE = """
query VariantRestockState($id: ID!) {
  productVariant(id: $id) {
    id title availableForSale inventoryQuantity
    product { id title handle status onlineStoreUrl }
  }
}
"""

ORDERS_OF_BUYER_SINCE = """
query OrdersOfBuyerSince($query: String!, $first: Int = 5) {
  orders(first: $first, query: $query, sortKey: CREATED_AT, reverse: true) {
    nodes { id createdAt cancelledAt lineItems(first: 20) { nodes { variant { id } } } }
  }
}
"""

SUBSTITUTES_FOR_OFFER = """
query SubstitutesForOffer($productId: ID!, $sameTypeQuery: String!) {
  product(id: $productId) {
    id title productType status
    variants(first: 25) { nodes { id title price availableForSale inventoryQuantity } }
  }
  products(first: 10, query: $sameTypeQuery) {
    nodes {
      id title productType status
      variants(first: 10) { nodes { id title price availableForSale inventoryQuantity } }
    }
  }
}
"""

# --- Catalogue state with the restock metafields -------------------------------------------------

PRODUCT_CATALOGUE_STATE = """
query ProductCatalogueState($id: ID!, $publicationId: ID!, $variantsAfter: String) {
  product(id: $id) {
    id title status tags vendor updatedAt
    publishedOnPublication(publicationId: $publicationId)
    shipBy: metafield(namespace: "stockout", key: "ship_by") { value }
    restockDate: metafield(namespace: "stockout", key: "restock_date") { value }
    restockReason: metafield(namespace: "stockout", key: "restock_reason") { value }
    variants(first: 50, after: $variantsAfter) {
      nodes { id title sku inventoryPolicy inventoryQuantity inventoryItem { id tracked } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

ORDER_FOR_CHOICE = """
query OrderForChoice($id: ID!, $lineItemsAfter: String) {
  order(id: $id) {
    id currencyCode tags
    lineItems(first: 25, after: $lineItemsAfter) {
      nodes {
        id currentQuantity unfulfilledQuantity refundableQuantity
        variant { id }
        product { id productType }
        discountedUnitPriceSet { shopMoney { amount currencyCode } }
      }
      pageInfo { hasNextPage endCursor }
    }
    transactions(first: 10) { id kind status gateway amountSet { shopMoney { amount currencyCode } } }
  }
}
"""

# --- Reconciliation (jobs/reconcile.py): what the webhooks missed, shaped back into webhook payloads ------

ORDER_FOR_RECONCILIATION = """
query OrderForReconciliation($id: ID!, $lineItemsAfter: String) {
  order(id: $id) {
    id name email phone createdAt updatedAt cancelledAt currencyCode customerLocale
    currentTotalPriceSet { shopMoney { amount } }
    customer {
      id firstName lastName
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
    }
    lineItems(first: 50, after: $lineItemsAfter) {
      nodes {
        id title name sku quantity currentQuantity unfulfilledQuantity
        variant { id inventoryItem { tracked } }
        product { id }
        originalUnitPriceSet { shopMoney { amount } }
      }
      pageInfo { hasNextPage endCursor }
    }
    refunds(first: 10) {
      id createdAt
      refundLineItems(first: 25) { nodes { lineItem { id } quantity restockType } }
    }
  }
}
"""

PRODUCTS_FOR_RECONCILIATION = """
query ProductsForReconciliation($query: String!, $after: String, $first: Int = 5) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      id title vendor status tags updatedAt
      variants(first: 50) {
        nodes { id title sku inventoryPolicy inventoryQuantity updatedAt inventoryItem { id tracked } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

VARIANTS_FOR_RECONCILIATION = """
query VariantsForReconciliation($query: String!, $after: String, $first: Int = 100) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes { id title sku inventoryPolicy inventoryQuantity updatedAt product { id } inventoryItem { id tracked } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
