"""The commands of the server's layer, registered in ``policykg``'s click group through the
entry point group ``policykg.commands`` (pyproject.toml): serve, push."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policykg.cli import CONTEXT, fail, store_option
from policykg.core.errors import PolicyKGError


@click.command(context_settings=CONTEXT)
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
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from .run import serve as run_server

    try:
        code = run_server(store_dir=store_dir, host=host, port=port, timeout=timeout, endpoint=endpoint,
                        threads=threads, build_first=build_first, get_path=get_path)
    except PolicyKGError as exc:
        fail(exc)
    sys.exit(code or 0)




@click.command(context_settings=CONTEXT)
@store_option
@click.option("--endpoint", required=True, help="SPARQL 1.1 图存储协议地址 / Graph Store Protocol URL")
@click.option("--token", envvar="POLICYKG_PUSH_TOKEN", default=None, help="Bearer 令牌 / bearer token")
def push(store_dir: Path, endpoint: str, token: str | None) -> None:
    """把各命名图上传到远程 SPARQL 服务器（图存储协议）。

    Upload the store's named graphs to a remote server via the SPARQL 1.1 Graph Store Protocol.
    """
    # imported when the command runs: `policykg --help` and the other commands stay fast
    from .remote import push_graphs

    try:
        for graph, n in push_graphs(store_dir, endpoint, token=token):
            click.echo(f"{graph}: {n}")
    except PolicyKGError as exc:
        fail(exc)
