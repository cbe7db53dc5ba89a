"""Pure functions on cell text: circled-number items, responsible units, contacts and phone
numbers, implementation stages.

Written for 舟山市 (附件 2), whose cells carry most of this, but nothing here is specific to
one region.  Every example in the docstrings is a real cell of the source document.

Quirks met in the document and handled here:

* Cell texts come from :func:`loaders.text.document.join_lines`; every function here ignores
  whitespace where it cannot be meaningful (inside a phone number or a unit name).
* Phone numbers are broken over lines (``1350680`` / ``1708``, joined as ``1350680 1708``):
  spaces are removed before parsing; some sit inside the role's brackets (``（采监处副处长2282690）``),
  inside brackets alone (``陈保华（15728086875）``), or carry a short number in brackets after
  them (``13616804126（624126）``); short internal numbers have 6 digits (``663156``).
* Two contacts may follow each other with no separator (``…中心主任）夏港（市…``), or be
  joined by ``、`` / ``，`` and a ``联系人：`` label; one phone may follow two names
  (``戴曙洲（副主任）、娄伟军（能源处处长）2187072``): it goes to the name it follows.
* A circled number inside an item that is not the next expected one is text, not a split
  (items must run ①②③… in order); an item may start mid-line (``协调解决难题。⑤完善``).
* The lead unit is stated once in 舟山's list: ``…，列第一位为牵头单位``; other phrasings
  (``排第一位的为牵头单位``, ``（牵头）``, ``牵头单位：``) are accepted too.
* Units are separated by ``、`` and also by ``，`` (``市海洋与渔业局，其他市级行政执法机关``);
  ``X等市级有关部门`` becomes ``X`` and ``市级有关部门``.
"""

from __future__ import annotations

import re

from policykg.core.records import Contact

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def circled_value(ch: str) -> int:
    """①→1 … ⑳→20; 0 for anything else."""
    i = CIRCLED.find(ch)
    return i + 1 if i >= 0 and ch else 0


# --------------------------------------------------------------------------- circled items

def split_circled(text: str) -> list[tuple[int, str]]:
    """``"①精准宣传…②精准落实…"`` -> ``[(1, "精准宣传…"), (2, "精准落实…")]``.

    Items must run ①, ②, ③ … in order; a circled number out of sequence stays in the text.
    Text before ① comes back as item 0; text without ① is ``[(0, text)]``; empty is ``[]``.
    """
    text = (text or "").strip()
    if not text:
        return []
    cuts: list[tuple[int, int]] = []          # (position, number)
    expect = 1
    for pos, ch in enumerate(text):
        if circled_value(ch) == expect:
            cuts.append((pos, expect))
            expect += 1
    if not cuts:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    head = text[:cuts[0][0]].strip()
    if head:
        out.append((0, head))
    for k, (pos, n) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(text)
        out.append((n, text[pos + 1:end].strip()))
    return out


# --------------------------------------------------------------------------- units

_LEAD_CLAUSE = re.compile(
    r"[，,；;。\s]*(?:其中)?[，,]?(?:列|排|排名|位列)?(?:第一|第1|首)(?:位|个|家)?(?:的)?(?:单位)?(?:为|是)牵头(?:单位|部门)?[。]?$"
)
_LEAD_MARK = re.compile(r"[（(]?牵头(?:单位)?[）)]?$")
_LEAD_LABEL = re.compile(r"^牵头(?:单位|部门)[：:]\s*")
_OTHER_LABEL = re.compile(r"[；;。，,]?\s*(?:配合|参与|协同|责任)(?:单位|部门)[：:]\s*")
_ETC = re.compile(r"^(.+?[局委办院部会司行心])等((?:市级|县级|区级)?(?:其他)?(?:有关|相关)(?:部门|单位))$")


