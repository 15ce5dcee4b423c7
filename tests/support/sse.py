"""Reading a Server-Sent Events response while it is still open, in-process.

The test client hands back a response only once its body is complete, which for a stream is
when it closes. Here the app is called directly on the test client's own portal (the event loop
the app runs on), its body parts handed over as they are sent, so a test can read an event,
move the simulated clock, and read the next.
"""

from __future__ import annotations

import asyncio
import queue
from typing import Any
from urllib.parse import urlencode

import anyio

from tests.support.api import Client

TIMEOUT = 10.0


class EventStream:
    def __init__(self, client: Client, path: str, headers: dict[str, str], **params: Any) -> None:
        self.parts: queue.Queue[dict[str, Any]] = queue.Queue()
        self.buffer = b""
        self.status: int | None = None
        self.content_type = ""
        self.closed = False
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": urlencode(params).encode(),
            "headers": [(b"host", b"testserver.local")]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("testclient", 50000),
            "server": ("testserver.local", 80),
            "extensions": {},
        }
        asked = False
        ended: list[anyio.Event] = []  # made on the app's loop, at the first receive

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                ended.append(anyio.Event())
                return {"type": "http.request", "body": b"", "more_body": False}
            # The reader never hangs up first: as a server would, say so once the body ended.
            await ended[0].wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            self.parts.put(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                ended[0].set()

        client.blocking_portal.start_task_soon(client.app, scope, receive, send)

    async def _part(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.parts.get, True, TIMEOUT)

    async def opened(self) -> str:
        """Wait for the response to start and its first frame (the comment saying it is open)."""
        start = await self._part()
        assert start["type"] == "http.response.start", start
        self.status = start["status"]
        found = dict(start["headers"])
        self.content_type = found.get(b"content-type", b"").decode()
        frame = await self.frame()
        assert frame is not None and "data" not in frame, frame  # no empty event dispatched
        return frame.get("comment", "")

    async def frame(self) -> dict[str, str] | None:
        """The next frame ({"event", "id", "data", "comment"}), or None once the stream ended."""
        while b"\r\n\r\n" not in self.buffer and b"\n\n" not in self.buffer:
            if self.closed:
                return None
            part = await self._part()
            self.buffer += part.get("body", b"")
            self.closed = not part.get("more_body", False)
        separator = b"\r\n\r\n" if b"\r\n\r\n" in self.buffer else b"\n\n"
        raw, self.buffer = self.buffer.split(separator, 1)
        frame: dict[str, str] = {}
        for line in raw.decode().splitlines():
            name, _, value = line.partition(":")
            frame[name or "comment"] = value.removeprefix(" ")
        return frame
