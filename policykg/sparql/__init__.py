"""SPARQL text handling shared by the guard, parameter binding and the query runner."""
