"""A TCP proxy between FacetDesk and PostgreSQL that adds a network delay and counts round trips at the wire.

Run: python benchmarks/latency_proxy.py --upstream HOST:PORT --delay-ms 5   (prints "listening PORT")

Every byte is forwarded unchanged, each direction held back by half the delay, so a request and its answer
cost the whole delay, as on a network whose round trip takes that long. Nothing is read into: the proxy
knows only the PostgreSQL protocol's framing (a type byte and a length), enough to count

- ``turns``: how often the client sent after hearing from the server, i.e. the round trips the client
  waited for (several messages sent together count once: that is what the delay is paid for);
- ``requests``: the client's messages that the server answers when they arrive (a simple Query, or the Sync
  closing an extended query), after the connection's start-up.

It takes commands on stdin, one per line, and answers each with one JSON line on stdout: ``count`` (the
counters since the last ``reset``), ``reset``, ``quit``. benchmarks/bench_network.py starts it as a process of
its own, so its work never runs on the benchmark's own interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import struct
import sys
from collections import deque

# Start-up requests that carry no type byte and are answered by one byte or a new start-up (SSL, GSS).
_NEGOTIATION_CODES = (80877103, 80877104)
_ANSWERED = (b"Q", b"S")  # simple Query; Sync (end of an extended query)


class Counters:
    def __init__(self) -> None:
        self.turns = 0
        self.requests = 0
        self.client_bytes = 0
        self.server_bytes = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class _ClientStream:
    """The client's side of one connection, framed into messages as they pass."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters
        self.buffer = bytearray()
        self.started = False  # past the untyped start-up message
        self.heard_from_server = True  # the first send is a turn

    def feed(self, data: bytes) -> None:
        if self.heard_from_server:
            self.counters.turns += 1
            self.heard_from_server = False
        self.counters.client_bytes += len(data)
        self.buffer += data
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return
                length, code = struct.unpack("!II", self.buffer[:8])
                if len(self.buffer) < length:
                    return
                del self.buffer[:length]
                self.started = code not in _NEGOTIATION_CODES
                continue
            if len(self.buffer) < 5:
                return
            kind = bytes(self.buffer[:1])
            (length,) = struct.unpack("!I", self.buffer[1:5])
            if len(self.buffer) < 1 + length:
                return
            del self.buffer[: 1 + length]
            if kind in _ANSWERED:
                self.counters.requests += 1


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    half_delay_s: float,
    on_data,  # type: ignore[no-untyped-def]
) -> None:
    loop = asyncio.get_running_loop()
    pending: deque[tuple[float, bytes]] = deque()
    arrived = asyncio.Event()
    done = False

    async def deliver() -> None:
        while True:
            while not pending:
                if done:
                    return
                arrived.clear()
                await arrived.wait()
            due, data = pending.popleft()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    delivering = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            on_data(data)
            pending.append((loop.time() + half_delay_s, data))
            arrived.set()
    finally:
        done = True
        arrived.set()
        try:
            await delivering
        finally:
            writer.close()


async def _serve(upstream_host: str, upstream_port: int, delay_ms: float, counters: Counters) -> asyncio.Server:
    half = delay_ms / 2000

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            client_writer.close()
            return
        stream = _ClientStream(counters)

        def from_server(data: bytes) -> None:
            counters.server_bytes += len(data)
            stream.heard_from_server = True

        pumps = [
            asyncio.create_task(_pump(client_reader, server_writer, half, stream.feed)),
            asyncio.create_task(_pump(server_reader, client_writer, half, from_server)),
        ]
        try:
            await asyncio.gather(*pumps, return_exceptions=True)
        except asyncio.CancelledError:
            # Cut at quit. Returning (not raising) keeps Python 3.11's stream callback from logging it as an error.
            for pump in pumps:
                pump.cancel()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def _commands(counters: Counters) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        command = line.strip()
        if command == "count":
            answer = counters.as_dict()
        elif command == "reset":
            counters.__init__()  # type: ignore[misc]
            answer = {"reset": True}
        else:  # "quit", or stdin closed (the benchmark ended)
            return
        print(json.dumps(answer), flush=True)


async def _main(upstream: str, delay_ms: float) -> None:
    host, _, port = upstream.rpartition(":")
    counters = Counters()
    server = await _serve(host or "127.0.0.1", int(port), delay_ms, counters)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    await _commands(counters)
    # Quit quietly: connections still open (a pool not yet closed) are simply cut.
    server.close()
    current = asyncio.current_task()
    others = [task for task in asyncio.all_tasks() if task is not current]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the PostgreSQL server, HOST:PORT")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="the round-trip delay to add")
    args = parser.parse_args(argv)
    asyncio.run(_main(args.upstream, args.delay_ms))


if __name__ == "__main__":
    main()
