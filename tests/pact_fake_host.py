"""A small fake PACT v3 host for the client's tests: a real HTTP(S) server on loopback.

Spec-shaped answers (``{"data": [...]}``, RFC 8288 ``Link: <...>; rel="next"``, PACT error bodies
``{"code", "message"}``, RFC 6749 token errors) and switches for what a partner does wrong: a token
that expires mid-pull, a 5xx or a non-JSON body on some page, a slow answer, a next link to
another host, no OpenID discovery. On a ``RequestCreatedEvent`` it answers the requester at
``source``/3/events, as a PACT host does, from another thread.
"""

from __future__ import annotations

import base64
import copy
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema_rs
import orjson

from registry.packs import Catalog
from registry.schemas import PACT_CLIENT_SCHEMA_ID, _registry

CLIENT_ID, CLIENT_SECRET = "buyer-client", "buyer-secret"


def conforms(instance: Any, definition: str | None = None) -> None:
    """``instance`` is valid under schemas/pact-client-1.0.json (its root, or one of its $defs)."""
    ref = PACT_CLIENT_SCHEMA_ID + (f"#/$defs/{definition}" if definition else "")
    jsonschema_rs.validator_for({"$ref": ref}, registry=_registry(), validate_formats=True).validate(instance)


def footprints(n: int) -> list[dict[str, Any]]:
    """``n`` distinct, conformant PACT v3 footprints (the bundled pact-v3 example with new ids)."""
    example = Catalog.bundled().resolve("example-standards-body/pact-v3").example
    assert example is not None
    out = []
    for i in range(n):
        fp = copy.deepcopy(example)
        fp["id"] = str(uuid.UUID(int=i + 1))
        fp["productIds"] = [f"urn:pact:example-polymers.cn:product-id:PP-{i}"]
        out.append(fp)
    return out


