"""Zhejiang's administrative divisions (GB/T 2260), from data/regions/."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from .config import REGION_CODES
from .errors import UsageError


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str          # province | city | county
    parent: str | None

    @property
    def full_name(self) -> str:
        """'杭州市钱塘区' for a county, '衢州市' for a city."""
        if self.level == "county" and self.parent:
            return regions()[self.parent].name + self.name
        return self.name


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    with open(REGION_CODES, encoding="utf-8", newline="") as fh:
        return {
            r["code"]: Region(r["code"], r["name"], r["level"], r["parent"] or None)
            for r in csv.DictReader(fh)
        }


def get(code: str) -> Region:
    try:
        return regions()[str(code).strip()]
    except KeyError:
        raise UsageError(
            f"未知的行政区划代码 {code!r}：不是浙江省的 GB/T 2260 代码（见 {REGION_CODES.name}）",
            f"unknown region code {code!r}: not a GB/T 2260 code of Zhejiang (see {REGION_CODES.name})",
        ) from None


# The four regions whose lists the source document attaches, by attachment number.
ATTACHMENT_REGIONS = {1: "330800", 2: "330900", 3: "330114", 4: "330521"}
