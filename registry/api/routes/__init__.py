"""The HTTP routes, one module per resource, each declaring ``router = APIRouter(...)`` with its
route functions at module level; :func:`registry.api.app.create_app` includes them all.

* :mod:`.auth` - ``POST /v1/auth/token``
* :mod:`.credentials` - ``/v1/orgs/{org_id}/credentials...``: list, create, revoke, rotate
* :mod:`.contacts` - ``/v1/orgs/{org_id}/contact``: an organisation's public contact, set and read
* :mod:`.rulepacks` - ``/v1/rulepacks...``: search, read, diff, publish, deprecate, withdraw
* :mod:`.factorsets` - ``/v1/factorsets...``: publish, list, search factors, read, diff, withdraw
* :mod:`.validations` - ``/v1/validations...``: validate one or a batch, read stored validations
* :mod:`.recalculations` - ``POST /v1/recalculations``: a declaration recomputed from its inventory
* :mod:`.declarations` - ``GET /v1/declarations/{id}/dependents``: what rests on a declaration
* :mod:`.publishers` - ``/v1/publishers/{namespace}/keys...``: pack-signing keys
* :mod:`.labels` - ``/v1/labels...``: issue, change, list, read, verify in bulk
* :mod:`.label_pages` - ``/l``, ``/L``, a label's QR code and printable SVG
* :mod:`.trust` - ``/v1/trust-list...``, ``/v1/status/...``, certifier key rotation and withdrawal
* :mod:`.tlog` - ``/tlog/checkpoint``, ``/tlog/tile/...`` (C2SP tlog-tiles), a label's log proof
* :mod:`.audits` - ``/v1/audits...`` and ``/v1/recognitions...``
* :mod:`.supervision` - ``/v1/regulators``, ``/v1/supervision/...``: regulators' reads, samples, statistics
* :mod:`.complaints` - ``/l/{label_id}/complaint`` (the public form), ``/v1/complaints...`` (certifiers)
* :mod:`.health` - ``/healthz``, ``/readyz``

A route function's docstring is its operation's description in the OpenAPI document (and pydantic
models' docstrings their schemas' descriptions), so routes and models documented by comments only
are so on purpose: the document stays as ``tests/api/openapi-snapshot.json`` records it.
Dependencies and their ``Annotated`` aliases are in :mod:`registry.api.deps`.
"""
