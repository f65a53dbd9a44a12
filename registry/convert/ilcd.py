"""ILCD+EPD XML (a process data set, its reference flow data set) to a declaration.

The declaration is a PACT v3 ProductFootprint with the pcf-registry extension (EN 15804
module GWP-total values, system boundary) and a second extension carrying GWP-fossil,
-biogenic, -luluc and -GHG per module (:data:`GWP_SCHEMA_ID`). The mapping, with the
doubtful choices marked, is documented in ``docs/ilcd-mapping.md``; keep the two in step.

The contract, as for the PACT v2 upgrade: a value that carries over exactly is silent;
everything else gets an ``info`` finding with ``path`` (JSON pointer into the output)
and ``source_path`` (XPath into the input); a ``warning`` where the user should act (a
declared unit the files do not back, a validity period changed to what PACT allows, a GWP
look-alike that cannot be placed). Nothing is invented silently: what PACT
requires and ILCD does not carry is left absent with a ``missing`` finding, so that
validation reports it. Input that cannot be converted raises :class:`InputError`.
Pure: no I/O, time is a parameter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from registry.convert.conversion import Conversion
from registry.convert.ilcd_bundle import read_bundle
from registry.convert.ilcd_findings import DERIVED, EXTENSION, Notes
from registry.convert.ilcd_footprint import identity, product
from registry.convert.ilcd_modules import GwpTable, Pointers, read_gwp, system_boundary
from registry.convert.ilcd_pcf import carbon_footprint
from registry.convert.ilcd_read import Flow, Process, read_flow, read_process
from registry.convert.ilcd_tables import BIOGENIC, FOSSIL, GHG, LULUC, MODULES, TOTAL
from registry.convert.ilcd_unit import declared_unit
from registry.convert.ilcd_validity import fit_validity
from registry.declarations import V3_PCF_FIELDS, V3_ROOT_FIELDS, V3_SPEC_VERSION
from registry.errors import InputError, Location
from registry.resources import EXTENSION_SCHEMA_ID

__all__ = ["GWP_SCHEMA_ID", "ilcd_bundle_to_declaration", "ilcd_to_declaration"]

GWP_SCHEMA_ID: Final = "https://pcf-registry.org/schemas/en15804-gwp-1.0.json"
EXTENSION_SPEC_VERSION: Final = "2.0.0"
EXT: Final = "/extensions/0/data"
GWP_EXT: Final = "/extensions/1/data"
FLOW_SOURCE: Final = "<flow data set>"


def ilcd_to_declaration(
    process: bytes,
    *,
    flow: bytes | None = None,
    source: str = "<input>",
    declared_unit: str | None = None,
    now: datetime,
) -> Conversion:
    """Convert one ILCD+EPD process data set (and optionally its reference flow data set)."""
    proc = read_process(process, source=source)
    flow_set = read_flow(flow, source=FLOW_SOURCE) if flow is not None else None
    return _convert(proc, flow_set, FLOW_SOURCE, declared_unit, now)


def ilcd_bundle_to_declaration(
    zip_bytes: bytes, *, source: str, declared_unit: str | None = None, process: str | None = None, now: datetime
) -> Conversion:
    """Convert the process data set of a ZIP bundle (``processes/``, ``flows/``, or a flat ZIP of data sets):
    the only one, or the one whose UUID is ``process``."""
    bundle = read_bundle(zip_bytes, source=source)
    name, data = bundle.process(process)
    proc = read_process(data, source=name)
    found = bundle.flow(proc.reference_flow.uuid or "")
    if found is None and declared_unit is None:
        uuid_ = proc.reference_flow.uuid
        raise InputError(
            f"the bundle holds no flow data set {uuid_} (the process's reference flow, which gives the declared "
            f"unit): add flows/{uuid_}.xml to the bundle or state the declared unit (declared_unit=...; "
            "--declared-unit, e.g. 'kilogram')",
            Location(name, None, None, proc.reference_flow.xpath),
        )
    flow_set = read_flow(found[1], source=found[0]) if found else None
    return _convert(proc, flow_set, found[0] if found else FLOW_SOURCE, declared_unit, now)


def _convert(proc: Process, flow: Flow | None, flow_source: str, stated: str | None, now: datetime) -> Conversion:
    if flow is not None and flow.uuid.text.lower() != (proc.reference_flow.uuid or "").lower():
        raise InputError(
            f"the flow data set is {flow.uuid.text}, but the process's reference flow is {proc.reference_flow.uuid}",
            Location(flow_source, flow.uuid.line, None, flow.uuid.xpath),
        )
    notes = Notes()
    unit = declared_unit(proc, flow, stated, flow_source=flow_source)
    doc: dict[str, Any] = {"specVersion": V3_SPEC_VERSION}
    identity(doc, proc, now, notes)
    product(doc, proc, notes)
    gwp = read_gwp(proc, Pointers(f"{EXT}/modules", f"{GWP_EXT}/modules"), notes)
    doc["pcf"] = carbon_footprint(proc, flow, unit, gwp, notes)
    fit_validity(doc, proc, notes)
    doc["extensions"] = _extensions(proc, gwp, notes)
    doc["pcf"] = _ordered(doc["pcf"], V3_PCF_FIELDS)
    return Conversion(_ordered(doc, V3_ROOT_FIELDS), tuple(notes.findings))


def _ordered(values: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {k: values[k] for k in order if k in values}


# --- extensions -------------------------------------------------------------------------------------
def _extensions(proc: Process, gwp: GwpTable, notes: Notes) -> list[dict[str, Any]]:
    data: dict[str, Any] = {}
    declared = {m for values in gwp.values.values() for m in values}
    boundary = system_boundary(declared)
    if boundary is not None:
        data["systemBoundary"] = boundary
        beyond = sorted(declared - {"A1", "A2", "A3", "A1-A3"}) if boundary == "cradle-to-gate" else []
        extra = f"; modules beyond the gate also declared: {', '.join(beyond)}" if beyond else ""
        source = gwp.results[TOTAL].xpath if TOTAL in gwp.results else f"{proc.root_xpath}/LCIAResults"
        notes.add(
            DERIVED,
            f"{EXT}/systemBoundary",
            source,
            f"{boundary} from the modules declared ({', '.join(sorted(declared))}){extra}",
            EXTENSION,
        )
    totals = gwp.values.get(TOTAL, {})
    if totals:
        data["modules"] = {m: v.text for m, v in totals.items()}
    out = [{"specVersion": EXTENSION_SPEC_VERSION, "dataSchema": EXTENSION_SCHEMA_ID, "data": data}]
    others = _gwp_extension(gwp)
    if others is not None:
        out.append({"specVersion": EXTENSION_SPEC_VERSION, "dataSchema": GWP_SCHEMA_ID, "data": others})
    return out


def _gwp_extension(gwp: GwpTable) -> dict[str, Any] | None:
    modules: dict[str, dict[str, str]] = {}
    for kind in (FOSSIL, BIOGENIC, LULUC, GHG):
        for module, value in gwp.values.get(kind, {}).items():
            modules.setdefault(module, {})[kind] = value.text
    if not modules:
        return None
    ordered = {m: modules[m] for m in sorted(modules, key=_module_order)}
    return {"indicatorSet": gwp.indicator_set, "unit": "kg CO2 eq", "modules": ordered}


def _module_order(module: str) -> int:
    return MODULES.index(module)
