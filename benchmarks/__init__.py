"""Benchmarks at provincial scale: synthetic lists (``synth``) and the runner (``run``).

Nothing here writes into ``data/`` or the project's default store.
"""
