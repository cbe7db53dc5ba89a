"""The query catalogue (``queries/*.rq``) and the one function that runs any query.

A catalogue file opens with a ``#+`` YAML header (the grlc convention)::

    #+ title: {zh: 各地区重点工作覆盖, en: Key-task coverage by region}
    #+ description: {zh: …, en: …}
    #+ params: {region: {type: string, default: "330800", zh: 地区代码}}

Parameters are bound with pyoxigraph substitutions (SEP-0007), never pasted into text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import yaml
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Variable,
    serialize,
)

from policykg.core.config import QUERY_DIR
from policykg.core.errors import QueryError
from policykg.core.namespaces import PREFIXES, prefixes

from . import binding, tokens

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    text: str
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": self.params,
            "tags": list(self.tags),
            "text": self.text,
        }


def parse_header(text: str, where: str = "") -> dict[str, Any]:
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        return {}
    try:
        meta = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{where} 的 #+ 头部不是合法 YAML：{exc}", f"bad #+ header in {where}: {exc}") from exc
    if not isinstance(meta, dict):
        raise QueryError(f"{where} 的 #+ 头部应是键值对", f"#+ header of {where} must be a mapping")
    return meta


def load_query(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    meta = parse_header(text, str(path))

    def _lang(v: Any) -> dict[str, str]:
        return dict(v) if isinstance(v, dict) else ({"zh": str(v)} if v else {})

    return Query(
        name=path.stem,
        path=path,
        text=text,
        title=_lang(meta.get("title")),
        description=_lang(meta.get("description")),
        params=dict(meta.get("params") or {}),
        tags=tuple(meta.get("tags") or ()),
    )


def catalogue(query_dir: Path | str = QUERY_DIR) -> dict[str, Query]:
    """Top-level ``*.rq`` files, by name (checks/ and reports/ are not catalogue questions)."""
    out = {}
    for path in sorted(Path(query_dir).glob("*.rq")):
        if _NAME.match(path.stem):
            out[path.stem] = load_query(path)
    return out


def get(name: str, query_dir: Path | str = QUERY_DIR) -> Query:
    q = catalogue(query_dir).get(name)
    if q is None:
        raise QueryError(f"目录中没有名为 {name!r} 的查询", f"no catalogue query named {name!r}", status=404)
    return q


def resolve(file_or_text: str, query_dir: Path | str = QUERY_DIR) -> Query:
    """A ``.rq`` path, a catalogue name, or the query text itself, as a Query.

    Files and catalogue entries keep their ``#+`` header, so their parameters are typed and
    defaulted by :func:`bind` wherever they are run; bare text has no declared parameters.
    """
    p = Path(file_or_text)
    if len(file_or_text) < 4096 and "\n" not in file_or_text:
        if p.suffix == ".rq" and p.is_file():
            return load_query(p)
        cat = Path(query_dir) / f"{file_or_text}.rq"
        if _NAME.match(file_or_text) and cat.is_file():
            return load_query(cat)
    return Query(name="", path=Path(), text=file_or_text)


def resolve_text(file_or_text: str, query_dir: Path | str = QUERY_DIR) -> str:
    """A path, a catalogue name, or the query text itself."""
    return resolve(file_or_text, query_dir).text


# ------------------------------------------------------------------ running

def strip_comments(text: str) -> str:
    """Remove ``#`` comments outside IRIs and strings (good enough for keyword checks)."""
    out = []
    for line in text.splitlines():
        in_str: str | None = None
        in_iri = False
        for i, ch in enumerate(line):
            if in_str:
                if ch == in_str and line[i - 1] != "\\":
                    in_str = None
            elif in_iri:
                if ch == ">":
                    in_iri = False
            elif ch in "\"'":
                in_str = ch
            elif ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", line[i:]):
                in_iri = True
            elif ch == "#":
                line = line[:i]
                break
        out.append(line)
    return "\n".join(out)


