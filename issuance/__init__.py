"""Graded carbon labels: signed tokens, signing keys, the trust list, status lists and offline verification.

The core is pure: time, keys and randomness are parameters. See docs/adr/0009-label-token.md.
"""

from .errors import GtinError, IssuanceError, SigningKeyError, StatusListError, TokenError, TrustListError
from .gtin import normalize_gtin
from .keys import (
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
)
from .model import Boundary, LabelClaims, Verification, VerifyStatus
from .status_list import (
    Status,
    StatusList,
    allocate_indexes,
    parse_status_list_token,
    sign_status_list,
    status_lists_from_tokens,
)
from .token import (
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
from .trust import TrustedKey, TrustList, build_trust_list, sign_trust_list
from .verify import verify

__all__ = [
    "Boundary",
    "GtinError",
    "IssuanceError",
    "KeyScope",
    "KeyState",
    "LabelClaims",
    "SigningKey",
    "SigningKeyError",
    "Status",
    "StatusList",
    "StatusListError",
    "TokenError",
    "TrustList",
    "TrustListError",
    "TrustedKey",
    "Verification",
    "VerifyStatus",
    "allocate_indexes",
    "build_trust_list",
    "digest_prefix",
    "encode_claims",
    "ensure_master_key",
    "generate_signing_key",
    "key_can_sign",
    "kid_of",
    "load_master_key",
    "new_label_id",
    "normalize_gtin",
    "open_private_key",
    "parse_status_list_token",
    "peek",
    "rotate",
    "seal_private_key",
    "sign_label",
    "sign_status_list",
    "sign_trust_list",
    "split_status_uri",
    "status_list_uri",
    "status_lists_from_tokens",
    "token_from_b64url",
    "token_from_text",
    "token_to_b64url",
    "token_to_text",
    "verify",
    "withdraw",
]
