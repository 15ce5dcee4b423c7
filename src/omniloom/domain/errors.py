"""Domain errors: each carries a stable machine ``code`` and the HTTP status it maps to.

The API turns them into RFC 9457 problem+json; the code is what clients branch on, so a code
never changes meaning once published.
"""

from __future__ import annotations

from typing import Any


class FieldError:
    __slots__ = ("field", "message")

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    code = "domain_error"
    status = 400
    title = "Request cannot be processed"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}
        # Response headers that go with the problem (Retry-After, say).
        self.headers = headers or {}


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    title = "Invalid input"


class MalformedJson(DomainError):
    code = "malformed_json"
    status = 400
    title = "Malformed JSON"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415
    title = "Unsupported media type"


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Not found"


class CartNotFound(NotFound):
    """No such cart, or no proof of owning it: the two answers are the same on purpose."""

    code = "cart_not_found"
    title = "Cart not found"


class OrderNotFound(NotFound):
    """No such order, or no proof of owning it (alike, so ids cannot be probed)."""

    code = "order_not_found"
    title = "Order not found"


class DeviceNotFound(NotFound):
    """No such device, or no proof of being it (its device token): alike on purpose."""

    code = "device_not_found"
    title = "Device not found"


class UnknownSku(DomainError):
    code = "unknown_sku"
    status = 422
    title = "Unknown SKU"


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409
    title = "Insufficient stock"


class CartVersionConflict(DomainError):
    code = "cart_version_conflict"
    status = 412
    title = "Cart changed since you last read it"


class CartNotActive(DomainError):
    code = "cart_not_active"
    status = 409
    title = "Cart is no longer active"


class CartFull(DomainError):
    code = "cart_full"
    status = 422
    title = "Cart is full"


class CartEmpty(DomainError):
    code = "cart_empty"
    status = 422
    title = "Cart is empty"


class PaymentDeclined(DomainError):
    status = 402
    title = "Payment declined"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail, extra={"decline_code": code})
        self.code = code


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422
    title = "Idempotency-Key reused with a different request"


class InvalidTransition(DomainError):
    code = "invalid_state_transition"
    status = 409
    title = "Not allowed in the current state"


class PickupUnavailable(DomainError):
    code = "pickup_unavailable"
    status = 422
    title = "Pickup not available at that location"


class AuthenticationRequired(DomainError):
    code = "authentication_required"
    status = 401
    title = "API key required"


class InvalidApiKey(DomainError):
    code = "invalid_api_key"
    status = 401
    title = "API key not recognised"


class OutOfScope(DomainError):
    code = "out_of_scope"
    status = 403
    title = "Not allowed for this key"


class UnknownBarcode(DomainError):
    code = "unknown_barcode"
    status = 422
    title = "Unknown barcode"


class TenderShort(DomainError):
    code = "tender_short"
    status = 422
    title = "Tenders do not cover the total"


class GiftCardInsufficient(DomainError):
    code = "gift_card_insufficient"
    status = 422
    title = "Gift card balance too low"


class ShiftNotOpen(DomainError):
    code = "shift_not_open"
    status = 409
    title = "No open shift on this register"


class ShiftAlreadyOpen(DomainError):
    code = "shift_already_open"
    status = 409
    title = "The register already has an open shift"


class SaleNotOpen(DomainError):
    code = "sale_not_open"
    status = 409
    title = "The sale is no longer open"


class IdentifierTaken(DomainError):
    code = "identifier_taken"
    status = 409
    title = "Identifier already registered"


class DeviceRegistered(DomainError):
    """The device id is another install's: only its device token may change what it reports."""

    code = "device_registered"
    status = 409
    title = "Device already registered"


class IdentifierConflict(DomainError):
    code = "identifier_conflict"
    status = 409
    title = "Identifier belongs to another customer"


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    title = "Email or password not recognised"


class CustomerTokenRequired(DomainError):
    code = "customer_token_required"
    status = 401
    title = "Customer token required"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    title = "Too many attempts"


class InvalidCustomerToken(DomainError):
    code = "invalid_token"
    status = 401
    title = "Customer token not recognised"


class TokenExpired(DomainError):
    code = "token_expired"
    status = 401
    title = "Customer token expired"


class NotYourData(DomainError):
    code = "not_your_data"
    status = 403
    title = "Belongs to another customer"


class CustomerAlreadyMerged(DomainError):
    code = "customer_already_merged"
    status = 409
    title = "Customer already merged into another"


class ReturnWindowClosed(DomainError):
    code = "return_window_closed"
    status = 422
    title = "Return window closed"


class NotReturnable(DomainError):
    code = "not_returnable"
    status = 422
    title = "Not returnable"


class ExchangeNotEven(DomainError):
    code = "exchange_not_even"
    status = 422
    title = "Exchange is not even"


class ReceiptlessLimitReached(DomainError):
    code = "receiptless_limit_reached"
    status = 422
    title = "Too many returns without a receipt"


class StockBelowReserved(DomainError):
    code = "stock_below_reserved"
    status = 409
    title = "Stock would fall below what is reserved"


class OfflineBatchConflict(DomainError):
    code = "offline_batch_conflict"
    status = 409
    title = "Batch id already used for other sales"


class StockConflictClosed(DomainError):
    code = "stock_conflict_closed"
    status = 409
    title = "Stock conflict is not open"


class OpenStockConflicts(DomainError):
    code = "open_stock_conflicts"
    status = 409
    title = "Location has open stock conflicts"


class NotPurchased(DomainError):
    code = "not_purchased"
    status = 422
    title = "Not bought by this customer"


class SnapshotExists(DomainError):
    code = "snapshot_exists"
    status = 409
    title = "A snapshot of that name exists"
