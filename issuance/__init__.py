"""Graded carbon labels: signed tokens, signing keys, the trust list, status lists and offline verification.

The core is pure: time, keys and randomness are parameters. See docs/adr/0009-label-token.md.

Members load on first use (PEP 562, registry/lazy.py): issuing a label from the command line needs
neither the pages, the QR codes, the printable label nor bulk verification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from issuance import tlog  # the transparency log's pure core, used as tlog.<name>
from registry.lazy import lazy_face

if TYPE_CHECKING:
    from issuance.bulk import Verifier
    from issuance.digital_link import (
        DigitalLink,
        DigitalLinkError,
        digital_link_uri,
        is_digital_link,
        parse_digital_link,
    )
    from issuance.directory_page import render_directory_page
    from issuance.errors import (
        GtinError,
        IssuanceError,
        LogError,
        SigningKeyError,
        StatusListError,
        TokenError,
        TrustListError,
    )
    from issuance.grading import Graded, grade, grade_by_catalogue
    from issuance.gtin import normalize_gtin
    from issuance.i18n import CO2E, per_unit, text_lang, transition_text, withdrawn_text
    from issuance.info_pages import (
        AccreditationLine,
        Band,
        CertifierContact,
        CertifierView,
        PackGradingView,
        SchemePolicy,
        render_certifier_page,
        render_grading_page,
        render_human_page,
    )
    from issuance.keys import (
        KeyScope,
        KeyState,
        SigningKey,
        ensure_master_key,
        generate_signing_key,
        key_can_sign,
        kid_of,
        load_master_key,
        open_private_key,
        rotate,
        seal_private_key,
        withdraw,
        withdrawal_refuses,
    )
    from issuance.label_pdf import render_label_pdf
    from issuance.label_svg import VARIANTS, Artwork, ModuleTooSmall, Variant, render_label_artwork, render_label_svg
    from issuance.landing import render_landing_page
    from issuance.model import Boundary, Grading, LabelClaims, Verification, VerifyStatus
    from issuance.outline import UnprintableText
    from issuance.page import (
        PAGE_CSS,
        AccreditationView,
        GradeScale,
        LabelPageView,
        LogLine,
        RegradeView,
        ScaleBand,
        pick_language,
        render_label_page,
    )
    from issuance.qr import digital_link_url, label_url, offline_url, render_qr
    from issuance.status_list import (
        Status,
        StatusList,
        StatusNote,
        StatusSelection,
        allocate_indexes,
        parse_status_list_token,
        select_status_lists,
        sign_status_list,
        status_lists_from_tokens,
    )
    from issuance.token import (
        digest_prefix,
        encode_claims,
        new_label_id,
        peek,
        sign_label,
        split_status_uri,
        status_list_uri,
        token_from_b64url,
        token_from_text,
        token_to_b64url,
        token_to_text,
    )
    from issuance.trust import TrustedKey, TrustList, build_trust_list, sign_trust_list
    from issuance.verify import verify

_LAZY: dict[str, str] = {}
_LAZY.update(dict.fromkeys(["Verifier"], "bulk"))
_LAZY.update(
    dict.fromkeys(
        ["DigitalLink", "DigitalLinkError", "digital_link_uri", "is_digital_link", "parse_digital_link"], "digital_link"
    )
)
_LAZY.update(dict.fromkeys(["render_directory_page"], "directory_page"))
_LAZY.update(
    dict.fromkeys(
        [
            "GtinError",
            "IssuanceError",
            "LogError",
            "SigningKeyError",
            "StatusListError",
            "TokenError",
            "TrustListError",
        ],
        "errors",
    )
)
_LAZY.update(dict.fromkeys(["Graded", "grade", "grade_by_catalogue"], "grading"))
_LAZY.update(dict.fromkeys(["normalize_gtin"], "gtin"))
_LAZY.update(dict.fromkeys(["CO2E", "per_unit", "text_lang", "transition_text", "withdrawn_text"], "i18n"))
_LAZY.update(
    dict.fromkeys(
        [
            "AccreditationLine",
            "Band",
            "CertifierContact",
            "CertifierView",
            "PackGradingView",
            "SchemePolicy",
            "render_certifier_page",
            "render_grading_page",
            "render_human_page",
        ],
        "info_pages",
    )
)
_LAZY.update(
    dict.fromkeys(
        [
            "KeyScope",
            "KeyState",
            "SigningKey",
            "ensure_master_key",
            "generate_signing_key",
            "key_can_sign",
            "kid_of",
            "load_master_key",
            "open_private_key",
            "rotate",
            "seal_private_key",
            "withdraw",
            "withdrawal_refuses",
        ],
        "keys",
    )
)
_LAZY.update(dict.fromkeys(["render_label_pdf"], "label_pdf"))
_LAZY.update(
    dict.fromkeys(
        ["Artwork", "ModuleTooSmall", "VARIANTS", "Variant", "render_label_artwork", "render_label_svg"], "label_svg"
    )
)
_LAZY.update(dict.fromkeys(["render_landing_page"], "landing"))
_LAZY.update(dict.fromkeys(["Boundary", "Grading", "LabelClaims", "Verification", "VerifyStatus"], "model"))
_LAZY.update(dict.fromkeys(["UnprintableText"], "outline"))
_LAZY.update(
    dict.fromkeys(
        [
            "AccreditationView",
            "GradeScale",
            "LabelPageView",
            "LogLine",
            "PAGE_CSS",
            "RegradeView",
            "ScaleBand",
            "pick_language",
            "render_label_page",
        ],
        "page",
    )
)
_LAZY.update(dict.fromkeys(["digital_link_url", "label_url", "offline_url", "render_qr"], "qr"))
_LAZY.update(
    dict.fromkeys(
        [
            "Status",
            "StatusList",
            "StatusNote",
            "StatusSelection",
            "allocate_indexes",
            "parse_status_list_token",
            "select_status_lists",
            "sign_status_list",
            "status_lists_from_tokens",
        ],
        "status_list",
    )
)
_LAZY.update(
    dict.fromkeys(
        [
            "digest_prefix",
            "encode_claims",
            "new_label_id",
            "peek",
            "sign_label",
            "split_status_uri",
            "status_list_uri",
            "token_from_b64url",
            "token_from_text",
            "token_to_b64url",
            "token_to_text",
        ],
        "token",
    )
)
_LAZY.update(dict.fromkeys(["TrustList", "TrustedKey", "build_trust_list", "sign_trust_list"], "trust"))
_LAZY.update(dict.fromkeys(["verify"], "verify"))
__getattr__, __dir__ = lazy_face(__name__, _LAZY)

__all__ = [
    "CO2E",
    "PAGE_CSS",
    "VARIANTS",
    "AccreditationLine",
    "AccreditationView",
    "Artwork",
    "Band",
    "Boundary",
    "CertifierContact",
    "CertifierView",
    "DigitalLink",
    "DigitalLinkError",
    "GradeScale",
    "Graded",
    "Grading",
    "GtinError",
    "IssuanceError",
    "KeyScope",
    "KeyState",
    "LabelClaims",
    "LabelPageView",
    "LogError",
    "LogLine",
    "ModuleTooSmall",
    "PackGradingView",
    "RegradeView",
    "ScaleBand",
    "SchemePolicy",
    "SigningKey",
    "SigningKeyError",
    "Status",
    "StatusList",
    "StatusListError",
    "StatusNote",
    "StatusSelection",
    "TokenError",
    "TrustList",
    "TrustListError",
    "TrustedKey",
    "UnprintableText",
    "Variant",
    "Verification",
    "Verifier",
    "VerifyStatus",
    "allocate_indexes",
    "build_trust_list",
    "digest_prefix",
    "digital_link_uri",
    "digital_link_url",
    "encode_claims",
    "ensure_master_key",
    "generate_signing_key",
    "grade",
    "grade_by_catalogue",
    "is_digital_link",
    "key_can_sign",
    "kid_of",
    "label_url",
    "load_master_key",
    "new_label_id",
    "normalize_gtin",
    "offline_url",
    "open_private_key",
    "parse_digital_link",
    "parse_status_list_token",
    "peek",
    "per_unit",
    "pick_language",
    "render_certifier_page",
    "render_directory_page",
    "render_grading_page",
    "render_human_page",
    "render_label_artwork",
    "render_label_page",
    "render_label_pdf",
    "render_label_svg",
    "render_landing_page",
    "render_qr",
    "rotate",
    "seal_private_key",
    "select_status_lists",
    "sign_label",
    "sign_status_list",
    "sign_trust_list",
    "split_status_uri",
    "status_list_uri",
    "status_lists_from_tokens",
    "text_lang",
    "tlog",
    "token_from_b64url",
    "token_from_text",
    "token_to_b64url",
    "token_to_text",
    "transition_text",
    "verify",
    "withdraw",
    "withdrawal_refuses",
    "withdrawn_text",
]
