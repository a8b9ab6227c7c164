"""A TCP proxy in a process of its own, between workstations and the database server (multi-process tests).

Stopping it (SIGSTOP) is a server that stops answering on open connections: the kernel still accepts the
bytes, nothing comes back. Killing it is a server that went away.
Run: python -m tests.concurrency.proxy HOST PORT [LISTEN_PORT] (prints the port it listens on).
"""

from __future__ import annotations

import socket
import sys
import threading


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main(host: str, port: int, listen_port: int = 0) -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        server = socket.create_connection((host, port))
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
