"""Messaging's pure rules: consent, behaviour, replies, quiet hours, webhook signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from omniloom.domain.delivery import Moments, history, plan
from omniloom.domain.flows import QuietHours, quiet_until
from omniloom.domain.messaging import (
    ConsentState,
    inbound_consent,
    is_behavioural,
    may_send,
    may_track,
)
from omniloom.domain.webhooks import (
    MAX_ATTEMPTS,
    next_attempt_delay,
    signature,
    subscribed,
    url_problem,
    verify,
)

NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_only_a_confirmed_yes_sends_and_only_a_no_stops_tracking() -> None:
    assert may_send(ConsentState.SUBSCRIBED)
    assert not any(may_send(s) for s in (None, ConsentState.PENDING, ConsentState.UNSUBSCRIBED))
    assert may_track(None) and may_track(ConsentState.PENDING)
    assert not may_track(ConsentState.UNSUBSCRIBED) and not may_track(ConsentState.NOT_SUBSCRIBED)


def test_behaviour_is_told_from_business_records() -> None:
    assert all(map(is_behavioural, ("catalog.searched", "cart.item_added", "link.clicked")))
    assert not any(map(is_behavioural, ("order.placed", "payment.captured", "return.created")))


def test_carrier_keywords_set_consent() -> None:
    assert inbound_consent(" Stop ") is ConsentState.UNSUBSCRIBED
    assert inbound_consent("UNSTOP") is ConsentState.SUBSCRIBED
    assert inbound_consent("stop please") is None


def test_quiet_hours_span_midnight_in_the_shoppers_zone() -> None:
    night = QuietHours(start="21:00", end="08:00")
    # 22:00 UTC is 23:00 in Paris: quiet until 08:00 there, 07:00 UTC.
    at_23 = datetime(2026, 11, 2, 22, 0, tzinfo=UTC)
    assert quiet_until(night, "Europe/Paris", at_23) == datetime(2026, 11, 3, 7, tzinfo=UTC)
    # 03:00 in Paris: the same night's end.
    at_3 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    assert quiet_until(night, "Europe/Paris", at_3) == datetime(2026, 11, 3, 7, tzinfo=UTC)
    assert quiet_until(night, "Europe/Paris", NOON) is None
    assert quiet_until(None, "UTC", at_23) is None
    lunch = QuietHours(start="12:00", end="13:00")
    assert quiet_until(lunch, "UTC", NOON) == NOON + timedelta(hours=1)


def test_a_magic_recipient_fails_when_sent_and_history_follows_the_clock() -> None:
    bounced = plan("email", "bounce@simulator.amazonses.com", NOON)
    assert (bounced.failed_at, bounced.reason) == (bounced.sent_at, "bounced")
    fine = plan("sms", "+15550123456", NOON)
    moments = Moments(NOON, fine.sent_at, fine.delivered_at)
    assert [s for s, _ in history(moments, NOON)] == ["queued"]
    assert [s for s, _ in history(moments, NOON + timedelta(seconds=3))] == [
        "queued",
        "sent",
        "delivered",
    ]


def test_signatures_match_the_standard_webhooks_reference_vector() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signed = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signed == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, f"v1,x {signed}")
    assert not verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body, signed)


def test_retries_back_off_and_stop() -> None:
    delays = [next_attempt_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays[:3] == [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30)]
    assert delays[-1] is None and MAX_ATTEMPTS == 8


def test_subscriptions_and_urls() -> None:
    assert subscribed(["order.*"], "order.placed") and not subscribed(["order.*"], "orders.x")
    assert subscribed(["*"], "cart.created") and subscribed(["cart.created"], "cart.created")
    assert url_problem("https://example.com/h") is None
    assert url_problem("ftp://example.com") and url_problem("http://")
