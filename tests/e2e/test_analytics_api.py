"""Journeys driven through the storefront come back out as attribution, KPIs and transitions.

The shared journey: Ada opens a cart on her phone and adds mugs, three days later adds a tee on
the web and checks out there; the back office fulfils the order; an hour later she fills a new
cart on her phone and leaves it. An anonymous web cart on the side belongs to no journey.
So there are two journeys: mobile > mobile > web > web (one order) and mobile > mobile (abandoned).
"""

from __future__ import annotations

from typing import Any

import pytest

from omniloom.services.insight import analytics
from tests.support.api import Client, add, checkout_body, headers, new_cart
from tests.support.store import ADMIN_KEY, MOBILE_KEY, WEB_KEY

CUSTOMER = "cus_000001"
PROBLEM = "application/problem+json"


async def _advance(client: Client, **delta: int) -> None:
    response = await client.post("/v1/admin/clock/advance", json=delta, headers=headers(ADMIN_KEY))
    assert response.status_code == 200, response.text


async def _drive_journeys(client: Client) -> int:
    """Run the shared journey (module docstring); returns the order total in cents."""
    cart = await new_cart(client, MOBILE_KEY, customer_id=CUSTOMER, device_id="dev_phone")
    await add(client, cart["id"], "SKU-MUG", 2, MOBILE_KEY)
    anonymous = await new_cart(client, WEB_KEY)
    await add(client, anonymous["id"], "SKU-LAMP", 1, WEB_KEY)

    await _advance(client, days=3)
    await add(client, cart["id"], "SKU-TEE-M", 1, WEB_KEY)
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers(WEB_KEY)
    )
    assert placed.status_code == 201, placed.text
    order: dict[str, Any] = placed.json()
    fulfilled = await client.post(
        f"/v1/admin/orders/{order['id']}/fulfil", headers=headers(ADMIN_KEY)
    )
    assert fulfilled.status_code == 200, fulfilled.text

    await _advance(client, hours=1)
    left = await new_cart(client, MOBILE_KEY, customer_id=CUSTOMER)
    await add(client, left["id"], "SKU-LAMP", 1, MOBILE_KEY)
    total: int = order["total"]
    return total