def is_update(text: str) -> bool:
    """Whether the first keyword after the prologue (PREFIX, BASE, comments) starts an update."""
    return tokens.first_keyword(tokens.tokenize(text)) in tokens.UPDATE_WORDS


@dataclass
class Result:
    """One query's answer: ``kind`` is 'select', 'ask' or 'graph'."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)   # var -> pyoxigraph term
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)
    truncated: bool = False

    def values(self) -> list[dict[str, str | None]]:
        """Rows as plain strings (lexical forms / IRIs), for tests and tables."""
        return [{v: (r[v].value if r.get(v) is not None else None) for v in self.variables} for r in self.rows]

    def to_json(self) -> dict[str, Any]:
        """SPARQL 1.1 Query Results JSON (for SELECT and ASK)."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        bindings = []
        for r in self.rows:
            b = {}
            for v in self.variables:
                t = r.get(v)
                if t is not None:
                    b[v] = term_json(t)
            bindings.append(b)
        return {"head": {"vars": self.variables}, "results": {"bindings": bindings}}


def term_json(t: Any) -> dict[str, str]:
    if isinstance(t, NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def to_term(value: Any) -> Any:
    """A parameter value -> RDF term: IRIs in <…> become NamedNode, ints integers, rest strings."""
    if isinstance(value, (NamedNode, Literal, BlankNode)):
        return value
    if isinstance(value, bool):
        return Literal(str(value).lower(), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    s = str(value)
    if s.startswith("<") and s.endswith(">"):
        try:
            return NamedNode(s[1:-1])
        except ValueError as exc:
            raise QueryError(f"参数不是合法的 IRI：{s}", f"parameter is not a valid IRI: {s}") from exc
    return Literal(s)


def bind(query: Query, values: Mapping[str, Any]) -> dict[str, Any]:
    """Catalogue parameters -> substitutions, typed by the header (string, integer, iri).

    Missing values take the header's default; unknown names are an error.
    """
    out: dict[str, Any] = {}
    for name in values:
        if name not in query.params:
            raise QueryError(f"查询 {query.name} 没有参数 {name!r}", f"query {query.name} has no parameter {name!r}")
    for name, spec in query.params.items():
        spec = spec if isinstance(spec, dict) else {"default": spec}
        value = values.get(name, spec.get("default"))
        if value is None or value == "":
            continue
        kind = spec.get("type", "string")
        if kind == "integer":
            try:
                out[name] = int(value)
            except (TypeError, ValueError) as exc:
                raise QueryError(f"参数 {name} 应为整数：{value!r}", f"parameter {name} must be an integer: {value!r}") from exc
        elif kind == "iri":
            out[name] = to_term(value if str(value).startswith("<") else f"<{value}>")
        else:
            out[name] = str(value)
    return out


# The same texts come back again and again (the catalogue, the pages): their preparation is
# kept, as a prepared statement would be (for small queries it was a third of the time).

@lru_cache(maxsize=512)
def _is_update_cached(text: str) -> bool:
    return is_update(text)


@lru_cache(maxsize=512)
def _inline_cached(text: str, terms: tuple[tuple[str, Any], ...]) -> str:
    """``binding.inline``, kept per (text, bound terms): constants the planner can start from."""
    return binding.inline(text, dict(terms))


def run(
    store: Store,
    text: str,
    *,
    substitutions: Mapping[str, Any] | None = None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    max_rows: int | None = None,
) -> Result:
    """Run a SPARQL query on the store. The project's prefixes are pre-declared.

    Default graph = the merge of the named graphs (materialized by the store), unless
    ``default_graph`` lists some.
    Raises :class:`QueryError` for a syntax error (with line and column) or an update.
    """
    res = execute(store, text, substitutions=substitutions, default_graph=default_graph, named_graphs=named_graphs)
    with engine_errors():
        return collect(res, max_rows)


def run_json(
    store: Store,
    text: str,
    *,
    substitutions: Mapping[str, Any] | None = None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    max_rows: int | None = None,
) -> tuple[bytes, int] | Result:
    """As :func:`run`, but a SELECT answer comes back as SPARQL JSON serialized by pyoxigraph
    (in Rust) with its row count; any other answer, or one over ``max_rows``, as a :class:`Result`.

    Why: turning a few thousand solutions into Python terms and back into JSON took longer than
    the query itself (3,232 rows: 106 ms of 280 ms); the bytes are the same SPARQL JSON.
    """
    res = execute(store, text, substitutions=substitutions, default_graph=default_graph, named_graphs=named_graphs)
    with engine_errors():
        if not isinstance(res, QuerySolutions):
            return collect(res, max_rows)
        body = res.serialize(format=QueryResultsFormat.JSON) or b""
    count = json_row_count(body)
    if max_rows is not None and count > max_rows:
        return run(store, text, substitutions=substitutions, default_graph=default_graph,
                   named_graphs=named_graphs, max_rows=max_rows)
    return body, count


# A solution with a binding starts after "[" or "," with "{", a variable name and ":{". A JSON string
# holds no raw '"', so one can only end in "[{" or ",{", and what follows its closing quote
# (',"xml:lang"', ',"datatype"', '}') never reads as a name then ":{". A solution with nothing bound
# is "{}", which a string may hold: then the strings are blanked first and every "[{" / ",{" counted
# (inside the answer every other "{" follows ":").
_ROW_START = re.compile(rb'[\[,]\{"[^"]+":\{')
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def json_row_count(body: bytes) -> int:
    """Number of solutions in pyoxigraph's SPARQL JSON, by C regexes (no parsing into objects)."""
    at = body.find(b'"bindings":[')
    if at < 0:
        return 0
    at += len(b'"bindings":')
    if b"{}" not in body[at:]:
        return len(_ROW_START.findall(body, at))
    bare = _JSON_STRING.sub(b'""', body[at:])
    return bare.count(b"[{") + bare.count(b",{")


@contextmanager
def engine_errors() -> Iterator[None]:
    """pyoxigraph's errors (raised when the query is parsed, or later while its answer is read)
    as :class:`QueryError`."""
    try:
        yield
    except SyntaxError as exc:
        raise QueryError(f"查询语法错误：{exc}", f"query syntax error: {exc}", position=_position(exc)) from exc
    except (RuntimeError, ValueError, TypeError) as exc:
        raise QueryError(f"查询无法执行：{exc}", f"query cannot be evaluated: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"查询执行失败：{exc}", f"query failed: {exc}", status=500) from exc


def execute(
    store: Store,
    text: str,
    *,
    substitutions: Mapping[str, Any] | None = None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> Any:
    """The query parsed and started on the store: pyoxigraph's (lazy) answer. See :func:`run`."""
    if _is_update_cached(text):
        raise QueryError("只读图谱：不接受 SPARQL 更新", "read-only: SPARQL Update is not accepted", status=403)
    kwargs: dict[str, Any] = {"prefixes": prefixes()}
    try:
        if default_graph:
            kwargs["default_graph"] = [NamedNode(g) for g in default_graph]
        if named_graphs:
            kwargs["named_graphs"] = [NamedNode(g) for g in named_graphs]
    except ValueError as exc:
        raise QueryError(f"数据集中的图 IRI 不合法：{exc}", f"invalid graph IRI in the dataset: {exc}") from exc
    query = text
    if substitutions:
        terms = {k: to_term(v) for k, v in substitutions.items()}
        try:
            query = _inline_cached(text, tuple(sorted(terms.items())))
        except binding.NotInlinableError:
            kwargs["substitutions"] = {Variable(k): t for k, t in terms.items()}
    with engine_errors():
        try:
            return store.query(query, **kwargs)
        except SyntaxError:
            if query is text:
                raise
            # report the error at its place in the text the user wrote
            return store.query(text, **kwargs, substitutions={Variable(k): t for k, t in terms.items()})


def collect(res: Any, max_rows: int | None) -> Result:
    """pyoxigraph's query results (from a store or parsed from a SPARQL endpoint's answer) as a
    :class:`Result`, at most ``max_rows`` rows (``truncated`` says when more were left)."""
    if isinstance(res, QueryBoolean):
        return Result("ask", boolean=bool(res))
    if isinstance(res, QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = []
        truncated = False
        for sol in res:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append(dict(zip(variables, sol)))  # noqa: B905 - one term per variable; strict= costs 10%
        return Result("select", variables=variables, rows=rows, truncated=truncated)
    if isinstance(res, QueryTriples):
        triples = []
        truncated = False
        for t in res:
            if max_rows is not None and len(triples) >= max_rows:
                truncated = True
                break
            triples.append(t)
        return Result("graph", triples=triples, truncated=truncated)
    raise QueryError("未知的查询结果类型", "unknown query result type", status=500)


def _position(exc: SyntaxError) -> tuple[int, int] | None:
    m = re.search(r"(\d+):(\d+)", str(exc))
    return (int(m.group(1)), int(m.group(2))) if m else None


def serialize_result(result: Result, fmt: str) -> bytes:
    """Serialize a result. fmt: json|xml|csv|tsv for SELECT/ASK; turtle|ntriples|jsonld|rdfxml for graphs."""
    if result.kind == "graph":
        rdf = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES,
               "rdfxml": RdfFormat.RDF_XML, "jsonld": RdfFormat.JSON_LD}.get(fmt)
        if rdf is None:
            raise QueryError(f"图结果不支持格式 {fmt}", f"format {fmt} not available for graph results", status=406)
        if rdf == RdfFormat.TURTLE:
            # only the vocabulary prefixes: data IRIs (…/id/key-task/1) would need "\/" escapes
            # in prefixed names, which some readers (rdflib) get wrong
            return serialize(result.triples, format=rdf, prefixes=dict(PREFIXES)) or b""
        return serialize(result.triples, format=rdf) or b""
    if fmt == "json":
        return json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        return _xml(result)
    if fmt in ("csv", "tsv") and result.kind == "select":
        buf = io.StringIO()
        if fmt == "csv":
            w = csv.writer(buf, lineterminator="\r\n")
            w.writerow(result.variables)
            for r in result.rows:
                w.writerow([_csv_cell(r.get(v)) for v in result.variables])
        else:
            buf.write("\t".join("?" + v for v in result.variables) + "\n")
            for r in result.rows:
                buf.write("\t".join("" if r.get(v) is None else str(r[v]) for v in result.variables) + "\n")
        return buf.getvalue().encode("utf-8")
    if fmt in ("csv", "tsv") and result.kind == "ask":
        return ("_askResult\r\n" + ("true" if result.boolean else "false") + "\r\n").encode()
    raise QueryError(f"不支持的结果格式 {fmt}", f"unsupported result format {fmt}", status=406)


def _csv_cell(term: Any) -> str:
    """SPARQL 1.1 CSV: IRIs and literals as their plain value, blank nodes as ``_:label``."""
    if term is None:
        return ""
    return str(term) if isinstance(term, BlankNode) else term.value


def _xml(result: Result) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    for v in result.variables:
        out.append(f"<variable name={quoteattr(v)}/>")
    out.append("</head>\n")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return "".join(out).encode("utf-8")
    out.append("<results>\n")
    for r in result.rows:
        out.append("<result>")
        for v in result.variables:
            t = r.get(v)
            if t is None:
                continue
            j = term_json(t)
            if j["type"] == "uri":
                inner = f"<uri>{escape(j['value'])}</uri>"
            elif j["type"] == "bnode":
                inner = f"<bnode>{escape(j['value'])}</bnode>"
            else:
                attr = ""
                if "xml:lang" in j:
                    attr = f" xml:lang={quoteattr(j['xml:lang'])}"
                elif "datatype" in j:
                    attr = f" datatype={quoteattr(j['datatype'])}"
                inner = f"<literal{attr}>{escape(j['value'])}</literal>"
            out.append(f"<binding name={quoteattr(v)}>{inner}</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode("utf-8")
