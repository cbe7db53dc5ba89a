"""The ``policykg`` command: thin subcommands over library modules.

Results go to stdout, progress and errors to stderr. Exit codes follow pySHACL:
0 ok / conforms, 1 failure / Violation found, 2 usage or input error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .config import DEFAULT_STORE, SOURCE_DOCUMENT
from .errors import PolicyKGError
from .progress import stderr_progress

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
store_option = click.option(
    "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_STORE,
    envvar="POLICYKG_STORE", show_default=True,
    help="图谱存储目录（亦可用环境变量 POLICYKG_STORE） / store directory (or POLICYKG_STORE)",
)


class PolicyKGCommandError(click.ClickException):
    def __init__(self, error: PolicyKGError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code


def fail(error: PolicyKGError) -> None:
    raise PolicyKGCommandError(error)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="policykg")
def main() -> None:
    """民营经济32条落地知识图谱：构建、加载、校验、查询、导出、报告、模板、服务。

    policykg: knowledge graph of how Zhejiang's 32 private-economy measures land in each
    city and county. Build, load, validate, query, export, report, template, serve.
    """


@main.command(context_settings=CONTEXT)
@store_option
@click.option("--source", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=SOURCE_DOCUMENT,
              show_default=True, help="来源文件（提示单文本） / the source document's text")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度 / no progress output")
def build(store_dir: Path, source: Path, quiet: bool) -> None:
    """由 data/ 构建整个图谱（原子替换存储）。

    Build the whole graph from data/: ontology, backbone and the four regional lists,
    into a new store generation that replaces the old one atomically.
    """
    from .build import build as do_build

    try:
        res = do_build(store_dir, source, progress=stderr_progress(not quiet))
    except PolicyKGError as exc:
        fail(exc)
    for w in res.warnings:
        click.echo(f"警告 / warning: {w}", err=True)
    click.echo(f"已构建 {res.store} ({res.generation})：{res.triples} 个三元组，{len(res.regions)} 个地区，"
               f"{res.seconds:.1f} 秒 / built: {res.triples} triples, {len(res.regions)} regions, {res.seconds:.1f} s")


@main.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", required=True, help="GB/T 2260 行政区划代码 / region code, e.g. 330100")
@click.option("--layout", default=None, help="强制使用的版式 / force a column layout (else detected from the header)")
@click.option("--lenient", is_flag=True,
              help="清单自身的缺陷（如缺少承接板块）只作警告，仍然加载，留待校验报告 / load a list's own defects "
                   "(e.g. a service item without block) as warnings, for validation to report")
@store_option
def load(file: Path, region: str, layout: str | None, lenient: bool, store_dir: Path) -> None:
    """加载一个地区的清单（PDF、XLSX、CSV），原子替换该地区的图。

    Load one region's list (.pdf, .xlsx, .csv) and replace that region's named graph
    atomically; other regions are untouched. A bad file changes nothing. With --lenient,
    defective rows (duplicate 序号, numbers out of range, items without block) load as
    warnings with the bad values left out; unreadable files (encoding, header) are refused.
    """
    from .load import load_region

    try:
        res = load_region(store_dir, file, region, layout=layout, progress=stderr_progress(True),
                          strict=not lenient, validate=not lenient)
    except PolicyKGError as exc:
        fail(exc)
    for w in res.warnings:
        click.echo(f"警告 / warning: {w}", err=True)
    click.echo(res.summary())


@main.command(context_settings=CONTEXT)
@store_option
@click.option("--region", default=None, help="只校验该地区 / only this region (GB/T 2260 code)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "csv"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def validate(store_dir: Path, region: str | None, fmt: str, output: Path | None) -> None:
    """用 SHACL 形状校验图谱：结构（违规）、完整性（警告）、标准化（提示）。

    Validate the graph against shapes/: structure (Violation), completeness (Warning),
    standardization (Info). Exit 0 without Violation, 1 with, 2 on a usage error.
    """
    from . import validate as v

    try:
        report = v.run_store(store_dir, region=region, progress=stderr_progress(sys.stderr.isatty()))
        text = v.render(report, fmt)
    except PolicyKGError as exc:
        err = PolicyKGCommandError(exc)
        err.exit_code = 2    # 1 means "a Violation was found": anything that stops validation is 2
        raise err from exc
    _write(text, output)
    sys.exit(0 if report.conforms else 1)


@main.command(context_settings=CONTEXT)
@click.argument("query")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@click.option("--param", "-p", multiple=True, metavar="NAME=VALUE", help="绑定查询参数 / bind a query parameter")
def query(query: str, store_dir: Path, fmt: str, param: tuple[str, ...]) -> None:
    """运行 SPARQL 查询（文件、目录中的查询名或查询文本）。

    Run a SPARQL query: a .rq file, a catalogue name (e.g. key-tasks) or the text itself.
    The default graph is the union of the public graphs. json = SPARQL 1.1 JSON results.
    """
    from . import queries, store
    from .render import render_table

    subs = {}
    for p in param:
        name, _, value = p.partition("=")
        if not _:
            raise click.UsageError(f"--param 需要 NAME=VALUE 形式 / --param needs NAME=VALUE: {p}")
        subs[name] = value
    try:
        q = queries.resolve(query)
        if q.params:                     # declared in the #+ header: typed, with their defaults
            subs = queries.bind(q, subs)
        res = queries.run(store.open_read_only(store_dir), q.text, substitutions=subs or None)
    except PolicyKGError as exc:
        fail(exc)
    if fmt == "table":
        click.echo(render_table(res))
    else:
        sys.stdout.buffer.write(queries.serialize_result(res, fmt))
        sys.stdout.flush()


@main.command(context_settings=CONTEXT)
@click.argument("region")
@store_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(region: str, store_dir: Path, fmt: str, output: Path | None) -> None:
    """按原表列头导出一个地区的清单（CSV 或 XLSX）。

    Export a region's table from the graph with the source's own column headers,
    one row per source row in 序号 order.
    """
    from .export import export_region

    try:
        data = export_region(store_dir, region, fmt)
    except PolicyKGError as exc:
        fail(exc)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@main.command(context_settings=CONTEXT)
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件（.html 或 .xlsx） / output file (.html or .xlsx)")
def report(store_dir: Path, output: Path) -> None:
    """生成落地分析报告（自包含 HTML 或 XLSX）。

    Write the landing-analysis report: coverage, gaps, heatmap and bottlenecks.
    """
    from .report import write_report

    try:
        write_report(store_dir, output, progress=stderr_progress(True))
    except PolicyKGError as exc:
        fail(exc)
    click.echo(f"已写出 / written: {output}")


@main.command(context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def template(output: Path) -> None:
    """写出各地填报用的标准清单模板（XLSX，含下拉列表与填表说明）。

    Write the standard list template (XLSX with drop-downs and a Chinese instructions sheet).
    """
    from loaders.template import write_template

    try:
        write_template(output)
    except PolicyKGError as exc:
        fail(exc)
    click.echo(f"已写出 / written: {output}")


@main.command(context_settings=CONTEXT)
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--timeout", default=10.0, show_default=True, type=float, help="单个查询超时（秒） / per-query timeout (s)")
@click.option("--endpoint", default=None, help="改用远程 SPARQL 端点 / answer from a remote SPARQL endpoint instead")
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--build/--no-build", "build_first", default=False,
              help="先由 data/ 构建（若尚无存储） / build from data/ first if the store is missing")
@click.option("--get", "get_path", default=None, help="只处理一个请求并退出（冒烟检查） / serve one request and exit")
def serve(store_dir: Path, host: str, port: int, timeout: float, endpoint: str | None, threads: int,
          build_first: bool, get_path: str | None) -> None:
    """启动只读 SPARQL 端点与查询网页（waitress）。

    Serve the read-only SPARQL 1.1 endpoint and the web query page under waitress.
    """
    from server.run import serve as do_serve

    try:
        code = do_serve(store_dir=store_dir, host=host, port=port, timeout=timeout, endpoint=endpoint,
                        threads=threads, build_first=build_first, get_path=get_path)
    except PolicyKGError as exc:
        fail(exc)
    sys.exit(code or 0)


@main.command(context_settings=CONTEXT)
@store_option
@click.option("--endpoint", required=True, help="SPARQL 1.1 图存储协议地址 / Graph Store Protocol URL")
@click.option("--token", envvar="POLICYKG_PUSH_TOKEN", default=None, help="Bearer 令牌 / bearer token")
def push(store_dir: Path, endpoint: str, token: str | None) -> None:
    """把各命名图上传到远程 SPARQL 服务器（图存储协议）。

    Upload the store's named graphs to a remote server via the SPARQL 1.1 Graph Store Protocol.
    """
    from server.remote import push_graphs

    try:
        for graph, n in push_graphs(store_dir, endpoint, token=token):
            click.echo(f"{graph}: {n}")
    except PolicyKGError as exc:
        fail(exc)


def _write(text: str | bytes, output: Path | None) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


# ---- measure-level landing (issue 15) ----

@main.command(context_settings=CONTEXT)
@store_option
@click.option("--region", default=None, help="只输出该地区 / only this region (GB/T 2260 code)")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx", "html"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def landing(store_dir: Path, region: str | None, fmt: str, output: Path | None) -> None:
    """各地区×146条省级细化措施的落地状态、依据与建议。

    Landing status of each region × provincial measure (service-item / local-measure / none),
    with the rows and items behind it, its confidence and recommendations from other regions.
    """
    from .landing import compute_store
    from .landing_render import render as render_landing

    try:
        data = render_landing(compute_store(store_dir, region), fmt, region)
    except PolicyKGError as exc:
        fail(exc)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("XLSX 需要 -o 文件 / XLSX needs -o FILE")
    _write(data, output)


if __name__ == "__main__":
    main()
