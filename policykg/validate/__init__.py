"""Validation of the graph (pySHACL and ``queries/checks/``): the package's public names."""

from .shacl import SEVERITIES, SHAPES_NS, Finding, Report, load_shapes, render, run, run_store, validate_store

__all__ = ["SEVERITIES", "SHAPES_NS", "Finding", "Report", "load_shapes", "render", "run", "run_store",
           "validate_store"]
