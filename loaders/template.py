"""``policykg template``: the standard list template (XLSX) a region fills in and sends back.

Sheet 清单: the header of ``loaders/mappings/standard.toml`` (one row, so a filled sheet
loads with ``policykg load FILE --region CODE`` and no mapping), drop-downs for the key
task (``1 强化财税政策保障`` … from the backbone), the level-1 category and the undertaking
block (the values the four lists use; other values are allowed with a warning). Sheet 说明:
how to fill it in, in Chinese. Sheet 选项 (hidden): the drop-down lists.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from policykg.core.config import SOURCE_DOCUMENT
from policykg.core.errors import PolicyKGError, UsageError

from .layouts import get as get_layout
from .text import read_attachments, read_backbone

MAX_ROWS = 1000
WIDTHS = {"row": 6, "key_task_number": 26, "provincial_measure_numbers": 14, "local_measure": 40, "content": 30,
          "process": 24, "channel": 16, "level1": 12, "level2": 14, "level3": 18, "block": 18,
          "responsible_unit": 16, "stage": 12, "remark": 14}
NOTES = {
    "row": "必填。清单行号，从 1 起连续编号，不得重复。一行可有多个服务事项：在下一行留空“序号”即为同一行的续行。",
    "key_task_number": "必填。从下拉列表选择省级重点工作（1–32），或只填编号，如 5。",
    "provincial_measure_numbers": "选填。本行落实的省级细化措施编号（1–146），多个用逗号或顿号分隔，可写范围，如 1,2,5-7。",
    "local_measure": "必填。本地区的细化举措原文。",
    "content": "服务内容：企业综合服务中心为企业提供的具体服务。",
    "process": "服务流程：受理、办理、反馈等环节。",
    "channel": "办理渠道：如线下窗口、浙里办、政企通平台。",
    "level1": "服务事项一级分类（下拉列表为四地清单已用的分类，也可填写新分类）。",
    "level2": "服务事项二级分类。",
    "level3": "服务事项三级名称（事项名称）。",
    "block": "承接板块（专区）：有服务事项的行必填（下拉列表为四地清单已用的名称）。",
    "responsible_unit": "责任单位（牵头部门）。",
    "stage": "实施阶段：如 2024年、2024—2025年、长期实施。",
    "remark": "备注。",
}
FALLBACK_LEVEL1 = ["政策服务", "金融服务", "项目服务", "科创服务", "人才服务", "开放服务", "法治服务", "诉求服务",
                   "综合服务", "知识产权服务", "企业宣传服务"]
FALLBACK_BLOCKS = ["诉求（兜底）服务板块", "政策服务板块", "金融服务板块", "项目服务板块", "科创服务板块",
                   "人才服务板块", "开放服务板块", "法治服务板块", "知识产权服务板块"]


def choices(source: Path = SOURCE_DOCUMENT) -> tuple[list[str], list[str], list[str]]:
    """(key tasks "1 强化财税政策保障"…, level-1 categories, blocks) from the source document."""
    backbone = read_backbone(source)
    key_tasks = [f"{k.number} {k.title}" for k in backbone.key_tasks]
    level1: Counter[str] = Counter()
    blocks: Counter[str] = Counter()
    try:
        for rl in read_attachments(source, backbone):
            for row in rl.rows:
                for item in row.service_items:
                    level1[item.level1] += 1
                    blocks[item.block] += 1
    except PolicyKGError:
        pass
    l1 = [v for v, _ in level1.most_common() if v] or FALLBACK_LEVEL1
    bl = [v for v, _ in blocks.most_common() if v] or FALLBACK_BLOCKS
    return key_tasks, l1, bl


def write_template(path: Path | str, source: Path = SOURCE_DOCUMENT) -> Path:
    # openpyxl: heavy optional dependency, imported only when a template is written
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"模板须为 .xlsx 文件：{path.name}", f"the template must be an .xlsx file: {path.name}")
    layout = get_layout("standard")
    key_tasks, level1, blocks = choices(source)

    wb = Workbook()
    ws = wb.active
    ws.title = "清单"
    thin = Side(style="thin")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    need_fill = PatternFill("solid", fgColor="FCE4D6")
    col_of: dict[str, str] = {}
    for j, col in enumerate(layout.columns, start=1):
        cell = ws.cell(1, j, col.header)
        cell.font = Font(bold=True)
        cell.fill = need_fill if col.required else head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.comment = Comment(NOTES.get(col.field, ""), "policykg")
        letter = get_column_letter(j)
        col_of[col.field] = letter
        ws.column_dimensions[letter].width = WIDTHS.get(col.field, 14)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "B2"

    opts = wb.create_sheet("选项")
    for j, (title, values) in enumerate((("重点工作", key_tasks), ("一级事项", level1), ("承接板块", blocks)), start=1):
        opts.cell(1, j, title)
        for i, v in enumerate(values, start=2):
            opts.cell(i, j, v)
    opts.sheet_state = "hidden"

    def dv(field: str, column: str, n: int, strict: bool, zh: str) -> None:
        rule = DataValidation(type="list", formula1=f"=选项!${column}$2:${column}${n + 1}", allow_blank=True,
                              showErrorMessage=True, errorStyle="stop" if strict else "warning")
        rule.error = zh
        rule.errorTitle = "清单模板"
        rule.prompt = NOTES[field]
        rule.showInputMessage = True
        ws.add_data_validation(rule)
        rule.add(f"{col_of[field]}2:{col_of[field]}{MAX_ROWS + 1}")

    dv("key_task_number", "A", len(key_tasks), True, "请从列表选择 1–32 项省级重点工作之一。")
    dv("level1", "B", len(level1), False, "不在四地清单已用的一级事项中：确认是新分类吗？")
    dv("block", "C", len(blocks), False, "不在四地清单已用的承接板块中：确认是新板块吗？")
    number = DataValidation(type="whole", operator="between", formula1="1", formula2="100000", allow_blank=True,
                            showErrorMessage=True)
    number.error = "序号须为正整数。"
    ws.add_data_validation(number)
    number.add(f"{col_of['row']}2:{col_of['row']}{MAX_ROWS + 1}")

    _instructions(wb.create_sheet("说明", 1), layout.columns)
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _instructions(ws, columns) -> None:  # noqa: ANN001 - openpyxl worksheet and layout columns
    # openpyxl: heavy optional dependency, imported only when a template is written
    from openpyxl.styles import Alignment, Font

    lines = [
        ("民营经济32条落地清单 · 标准模板 填表说明", True),
        ("", False),
        ("一、用途：各市、县（市、区）按本模板填报“民营经济32条”细化举措及企业综合服务中心承接的服务事项，"
         "填好后由管理员用 `policykg load 文件.xlsx --region 行政区划代码` 加载（如杭州市为 330100）。", False),
        ("二、填写规则：", True),
        ("1. 只在“清单”工作表填写，第 1 行表头不要修改、不要增删列；从第 2 行起每行一条。", False),
        ("2. 一个序号有多个服务事项时：第一行填写完整，后续行“序号”留空，只填服务事项各列（一级事项、二级事项、三级事项、承接板块等）。", False),
        ("3. 重点工作编号从下拉列表选择（例如“5 强化金融保障”），也可只填数字 5。", False),
        ("4. 省级细化措施编号为 1–146 的整数，多个用逗号分隔，可写范围，例如：1,2,5-7。", False),
        ("5. 有服务事项的行必须填写“承接板块”；序号不得重复；编号超出范围的行会被拒绝加载。", False),
        ("6. 请勿填写个人手机号码；联系人信息不在本模板中收集。", False),
        ("7. 保存为 .xlsx；如需 CSV，请另存为“CSV UTF-8（逗号分隔）”。", False),
        ("", False),
        ("三、各列说明：", True),
    ]
    for col in columns:
        mark = "（必填）" if col.required else ""
        lines.append((f"· {col.header}{mark}：{NOTES.get(col.field, '')}", False))
    lines += [
        ("", False),
        ("四、示例（仅供参考，请勿照抄到“清单”）：", True),
        ("第1行：1 | 1 强化财税政策保障 | 1,2 | 精准推送税费优惠政策 | 智能匹配纳税人并推送政策 | 受理—匹配—推送 | "
         "浙里办 | 政策服务 | 政策推送 | 税费优惠政策推送服务 | 诉求（兜底）服务板块 | 市税务局 | 2024年 |", False),
    ]
    ws.column_dimensions["A"].width = 120
    for i, (text, bold) in enumerate(lines, start=1):
        c = ws.cell(i, 1, text)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            c.font = Font(bold=True, size=12 if i == 1 else 11)
