"""Bad input: every case is a LoadError naming the file (and page or row and column), in
Chinese and English, a non-zero exit from ``policykg load``, and a store left exactly as it
was — every quad of every graph, the generation and the restricted file."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from loadkit import all_quads, copy_store

from loaders.load import load_region
from policykg.cli import main
from policykg.core.errors import LoadError

STANDARD = ["序号", "重点工作编号", "省级细化措施编号", "地方细化举措", "服务内容", "服务流程", "办理渠道",
            "一级事项", "二级事项", "三级事项", "承接板块", "责任单位", "实施阶段", "备注"]
GOOD = ["1", "1", "1,2", "落实税费优惠政策精准推送", "为企业精准推送税费优惠政策", "", "浙里办", "政策服务", "政策推送",
        "税费优惠政策推送服务", "诉求（兜底）服务板块", "市税务局", "2024年", ""]


def standard_csv(*rows: list[str], header: list[str] = STANDARD, encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode(encoding)


def _row(**changes: str) -> list[str]:
    row = list(GOOD)
    for name, value in changes.items():
        row[STANDARD.index(name)] = value
    return row


def _encrypted_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret")
    c.drawString(100, 100, "1")
    c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_without_table() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "关于做好民营经济32条细化落实工作的通知（正文，没有表格）")
    c.showPage()
    c.save()
    return buf.getvalue()


def _corrupt_pdf() -> bytes:
    whole = _pdf_without_table()
    return whole[: len(whole) // 3]


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(["随便", "什么"])
    wb.save(buf)
    return buf.getvalue()


# name, file name, bytes (or a callable), region, expected fragments of the message
CASES = [
    ("empty csv", "list.csv", b"", "330100", ["list.csv", "文件为空", "empty"]),
    ("empty xlsx", "list.xlsx", b"", "330100", ["list.xlsx", "文件为空", "empty"]),
    ("empty pdf", "list.pdf", b"", "330100", ["list.pdf", "文件为空", "empty"]),
    ("blank csv", "list.csv", b"\r\n \r\n", "330100", ["list.csv", "文件为空", "empty"]),
    ("not a pdf", "list.pdf", "序号,重点工作编号\n1,1\n".encode(), "330100", ["list.pdf", "不是 PDF", "not a PDF"]),
    ("not an xlsx", "list.xlsx", "序号,重点工作编号\n1,1\n".encode(), "330100",
     ["list.xlsx", "不是 XLSX", "not an XLSX"]),
    ("xlsx named pdf", "list.pdf", _xlsx_bytes, "330100", ["list.pdf", "不是 PDF", "not a PDF"]),
    ("legacy xls", "list.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "330100", ["list.xlsx", ".xls"]),
    ("encrypted pdf", "list.pdf", _encrypted_pdf, "330100", ["list.pdf", "已加密", "encrypted"]),
    ("corrupt pdf", "list.pdf", _corrupt_pdf, "330100", ["list.pdf", "损坏", "corrupt"]),
    ("pdf without table", "list.pdf", _pdf_without_table, "330100", ["list.pdf", "找不到带框线的表格", "no ruled table"]),
    ("xlsx without header", "list.xlsx", _xlsx_bytes, "330100", ["list.xlsx", "没有一个工作表含有表头", "no sheet"]),
    ("no header", "list.csv", "姓名,年龄\n张三,30\n".encode(), "330100", ["list.csv", "找不到表头", "no table header"]),
    ("unknown header", "list.csv", "序号,甲列,乙列,丙列\n1,a,b,c\n".encode(), "330100",
     ["list.csv", "无法识别表头", "unknown header", "deqing", "standard"]),
    ("unknown region", "list.csv", lambda: standard_csv(GOOD), "999999",
     ["list.csv", "未知的行政区划代码", "999999", "unknown region code"]),
    ("region outside Zhejiang", "list.csv", lambda: standard_csv(GOOD), "110000", ["110000", "GB/T 2260"]),
    ("duplicate 序号", "list.csv", lambda: standard_csv(GOOD, _row(序号="2"), _row(序号="1", 重点工作编号="3")),
     "330100", ["list.csv 第4行 列“序号”", "序号 1 重复", "duplicate"]),
    ("序号 not a number", "list.csv", lambda: standard_csv(GOOD, _row(序号="二")), "330100",
     ["list.csv 第3行 列“序号”", "不是正整数", "not a positive integer"]),
    ("key task 33", "list.csv", lambda: standard_csv(GOOD, _row(序号="2", 重点工作编号="33")), "330100",
     ["list.csv 第3行 列“重点工作编号”", "33 超出 1–32", "outside 1–32"]),
    ("key task 0", "list.csv", lambda: standard_csv(_row(重点工作编号="0")), "330100", ["第2行", "超出 1–32"]),
    ("provincial measure 147", "list.csv", lambda: standard_csv(_row(省级细化措施编号="3,147")), "330100",
     ["list.csv 第2行 列“省级细化措施", "147 超出 1–146", "outside 1–146"]),
    ("provincial measure not a number", "list.csv", lambda: standard_csv(_row(省级细化措施编号="第三条")), "330100",
     ["第2行 列“省级细化措施编号”", "无法识别"]),
    ("service item without block", "list.csv", lambda: standard_csv(GOOD, _row(序号="2", 承接板块="")), "330100",
     ["list.csv 第3行 列“承接板块”", "税费优惠政策推送服务", "缺少承接板块", "no undertaking block"]),
    ("utf-16 without BOM", "list.csv", lambda: standard_csv(GOOD, encoding="utf-16-le"), "330100",
     ["list.csv", "NUL", "UTF-16"]),
    ("utf-16 with BOM", "list.csv", lambda: standard_csv(GOOD, encoding="utf-16"), "330100",
     ["list.csv", "不支持 UTF-16", "UTF-16 is not supported"]),
    ("latin-1 bytes", "list.csv", lambda: standard_csv(GOOD) + "Café\r\n".encode("latin-1"), "330100",
     ["list.csv", "第3行", "GB18030", "unsupported encoding"]),
    ("binary", "list.csv", bytes(range(1, 32)) * 10, "330100", ["list.csv", "控制字符", "control character"]),
    ("unsupported suffix", "list.docx", b"PK\x03\x04 something", "330100", ["list.docx", "不支持的文件类型", ".docx"]),
]


@pytest.fixture(scope="module")
def store_dir(built_store, tmp_path_factory):
    return copy_store(built_store, tmp_path_factory.mktemp("bad") / "store")


@pytest.fixture(scope="module")
def before(store_dir):
    """The store's content before any bad file: every case must leave it exactly so."""
    return all_quads(store_dir)


