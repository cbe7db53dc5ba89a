"""Validation of the graph: pySHACL (:mod:`.shacl`) and the SPARQL checks (:mod:`.checks`),
a whole store region by region (:mod:`.split`, :mod:`.cache`), the findings (:mod:`.model`)
and their rendering (:mod:`.render`). The package's public names."""

from .model import SEVERITIES, SHAPES_NS, Finding, Report
from .render import render
from .shacl import load_shapes, run, validate_store
from .split import run_store

__all__ = ["SEVERITIES", "SHAPES_NS", "Finding", "Report", "load_shapes", "render", "run", "run_store",
           "validate_store"]
