"""Where things are, and the one configurable IRI base.

The project root holds ontology/, shapes/, queries/ and data/; an editable install
(the README's command) finds it next to the package. ``POLICYKG_HOME`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("POLICYKG_HOME", Path(__file__).resolve().parents[2]))
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
QUERY_DIR = ROOT / "queries"
DATA_DIR = ROOT / "data"
SOURCE_DOCUMENT = DATA_DIR / "sources" / "000_ae2937e95410f861.txt"
REGION_CODES = DATA_DIR / "regions" / "zhejiang-gbt2260.csv"

DEFAULT_BASE = "https://w3id.org/policykg/"
ONTOLOGY_NS = "https://w3id.org/policykg/def#"
DEFAULT_STORE = Path(os.environ.get("POLICYKG_STORE", ROOT / "var" / "store"))


def base_iri() -> str:
    """The data IRI base (``POLICYKG_BASE``), always ending in '/'. Ontology terms never move."""
    base = os.environ.get("POLICYKG_BASE", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"
