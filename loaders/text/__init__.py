"""Text loader for the source document (text extracted from the PDF).

Per-attachment readers live in one module each (``quzhou``, ``zhoushan``, ``qiantang``,
``deqing``) and share one signature::

    read(attachment: loaders.text.document.Attachment, backbone: Backbone, *, document: Document) -> RegionList

``attachment`` is the table body with page headers and page numbers removed (line numbers
kept); ``document`` gives the file name and sha256 for :class:`policykg.records.SourceRef`.
"""
