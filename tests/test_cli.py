"""The policykg command: bilingual help, build/query round trip, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.core.config import QUERY_DIR

SUBCOMMANDS = ["build", "load", "validate", "query", "export", "report", "template", "serve"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_is_chinese_then_english(runner):
    out = runner.invoke(main, ["--help"])
    assert out.exit_code == 0
    assert out.output.index("民营经济32条") < out.output.index("knowledge graph")
    for name in SUBCOMMANDS:
        assert name in out.output


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_explains_itself_in_both_languages(runner, name):
    out = runner.invoke(main, [name, "--help"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), name
    assert any(w in text.lower() for w in ("the ", "load", "serve", "write", "run", "validate")), name


def test_query_key_tasks_as_json(runner, built_store):
    out = runner.invoke(main, ["query", "key-tasks", "--store", str(built_store), "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["head"]["vars"] == ["number", "title"]
    rows = doc["results"]["bindings"]
    assert len(rows) == 32
    assert rows[0]["title"]["value"] == "强化财税政策保障"
    assert rows[31]["number"]["value"] == "32"


def test_query_table_format_counts_rows(runner, built_store):
    out = runner.invoke(main, ["query", "provincial-measures", "--store", str(built_store)])
    assert out.exit_code == 0
    assert "(146 行 rows)" in out.output


def test_query_with_a_syntax_error_exits_2_with_position(runner, built_store):
    out = runner.invoke(main, ["query", "SELECT ?x WHERE { ?x ", "--store", str(built_store)])
    assert out.exit_code == 2
    assert "语法错误" in out.output and "syntax error" in out.output


def test_query_refuses_updates(runner, built_store):
    out = runner.invoke(main, ["query", "DROP ALL", "--store", str(built_store)])
    assert out.exit_code != 0
    assert "只读" in out.output


def test_query_without_a_store_says_to_build(runner, tmp_path):
    out = runner.invoke(main, ["query", "key-tasks", "--store", str(tmp_path / "none")])
    assert out.exit_code == 1
    assert "policykg build" in out.output


def test_query_param_binding(runner, built_store):
    text = "SELECT ?number ?title WHERE { ?k a pk:KeyTask ; pk:number ?number ; rdfs:label ?title }"
    out = runner.invoke(main, ["query", text, "--store", str(built_store), "--format", "csv", "-p", "number=<urn:x>"])
    assert out.exit_code == 0
    assert out.output.strip() == "number,title"
    bad = runner.invoke(main, ["query", text, "--store", str(built_store), "-p", "oops"])
    assert bad.exit_code == 2
    not_iri = runner.invoke(main, ["query", text, "--store", str(built_store), "-p", "number=<x>"])
    assert not_iri.exit_code == 2 and "IRI" in not_iri.output


def test_catalogue_query_takes_its_declared_defaults_and_types(runner, built_store):
    """shared-service-items declares minRegions (integer, default 2): the command line binds it
    as the web page and the API do, instead of leaving it unbound (which answered nothing)."""
    base = ["query", "shared-service-items", "--store", str(built_store), "--format", "csv"]
    out = runner.invoke(main, base)
    assert out.exit_code == 0
    shared = {line.split(",")[0]: line.split(",")[1] for line in out.output.splitlines()[1:]}
    assert len(shared) == 29 and shared["税费优惠政策推送服务"] == "3" and shared["信用修复服务"] == "3"
    three = runner.invoke(main, base + ["-p", "minRegions=3"])
    assert three.exit_code == 0 and len(three.output.splitlines()) == 1 + 5
    not_int = runner.invoke(main, base + ["-p", "minRegions=many"])
    assert not_int.exit_code == 2 and "minRegions" in not_int.output and "整数" in not_int.output
    unknown = runner.invoke(main, base + ["-p", "regions=2"])
    assert unknown.exit_code == 2 and "'regions'" in unknown.output
    # a .rq file keeps its #+ header too
    pair = runner.invoke(main, ["query", str(QUERY_DIR / "items-in-a-not-b.rq"), "--store", str(built_store),
                                "--format", "csv", "-p", "regionB=330521"])
    assert pair.exit_code == 0 and pair.output.splitlines()[1].endswith(",330800,330521")


def test_load_refuses_deqing_own_defects_unless_lenient(runner, built_store, tmp_path):
    """德清's list has a service item without block (row 44, printed "/"): a strict load
    refuses it and changes nothing; --lenient loads it with warnings for validation."""
    import shutil

    store_copy = tmp_path / "store"
    shutil.copytree(built_store, store_copy, symlinks=True)
    csv_file = tmp_path / "deqing.csv"
    out = runner.invoke(main, ["export", "330521", "--store", str(store_copy), "-o", str(csv_file)])
    assert out.exit_code == 0, out.output
    from policykg.graph.store import generation_name

    before = generation_name(store_copy)
    strict = runner.invoke(main, ["load", str(csv_file), "--region", "330521", "--store", str(store_copy)])
    assert strict.exit_code != 0
    assert "承接板块" in strict.output and generation_name(store_copy) == before
    lenient = runner.invoke(main, ["load", str(csv_file), "--region", "330521", "--store", str(store_copy),
                                   "--lenient"])
    assert lenient.exit_code == 0, lenient.output
    assert generation_name(store_copy) != before
    assert "107" in lenient.output
