"""The region a list names in its title or sheet name, checked against ``--region`` (issue 20).

An office's list says whose it is: ``2024年衢州市政务服务增值化改革…``, a sheet called
``德清县``. Loading it under another region's code is almost always a mistake (a copy of
another office's file), so it is refused unless forced. Names are the GB/T 2260 names of
``data/regions`` with their suffix (衢州市, 德清县, 钱塘区); where a title names a city and
one of its counties (湖州市德清县), the county is what counts. A region agrees with the
code when it is that region, one above it (浙江省, the city) or one below it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .core.errors import LoadError
from .core.regions import Region, regions


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = sorted({r.name for r in regions().values()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names))


def _by_name() -> dict[str, list[Region]]:
    out: dict[str, list[Region]] = {}
    for r in regions().values():
        out.setdefault(r.name, []).append(r)
    return out


def _ancestors(code: str) -> set[str]:
    out, r = set(), regions().get(code)
    while r is not None and r.parent:
        out.add(r.parent)
        r = regions().get(r.parent)
    return out


def named(text: str) -> list[Region]:
    """The regions ``text`` names, most specific only (a city named with its county drops)."""
    found = {r.code: r for m in _pattern().finditer(text or "") for r in _by_name()[m.group()]}
    above = set().union(*(_ancestors(c) for c in found)) if found else set()
    return [r for c, r in sorted(found.items()) if c not in above]


def agrees(named_code: str, code: str) -> bool:
    return named_code == code or named_code in _ancestors(code) or code in _ancestors(named_code)


def check(texts: dict[str, str], code: str, where: str, force: bool) -> list[str]:
    """Refuse (LoadError) a list whose ``texts`` ({"标题": title, "工作表": sheet}) name a region
    other than ``code``; with ``force``, a warning instead. Returns the warnings."""
    target = regions()[code]
    for what, text in texts.items():
        other = [r for r in named(text) if not agrees(r.code, code)]
        if not other:
            continue
        names = "、".join(f"{r.full_name}（{r.code}）" for r in other)
        zh = f"{what}“{text[:60]}”写的是 {names}，不是 --region {code}（{target.full_name}）"
        en = f"the {'title' if what == '标题' else 'sheet name'} names {', '.join(r.code for r in other)}, not --region {code}"
        if not force:
            raise LoadError(f"{zh}：请检查地区代码；确属本地区的清单请加 --force", f"{en}: check the code, or use --force",
                            where=where)
        return [f"{zh}（--force，仍按 {code} 加载） / {en} (loaded as {code}: --force)"]
    return []
