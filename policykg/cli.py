"""The ``policykg`` command: one click group, thin subcommands over library modules.

The library's own commands (validate, query, report, ...) are defined here. The layers
above add theirs through the entry point group ``policykg.commands`` (``loaders``: build,
load, export, template; ``server``: serve, push), the way rdflib finds its plugins: the
library never imports the packages built on it. They share this module's ``store_option``
and its one error wrapper, :func:`fail`.

Results go to stdout, progress and errors to stderr. Exit codes follow pySHACL:
0 ok / conforms, 1 failure / Violation found, 2 usage or input error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from policykg.core.config import DEFAULT_STORE
from policykg.core.errors import PolicyKGError
from policykg.core.progress import stderr_progress

PLUGIN_GROUP = "policykg.commands"

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


def fail(error: PolicyKGError, exit_code: int | None = None) -> None:
    """The error wrapper of every command: the bilingual message on stderr, the error's exit
    code (or ``exit_code``)."""
    err = PolicyKGCommandError(error)
    if exit_code is not None:
        err.exit_code = exit_code
    raise err from error


class PluginGroup(click.Group):
    """A click group that also lists the commands registered under ``policykg.commands``,
    loading each only when it is called or listed."""

    def _plugins(self) -> dict[str, object]:
        # imported when a command is looked up: importlib.metadata costs more than the rest of the startup
        from importlib.metadata import entry_points

        return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP) if ep.name not in self.commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None:
            ep = self._plugins().get(cmd_name)
            if ep is not None:
                cmd = ep.load()
                self.add_command(cmd, cmd_name)
        return cmd


@click.group(cls=PluginGroup, context_settings=CONTEXT)
@click.version_option(package_name="policykg")
def main() -> None:
    """民营经济32条落地知识图谱：构建、加载、校验、查询、导出、报告、模板、服务。

    policykg: knowledge graph of how Zhejiang's 32 private-economy measures land in each
    city and county. Build, load, validate, query, export, report, template, serve.
    """


@main.command(context_settings=CONTEXT)
@store_option
@click.option("--region", default=None, help="只校验该地区 / only this region (GB/T 2260 code)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "csv"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--updated-since", "updated_since", default=None, metavar="DATE",
              help="只列出当前清单早于该日期的地区（如 2024-06-30） / list the regions whose current list is older")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="不用校验缓存，全部重新校验 / validate every region again, ignoring the findings cache")
def validate(store_dir: Path, region: str | None, fmt: str, output: Path | None, updated_since: str | None,
             no_cache: bool) -> None:
    """用 SHACL 形状校验图谱：结构（违规）、完整性（警告）、标准化（提示）。

    Validate the graph against shapes/: structure (Violation), completeness (Warning),
    standardization (Info). Exit 0 without Violation, 1 with, 2 on a usage error.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg import validate as validation

    if updated_since:
        _updated_since(store_dir, updated_since, fmt, output)
    try:
        report = validation.run_store(store_dir, region=region, progress=stderr_progress(sys.stderr.isatty()),
                                      cache=not no_cache)
        text = validation.render(report, fmt)
    except PolicyKGError as exc:
        fail(exc, exit_code=2)    # 1 means "a Violation was found": anything that stops validation is 2
    write_output(text, output)
    sys.exit(0 if report.conforms else 1)


@main.command(context_settings=CONTEXT)
@click.argument("query")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@click.option("--param", "-p", multiple=True, metavar="NAME=VALUE", help="绑定查询参数 / bind a query parameter")
@click.option("--as-of", "as_of", default=None, metavar="DATETIME",
              help="按当时的各地区版本回答（ISO 8601） / answer from the versions current at that time")
def query(query: str, store_dir: Path, fmt: str, param: tuple[str, ...], as_of: str | None) -> None:
    """运行 SPARQL 查询（文件、目录中的查询名或查询文本）。

    Run a SPARQL query: a .rq file, a catalogue name (e.g. key-tasks) or the text itself.
    The default graph is the union of the public graphs. json = SPARQL 1.1 JSON results.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.asof import snapshot
    from policykg.graph import store
    from policykg.sparql import queries
    from policykg.sparql.render import render_table

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
        target = snapshot(store_dir, as_of) if as_of else store.open_read_only(store_dir)
        res = queries.run(target, q.text, substitutions=subs or None)
    except PolicyKGError as exc:
        fail(exc)
    if fmt == "table":
        click.echo(render_table(res))
    else:
        sys.stdout.buffer.write(queries.serialize_result(res, fmt))
        sys.stdout.flush()


def write_output(text: str | bytes, output: Path | None) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()

# ---- alignment to the provincial measures (issue 14) ----

@main.command("align", context_settings=CONTEXT)
@store_option
@click.option("--region", default=None, help="只输出该地区 / only this region (GB/T 2260 code)")
@click.option("--format", "fmt", type=click.Choice(["sssom", "xlsx", "json"]), default="sssom", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def align_cmd(store_dir: Path, region: str | None, fmt: str, output: Path | None) -> None:
    """输出地方举措、服务事项与省级细化措施的对齐候选（前五名）。

    Write the alignment candidates (top 5 per local measure and service item) as
    SSSOM/TSV, a Chinese XLSX review sheet (with an accept/reject column) or JSON.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.align import review, sssom
    from policykg.align.store import candidates, regions_aligned

    try:
        codes = [region] if region else regions_aligned(store_dir)
        cands = [c for code in codes for c in candidates(store_dir, code)]
    except PolicyKGError as exc:
        fail(exc)
    if region and not cands:
        fail(PolicyKGError(f"存储中没有地区 {region} 的对齐结果", f"the store holds no alignment for region {region}"))
    if fmt == "xlsx":
        if output is None:
            fail(PolicyKGError("XLSX 需要 -o 文件名", "XLSX needs -o FILE"))
        review.write_xlsx(cands, output)
        click.echo(f"已写入 {output}：{len(cands)} 条候选 / wrote {len(cands)} candidates", err=True)
        return
    write_output(sssom.write(cands, region) if fmt == "sssom" else review.to_json(cands) + "\n", output)


