"""Several server processes, each listening on a socket of its own (``SO_REUSEPORT``), for ``pcfreg serve --workers N``.

uvicorn's supervisor binds one socket and every worker accepts from it. Connections opened together
(a platform's or a benchmark's pool of keep-alive connections) then go to whichever worker wakes first,
which takes the whole burst: 16 connections split 14 and 2, 13 and 3 or 10 and 6 in ``bench/api.py``
runs, and a worker holding most of them works at one core's speed while the other idles (label issues
523/s at 14 and 2, 635/s at 10 and 6; stored validations 1,159/s at 13 and 3; issue 15). Here each
worker gets its own listening socket on the same address and port, and the kernel spreads new
connections over the sockets by a hash of their addresses.

uvicorn's supervisor is kept (signals, health checks, restarts); only the first start gives each
worker its own socket. A worker started later (a restart, SIGTTIN) listens on all of them, so that no
socket is left without a worker to accept its connections. Where ``SO_REUSEPORT`` is missing (not
Linux or BSD), uvicorn's one shared socket is used as before.
"""

from __future__ import annotations

import socket
from typing import Any

REUSE_PORT = getattr(socket, "SO_REUSEPORT", None)


def reuse_port_supported() -> bool:
    """Whether this system has ``SO_REUSEPORT`` (Linux, the BSDs, macOS)."""
    return REUSE_PORT is not None


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets bound to ``host:port`` with ``SO_REUSEPORT`` (each worker calls ``listen``)."""
    assert REUSE_PORT is not None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, REUSE_PORT, 1)
            sock.bind((host, port))
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def run_workers(config: Any, host: str, port: int) -> None:
    """Run ``config.workers`` uvicorn workers, each with a listening socket of its own."""
    from uvicorn.supervisors.multiprocess import Multiprocess, Process

    class OwnSockets(Multiprocess):
        def init_processes(self) -> None:
            for sock in self.sockets:
                process = Process(self.config, [sock])
                process.start()
                self.processes.append(process)

    sockets = listening_sockets(host, port, config.workers)
    try:
        OwnSockets(config, sockets=sockets).run()
    finally:
        for sock in sockets:
            sock.close()
