"""The journey executor: a scenario's steps as a generator of HTTP calls (sans-IO).

    gen = journey(scenario, cast)
    call = next(gen)                       # an HttpCall
    while True:
        reply = carry(call)                # any transport: ASGI in-process, httpx, locust
        try:
            call = gen.send(reply)         # an HttpReply back in, the next HttpCall out
        except StopIteration as done:
            outcome = done.value           # a JourneyOutcome
            break

``drive(gen, carry)`` is that loop for a synchronous transport. The journey does no I/O and
reads no clock: simulated time passes only through calls to the admin clock route (``wait``,
``retry``), so every runner gets the same calls in the same order for the same replies. Keep
this API stable: the in-process and remote runners and the locust users in ``loadtests/`` all
drive it.

Each client follows the access contract: it remembers ``cart_token`` and ``order_token`` from
any answer and sends ``X-Cart-Token`` / ``X-Order-Token`` with calls that name that cart or
order, and ``X-Customer-Token`` once its shopper signed in.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from omniloom.scenarios.access import Access
from omniloom.scenarios.actions import (
    ACTIONS,
    ActionError,
    Actor,
    Request,
    advance_clock,
    parse_duration,
)
from omniloom.scenarios.expectations import check
from omniloom.scenarios.expressions import ExpressionError, evaluate, render
from omniloom.scenarios.model import ActionStep, ForEachStep, IncludeStep, Node, Scenario
from omniloom.scenarios.protocol import HttpCall, HttpReply
from omniloom.scenarios.shoppers import Cast, casts

NOBODY = "anonymous"  # the actor of steps in a scenario without shoppers


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """One step's verdict. ``message`` says what was expected and what came back."""

    title: str
    where: str
    action: str
    status: str  # passed | failed | skipped
    soft: bool = False
    http_status: int | None = None
    message: str = ""
    calls: int = 0


@dataclass(slots=True)
class JourneyOutcome:
    scenario: str
    file: str
    steps: list[StepOutcome] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    calls: int = 0

    @property
    def failures(self) -> list[StepOutcome]:
        return [s for s in self.steps if s.status == "failed"]

    @property
    def passed(self) -> bool:
        return not self.failures


Journey = Generator[HttpCall, HttpReply, JourneyOutcome]


def journey(
    scenario: Scenario,
    cast: Cast | None = None,
    *,
    keys: Mapping[str, str] | None = None,
    observer: Callable[[StepOutcome], None] | None = None,
) -> Journey:
    """Run ``scenario`` with ``cast`` (its first generated cast by default), as HTTP calls."""
    runner = _Journey(scenario, cast if cast is not None else casts(scenario)[0], keys, observer)
    return (yield from runner.run())


def drive(gen: Journey, carry: Callable[[HttpCall], HttpReply]) -> JourneyOutcome:
    """Run a journey over a synchronous transport."""
    try:
        call = next(gen)
        while True:
            call = gen.send(carry(call))
    except StopIteration as done:
        outcome: JourneyOutcome = done.value
        return outcome


class _Stop(Exception):
    """A hard failure: the journey ends here."""


