"""An HL7 interface engine stand-in for tests: hl7apy's own MLLP server on 127.0.0.1, answering each message with
an ACK (AA by default, or the code the test sets), and keeping what it received."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hl7apy.core import Message
from hl7apy.mllp import AbstractHandler, MLLPServer
from hl7apy.parser import parse_message


@dataclass
class Listener:
    port: int
    ack_code: str = "AA"
    ack_text: str = ""
    received: list[str] = field(default_factory=list)


@contextmanager
def mllp_listener(
    events: tuple[str, ...] = ("MDM^T02^MDM_T02", "MDM^T06^MDM_T02"), port: int = 0
) -> Iterator[Listener]:
    """``port``: 0 for any free one, or a given one (an engine coming back where it was)."""
    state = Listener(port=0)

    class Reply(AbstractHandler):
        def reply(self) -> str:
            incoming = parse_message(self.incoming_message, find_groups=False)
            state.received.append(self.incoming_message)
            ack = Message("ACK", version="2.5")
            ack.msh.msh_9 = "ACK^T02^ACK"
            ack.msh.msh_10 = f"ACK{len(state.received)}"
            ack.msa.msa_1 = state.ack_code
            ack.msa.msa_2 = incoming.msh.msh_10.to_er7()
            if state.ack_text:
                ack.msa.msa_3 = state.ack_text
            return ack.to_mllp()

    server = MLLPServer("127.0.0.1", port, {event: (Reply,) for event in events})
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
