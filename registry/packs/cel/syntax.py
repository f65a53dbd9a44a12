"""Parse CEL with cel-python's lark grammar and convert the tree to a small AST.

Literals are decoded here (escapes, number ranges). The conversion walks left-recursive
chains (``a || b || c``, ``a.b.c``, ``!!x``) iteratively and bounds the nesting depth, so
hostile input cannot exhaust the Python stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import lark
from celpy.celparser import CELParseError, CELParser

from registry.packs.cel.errors import CelCompileError, CelSyntaxError
from registry.packs.cel.values import INT_MAX, INT_MIN, UINT_MAX, CelUint

MAX_DEPTH: Final = 100  # AST levels; CEL requires at least 32 levels of nesting
MAX_PARENS: Final = 100

RESERVED: Final = frozenset(
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import",
        "let", "loop", "package", "namespace", "return", "var", "void", "while", "in",
        "true", "false", "null",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Node:
    line: int | None
    column: int | None


@dataclass(frozen=True, slots=True)
class Lit(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Ident(Node):
    name: str
    root: bool = False  # written with a leading dot: resolve in the root scope only


@dataclass(frozen=True, slots=True)
class Select(Node):
    operand: Node
    field: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    operand: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    target: Node | None  # receiver (or namespace) for ``x.f(...)``
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class MapLit(Node):
    entries: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True, slots=True)
class Cond(Node):
    cond: Node
    then: Node
    other: Node


@dataclass(frozen=True, slots=True)
class Logic(Node):
    op: str  # "&&" or "||"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "!" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%"
    left: Node
    right: Node


_REL_OPS: Final = {
    "relation_lt": "<",
    "relation_le": "<=",
    "relation_gt": ">",
    "relation_ge": ">=",
    "relation_eq": "==",
    "relation_ne": "!=",
    "relation_in": "in",
    "addition_add": "+",
    "addition_sub": "-",
    "multiplication_mul": "*",
    "multiplication_div": "/",
    "multiplication_mod": "%",
}
_WRAPPERS: Final = frozenset(
    {
        "expr", "conditionalor", "conditionaland", "relation", "addition",
        "multiplication", "unary", "member", "primary",
    }
)  # fmt: skip
_BINARY_RULES: Final = frozenset({"relation", "addition", "multiplication"})


def parse(source: str) -> Node:
    """Parse CEL source into an AST. Raises CelSyntaxError or CelCompileError."""
    try:
        tree = CELParser().parse(source)
    except CELParseError as e:
        raise _syntax_error(e) from None
    except lark.exceptions.LarkError as e:  # pragma: no cover - defensive
        raise CelSyntaxError(f"syntax error: {type(e).__name__}") from None
    except RecursionError:  # pragma: no cover - lark is iterative, but be safe
        raise CelSyntaxError("expression is nested too deeply") from None
    try:
        return _Converter(source).convert(tree, 0, (1, 1))
    except RecursionError:  # pragma: no cover - the depth limits come first
        raise CelCompileError("expression is nested too deeply") from None


def _syntax_error(e: CELParseError) -> CelSyntaxError:
    cause = e.__context__
    line = getattr(e, "line", None)
    column = getattr(e, "column", None)
    if isinstance(cause, lark.exceptions.UnexpectedCharacters):
        message = f"unexpected character {cause.char!r}"
    elif isinstance(cause, lark.exceptions.UnexpectedEOF):
        message = "unexpected end of expression"
    elif isinstance(cause, lark.exceptions.UnexpectedToken):
        token = cause.token
        message = "unexpected end of expression" if token.type == "$END" else f"unexpected {token.value!r}"
    else:
        message = "syntax error"
    if not isinstance(line, int) or line < 1:
        line = None
    if not isinstance(column, int) or column < 1:
        column = None
    return CelSyntaxError(message, line, column)


def _pos(t: Any, default: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    if isinstance(t, lark.Token):
        return (t.line, t.column)
    meta = getattr(t, "meta", None)
    if meta is not None and not meta.empty:
        return (meta.line, meta.column)
    return default


class _Converter:
    def __init__(self, source: str) -> None:
        self.source = source
        self.parens = 0

    def op_position(
        self, left: Any, right: Any, op: str, default: tuple[int | None, int | None]
    ) -> tuple[int | None, int | None]:
        """Where the operator between two operands is (lark drops operator tokens)."""
        lmeta = getattr(left, "meta", None)
        rmeta = getattr(right, "meta", None)
        if lmeta is None or rmeta is None or lmeta.empty or rmeta.empty:
            return default
        offset = self.source.find(op, lmeta.end_pos, rmeta.start_pos)
        if offset < 0:
            return default
        line = self.source.count("\n", 0, offset) + 1
        return (line, offset - self.source.rfind("\n", 0, offset))

    def convert(self, t: Any, depth: int, pos: tuple[int | None, int | None]) -> Node:
        if depth > MAX_DEPTH:
            line, col = _pos(t, pos)
            raise CelCompileError(f"expression is nested more than {MAX_DEPTH} levels", line, col)
        # Unwrap single-child precedence rules iteratively.
        while (
            isinstance(t, lark.Tree)
            and t.data in _WRAPPERS
            and len(t.children) == 1
            and isinstance(t.children[0], lark.Tree)
        ):
            t = t.children[0]
        pos = _pos(t, pos)
        line, col = pos
        data = t.data
        ch = t.children
        d = depth + 1

        if data == "expr":  # cond ? a : b
            return Cond(
                line,
                col,
                self.convert(ch[0], d, pos),
                self.convert(ch[1], d, pos),
                self.convert(ch[2], d, pos),
            )
        if data in ("conditionalor", "conditionaland"):
            op = "||" if data == "conditionalor" else "&&"
            parts: list[Any] = []
            while isinstance(t, lark.Tree) and t.data == data and len(t.children) == 2:
                parts.append(t.children[1])
                t = t.children[0]
            parts.append(t)
            parts.reverse()
            return Logic(line, col, op, tuple(self.convert(p, d, pos) for p in parts))
        if data in _BINARY_RULES:
            chain: list[tuple[str, Any, tuple[int | None, int | None]]] = []
            while isinstance(t, lark.Tree) and t.data == data and len(t.children) == 2:
                op_tree, right = t.children
                op = _REL_OPS[op_tree.data]
                left = op_tree.children[0]
                chain.append((op, right, self.op_position(left, right, op, _pos(op_tree, pos))))
                t = left
            if len(chain) + depth > MAX_DEPTH:
                raise CelCompileError(f"expression is nested more than {MAX_DEPTH} levels", line, col)
            node = self.convert(t, d, pos)
            for op, right, opos in reversed(chain):
                node = Binary(opos[0], opos[1], op, node, self.convert(right, d, pos))
            return node
        if data == "unary":
            ops: list[tuple[str, tuple[int | None, int | None]]] = []
            while isinstance(t, lark.Tree) and t.data == "unary" and len(t.children) == 2:
                ops.append(("!" if t.children[0].data == "unary_not" else "-", _pos(t, pos)))
                t = t.children[1]
            if len(ops) + depth > MAX_DEPTH:
                raise CelCompileError(f"expression is nested more than {MAX_DEPTH} levels", line, col)
            node = self.convert(t, d, pos)
            for op, opos in reversed(ops):
                node = Unary(opos[0], opos[1], op, node)
            return node
        if data in ("member_dot", "member_dot_arg", "member_index", "member_object"):
            return self._member_chain(t, depth, pos)
        return self._primary(t, depth, pos)

    def _member_chain(self, t: Any, depth: int, pos: tuple[int | None, int | None]) -> Node:
        steps: list[Any] = []
        while isinstance(t, lark.Tree):
            if t.data == "member" and len(t.children) == 1:
                t = t.children[0]
                continue
            if t.data in ("member_dot", "member_dot_arg", "member_index", "member_object"):
                steps.append(t)
                t = t.children[0]
                continue
            break
        if len(steps) + depth > MAX_DEPTH:
            line, col = _pos(t, pos)
            raise CelCompileError(f"expression is nested more than {MAX_DEPTH} levels", line, col)
        d = depth + 1
        node = self.convert(t, d, pos)
        for step in reversed(steps):
            spos = _pos(step, pos)
            line, col = spos
            data = step.data
            if data == "member_dot":
                name_tok = step.children[1]
                line, col = _pos(name_tok, spos)
                node = Select(line, col, node, self._ident(name_tok))
            elif data == "member_dot_arg":
                name_tok = step.children[1]
                args = self._exprlist(step.children[2], d, spos) if len(step.children) > 2 else ()
                line, col = _pos(name_tok, spos)
                node = Call(line, col, node, str(name_tok.value), args)
            elif data == "member_index":
                node = Index(line, col, node, self.convert(step.children[1], d, spos))
            else:
                raise CelCompileError("message construction is not supported", line, col)
        return node

    def _primary(self, t: Any, depth: int, pos: tuple[int | None, int | None]) -> Node:
        line, col = pos
        data = t.data
        ch = t.children
        d = depth + 1
        if data == "literal":
            return Lit(line, col, _literal(ch[0]))
        if data == "ident":
            return Ident(line, col, self._ident(ch[0]))
        if data == "dot_ident":
            return Ident(line, col, self._ident(ch[0]), root=True)
        if data in ("ident_arg", "dot_ident_arg"):
            args = self._exprlist(ch[1], d, pos) if len(ch) > 1 else ()
            return Call(line, col, None, str(ch[0].value), args)
        if data == "paren_expr":
            # parentheses add no AST level, but still bound the recursion
            self.parens += 1
            try:
                if self.parens > MAX_PARENS:
                    raise CelCompileError(f"expression has more than {MAX_PARENS} nested parentheses", line, col)
                return self.convert(ch[0], depth, pos)
            finally:
                self.parens -= 1
        if data == "list_lit":
            items = self._exprlist(ch[0], d, pos) if ch else ()
            return ListLit(line, col, items)
        if data == "map_lit":
            entries: list[tuple[Node, Node]] = []
            if ch:
                inits = ch[0].children
                for i in range(0, len(inits), 2):
                    entries.append((self.convert(inits[i], d, pos), self.convert(inits[i + 1], d, pos)))
            return MapLit(line, col, tuple(entries))
        if data == "member_object":  # pragma: no cover - handled in _member_chain
            raise CelCompileError("message construction is not supported", line, col)
        raise CelCompileError(f"unsupported syntax: {data}", line, col)  # pragma: no cover

    def _exprlist(self, t: Any, depth: int, pos: tuple[int | None, int | None]) -> tuple[Node, ...]:
        return tuple(self.convert(c, depth, pos) for c in t.children)

    @staticmethod
    def _ident(tok: Any) -> str:
        name = str(tok.value)
        if name in RESERVED:
            raise CelSyntaxError(f"reserved identifier {name!r}", tok.line, tok.column)
        return name


# --------------------------------------------------------------------------- literals


def _literal(tok: Any) -> Any:
    kind = tok.type
    text = str(tok.value)
    try:
        if kind == "INT_LIT":
            return _int_literal(text)
        if kind == "UINT_LIT":
            return _uint_literal(text[:-1])
        if kind == "FLOAT_LIT":
            return float(text)
        if kind in ("STRING_LIT", "MLSTRING_LIT", "BYTES_LIT"):
            return decode_string_literal(text)
        if kind == "BOOL_LIT":
            return text == "true"
        if kind == "NULL_LIT":
            return None
    except _LiteralError as e:
        raise CelSyntaxError(str(e), tok.line, tok.column) from None
    raise CelSyntaxError(f"unsupported literal {text!r}", tok.line, tok.column)


class _LiteralError(Exception):
    pass


def _parse_int_text(text: str) -> int:
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if len(body) > 40:
        raise _LiteralError(f"integer literal {text} is out of range")
    value = int(body[2:], 16) if body[:2] in ("0x", "0X") else int(body, 10)
    return -value if negative else value


def _int_literal(text: str) -> int:
    value = _parse_int_text(text)
    if not INT_MIN <= value <= INT_MAX:
        raise _LiteralError(f"integer literal {text} is out of the int64 range")
    return value


def _uint_literal(text: str) -> CelUint:
    value = _parse_int_text(text)
    if text.startswith("-") or not 0 <= value <= UINT_MAX:
        raise _LiteralError(f"unsigned integer literal {text}u is out of the uint64 range")
    return CelUint(value)


_SIMPLE_ESCAPES: Final = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "?": "?",
    '"': '"',
    "'": "'",
    "`": "`",
}
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def decode_string_literal(text: str) -> str | bytes:
    """Decode a CEL string or bytes literal token, e.g. ``r'\\d+'`` or ``b"\\xff"``."""
    i = 0
    is_bytes = raw = False
    while i < len(text) and text[i] in "rRbB":
        if text[i] in "bB":
            is_bytes = True
        else:
            raw = True
        i += 1
    quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else text[i]
    body = text[i + len(quote) : len(text) - len(quote)]
    if len(quote) == 1 and ("\n" in body or "\r" in body):
        raise _LiteralError("newline in a single-quoted string literal")
    if raw:
        return _finish(body, is_bytes)
    out: list[str] = []  # for bytes: code points < 256 stand for raw octets
    octets: list[bool] = []  # parallel to out for bytes: True if a raw octet escape
    j = 0
    n = len(body)
    while j < n:
        c = body[j]
        if c != "\\":
            out.append(c)
            octets.append(False)
            j += 1
            continue
        if j + 1 >= n:
            raise _LiteralError("string literal ends with a lone backslash")
        e = body[j + 1]
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
            octets.append(False)
            j += 2
        elif e in "xX":
            digits = body[j + 2 : j + 4]
            if len(digits) != 2 or not set(digits) <= _HEX:
                raise _LiteralError("invalid \\x escape")
            out.append(chr(int(digits, 16)))
            octets.append(True)
            j += 4
        elif e in "uU":
            if is_bytes:
                raise _LiteralError(f"\\{e} escapes are not allowed in bytes literals")
            width = 4 if e == "u" else 8
            digits = body[j + 2 : j + 2 + width]
            if len(digits) != width or not set(digits) <= _HEX:
                raise _LiteralError(f"invalid \\{e} escape")
            cp = int(digits, 16)
            j += 2 + width
            if 0xD800 <= cp <= 0xDBFF and body[j : j + 2] == "\\u":
                low_digits = body[j + 2 : j + 6]
                if len(low_digits) == 4 and set(low_digits) <= _HEX:
                    low = int(low_digits, 16)
                    if 0xDC00 <= low <= 0xDFFF:
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                        j += 6
            if 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF:
                raise _LiteralError(f"invalid Unicode code point U+{cp:04X} in string literal")
            out.append(chr(cp))
            octets.append(False)
        elif e in "0123":
            digits = body[j + 1 : j + 4]
            if len(digits) != 3 or not set(digits) <= set("01234567"):
                raise _LiteralError("invalid octal escape")
            out.append(chr(int(digits, 8)))
            octets.append(True)
            j += 4
        else:
            raise _LiteralError(f"invalid escape sequence \\{e}")
    if not is_bytes:
        return _finish("".join(out), False)
    data = bytearray()
    for piece, octet in zip(out, octets, strict=True):
        if octet:
            data.append(ord(piece))
        else:
            data += _utf8(piece)
    return bytes(data)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise _LiteralError("string literal is not valid Unicode") from None


def _finish(body: str, is_bytes: bool) -> str | bytes:
    data = _utf8(body)  # rejects lone surrogates
    return data if is_bytes else body