@pytest.mark.parametrize("name,filename,data,region,fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(store_dir, before, tmp_path, name, filename, data, region,
                                                  fragments):
    path = tmp_path / filename
    path.write_bytes(data() if callable(data) else data)
    with pytest.raises(LoadError) as err:
        load_region(store_dir, path, region)
    message = err.value.message
    for fragment in fragments:
        assert fragment in message, f"{name}: {fragment!r} not in {message!r}"
    assert err.value.zh and err.value.en, "Chinese and English"
    res = CliRunner().invoke(main, ["load", str(path), "--region", region, "--store", str(store_dir)])
    assert res.exit_code != 0
    assert fragments[-1] in res.output
    assert all_quads(store_dir) == before, f"{name}: the store changed"


def test_missing_file(store_dir, before, tmp_path):
    with pytest.raises(LoadError, match="文件不存在"):
        load_region(store_dir, tmp_path / "nope.csv", "330100")
    assert all_quads(store_dir) == before


def test_recoverable_oddities_are_warnings(built_store, tmp_path):
    """An unknown extra column is kept as a note (备注) with a warning; the load goes through."""
    store_dir = copy_store(built_store, tmp_path / "store")
    header = [*STANDARD, "填报人"]
    path = tmp_path / "hz.csv"
    path.write_bytes(standard_csv([*GOOD, "王五"], header=header))
    res = load_region(store_dir, path, "330100")
    assert res.rows == 1 and res.service_items == 1
    assert any("填报人" in w and "kept as notes (备注)" in w for w in res.warnings)
    same = CliRunner().invoke(main, ["load", str(path), "--region", "330100", "--store", str(store_dir)])
    assert same.exit_code == 0 and "未创建新版本" in same.output          # same SHA-256: no new version (issue 16)
    path.write_bytes(standard_csv([*GOOD, "赵六"], header=header))
    cli = CliRunner().invoke(main, ["load", str(path), "--region", "330100", "--store", str(store_dir)])
    assert cli.exit_code == 0 and "警告 / warning" in cli.output and "填报人" in cli.output
