"""ORDER BY keys that give pyoxigraph 0.5.13 a total order (its sort aborts the process otherwise).

Why. Oxigraph compares two numeric literals by value but a numeric literal and a literal of
another kind (a string, a language-tagged string, a date, a custom datatype…) by their
lexical forms. Where value order and lexical order disagree that is no order at all:
``2 < 113`` (values), ``113 < "113a"`` and ``"113a" < 2`` (texts). Rust's sort notices
and panics ("user-provided comparison function does not correctly implement a total
order") on one of Oxigraph's threads, which cannot unwind: SIGABRT, the worker is gone.
``SELECT * WHERE { ?X foaf:knows* ?Y } ORDER BY ?X ?Y`` meets every term of the store.

What. Each ORDER BY condition ``E`` (``ASC(E)``, ``DESC(E)``) is preceded by a key with the
same direction that puts each kind of literal in its own group::

    IF(isNumeric(E), IF(E = E, "", "NaN"), CONCAT(STR(DATATYPE(E)), COALESCE(IF(TZ(E) = "", " local", ""), "")))

so Oxigraph only ever compares literals of one datatype with each other (numerics together,
by value; NaN apart), and dates and times without a timezone apart from those with one
(XSD orders them only partially: ``T10:00`` is neither before nor after ``T06:00Z``, and
mixing them aborts the sort too). The key is an error, i.e. unbound, for IRIs, blank nodes and an
unbound ``E``, so they keep their SPARQL 1.1 places (§15.1: unbound < blank nodes < IRIs <
literals) and are ordered among themselves by ``E``. SPARQL defines no order between
literals that ``<`` cannot compare (a number and a string), so grouping them is as correct
as interleaving them; everywhere ``<`` is defined — and so for every ORDER BY over one kind
of value, as all the catalogue's queries are — the order is exactly the one before.
A condition this module does not recognise leaves the query as it was.
"""

from __future__ import annotations

from functools import lru_cache

from .tokens import Token, keyword, significant, tokenize

_ENDS = frozenset({"LIMIT", "OFFSET", "VALUES"})


def key(expr: str) -> str:
    """The datatype-group key of an ORDER BY expression (module docstring)."""
    return (f'IF(isNumeric({expr}), IF({expr} = {expr}, "", "NaN"), '
            f'CONCAT(STR(DATATYPE({expr})), COALESCE(IF(TZ({expr}) = "", " local", ""), "")))')


def _close(sig: list[Token], k: int) -> int | None:
    depth = 0
    for m in range(k, len(sig)):
        if sig[m].kind == "punct" and sig[m].text == "(":
            depth += 1
        elif sig[m].kind == "punct" and sig[m].text == ")":
            depth -= 1
            if depth == 0:
                return m
    return None


def _conditions(text: str, sig: list[Token], start: int) -> tuple[list[tuple[int, int, str]], bool]:
    """The ORDER BY conditions from ``sig[start]``: (first, last token, replacement) each,
    and whether every one was understood."""
    out: list[tuple[int, int, str]] = []
    k = start
    while k < len(sig):
        t = sig[k]
        word = keyword(t)
        if word in _ENDS or (t.kind == "punct" and t.text == "}"):
            break
        if t.kind == "var":
            out.append((k, k, f"ASC({key(t.text)}) {t.text}"))
            k += 1
            continue
        direction = "ASC"
        if word in ("ASC", "DESC") and k + 1 < len(sig) and sig[k + 1].text == "(":
            direction, first, body_open = word, k, k + 1
        elif t.kind == "punct" and t.text == "(":
            first, body_open = k, k
        elif t.kind in ("word", "pname", "iri") and k + 1 < len(sig) and sig[k + 1].text == "(":
            first, body_open = k, k + 1
        else:
            return out, False
        end = _close(sig, body_open)
        if end is None:
            return out, False
        if word in ("ASC", "DESC"):
            expr = text[sig[body_open].pos + 1:sig[end].pos]          # inside ASC( … )
        else:
            expr = text[sig[first].pos:sig[end].pos + 1]              # ( … ) or f( … ) as written
        out.append((first, end, f"{direction}({key(expr)}) {direction}({expr})"))
        k = end + 1
    return out, bool(out)


@lru_cache(maxsize=512)
def total_order(text: str) -> str:
    """``text`` with every ORDER BY condition preceded by its datatype-group key, or ``text``
    itself when it has no ORDER BY or one this module does not understand."""
    upper = text.upper()
    if "ORDER" not in upper:
        return text
    toks = tokenize(text)
    if any(t.kind == "error" for t in toks):
        return text
    sig = significant(toks)
    edits: list[tuple[int, int, str]] = []
    for i in range(len(sig) - 1):
        if keyword(sig[i]) == "ORDER" and keyword(sig[i + 1]) == "BY":
            conds, ok = _conditions(text, sig, i + 2)
            if not ok:
                return text
            edits += [(sig[a].pos, sig[b].pos + len(sig[b].text), new) for a, b, new in conds]
    if not edits:
        return text
    out, last = [], 0
    for start, end, new in sorted(edits):
        out += [text[last:start], new]
        last = end
    out.append(text[last:])
    return "".join(out)
