"""Faults on purpose: rules that make chosen routes slow, fail or drop the connection, so client
teams can test their retries (WireMock's faults, Mailpit's chaos).

A rule picks requests (a route, optionally a channel), says what happens to them (a delay, an
error status, a dropped connection), how often (a probability) and how many times at most.
Whether the n-th request a rule matched is faulted depends only on the rule's seed and n, never
on which server process answers it or when: the same rules and the same requests fault the same
requests again, so a failing run can be repeated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from omniloom.domain.errors import DomainError, FieldError, InvalidInput


class FaultKind(StrEnum):
    LATENCY = "latency"  # answered normally, after a delay
    STATUS = "status"  # answered with an error status instead, the route not run
    DROP = "drop"  # the connection is closed before any body, the route not run


# The error statuses a rule may answer with: what a client's retry policy has to handle.
FAULT_STATUSES = (429, 500, 502, 503, 504)
# The statuses that carry Retry-After (RFC 9110 15.6.4, RFC 6585), in seconds; 1 when not given.
RETRY_AFTER_STATUSES = (429, 503)
DEFAULT_RETRY_AFTER = 1
MAX_LATENCY_MS = 60_000
MAX_SEED = 2**63 - 1
FAULT_CODE = "fault_injected"
# Never faulted, so a rule can always be removed again and a health check tells the truth.
NEVER_FAULTED = ("/health", "/hello", "/docs", "/v1/admin/")


@dataclass(frozen=True, slots=True)
class FaultRule:
    """A rule as the request path sees it: what it selects and what it does."""

    id: str
    method: str
    path: str  # the route's template, /v1/carts/{cart_id}/checkout
    channel: str | None  # only requests through this channel's keys; None: any
    kind: FaultKind
    probability: float
    seed: int
    latency_ms: int | None = None
    status: int | None = None
    retry_after: int | None = None
    times: int | None = None  # faults at most this many requests, then is spent

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def ends_request(self) -> bool:
        """A status or a drop answers instead of the route; a delay lets it run after."""
        return self.kind is not FaultKind.LATENCY


def faultable(path: str) -> bool:
    """Whether a rule may select the route with this path template."""
    return not path.startswith(NEVER_FAULTED)


def draw(seed: int, n: int) -> float:
    """A number in [0, 1) for the n-th request a rule with ``seed`` matched: a keyed hash, so
    it is the same in every process and on every run, and independent from one n to the next."""
    digest = hashlib.blake2b(
        n.to_bytes(8, "big"), key=seed.to_bytes(8, "big"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") / 2**64


def fires(rule: FaultRule, n: int) -> bool:
    """Whether the n-th request ``rule`` matched (counting from 1) is faulted."""
    return draw(rule.seed, n) < rule.probability


class FaultInjected(DomainError):
    """The answer a status rule gives instead of running the route."""

    code = FAULT_CODE
    title = "Fault injected"

    def __init__(self, rule: FaultRule) -> None:
        status = rule.status or 503
        headers = {"Omniloom-Fault": rule.id}
        if status in RETRY_AFTER_STATUSES:
            retry_after = DEFAULT_RETRY_AFTER if rule.retry_after is None else rule.retry_after
            headers["Retry-After"] = str(retry_after)
        super().__init__(
            f"Fault rule {rule.id} answered {status} on purpose; the request changed nothing, "
            "so it is safe to retry.",
            extra={"fault_rule": rule.id},
            headers=headers,
        )
        self.status = status


def check_kind(
    kind: FaultKind, latency_ms: int | None, status: int | None, retry_after: int | None
) -> None:
    """Each kind takes its own settings and no other's: a field that does not fit is named."""
    wrong: list[FieldError] = []
    if kind is FaultKind.LATENCY and latency_ms is None:
        wrong.append(FieldError("latency_ms", "a latency rule needs latency_ms"))
    if kind is FaultKind.STATUS and status is None:
        wrong.append(FieldError("status", "a status rule needs status"))
    if kind is not FaultKind.LATENCY and latency_ms is not None:
        wrong.append(FieldError("latency_ms", "only latency rules take latency_ms"))
    if kind is not FaultKind.STATUS and status is not None:
        wrong.append(FieldError("status", "only status rules take status"))
    if retry_after is not None and status not in RETRY_AFTER_STATUSES:
        wrong.append(FieldError("retry_after", "only for status 429 or 503"))
    if wrong:
        raise InvalidInput(f"A {kind} rule: {wrong[0].message}.", errors=wrong)
