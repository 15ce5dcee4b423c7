"""Guessing passwords stops: five failures in fifteen minutes lock the account and the device for
fifteen minutes on the simulated clock (429 with Retry-After), the right password included."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, headers
from tests.support.identity import PASSWORD, problem, register
from tests.support.store import ADMIN_KEY

ADMIN = headers(ADMIN_KEY)


async def attempt(client: Client, email: str, password: str, device: str) -> Any:
    return await client.post(
        "/v1/sessions",
        json={"email": email, "password": password},
        headers=headers(**{"X-Device-Id": device}),
    )


async def advance(client: Client, minutes: int) -> None:
    moved = await client.post("/v1/admin/clock/advance", json={"minutes": minutes}, headers=ADMIN)
    assert moved.status_code == 200, moved.text


async def test_five_wrong_passwords_lock_the_account_until_the_clock_moves_on(
    client: Client,
) -> None:
    await register(client, "grace@example.com")
    for guess in range(5):
        wrong = await attempt(client, "grace@example.com", f"guess-{guess}", f"laptop-{guess}")
        assert problem(wrong) == (401, "invalid_credentials")

    # The right password, even from another device: the account is locked for 15 minutes.
    locked = await attempt(client, "grace@example.com", PASSWORD, "phone")
    assert problem(locked) == (429, "too_many_attempts")
    assert locked.headers["Retry-After"] == "900"
    await advance(client, 14)
    later = await attempt(client, "grace@example.com", PASSWORD, "phone")
    assert later.headers["Retry-After"] == "60"

    await advance(client, 1)
    assert (await attempt(client, "grace@example.com", PASSWORD, "phone")).status_code == 201
    # A success clears the account's count: one more mistake is only a mistake.
    again = await attempt(client, "grace@example.com", "typo", "phone")
    assert problem(again) == (401, "invalid_credentials")
    assert (await attempt(client, "grace@example.com", PASSWORD, "phone")).status_code == 201


async def test_one_device_guessing_many_accounts_is_locked_out(client: Client) -> None:
    for n in range(6):
        await register(client, f"shopper{n}@example.com")
    for n in range(5):
        wrong = await attempt(client, f"shopper{n}@example.com", "123456", "bot-1")
        assert problem(wrong) == (401, "invalid_credentials")
    refused = await attempt(client, "shopper5@example.com", PASSWORD, "bot-1")
    assert problem(refused) == (429, "too_many_attempts")
    # The shopper on their own device is not locked out by the bot.
    assert (await attempt(client, "shopper5@example.com", PASSWORD, "own-phone")).status_code == 201


async def test_failures_spread_over_more_than_the_window_do_not_lock(client: Client) -> None:
    await register(client, "ada@example.org")
    for guess in range(8):
        wrong = await attempt(client, "ada@example.org", f"guess-{guess}", "laptop")
        assert problem(wrong) == (401, "invalid_credentials")
        if guess % 4 == 3:
            await advance(client, 16)
    assert (await attempt(client, "ada@example.org", PASSWORD, "laptop")).status_code == 201
