"""The commands of the loaders' layer, registered in ``policykg``'s click group through the
entry point group ``policykg.commands`` (pyproject.toml): build, load, export, template."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policykg.cli import CONTEXT, fail, store_option, write_output
from policykg.core.config import SOURCE_DOCUMENT
from policykg.core.errors import PolicyKGError
from policykg.core.progress import stderr_progress


@click.command(context_settings=CONTEXT)
@store_option
@click.option("--source", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=SOURCE_DOCUMENT,
              show_default=True, help="来源文件（提示单文本） / the source document's text")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度 / no progress output")
def build(store_dir: Path, source: Path, quiet: bool) -> None:
    """由 data/ 构建整个图谱（原子替换存储）。

    Build the whole graph from data/: ontology, backbone and the four regional lists,
    into a new store generation that replaces the old one atomically.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from .build import build as build_graph

    try:
        res = build_graph(store_dir, source, progress=stderr_progress(not quiet))
    except PolicyKGError as exc:
        fail(exc)
    for w in res.warnings:
        click.echo(f"警告 / warning: {w}", err=True)
    click.echo(f"已构建 {res.store} ({res.generation})：{res.triples} 个三元组，{len(res.regions)} 个地区，"
               f"{res.seconds:.1f} 秒 / built: {res.triples} triples, {len(res.regions)} regions, {res.seconds:.1f} s")




@click.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", required=True, help="GB/T 2260 行政区划代码 / region code, e.g. 330100")
@click.option("--layout", default=None, help="强制使用的版式 / force a column layout (else detected from the header)")
@click.option("--lenient", is_flag=True,
              help="清单自身的缺陷（如缺少承接板块）只作警告，仍然加载，留待校验报告 / load a list's own defects "
                   "(e.g. a service item without block) as warnings, for validation to report")
@click.option("--map", "maps", multiple=True, metavar="表头=字段",
              help="手工指定列 / map a header to a field, e.g. \"细化举措=local_measure\" (repeatable)")
@click.option("--save-map", is_flag=True, help="把列映射存为 data/mappings/{code}.toml / save the mapping for later loads")
@click.option("--sheet", default=None, help="读入的工作表 / the sheet to read (else the best-matching one)")
@click.option("--force", is_flag=True, help="文件标题写的是别的地区时仍加载 / load although the file names another region")
@click.option("--dry-run", is_flag=True, help="只显示将如何读入，不写入 / show how the file would be read; change nothing")
@click.option("--note", default=None, help="版本说明 / a note for the version this load makes")
@click.option("--date", "list_date", default=None, metavar="YYYY-MM-DD", help="清单自身的日期 / the list's own date")
@store_option
def load(file: Path, region: str, layout: str | None, lenient: bool, maps: tuple[str, ...], save_map: bool,
         sheet: str | None, force: bool, dry_run: bool, note: str | None, list_date: str | None,
         store_dir: Path) -> None:
    """加载一个地区的清单（PDF、XLSX、CSV），原子替换该地区的图。

    Load one region's list (.pdf, .xlsx, .csv) and replace that region's named graph
    atomically; other regions are untouched. A bad file changes nothing. With --lenient,
    defective rows (duplicate 序号, numbers out of range, items without block) load as
    warnings with the bad values left out; unreadable files (encoding, header) are refused.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.versions import parse_when

    from . import headers  # (the command's task modules, imported when it runs)
    from .load import backbone_from_store, load_region
    from .preview import preview

    try:
        date = parse_when(list_date).date().isoformat() if list_date else None
        opts = headers.ReadOptions(hand=headers.parse_map(maps), sheet=sheet, force=force)
        if dry_run:
            click.echo(preview(file, region, layout, opts, backbone=backbone_from_store(store_dir),
                               strict=not lenient).text)
            return
        res = load_region(store_dir, file, region, layout=layout, progress=stderr_progress(True),
                          strict=not lenient, validate=not lenient, options=opts, note=note, date=date)
    except PolicyKGError as exc:
        fail(exc)
    for w in res.warnings:
        click.echo(f"警告 / warning: {w}", err=True)
    if opts.recognition:
        click.echo(opts.recognition.describe())
    if save_map and opts.recognition:
        click.echo(f"列映射已存 / mapping saved: {headers.save_region_mapping(region, opts.recognition, opts.hand)}")
    click.echo(res.summary())


@click.command(context_settings=CONTEXT)
@click.argument("region")
@store_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(region: str, store_dir: Path, fmt: str, output: Path | None) -> None:
    """按原表列头导出一个地区的清单（CSV 或 XLSX）。

    Export a region's table from the graph with the source's own column headers,
    one row per source row in 序号 order.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from .export import export_region

    try:
        data = export_region(store_dir, region, fmt)
    except PolicyKGError as exc:
        fail(exc)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)




@click.command(context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--kind", type=click.Choice(["list", "handling"]), default="list", show_default=True,
              help="list 清单模板；handling 办件模板 / list template or handling (办件) template")
