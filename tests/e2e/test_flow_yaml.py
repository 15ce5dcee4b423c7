"""Flows written in YAML: accepted by the admin route and by ``omniloom flows load``, validated
by the same schema as JSON, a mistake named by its field and nothing changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omniloom.cli import main
from omniloom.cli_support import EXIT_OK, EXIT_USAGE
from tests.support.api import Client
from tests.support.messaging import ADMIN

FLOW_YAML = """\
name: Abandoned cart, written by hand
trigger: cart_abandoned
campaign: abandoned-cart
quiet_hours: {start: 21:00, end: 08:00}   # clock times, not YAML 1.1's base-60 numbers
frequency_cap: {messages: 2, hours: 24}
steps:
  - delay_minutes: 240
    channels: [push, sms]
    body: "You left something behind: {link}"
"""


def yaml_headers(media: str = "application/yaml") -> dict[str, str]:
    return {**ADMIN, "Content-Type": media}


async def put_yaml(client: Client, text: str, media: str = "application/yaml") -> Any:
    return await client.put(
        "/v1/admin/flows/cart", content=text.encode(), headers=yaml_headers(media)
    )


async def test_a_flow_written_in_yaml_is_kept_as_the_same_definition(client: Client) -> None:
    kept = await put_yaml(client, FLOW_YAML)
    assert kept.status_code == 200, kept.text
    flow = kept.json()["definition"]
    assert flow["quiet_hours"] == {"start": "21:00", "end": "08:00"}
    assert (flow["trigger"], flow["steps"][0]["channels"]) == ("cart_abandoned", ["push", "sms"])
    again = await put_yaml(client, FLOW_YAML.replace("240", "180"), "application/x-yaml")
    assert again.json()["definition"]["steps"][0]["delay_minutes"] == 180


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("delay_minutes: 240", "delay_minutes: -5"), "steps[0].delay_minutes"),
        (("delay_minutes: 240", 'delay_minutes: "240"'), "steps[0].delay_minutes"),
        (("[push, sms]", "[push, fax]"), "steps[0].channels[1]"),
        (("cart_abandoned", "cart_forgotten"), "trigger"),
        (("end: 08:00", "end: 25:00"), "quiet_hours.end"),
        (("campaign:", "campaing:"), "campaing"),
        (("steps:", "steps: ["), "body"),
        (("name:", "- name:"), "body"),
    ],
)
async def test_bad_yaml_or_a_bad_field_is_named_and_changes_nothing(
    client: Client, change: tuple[str, str], field: str
) -> None:
    kept = await put_yaml(client, FLOW_YAML)
    assert kept.status_code == 200, kept.text
    refused = await put_yaml(client, FLOW_YAML.replace(*change))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    now = (await client.get("/v1/admin/flows/cart", headers=ADMIN)).json()
    assert now["definition"] == kept.json()["definition"]


async def test_yaml_is_taken_only_where_a_flow_is_expected(client: Client) -> None:
    body = "customer_id: cus_x\nchannel: sms\nbody: hello\n"
    sent = await client.post("/v1/admin/messages", content=body.encode(), headers=yaml_headers())
    assert sent.status_code == 400, sent.text  # read as JSON, as every other body
    assert sent.json()["code"] == "malformed_json"


FILE = """\
post-purchase-thanks:
  name: Thank you, a week after an order
  trigger: order_placed
  quiet_hours: {start: 21:00, end: 08:00}
  steps:
    - {delay_minutes: 10080, channels: [email, push], body: "Thanks! {link}"}
browse:
  name: Browse abandonment
  trigger: browse_abandoned
  steps:
    - {delay_minutes: 120, channels: [social], body: "Still thinking? {link}"}
"""


def test_a_flows_file_is_loaded_all_or_nothing(
    tmp_path: Path, database_url: str, store_db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from omniloom.services.messaging.flows import list_flows

    good = tmp_path / "flows.yaml"
    good.write_text(FILE)
    assert main(["flows", "load", str(good), "--database-url", database_url]) == EXIT_OK
    assert "browse: browse_abandoned, 1 step(s), enabled" in capsys.readouterr().out
    loaded = store_db.run_blocking(list_flows).items
    assert {f.id: f.definition.trigger.value for f in loaded} == {
        "browse": "browse_abandoned",
        "post-purchase-thanks": "order_placed",
    }

    bad = tmp_path / "bad.yaml"
    bad.write_text(FILE.replace("Thanks", "Merci").replace("[social]", "[fax]"))
    assert main(["flows", "load", str(bad), "--database-url", database_url]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "browse.steps[0].channels[0]" in err and "nothing was loaded" in err
    unchanged = store_db.run_blocking(list_flows).items
    assert [f.definition for f in unchanged] == [f.definition for f in loaded]
    broken = tmp_path / "broken.yaml"
    broken.write_text("browse: [\n")
    assert main(["flows", "load", str(broken), "--database-url", database_url]) == EXIT_USAGE
    assert "not valid YAML at line" in capsys.readouterr().err
