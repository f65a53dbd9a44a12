"""Graded carbon labels: signed tokens, signing keys, the trust list, status lists and offline verification.

The core is pure: time, keys and randomness are parameters. See docs/adr/0009-label-token.md.
"""

from issuance import tlog  # the transparency log's pure core, used as tlog.<name>
from issuance.bulk import Verifier
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
from issuance.i18n import transition_text
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
from issuance.label_svg import render_label_svg
from issuance.landing import render_landing_page
from issuance.model import Boundary, Grading, LabelClaims, Verification, VerifyStatus
from issuance.page import PAGE_CSS, AccreditationView, LabelPageView, pick_language, render_label_page
from issuance.qr import label_url, offline_url, render_qr
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

__all__ = [
    "PAGE_CSS",
    "AccreditationView",
    "Boundary",
    "Graded",
    "Grading",
    "GtinError",
    "IssuanceError",
    "KeyScope",
    "KeyState",
    "LabelClaims",
    "LabelPageView",
    "LogError",
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
    "Verification",
    "Verifier",
    "VerifyStatus",
    "allocate_indexes",
    "build_trust_list",
    "digest_prefix",
    "encode_claims",
    "ensure_master_key",
    "generate_signing_key",
    "grade",
    "grade_by_catalogue",
    "key_can_sign",
    "kid_of",
    "label_url",
    "load_master_key",
    "new_label_id",
    "normalize_gtin",
    "offline_url",
    "open_private_key",
    "parse_status_list_token",
    "peek",
    "pick_language",
    "render_directory_page",
    "render_label_page",
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
    "tlog",
    "token_from_b64url",
    "token_from_text",
    "token_to_b64url",
    "token_to_text",
    "transition_text",
    "verify",
    "withdraw",
    "withdrawal_refuses",
]
