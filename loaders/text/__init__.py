"""Text loader for the source document (text extracted from the PDF).

``read_backbone(path)`` gives the provincial backbone (see :mod:`loaders.text.backbone`);
``read_attachments(path, backbone)`` gives the four regions' lists, in attachment order.

Per-attachment readers live in one module each (``quzhou``, ``zhoushan``, ``qiantang``,
``deqing``) and share one signature::

    read(attachment: Attachment, backbone: Backbone | None, *, document: Document) -> RegionList

``attachment`` is the table body with page headers and page numbers removed (line numbers
kept, see :mod:`loaders.text.document`); ``document`` gives the file name and sha256 for
:class:`policykg.core.records.SourceRef` (``loaders.text.engine.source_ref``).  Shared pieces:
``document.clean/join_lines/width``, ``engine.line_pieces/segment_rows`` and
``loaders.cells.region_list`` (cells -> ListRow).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from policykg.core.errors import LoadError
from policykg.core.records import Backbone, RegionList

from .backbone import read
from .document import read_document

# 附件 N -> reader module
READERS = {1: "quzhou", 2: "zhoushan", 3: "qiantang", 4: "deqing"}


def read_backbone(path: Path | str) -> Backbone:
    return read(read_document(path))


def read_attachments(path: Path | str, backbone: Backbone | None) -> list[RegionList]:
    """Every attachment's list, in attachment order (each attachment must have a reader)."""
    doc = read_document(path)
    out: list[RegionList] = []
    for number, attachment in sorted(doc.attachments.items()):
        name = READERS.get(number)
        if name is None:
            raise LoadError(f"附件 {number} 没有对应的读取器", f"no reader for attachment {number}", where=doc.name)
        module = importlib.import_module(f"{__name__}.{name}")
        out.append(module.read(attachment, backbone, document=doc))
    return out
