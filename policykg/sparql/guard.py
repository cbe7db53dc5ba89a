"""What a SPARQL request asks for, read from its tokens before anything runs.

Built on the one tokenizer :mod:`policykg.sparql.tokens` (the grammar's terminals, linear
time), so ``"service"`` in a string, ``pk:service`` or ``?service`` never trip a refusal,
while the ``SERVICE`` keyword always does, however it is written: any case, after a
comment, glued to a keyword (Oxigraph reads ``trueSERVICE`` as ``true SERVICE``: a bare word
holding SERVICE is refused), next to an IRI with ``\\u`` escapes (read as the IRI they are).
:func:`inspect` gives the query form, whether it is an update, whether it federates, the
dataset its FROM / FROM NAMED clauses name (resolved against BASE, else the service base)
and its nesting depth.

Refusals (:func:`check_query`), before any native parser sees the text:
  400  an unterminated string; nesting deeper than MAX_DEPTH (Oxigraph's recursive parser
       overflows its stack at ~2,190 nested braces or ~4,670 parentheses and kills the
       process); a prefix-operator run longer than MAX_UNARY; SERVICE; a FROM IRI that is
       not a valid absolute IRI once resolved
  403  SPARQL Update
Defence in depth: workers run the same check on the text they execute, and have no network
(:mod:`server.worker`, when the kernel allows it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from policykg.core.errors import QueryError
from policykg.core.namespaces import prefixes

from . import tokens as tk
from .tokens import QUERY_FORMS, UPDATE_WORDS, Token

__all__ = ["QUERY_FORMS", "UPDATE_WORDS", "Token", "QueryInfo", "tokenize", "significant", "inspect",
           "check_query", "check_iri", "MAX_DEPTH", "MAX_UNARY"]

MAX_DEPTH = 64      # nested { ( [ : the catalogue's deepest query uses 7, the W3C suite 9
MAX_UNARY = 64      # ! - + ^ in a row
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\\u00A0\u3000\u2000-\u200B]*$")


@dataclass
class QueryInfo:
    """What the tokens say. ``form`` is SELECT/CONSTRUCT/DESCRIBE/ASK, an update word, or None."""

    form: str | None = None
    is_update: bool = False
    has_service: bool = False
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    unterminated: bool = False
    error_pos: int = -1
    depth: tk.Depth = tk.Depth(0, 0, 0, 0)
    bad_iri: str | None = None
    text: str = ""

    @property
    def kind(self) -> str | None:
        """'select' | 'ask' | 'graph' (CONSTRUCT/DESCRIBE) | None."""
        return {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(self.form or "")


def tokenize(text: str) -> list[Token]:
    """All tokens, whitespace and comments included (their texts join back to ``text``)."""
    return tk.tokenize(text)


def significant(text: str) -> list[Token]:
    return tk.significant(tk.tokenize(text))


def inspect(text: str, base: str | None = None) -> QueryInfo:
    """Read ``text``; relative FROM IRIs resolve against its BASE, else ``base`` (the service's)."""
    all_tokens = tk.tokenize(text)
    toks = tk.significant(all_tokens)
    info = QueryInfo(text=text, depth=tk.nesting(all_tokens))
    decl: dict[str, str] = {}
    i = 0
    # Prologue: BASE <iri> / PREFIX p: <iri>, in any order.
    while i < len(toks) and tk.keyword(toks[i]) in ("BASE", "PREFIX"):
        if tk.keyword(toks[i]) == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = _resolve_iri(toks[i + 1].text[1:-1], base)
            i += 2
        elif i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            decl[toks[i + 1].text.split(":", 1)[0]] = toks[i + 2].text[1:-1]
            i += 3
        else:
            break
    word = tk.keyword(toks[i]) if i < len(toks) else ""
    if word in QUERY_FORMS or word in UPDATE_WORDS:
        info.form = word
        info.is_update = word in UPDATE_WORDS
    known = {**prefixes(), **decl}
    for j, t in enumerate(toks):
        if t.kind == "error":
            info.unterminated, info.error_pos = True, t.pos
            break
        if t.kind != "word":
            continue
        word = t.text.upper()
        if "SERVICE" in word:
            info.has_service = True
        elif word in UPDATE_WORDS and j > 0 and toks[j - 1].text == ";":
            info.is_update = True       # a second operation of an update request
        elif word == "FROM" and j + 1 < len(toks):
            named = tk.keyword(toks[j + 1]) == "NAMED"
            target = toks[j + 2] if named and j + 2 < len(toks) else toks[j + 1]
            iri = _resolve(target, known, base)
            if iri is not None:
                if not _ABSOLUTE.match(iri) and info.bad_iri is None:
                    info.bad_iri = iri
                (info.from_named if named else info.from_graphs).append(iri)
    return info


def _unescape_uchar(s: str) -> str:
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                  lambda m: _chr(int(m.group(1) or m.group(2), 16)), s)


