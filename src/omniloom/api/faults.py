"""Faults on purpose, applied: the middleware that delays, fails or drops requests the admin's
fault rules select (omniloom.domain.faults), before the route runs.

It runs after the access check and before the handler, so a faulted request has changed
nothing and a retry of it is always safe. The answers:

* latency — the route runs after the delay, and its answer carries ``Omniloom-Fault``;
* status — problem+json ``fault_injected`` with the rule's status (429/500/502/503/504),
  ``Omniloom-Fault`` and, for 429 and 503, ``Retry-After``;
* drop — the status line and headers of a 200 go out and the connection is closed before any
  body. ASGI gives an app no way to close a connection unanswered; an answer left unfinished is
  the closest, and every HTTP client reports it as a broken connection (httpx
  RemoteProtocolError, requests ChunkedEncodingError, curl exit 18). uvicorn logs one line for
  it ("ASGI callable returned without completing response").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

from litestar import Litestar
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Send
from litestar.types import Scope as AsgiScope

from omniloom.api.access import routes
from omniloom.api.auth import PRINCIPAL_KEY
from omniloom.api.openapi.operations import OPERATION_IDS
from omniloom.domain.faults import FaultInjected, FaultKind, faultable
from omniloom.services.admin.fault_book import FaultBook, decide
from omniloom.services.admin.faults import FaultableRoute
from omniloom.services.kernel.runtime import Runtime

FAULTS_KEY = "faults"  # app.state key of the app's FaultInjector
FAULT_HEADER = b"omniloom-fault"

Sleep = Callable[[float], Awaitable[Any]]


def faultable_routes(app: Litestar) -> list[FaultableRoute]:
    """Every route a rule may name, with its published operation id."""
    found = []
    for key, _handler in routes(app):
        if key is None:
            continue
        method, path = key.split(" ", 1)
        if faultable(path):
            found.append(FaultableRoute(method, path, OPERATION_IDS.get((method.lower(), path))))
    return found


class FaultInjector:
    """The app's fault rules at work. ``sleep`` is how a delay waits: tests swap in one that
    only notes the delay, so they never wait on the wall clock."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.book = FaultBook()
        self.book.caching = runtime.db.on_change(self.book.forget)
        self.sleep: Sleep = asyncio.sleep
        self._routes: list[FaultableRoute] | None = None

    def routes(self, app: Litestar) -> list[FaultableRoute]:
        if self._routes is None:
            self._routes = faultable_routes(app)
        return self._routes

    def middleware(self, app: ASGIApp) -> ASGIApp:
        book = self.book

        async def middleware(scope: AsgiScope, receive: Receive, send: Send) -> None:
            rules = book.rules
            if rules is None:
                rules = await book.load(self.runtime)
            if not rules:  # the usual case: no query, no string built
                return await app(scope, receive, send)
            selected = rules.get(f"{cast(HTTPScope, scope)['method']} {scope['path_template']}")
            if not selected:
                return await app(scope, receive, send)
            key = scope.get(PRINCIPAL_KEY)
            channel = getattr(key, "channel", None)
            meeting = tuple(rule for rule in selected if rule.channel in (None, channel))
            fired = await decide(self.runtime, meeting) if meeting else []
            if not fired:
                return await app(scope, receive, send)
            delay = sum(rule.latency_ms or 0 for rule in fired if rule.kind is FaultKind.LATENCY)
            if delay:
                await self.sleep(delay / 1000)
            last = fired[-1]
            if last.kind is FaultKind.STATUS:
                raise FaultInjected(last)
            marked = _marking(send, b", ".join(rule.id.encode() for rule in fired))
            if last.kind is FaultKind.DROP:
                return await _drop(marked)
            await app(scope, receive, marked)

        return middleware


def _marking(send: Send, rule_ids: bytes) -> Send:
    """``send``, with the answer's headers naming the rules that faulted it."""

    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (FAULT_HEADER, rule_ids)]
        await send(message)

    return marked


async def _drop(send: Send) -> None:
    # Started and never finished: the server closes the connection (see the module's note).
    await send({"type": "http.response.start", "status": 200, "headers": []})


def injector_of(app: Litestar) -> FaultInjector:
    injector: FaultInjector = app.state[FAULTS_KEY]
    return injector
