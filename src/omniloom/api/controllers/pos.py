"""The in-store channel: registers, shifts, sales at the counter, tenders and receipts.

A POS key is bound to its store; the routes act on that store's registers only.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from omniloom.api.auth import store_of
from omniloom.api.http import idempotent_post, runtime_of
from omniloom.api.ownership import prove_cart
from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.services.checkout.commands import ShipToHome
from omniloom.services.pos import common as pos
from omniloom.services.pos import handoff as pos_handoff
from omniloom.services.pos import payment as pos_payment
from omniloom.services.pos import receipts
from omniloom.services.pos import sales as pos_sales
from omniloom.services.pos import shifts as pos_shifts
from omniloom.services.pos import ship_to_home as pos_ship_to_home
from omniloom.services.pos.commands import (
    AttachCustomer,
    CloseShift,
    HandOff,
    IssueHandoffCode,
    OpenShift,
    Pay,
    PriceOverride,
    Scan,
    StartSale,
    VoidSale,
    tender_request,
)


class PosController(Controller):
    path = "/v1/pos"
    tags = ["pos"]

    @get("/registers", summary="This store's registers and their open shifts")
    async def registers(self, request: Request[Any, Any, Any]) -> list[pos.RegisterView]:
        return await pos_shifts.list_registers(runtime_of(request), store_of(request))

    @post("/registers/{register_id:str}/shifts", summary="Open a shift with a cash float")
    async def open_shift(
        self, request: Request[Any, Any, Any], register_id: str, data: OpenShift
    ) -> pos.ShiftView:
        work = partial(
            pos_shifts.open_shift,
            location_id=store_of(request),
            register_id=register_id,
            associate_id=data.associate_id,
            opening_float=data.opening_float,
        )
        return await idempotent_post(request, lambda unit: work(unit))

    @get("/shifts/{shift_id:str}", summary="Read a shift")
    async def shift(self, request: Request[Any, Any, Any], shift_id: str) -> pos.ShiftView:
        return await pos_shifts.get_shift(runtime_of(request), store_of(request), shift_id)

    @post(
        "/shifts/{shift_id:str}/close",
        summary="Close a shift with the counted cash (expected, counted and variance)",
        status_code=200,
    )
    async def close_shift(
        self, request: Request[Any, Any, Any], shift_id: str, data: CloseShift
    ) -> pos.ShiftView:
        work = partial(
            pos_shifts.close_shift,
            location_id=store_of(request),
            shift_id=shift_id,
            associate_id=data.associate_id,
            counted_cash=data.counted_cash,
        )
        return await idempotent_post(request, lambda unit: work(unit), status_code=200)

    @post("/registers/{register_id:str}/sales", summary="Start a sale on a register")
    async def start_sale(
        self, request: Request[Any, Any, Any], register_id: str, data: StartSale
    ) -> pos.SaleView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_sales.start_sale(
                runtime, unit, store, register_id, customer_id=data.customer_id
            ),
        )

    @post(
        "/registers/{register_id:str}/handoff",
        summary="Load a shopper's web or app cart onto the register (the same cart)",
    )
    async def hand_off(
        self, request: Request[Any, Any, Any], register_id: str, data: HandOff
    ) -> pos.SaleView:
        if (data.cart_id is None) == (data.code is None):
            raise InvalidInput(
                "Name the cart by exactly one of cart_id or code.",
                errors=[FieldError("cart_id", "give cart_id or code, not both or neither")],
            )
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_handoff.hand_off(
                runtime, unit, store, register_id, cart_id=data.cart_id, code=data.code
            ),
        )

    # The shopper's app asks for the code, so this one route takes a storefront key.
    @post(
        "/handoff-codes",
        summary="Get a short code to show at the till (storefront keys)",
    )
    async def issue_handoff_code(
        self, request: Request[Any, Any, Any], data: IssueHandoffCode
    ) -> pos_handoff.HandoffCode:
        await prove_cart(request, data.cart_id)
        return await idempotent_post(
            request, lambda unit: pos_handoff.issue_code(unit, data.cart_id)
        )

    @get("/sales/{cart_id:str}", summary="Read a sale as the register shows it")
    async def sale(self, request: Request[Any, Any, Any], cart_id: str) -> pos.SaleView:
        return await pos.get_sale(runtime_of(request), store_of(request), cart_id)

    @post("/sales/{cart_id:str}/scan", summary="Scan an item by barcode", status_code=200)
    async def scan(self, request: Request[Any, Any, Any], cart_id: str, data: Scan) -> pos.SaleView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_sales.scan(
                runtime, unit, store, cart_id, barcode=data.barcode, quantity=data.quantity
            ),
            status_code=200,
        )

    @post("/sales/{cart_id:str}/customer", summary="Attach a customer", status_code=200)
    async def attach_customer(
        self, request: Request[Any, Any, Any], cart_id: str, data: AttachCustomer
    ) -> pos.SaleView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_sales.attach_customer(
                runtime, unit, store, cart_id, customer_id=data.customer_id
            ),
            status_code=200,
        )

    @post(
        "/sales/{cart_id:str}/lines/{line_id:str}/price",
        summary="Override a line's unit price, with a reason code",
        status_code=200,
    )
    async def override_price(
        self, request: Request[Any, Any, Any], cart_id: str, line_id: str, data: PriceOverride
    ) -> pos.SaleView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_sales.override_price(
                runtime,
                unit,
                store,
                cart_id,
                line_id,
                unit_price=data.unit_price,
                reason_code=data.reason_code,
                associate_id=data.associate_id,
            ),
            status_code=200,
        )

    @post("/sales/{cart_id:str}/lines/{line_id:str}/void", summary="Void a line", status_code=200)
    async def void_line(
        self, request: Request[Any, Any, Any], cart_id: str, line_id: str
    ) -> pos.SaleView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_sales.void_line(runtime, unit, store, cart_id, line_id),
            status_code=200,
        )

    @post("/sales/{cart_id:str}/void", summary="Void an unpaid sale", status_code=200)
    async def void_sale(
        self, request: Request[Any, Any, Any], cart_id: str, data: VoidSale
    ) -> pos.SaleView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_sales.void_sale(runtime, unit, store, cart_id, reason=data.reason),
            status_code=200,
        )

    @post("/sales/{cart_id:str}/pay", summary="Pay with one or more tenders; returns the receipt")
    async def pay(
        self, request: Request[Any, Any, Any], cart_id: str, data: Pay
    ) -> receipts.ReceiptView:
        tenders = [tender_request(tender) for tender in data.tenders]
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request, lambda unit: pos_payment.pay(runtime, unit, store, cart_id, tenders)
        )

    @get("/customers", summary="Look a customer up by phone or email")
    async def customers(
        self,
        request: Request[Any, Any, Any],
        phone: Annotated[str | None, Parameter(max_length=40)] = None,
        email: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> list[pos.CustomerMatch]:
        if (phone is None) == (email is None):
            raise InvalidInput(
                "Look up by exactly one of phone or email.",
                errors=[FieldError("phone", "give phone or email, not both or neither")],
            )
        return await pos.find_customers(runtime_of(request), phone=phone, email=email)

    @get("/gift-cards/{code:str}", summary="A gift card's balance")
    async def gift_card(self, request: Request[Any, Any, Any], code: str) -> pos.GiftCardView:
        return await pos.get_gift_card(runtime_of(request), code)

    @get(
        "/receipts/{order_id:str}",
        summary="A sale's receipt, as data or (?format=text) as printable text",
    )
    async def receipt(
        self,
        request: Request[Any, Any, Any],
        order_id: str,
        format: Literal["json", "text"] = "json",
    ) -> receipts.ReceiptView:
        receipt = await receipts.get_receipt(runtime_of(request), store_of(request), order_id)
        if format == "text":
            return Response(  # type: ignore[return-value]
                content=receipts.receipt_text(receipt), media_type="text/plain; charset=utf-8"
            )
        return receipt

    @post(
        "/sales/{cart_id:str}/ship-to-home",
        summary="Endless aisle: order a SKU this store lacks for delivery (a second order on pay)",
        status_code=200,
    )
    async def ship_to_home(
        self, request: Request[Any, Any, Any], cart_id: str, data: ShipToHome
    ) -> pos_ship_to_home.ShipToHomeView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_ship_to_home.add(runtime, unit, store, cart_id, data),
            status_code=200,
        )

    @get("/sales/{cart_id:str}/ship-to-home", summary="What a sale ships home (endless aisle)")
    async def shipping_home(
        self, request: Request[Any, Any, Any], cart_id: str
    ) -> pos_ship_to_home.ShipToHomeView:
        runtime, store = runtime_of(request), store_of(request)
        return await pos_ship_to_home.shipping_home(runtime, store, cart_id)

    @post(
        "/sales/{cart_id:str}/ship-to-home/{line_id:str}/void",
        summary="Take a line off what the sale ships home",
        status_code=200,
    )
    async def void_ship_to_home_line(
        self, request: Request[Any, Any, Any], cart_id: str, line_id: str
    ) -> pos_ship_to_home.ShipToHomeView:
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request,
            lambda unit: pos_ship_to_home.void_line(runtime, unit, store, cart_id, line_id),
            status_code=200,
        )
