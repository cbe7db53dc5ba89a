"""Rank the 146 provincial measures for each local measure and service item of a list.

Evidence, combined into one score per (subject, provincial measure):
  * text similarity: TF-IDF cosine over jieba words and over character bigrams, the IDF
    counted on the 146 provincial texts (a word every measure uses weighs nothing);
  * shared instruments: named instruments, quoted terms and amounts both texts print;
  * the key task the row sits under: a strong prior, not a wall — a measure of another
    key task can still win when its text clearly matches (``CROSS_TASK_MARGIN``);
  * for a service item: its own name and content, and (weaker) the local measure of its row.
Where the list prints the answer (衢州's numbers, 钱塘's reprinted texts) the candidates are
drawn from the printed set only: the alignment refines a group's numbers row by row and
never contradicts them. Pure functions of the input: deterministic, nothing downloaded.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core import iris
from ..core.records import Backbone, RegionList
from . import order
from . import text as tx

TOP_K = 5
KEY_TASK_PRIOR = 0.12        # added to a measure of the row's own key task
CROSS_TASK_MARGIN = 0.10     # another task's measure must beat the best in-task one by this much
CROSS_TASK_MIN = 0.45        # … and match clearly on its own (similarity without any prior)
INSTRUMENT_BONUS = 0.04      # per shared instrument, at most three
QUOTED_BONUS = 0.08          # per shared quoted term (“政策找人”), at most two
ITEM_CONTEXT_WEIGHT = 0.3    # a service item: weight of its row's local measure text
# Calibrated on 衢州's printed numbers and 钱塘's reprinted texts (benchmarks/align_eval.py):
THRESHOLD = 0.5              # confidence from which a candidate is asserted as eli:implements
IN_TASK_SIM = 0.18           # a measure of the row's own key task whose text alone matches this well: confidence 0.5
IN_TASK_SLOPE = 20.0
CONF_SLOPE = 12.0
CONF_CENTRE = 0.40
SHARE_WEIGHT = 0.2
# order (policykg/align/order.py): a measure in the element's run between its anchors
ORDER_CONF = 0.85            # confidence the order alone gives a run of one measure …
ORDER_DECAY = 0.85           # … times this for each further measure of the run
ORDER_BONUS = 0.15           # score added (times that confidence): the run ranks first
OUT_OF_ORDER = 0.6           # confidence factor of a measure of the task against the order
ORDER_PENALTY = 0.05
CLAIMED = 0.3                # … of the measure a neighbouring anchor's text names
TAKEN = 0.8                  # … of a measure in another element's run
ORDER_EVIDENCE = "次序/order"
STRONG_TEXT = 0.9            # text confidence the order neither lowers nor overrules (interleaved rows)
# a local measure (the list prints no number for it) with no asserted candidate is a 特色亮点 (highlight)

LEXICAL = "semapv:LexicalMatching"
CURATED = "semapv:ManualMappingCuration"
COMPOSITE = "semapv:CompositeMatching"


@dataclass(frozen=True)
class Subject:
    """A local measure or service item to align, with what the engine may look at."""

    iri: str
    kind: str                     # "measure" | "service-item"
    region: str
    row: int
    key_task: int | None
    label: str
    text: str                     # its own text (measure text; item name + content)
    context: str = ""             # a service item's row measure text (never a reprinted provincial text)
    printed: tuple[int, ...] = ()  # the numbers the list prints for it (衢州) or matched (钱塘)
    source_row: str = ""


@dataclass(frozen=True)
class Candidate:
    """One SSSOM mapping record: subject -> provincial measure, ranked."""

    subject_id: str
    subject_label: str
    subject_kind: str
    region: str
    row: int
    object_number: int
    object_id: str
    object_label: str
    rank: int
    score: float
    confidence: float
    justification: str            # CURIE, e.g. semapv:LexicalMatching
    evidence: str                 # the words matched, "；"-separated
    asserted: bool
    predicate_modifier: str = ""  # "Not": a curated rejection
    source_row: str = ""
    cross_task: bool = False


@dataclass(frozen=True)
class Finding:
    region: str
    row: int
    subject_id: str
    zh: str
    en: str

    @property
    def message(self) -> str:
        return f"{self.region} 第{self.row}行：{self.zh} / row {self.row}: {self.en}"


@dataclass
class Alignment:
    region: str
    candidates: list[Candidate] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)      # local measure IRIs (特色亮点)
    findings: list[Finding] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)

    def asserted(self) -> list[Candidate]:
        return [c for c in self.candidates if c.asserted and c.predicate_modifier != "Not"]

    def by_subject(self) -> dict[str, list[Candidate]]:
        out: dict[str, list[Candidate]] = defaultdict(list)
        for c in self.candidates:
            out[c.subject_id].append(c)
        return out


# ------------------------------------------------------------------ the provincial index

class _Vectors:
    """TF-IDF (sublinear tf, L2-normalised) of one token kind over the provincial texts."""

    def __init__(self, docs: list[tuple[str, ...]]) -> None:
        n = len(docs)
        df = Counter(t for d in docs for t in set(d))
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, d in enumerate(docs):
            for t, w in self.vector(d).items():
                self.postings[t].append((i, w))

    def vector(self, tokens: Iterable[str]) -> dict[str, float]:
        tf = Counter(t for t in tokens if t in self.idf)
        vec = {t: (1 + math.log(c)) * self.idf[t] for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def scores(self, vec: dict[str, float]) -> dict[int, float]:
        acc: dict[int, float] = defaultdict(float)
        for t, w in vec.items():
            for i, pw in self.postings.get(t, ()):
                acc[i] += w * pw
        return acc


class ProvincialIndex:
    """The 146 provincial measures, indexed once per backbone."""

    def __init__(self, backbone: Backbone) -> None:
        self.measures = list(backbone.measures)
        self.key_task = [m.key_task for m in self.measures]
        self.labels = [f"{m.number}. {m.text[:40]}" for m in self.measures]
        self.word_docs = [tx.words(m.text) for m in self.measures]
        self.words = _Vectors(self.word_docs)
        self.bigrams = _Vectors([tx.bigrams(m.text) for m in self.measures])
        self.instruments = [tx.instruments(m.text) for m in self.measures]
        self.by_number = {m.number: i for i, m in enumerate(self.measures)}
        self._seen: dict[str, tuple[dict[int, float], dict[str, float]]] = {}

    def similarity(self, text: str) -> tuple[dict[int, float], dict[str, float]]:
        """Per measure index: mean of word and bigram cosine. Also the subject's word vector.
        Remembered per text: every service item of a row reads the row's measure text again."""
        hit = self._seen.get(text)
        if hit is None:
            wv = self.words.vector(tx.words(text))
            sw = self.words.scores(wv)
            sc = self.bigrams.scores(self.bigrams.vector(tx.bigrams(text)))
            keys = set(sw) | set(sc)
            if len(self._seen) >= 4096:
                self._seen.clear()
            hit = self._seen[text] = ({i: 0.5 * sw.get(i, 0.0) + 0.5 * sc.get(i, 0.0) for i in keys}, wv)
        return hit


