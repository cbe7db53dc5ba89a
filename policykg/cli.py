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
def validate(store_dir: Path, region: str | None, fmt: str, output: Path | None) -> None:
    """用 SHACL 形状校验图谱：结构（违规）、完整性（警告）、标准化（提示）。

    Validate the graph against shapes/: structure (Violation), completeness (Warning),
    standardization (Info). Exit 0 without Violation, 1 with, 2 on a usage error.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg import validate as validation

    try:
        report = validation.run_store(store_dir, region=region, progress=stderr_progress(sys.stderr.isatty()))
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
def query(query: str, store_dir: Path, fmt: str, param: tuple[str, ...]) -> None:
    """运行 SPARQL 查询（文件、目录中的查询名或查询文本）。

    Run a SPARQL query: a .rq file, a catalogue name (e.g. key-tasks) or the text itself.
    The default graph is the union of the public graphs. json = SPARQL 1.1 JSON results.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
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
        res = queries.run(store.open_read_only(store_dir), q.text, substitutions=subs or None)
    except PolicyKGError as exc:
        fail(exc)
    if fmt == "table":
        click.echo(render_table(res))
    else:
        sys.stdout.buffer.write(queries.serialize_result(res, fmt))
        sys.stdout.flush()


@main.command(context_settings=CONTEXT)
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件（.html 或 .xlsx） / output file (.html or .xlsx)")
def report(store_dir: Path, output: Path) -> None:
    """生成落地分析报告（自包含 HTML 或 XLSX）。

    Write the landing-analysis report: coverage, gaps, heatmap and bottlenecks.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from policykg.report import write_report

    try:
        write_report(store_dir, output, progress=stderr_progress(True))
    except PolicyKGError as exc:
        fail(exc)
    click.echo(f"已写出 / written: {output}")


def write_output(text: str | bytes, output: Path | None) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
