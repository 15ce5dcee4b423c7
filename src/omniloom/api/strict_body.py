"""Request bodies decoded once, strictly, straight into the handler's Struct.

Litestar's own body path parses the JSON into Python objects and then converts them leniently
(``"2"`` would become ``2``). Registered as the app's DTO, this class replaces both steps with
one strict msgspec decode per request, so a wrong type is an error rather than a guess and no
body is decoded twice. The OpenAPI document still shows each handler's ``data`` type as is.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from litestar.dto import AbstractDTO
from litestar.exceptions import ClientException

from omniloom.api.problems import field_error_from_msgspec
from omniloom.domain.errors import FieldError, InvalidInput, MalformedJson, UnsupportedMediaType
from omniloom.services.messaging import flow_files
from omniloom.services.messaging.flow_files import is_yaml

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.dto._backend import DTOBackend
    from litestar.dto.data_structures import DTOFieldDefinition
    from litestar.openapi.spec import Reference, Schema
    from litestar.typing import FieldDefinition

T = TypeVar("T")
_NUL = b"\\u0000"
# Bodies are JSON; curl's -d default (a form type) is read as JSON too, as a convenience. Text,
# multipart and other types are refused unread (415): a text/plain POST is what a browser sends
# across sites without asking.
_REFUSED_TYPES = (b"text/", b"multipart/", b"application/xml")
_DECODER_OPT = "omniloom.body_decoder"
# A handler whose opt sets this also takes its body as YAML (Content-Type: application/yaml),
# validated by the same type: flows are written by hand, and YAML is how people write them.
YAML_BODY = "omniloom.yaml_body"


class StrictBody(AbstractDTO[Any]):
    @classmethod
    def create_for_field_definition(
        cls,
        field_definition: FieldDefinition,
        handler_id: str,
        backend_cls: type[DTOBackend] | None = None,
    ) -> None:
        # Nothing to build per handler ahead of time: the decoder is made on first use and kept
        # by the handler itself (decode_bytes), so nothing outlives the app it belongs to.
        return None

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        return schema_creator.for_field_definition(field_definition)

    def decode_bytes(self, value: bytes) -> Any:
        handler = self.asgi_connection.route_handler
        if handler.opt.get(YAML_BODY) and is_yaml(self.asgi_connection.headers.get("content-type")):
            data = handler.parsed_data_field
            assert data is not None
            return decode_yaml(data.annotation, value)
        refuse_unless_json(self.asgi_connection.scope["headers"])
        # Building a decoder costs more than decoding a small body with it, so each handler's
        # own opt dict keeps the one made for its ``data`` type after the first body.
        decoder = handler.opt.get(_DECODER_OPT)
        if decoder is None:
            data = handler.parsed_data_field
            assert data is not None  # Litestar calls the DTO only for handlers that take data
            decoder = handler.opt[_DECODER_OPT] = msgspec.json.Decoder(data.annotation)
        return decode_strictly(decoder, value)

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        # Only form and multipart bodies arrive as builtins; omniloom takes JSON alone.
        raise ClientException("omniloom takes request bodies as JSON.")

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[Any]
    ) -> Generator[DTOFieldDefinition, None, None]:
        # Only used by DTO backends that build transfer models; this DTO has none.
        raise NotImplementedError
        yield

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False


def refuse_unless_json(headers: Any) -> None:
    for name, value in headers:
        if name == b"content-type" and value.lower().lstrip().startswith(_REFUSED_TYPES):
            raise UnsupportedMediaType(
                "Send the body as JSON (Content-Type: application/json).",
                errors=[FieldError("Content-Type", "not JSON")],
            )


def _refuse_nul(body: bytes) -> None:
    if _NUL in body:
        # Text the databases cannot keep (PostgreSQL refuses it outright): named, not stored.
        raise InvalidInput(
            "The request body holds a NUL character (\\u0000), which no field may contain.",
            errors=[FieldError("body", "contains \\u0000")],
        )


def _wrong_shape(exc: msgspec.ValidationError) -> InvalidInput:
    error = field_error_from_msgspec(str(exc))
    return InvalidInput(
        "The request does not match the expected shape: " + error["message"],
        errors=[FieldError(error["field"], error["message"])],
    )


def decode_strictly(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    """Decode a JSON body into its type, or raise the problem a client can act on."""
    _refuse_nul(body)
    try:
        return decoder.decode(body)
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"The request body is not UTF-8: {exc.reason}.") from exc
    except msgspec.ValidationError as exc:
        raise _wrong_shape(exc) from exc
    except msgspec.DecodeError as exc:
        raise MalformedJson(f"The request body is not valid JSON: {exc}") from exc


def decode_yaml(annotation: Any, body: bytes) -> Any:
    """Decode a YAML body into its type, as strictly as a JSON one."""
    values = flow_files.read_yaml(body)
    # YAML spells NUL as "\0" or "\x00": look for it in what the document holds.
    _refuse_nul(msgspec.json.encode(values))
    try:
        return msgspec.convert(values, annotation, strict=True)
    except msgspec.ValidationError as exc:
        raise _wrong_shape(exc) from exc