@main.command("align-import", context_settings=CONTEXT)
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", required=True, help="审核表所属地区 / the sheet's region (GB/T 2260 code)")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="审核文件目录（默认 data/alignment） / curation directory (default data/alignment)")
def align_import(sheet: Path, region: str, directory: Path | None) -> None:
    """把填好的对齐审核表写入 data/alignment/{代码}.sssom.tsv（下次构建或加载时生效）。

    Import a filled XLSX review sheet into the region's curation file; the next build or
    load applies it (curated decisions beat predictions).
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.align import review

    try:
        decisions = review.read_xlsx(sheet, region)
        target = review.merge_into_file(decisions, region, directory)
    except PolicyKGError as exc:
        fail(exc)
    click.echo(f"已写入 {target}：{len(decisions)} 条审核决定 / wrote {len(decisions)} decisions to {target}")


# ---- versions: history, revert, deadlines (issue 16; diff is in loaders.cli: it prints the list's columns) ----

def _updated_since(store_dir: Path, since: str, fmt: str, output: Path | None) -> None:
    """``validate --updated-since``: the regions whose current list is older (exit 1 if any)."""
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.versions import list_date, older_than

    try:
        stale = older_than(store_dir, since)
    except PolicyKGError as exc:
        fail(exc, exit_code=2)
    if fmt == "json":
        text = json.dumps([{"region": v.region, "version": v.version, "date": list_date(v), "loaded": v.loaded}
                           for v in stale], ensure_ascii=False, indent=1) + "\n"
    else:
        lines = [f"{v.region}\tv{v.version}\t{list_date(v)}\t{v.source}" for v in stale]
        head = (f"{len(stale)} 个地区的当前清单早于 {since}（应于6月底前完成更新） / {len(stale)} region(s) whose "
                f"current list is older than {since}")
        text = "\n".join([head, *lines]) + "\n"
    write_output(text, output)
    sys.exit(1 if stale else 0)


@main.command(context_settings=CONTEXT)
@click.argument("region")
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(region: str, store_dir: Path, fmt: str) -> None:
    """列出一个地区清单的全部版本（由早到晚）。

    List the versions of a region's list, oldest first.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg import versions
    from policykg.core import regions

    try:
        code = regions.get(region).code
        hist = versions.history(store_dir, code)
        if not hist:
            versions.get(store_dir, code)          # the "no versions" error
    except PolicyKGError as exc:
        fail(exc)
    if fmt == "json":
        keys = ("version", "loaded", "sha256", "source", "rows", "note")
        write_output(json.dumps([{k: v.to_json()[k] for k in keys} | {"date": v.date, "token": v.token, "action": v.action}
                           for v in hist], ensure_ascii=False, indent=1) + "\n", None)
        return
    cur = versions.committed(store_dir).get(code)
    for v in hist:
        mark = "*" if v.version == cur else " "
        extra = "".join(f"  {x}" for x in (v.note, v.date and f"清单日期 {v.date}", v.token and f"令牌 {v.token}") if x)
        click.echo(f"{mark}v{v.version}  {v.loaded[:19]}Z  {v.action:7} {v.rows:4} 行 rows  {v.sha256[:12]}  "
                   f"{v.source}{extra}")


@main.command(context_settings=CONTEXT)
@click.argument("region")
@click.option("--to", "to", type=int, required=True, help="恢复到的版本 / the version to restore")
@click.option("--note", default=None)
@store_option
def revert(region: str, to: int, note: str | None, store_dir: Path) -> None:
    """把一个地区恢复为某一版本（追加一个新版本，历史只增不减）。

    Make a region's list version V again, as a new version (history only grows).
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.revert import revert as do_revert

    try:
        made = do_revert(store_dir, region, to, note)
    except PolicyKGError as exc:
        fail(exc)
    if made is None:
        click.echo(f"当前版本已与第 {to} 版相同，未创建新版本 / the current version already equals v{to}: no new version")
    else:
        click.echo(f"已恢复：第 {made.version} 版 = 第 {to} 版 / reverted: v{made.version} = v{to}")


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
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.landing import compute_store
    from policykg.landing_render import render as render_landing

    try:
        data = render_landing(compute_store(store_dir, region), fmt, region)
    except PolicyKGError as exc:
        fail(exc)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("XLSX 需要 -o 文件 / XLSX needs -o FILE")
    write_output(data, output)


if __name__ == "__main__":
    main()
