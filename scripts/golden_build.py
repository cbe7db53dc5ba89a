"""Write the golden build fixture of ``tests/test_architecture_graph.py``.

Builds the graph from data/ into a temporary store and writes its named graphs (the
ontology graph left out) as sorted N-Quads to ``tests/data/build-golden.nq.xz``, then
prints the figures the test pins: the number of quads, the graphs, and the SHA-256 of the
sorted restricted file (officials' phone numbers are never committed, only that digest).

Run it only for a change that is meant to change the graph, and say so in the commit:
``python scripts/golden_build.py``.
"""

from __future__ import annotations

import hashlib
import lzma
import sys
import tempfile
from pathlib import Path

from pyoxigraph import DefaultGraph, RdfFormat, serialize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.build import build  # noqa: E402
from policykg.core import iris  # noqa: E402
from policykg.graph.store import current, open_read_only  # noqa: E402

FIXTURE = ROOT / "tests" / "data" / "build-golden.nq.xz"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp) / "store"
        build(store_dir)
        st = open_read_only(store_dir)
        ontology = iris.graph("ontology")
        quads = [q for q in st if not isinstance(q.graph_name, DefaultGraph) and q.graph_name.value != ontology]
        lines = sorted(serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8").splitlines())
        FIXTURE.write_bytes(lzma.compress(("\n".join(lines) + "\n").encode("utf-8")))
        restricted = sorted(current(store_dir).restricted_file.read_text(encoding="utf-8").splitlines())
        digest = hashlib.sha256(("\n".join(restricted) + "\n").encode("utf-8")).hexdigest()
        sizes: dict[str, int] = {}
        for q in quads:
            sizes[q.graph_name.value] = sizes.get(q.graph_name.value, 0) + 1
    print(f"{FIXTURE.relative_to(ROOT)}: {len(lines)} quads, {FIXTURE.stat().st_size} bytes")
    for g, n in sorted(sizes.items()):
        print(f"  {g}: {n}")
    print(f"restricted: {len(restricted)} lines, sha256 {digest}")


if __name__ == "__main__":
    main()
