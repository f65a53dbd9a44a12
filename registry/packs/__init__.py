"""Rule packs: the document, resolution of ``extends``, the catalog, the compiled engine.

* :class:`RulePack`, :func:`load_pack_file`, :func:`pack_from_data`, :func:`resolve` - the pack
  document (``rulepack.py``) and its inheritance;
* :class:`Catalog` - the packs of a folder, selection by HS/CPC code and date (``catalog.py``);
  :func:`catalog_summaries` - what ``pcfreg packs list`` shows, kept per folder by digest (``summaries.py``);
* :class:`CompiledPack` - a resolved pack compiled to one Python function (``engine.py``, ``cel/``);
* :func:`validate_document`, :func:`validate_items`, :func:`validate_bytes`, :func:`validate_jsonl` - validation entry
  points (``validate.py``);
* :func:`diff_packs`, :func:`check_bump` - what changed between versions and the bump it needs
  (``diff/``);
* :func:`run_pack_tests` - each pack's own test cases (``cases.py``);
* :func:`sign_pack`, :func:`verify_envelope` and keys - signed envelopes (``signing.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.lazy import lazy_face

if TYPE_CHECKING:
    from registry.packs.cache import PackCache, content_key
    from registry.packs.cases import run_pack_tests
    from registry.packs.catalog import Catalog, compile_cached
    from registry.packs.cel.errors import CelEvalError
    from registry.packs.cel.values import parse_timestamp
    from registry.packs.diff import (
        IncompatibleVersionError,
        PackDiff,
        check_bump,
        diff_packs,
        diff_refs,
        precedence,
        render_text,
    )
    from registry.packs.engine import CompiledPack
    from registry.packs.report import render_validation_html, validated_facts
    from registry.packs.rulepack import (
        Grading,
        GradingBand,
        ResolvedPack,
        Rule,
        RulePack,
        load_pack_file,
        pack_from_data,
        resolve,
    )
    from registry.packs.signing import (
        SignatureError,
        TrustedKey,
        TrustedKeys,
        b64url_decode,
        b64url_encode,
        envelope_bytes,
        generate_key_files,
        generate_keypair,
        key_id,
        load_private_key,
        public_jwk,
        sign_file,
        sign_pack,
        verify_envelope,
        verify_file,
    )
    from registry.packs.summaries import catalog_summaries
    from registry.packs.validate import (
        ItemOutcome,
        LineOutcome,
        declaration_id,
        recalculate_document,
        recalculation_report,
        validate_bytes,
        validate_document,
        validate_items,
        validate_jsonl,
    )

# Every member loads on first use: ``pcfreg packs list`` reads only the cache and the summaries
# (no catalog, engine or schema checks); validating a declaration needs neither signing
# (cryptography), version diffs nor pack test cases.
_LAZY = {"run_pack_tests": "cases", "catalog_summaries": "summaries"}
_LAZY.update(dict.fromkeys(["PackCache", "content_key"], "cache"))
_LAZY.update(dict.fromkeys(["Catalog", "compile_cached"], "catalog"))
_LAZY.update({"CelEvalError": "cel.errors", "parse_timestamp": "cel.values", "CompiledPack": "engine"})
_LAZY.update(dict.fromkeys(["render_validation_html", "validated_facts"], "report"))
_LAZY.update(
    dict.fromkeys(
        ["Grading", "GradingBand", "ResolvedPack", "Rule", "RulePack", "load_pack_file", "pack_from_data", "resolve"],
        "rulepack",
    )
)
_LAZY.update(
    dict.fromkeys(
        [
            "ItemOutcome",
            "LineOutcome",
            "declaration_id",
            "recalculate_document",
            "recalculation_report",
            "validate_bytes",
            "validate_document",
            "validate_items",
            "validate_jsonl",
        ],
        "validate",
    )
)
_LAZY.update(
    dict.fromkeys(
        ["IncompatibleVersionError", "PackDiff", "check_bump", "diff_packs", "diff_refs", "precedence", "render_text"],
        "diff",
    )
)
_LAZY.update(
    dict.fromkeys(
        [
            "SignatureError",
            "TrustedKey",
            "TrustedKeys",
            "b64url_decode",
            "b64url_encode",
            "envelope_bytes",
            "generate_key_files",
            "generate_keypair",
            "key_id",
            "load_private_key",
            "public_jwk",
            "sign_file",
            "sign_pack",
            "verify_envelope",
            "verify_file",
        ],
        "signing",
    )
)
__getattr__, __dir__ = lazy_face(__name__, _LAZY)

__all__ = [
    "Catalog",
    "CelEvalError",
    "CompiledPack",
    "Grading",
    "GradingBand",
    "IncompatibleVersionError",
    "ItemOutcome",
    "LineOutcome",
    "PackCache",
    "PackDiff",
    "ResolvedPack",
    "Rule",
    "RulePack",
    "SignatureError",
    "TrustedKey",
    "TrustedKeys",
    "b64url_decode",
    "b64url_encode",
    "catalog_summaries",
    "check_bump",
    "compile_cached",
    "content_key",
    "declaration_id",
    "diff_packs",
    "diff_refs",
    "envelope_bytes",
    "generate_key_files",
    "generate_keypair",
    "key_id",
    "load_pack_file",
    "load_private_key",
    "pack_from_data",
    "parse_timestamp",
    "precedence",
    "public_jwk",
    "recalculate_document",
    "recalculation_report",
    "render_text",
    "render_validation_html",
    "resolve",
    "run_pack_tests",
    "sign_file",
    "sign_pack",
    "validate_bytes",
    "validate_document",
    "validate_items",
    "validate_jsonl",
    "validated_facts",
    "verify_envelope",
    "verify_file",
]
