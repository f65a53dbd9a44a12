"""``pcfreg serve --workers N`` (issue 15): each worker listens on a socket of its own (SO_REUSEPORT), so
that connections opened together spread over the workers instead of going to whichever woke first.

Read from /proc (Linux): each worker's listening socket, and which worker holds each connection made."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from registry.cli.workers import listening_sockets, reuse_port_supported

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not reuse_port_supported(), reason="reads /proc; needs SO_REUSEPORT"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _tcp_sockets(port: int, state: str) -> dict[str, tuple[str, str]]:
    """Socket inode -> (local, remote) of this host's IPv4 TCP sockets on ``port`` in ``state`` (hex)."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        local, remote, st, inode = cols[1], cols[2], cols[3], cols[9]
        if st == state and int(local.split(":")[1], 16) == port:
            found[inode] = (local, remote)
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    args = ["--data-dir", str(tmp_path / "data"), "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, "pcfreg serve exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("pcfreg serve --workers 2 did not answer /healthz")
        yield proc, port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def test_each_worker_listens_on_its_own_socket_and_connections_spread(
    two_workers: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = two_workers
    deadline = time.monotonic() + 60  # /healthz answers as soon as one worker listens: wait for both
    while True:
        listening = _tcp_sockets(port, "0A")
        per_worker = {w: _socket_inodes(w) & listening.keys() for w in _children(proc.pid)}
        per_worker = {w: mine for w, mine in per_worker.items() if mine}  # listening (not a resource tracker)
        if len(per_worker) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    workers = list(per_worker)
    assert len(per_worker) == 2, per_worker
    assert all(len(mine) >= 1 for mine in per_worker.values()), per_worker
    a, b = per_worker.values()
    assert a != b, "both workers accept from the same socket"

    # 32 connections opened together, each making a request so that it is surely accepted
    conns = []
    try:
        for _ in range(32):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            conns.append(s)
        for s in conns:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        for s in conns:
            assert s.recv(12).startswith(b"HTTP/1.1 200")
        established = _tcp_sockets(port, "01")
        held = {w: len(_socket_inodes(w) & established.keys()) for w in workers}
        assert sum(held.values()) == 32, held
        assert all(n >= 1 for n in held.values()), f"one worker took every connection: {held}"
    finally:
        for s in conns:
            s.close()


def test_listening_sockets_share_a_port_and_close_on_failure() -> None:
    port = _free_port()
    socks = listening_sockets("127.0.0.1", port, 2)
    try:
        assert [s.getsockname()[1] for s in socks] == [port, port]
    finally:
        for s in socks:
            s.close()
    with socket.socket() as taken:  # a port held without SO_REUSEPORT: the error, and nothing left open
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            listening_sockets("127.0.0.1", taken.getsockname()[1], 2)