_INDEX: dict[tuple, ProvincialIndex] = {}


def index_for(backbone: Backbone) -> ProvincialIndex:
    key = tuple((m.number, m.key_task, m.text) for m in backbone.measures)
    idx = _INDEX.get(key)
    if idx is None:
        _INDEX.clear()
        idx = _INDEX[key] = ProvincialIndex(backbone)
    return idx


# ------------------------------------------------------------------ subjects of a list

def subjects(rl: RegionList, *, hide_printed: bool = False) -> tuple[list[Subject], list[Finding]]:
    """The local measures (each ① of 舟山 its own) and service items of a list, once each.

    ``hide_printed`` (evaluation): drop the printed numbers, and skip measures that *are* a
    reprinted provincial text (钱塘's adopted ones) — predicting those from themselves proves nothing.
    """
    out: list[Subject] = []
    findings: list[Finding] = []
    seen: set[str] = set()
    code = rl.region
    for row in rl.rows:
        rowiri = iris.row(code, row.row)
        if row.key_task is None:
            findings.append(Finding(code, row.row, rowiri, "该行没有重点工作，只按文本对齐",
                                    "the row has no key task; aligned on its text alone"))
        context = " ".join(m.text for m in row.local_measures if m.kind != "adopted")
        for lm in row.local_measures:
            iri = iris.local_measure(code, lm.key)
            if iri in seen:
                continue
            seen.add(iri)
            if hide_printed and lm.kind == "adopted":
                continue
            printed = () if hide_printed else tuple(lm.implements)
            out.append(Subject(iri, "measure", code, row.row, row.key_task, lm.text[:40], lm.text,
                               printed=printed, source_row=rowiri))
        for k, item in enumerate(row.service_items):
            iri = iris.service_item(code, row.row, k if len(row.service_items) > 1 else 0)
            if iri in seen:
                continue
            seen.add(iri)
            own = " ".join(p for p in (item.level2, item.level3, item.content) if p)   # level 1 is a broad category
            printed = () if hide_printed else tuple(row.provincial_measures)
            out.append(Subject(iri, "service-item", code, row.row, row.key_task, item.title or own[:40], own,
                               context=context, printed=printed, source_row=rowiri))
    for s in out:
        if tx.is_meaningless(s.text) and tx.is_meaningless(s.context):
            what = "文本为空" if not s.text.strip() else "文本没有中文（只有字母、数字或符号）"
            findings.append(Finding(code, s.row, s.iri, f"{what}，无法按文本对齐，只用重点工作",
                                    "empty text" if not s.text.strip() else "text has no Chinese (only Latin letters, "
                                    "digits or symbols); aligned by key task alone"))
    return out, findings


