"""HEAD and OPTIONS beside GET for the public answers a scanned code leads to: the GS1 Digital Link resolver,
the consumer page and the resolver's description. The GS1-Conformant Resolver Standard 1.2.0 asks a resolver to
support GET, HEAD and OPTIONS and CORS; HEAD answers as GET would, without the body (RFC 9110 section 9.3.2),
and OPTIONS answers ``Allow`` and a CORS preflight for reading these public answers from any web page.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

ALLOW = "GET, HEAD, OPTIONS"
# Any origin may read these public answers; Accept and Accept-Language choose what they are (CORS-safelisted
# already, named for clients that send long values), and a script may read the Link and Location headers.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Link, Location"}
_PREFLIGHT = {
    "Access-Control-Allow-Methods": ALLOW,
    "Access-Control-Allow-Headers": "Accept, Accept-Language",
    "Access-Control-Max-Age": "86400",
}


def bodiless(response: Response) -> Response:
    """``response`` as the answer to HEAD: the same status and headers (``Content-Length`` of the body GET
    sends), no body."""
    response.body = b""
    return response


def options(request: Request) -> Response:
    """204 with ``Allow``; a CORS preflight (an ``Origin`` and ``Access-Control-Request-Method``) also gets the
    methods, headers and how long to keep the answer."""
    headers = {"Allow": ALLOW, **CORS}
    if "origin" in request.headers and "access-control-request-method" in request.headers:
        headers |= _PREFLIGHT
    return Response(status_code=204, headers=headers)
