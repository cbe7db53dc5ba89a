"""Header recognition (issue 20): normal forms, scores, layout choice, hand mapping, the
``policykg load`` options --dry-run, --map, --save-map, --sheet and --force."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from header_variants import VARIANTS
from loadkit import all_quads, copy_store

from loaders import headers
from loaders.export import region_table
from loaders.layouts import get as layout
from policykg.cli import main
from policykg.core.errors import LoadError


def test_normal_forms():
    assert headers.key("序　号") == headers.key("序 号\n") == "序号"
    assert headers.key("承接板块（专区）") == headers.key("承接板块【专区】") == "承接板块(专区)"
    assert headers.key("备注：") == headers.key("*备注") == "备注"
    assert headers.key("ＡＢ１") == "AB1"
    assert headers.bare("承接板块（专区）") == "承接板块"
    assert [headers.row_number(x) for x in ("1.0", "１", "1、", " 12 ", "3.", "１２．", "a1")] == \
        ["1", "1", "1", "12", "3", "12", "a1"]


def test_column_scores():
    dq, zs, std = layout("deqing"), layout("zhoushan"), layout("standard")
    assert headers.column_score("县级细化举措", dq.column("local_measure")) == 100
    assert headers.column_score("细化举措", dq.column("local_measure")) == 100          # alias
    assert headers.column_score("承接板块（综合）", dq.column("block")) == 95             # brackets dropped
    assert headers.column_score("市级细化举措", zs.column("local_measure")) == pytest.approx(83.33, abs=0.01)
    assert headers.column_score("重点工作", std.column("key_task_number")) == 0          # 编号 is another column
    assert headers.column_score("细化举措", layout("qiantang").column("provincial_texts")) == 0   # 省级 is another
    assert headers.column_score("甲列", dq.column("content")) == 0


def test_layout_choice_and_errors():
    rec = headers.choose(["序号", "总体任务", "重点工作", "市级目标", "市级细化措施", "实施阶段", "责任单位", "联系人"], "x")
    assert rec.layout.id == "zhoushan" and rec.score == 1.0
    assert [c[0] for c in rec.candidates][0] == "zhoushan" and all(c[2] for c in rec.candidates[1:])
    with pytest.raises(LoadError, match="无法识别表头.*最接近：deqing，缺少 服务内容"):
        headers.choose(["序号", "省级重点工作", "县级细化举措", "一级事项", "二级事项", "三级事项", "承接板块"], "x")
    with pytest.raises(LoadError, match="表头缺少版式 quzhou 的列：省级细化措施、市级落实细则"):
        headers.choose(["序号", "省级重点工作", "县级细化举措", "服务内容", "一级事项", "二级事项", "三级事项", "承接板块"],
                       "x", layout_id="quzhou")
    rec = headers.choose(["序号", "工作", "举措", "内容", "一级", "二级", "三级", "板块"], "x", layout_id="deqing")
    assert [m.how for m in rec.matches] == ["position"] * 8 and rec.matches[7].field == "block"
    with pytest.raises(LoadError, match="列映射格式应为“表头=字段”：细化举措"):
        headers.parse_map(["细化举措"])


@pytest.fixture
def yuhang(built_store, tmp_path):
    v = next(v for v in VARIANTS if v.id == "dq-yuhang")
    return v.build(region_table(built_store, v.code), tmp_path / v.id)


@pytest.fixture
def store_dir(built_store, tmp_path):
    return copy_store(built_store, tmp_path / "store")


def test_dry_run_shows_the_reading_and_changes_nothing(store_dir, yuhang):
    before = all_quads(store_dir)
    res = CliRunner().invoke(main, ["load", str(yuhang), "--region", "330110", "--dry-run", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "试运行（不写入存储）" in out and "工作表“Sheet1”" in out and "表头在第 2 行" in out
    assert "版式 deqing，表头得分 0.89" in out
    assert "细化举措 → local_measure（100，别名）" in out and "序号 → row（100，原文）" in out
    assert "备注 → 备注 remark（未知列，记入备注" in out
    assert "数据行 107 行 → 107 个序号，107 个服务事项" in out
    first = [ln for ln in out.splitlines() if ln.startswith("  dq-yuhang.xlsx 工作表“Sheet1” 第")]
    assert len(first) == 5 and first[0].startswith("  dq-yuhang.xlsx 工作表“Sheet1” 第3行: row=1；key_task=（一）强化财税政策保障")
    assert "加载将被拒绝" in out and "第46行 列“承接板块”: 服务事项“科创基金”的承接板块印为“/”" in out   # 德清's own row 44 (block printed "/")
    assert all_quads(store_dir) == before


def test_the_issues_file_loads_as_yuhang(store_dir, yuhang):
    res = CliRunner().invoke(main, ["load", str(yuhang), "--region", "330110", "--lenient", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    assert "版式 deqing，表头得分 0.89" in res.output and "杭州市余杭区（330110，版式 deqing）：107 行" in res.output
    assert len(region_table(store_dir, "330110").groups) == 107


def test_hand_mapping_saved_and_reused(store_dir, built_store, tmp_path, monkeypatch):
    monkeypatch.setattr(headers, "REGION_MAPPINGS", tmp_path / "mappings")
    v = next(v for v in VARIANTS if v.id == "dq-hand-map")
    path = v.build(region_table(built_store, v.code), tmp_path / v.id)
    run = CliRunner().invoke
    base = ["load", str(path), "--region", "330521", "--lenient", "--store", str(store_dir)]
    before = all_quads(store_dir)
    res = run(main, base)
    assert res.exit_code != 0 and "无法识别表头" in res.output and "--map" in res.output
    res = run(main, [*base, "--map", "举措=local_measure"])
    assert res.exit_code != 0 and "文件表头中没有“举措”" in res.output
    res = run(main, [*base, "--map", "工作举措内容=measure"])
    assert res.exit_code != 0 and "未知字段 measure" in res.output
    assert all_quads(store_dir) == before
    res = run(main, [*base, "--map", "工作举措内容=local_measure", "--save-map"])
    assert res.exit_code == 0, res.output
    saved = (tmp_path / "mappings" / "330521.toml").read_text(encoding="utf-8")
    assert 'layout = "deqing"' in saved and '"工作举措内容" = "local_measure"' in saved
    res = run(main, [*base, "--dry-run"])                    # later loads reuse the file
    assert res.exit_code == 0 and "列映射文件" in res.output and "工作举措内容 → local_measure（100，手工）" in res.output


def test_region_named_in_the_file_is_refused_unless_forced(store_dir, built_store, tmp_path):
    v = next(v for v in VARIANTS if v.id == "qz-title-gb18030")
    path = v.build(region_table(built_store, v.code), tmp_path / v.id)
    before = all_quads(store_dir)
    base = ["load", str(path), "--region", "330900", "--store", str(store_dir)]
    res = CliRunner().invoke(main, base)
    assert res.exit_code != 0 and "写的是 衢州市（330800），不是 --region 330900（舟山市）" in res.output
    assert all_quads(store_dir) == before
    res = CliRunner().invoke(main, [*base, "--force"])
    assert res.exit_code == 0 and "--force，仍按 330900 加载" in res.output


def test_sheet_option(store_dir, built_store, tmp_path):
    v = next(v for v in VARIANTS if v.id == "qz-sheets")
    path = v.build(region_table(built_store, v.code), tmp_path / v.id)
    base = ["load", str(path), "--region", "330800", "--dry-run", "--store", str(store_dir)]
    res = CliRunner().invoke(main, [*base, "--sheet", "清单"])
    assert res.exit_code == 0 and "工作表“清单”" in res.output
    res = CliRunner().invoke(main, [*base, "--sheet", "无此表"])
    assert res.exit_code != 0 and "工作簿中没有工作表“无此表”" in res.output


def test_a_bad_mapping_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(headers, "REGION_MAPPINGS", tmp_path)
    (tmp_path / "330110.toml").write_text('layout = "deqing"\n[columns]\n"细化举措" = "measure"\n', encoding="utf-8")
    with pytest.raises(LoadError, match=r"330110\.toml: 列映射文件含未知字段或版式：\['measure'\]"):
        headers.region_options("330110", None)
    (tmp_path / "330110.toml").write_text('layout = "deqing"\n[columns\n', encoding="utf-8")
    with pytest.raises(LoadError, match="列映射文件格式错误"):
        headers.region_options("330110", None)
    (tmp_path / "330110.toml").write_text('layout = "deqing"\nsheet = "清单"\n[columns]\n"甲" = "local_measure"\n',
                                          encoding="utf-8")
    opts = headers.region_options("330110", headers.ReadOptions(hand={"乙": "content"}))
    assert opts.hand == {"甲": "local_measure", "乙": "content"} and opts.layout == "deqing" and opts.sheet == "清单"