# ------------------------------------------------------------------ scoring

def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _confidence(score: float, share: float = 0.0, in_task_sim: float = 0.0) -> float:
    """Evidence -> [0, 1], the larger of two readings:
    * the whole score (text, instruments, key-task prior), shifted by the candidate's share of its
      key task's total score (a key task of one or two measures leaves little doubt);
    * for a measure of the row's own key task, its text similarity alone: 0.5 at ``IN_TASK_SIM``.
    Slopes and centres are calibrated on the printed citations (benchmarks/align_eval.py --sweep)."""
    whole = _logistic(CONF_SLOPE * (score - CONF_CENTRE + SHARE_WEIGHT * (share - 0.5)))
    task = _logistic(IN_TASK_SLOPE * (in_task_sim - IN_TASK_SIM)) if in_task_sim > 0 else 0.0
    return round(max(whole, task), 4)


def rank(subject: Subject, idx: ProvincialIndex, limit: int | None = TOP_K,
         ) -> list[tuple[int, float, str, bool, float, float, bool]]:
    """The subject's top provincial measures, best first: (index, score, evidence, cross-task,
    share of the key task's score, in-task text similarity, assertable). ``limit=None``: all."""
    own, wv = idx.similarity(subject.text)
    if subject.context and not tx.is_meaningless(subject.context):
        ctx, cwv = idx.similarity(subject.context)
        keys = set(own) | set(ctx)
        sim = {i: (1 - ITEM_CONTEXT_WEIGHT) * own.get(i, 0.0) + ITEM_CONTEXT_WEIGHT * ctx.get(i, 0.0) for i in keys}
        if tx.is_meaningless(subject.text):
            sim = ctx
    else:
        sim, cwv = own, {}
    inst = tx.instruments(subject.text)
    pool = range(len(idx.measures))
    if subject.printed:
        pool = [idx.by_number[n] for n in subject.printed if n in idx.by_number]
    scored = []
    subject_words = set(wv) | set(cwv)
    for i in pool:
        s = sim.get(i, 0.0)
        shared = inst & idx.instruments[i]
        quoted = [t for t in shared if t not in tx.INSTRUMENTS and not t[0].isdigit()]
        named = [t for t in shared if t not in quoted]
        s += min(2, len(quoted)) * QUOTED_BONUS + min(3, len(named)) * INSTRUMENT_BONUS
        in_task = subject.key_task is not None and idx.key_task[i] == subject.key_task
        if in_task:
            s += KEY_TASK_PRIOR
        scored.append((i, s, in_task, shared, sim.get(i, 0.0)))
    if not scored:
        return []
    best_in = max((s for _, s, t, _, _ in scored if t), default=None)
    task_total = sum(s for _, s, t, _, _ in scored if t) or 1.0
    out = []
    for i, s, in_task, shared, plain in scored:
        cross = subject.key_task is not None and not in_task
        if cross and best_in is not None and (s < best_in + CROSS_TASK_MARGIN or plain < CROSS_TASK_MIN):
            s = min(s, best_in - 1e-6)         # a cross-task match must clearly win, else it ranks below …
            plain = -1.0                       # … and is never asserted
        out.append((i, s, shared, cross, s / task_total if in_task else 0.0, plain if in_task else 0.0,
                    plain >= 0))
    out.sort(key=lambda t: (-t[1], idx.measures[t[0]].number))
    out = out if limit is None else out[:limit]

    def evidence(i: int, shared: frozenset[str]) -> str:
        matched = [w for w in idx.word_docs[i] if w in subject_words]
        return "；".join(list(dict.fromkeys(sorted(shared) + matched))[:12])

    # the words matched only where a caller looks (the top 5 and the row's key task): the rest rank unseen
    return [(i, s, evidence(i, sh) if r < TOP_K or idx.key_task[i] == subject.key_task else "", *rest)
            for r, (i, s, sh, *rest) in enumerate(out)]


def _elements(subs: list[Subject]) -> list[tuple[int, int]]:
    """Each subject's place in the list's order: (row, k), k the ①② of a row's local measures;
    a service item shares the place of its row's first measure (the row answers as one)."""
    out, last, k = [], None, -1
    for s in subs:
        if s.row != last:
            last, k = s.row, -1
        if s.kind == "measure":
            k += 1
        out.append((s.row, max(k, 0) if s.kind == "measure" else 0))
    return out


