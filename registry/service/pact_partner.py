"""Talking to a partner's PACT host (Technical Specifications v3.0, "HTTP REST API"): the client side.

One :class:`PartnerHost` per host: OpenID discovery of the token endpoint (falling back to
``<base>/auth/token`` as the specification says), the OAuth2 client-credentials token (HTTP
Basic), ``GET /3/footprints`` page by page following RFC 8288 ``Link: <...>; rel="next"``, and
``POST /3/events`` (CloudEvents 1.0, structured mode). A token the host calls ``TokenExpired``
is fetched again once. Every failure of the partner (no answer in time, refused connection,
TLS, an HTTP error, a body that is not JSON or not a page) is a :class:`PartnerError` that says
which URL, which status and what the host said; nothing of httpx escapes.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from registry.errors import InputError, Location, RegistryError

EVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
DISCOVERY_PATH = "/.well-known/openid-configuration"
DEFAULT_TIMEOUT = 30.0  # seconds for one request to a partner (connect, read, write)
MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # a partner's answer is read up to this, then refused (memory stays bounded)


@dataclass
class PartnerError(RegistryError):
    """The partner's host failed or answered something unusable; ``url`` and ``status`` say where."""

    code: str = "partner-error"
    url: str | None = None
    status: int | None = None

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.url is not None:
            out["url"] = self.url
        if self.status is not None:
            out["status"] = self.status
        return out


@dataclass(frozen=True)
class FootprintPage:
    """One page of ``GET /3/footprints``: its number (from 1), the URL read, its footprints, the next link."""

    number: int
    url: str
    footprints: list[Any]
    next_url: str | None
    link_error: PartnerError | None = None  # a next link that must not be followed: the pull ends after this page


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _json_body(response: httpx.Response, url: str) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as e:
        raise PartnerError(
            f"the partner's answer is not JSON ({e})", code="partner-bad-json", url=url, status=response.status_code
        ) from e