@click.option("--region", default=None, help="办件模板：预填该地区的服务事项 / handling: pre-fill this region's items")
@click.option("--month", default=None, help="办件模板：预填的统计月份 YYYY-MM / handling: pre-fill this month")
@store_option
def template(output: Path, kind: str, region: str | None, month: str | None, store_dir: Path) -> None:
    """写出各地填报用的标准清单模板或办件模板（XLSX，含下拉列表与填表说明）。

    Write the standard list template, or with --kind handling the service handling (办件)
    template (XLSX with drop-downs and a Chinese instructions sheet).
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from .handling_template import write_handling_template
    from .template import write_template

    try:
        if kind == "handling":
            write_handling_template(output, store_dir, region=region, month=month)
        else:
            write_template(output)
    except PolicyKGError as exc:
        fail(exc)
    click.echo(f"已写出 / written: {output}")


# ---- service handling records (办件) (issue 17) ----

@click.group(context_settings=CONTEXT)
def handling() -> None:
    """服务事项办件记录：加载与统计。

    Service handling (办件) records: load a file, summarize how the service items are used.
    """


@handling.command("load", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@store_option
def handling_load(file: Path, store_dir: Path) -> None:
    """加载办件记录（XLSX 或 CSV）；同一地区同一月份再次加载即替换。

    Load handling records (.xlsx or .csv, UTF-8 or GBK). Each row links to the region's
    service item; months loaded again replace the old ones. One bad row refuses the file.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from .handling import load_file

    try:
        res = load_file(store_dir, file)
    except PolicyKGError as exc:
        fail(exc)
    click.echo(res.summary())


@handling.command("summary", context_settings=CONTEXT)
@store_option
@click.option("--region", default=None, help="只统计该地区 / only this region")
@click.option("--from", "first", default=None, help="起始月份 YYYY-MM / first month")
@click.option("--to", "last", default=None, help="截止月份 YYYY-MM / last month")
@click.option("--format", "fmt", type=click.Choice(["json", "text", "xlsx"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def handling_summary(store_dir: Path, region: str | None, first: str | None, last: str | None, fmt: str,
                     output: Path | None) -> None:
    """办件统计：各地区合计、从未办件的事项、按板块/一级事项/省级细化措施、逐月趋势、堵点。

    Summary: totals per region, items never handled, breakdowns by block, level-1 category
    and provincial measure, the monthly trend and the ranked bottlenecks.
    """
    # imported when the command runs
    from policykg.handling.render import render
    from policykg.handling.summary import summary_from_dir

    try:
        data = render(summary_from_dir(store_dir, region=region, first=first, last=last), fmt)
    except PolicyKGError as exc:
        fail(exc)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("xlsx 需要 -o 文件 / xlsx needs -o FILE")
    write_output(data, output)


# ---- the report and the diff of versions: both print the list's own columns (layouts) ----

@click.command(context_settings=CONTEXT)
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件（.html 或 .xlsx） / output file (.html or .xlsx)")
@click.option("--since", default=None, metavar="VERSION|DATE",
              help="说明自某版本（如 v2）或日期以来的变化 / say what changed since a version (v2) or date")
@click.option("--deadline", default=None, metavar="DATE",
              help="更新截止日期（默认当年 6 月 30 日） / update deadline (default: June 30 of this year)")
def report(store_dir: Path, output: Path, since: str | None, deadline: str | None) -> None:
    """生成落地分析报告（自包含 HTML 或 XLSX）。

    Write the landing-analysis report: coverage, gaps, heatmap and bottlenecks. A loaders
    command because "what changed since" compares the list's own columns (the layouts).
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.report import write_report

    from .export import version_rows  # (its task, imported when it runs)

    try:
        write_report(store_dir, output, progress=stderr_progress(True), since=since, deadline=deadline,
                     rows_of=version_rows)
    except PolicyKGError as exc:
        fail(exc)
    click.echo(f"已写出 / written: {output}")


@click.command(context_settings=CONTEXT)
@click.argument("region")
@store_option
@click.option("--from", "v_from", type=int, default=None, help="起始版本（默认：上一版） / from version (default: previous)")
@click.option("--to", "v_to", type=int, default=None, help="目标版本（默认：当前版） / to version (default: current)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def diff(region: str, store_dir: Path, v_from: int | None, v_to: int | None, fmt: str, output: Path | None) -> None:
    """比较一个地区清单的两个版本（按内容匹配行，而非序号）。

    Compare two versions of a region's list: rows matched by content, not by 序号.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.diff import diff as do_diff
    from policykg.diff import render

    from .export import version_rows  # (its task, imported when it runs)

    try:
        data = render(do_diff(store_dir, region, v_from, v_to, rows_of=version_rows), fmt)
    except PolicyKGError as exc:
        fail(exc)
    write_output(data, output)
