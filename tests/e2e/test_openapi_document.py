"""The OpenAPI document tells integration developers the truth: errors, headers, keys, names."""

from __future__ import annotations

import json
import re
from typing import Any

from openapi_spec_validator import validate

from tests.support.api import Client, headers
from tests.support.contract import undocumented

PROBLEM = "application/problem+json"


async def _document(client: Client) -> dict[str, Any]:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "put", "post", "patch", "delete")
    ]


async def test_the_document_is_valid_openapi_3_1(client: Client) -> None:
    document = await _document(client)
    assert document["openapi"].startswith("3.1")
    validate(document)


async def test_every_error_answer_is_a_problem_naming_its_codes_with_an_example_each(
    client: Client,
) -> None:
    document = await _document(client)
    for method, path, operation in _operations(document):
        where = f"{method.upper()} {path}"
        errors = {s: r for s, r in operation["responses"].items() if not s.startswith("2")}
        assert "500" in errors, where
        for status, response in errors.items():
            content = response["content"]
            assert list(content) == [PROBLEM], f"{where} {status}"
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
            codes = response["x-problem-codes"]
            assert codes and set(content[PROBLEM]["examples"]) == set(codes), where
            for code in codes:
                example = content[PROBLEM]["examples"][code]["value"]
                assert (example["status"], example["code"]) == (int(status), code), where
    problem = document["components"]["schemas"]["Problem"]
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldError"}


async def test_litestars_default_400_the_server_never_sends_is_gone(client: Client) -> None:
    text = json.dumps(await _document(client))
    assert "status_code" not in text
    assert "Validation Exception" not in text


async def test_checkout_documents_its_headers_keys_and_declines(client: Client) -> None:
    document = await _document(client)
    checkout = document["paths"]["/v1/carts/{cart_id}/checkout"]["post"]
    assert checkout["operationId"] == "checkoutCart"
    sent = {p["name"] for p in checkout["parameters"] if p["in"] == "header"}
    assert {"Idempotency-Key", "If-Match", "X-Customer-Token", "X-Device-Id"} <= sent
    assert {"Idempotent-Replayed", "X-Request-Id"} <= set(checkout["responses"]["201"]["headers"])
    assert checkout["responses"]["402"]["x-problem-codes"] == [
        "card_declined",
        "insufficient_funds",
        "expired_card",
        "processing_error",
    ]
    assert "cart_version_conflict" in checkout["responses"]["412"]["x-problem-codes"]
    assert checkout["security"] == [{"storefrontKey": []}, {"adminKey": []}]
    read = document["paths"]["/v1/carts/{cart_id}"]["get"]
    assert "ETag" in read["responses"]["200"]["headers"]


async def test_each_route_names_the_keys_that_may_call_it(client: Client) -> None:
    document = await _document(client)
    paths = document["paths"]
    assert paths["/health"]["get"]["security"] == []
    assert paths["/v1/admin/clock"]["get"]["security"] == [{"adminKey": []}]
    assert paths["/v1/pos/registers"]["get"]["security"] == [{"posKey": []}, {"adminKey": []}]
    assert paths["/v1/social/posts"]["post"]["security"] == [{"socialKey": []}, {"adminKey": []}]
    schemes = document["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"X-API-Key"}
    assert "security" not in document


async def test_operation_ids_are_readable_and_unique(client: Client) -> None:
    ids = [operation["operationId"] for *_, operation in _operations(await _document(client))]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", operation_id), operation_id
        # A derived id (v1Carts…) means a route without a name in api/openapi/operations.py.
        assert not operation_id.startswith("v1"), operation_id
    assert {"createCart", "addCartLine", "checkoutCart", "getOrder", "paySale"} <= set(ids)


async def test_schema_names_are_unique_and_numbers_are_one_type(client: Client) -> None:
    document = await _document(client)
    names = set(document["components"]["schemas"])
    assert {"DevicePlatform", "SocialPlatform"} <= names
    assert not [name for name in names if "_" in name]
    text = json.dumps(document)
    assert '{"type": "integer"}, {"type": "number"}' not in text
    parameters = document["components"]["schemas"]["ModelAttribution"]["properties"]["parameters"]
    assert parameters["additionalProperties"]["oneOf"][0] == {"type": "number"}


async def test_statuses_and_channels_are_closed_lists(client: Client) -> None:
    schemas = (await _document(client))["components"]["schemas"]
    order = schemas["OrderView"]["properties"]
    assert "picked_up" in order["status"]["enum"]
    assert set(order["channel"]["enum"]) >= {"web", "mobile", "pos", "social", "messaging"}
    assert "active" in schemas["CartView"]["properties"]["status"]["enum"]
    assert schemas["AddLine"]["additionalProperties"] is False


async def test_try_it_out_examples_of_the_first_journey_succeed(client: Client) -> None:
    """The bodies Swagger UI fills in are the document's first examples; sent as they are,
    the journey goes through (the mini store's SKU stands in for the demo store's)."""
    document = await _document(client)

    def example(path: str, method: str = "post") -> Any:
        content = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        return next(iter(content["examples"].values()))["value"]

    key = headers()
    cart = (await client.post("/v1/carts", json=example("/v1/carts"), headers=key)).json()
    line = {**example("/v1/carts/{cart_id}/lines"), "sku": "SKU-MUG"}
    added = await client.post(f"/v1/carts/{cart['id']}/lines", json=line, headers=key)
    assert added.status_code == 200, added.text
    body = example("/v1/carts/{cart_id}/checkout")
    paid = await client.post(f"/v1/carts/{cart['id']}/checkout", json=body, headers=key)
    assert paid.status_code == 201, paid.text


async def test_every_answer_carries_a_request_id(client: Client) -> None:
    mine = await client.get("/v1/categories", headers=headers(**{"X-Request-Id": "trace-42"}))
    assert mine.headers["X-Request-Id"] == "trace-42"
    for response in (
        await client.get("/v1/categories", headers=headers()),
        await client.get("/v1/categories"),  # refused: no key
        await client.get("/nowhere"),  # no route at all
        await client.get("/v1/categories", headers=headers(**{"X-Request-Id": "bad id!"})),
    ):
        assert re.fullmatch(r"req_[0-9a-f]{16}", response.headers["X-Request-Id"])


async def test_a_method_the_route_lacks_is_405_with_allow(client: Client) -> None:
    response = await client.put("/v1/categories", headers=headers())
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert "GET" in response.headers["Allow"]


def test_an_answer_the_document_does_not_promise_is_reported() -> None:
    document = {
        "paths": {
            "/v1/carts": {"post": {"responses": {"403": {"x-problem-codes": ["out_of_scope"]}}}}
        }
    }
    seen = {("post", "/v1/carts", 403, "out_of_scope"), ("post", "/v1/carts", 409, "cart_full")}
    assert undocumented(seen, document) == ["POST /v1/carts → 409 cart_full"]
