"""``size`` and the string functions: ``contains``, ``startsWith``, ``endsWith``, cel-go's ``lowerAscii``,
``upperAscii``, ``trim``, and ``matches`` (RE2, patterns compiled at compile time)."""

from __future__ import annotations

from typing import Any, Final

from registry.packs.cel.errors import CelEvalError
from registry.packs.cel.runtime.base import _ovl


def size(v: Any) -> int:
    t = type(v)
    if t is str or t is list or t is tuple or t is dict or t is bytes:
        return len(v)
    raise _ovl("size", v)


def contains(s: Any, sub: Any) -> bool:
    if type(s) is str and type(sub) is str:
        return sub in s
    raise _ovl("contains", s, sub)


def startsWith(s: Any, p: Any) -> bool:
    if type(s) is str and type(p) is str:
        return s.startswith(p)
    raise _ovl("startsWith", s, p)


def endsWith(s: Any, p: Any) -> bool:
    if type(s) is str and type(p) is str:
        return s.endswith(p)
    raise _ovl("endsWith", s, p)


_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Go's unicode.IsSpace, which cel-go's trim() uses.
_SPACE: Final = (
    "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def lowerAscii(s: Any) -> str:
    if type(s) is str:
        return s.translate(_ASCII_LOWER)
    raise _ovl("lowerAscii", s)


def upperAscii(s: Any) -> str:
    if type(s) is str:
        return s.translate(_ASCII_UPPER)
    raise _ovl("upperAscii", s)


def trim(s: Any) -> str:
    if type(s) is str:
        return s.strip(_SPACE)
    raise _ovl("trim", s)


# Regular expressions: compiled by the compiler (a pattern must be a constant), looked up
# here by pattern text. RE2 guarantees linear-time matching.
try:
    import re2 as _re2mod
    from re2 import _re2 as _re2low

    _RE2_OPTIONS: Any = _re2mod.Options()
    _RE2_OPTIONS.never_capture = True
    _RE2_OPTIONS.log_errors = False
    _UNANCHORED: Any = _re2low.RE2.Anchor.UNANCHORED
except ImportError:  # pragma: no cover - google-re2 is a hard dependency
    _re2low = None

_REGEXES: dict[str, Any] = {}


def compile_regex(pattern: str) -> None:
    """Compile and register a pattern; raises ValueError with RE2's message if invalid."""
    if pattern in _REGEXES:
        return
    try:
        encoded = pattern.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("pattern is not valid Unicode") from None
    rx = _re2low.RE2(encoded, _RE2_OPTIONS)
    if not rx.ok():
        err = rx.error()
        raise ValueError(err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err))
    _REGEXES[pattern] = rx


def matches(s: Any, pattern: str) -> bool:
    if type(s) is not str:
        raise _ovl("matches", s, pattern)
    rx = _REGEXES.get(pattern)
    if rx is None:
        try:
            compile_regex(pattern)
        except ValueError as e:
            raise CelEvalError(f"invalid regular expression: {e}") from None
        rx = _REGEXES[pattern]
    try:
        data = s.encode("utf-8")
    except UnicodeEncodeError:
        raise CelEvalError("matches() argument is not valid Unicode") from None
    return bool(rx.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0)
