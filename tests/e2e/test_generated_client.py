"""A Python client generated from the document, by a tool nobody here wrote, covers every
operation and runs the first journey, a declined card coming back as a typed problem."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.api import APPROVED_CARD, SHIP_TO, Client
from tests.support.contract import contract_document
from tests.support.store import WEB_KEY

PACKAGE = "omniloom_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
DECLINED_CARD = "4000000000000002"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The generated package, imported, and what the generator printed."""
    where = tmp_path_factory.mktemp("client")
    spec = where / "openapi.json"
    spec.write_text(json.dumps(contract_document()))
    config = where / "config.yaml"
    config.write_text("post_hooks: []\n")  # formatting the output with ruff is not our test
    command = [str(GENERATOR), "generate", "--path", str(spec)]
    command += ["--output-path", str(where / PACKAGE), "--meta", "none", "--config", str(config)]
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE), run.stdout + run.stderr
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _module(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_the_generator_warns_about_nothing_and_drops_no_operation(
    generated: tuple[ModuleType, str],
) -> None:
    package, output = generated
    assert "warning" not in output.lower(), output
    assert "Unable to" not in output, output
    root = Path(package.__file__ or "").parent / "api"
    made = {path.stem for path in root.rglob("*.py") if path.stem != "__init__"}
    document = contract_document()
    expected = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    snake = {"".join("_" + c.lower() if c.isupper() else c for c in name) for name in expected}
    assert snake == made


async def test_the_first_journey_runs_on_the_generated_client(
    generated: tuple[ModuleType, str], client: Client
) -> None:
    package, _ = generated
    models = _module(package, "models")
    carts = {
        name: _module(package, f"api.carts.{name}")
        for name in ("create_cart", "add_cart_line", "checkout_cart")
    }
    get_order = _module(package, "api.orders.get_order")
    api = package.Client(base_url=str(client.base_url))
    client.headers["X-API-Key"] = WEB_KEY
    api.set_async_httpx_client(client)

    cart = await carts["create_cart"].asyncio_detailed(client=api, body=models.CreateCart())
    assert cart.status_code == 201 and isinstance(cart.parsed, models.CartView)
    cart_id = cart.parsed.id
    added = await carts["add_cart_line"].asyncio(
        cart_id, client=api, body=models.AddLine(sku="SKU-MUG", quantity=2)
    )
    assert isinstance(added, models.CartView) and added.lines[0].quantity == 2

    def checkout(card: str) -> Any:
        return models.Checkout(
            fulfilment=models.Ship(address=models.Address(**SHIP_TO), type_="ship"),
            payment=models.CardPayment(card_number=card, method="card"),
        )

    declined = await carts["checkout_cart"].asyncio_detailed(
        cart_id, client=api, body=checkout(DECLINED_CARD), idempotency_key="journey-1"
    )
    assert declined.status_code == 402
    assert isinstance(declined.parsed, models.Problem)
    assert declined.parsed.code == "card_declined"

    paid = await carts["checkout_cart"].asyncio(
        cart_id, client=api, body=checkout(APPROVED_CARD), idempotency_key="journey-1"
    )
    assert isinstance(paid, models.OrderView)
    assert paid.status == models.OrderViewStatus.PAID
    again = await get_order.asyncio(paid.id, client=api)
    assert isinstance(again, models.OrderView) and again.total == paid.total