@dataclass
class HostState:
    footprints: list[Any] = field(default_factory=list)
    page_size: int = 2
    discovery: bool = True
    discovered_path: str = "/oauth2/token"  # the token endpoint the OpenID configuration names
    expire_token_on_page: int | None = None  # the first token is "expired" when this page is asked for
    fail_page: int | None = None
    fail_status: int = 500
    bad_json_page: int | None = None
    foreign_next_link: bool = False
    delay: float = 0.0
    answer_requests: bool = True
    tokens: list[str] = field(default_factory=list)
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    answers: list[httpx.Response | Exception] = field(default_factory=list)
    answer_ca: str | None = None


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    @property
    def state(self) -> HostState:
        return self.server.state

    def _send(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> None:
        data = raw if raw is not None else (b"" if body is None else orjson.dumps(body))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        time.sleep(self.state.delay)
        url = urlsplit(self.path)
        if url.path == "/.well-known/openid-configuration":
            if not self.state.discovery:
                return self._send(404, {"code": "NotFound", "message": "no discovery"})
            endpoint = f"{self.server.base}{self.state.discovered_path}"
            return self._send(200, {"issuer": self.server.base, "token_endpoint": endpoint})
        if url.path == "/3/footprints":
            return self._list(parse_qs(url.query))
        self._send(404, {"code": "NotFound", "message": "no such path"})

    def _token_ok(self, page: int | None = None) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        if token not in self.state.tokens:
            self._send(401, {"code": "BadRequest", "message": "invalid token"})
            return False
        if page is not None and page == self.state.expire_token_on_page and token == self.state.tokens[0]:
            self._send(401, {"code": "TokenExpired", "message": "the token expired"})
            return False
        return True

    def _list(self, query: dict[str, list[str]]) -> None:
        offset = int(query.get("offset", ["0"])[0])
        size = int(query.get("limit", [str(self.state.page_size)])[0])
        page = offset // size + 1
        if not self._token_ok(page):
            return
        self.state.queries.append(query)
        if page == self.state.fail_page:
            return self._send(self.state.fail_status, {"code": "InternalError", "message": "backend down"})
        if page == self.state.bad_json_page:
            return self._send(200, raw=b'{"data": [')
        chosen = self.state.footprints[offset : offset + size]
        headers = {}
        if offset + size < len(self.state.footprints):
            base = "https://elsewhere.example" if self.state.foreign_next_link else self.server.base
            headers["Link"] = f'<{base}/3/footprints?offset={offset + size}&limit={size}>; rel="next"'
        self._send(200, {"data": chosen}, headers)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        url = urlsplit(self.path)
        if url.path in ("/auth/token", "/oauth2/token"):
            return self._token(body, url.path)
        if url.path in ("/3/events", "/2/events"):
            if not self._token_ok():
                return
            if not self.headers.get("Content-Type", "").startswith("application/cloudevents+json"):
                return self._send(400, {"code": "BadRequest", "message": "not a CloudEvent"})
            event = orjson.loads(body)
            self.state.events.append(event)
            self._send(200)
            if self.state.answer_requests and event.get("type", "").endswith("RequestCreatedEvent.3"):
                threading.Thread(target=self._answer, args=(event,), daemon=True).start()
            return
        self._send(404, {"code": "NotFound", "message": "no such path"})

    def _token(self, body: bytes, path: str) -> None:
        if path == "/oauth2/token" and not self.state.discovery:
            return self._send(404, {"code": "NotFound", "message": "no such path"})
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != expected or parse_qs(body.decode()).get("grant_type") != [
            "client_credentials"
        ]:
            return self._send(401, {"error": "invalid_client", "error_description": "bad credentials"})
        token = f"token-{len(self.state.tokens) + 1}"
        self.state.tokens.append(token)
        self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def _answer(self, request: dict[str, Any]) -> None:
        """As a PACT host: the footprints whose productIds match, to the requester's /3/events."""
        wanted = set(request["data"].get("productId", []))
        found = [fp for fp in self.state.footprints if isinstance(fp, dict) and wanted & set(fp.get("productIds", []))]
        if found:
            kind, data = "RequestFulfilledEvent.3", {"requestEventId": request["id"], "pfs": found}
        else:
            kind = "RequestRejectedEvent.3"
            data = {"requestEventId": request["id"], "error": {"code": "NotFound", "message": "no such product"}}
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": self.server.base,
            "time": "2026-12-06T12:00:00Z",
            "type": f"org.wbcsd.pact.ProductFootprint.{kind}",
            "data": data,
        }
        try:
            answer = httpx.post(
                request["source"].rstrip("/") + "/3/events",
                content=orjson.dumps(event),
                headers={"Content-Type": "application/cloudevents+json; charset=UTF-8"},
                verify=ssl.create_default_context(cafile=self.state.answer_ca) if self.state.answer_ca else True,
                timeout=10,
            )
            self.state.answers.append(answer)
        except Exception as e:  # the test looks at it
            self.state.answers.append(e)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that hung up (timeout tests)
        pass

    def __init__(self, state: HostState, tls: tuple[Path, Path] | None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.socket = context.wrap_socket(self.socket, server_side=True)
            scheme = "https"
        self.base = f"{scheme}://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serving(
    state: HostState, *, tls: tuple[Path, Path] | None = None, handler: type[BaseHTTPRequestHandler] = Handler
) -> Iterator[FakeServer]:
    server = FakeServer(state, tls)
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pcfreg() -> list[str]:
    exe = shutil.which("pcfreg", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "registry.cli"]


@contextmanager
def serving_registry(
    data: Path, *options: str, ca: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """``pcfreg serve`` with ``options`` until it answers /readyz over HTTPS (trusting ``ca``, else the dev cert)."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PCFREG_DATA_DIR", "PCFREG_PUBLIC_URL")},
        **(env or {}),
    }
    log = data.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*_pcfreg(), "serve", "--data-dir", str(data), "--port", str(port), *options],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        base = f"https://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180  # a first init publishes every bundled pack and set
            while True:
                assert proc.poll() is None, log.read_text()
                trust = ca or data / "tls" / "dev-cert.pem"
                if trust.is_file():
                    try:
                        if (
                            httpx.get(
                                f"{base}/readyz", verify=ssl.create_default_context(cafile=trust), timeout=1
                            ).status_code
                            == 200
                        ):
                            break
                    except httpx.TransportError:
                        pass
                assert time.monotonic() < deadline, "server did not become ready: " + log.read_text()
                time.sleep(0.2)
            yield base, log
        finally:
            proc.terminate()
            proc.wait(timeout=20)
