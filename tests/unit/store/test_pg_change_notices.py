"""A process's caches hear another process's changes from its notices, and skip the echo of
their own (which they were told of at once, after COMMIT)."""

from __future__ import annotations

from omniloom.store import changes, clock_queries
from omniloom.store.pg_changes import CHANNEL, JOINED, ChangeFeed, payloads

STOCK = ("stock", "SKU-1@DC")


def _feed() -> tuple[ChangeFeed, list[changes.Touched]]:
    heard: list[changes.Touched] = []
    return ChangeFeed("postgresql://unused", heard.append), heard


def _deliver(feed: ChangeFeed, touched: changes.Touched, origin: str) -> None:
    for payload in payloads(touched, origin):
        feed._heard(None, 4242, CHANNEL, payload)


def test_another_process_change_reaches_the_caches() -> None:
    feed, heard = _feed()
    _deliver(feed, {STOCK}, origin="another-process")
    assert heard == [{STOCK}]


def test_the_echo_of_its_own_change_is_skipped() -> None:
    feed, heard = _feed()
    _deliver(feed, {STOCK}, origin=feed.origin)
    assert heard == []


def test_a_change_too_big_for_one_notice_arrives_whole() -> None:
    feed, heard = _feed()
    touched = {("stock", f"SKU-{n:05}@DC") for n in range(2_000)}
    sent = payloads(touched, "another-process")
    assert len(sent) > 1 and all(len(payload) < 8_000 for payload in sent)
    _deliver(feed, touched, origin="another-process")
    assert set().union(*heard) == touched


def test_an_unreadable_notice_makes_the_caches_forget_everything() -> None:
    feed, heard = _feed()
    feed._heard(None, 4242, CHANNEL, "not json")
    assert heard == [{(changes.EVERYTHING, "")}]


def test_another_process_joining_ends_being_alone_but_its_own_joining_does_not() -> None:
    feed, _heard = _feed()
    _deliver(feed, {(JOINED, "1")}, origin=feed.origin)
    assert feed.alone
    _deliver(feed, {(JOINED, "2")}, origin="another-process")
    assert not feed.alone


async def test_its_own_clock_change_is_still_acknowledged() -> None:
    # The process that set the clock waits for every listener's acknowledgement, its own too.
    feed, heard = _feed()
    acknowledged: list[str] = []

    async def acknowledge(key: str) -> None:
        acknowledged.append(key)

    feed._acknowledge = acknowledge  # type: ignore[method-assign]
    _deliver(feed, {(clock_queries.CLOCK, "tick-7")}, origin=feed.origin)
    for task in list(feed._sending):
        await task
    assert heard == [] and acknowledged == ["tick-7"]
