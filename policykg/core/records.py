"""The intermediate form every loader produces, whatever the input (text, PDF, XLSX, CSV).

A loader reads one region's list into a :class:`RegionList` of :class:`ListRow`;
:mod:`policykg.graph.rdfmap` alone turns that into RDF, so all input forms give the same graph.
Fields hold the cell text with PDF line breaks removed (see :func:`policykg.core.iris.norm`
for comparisons); an empty cell is ``""`` / ``()``.  A merged cell is repeated on every
row it covers, exactly as the export writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The provincial backbone of the notice: its single home (readers check the document against
# it, reports count coverage out of it).
KEY_TASKS = 32               # 省级重点工作
PROVINCIAL_MEASURES = 146    # 省级细化措施


@dataclass(frozen=True)
class SourceRef:
    """Where a row came from: enough to find it again by eye."""

    document: str                      # file name, e.g. 000_ae2937e95410f861.txt
    sha256: str = ""                   # of the file's bytes
    attachment: int | None = None      # 附件 N of the source document
    line_start: int | None = None      # 1-based, inclusive, in the text file
    line_end: int | None = None
    page: int | None = None            # PDF page (1-based)
    sheet: str | None = None           # spreadsheet sheet name
    sheet_row: int | None = None       # spreadsheet row (1-based)


@dataclass(frozen=True)
class LocalMeasure:
    """A local refinement: 市级落实细则 (numbered), 县级细化举措, 舟山's ①②③, or an adopted
    provincial text (钱塘区). ``key`` makes its IRI and must be stable: the printed number
    where there is one, else the first row's 序号 (e.g. "r12"), or "4-2" for 舟山's row 4 ②."""

    key: str
    kind: str                          # "city-rule" | "city-measure" | "county-measure" | "adopted"
    text: str
    number: int | None = None          # its own printed number (市级落实细则 1., ①=1 …)
    implements: tuple[int, ...] = ()   # provincial measure numbers it implements
    target: str = ""                   # 市级目标
    stage: str = ""                    # 实施阶段 as it applies to this measure
    units: tuple[str, ...] = ()        # 责任单位, in printed order
    lead_unit: str = ""                # the lead unit where the cell says which one leads


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    phone: str = ""                    # personal data: never written to the public graph
    before: str = field(default="", compare=False)   # printed before it in its cell: "、", "，联系人：" …


@dataclass(frozen=True)
class Listed:
    """One entry of a cell that lists several (责任单位), in printed order, with the text
    printed before it (a separator such as "、" / "，" / "等", or a label)."""

    label: str
    before: str = ""


@dataclass(frozen=True)
class ServiceItem:
    level1: str = ""
    level2: str = ""
    level3: str = ""
    block: str = ""                    # 承接板块 / 承接板块（专区）
    content: str = ""                  # 服务内容
    process: str = ""                  # 服务流程 (template only so far)
    channel: str = ""                  # 办理渠道 (template only so far)
    responsible_unit: str = ""         # template: the unit running the item

    @property
    def title(self) -> str:
        return self.level3 or self.level2 or self.level1


@dataclass(frozen=True)
class ListRow:
    """One numbered row (序号) of a region's list."""

    row: int                                   # 序号
    key_task: int | None                       # 1–32
    key_task_label: str = ""                   # as the list prints it
    general_task: int | None = None            # 舟山: 一、二… as 1, 2 …
    general_task_label: str = ""
    provincial_measures: tuple[int, ...] = ()  # numbers the row cites (衢州) or matched (钱塘)
    provincial_texts: tuple[str, ...] = ()     # provincial texts as printed (钱塘区)
    local_measures: tuple[LocalMeasure, ...] = ()
    service_items: tuple[ServiceItem, ...] = ()
    contacts: tuple[Contact, ...] = ()
    remark: str = ""                           # 备注
    units: tuple[Listed, ...] = ()             # the row's 责任单位 cell, in printed order
    units_note: str = ""                       # printed after the last unit ("，列第一位为牵头单位")
    lead_unit: str = ""                        # the row's lead unit (first listed where the list says so)
    occurrence: int = 1                        # 2 for the second printing of the same 序号 (舟山 27)
    cells: dict[str, str] = field(default_factory=dict, compare=False)  # raw cells by column name
    source: SourceRef | None = None


@dataclass
class RegionList:
    """A region's whole list, as one loader read it."""

    region: str                                # GB/T 2260 code
    layout: str                                # mapping id, e.g. "quzhou"
    rows: list[ListRow]
    source: SourceRef
    title: str = ""                            # the list's printed title
    warnings: list[str] = field(default_factory=list)   # recoverable oddities, shown after a load
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)  # (序号, text, reason)
    synthetic: bool = False


@dataclass(frozen=True)
class KeyTask:
    number: int
    title: str                                 # without its "（一）" numbering
    general_task: int | None = None


@dataclass(frozen=True)
class ProvincialMeasure:
    number: int
    key_task: int
    text: str                                  # full text, PDF line breaks removed
    source: SourceRef | None = None


@dataclass(frozen=True)
class GeneralTask:
    number: int
    title: str


@dataclass
class Backbone:
    """The provincial side: 32 key tasks, 146 measures, general tasks."""

    key_tasks: list[KeyTask]
    measures: list[ProvincialMeasure]
    general_tasks: list[GeneralTask]
    source: SourceRef
