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

from policykg.core.records import Contact, Listed

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


def says_lead_first(note: str) -> bool:
    """Whether the text after a units cell's last unit says the first one leads."""
    return bool(note) and bool(_LEAD_CLAUSE.fullmatch(re.sub(r"\s+", "", note)))


def unit_listing(text: str) -> tuple[list[Listed], str]:
    """The units of :func:`parse_units` in printed order with what is printed before each
    (``、``, ``，``, ``等``) and the text after the last one (``，列第一位为牵头单位``), so that
    the cell can be printed again as it was."""
    flat = re.sub(r"\s+", "", text or "")
    units, _ = parse_units(flat)
    out: list[Listed] = []
    cursor = 0
    for u in units:
        pos = flat.find(u, cursor)
        if pos < 0:
            out.append(Listed(u, "、" if out else ""))
            continue
        out.append(Listed(u, flat[cursor:pos]))
        cursor = pos + len(u)
    return out, flat[cursor:] if out else flat


def units_cell(units: list[Listed] | tuple[Listed, ...], note: str = "") -> str:
    return "".join(f"{u.before}{u.label}" for u in units) + note


# --------------------------------------------------------------------------- contacts

_NAME = r"[\u4e00-\u9fff]{2,4}"
_PERSON = re.compile(rf"({_NAME})[（(]([^（）()]*)[）)]")
PHONE = re.compile(r"\d[\d\-－—]{4,}\d")
_TOKEN = re.compile(
    rf"(?P<sep>(?:[、，,；;]|联系人[：:])+)|(?P<person>{_NAME}[（(][^（）()]*[）)])"
    rf"|(?P<phone>[（(]?\d[\d\-－—]{{4,}}\d[）)]?)|(?P<bare>{_NAME})|(?P<other>.)")


def parse_contacts(text: str) -> list[Contact]:
    """``"张波（总会计师）13506801708，方晓（法制科科长）13567668580"`` -> two contacts.

    Name and role stay public; phone numbers (possibly broken by line breaks, landlines,
    6-digit short numbers, numbers inside the role's brackets) go to ``Contact.phone`` only.
    A phone goes to the contact it follows.  ``Contact.before`` keeps what the cell prints
    before each name (``、``, ``，联系人：``…), so that the cell can be printed again without
    its phone numbers (:func:`contacts_cell`).
    """
    text = re.sub(r"\s+", "", text or "")
    out: list[Contact] = []
    before = ""
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group(0)
        if kind in ("sep", "other"):
            before += tok
        elif kind == "phone":
            if not out:
                continue
            last = out[-1]
            digits = tok.strip("（）()")
            phone = f"{last.phone}（{digits}）" if last.phone else digits
            out[-1] = Contact(last.name, last.role, phone, before=last.before)
        else:
            if kind == "person":
                pm = _PERSON.fullmatch(tok)
                name, inner = pm.group(1), pm.group(2)
                if PHONE.fullmatch(inner):
                    role, phone = "", inner
                else:
                    tail = re.search(r"\d[\d\-－—]{4,}\d$", inner)
                    role = inner[:tail.start()].strip() if tail else inner.strip()
                    phone = tail.group(0) if tail else ""
            else:
                name, role, phone = tok, "", ""
            out.append(Contact(name=name, role=role, phone=phone, before=before))
            before = ""
    return out


def contacts_cell(contacts: list[Contact] | tuple[Contact, ...]) -> str:
    """The contacts cell as printed, without phone numbers: ``李磊（市财金公司董事长），联系人：陈保华``."""
    return "".join(f"{c.before}{c.name}" + (f"（{c.role}）" if c.role else "") for c in contacts)


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