def _pact_error(response: httpx.Response) -> str:
    """What a PACT error body (``{"code","message"}``) or an RFC 6749 one (``{"error", "error_description"}``) says."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text[:200]
    if not isinstance(body, dict):
        return response.text[:200]
    code = body.get("code") or body.get("error")
    message = body.get("message") or body.get("error_description")
    return ": ".join(str(part) for part in (code, message) if part) or response.text[:200]


def _is_token_expired(response: httpx.Response) -> bool:
    if response.status_code != 401:
        return False
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return False
    return isinstance(body, dict) and body.get("code") == "TokenExpired"


def query_params(filters: Mapping[str, Sequence[str]], limit: int | None) -> list[tuple[str, str]]:
    """The ListFootprints query: each filter value repeated (OR within a parameter), then ``limit``."""
    params = [(name, value) for name, values in filters.items() for value in values]
    if limit is not None:
        params.append(("limit", str(limit)))
    return params


class PartnerHost:
    """A partner's PACT host at ``base_url`` (the base of ``/3/...`` and of ``/auth/token``)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        ca_file: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        scheme, netloc = _origin(base_url)
        if scheme not in ("http", "https") or not netloc:
            raise InputError(f"{base_url!r} is not an http(s) URL of a PACT host")
        if scheme == "http" and not _loopback(base_url):
            raise InputError(
                f"{base_url}: PACT hosts are reached over HTTPS only (plain http only on loopback, for development)"
            )
        self.base_url = base_url.rstrip("/")
        self._credentials = (client_id, client_secret)
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._client = httpx.Client(verify=_verify(ca_file), timeout=timeout, follow_redirects=False)
        self._token: str | None = None
        self.token_endpoint: str | None = None
        self.discovered = False

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PartnerHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- requests --------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request; the answer read whole, but never more than ``max_bytes`` of it."""
        auth = kwargs.pop("auth", None)
        try:
            request = self._client.build_request(method, url, **kwargs)
            response = self._client.send(request, auth=auth, stream=True)
            try:
                body = self._read_bounded(response, url)
            finally:
                response.close()
        except httpx.TimeoutException as e:
            raise PartnerError(
                f"{method} {url}: no answer within {self._timeout:g} s", code="partner-timeout", url=url
            ) from e
        except httpx.HTTPError as e:
            raise PartnerError(
                f"{method} {url}: cannot reach the partner ({e})", code="partner-unreachable", url=url
            ) from e
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=response.request)

    def _read_bounded(self, response: httpx.Response, url: str) -> bytes:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self._max_bytes:
                raise PartnerError(
                    f"the partner's answer is longer than {self._max_bytes} bytes; not read further",
                    code="partner-too-large",
                    url=url,
                    status=response.status_code,
                )
        return bytes(body)

    def _authorised(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request with the bearer token; a ``TokenExpired`` answer gets one new token and one retry."""
        headers = kwargs.pop("headers", {})
        response = self._send(method, url, headers=self._bearer(headers), **kwargs)
        if _is_token_expired(response):
            self._token = None
            response = self._send(method, url, headers=self._bearer(headers), **kwargs)
        return response

    def _bearer(self, headers: dict[str, str]) -> dict[str, str]:
        return {**headers, "Authorization": f"Bearer {self.token()}"}

    # --- authentication ----------------------------------------------------------------------

    def discover(self) -> str:
        """The token endpoint: ``token_endpoint`` of the OpenID configuration, else ``<base>/auth/token``."""
        if self.token_endpoint is None:
            found = self._discovered()
            self.discovered = found is not None
            self.token_endpoint = found or f"{self.base_url}/auth/token"
        return self.token_endpoint

    def _discovered(self) -> str | None:
        url = self.base_url + DISCOVERY_PATH
        try:
            response = self._send("GET", url)
        except PartnerError:
            return None
        if response.status_code != 200:
            return None
        try:
            config = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return None
        endpoint = config.get("token_endpoint") if isinstance(config, dict) else None
        if not isinstance(endpoint, str):
            return None
        endpoint = urljoin(url, endpoint)
        # The client secret goes only over TLS, or back to the host it was given for.
        if _origin(endpoint)[0] != "https" and _origin(endpoint) != _origin(self.base_url):
            raise PartnerError(
                f"the OpenID configuration names token endpoint {endpoint}: neither HTTPS nor this host",
                code="partner-bad-discovery",
                url=url,
            )
        return endpoint

    def token(self) -> str:
        """An access token (client credentials, HTTP Basic), fetched once and kept until it expires."""
        if self._token is None:
            self._token = self._fetch_token(self.discover())
        return self._token

    def _fetch_token(self, endpoint: str) -> str:
        response = self._send("POST", endpoint, auth=self._credentials, data={"grant_type": "client_credentials"})
        if response.status_code != 200:
            raise PartnerError(
                f"the partner refused the client credentials ({_pact_error(response)})",
                code="partner-auth-failed",
                url=endpoint,
                status=response.status_code,
            )
        body = _json_body(response, endpoint)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise PartnerError("the token answer has no access_token", code="partner-bad-token", url=endpoint)
        return token

    # --- footprints and events ---------------------------------------------------------------

    def footprint_pages(self, filters: Mapping[str, Sequence[str]], limit: int | None) -> Iterator[FootprintPage]:
        """``GET /3/footprints`` with ``filters``, then every ``rel="next"`` link, one page at a time."""
        url: str | None = f"{self.base_url}/3/footprints"
        params: list[tuple[str, str]] | None = query_params(filters, limit)
        seen: set[str] = set()
        number = 0
        while url is not None:
            number += 1
            response = self._authorised("GET", url, params=params)
            read = str(response.url)
            seen.add(read)
            page = self._page(number, read, response)
            url, params = page.next_url, None
            yield page
            if page.link_error is not None:
                raise page.link_error
            if url is not None and url in seen:
                raise PartnerError(f"page {number} links back to {url}", code="partner-bad-page", url=read)

    def _page(self, number: int, url: str, response: httpx.Response) -> FootprintPage:
        if response.status_code not in (200, 202):
            raise PartnerError(
                f"page {number}: the partner answered {response.status_code} ({_pact_error(response)})",
                code="partner-http-error",
                url=url,
                status=response.status_code,
            )
        body = _json_body(response, url)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise PartnerError(
                f"page {number} is not a PACT list (an object with a data array)",
                Location(pointer="/data"),
                code="partner-bad-page",
                url=url,
            )
        try:
            return FootprintPage(number, url, data, self._next_link(number, url, response))
        except PartnerError as e:
            return FootprintPage(number, url, data, None, e)

    def _next_link(self, number: int, url: str, response: httpx.Response) -> str | None:
        link = response.links.get("next", {}).get("url")
        if link is None:
            return None
        absolute = urljoin(url, link)
        # The token goes only to the host that issued it (the specification: same host as the request).
        if _origin(absolute) != _origin(url):
            raise PartnerError(
                f"page {number}'s next link {absolute} leads to another host", code="partner-bad-page", url=url
            )
        return absolute

    def post_event(self, event: Mapping[str, Any]) -> None:
        """``POST /3/events`` with one CloudEvent (structured mode); any answer but 2xx is an error."""
        url = f"{self.base_url}/3/events"
        response = self._authorised(
            "POST", url, content=orjson.dumps(event), headers={"Content-Type": EVENTS_CONTENT_TYPE}
        )
        if not 200 <= response.status_code < 300:
            raise PartnerError(
                f"the partner refused the event ({response.status_code}: {_pact_error(response)})",
                code="partner-http-error",
                url=url,
                status=response.status_code,
            )


def _verify(ca_file: str | None) -> ssl.SSLContext | bool:
    if ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as e:
        raise InputError(f"--ca-file {ca_file}: not a readable PEM certificate file ({e})", Location(ca_file)) from e
