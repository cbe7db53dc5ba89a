"""Two pyoxigraph 0.5.13 crashes found under hostile input (issue 19), ready to report upstream.

Each case runs in a child process; a crash shows as a negative return code (or 134).

1. Deep nesting overflows the recursive SPARQL parser's stack (SIGSEGV), e.g.
   ``Store().query("SELECT * WHERE " + "{" * 2200 + "}" * 2200)``. With the default 8 MB
   stack: braces crash between 2,187 and 2,196 levels, parentheses in FILTER between 4,667
   and 4,677. policykg refuses nesting deeper than 64 before the parser (policykg/sparql/guard.py).
2. ``ORDER BY`` after a zero-length property path panics in Rust's sort ("user-provided
   comparison function does not correctly implement a total order") and aborts the process
   (SIGABRT; the panic happens outside the Python thread, so no PanicException reaches
   Python). The 17 quads below (reduced from the project's store by delta debugging:
   xsd:integer and @zh literals, IRIs) reproduce it in an in-memory store. The cause, found
   by comparing terms pairwise: Oxigraph compares two numbers by value but a number and a
   literal of another kind (string, @lang string, date, custom datatype) by lexical form, so
   ``2 < 113 < "113. …"@zh < 2``; dateTimes with and without a timezone are only partially
   ordered as well. Two data-free reproductions follow (VALUES, an empty store).
   policykg gives each ORDER BY condition a datatype-group key first (policykg/sparql/order.py),
   so these answer; a panic it misses still gets 503 and a new query worker.

    python scripts/pyoxigraph_repro.py
"""

from __future__ import annotations

import subprocess
import sys

QUADS = '<https://w3id.org/policykg/id/provincial-measure/38> <https://w3id.org/policykg/def#endLine> "906"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/38> <https://w3id.org/policykg/def#text> "综合考量行业代表性、模式创新性、规模体量等方面，根据项目成熟度分批次推介真正有收益、有吸引力、民间资本关注高的好项目，面向全社会公开，同步向国家在线平台推送。"@zh <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/38> <https://w3id.org/policykg/def#startLine> "903"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/38> <http://data.europa.eu/eli/ontology#is_part_of> <https://w3id.org/policykg/id/key-task/7> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/38> <http://www.w3.org/2000/01/rdf-schema#label> "38. 综合考量行业代表性、模式创新性、规模体量等方面，根据项目成熟度分批次推介真正有收…"@zh <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/113> <https://w3id.org/policykg/def#endLine> "2053"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/113> <https://w3id.org/policykg/def#text> "加快打造企业综合服务中心。依托各地政务服务中心，建强企业综合服务中心，“一个口子”受理、流转、督办、反馈企业需求，承接政企恳谈会、政企沟通见面会等活动，打造地方党委政府涉企服务中台枢纽。"@zh <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/113> <https://w3id.org/policykg/def#startLine> "2049"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/113> <https://w3id.org/policykg/def#number> "113"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/113> <http://data.europa.eu/eli/ontology#is_part_of> <https://w3id.org/policykg/id/key-task/26> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/113> <http://www.w3.org/2000/01/rdf-schema#label> "113. 加快打造企业综合服务中心"@zh <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/58> <https://w3id.org/policykg/def#endLine> "1235"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/58> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policykg/def#ProvincialMeasure> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/58> <http://purl.org/dc/terms/source> <https://w3id.org/policykg/id/document/8f6f1b0f5f7b1294> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/58> <https://w3id.org/policykg/def#keyTask> <https://w3id.org/policykg/id/key-task/12> <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/provincial-measure/58> <https://w3id.org/policykg/def#text> "修订招标文件示范文本，开展示范文本使用情况专项检查。"@zh <https://w3id.org/policykg/graph/backbone> .\n<https://w3id.org/policykg/id/region/330521/item-name/446c6e88bdd84c1c10e6c989aa540e2a770a6e70> <https://w3id.org/policykg/def#serviceItemCount> "2"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/policykg/graph/statistics> .\n'

CASES = {
    "nested braces x2200": (
        "import pyoxigraph\n"
        "pyoxigraph.Store().query('SELECT * WHERE ' + '{' * 2200 + '}' * 2200)\n", b""),
    "nested parentheses x4700": (
        "import pyoxigraph\n"
        "pyoxigraph.Store().query('SELECT * WHERE { FILTER(' + '(' * 4700 + '1' + ')' * 4700 + ') }')\n", b""),
    "ORDER BY after a zero-length path": (
        "import sys, pyoxigraph as p\n"
        "s = p.Store(); s.load(sys.stdin.buffer.read(), format=p.RdfFormat.N_QUADS)\n"
        "q = 'SELECT * WHERE { ?X <http://xmlns.com/foaf/0.1/knows>* ?Y } ORDER BY ?X ?Y'\n"
        "print(len(list(s.query(q, use_default_graph_as_union=True))))\n", QUADS.encode("utf-8")),
    "ORDER BY over integers and strings (no data)": (
        "import pyoxigraph\n"
        "q = 'SELECT ?x WHERE { VALUES ?x { \"26\" \"129\" \"84\" \"20\" \"131\" 171 45 46 \"39\" \"37\" 82 79 "
        "\"28\" \"182\" \"132\" \"155\" \"76\" 33 53 190 140 9 \"81\" 160 } } ORDER BY ?x'\n"
        "print(len(list(pyoxigraph.Store().query(q))))\n", b""),
}


def main() -> int:
    import pyoxigraph

    print(f"pyoxigraph {pyoxigraph.__version__}, Python {sys.version.split()[0]}")
    for name, (code, stdin) in CASES.items():
        r = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True)
        said = r.stderr.decode("utf-8", "replace").strip().splitlines()
        print(f"{name}: return code {r.returncode}{' (crash)' if r.returncode < 0 or r.returncode == 134 else ''}"
              f"{' - ' + next((s for s in said if 'panicked' in s or 'order' in s), '') if said else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
