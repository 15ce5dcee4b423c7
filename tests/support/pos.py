"""The till, as tests drive it: shifts, sales, scans by barcode, tenders, gift cards, and the
batches an offline register uploads."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from omniloom.domain.money import tax_on
from tests.support.api import APPROVED_CARD, Client, headers
from tests.support.store import ADMIN_KEY, POS_KEY

POS = headers(POS_KEY)
ADMIN = headers(ADMIN_KEY)
TILL = "reg_nyc_1"
CARD = APPROVED_CARD
DECLINED = "4000000000000002"
BARCODE = {"SKU-TEE-M": "4000000000000", "SKU-TEE-L": "4000000000001", "SKU-MUG": "4000000000002"}
BARCODE["SKU-LAMP"] = "4000000000003"
NYC_TAX_BPS = 888


def taxed(*line_totals: int) -> int:
    return sum(line_totals) + sum(tax_on(total, NYC_TAX_BPS) for total in line_totals)


async def open_shift(client: Client, register: str = TILL, cash: int = 20_000) -> dict[str, Any]:
    response = await client.post(
        f"/v1/pos/registers/{register}/shifts",
        json={"associate_id": "emp_ada", "opening_float": cash},
        headers=POS,
    )
    assert response.status_code == 201, response.text
    shift: dict[str, Any] = response.json()
    return shift


async def new_sale(client: Client, register: str = TILL, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/v1/pos/registers/{register}/sales", json=body, headers=POS)
    assert response.status_code == 201, response.text
    sale: dict[str, Any] = response.json()
    return sale


async def scan(client: Client, cart_id: str, sku: str, quantity: int = 1) -> dict[str, Any]:
    response = await client.post(
        f"/v1/pos/sales/{cart_id}/scan",
        json={"barcode": BARCODE[sku], "quantity": quantity},
        headers=POS,
    )
    assert response.status_code == 200, response.text
    sale: dict[str, Any] = response.json()
    return sale


async def pay(client: Client, cart_id: str, *tenders: dict[str, Any], **extra: str) -> Any:
    return await client.post(
        f"/v1/pos/sales/{cart_id}/pay", json={"tenders": list(tenders)}, headers={**POS, **extra}
    )


async def order(client: Client, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_id}", headers=ADMIN)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def gift_balance(client: Client, code: str) -> int:
    response = await client.get(f"/v1/pos/gift-cards/{code}", headers=POS)
    assert response.status_code == 200, response.text
    balance: int = response.json()["balance"]
    return balance


# --- Offline registers -------------------------------------------------------------------------

NEW_YORK = timezone(timedelta(hours=-5))  # an offline till's clock, as it reports it


async def server_now(client: Client) -> datetime:
    response = await client.get("/v1/admin/clock", headers=ADMIN)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["now"])


def offline_sale(
    local_id: str, at: datetime, lines: list[dict[str, Any]], *tenders: dict[str, Any]
) -> dict[str, Any]:
    """A sale as the till kept it offline, dated by the till's own clock."""
    return {
        "local_id": local_id,
        "occurred_at": at.astimezone(NEW_YORK).isoformat(),
        "lines": lines,
        "tenders": list(tenders),
    }


def offline_line(sku: str, quantity: int, **extra: Any) -> dict[str, Any]:
    return {"barcode": BARCODE[sku], "quantity": quantity, **extra}


async def upload(
    client: Client, batch_id: str, *sales: dict[str, Any], register: str = TILL, **extra: str
) -> Any:
    return await client.post(
        f"/v1/pos/registers/{register}/offline-batches",
        json={"batch_id": batch_id, "sales": list(sales)},
        headers={**POS, **extra},
    )


async def conflicts(client: Client, key: dict[str, str] = POS, **params: str) -> list[Any]:
    response = await client.get("/v1/pos/stock-conflicts", params=params, headers=key)
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()
    return found
