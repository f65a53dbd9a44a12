"""CEL source compared as written but for layout: whitespace and ``//`` comments do not count."""

from __future__ import annotations


def _wordish(c: str) -> bool:
    return c.isalnum() or c == "_"


def _literal_end(source: str, i: int) -> int:
    """Where the string literal whose quote is at ``i`` ends (after its closing quote).

    A raw prefix (``r``, ``R``, possibly with ``b``/``B``) right before the quote turns
    escapes off; triple quotes are recognised.
    """
    raw = False
    k = i - 1
    while k >= 0 and i - k <= 2 and source[k] in "rRbB":
        raw = raw or source[k] in "rR"
        k -= 1
    quote = source[i : i + 3] if source[i : i + 3] in ("'''", '"""') else source[i]
    end, n = i + len(quote), len(source)
    while end < n:
        if not raw and source[end] == "\\":
            end += 2
            continue
        if source.startswith(quote, end):
            return end + len(quote)
        end += 1
    return end


def normalize_cel(source: str | None) -> str | None:
    """CEL source with insignificant whitespace and ``//`` comments removed.

    String literals (quoted, triple-quoted, raw) are kept verbatim; a space survives only
    between two identifier or number characters, where it separates tokens.
    """
    if source is None:
        return None
    out: list[str] = []
    i, n = 0, len(source)
    gap = False
    while i < n:
        c = source[i]
        if c in "'\"":
            end = _literal_end(source, i)
            out.append(source[i:end])
            gap, i = False, end
        elif c.isspace():
            gap, i = True, i + 1
        elif source.startswith("//", i):
            nl = source.find("\n", i)
            gap, i = True, (n if nl < 0 else nl)
        else:
            if gap and out and _wordish(out[-1][-1]) and _wordish(c):
                out.append(" ")
            out.append(c)
            gap, i = False, i + 1
    return "".join(out)
