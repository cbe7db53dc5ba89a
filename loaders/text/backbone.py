"""The provincial backbone read from the document: 32 key tasks, 146 measures, general tasks.

* Key tasks and measures come from 衢州's table (附件 1): its 省级重点工作 cells print
  ``（N）title`` and its 省级细化措施 cells the numbered measures 1–146 (see
  :mod:`loaders.text.quzhou` for how the cells are found, including measures continued on the
  next page).  Texts are :func:`loaders.text.document.clean`-ed: PDF line breaks and the
  extraction's extra spaces (CJK next to ASCII, next to full-width punctuation, letter-spaced
  runs) removed; spaces between two CJK words kept (measure 21 ``“走万企 提信心 优服务”``,
  42 ``《…实施机制 加快推进…》``, 101 ``《…综合集成改革 优化提升…》``).  A measure's text
  excludes its ``N.`` number.
* Key task 27 is printed twice (rows 77 and 80), each time over its own 省级细化措施 cell
  (119–121, 122–127); both titles are identical.
* General tasks (总体任务) come from 舟山's table (附件 2): ``一、强化资源要素支持`` printed
  over narrow lines (``一、强化`` / ``资源要`` / ``素支持``) in the row of its first key task;
  a general task covers the key tasks from its first to the one before the next general task.
"""

from __future__ import annotations

import re

from loaders.cells import cn_number
from loaders.celltext import join_lines
from policykg.core.errors import LoadError
from policykg.core.records import KEY_TASKS, PROVINCIAL_MEASURES, Backbone, GeneralTask, KeyTask, ProvincialMeasure

from .document import Attachment, Document
from .engine import line_pieces, source_ref
from .quzhou import KEY_TASK_RE, parse

GENERAL_RE = re.compile(r"^([一二三四五六七八九十]+)、")


def general_tasks(attachment: Attachment) -> list[tuple[GeneralTask, int]]:
    """(general task, number of its first key task) from 舟山's 总体任务 column."""
    pieces = line_pieces(attachment)
    out: list[tuple[GeneralTask, int]] = []
    i = 0
    while i < len(pieces):
        m = GENERAL_RE.match(pieces[i].text)
        if not m:
            i += 1
            continue
        parts = [pieces[i].text]
        j = i + 1
        while j < len(pieces) and not KEY_TASK_RE.match(pieces[j].text) and not pieces[j].text[:1].isdigit():
            parts.append(pieces[j].text)
            j += 1
        first = None
        while j < len(pieces) and first is None:
            k = KEY_TASK_RE.match(pieces[j].text)
            first = cn_number(k.group(1)) if k else None
            j += 1
        title = GENERAL_RE.sub("", join_lines(parts), count=1)
        out.append((GeneralTask(cn_number(m.group(1)), title), first or 0))
        i = j
    return out


def read(document: Document) -> Backbone:
    if 1 not in document.attachments:
        raise LoadError("缺少附件 1（衢州市清单），无法读取省级骨架", "attachment 1 (Quzhou) missing: no backbone",
                        where=document.name)
    att = document.attachments[1]
    parser = parse(att)
    general: list[tuple[GeneralTask, int]] = general_tasks(document.attachments[2]) if 2 in document.attachments else []
    bounds = sorted((first, g.number) for g, first in general)

    def general_of(key: int) -> int | None:
        found = None
        for first, number in bounds:
            if key >= first:
                found = number
        return found

    titles: dict[int, str] = {}
    for cell in parser.key_cells:
        title = KEY_TASK_RE.sub("", cell.text, count=1)
        if cell.number in titles and titles[cell.number] != title:
            raise LoadError(f"重点工作 {cell.number} 的两处标题不同：{titles[cell.number]} / {title}",
                            f"key task {cell.number} printed with two titles", where=f"{document.name} 附件1")
        titles[cell.number] = title
    key_tasks = [KeyTask(n, titles[n], general_of(n)) for n in sorted(titles)]
    measures = [ProvincialMeasure(m.number, m.key_task, m.text,
                                  source_ref(document, att, m.pieces[0].no, m.pieces[-1].no))
                for m in parser.measures]
    if [k.number for k in key_tasks] != list(range(1, KEY_TASKS + 1)):
        raise LoadError(f"重点工作编号不是 1–{KEY_TASKS}：{[k.number for k in key_tasks]}",
                        f"key task numbers are not 1–{KEY_TASKS}", where=f"{document.name} 附件1")
    if [m.number for m in measures] != list(range(1, PROVINCIAL_MEASURES + 1)):
        raise LoadError(f"省级细化措施编号不是 1–{PROVINCIAL_MEASURES}",
                        f"provincial measure numbers are not 1–{PROVINCIAL_MEASURES}",
                        where=f"{document.name} 附件1")
    return Backbone(key_tasks=key_tasks, measures=measures, general_tasks=[g for g, _ in general],
                    source=source_ref(document, att, att.start, att.end))
