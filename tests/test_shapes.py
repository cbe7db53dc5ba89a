"""shapes/*.ttl: every shape is well formed, and the examples in tests/examples behave.

tests/examples/valid/*.ttl must conform with no finding at all; each file in
tests/examples/invalid/ states in its header the shape it must fail on, the severity and the
exact Chinese message (``# expect-shape:``, ``# expect-severity:``, ``# expect-message:``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from policykg import validate
from policykg.core.config import SHAPES_DIR

EXAMPLES = Path(__file__).parent / "examples"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHAPE_FILES = {"structure.ttl": SH.Violation, "completeness.ttl": SH.Warning, "standardization.ttl": SH.Info}


def _shape_graph(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_DIR / name, format="turtle")


def _shapes(g: rdflib.Graph) -> list[rdflib.URIRef]:
    return sorted(s for s in g.subjects(SH.sparql, None) if isinstance(s, rdflib.URIRef))


def test_three_groups_and_nothing_else():
    assert sorted(p.name for p in SHAPES_DIR.glob("*.ttl")) == sorted(SHAPE_FILES)


@pytest.mark.parametrize("name", sorted(SHAPE_FILES))
def test_each_shape_has_severity_bilingual_message_and_readable_iri(name):
    g = _shape_graph(name)
    shapes = _shapes(g)
    assert len(shapes) >= 1
    for s in shapes:
        assert str(s).startswith(validate.SHAPES_NS) and str(s).endswith("Shape"), s
        assert g.value(s, SH.severity) == SHAPE_FILES[name], s
        langs = sorted(m.language for m in g.objects(s, SH.message))
        assert langs == ["en", "zh"], (s, langs)
        # the message names the region, row and key task wherever the focus has them
        zh = next(str(m) for m in g.objects(s, SH.message) if m.language == "zh")
        query = str(g.value(g.value(s, SH.sparql), SH.select))
        for var in re.findall(r"\{\?(\w+)\}", zh):
            assert var == "this" or f"?{var}" in query, (s, var)
        assert "$this" in query


@pytest.mark.parametrize("name", sorted(SHAPE_FILES))
def test_each_shape_has_a_comment_justifying_its_severity(name):
    text = (SHAPES_DIR / name).read_text(encoding="utf-8")
    severity = str(SHAPE_FILES[name]).rsplit("#", 1)[1]
    for m in re.finditer(r"^pkshape:(\w+Shape) a sh:", text, re.M):
        before = text[: m.start()].rstrip("\n").splitlines()
        comment = []
        while before and before[-1].startswith("#"):
            comment.insert(0, before.pop())
        assert comment and comment[0].startswith(f"# {severity}:"), m.group(1)


def test_structure_messages_name_region_row_and_key_task():
    g = _shape_graph("structure.ttl")
    for local in ("ServiceItemBlockShape", "ServiceItemLevel1Shape", "ServiceItemRegionShape",
                  "LocalMeasureRegionShape", "LocalMeasureTextShape"):
        zh = next(str(m) for m in g.objects(rdflib.URIRef(validate.SHAPES_NS + local), SH.message)
                  if m.language == "zh")
        assert "{?region}" in zh and "{?row}" in zh and "{?keyTask}" in zh, local


def _expectations(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^# expect-([\w-]+): (.*)$", path.read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_valid_examples_conform_without_any_finding(path):
    report = validate.run(rdflib.Graph().parse(path, format="turtle"))
    assert report.conforms
    assert [f.message for f in report.results] == []


INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_examples_fail_on_the_named_shape(path):
    exp = _expectations(path)
    report = validate.run(rdflib.Graph().parse(path, format="turtle"))
    hits = [f for f in report.results if f.shape_name == exp["shape"]]
    assert hits, f"{path.name}: no finding of {exp['shape']}; got {[f.shape_name for f in report.results]}"
    assert {f.severity for f in hits} == {exp["severity"]}
    assert exp["message"] in [f.message_zh for f in hits]
    assert all(f.message_en and f.message_en != f.message_zh for f in hits)
    assert report.conforms == (exp["severity"] != "Violation")


def test_every_structural_kind_has_an_invalid_example():
    shapes = {_expectations(p)["shape"] for p in INVALID}
    for local in ("ServiceItemBlockShape", "ServiceItemLevel1Shape", "ServiceItemRegionShape",
                  "LocalMeasureKeyTaskShape", "KeyTaskNumberShape", "ProvincialMeasureNumberShape",
                  "ServiceItemProvenanceShape", "LocalMeasureProvenanceShape", "SourceRowTableShape"):
        assert f"pkshape:{local}" in shapes
    numbers = {p.stem for p in INVALID}
    assert {"key-task-33", "provincial-measure-0", "provincial-measure-147"} <= numbers


def test_key_task_33_message_says_what_was_found():
    report = validate.run(rdflib.Graph().parse(EXAMPLES / "invalid" / "key-task-33.ttl", format="turtle"))
    (f,) = [f for f in report.results if f.shape_name == "pkshape:KeyTaskNumberShape"]
    assert f.key_task == 33
    assert f.message_en.endswith("(found 33)")
    assert f.path == "https://w3id.org/policykg/def#number"


def test_report_graph_messages_keep_their_language_tags():
    report = validate.run(rdflib.Graph().parse(EXAMPLES / "invalid" / "service-item-without-block.ttl"))
    langs = sorted(m.language for m in report.report_graph.objects(None, SH.resultMessage))
    assert langs == ["en", "zh"]


def test_shapes_parse_error_is_reported(tmp_path):
    (tmp_path / "bad.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(Exception) as exc:
        validate.run(rdflib.Graph(), shapes_dir=tmp_path)
    assert "bad.ttl" in str(exc.value)
