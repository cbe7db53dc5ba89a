"""Officials' phone numbers (舟山市's 联系人 column) never reach the public graph."""

from __future__ import annotations

import re

from click.testing import CliRunner

from policykg.cli import main
from policykg.core.config import SOURCE_DOCUMENT
from policykg.graph.store import current
from policykg.sparql import queries


def _phones_in_document() -> set[str]:
    """Every mobile or landline number in attachment 2, read from the raw text.

    The PDF broke numbers over lines ("1350680\\n1708"), so digits are joined across
    line breaks first; we keep runs of 7+ digits (landlines without area code too).
    """
    text = SOURCE_DOCUMENT.read_text(encoding="utf-8")
    att2 = text[text.index("附件 2"):text.index("附件 3")]
    joined = re.sub(r"(\d)[ \t]*\n[ \t]*(\d)", r"\1\2", att2)
    # a page number printed right under a number may have been joined to it: take the prefix
    mobiles = set(re.findall(r"(?<!\d)(1[3-9]\d{9})", joined))
    landlines = set(re.findall(r"(?<!\d)(228\d{4})", joined))   # 舟山 offices: (0580) 228xxxx
    return mobiles | landlines


def test_the_document_has_phone_numbers_to_protect():
    phones = _phones_in_document()
    assert "13506801708" in phones and "15728086875" in phones
    assert "2281717" in phones
    assert sum(len(p) == 11 for p in phones) >= 10 and sum(len(p) == 7 for p in phones) >= 13


def test_no_phone_number_in_any_public_literal(built_read_only):
    phones = _phones_in_document()
    res = queries.run(built_read_only, "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }")
    literals = [re.sub(r"\D", "", v["o"] or "") for v in res.values()]
    leaked = {p for p in phones for lit in literals if p in lit}
    assert leaked == set()


def test_no_phone_number_through_the_query_command(built_store):
    runner = CliRunner()
    out = runner.invoke(main, ["query", "--store", str(built_store), "--format", "csv",
                               "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"])
    assert out.exit_code == 0, out.output
    # blank node labels are random hex made per build (_:bcfdc406d82e06322805500a…): not data,
    # and now and then one holds a 7-digit number by chance
    text = re.sub(r"(?m)(^|,)_:\w+", r"\1", out.output)
    assert "_:" in out.output and "_:" not in text
    digits = re.sub(r"\D", "", text.replace("\n", " "))
    for phone in _phones_in_document():
        assert phone not in re.sub(r"\s", "", text)
    assert len(digits) > 0


def test_contact_names_stay_public_and_phones_go_to_the_restricted_file(built_store, built_read_only):
    res = queries.run(built_read_only, 'ASK { ?c a pk:ContactPoint ; rdfs:label "张波"@zh }')
    assert res.boolean is True
    restricted = current(built_store).restricted_file.read_text(encoding="utf-8")
    assert "13506801708" in restricted
