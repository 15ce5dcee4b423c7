"""A real `omniloom serve` process on a free local port, for tools that speak HTTP themselves."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx

READY_TIMEOUT_SECONDS = 30


def omniloom(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the `omniloom` command in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "omniloom.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclasses.dataclass(frozen=True)
class ServerProcess:
    """A serving process: where it answers, and the process itself (to kill it mid-load)."""

    base: str
    process: subprocess.Popen[str]


@contextlib.contextmanager
def running_server(database_url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``database_url`` (seeded already) and yield the base URL until the block ends;
    ``env`` adds to the server's environment (an id seed, say)."""
    with server_process(database_url, env) as server:
        yield server.base


@contextlib.contextmanager
def server_process(database_url: str, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """As running_server, yielding the process too; a process killed inside the block is fine."""
    port = _free_port()
    command = [sys.executable, "-m", "omniloom.cli", "serve", "--port", str(port)]
    command += ["--database-url", database_url, "--log-level", "error"]
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:  # waiting for a process to listen, not for simulated time to pass
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"omniloom serve did not start: {process.stderr}")
            time.sleep(0.1)
        yield ServerProcess(base, process)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
