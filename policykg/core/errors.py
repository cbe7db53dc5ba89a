"""One exception family; each message is Chinese first, then English."""

from __future__ import annotations


class PolicyKGError(Exception):
    """Base class. ``zh`` and ``en`` are the two halves of the message."""

    exit_code = 1

    def __init__(self, zh: str, en: str | None = None, *, where: str | None = None) -> None:
        self.zh = zh
        self.en = en or ""
        self.where = where
        super().__init__(self.message)

    @property
    def message(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.zh}" + (f" / {self.en}" if self.en else "")


class LoadError(PolicyKGError):
    """Bad input file: names the file, page or row and column."""


class LoaderNotFound(PolicyKGError):  # noqa: N818 - rdflib's PluginException naming
    """No loader for a (form, layout) pair."""


class QueryError(PolicyKGError):
    """A query could not be parsed or run. ``position`` is (line, column) when known."""

    exit_code = 2

    def __init__(self, zh: str, en: str | None = None, *, position: tuple[int, int] | None = None,
                 status: int = 400, where: str | None = None) -> None:
        super().__init__(zh, en, where=where)
        self.position = position
        self.status = status


class StoreError(PolicyKGError):
    """The store is missing, locked or corrupt."""


class UsageError(PolicyKGError):
    exit_code = 2