def _order(subs: list[Subject], ranked: dict[str, list], idx: ProvincialIndex,
           ) -> dict[str, dict[int, order.Relation]]:
    """subject IRI -> provincial index -> its order relation, per key task (printed subjects left out)."""
    places = _elements(subs)
    by_task: dict[int, list[tuple[tuple[int, int], Subject]]] = defaultdict(list)
    for place, s in zip(places, subs, strict=True):
        if s.key_task is not None and not s.printed and ranked.get(s.iri):
            by_task[s.key_task].append((place, s))
    out: dict[str, dict[int, order.Relation]] = {}
    for kt, members in by_task.items():
        positions = sorted((i for i, t in enumerate(idx.key_task) if t == kt), key=lambda i: idx.measures[i].number)
        if not positions:
            continue
        element_keys = list(dict.fromkeys(p for p, _ in members))
        conf = {e: [0.0] * len(positions) for e in element_keys}
        at = {i: p for p, i in enumerate(positions)}
        for place, s in members:
            for i, sc, _ev, _cross, share, sim, _ok in ranked[s.iri]:
                if i in at:
                    c = conf[place]
                    c[at[i]] = max(c[at[i]], _confidence(sc, share, sim))
        rel = order.relations([conf[e] for e in element_keys])
        by_element = dict(zip(element_keys, rel, strict=True))
        for place, s in members:
            out[s.iri] = {positions[p]: r for p, r in by_element[place].items()}
    return out


def _with_order(cands: list, rel: dict[int, order.Relation]) -> list:
    """Candidates with the order evidence folded in, re-ranked: (index, score, evidence, cross-task,
    confidence, assertable, words in common).

    Order tolerates interleaving (a list may print a row out of the provincial order, 德清's key
    task 26 prints 117 before 114–116): a measure of the key task the subject's own text names
    clearly (``STRONG_TEXT``) keeps its confidence wherever the order puts it."""
    out = []
    for i, s, ev, cross, share, sim, ok in cands:
        conf = _confidence(s, share, sim)
        words = bool(ev)
        r = rel.get(i)
        if r is not None and r.kind == "share":
            oc = ORDER_CONF * ORDER_DECAY ** (r.size - 1)
            conf = 1.0 - (1.0 - conf) * (1.0 - oc)
            s += ORDER_BONUS * oc
            ev = "；".join([ORDER_EVIDENCE] + ([ev] if ev else []))
        elif r is not None and r.kind in ("out", "claimed", "taken") and conf < STRONG_TEXT:
            conf *= {"out": OUT_OF_ORDER, "claimed": CLAIMED, "taken": TAKEN}[r.kind]
            s -= ORDER_PENALTY
        out.append((i, s, ev, cross, round(min(1.0, max(0.0, conf)), 4), ok, words))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def align(rl: RegionList, backbone: Backbone, *, hide_printed: bool = False, threshold: float | None = None,
          ) -> Alignment:
    """Candidates (top 5 each), asserted links, highlights and findings of one list.

    ``threshold`` overrides the calibrated one (the evaluation sweeps it)."""
    threshold = THRESHOLD if threshold is None else threshold
    idx = index_for(backbone)
    subs, findings = subjects(rl, hide_printed=hide_printed)
    result = Alignment(rl.region, findings=findings, subjects=subs)
    # the order only moves measures of the row's own key task: the rest need not go past the top 5
    full = {sub.iri: [c for r, c in enumerate(rank(sub, idx, limit=None))
                      if r < TOP_K or idx.key_task[c[0]] == sub.key_task] for sub in subs}
    relations = _order(subs, full, idx)
    for sub in subs:
        ranked = _with_order(full[sub.iri], relations.get(sub.iri, {}))[:TOP_K]
        if not ranked:
            continue
        linked = False
        for r, (i, s, ev, cross, conf, assertable, words) in enumerate(ranked, start=1):
            # within printed numbers the list already says the group answers them: the best one is asserted.
            # An assertion needs evidence: the key-task prior alone only ranks; the order alone asserts a
            # service item (it serves its row's measures) but a local measure needs words in common —
            # one that shares none with any provincial measure is a highlight, wherever it sits
            evidenced = words or (bool(ev) and sub.kind == "service-item")
            asserted = (r == 1 and bool(sub.printed)) or (conf >= threshold and evidenced and assertable)
            linked = linked or asserted
            m = idx.measures[i]
            result.candidates.append(Candidate(
                sub.iri, sub.label, sub.kind, sub.region, sub.row, m.number, iris.provincial_measure(m.number),
                idx.labels[i], r, round(s, 4), conf, COMPOSITE if sub.printed else LEXICAL, ev, asserted,
                source_row=sub.source_row, cross_task=cross))
        if sub.kind == "measure" and not sub.printed and not linked:
            result.highlights.append(sub.iri)
    return result