def _split_top(text: str, seps: str) -> list[str]:
    """Split on any of ``seps`` outside brackets."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_units(text: str) -> tuple[list[str], str]:
    """``"市税务局、市科技局、…、市退役军人事务局，列第一位为牵头单位"``
    -> ``(["市税务局", "市科技局", …], "市税务局")``; lead is ``""`` unless the cell says."""
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return [], ""
    lead_first = False
    m = _LEAD_CLAUSE.search(text)
    if m:
        lead_first = True
        text = text[:m.start()]
    lead = ""
    m = _LEAD_LABEL.match(text)
    if m:                                    # 牵头单位：X；配合单位：Y、Z
        text = text[m.end():]
        lead_first = True
    text = _OTHER_LABEL.sub("、", text)
    units: list[str] = []
    for part in _split_top(text, "、，,；;"):
        part = part.strip("。")
        marked = _LEAD_MARK.search(part)
        if marked and marked.start() > 0:
            part = part[:marked.start()]
            lead = lead or part
        etc = _ETC.match(part)
        if etc:
            units += [etc.group(1), etc.group(2)]
        elif part:
            units.append(part)
    if lead_first and units and not lead:
        lead = units[0]
    return units, lead


# --------------------------------------------------------------------------- contacts

_NAME = r"[\u4e00-\u9fff]{2,4}"
_PERSON = re.compile(rf"({_NAME})[（(]([^（）()]*)[）)]")
_PHONE = re.compile(r"\d[\d\-－—]{4,}\d")
_BARE = re.compile(rf"({_NAME})\s*((?:\d[\d\-]{{4,}}\d)?)")


def _phones(text: str) -> str:
    """The phone numbers in ``text`` (digits and brackets as printed, spaces removed)."""
    found = _PHONE.findall(text)
    if not found:
        return ""
    first = found[0]
    rest = found[1:]
    return first + "".join(f"（{p}）" for p in rest)


def parse_contacts(text: str) -> list[Contact]:
    """``"张波（总会计师）13506801708，方晓（法制科科长）13567668580"`` -> two contacts.

    Name and role stay public; phone numbers (possibly broken by line breaks, landlines,
    6-digit short numbers, numbers inside the role's brackets) go to ``Contact.phone`` only.
    """
    text = re.sub(r"\s+", "", text or "")
    text = re.sub(r"联系人[：:]", "、", text)
    if not text.strip("、，,；;"):
        return []
    matches = list(_PERSON.finditer(text))
    out: list[Contact] = []
    if not matches:
        for part in _split_top(text, "、，,；;"):
            m = _BARE.fullmatch(part)
            if m:
                out.append(Contact(name=m.group(1), phone=m.group(2)))
            else:
                out.append(Contact(name=_PHONE.sub("", part).strip()))
        return [c for c in out if c.name]
    for k, m in enumerate(matches):
        name, inner = m.group(1), m.group(2)
        after = text[m.end():matches[k + 1].start() if k + 1 < len(matches) else len(text)]
        if _PHONE.fullmatch(inner):
            role, phone = "", inner
        else:
            tail = re.search(r"\d[\d\-－—]{4,}\d$", inner)
            role = inner[:tail.start()].strip() if tail else inner.strip()
            phone = tail.group(0) if tail else ""
        more = _phones(after)
        if more:
            phone = phone + ("（" + more + "）" if phone else more)
        out.append(Contact(name=name, role=role, phone=phone))
    return out


# --------------------------------------------------------------------------- stages

_STAGE_GROUP = re.compile(rf"([{CIRCLED}]+)([^{CIRCLED}]*)")


def stage_for(stage_text: str, measure_number: int) -> str:
    """``"①②④2023—2027年③长期实施"``, 3 -> ``"长期实施"``; 1 -> ``"2023—2027年"``.
    A cell that does not start with circled numbers applies whole to every measure; so does
    one that names no group for ``measure_number``."""
    text = (stage_text or "").strip()
    if not text or circled_value(text[0]) == 0:
        return text
    for m in _STAGE_GROUP.finditer(text):
        numbers = {circled_value(c) for c in m.group(1)}
        if measure_number in numbers:
            return m.group(2).strip("，,；; ")
    return text
