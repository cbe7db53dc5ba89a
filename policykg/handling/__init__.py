"""Service handling records (办件): how each region's service items are actually used.

``records``: a file's rows (read by ``loaders/handling.py``) checked into :class:`Record`s;
``catalogue``: the regions' service items from the store, and name matching;
``graph``: records as RDF Data Cube observations in ``graph/handling/{code}``, written atomically;
``summary``: totals, never-handled items, breakdowns, the monthly trend and bottlenecks;
``render``: the summary as text or XLSX; ``report``: the landing report's 办件 section.

Handling graphs are part of the union default graph, so SPARQL users query them like any
other graph (``qb:structure pk:handlingStructure`` finds the data sets).
"""
