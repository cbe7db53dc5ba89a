"""``policykg template --kind handling``: the service handling (办件) template a region fills in.

Sheet 办件: one row per (region, service item, month) with the columns of
:mod:`policykg.handling.records`; drop-downs for the region code, the region's service items
(``INDIRECT`` on a named range per region, so the list follows the 地区代码 cell) and the
channel. With ``--region`` the rows are pre-filled with that region's items (序号 and name),
and with ``--month`` with the month. Sheet 说明: how to fill it in. Sheet 事项 (hidden): the
items of every region with a list, from the store (or, without one, the source document).
"""

from __future__ import annotations

from pathlib import Path

from policykg.core.config import SOURCE_DOCUMENT
from policykg.core.errors import PolicyKGError, UsageError
from policykg.handling.catalogue import Catalogue, Item, service_items
from policykg.handling.records import CHANNELS, COLUMNS, OPTIONAL, REQUIRED, parse_month

from .text import read_attachments, read_backbone

MAX_ROWS = 5000
WIDTHS = {"地区代码": 10, "清单序号": 9, "服务事项": 36, "统计月份": 12, "办理渠道": 10, "平均办理天数": 12, "备注": 24}
NOTES = {
    "地区代码": "必填。GB/T 2260 行政区划代码（下拉列表为已有清单的地区），如衢州市 330800。",
    "清单序号": "服务事项在本地区清单中的序号。同名事项不止一个时必填；名称唯一时可留空。",
    "服务事项": "必填。从下拉列表选择（列表随“地区代码”变化），名称须与清单一致。",
    "统计月份": "必填。YYYY-MM，如 2024-03。同一服务事项同一月份只填一行。",
    "受理件数": "必填。本月受理的件数，非负整数。",
    "办结件数": "必填。本月办结的件数，非负整数，不得大于受理件数。",
    "好评数": "本月好评数，非负整数（留空记为 0）。",
    "差评数": "本月差评数，非负整数（留空记为 0）。",
    "办理渠道": "选填。线上或线下。",
    "平均办理天数": "选填。办结一件平均所用天数，可有小数。",
    "备注": "选填，不加载。",
}


def _catalogue(store_dir: Path | str | None, source: Path) -> Catalogue:
    cat = service_items(store_dir) if store_dir is not None else Catalogue([])
    if cat.by_region:
        return cat
    try:

        lists = read_attachments(source, read_backbone(source))
    except (PolicyKGError, OSError):
        return cat
    items = [Item(rl.region, f"{rl.region}/{row.row}/{k}", row.row, it.title, it.block, it.level1)
             for rl in lists for row in rl.rows for k, it in enumerate(row.service_items)]
    return Catalogue(items)


