"""Messaging: consent per channel, inbound replies, tracked links, and the outbox (admin)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from omniloom.api.context import touch_context
from omniloom.api.customer_auth import authorize_customer
from omniloom.api.http import MAX_SEQUENCE, idempotent_post, runtime_of, write
from omniloom.api.ownership import with_cart_token
from omniloom.domain.channels import Channel
from omniloom.domain.messaging import MessagingChannel
from omniloom.services.messaging import consent, links, mailbox, outbox
from omniloom.services.messaging.commands import InboundMessage, MessagingChange, SendMessage
from omniloom.services.messaging.consent import InboundResult, MessagingSettings
from omniloom.services.messaging.links import LinkOpened
from omniloom.services.messaging.mailbox import MessageFilter, StreamEvent
from omniloom.services.messaging.outbox import MessagePage, MessageView

Filter = Annotated[str | None, Parameter(max_length=200)]
After = Annotated[int, Parameter(ge=0, le=MAX_SEQUENCE, description="last_seq of the last page")]


def message_filter(
    recipient: Filter = None,
    channel: MessagingChannel | None = None,
    campaign: Filter = None,
    kind: Filter = None,
    customer_id: Filter = None,
    cart_id: Filter = None,
    product_id: Filter = None,
    outcome: Annotated[str | None, Parameter(pattern="^(queued|suppressed)$")] = None,
    reason: Filter = None,
) -> MessageFilter:
    """The outbox filters, one definition for listing, waiting and streaming."""
    return MessageFilter(
        recipient=recipient,
        channel=None if channel is None else channel.value,
        campaign=campaign,
        kind=kind,
        customer_id=customer_id,
        cart_id=cart_id,
        product_id=product_id,
        outcome=outcome,
        reason=reason,
    )


async def _encoded(
    events: AsyncIterator[StreamEvent], start: int
) -> AsyncIterator[ServerSentEventMessage]:
    # A comment first, so a reader knows the stream is open and where it starts.
    yield ServerSentEventMessage(data=None, comment=f"following the outbox after seq {start}")
    async for event in events:
        message = event.message
        yield ServerSentEventMessage(
            data=msgspec.json.encode(message).decode(),
            event=event.event,
            id=message.seq if event.event == "message" else None,
        )


class Cleared(msgspec.Struct, frozen=True):
    deleted: int


class MessagingSettingsController(Controller):
    path = "/v1/customers/{customer_id:str}/messaging"
    tags = ["messaging"]

    @get(summary="Consent per messaging channel (and tracking), and the shopper's time zone")
    async def settings(
        self, request: Request[Any, Any, Any], customer_id: str
    ) -> MessagingSettings:
        await authorize_customer(request, customer_id)
        return await runtime_of(request).read(lambda conn: consent.read_settings(conn, customer_id))

    @put(summary="Subscribe or unsubscribe channels, refuse tracking, set the time zone")
    async def change(
        self, request: Request[Any, Any, Any], customer_id: str, data: MessagingChange
    ) -> MessagingSettings:
        await authorize_customer(request, customer_id)
        return await write(request, lambda unit: consent.change_settings(unit, customer_id, data))


class MessagingController(Controller):
    path = "/v1"
    tags = ["messaging"]

    @post(
        "/messaging/inbound",
        summary="A shopper's reply (STOP unsubscribes from that channel, START resubscribes)",
        status_code=200,
    )
    async def inbound(self, request: Request[Any, Any, Any], data: InboundMessage) -> InboundResult:
        return await idempotent_post(
            request, lambda unit: consent.apply_inbound(unit, data), status_code=200
        )

    @get(
        "/links/{token:str}",
        summary="Open a message's tracked link: the cart (or product), on the device that clicked",
    )
    async def open_link(self, request: Request[Any, Any, Any], token: str) -> LinkOpened:
        runtime = runtime_of(request)
        # A click is a touch on the messaging channel, whichever app or browser opened it.
        opened = await runtime.write(
            lambda unit: links.click(runtime, unit, token),
            Channel.MESSAGING,
            touch_context(request),
        )
        # The link is the shopper's proof: the device that followed it gets the cart's secret.
        if opened.cart is None:
            return opened
        return msgspec.structs.replace(opened, cart=with_cart_token(runtime, opened.cart))


class OutboxController(Controller):
    path = "/v1/admin"
    tags = ["messaging"]

    @post("/messages", summary="Send a message now (consent and address checked)")
    async def send(self, request: Request[Any, Any, Any], data: SendMessage) -> MessageView:
        return await idempotent_post(request, lambda unit: outbox.send(unit, data))

    @get(
        "/outbox",
        summary="Messages sent or suppressed, oldest first, filtered",
        dependencies={"filters": Provide(message_filter, sync_to_thread=False)},
    )
    async def list_messages(
        self,
        request: Request[Any, Any, Any],
        filters: MessageFilter,
        after: After = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> MessagePage:
        return await mailbox.search(runtime_of(request), filters, after=after, limit=limit)

    @get(
        "/outbox/wait",
        summary="Wait for the next matching message (long poll; 204 when none came in time)",
        dependencies={"filters": Provide(message_filter, sync_to_thread=False)},
    )
    async def wait(
        self,
        request: Request[Any, Any, Any],
        filters: MessageFilter,
        after: After = 0,
        timeout: Annotated[
            float,
            Parameter(
                ge=0,
                le=mailbox.MAX_WAIT_SECONDS,
                description=(
                    "Real (wall-clock) seconds to wait, at most 30: without a matching message "
                    "the answer (204) takes that long. 0 looks once and answers at once."
                ),
            ),
        ] = 10.0,
    ) -> Response[Any]:
        found = await mailbox.wait(runtime_of(request), filters, after=after, timeout=timeout)
        if found is None:
            return Response(content=b"", status_code=204)
        return Response(content=msgspec.json.encode(found), media_type="application/json")

    @get(
        "/outbox/stream",
        summary="Follow matching messages as Server-Sent Events, as they are queued and move on",
        description=(
            "An `event: message` (its `id:` is the message's `seq`) for each matching message"
            " written after `after` (by default: from when the stream opens), then an"
            " `event: status` each time one of them moves on (sent, delivered, failed, opened,"
            " clicked) as the simulated clock advances; `data:` is the message as"
            " `GET /v1/admin/outbox/{message_id}` shows it. The stream ends after `max_events`"
            " events or `timeout` seconds, whichever comes first."
        ),
        dependencies={"filters": Provide(message_filter, sync_to_thread=False)},
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        filters: MessageFilter,
        after: Annotated[
            int | None,
            Parameter(ge=0, le=MAX_SEQUENCE, description="seq to follow on from; default: now"),
        ] = None,
        timeout: Annotated[
            float,
            Parameter(
                ge=0,
                le=mailbox.MAX_STREAM_SECONDS,
                description="Real (wall-clock) seconds the stream stays open, at most 30.",
            ),
        ] = 30.0,
        max_events: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> ServerSentEvent:
        runtime = runtime_of(request)
        start = await mailbox.last_seq(runtime) if after is None else after
        events = mailbox.follow(
            runtime, filters, after=start, timeout=timeout, max_events=max_events
        )
        return ServerSentEvent(_encoded(events, start))

    @get("/outbox/{message_id:str}", summary="One message, with its delivery history")
    async def read(self, request: Request[Any, Any, Any], message_id: str) -> MessageView:
        return await mailbox.read(runtime_of(request), message_id)

    @delete("/outbox", summary="Empty the outbox", status_code=200)
    async def clear(self, request: Request[Any, Any, Any]) -> Cleared:
        deleted = await write(request, mailbox.clear)
        return Cleared(deleted)
