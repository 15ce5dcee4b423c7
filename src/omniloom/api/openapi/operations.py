"""Readable, stable operation ids: what generated clients name their methods.

Litestar derives ids from the path (``V1CartsCartIdCheckoutCheckout``); clients generated from
the document would carry those names forever. Each route gets a verb-first name here instead,
and a published name never changes. A route added without an entry still gets a unique id,
derived from its handler's name and path, and the contract tests name it so it gets one here.
"""

from __future__ import annotations

import re

OPERATION_IDS: dict[tuple[str, str], str] = {
    ("get", "/health"): "getHealth",
    # catalog
    ("get", "/v1/products"): "listProducts",
    ("get", "/v1/products/{product_id}"): "getProduct",
    ("get", "/v1/categories"): "listCategories",
    ("get", "/v1/products/{product_id}/reviews"): "listProductReviews",
    ("post", "/v1/products/{product_id}/reviews"): "writeProductReview",
    # carts and checkout
    ("post", "/v1/carts"): "createCart",
    ("get", "/v1/carts/{cart_id}"): "getCart",
    ("post", "/v1/carts/{cart_id}/lines"): "addCartLine",
    ("patch", "/v1/carts/{cart_id}/lines/{line_id}"): "changeCartLine",
    ("delete", "/v1/carts/{cart_id}/lines/{line_id}"): "removeCartLine",
    ("post", "/v1/carts/{cart_id}/links"): "shareCart",
    ("post", "/v1/carts/{cart_id}/checkout"): "checkoutCart",
    # devices, orders
    ("post", "/v1/devices"): "registerDevice",
    ("get", "/v1/devices/{device_id}"): "getDevice",
    ("get", "/v1/orders"): "listOrders",
    ("get", "/v1/orders/{order_id}"): "getOrder",
    # returns
    ("post", "/v1/returns"): "createReturn",
    ("post", "/v1/returns/exchanges"): "createExchange",
    ("post", "/v1/returns/without-receipt"): "createReceiptlessReturn",
    # customers and identity
    ("post", "/v1/customers"): "registerCustomer",
    ("get", "/v1/customers/{customer_id}"): "getCustomer",
    ("get", "/v1/customers/{customer_id}/identifiers"): "getCustomerIdentifiers",
    ("get", "/v1/customers/{customer_id}/orders"): "listCustomerOrders",
    ("get", "/v1/customers/{customer_id}/journey"): "getCustomerJourney",
    ("get", "/v1/customers/{customer_id}/profile"): "getCustomerProfile",
    ("get", "/v1/customers/{customer_id}/cart"): "getCustomerCart",
    ("get", "/v1/customers/{customer_id}/consents"): "getConsents",
    ("put", "/v1/customers/{customer_id}/consents"): "updateConsents",
    ("get", "/v1/customers/{customer_id}/wishlist"): "getWishlist",
    ("post", "/v1/customers/{customer_id}/wishlist"): "addToWishlist",
    ("delete", "/v1/customers/{customer_id}/wishlist/{product_id}"): "removeFromWishlist",
    ("post", "/v1/sessions"): "signIn",
    ("delete", "/v1/sessions/current"): "signOut",
    ("post", "/v1/identify"): "identifyShopper",
    ("post", "/v1/admin/customers/merge"): "mergeCustomers",
    ("get", "/v1/touchpoints"): "listTouchpoints",
    # point of sale
    ("get", "/v1/pos/registers"): "listRegisters",
    ("post", "/v1/pos/registers/{register_id}/shifts"): "openShift",
    ("get", "/v1/pos/shifts/{shift_id}"): "getShift",
    ("post", "/v1/pos/shifts/{shift_id}/close"): "closeShift",
    ("post", "/v1/pos/registers/{register_id}/sales"): "startSale",
    ("post", "/v1/pos/registers/{register_id}/handoff"): "handOffCart",
    ("post", "/v1/pos/handoff-codes"): "issueHandoffCode",
    ("get", "/v1/pos/sales/{cart_id}"): "getSale",
    ("post", "/v1/pos/sales/{cart_id}/scan"): "scanItem",
    ("post", "/v1/pos/sales/{cart_id}/customer"): "attachSaleCustomer",
    ("post", "/v1/pos/sales/{cart_id}/lines/{line_id}/price"): "overrideLinePrice",
    ("post", "/v1/pos/sales/{cart_id}/lines/{line_id}/void"): "voidSaleLine",
    ("post", "/v1/pos/sales/{cart_id}/void"): "voidSale",
    ("post", "/v1/pos/sales/{cart_id}/pay"): "paySale",
    ("get", "/v1/pos/sales/{cart_id}/ship-to-home"): "getShipToHome",
    ("post", "/v1/pos/sales/{cart_id}/ship-to-home"): "addShipToHome",
    ("post", "/v1/pos/sales/{cart_id}/ship-to-home/{line_id}/void"): "voidShipToHomeLine",
    ("get", "/v1/pos/customers"): "findPosCustomer",
    ("get", "/v1/pos/gift-cards/{code}"): "getGiftCard",
    ("get", "/v1/pos/receipts/{order_id}"): "getReceipt",
    ("post", "/v1/pos/registers/{register_id}/offline-batches"): "uploadOfflineBatch",
    ("get", "/v1/pos/stock-conflicts"): "listStockConflicts",
    ("post", "/v1/pos/stock-conflicts/{conflict_id}/resolve"): "resolveStockConflict",
    # social
    ("post", "/v1/social/posts"): "publishPost",
    ("get", "/v1/social/posts/{post_id}"): "getPost",
    ("post", "/v1/social/posts/{post_id}/clicks"): "recordPostClick",
    ("post", "/v1/social/orders"): "placeSocialOrder",
    # admin
    ("get", "/v1/admin/clock"): "getClock",
    ("post", "/v1/admin/clock/advance"): "advanceClock",
    ("post", "/v1/admin/clock/set"): "setClock",
    ("post", "/v1/admin/clock/freeze"): "freezeClock",
    ("post", "/v1/admin/clock/resume"): "resumeClock",
    ("put", "/v1/admin/clock"): "runClock",
    ("post", "/v1/admin/orders/{order_id}/{move}"): "moveOrder",
    ("get", "/v1/admin/promotions"): "listPromotions",
    ("post", "/v1/admin/promotions"): "createPromotion",
    ("get", "/v1/admin/verify"): "verifyStore",
    ("get", "/v1/admin/events"): "listEvents",
    ("put", "/v1/admin/locations/{location_id}/stock-policy"): "setStockPolicy",
    ("post", "/v1/admin/stock/transfers"): "transferStock",
    ("post", "/v1/admin/stock/adjustments"): "adjustStock",
    ("get", "/v1/admin/stock/movements"): "listStockMovements",
    ("post", "/v1/admin/reset"): "resetStore",
    ("post", "/v1/admin/snapshots"): "takeSnapshot",
    ("get", "/v1/admin/snapshots"): "listSnapshots",
    ("get", "/v1/admin/snapshots/{name}"): "getSnapshot",
    ("post", "/v1/admin/snapshots/{name}/restore"): "restoreSnapshot",
    ("delete", "/v1/admin/snapshots/{name}"): "deleteSnapshot",
    ("post", "/v1/admin/faults"): "createFaultRule",
    ("get", "/v1/admin/faults"): "listFaultRules",
    ("delete", "/v1/admin/faults"): "clearFaultRules",
    ("get", "/v1/admin/faults/{rule_id}"): "getFaultRule",
    ("delete", "/v1/admin/faults/{rule_id}"): "removeFaultRule",
    # messaging
    ("get", "/v1/customers/{customer_id}/messaging"): "getMessagingSettings",
    ("put", "/v1/customers/{customer_id}/messaging"): "updateMessagingSettings",
    ("post", "/v1/messaging/inbound"): "receiveInboundMessage",
    ("get", "/v1/links/{token}"): "openTrackedLink",
    ("post", "/v1/admin/messages"): "sendMessage",
    ("get", "/v1/admin/outbox"): "listOutbox",
    ("get", "/v1/admin/outbox/wait"): "waitForMessage",
    ("get", "/v1/admin/outbox/stream"): "streamOutbox",
    ("get", "/v1/admin/outbox/{message_id}"): "getOutboxMessage",
    ("delete", "/v1/admin/outbox"): "clearOutbox",
    # analytics
    ("get", "/v1/analytics/attribution"): "getAttribution",
    ("get", "/v1/analytics/kpis"): "getKpis",
    ("get", "/v1/analytics/transitions"): "getTransitions",
    # messaging flows
    ("get", "/v1/admin/flows"): "listFlows",
    ("get", "/v1/admin/flows/{flow_id}"): "getFlow",
    ("put", "/v1/admin/flows/{flow_id}"): "putFlow",
    ("get", "/v1/admin/flow-runs"): "listFlowRuns",
    # webhooks
    ("post", "/v1/admin/webhooks"): "createWebhookEndpoint",
    ("get", "/v1/admin/webhooks"): "listWebhookEndpoints",
    ("get", "/v1/admin/webhooks/{endpoint_id}"): "getWebhookEndpoint",
    ("post", "/v1/admin/webhooks/{endpoint_id}/disable"): "disableWebhookEndpoint",
    ("post", "/v1/admin/webhooks/{endpoint_id}/enable"): "enableWebhookEndpoint",
    ("post", "/v1/admin/webhooks/{endpoint_id}/rotate-secret"): "rotateWebhookSecret",
    ("get", "/v1/admin/webhooks/{endpoint_id}/deliveries"): "listWebhookDeliveries",
    ("post", "/v1/admin/webhooks/deliveries/{delivery_id}/replay"): "replayWebhookDelivery",
    ("post", "/v1/admin/webhooks/dispatch"): "dispatchWebhooks",
}


def operation_id(method: str, path: str, litestar_id: str) -> str:
    """The published id of an operation; for a route not in the table, a lower-camel form of
    Litestar's own (unique already, since Litestar derives it from the path)."""
    named = OPERATION_IDS.get((method, path))
    if named is not None:
        return named
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", litestar_id)
    return words[0].lower() + "".join(words[1:]) if words else litestar_id