def write_handling_template(path: Path | str, store_dir: Path | str | None = None, *, region: str | None = None,
                            month: str | None = None, source: Path = SOURCE_DOCUMENT) -> Path:
    from openpyxl import Workbook  # heavy optional dependency: imported only when needed
    from openpyxl.comments import Comment  # heavy optional dependency: imported only when needed
    from openpyxl.styles import Alignment, Font, PatternFill  # heavy optional dependency: imported only when needed
    from openpyxl.utils import (  # heavy optional dependency: imported only when needed
        get_column_letter,
        quote_sheetname,
    )
    from openpyxl.workbook.defined_name import DefinedName  # heavy optional dependency: imported only when needed
    from openpyxl.worksheet.datavalidation import DataValidation  # heavy optional dependency: imported only when needed

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"模板须为 .xlsx 文件：{path.name}", f"the template must be an .xlsx file: {path.name}")
    if month is not None and parse_month(month) != month:
        raise UsageError(f"--month 应为 YYYY-MM（如 2024-03），而不是“{month}”", f"--month must be YYYY-MM, not {month!r}")
    cat = _catalogue(store_dir, source)
    if region is not None:
        why = cat.known_region(region)
        if why:
            raise UsageError(why[0], why[1])
    codes = sorted(cat.by_region)

    wb = Workbook()
    ws = wb.active
    ws.title = "办件"
    need, opt = PatternFill("solid", fgColor="FCE4D6"), PatternFill("solid", fgColor="DDEBF7")
    letter = {}
    for j, name in enumerate(COLUMNS, start=1):
        c = ws.cell(1, j, name)
        c.font = Font(bold=True)
        c.fill = need if name in REQUIRED and name not in ("清单序号", "好评数", "差评数") else opt
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.comment = Comment(NOTES[name], "policykg")
        letter[name] = get_column_letter(j)
        ws.column_dimensions[letter[name]].width = WIDTHS.get(name, 10)
    ws.freeze_panes = "A2"

    items = wb.create_sheet("事项")
    for j, code in enumerate(codes, start=1):
        col = get_column_letter(j)
        items.cell(1, j, code)
        its = cat.by_region[code]
        for i, it in enumerate(its, start=2):
            items.cell(i, j, it.title)
        ref = f"{quote_sheetname('事项')}!${col}$2:${col}${len(its) + 1}"
        wb.defined_names[f"R{code}"] = DefinedName(f"R{code}", attr_text=ref)
    opts = wb.create_sheet("选项")
    opts.cell(1, 1, "地区代码")
    for i, code in enumerate(codes, start=2):
        opts.cell(i, 1, code)
        opts.cell(i, 2, cat.region_name(code))
    items.sheet_state = opts.sheet_state = "hidden"

    last = MAX_ROWS + 1

    def rule(kind: str, formula: str, column: str, prompt: str, error: str, **kw: str) -> None:
        dv = DataValidation(type=kind, formula1=formula, allow_blank=True, showErrorMessage=True,
                            showInputMessage=True, **kw)
        dv.prompt, dv.error, dv.errorTitle = prompt, error, "办件模板"
        ws.add_data_validation(dv)
        dv.add(f"{letter[column]}2:{letter[column]}{last}")

    if codes:
        rule("list", f"=选项!$A$2:$A${len(codes) + 1}", "地区代码", NOTES["地区代码"], "请选择已有清单的地区代码。")
        rule("list", f'=INDIRECT("R"&${letter["地区代码"]}2)', "服务事项", NOTES["服务事项"],
             "不在该地区清单的服务事项中。")
    rule("list", '"' + ",".join(CHANNELS) + '"', "办理渠道", NOTES["办理渠道"], "只能是线上或线下。")
    for col in ("受理件数", "办结件数", "好评数", "差评数"):
        rule("whole", "0", col, NOTES[col], "须为非负整数。", operator="greaterThanOrEqual")
    rule("whole", "1", "清单序号", NOTES["清单序号"], "须为正整数。", operator="greaterThanOrEqual")

    if region is not None:
        for i, it in enumerate(cat.by_region[region], start=2):
            ws.cell(i, 1, region)
            ws.cell(i, 2, it.row)
            ws.cell(i, 3, it.title)
            if month:
                ws.cell(i, 4, month)

    _instructions(wb.create_sheet("说明", 1), cat, codes)
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _instructions(ws, cat: Catalogue, codes: list[str]) -> None:  # noqa: ANN001 - openpyxl worksheet
    from openpyxl.styles import Alignment, Font  # heavy optional dependency: imported only when needed

    lines = [
        ("服务事项办件情况 · 填报模板 填表说明", True),
        ("", False),
        ("一、用途：各地按月填报企业综合服务中心各服务事项的办件情况（受理、办结、好评、差评），"
         "由管理员用 `policykg handling load 文件.xlsx` 加载，`policykg handling summary` 统计哪些事项从未办件、"
         "办结率低或差评多。", False),
        ("二、填写规则：", True),
        ("1. 只在“办件”工作表填写，第 1 行表头不要修改；每行一个地区、一个服务事项、一个月份。", False),
        ("2. 服务事项从下拉列表选择（先填地区代码，列表随之变化）；同名事项不止一个时须填清单序号。", False),
        ("3. 办结件数不得大于受理件数；件数均为非负整数；本月没有办件的事项请填 0，不要删行——"
         "这样统计才能区分“没有办件”和“没有填报”。", False),
        ("4. 同一服务事项同一月份只填一行；再次加载同一地区同一月份即整体替换该月，不会累加。", False),
        ("5. 任何一行有错，整个文件都不加载，错误信息会指出第几行、哪一列。", False),
        ("6. 保存为 .xlsx；如需 CSV，请另存为“CSV UTF-8（逗号分隔）”（GBK 亦可）。", False),
        ("7. 不要填写任何个人信息（姓名、手机号码）。", False),
        ("", False),
        ("三、各列说明：", True),
    ]
    for name in COLUMNS:
        mark = "（选填）" if name in OPTIONAL else ""
        lines.append((f"· {name}{mark}：{NOTES[name]}", False))
    lines += [("", False), ("四、可填报的地区：", True)]
    lines += [(f"· {c} {cat.region_name(c)}：{len(cat.by_region[c])} 个服务事项", False) for c in codes]
    ws.column_dimensions["A"].width = 120
    for i, (text, bold) in enumerate(lines, start=1):
        c = ws.cell(i, 1, text)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            c.font = Font(bold=True, size=12 if i == 1 else 11)
