"""SSSOM/TSV: writing the candidates, reading curated decisions (``data/alignment/{code}.sssom.tsv``).

The file is a ``#``-prefixed YAML metadata block (curie_map, mapping_set_id, license) and a
TSV table with the SSSOM columns subject_id, subject_label, predicate_id, predicate_modifier,
object_id, object_label, mapping_justification, confidence, plus this project's rank and
evidence. A curation file uses the same columns; ``mapping_justification`` is
semapv:ManualMappingCuration and ``predicate_modifier`` ``Not`` rejects the link.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core import iris
from ..core.config import DATA_DIR, base_iri
from ..core.errors import LoadError
from ..core.namespaces import PREFIXES
from .engine import CURATED, Candidate

COLUMNS = ("subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id", "object_label",
           "mapping_justification", "confidence", "rank", "evidence")
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
PREDICATE = "eli:implements"
LICENSE = "https://opensource.org/licenses/MIT"


def curie_map() -> dict[str, str]:
    keys = ("pk", "pkid", "eli", "skos", "semapv", "sssom", "prov")
    known = {**PREFIXES, "pkid": base_iri() + "id/"}
    return {k: known[k] for k in keys}


def compact(iri: str) -> str:
    for prefix, ns in sorted(curie_map().items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def expand(curie: str) -> str:
    curie = curie.strip()
    if curie.startswith(("http://", "https://")):
        return curie
    prefix, sep, local = curie.partition(":")
    cmap = curie_map()
    if sep and prefix in cmap:
        return cmap[prefix] + local
    return curie


def curation_dir() -> Path:
    return DATA_DIR / "alignment"


def curation_file(code: str, directory: Path | str | None = None) -> Path:
    return Path(directory or curation_dir()) / f"{code}.sssom.tsv"


def write(candidates: list[Candidate], region: str | None = None) -> str:
    """The candidates as SSSOM/TSV text (metadata block, then one line per candidate)."""
    meta = {
        "curie_map": curie_map(),
        "mapping_set_id": f"{base_iri()}id/alignment/{region or 'all'}",
        "mapping_set_title": f"地方举措与省级细化措施的对应（{region or '全部地区'}） / local measures to provincial measures",
        "license": LICENSE,
        "mapping_tool": "policykg align",
    }
    head = "".join(f"# {line}\n" for line in yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).splitlines())
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(COLUMNS)
    for c in candidates:
        w.writerow([compact(c.subject_id), c.subject_label, PREDICATE, c.predicate_modifier, compact(c.object_id),
                    c.object_label, c.justification, f"{c.confidence:.4f}", c.rank, c.evidence])
    return head + out.getvalue()


@dataclass(frozen=True)
class Curated:
    """A reviewer's decision: accept (modifier "") or reject ("Not") subject eli:implements object."""

    subject_id: str
    object_id: str
    object_number: int
    negated: bool
    line: int
    file: str
    confidence: float = 1.0


_PM = re.compile(r"provincial-measure/(\d+)$")


def read(path: Path | str, known_subjects: set[str], measures: set[int]) -> list[Curated]:
    """A curation file's decisions. Unknown subjects or objects are refused, naming file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"无法读取对齐审核文件：{exc}", f"cannot read the curation file: {exc}", where=str(path)) from None
    body = [(n, line) for n, line in enumerate(lines, start=1) if not line.startswith("#") and line.strip()]
    if not body:
        return []
    header = body[0][1].split("\t")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LoadError(f"缺少列 {', '.join(missing)}", f"missing column(s) {', '.join(missing)}",
                        where=f"{path}:{body[0][0]}")
    out: list[Curated] = []
    pm_prefix = iris.provincial_measure(0)[:-1]
    for n, line in body[1:]:
        cells = dict(zip(header, line.split("\t"), strict=False))
        where = f"{path}:{n}"
        subject, obj = expand(cells.get("subject_id", "")), expand(cells.get("object_id", ""))
        if subject not in known_subjects:
            raise LoadError(f"subject_id {cells.get('subject_id')!r} 不是该地区清单中的举措或服务事项",
                            f"subject_id {cells.get('subject_id')!r} is no local measure or service item of this list",
                            where=where)
        m = _PM.search(obj)
        if not obj.startswith(pm_prefix) or m is None or int(m.group(1)) not in measures:
            raise LoadError(f"object_id {cells.get('object_id')!r} 不是146条省级细化措施之一",
                            f"object_id {cells.get('object_id')!r} is not one of the 146 provincial measures",
                            where=where)
        modifier = (cells.get("predicate_modifier") or "").strip()
        if modifier not in ("", "Not"):
            raise LoadError(f"predicate_modifier 只能为空或 Not，而不是 {modifier!r}",
                            f"predicate_modifier must be empty or Not, not {modifier!r}", where=where)
        just = expand(cells.get("mapping_justification", ""))
        if just != expand(CURATED):
            raise LoadError(f"审核记录的 mapping_justification 须为 {CURATED}", f"a curated record's "
                            f"mapping_justification must be {CURATED}", where=where)
        out.append(Curated(subject, obj, int(m.group(1)), modifier == "Not", n, str(path)))
    return out


def write_curation(decisions: list[Curated], region: str, labels: dict[str, str] | None = None) -> str:
    """Curated decisions as an SSSOM/TSV curation file."""
    labels = labels or {}
    cands = [Candidate(d.subject_id, labels.get(d.subject_id, ""), "", region, 0, d.object_number, d.object_id,
                       labels.get(d.object_id, ""), 0, 1.0, 1.0, CURATED, "审核 / reviewed", not d.negated,
                       "Not" if d.negated else "") for d in decisions]
    return write(cands, region)
