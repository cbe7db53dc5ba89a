"""A mixed workload: the parameterised catalogue questions with parameters drawn at random.

Why: the catalogue at its defaults is 30 fixed texts, which a result cache answers after
the first round. Here every request is a different text (region codes, key task and
measure numbers, item IRIs taken from the store, keywords cut from the source document's
own sentences), drawn from a seeded generator, so the same run asks every server the same
questions in the same order and no cache helps. Texts are self-contained
(:func:`benchmarks.workload.portable`), as every server gets them.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

from policykg.core.config import SOURCE_DOCUMENT
from policykg.graph.store import open_read_only
from policykg.sparql import queries

from .workload import portable

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")


def keywords(source: Path = SOURCE_DOCUMENT, size: int = 2) -> list[str]:
    """Every distinct ``size``-character window of the document's Chinese text (search terms users type)."""
    text = source.read_text(encoding="utf-8")
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        out.update(run[i:i + size] for i in range(len(run) - size + 1))
    return sorted(out)


def _value(name: str, spec: dict[str, Any], rng: random.Random, pools: dict[str, list]) -> Any:
    """A random value for one parameter, from the pool its name or type calls for."""
    kind = spec.get("type", "string")
    if name in ("region", "regionA", "regionB"):
        return rng.choice(pools["regions"])
    if name == "task":
        return rng.randint(1, 32)
    if name == "measure":
        return rng.randint(1, 146)
    if name == "minRegions":
        return rng.randint(2, 6)
    if name == "keyword":
        return rng.choice(pools["keywords"])
    if kind == "iri":
        return rng.choice(pools["items"])
    if kind == "integer":
        return rng.randint(1, 32)
    return rng.choice(pools["regions"])


def requests(regions: list[str], items: list[str], *, seed: int = 0, count: int = 3000,
             names: list[str] | None = None) -> list[str]:
    """``count`` distinct query texts (fewer if the parameter space is smaller), in a seeded order.

    ``regions``: division codes with a list; ``items``: service item IRIs in the store.
    """
    rng = random.Random(seed)
    pools = {"regions": regions, "items": items or ["https://w3id.org/policykg/id/region/330800/service-item/1"],
             "keywords": keywords()}
    cat = {n: q for n, q in queries.catalogue().items() if q.params and (not names or n in names)}
    order = sorted(cat)
    seen: set[str] = set()
    out: list[str] = []
    tries = 0
    while len(out) < count and tries < count * 20:
        tries += 1
        q = cat[rng.choice(order)]
        values = {n: _value(n, s if isinstance(s, dict) else {"default": s}, rng, pools) for n, s in q.params.items()}
        subs = {k: queries.to_term(v) for k, v in queries.bind(q, values).items()}
        text = portable(q.text, subs)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def item_iris(store_dir: Path | str, limit: int = 5000) -> list[str]:
    """Service item IRIs in the store (the pool an item parameter is drawn from), sorted."""
    store = open_read_only(store_dir)
    res = store.query("SELECT DISTINCT ?i WHERE { ?i a <https://w3id.org/policykg/def#ServiceItem> } "
                      f"ORDER BY ?i LIMIT {int(limit)}")
    return [sol["i"].value for sol in res]