async def _get(client: Client, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/v1/analytics/{path}", params=params, headers=headers(ADMIN_KEY))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _credits(report: dict[str, Any], field: str = "conversions") -> dict[str, dict[str, float]]:
    return {
        model["model"]: {ch["channel"]: ch[field] for ch in model["channels"]}
        for model in report["models"]
    }


async def test_every_model_credits_the_cross_device_order(client: Client) -> None:
    total = await _drive_journeys(client)

    report = await _get(client, "attribution", model="all")

    assert (report["journeys"], report["conversions"], report["value"]) == (2, 1, total)
    assert report["currency"] == "USD"
    assert [m["model"] for m in report["models"]] == [
        "first_touch",
        "last_touch",
        "last_non_direct",
        "linear",
        "time_decay",
        "position_based",
        "w_shaped",
        "markov",
        "shapley",
    ]
    conversions = _credits(report)
    assert conversions["first_touch"] == {"mobile": 1.0, "web": 0.0}
    assert conversions["last_touch"] == {"mobile": 0.0, "web": 1.0}
    assert conversions["last_non_direct"] == {"mobile": 0.0, "web": 1.0}
    for split_evenly in ("linear", "position_based", "markov", "shapley"):
        assert conversions[split_evenly] == pytest.approx({"mobile": 0.5, "web": 0.5})
    decayed = 0.5 ** (3 / 7)  # the phone touches are 3 days, the half-life 7, before the order
    assert conversions["time_decay"]["mobile"] == pytest.approx(decayed / (decayed + 1))
    # W-shaped: first touch and first add-to-cart on the phone, the web touches share the rest.
    assert conversions["w_shaped"] == pytest.approx({"mobile": 6 / 7, "web": 1 / 7})

    values = _credits(report, "value")
    for model, credited in conversions.items():
        assert sum(credited.values()) == pytest.approx(1.0), model
        assert sum(values[model].values()) == pytest.approx(total), model
        assert isinstance(report["value"], int)
    by_model = {m["model"]: m for m in report["models"]}
    assert by_model["markov"]["parameters"] == {"order": 1}
    assert by_model["time_decay"]["parameters"] == {"half_life_days": 7.0}
    assert by_model["markov"]["channels"][0]["removal_effect"] == pytest.approx(1.0)
    assert "removal_effect" not in by_model["linear"]["channels"][0]


async def test_models_can_be_picked_and_the_lookback_splits_a_journey(client: Client) -> None:
    total = await _drive_journeys(client)

    picked = await _get(
        client, "attribution", model=["last_touch", "first_touch,last_touch"], half_life_days=1
    )
    assert [m["model"] for m in picked["models"]] == ["last_touch", "first_touch"]

    # One day back from the order the phone touches are out of reach: a journey of their own.
    short = await _get(client, "attribution", model="first_touch", lookback_days=1)
    assert short["lookback_days"] == 1
    assert (short["journeys"], short["conversions"], short["value"]) == (3, 1, total)
    assert _credits(short)["first_touch"] == {"mobile": 0.0, "web": 1.0}

    devices = await _get(client, "attribution", model="first_touch", key="channel_device")
    assert _credits(devices)["first_touch"] == {"mobile:dev_phone": 1.0, "mobile": 0.0, "web": 0.0}


async def test_kpis_count_the_order_and_the_abandoned_cart(client: Client) -> None:
    total = await _drive_journeys(client)

    kpis = await _get(client, "kpis", lookback_days=30)

    assert kpis["customers"] == 1
    assert (kpis["journeys"], kpis["conversions"]) == (2, 1)
    assert kpis["conversion_rate"] == 0.5
    assert kpis["conversion_rate_by_channel"] == {"mobile": 0.5, "web": 1.0}
    assert kpis["cart_abandonment_rate"] == 0.5
    assert kpis["cross_channel_share"] == 1.0
    assert kpis["path_lengths"] == [
        {"length": 2, "conversions": 0, "non_converting": 1},
        {"length": 4, "conversions": 1, "non_converting": 0},
    ]
    assert {b["label"]: b["conversions"] for b in kpis["time_to_convert"]} == {
        "under 1 hour": 0,
        "1 hour to 1 day": 0,
        "1 to 7 days": 1,
        "7 to 30 days": 0,
        "30 days or more": 0,
    }
    assert kpis["revenue"] == total
    assert kpis["average_order_value"] == total
    assert kpis["revenue_by_channel_last_touch"] == {"mobile": 0, "web": total}
    assert kpis["revenue_by_channel_fractional"] == pytest.approx(
        {"mobile": total / 2, "web": total / 2}
    )


async def test_transitions_show_the_move_from_phone_to_web(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _drive_journeys(client)
    # Tiny pages: the log is read across many of them and nothing is lost at the seams.
    monkeypatch.setattr(analytics, "PAGE_SIZE", 3)

    matrix = await _get(client, "transitions")

    assert matrix["states"] == ["(start)", "mobile", "web", "(conversion)", "(null)"]
    assert matrix["counts"] == {
        "(start)": {"mobile": 2},
        "mobile": {"mobile": 2, "web": 1, "(null)": 1},
        "web": {"web": 1, "(conversion)": 1},
    }
    assert matrix["probabilities"]["mobile"]["web"] == 0.25
    assert matrix["probabilities"]["web"]["(conversion)"] == 0.5


async def test_an_empty_log_reports_nothing_to_attribute(client: Client) -> None:
    report = await _get(client, "attribution")
    assert (report["journeys"], report["conversions"], report["value"]) == (0, 0, 0)
    assert all(model["channels"] == [] for model in report["models"])
    kpis = await _get(client, "kpis")
    assert (kpis["conversions"], kpis["cart_abandonment_rate"], kpis["revenue"]) == (0, None, 0)
    assert (await _get(client, "transitions"))["counts"] == {}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"model": "gut_feeling"}, "model", id="unknown-model"),
        pytest.param({"model": ["linear", "nope"]}, "model", id="one-bad-model"),
        pytest.param({"model": ""}, "model", id="empty-model"),
        pytest.param({"key": "channel_weather"}, "key", id="unknown-key"),
        pytest.param({"lookback_days": 0}, "lookback_days", id="no-lookback"),
        pytest.param({"lookback_days": "month"}, "lookback_days", id="lookback-not-a-number"),
        pytest.param({"markov_order": 5}, "markov_order", id="markov-order-too-high"),
        pytest.param({"half_life_days": 0}, "half_life_days", id="no-half-life"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(
    client: Client, params: dict[str, Any], field: str
) -> None:
    response = await client.get(
        "/v1/analytics/attribution", params=params, headers=headers(ADMIN_KEY)
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "invalid_input"
    assert field in {error["field"] for error in problem["errors"]}, problem


@pytest.mark.parametrize("path", ["attribution", "kpis", "transitions"])
async def test_a_storefront_key_cannot_read_analytics(client: Client, path: str) -> None:
    response = await client.get(f"/v1/analytics/{path}", headers=headers(WEB_KEY))

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "out_of_scope"
