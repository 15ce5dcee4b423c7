"""Examples that work against the demo store, so "Try it out" on the README's first journey
succeeds instead of sending strings made up from regex patterns (which a card check refuses)."""

from __future__ import annotations

from typing import Any

from omniloom.domain.payments import DECLINES

APPROVED_CARD = "4242424242424242"
DECLINED_CARD = next(iter(DECLINES))
DEMO_PRODUCT = "prd_000001"
DEMO_SKU = "SKU-000001-01"
DEMO_STORE = "loc_store_nyc"

SHIP_TO = {
    "name": "Ada Lovelace",
    "line1": "1 Main St",
    "city": "Columbus",
    "postal_code": "43004",
    "country": "US",
}

# Operation id → named request body examples (the first is what "Try it out" fills in).
BODIES: dict[str, dict[str, Any]] = {
    "createCart": {"anonymous": {"summary": "An anonymous cart", "value": {}}},
    "addCartLine": {
        "one": {"summary": "One unit of a demo SKU", "value": {"sku": DEMO_SKU, "quantity": 1}}
    },
    "changeCartLine": {"three": {"summary": "Three units", "value": {"quantity": 3}}},
    "checkoutCart": {
        "ship": {
            "summary": "Ship, paid with the approving test card",
            "value": {
                "fulfilment": {"type": "ship", "address": SHIP_TO},
                "payment": {"method": "card", "card_number": APPROVED_CARD},
            },
        },
        "pickup": {
            "summary": "Pick up in New York",
            "value": {
                "fulfilment": {"type": "pickup", "location_id": DEMO_STORE},
                "payment": {"method": "card", "card_number": APPROVED_CARD},
            },
        },
        "declined": {
            "summary": "A declined card (402 card_declined)",
            "value": {
                "fulfilment": {"type": "ship", "address": SHIP_TO},
                "payment": {"method": "card", "card_number": DECLINED_CARD},
            },
        },
    },
    "shareCart": {"sms": {"summary": "A link to send by SMS", "value": {"via": "sms"}}},
    "registerCustomer": {
        "ada": {
            "summary": "A new customer",
            "value": {
                "email": "ada@example.com",
                "password": "correct horse battery",
                "first_name": "Ada",
                "last_name": "Lovelace",
            },
        }
    },
    "signIn": {
        "ada": {
            "summary": "Sign in",
            "value": {"email": "ada@example.com", "password": "correct horse battery"},
        }
    },
    "createFaultRule": {
        "flaky_checkout": {
            "summary": "30 % of checkouts answer 503, the same ones on every run",
            "value": {
                "operation_id": "checkoutCart",
                "kind": "status",
                "status": 503,
                "probability": 0.3,
                "seed": 42,
            },
        },
        "next_three": {
            "summary": "The next 3 checkouts answer 500",
            "value": {"operation_id": "checkoutCart", "kind": "status", "status": 500, "times": 3},
        },
        "slow_products": {
            "summary": "Product pages 800 ms slower on the mobile app",
            "value": {
                "method": "GET",
                "path": "/v1/products/{product_id}",
                "channel": "mobile",
                "kind": "latency",
                "latency_ms": 800,
            },
        },
        "dropped": {
            "summary": "One add-to-cart in ten loses its connection",
            "value": {"operation_id": "addCartLine", "kind": "drop", "probability": 0.1},
        },
    },
}

# (operation id, parameter name) → example value
PARAMETERS: dict[tuple[str, str], Any] = {
    ("listProducts", "q"): "tee",
    ("listProducts", "limit"): 2,
    ("getProduct", "product_id"): DEMO_PRODUCT,
}


def add(operation_id: str, operation: dict[str, Any]) -> None:
    bodies = BODIES.get(operation_id)
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if bodies and content is not None:
        content["examples"] = bodies
    for parameter in operation.get("parameters", []):
        value = PARAMETERS.get((operation_id, parameter["name"]))
        if value is not None:
            parameter["example"] = value