def _chr(code: int) -> str:
    return chr(code) if code <= 0x10FFFF else "\uFFFD"


def _resolve_iri(iri: str, base: str | None) -> str:
    iri = _unescape_uchar(iri)
    if base and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return urljoin(base, iri)
    return iri


def _resolve(tok: Token, known: dict[str, str], base: str | None) -> str | None:
    if tok.kind == "iri":
        return _resolve_iri(tok.text[1:-1], base)
    if tok.kind == "pname":
        p, _, local = tok.text.partition(":")
        if p in known:
            return known[p] + re.sub(r"\\(.)", r"\1", local)
    return None


@lru_cache(maxsize=512)
def _inspect_cached(text: str, base: str | None) -> QueryInfo:
    """The same text gives the same answer: a repeated query (most of a server's traffic, the
    catalogue and the pages) skips the tokenizer."""
    return inspect(text, base)


def check_iri(iri: str, what: str) -> None:
    """400 unless ``iri`` is an absolute IRI (no spaces, no ``<>"{}|^`\\``, a scheme)."""
    if not _ABSOLUTE.match(iri):
        shown = iri if len(iri) <= 200 else iri[:200] + "…"
        raise QueryError(f"{what} 不是合法的绝对 IRI：{shown!r}", f"{what} is not a valid absolute IRI: {shown!r}",
                         status=400)


def check_query(text: str, base: str | None = None) -> QueryInfo:
    """Refuse what a read-only, closed endpoint must not run; return what the query is.

    Raises :class:`QueryError`: 403 for an update, 400 for SERVICE, an unterminated string,
    too deep a nesting or a bad FROM IRI. Other syntax errors are left to the engine (it
    names line and column).
    """
    info = _inspect_cached(text, base)
    if info.is_update:
        raise QueryError(
            "只读端点：不接受 SPARQL 更新（INSERT、DELETE、LOAD、CLEAR、DROP、CREATE、ADD、MOVE、COPY）",
            "read-only endpoint: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) "
            "is not accepted", status=403)
    if info.unterminated:
        line, col = tk.line_col(text, info.error_pos)
        raise QueryError(f"查询语法错误：第 {line} 行第 {col} 列的字符串没有结束",
                         f"query syntax error: unterminated string at line {line}, column {col}",
                         status=400, position=(line, col))
    if info.depth.depth > MAX_DEPTH or info.depth.unary > MAX_UNARY:
        deep = info.depth.depth > MAX_DEPTH
        line, col = tk.line_col(text, info.depth.pos if deep else info.depth.unary_pos)
        what_zh, what_en, limit = (("括号嵌套", "brackets nested", MAX_DEPTH) if deep
                                   else ("连续的一元运算符", "prefix operators in a row", MAX_UNARY))
        raise QueryError(f"查询嵌套过深：{what_zh}超过 {limit} 层（第 {line} 行第 {col} 列）",
                         f"query nested too deeply: more than {limit} {what_en} (line {line}, column {col})",
                         status=400, position=(line, col))
    if info.has_service:
        raise QueryError(
            "不允许联邦查询：本端点不执行 SERVICE 子句（不会访问其他服务器）",
            "federated queries are not allowed: this endpoint does not run SERVICE clauses "
            "(it never contacts other servers)", status=400)
    if info.bad_iri is not None:
        check_iri(info.bad_iri, "FROM")
    return info
