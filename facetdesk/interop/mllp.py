"""Sending one HL7 v2 message over MLLP and reading the reply, with python-hl7's MLLP streams (asyncio)."""

from __future__ import annotations

import asyncio

from hl7.mllp import open_hl7_connection


class MllpError(OSError):
    """The interface engine could not be reached, or did not answer in time (worth retrying later)."""


def exchange(host: str, port: int, message: str, *, timeout_s: float = 15.0) -> str:
    """Send ``message`` framed in MLLP, wait for the one reply block, and return it as text."""
    return asyncio.run(_exchange(host, port, message, timeout_s))


async def _exchange(host: str, port: int, message: str, timeout_s: float) -> str:
    try:
        reader, writer = await asyncio.wait_for(open_hl7_connection(host, port, encoding="utf-8"), timeout_s)
    except (OSError, asyncio.TimeoutError) as exc:
        raise MllpError(f"cannot connect to {host}:{port} ({_why(exc)})") from exc
    try:
        writer.writeblock(message.encode("utf-8"))
        await asyncio.wait_for(writer.drain(), timeout_s)
        block = await asyncio.wait_for(reader.readblock(), timeout_s)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as exc:
        raise MllpError(f"no acknowledgement from {host}:{port} ({_why(exc)})") from exc
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 2)
        except (OSError, asyncio.TimeoutError):
            pass
    return block.decode("utf-8", errors="replace")


def _why(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the connection closed before a reply"
    return exc.strerror or exc.__class__.__name__ if isinstance(exc, OSError) else exc.__class__.__name__
