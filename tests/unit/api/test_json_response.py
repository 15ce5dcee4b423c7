"""Pre-encoded JSON answers: the bytes as given, with type, length and the route's headers."""

from __future__ import annotations

from typing import Any

from litestar.background_tasks import BackgroundTask

from omniloom.api.json_response import JsonResponse


async def _sent(response: JsonResponse, **kwargs: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        messages.append(dict(message))

    app = response.to_asgi_response(None, None, **kwargs)  # type: ignore[arg-type]
    await app({"type": "http", "method": "POST"}, receive, send)  # type: ignore[arg-type]
    return messages


async def test_the_body_goes_out_as_given_with_its_type_length_and_headers() -> None:
    body = b'{"id":"cart_1","version":3}'
    start, sent = await _sent(JsonResponse(body, 201, {"ETag": '"3"'}), headers={"X-Route": "a"})
    assert start["status"] == 201
    assert dict(start["headers"]) == {
        b"content-type": b"application/json",
        b"content-length": str(len(body)).encode(),
        b"etag": b'"3"',
        b"x-route": b"a",
    }
    assert sent["body"] == body
    assert not sent.get("more_body", False)


async def test_work_to_run_after_the_answer_still_runs() -> None:
    ran: list[str] = []
    task = BackgroundTask(ran.append, "after")
    messages = await _sent(JsonResponse(b"{}", 200), background=task)
    assert [m["type"] for m in messages] == ["http.response.start", "http.response.body"]
    assert ran == ["after"]
