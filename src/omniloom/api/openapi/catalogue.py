"""The domain errors each operation can answer with, beyond those every route of its kind gets.

Declared once, as the domain's own error classes (their ``status`` and ``code`` are the ones the
server sends), per operation id. What every route of a kind can answer (a missing key, a bad
body, an unknown id in the path, a reused Idempotency-Key …) is added by rules in ``errors.py``
from what the handler really reads, so it is not repeated here. The test suite notes every
problem the server answers and fails when one is missing from the document (tests/support/
contract.py), which is how this table is kept true.
"""

from __future__ import annotations

from omniloom.domain import errors as e

CART_WRITE = (e.CartNotActive, e.NotYourData)
STOCK = (e.InsufficientStock, e.UnknownSku)
TILL = (e.ShiftNotOpen, e.SaleNotOpen)

ERRORS: dict[str, tuple[type[e.DomainError], ...]] = {
    "getCart": (e.NotYourData,),
    "createCart": (e.NotYourData, e.NotFound),
    "addCartLine": (*CART_WRITE, *STOCK, e.CartFull),
    "changeCartLine": (*CART_WRITE, e.InsufficientStock, e.CartFull),
    "removeCartLine": CART_WRITE,
    "shareCart": CART_WRITE,
    "checkoutCart": (
        *CART_WRITE,
        e.InsufficientStock,
        e.CartEmpty,
        e.PaymentDeclined,
        e.PickupUnavailable,
    ),
    "listOrders": (e.NotYourData,),
    "getOrder": (e.NotYourData,),
    "getCustomerCart": (e.NotYourData,),
    "registerCustomer": (e.IdentifierTaken,),
    "signIn": (
        e.InvalidCredentials,
        e.NotYourData,
        e.NotFound,
        e.CartNotFound,
        e.TooManyAttempts,
    ),
    "signOut": (e.CustomerTokenRequired,),
    "identifyShopper": (
        e.CustomerTokenRequired,
        e.NotYourData,
        e.IdentifierConflict,
        e.CartNotActive,
        e.NotFound,
        e.CartNotFound,
        e.DeviceNotFound,
    ),
    "registerDevice": (e.DeviceRegistered,),
    "getDevice": (e.DeviceNotFound,),
    "mergeCustomers": (e.CustomerAlreadyMerged, e.NotFound),
    "createReturn": (e.NotReturnable, e.ReturnWindowClosed, e.NotYourData, e.NotFound),
    "createExchange": (
        e.NotReturnable,
        e.ReturnWindowClosed,
        e.ExchangeNotEven,
        e.InsufficientStock,
        e.UnknownBarcode,
        e.UnknownSku,
        e.NotFound,
    ),
    "createReceiptlessReturn": (
        e.ReceiptlessLimitReached,
        e.UnknownBarcode,
        e.UnknownSku,
        e.NotFound,
    ),
    "openShift": (e.ShiftAlreadyOpen,),
    "closeShift": (e.ShiftNotOpen,),
    "startSale": (e.ShiftNotOpen,),
    "handOffCart": (e.ShiftNotOpen, e.CartNotActive, e.NotFound),
    "issueHandoffCode": (e.CartNotActive, e.NotFound),
    "scanItem": (*TILL, e.InsufficientStock, e.UnknownBarcode, e.CartFull),
    "attachSaleCustomer": TILL,
    "overrideLinePrice": TILL,
    "voidSaleLine": TILL,
    "voidSale": TILL,
    "paySale": (
        *TILL,
        e.InsufficientStock,
        e.CartEmpty,
        e.PaymentDeclined,
        e.TenderShort,
        e.GiftCardInsufficient,
    ),
    "addShipToHome": (*TILL, *STOCK),
    "voidShipToHomeLine": TILL,
    "uploadOfflineBatch": (e.OfflineBatchConflict, e.TenderShort, e.UnknownBarcode, e.NotFound),
    "resolveStockConflict": (e.StockConflictClosed, e.StockBelowReserved),
    "setStockPolicy": (e.OpenStockConflicts,),
    "placeSocialOrder": (*STOCK, e.PaymentDeclined, e.NotFound),
    "publishPost": (e.NotFound,),
    "createPromotion": (e.NotFound,),
    "moveOrder": (e.InvalidTransition,),
    "transferStock": (*STOCK, e.NotFound),
    "adjustStock": (e.StockBelowReserved, e.UnknownSku, e.NotFound),
    "sendMessage": (e.NotFound,),
    "writeProductReview": (e.NotPurchased, e.CustomerTokenRequired, e.NotYourData),
    "takeSnapshot": (e.SnapshotExists,),
}