class _Journey:
    def __init__(
        self,
        scenario: Scenario,
        cast: Cast,
        keys: Mapping[str, str] | None,
        observer: Callable[[StepOutcome], None] | None,
    ) -> None:
        self.scenario = scenario
        self.cast = cast
        self.access = Access(keys)
        self.observer = observer
        # Orders any actor saw, by id: an associate returns the order a shopper placed.
        orders: dict[str, dict[str, Any]] = {}
        self.actors = {name: Actor(name, dict(s.profile), orders) for name, s in cast.items()}
        self.default_actor = next(iter(self.actors), NOBODY)
        self.actors.setdefault(NOBODY, Actor(NOBODY, {}, orders))
        self.variables: dict[str, Any] = dict(scenario.header.vars)
        self.last = HttpReply(0)
        self.outcome = JourneyOutcome(scenario.name, str(scenario.path))

    def run(self) -> Journey:
        try:
            if self.scenario.header.clock:
                yield from self._set_clock(self.scenario.header.clock)
            yield from self._nodes(self.scenario.steps)
        except _Stop:
            pass
        self.outcome.variables = dict(self.variables)
        self.outcome.calls = sum(step.calls for step in self.outcome.steps)
        return self.outcome

    def _record(self, outcome: StepOutcome) -> None:
        self.outcome.steps.append(outcome)
        if self.observer is not None:
            self.observer(outcome)
        if outcome.status == "failed" and not outcome.soft:
            raise _Stop

    def _set_clock(self, at: str) -> Generator[HttpCall, HttpReply, None]:
        request = Request("POST", "/v1/admin/clock/set", {"at": at}, "admin")
        reply = yield self.access.call(request, "admin", None, None, "clock")
        where = f"{self.scenario.path}:1"
        status = "passed" if reply.status < 400 else "failed"
        message = "" if reply.status < 400 else f"could not set the clock to {at}: {_body(reply)}"
        self._record(
            StepOutcome("set the clock", where, "clock", status, False, reply.status, message, 1)
        )

    # --- control flow --------------------------------------------------------------------------

    def _nodes(self, nodes: list[Node]) -> Generator[HttpCall, HttpReply, None]:
        for node in nodes:
            if node.options.when is not None and not self._holds(node, node.options.when):
                self._record(StepOutcome(node.title, str(node.where), _kind(node), "skipped"))
                continue
            if isinstance(node, ActionStep):
                yield from self._action(node)
            elif isinstance(node, IncludeStep):
                params = self._render(node, node.options.with_)
                saved = {name: self.variables.get(name, _UNSET) for name in params}
                self.variables.update(params)
                yield from self._nodes(node.steps)
                for name, value in saved.items():
                    if value is _UNSET:
                        self.variables.pop(name, None)
                    else:
                        self.variables[name] = value
            else:
                yield from self._for_each(node)

    def _for_each(self, node: ForEachStep) -> Generator[HttpCall, HttpReply, None]:
        name = node.options.as_ or "item"
        items: Any = node.rows if node.rows is not None else self._eval(node, node.items or "[]")
        if not isinstance(items, list):
            self._fail(node, f"for_each needs a list; {node.items!r} is {_type(items)}")
            return
        for item in items:
            self.variables[name] = item
            yield from self._nodes(node.steps)
        self.variables.pop(name, None)

    # --- one action ----------------------------------------------------------------------------

    def _action(self, step: ActionStep) -> Generator[HttpCall, HttpReply, None]:
        options = step.options
        actor = self.actors[options.actor or self.default_actor]
        shopper = self.cast.get(actor.name)
        channel = options.channel or (shopper.channels[0] if shopper else "web")
        device = _device_id(actor, options.device)
        calls, waited = 0, 0
        request: Request | None = None
        while True:
            try:
                args = self._render(step, step.args)
                plan = ACTIONS[step.action].build(dict(args), actor, device)
                request = next(plan)
                while True:
                    reply = yield self.access.call(request, channel, actor, device, step.action)
                    calls += 1
                    self.access.learn(reply.json)
                    request = plan.send(reply)
            except StopIteration as done:
                reply = done.value
            except (ActionError, ExpressionError) as exc:
                self._fail(step, str(exc), calls=calls)
                return
            self.last = reply
            if reply.status < 400:
                actor.learn(reply.json)
            retry = options.retry
            if retry is None or self._holds(step, retry.until):
                break
            if waited >= parse_duration(retry.timeout):
                self._fail(
                    step, f"until {retry.until!r} never held in {retry.timeout}", reply, calls
                )
                return
            pause = parse_duration(retry.interval)
            yield self.access.call(advance_clock(pause), "admin", None, None, "clock")
            waited += pause
        # Captures first (expectations may read them); a capture that fails on an unexpected
        # answer is reported after what was unexpected about it, which is the real news.
        unreadable, captured = [], {}
        for name, expression in options.capture.items():
            try:
                captured[name] = evaluate(expression, self._scope(actor))
            except ExpressionError as exc:
                unreadable.append(f"capture {name}: {exc}")
        problems = check(options.expect, reply, self._scope(actor) | captured) + unreadable
        if not problems:  # a failed step's captures would only mislead the report
            self.variables.update(captured)
        if problems:
            self._fail(step, "; ".join(problems), reply, calls, request=request)
        else:
            self._record(
                StepOutcome(
                    step.title,
                    str(step.where),
                    step.action,
                    "passed",
                    options.soft,
                    reply.status,
                    "",
                    calls,
                )
            )

    # --- expressions and failures --------------------------------------------------------------

    def _scope(self, actor: Actor | None = None) -> dict[str, Any]:
        actor = actor or self.actors[self.default_actor]
        shopper = self.cast.get(actor.name)
        return {
            **self.variables,
            "actor": _known(actor),
            "shoppers": {name: _known(a) for name, a in self.actors.items()},
            "faker": shopper.faker if shopper else None,
            "body": self.last.json,
            "status": self.last.status,
            "headers": self.last.headers,
        }

    def _eval(self, node: Node, expression: str) -> Any:
        try:
            return evaluate(expression, self._scope(self._actor_of(node)))
        except ExpressionError as exc:
            self._fail(node, str(exc))
            raise _Stop from None

    def _render(self, node: Node, value: Any) -> Any:
        return render(value, self._scope(self._actor_of(node)))

    def _holds(self, node: Node, expression: str) -> bool:
        return bool(self._eval(node, expression))

    def _actor_of(self, node: Node) -> Actor:
        return self.actors[node.options.actor or self.default_actor]

    def _fail(
        self,
        node: Node,
        message: str,
        reply: HttpReply | None = None,
        calls: int = 0,
        request: Request | None = None,
    ) -> None:
        lines = [message]
        if request is not None:
            shown = "" if request.json is None else " " + _excerpt(request.json)
            lines.append(f"request: {request.method} {request.path}{shown}")
        if reply is not None:
            lines.append(f"response: {reply.status} {_body(reply)}")
        self._record(
            StepOutcome(
                node.title,
                str(node.where),
                _kind(node),
                "failed",
                node.options.soft,
                reply.status if reply else None,
                "\n".join(lines),
                calls,
            )
        )


_UNSET = object()


def _known(actor: Actor) -> dict[str, Any]:
    """What expressions see of an actor: their profile and what they currently hold."""
    held = {"customer_id": actor.customer_id, "cart": actor.cart, "order": actor.order}
    return {**actor.profile, **held, "sale": actor.sale, "signed_in": actor.token is not None}


def _kind(node: Node) -> str:
    if isinstance(node, ActionStep):
        return node.action
    return "include" if isinstance(node, IncludeStep) else "for_each"


def _device_id(actor: Actor, device: str | None) -> str | None:
    if not device:
        return None
    tag = str(actor.profile.get("email", "")).split("@")[0].rsplit(".", 1)[-1] or "x"
    return f"dev-{actor.name}-{device}-{tag}"[:80]


def _excerpt(value: Any, limit: int = 400) -> str:
    text = msgspec.json.encode(value).decode()
    return text if len(text) <= limit else text[:limit] + "…"


def _body(reply: HttpReply) -> str:
    return _excerpt(reply.json) if reply.json is not None else "(no JSON body)"


def _type(value: Any) -> str:
    return type(value).__name__
