"""Responses whose JSON is already encoded, answered without Litestar's response assembly.

Every omniloom route encodes its own body (a replayed POST must be byte-identical), so nothing
is left to render. Litestar would still turn the Response into its ASGIResponse: a header map,
per-header setdefaults and a render step, about 5 µs a request. This Response subclass answers
with the two ASGI messages directly. Routes that set headers or cookies of their own at the
handler level have them merged in; a response with background work goes Litestar's own way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Receive, Scope, Send

_CONTENT_TYPE = (b"content-type", b"application/json")


class JsonResponse(Response[bytes]):
    def __init__(
        self, body: bytes, status_code: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(
            content=body, status_code=status_code, media_type="application/json", headers=headers
        )

    def to_asgi_response(  # type: ignore[override]
        self,
        app: Any,
        request: Request[Any, Any, Any],
        *,
        headers: dict[str, str] | None = None,
        cookies: Iterable[Cookie] | None = None,
        background: Any = None,
        **rest: Any,
    ) -> ASGIApp:
        if background is not None or self.background is not None:
            # Work to run after the answer: Litestar's own response knows how.
            return super().to_asgi_response(
                app, request, headers=headers, cookies=cookies, background=background, **rest
            )
        raw = [_CONTENT_TYPE, (b"content-length", str(len(self.content)).encode())]
        for name, value in {**(headers or {}), **self.headers}.items():
            raw.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        for cookie in [*self.cookies, *(cookies or ())]:
            if not cookie.documentation_only:
                raw.append(cookie.to_encoded_header())
        return EncodedAnswer(self.status_code or 200, raw, self.content)


class EncodedAnswer:
    """The ASGI app that sends one complete response."""

    __slots__ = ("_body", "_start")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self._start = {"type": "http.response.start", "status": status, "headers": headers}
        self._body = {"type": "http.response.body", "body": body, "more_body": False}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(self._start)  # type: ignore[arg-type]
        await send(self._body)  # type: ignore[arg-type]
