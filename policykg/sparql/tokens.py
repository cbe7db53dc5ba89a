"""One SPARQL 1.1 tokenizer, read as the grammar's terminals (§19.8), in linear time.

Shared by the endpoint's guard (update / SERVICE / FROM / nesting checks), parameter
binding and :func:`policykg.sparql.queries.is_update`. It reads what the parser reads:

* whitespace is only space, tab, CR and LF (``WS``); a comment runs from ``#`` to CR or LF;
* IRIs (``IRIREF``) and strings (the four string forms) take ``\\uXXXX`` / ``\\UXXXXXXXX``
  escapes, strings also ``ECHAR`` (``\\t \\b \\n \\r \\f \\" \\' \\\\``): so
  ``<http://x/\\u0041#>`` is one IRI and its ``#`` starts no comment. Like Oxigraph, the
  escapes are not expanded anywhere else (``S\\u0045LECT`` is not a keyword);
* prefixed names follow ``PN_PREFIX``/``PN_LOCAL`` (``PLX`` escapes, inner dots), variables
  ``VAR1``/``VAR2``, blank nodes ``BLANK_NODE_LABEL``, language tags ``LANGTAG``.

Every quantifier is possessive or bounded by a lookahead, and an unterminated string ends
the scan (the rest is one ``error`` token), so a text of n characters costs O(n): the old
regex spent 35 s on 64 KB of ``a-a-…`` re-scanning each name run for a colon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
"""The keywords that open a SPARQL 1.1 Update operation (the one list, used everywhere)."""
OPENERS = {"{": "}", "(": ")", "[": "]"}

# PN_CHARS_BASE, PN_CHARS_U, PN_CHARS of the grammar
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
# PN_PREFIX ::= PN_CHARS_BASE ((PN_CHARS|'.')* PN_CHARS)?  -- dots only before another char
_PREFIX = rf"[{_BASE}](?:[{_CHARS}]++|\.++(?=[{_CHARS}]))*+"
# PN_LOCAL ::= (PN_CHARS_U|':'|[0-9]|PLX) ((PN_CHARS|'.'|':'|PLX)* (PN_CHARS|':'|PLX))?
_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]++|{_PLX}|\.++(?=[{_CHARS}:%\\]))*+"
_VARNAME = rf"[{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*+"

_TOKEN = re.compile(
    "|".join([
        r"(?P<ws>[ \t\r\n]++)",
        r"(?P<comment>#[^\r\n]*+)",
        rf'(?P<string>"""(?:(?:""?+)?+(?:[^"\\]|{_ECHAR}|{_UCHAR}))*+"""'
        rf"|'''(?:(?:''?+)?+(?:[^'\\]|{_ECHAR}|{_UCHAR}))*+'''"
        rf'|"(?:[^"\\\r\n]++|{_ECHAR}|{_UCHAR})*+"'
        rf"|'(?:[^'\\\r\n]++|{_ECHAR}|{_UCHAR})*+')",
        rf'(?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]++|{_UCHAR})*+>)',
        rf"(?P<var>[?$]{_VARNAME})",
        rf"(?P<bnode>_:[{_U}0-9](?:[{_CHARS}]++|\.++(?=[{_CHARS}]))*+)",
        r"(?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)",
        rf"(?P<name>{_PREFIX}(?::(?:{_LOCAL})?+)?+|:(?:{_LOCAL})?+)",
        r"(?P<number>[0-9]*+\.[0-9]++(?:[eE][+-]?+[0-9]++)?+|[0-9]++(?:\.[0-9]*+)?+[eE][+-]?+[0-9]++|[0-9]++)",
        r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/|^?$@&])",
        r"(?P<open>[\"'])",
        r"(?P<other>.)",
    ]),
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    """``kind``: ws comment string iri var bnode lang pname word number punct error other."""

    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """All tokens, whitespace and comments included; their texts join back to ``text``.

    A quote that opens no complete string (an error for the parser too) makes the rest of
    the text one ``error`` token.
    """
    out: list[Token] = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        kind = m.lastgroup or "other"
        tok = m.group()
        if kind == "name":
            kind = "pname" if ":" in tok else "word"
        elif kind == "open":
            out.append(Token("error", text[pos:], pos))
            break
        out.append(Token(kind, tok, pos))
        pos += len(tok)
    return out


def significant(tokens: list[Token]) -> list[Token]:
    """Without whitespace and comments."""
    return [t for t in tokens if t.kind not in ("ws", "comment")]


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of a character offset (lines end at LF)."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


@dataclass(frozen=True, slots=True)
class Depth:
    """The deepest bracket nesting ({ ( [ together), where it is reached, and the longest
    run of prefix operators (``! - + ^``, each a level of the parser's recursion)."""

    depth: int
    pos: int
    unary: int
    unary_pos: int


def nesting(tokens: list[Token]) -> Depth:
    depth = best = best_pos = 0
    run = best_run = run_pos = 0
    prev_operand = False
    for t in tokens:
        if t.kind in ("ws", "comment"):
            continue
        if t.kind == "punct" and t.text in OPENERS:
            depth += 1
            if depth > best:
                best, best_pos = depth, t.pos
        elif t.kind == "punct" and t.text in ("}", ")", "]"):
            depth = max(0, depth - 1)
        if t.kind == "punct" and t.text in ("!", "-", "+", "^", "^^") and not prev_operand:
            run += len(t.text)
            if run > best_run:
                best_run, run_pos = run, t.pos
        else:
            run = 0
        prev_operand = t.kind in ("var", "iri", "pname", "string", "number", "bnode", "lang", "word") or (
            t.kind == "punct" and t.text in (")", "]", "}"))
    return Depth(best, best_pos, best_run, run_pos)


def keyword(tok: Token) -> str:
    """The upper-cased text of a word token ('' for any other kind)."""
    return tok.text.upper() if tok.kind == "word" else ""


def first_keyword(tokens: list[Token]) -> str:
    """The first keyword after the prologue (BASE <iri> / PREFIX p: <iri>), upper-cased."""
    sig = significant(tokens)
    i = 0
    while i < len(sig):
        word = keyword(sig[i])
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            return word
    return ""
