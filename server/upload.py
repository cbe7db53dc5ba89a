"""Graph Store uploads, parsed safely: size per format, nesting depth, then a child process.

The server process never runs a native parser on untrusted bytes (issue 19: a JSON-LD
upload nested 5,000 deep segfaulted pyoxigraph and took the whole server down). Before
anything parses, in Python and in linear time:

* the size is checked against the cap of its format (:data:`MAX_BYTES`, 413);
* the nesting is measured (:data:`MAX_DEPTH` levels, 400): JSON arrays/objects for
  JSON-LD, elements for RDF/XML, ``[`` / ``(`` for Turtle (tokens read as the SPARQL
  tokenizer reads them: strings, IRIs and comments do not count);
* RDF/XML elements may carry at most :data:`MAX_XML_ATTRIBUTES` attributes (pyoxigraph's
  attribute handling is quadratic: 10,000 attributes took 0.23 s, 150,000 about a minute).

Then a spawned child (memory-capped with RLIMIT_AS, killed after PARSE_TIMEOUT_S) parses
the upload and hands back N-Triples, which the server reads (its own flat serialisation,
not the client's bytes). Errors keep their line and column.
"""

from __future__ import annotations

import re
import resource
from typing import Any

from pyoxigraph import RdfFormat, parse

from policykg import pool
from policykg.core.errors import QueryError
from policykg.sparql import tokens as tk

MAX_BYTES = {"turtle": 32 << 20, "ntriples": 32 << 20, "rdfxml": 4 << 20, "jsonld": 8 << 20}
MAX_DEPTH = 64
MAX_XML_ATTRIBUTES = 256
PARSE_TIMEOUT_S = 60.0
CHILD_MEMORY_BYTES = 4 << 30
FORMAT_NAMES = {"turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF/XML", "jsonld": "JSON-LD"}


def _bad(zh: str, en: str, status: int = 400, position: tuple[int, int] | None = None) -> QueryError:
    return QueryError(zh, en, status=status, position=position)


# ------------------------------------------------------------------ depth, in Python, linear

_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> tuple[int, int]:
    """(deepest nesting of arrays/objects, its offset in the text without strings)."""
    bare = _JSON_STRING.sub('""', text)
    depth = best = at = 0
    for m in _JSON_BRACKET.finditer(bare):
        if m.group() in "[{":
            depth += 1
            if depth > best:
                best, at = depth, m.start()
        else:
            depth -= 1
    return best, at


_XML_TAG = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*+>|<(/?)([^\s/>]++)((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>",
                      re.DOTALL)
_XML_ATTR = re.compile(r"[^\s=\"']+\s*=\s*(?:\"[^\"]*+\"|'[^']*+')")


def xml_shape(text: str) -> tuple[int, int, int]:
    """(deepest element nesting, most attributes on one element, offset of the worst)."""
    depth = best = most = at = 0
    for m in _XML_TAG.finditer(text):
        if m.group(2) is None:
            continue
        if m.group(1):
            depth -= 1
            continue
        attrs = m.group(3) or ""
        n = len(_XML_ATTR.findall(attrs))
        if n > most:
            most = n
            at = m.start() if n > MAX_XML_ATTRIBUTES else at
        if not attrs.rstrip().endswith("/"):
            depth += 1
            if depth > best:
                best = depth
                at = m.start() if depth > MAX_DEPTH else at
    return best, most, at


def turtle_depth(text: str) -> tuple[int, int]:
    d = tk.nesting(tk.tokenize(text))
    return d.depth, d.pos


def check_shape(text: str, fmt: str) -> None:
    """400 for too deep a nesting (or too many XML attributes), naming line and column."""
    name = FORMAT_NAMES[fmt]
    if fmt == "jsonld":
        depth, at = json_depth(text)
        where = None
    elif fmt == "rdfxml":
        depth, attrs, at = xml_shape(text)
        if attrs > MAX_XML_ATTRIBUTES:
            line, col = tk.line_col(text, at)
            raise _bad(f"RDF/XML 第 {line} 行第 {col} 列的元素有 {attrs} 个属性，上限 {MAX_XML_ATTRIBUTES}",
                       f"RDF/XML element at line {line}, column {col} has {attrs} attributes, limit "
                       f"{MAX_XML_ATTRIBUTES}", position=(line, col))
        where = at
    elif fmt == "turtle":
        depth, where = turtle_depth(text)
    else:
        return                                         # N-Triples has no nesting
    if depth > MAX_DEPTH:
        pos = tk.line_col(text, where) if where is not None else None
        place_zh = f"（第 {pos[0]} 行第 {pos[1]} 列）" if pos else ""
        place_en = f" (line {pos[0]}, column {pos[1]})" if pos else ""
        raise _bad(f"{name} 上传嵌套过深：超过 {MAX_DEPTH} 层{place_zh}",
                   f"{name} upload nested too deeply: more than {MAX_DEPTH} levels{place_en}", position=pos)


# ------------------------------------------------------------------ parsing in a child

def _child(conn: Any, body: bytes, fmt: str, base: str) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    # imported after the memory cap is set: the child's native parser runs under it
    from pyoxigraph import DefaultGraph, RdfFormat, parse, serialize

    formats = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "rdfxml": RdfFormat.RDF_XML,
               "jsonld": RdfFormat.JSON_LD}
    try:
        quads = list(parse(body, format=formats[fmt], base_iri=base))
        if any(not isinstance(q.graph_name, DefaultGraph) for q in quads):
            conn.send(("named", None))
            return
        conn.send(("ok", serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES) or b""))
    except SyntaxError as exc:
        conn.send(("syntax", str(exc)))
    except MemoryError:
        conn.send(("memory", None))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        conn.send(("syntax", f"{type(exc).__name__}: {exc}"))


def parse_upload(body: bytes, fmt: str, base: str, *, timeout: float = PARSE_TIMEOUT_S) -> list[Any]:
    """The upload's triples, or QueryError (413 size, 400 nesting/syntax, 503 timeout)."""
    name = FORMAT_NAMES[fmt]
    limit = MAX_BYTES[fmt]
    if len(body) > limit:
        raise _bad(f"{name} 上传过大：{len(body)} 字节，该格式上限 {limit} 字节",
                   f"{name} upload too large: {len(body)} bytes, the limit for this format is {limit}", status=413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(f"上传内容不是 UTF-8：{exc}", f"the upload is not UTF-8: {exc}") from exc
    check_shape(text, fmt)
    proc, parent = pool.spawn(_child, body, fmt, base, name="policykg-parse-upload")
    try:
        if not parent.poll(timeout):
            raise _bad(f"{name} 解析超时（{timeout:g} 秒）", f"{name} parsing timed out ({timeout:g} s)", status=503)
        tag, data = parent.recv()
    except EOFError as exc:
        raise _bad(f"{name} 解析进程意外退出（退出码 {proc.exitcode}）", f"the {name} parser died (exit code {proc.exitcode})",
                   status=400) from exc
    finally:
        pool.stop(proc, parent)
    if tag == "named":
        raise _bad("上传的是三元组格式，不能含命名图", "the upload must be triples, without named graphs")
    if tag == "memory":
        raise _bad(f"{name} 解析内存不足", f"out of memory parsing the {name} upload", status=413)
    if tag == "syntax":
        m = re.search(r"line (\d+),? column (\d+)|(\d+):(\d+)", data)
        pos = (int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))) if m else None
        raise QueryError(f"RDF 语法错误：{data}", f"RDF syntax error: {data}", position=pos)
    return [q.triple for q in parse(data, format=RdfFormat.N_TRIPLES)]
