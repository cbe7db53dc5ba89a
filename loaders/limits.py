"""Size caps per input form, checked before a file is read (issue 19: a 136 MB CSV was
still validating after 300 s). A list has a few hundred rows; the caps leave room for
10,000-row lists (about 10 MB as CSV) and refuse at once, naming the file, what is far
beyond any list. XLSX has its own, finer bounds (:mod:`loaders.xlsxguard`)."""

from __future__ import annotations

from pathlib import Path

from policykg.core.errors import LoadError

MAX_BYTES = {"csv": 32 << 20, "xlsx": 32 << 20, "pdf": 64 << 20}
NAMES = {"csv": "CSV", "xlsx": "XLSX", "pdf": "PDF"}


def check_size(path: Path, form: str) -> None:
    limit = MAX_BYTES.get(form)
    if limit is None:
        return
    size = path.stat().st_size
    if size > limit:
        name = NAMES.get(form, form)
        raise LoadError(f"{name} 文件过大：{size / 1e6:.1f} MB，上限 {limit / 1e6:.0f} MB（清单通常只有几百行）",
                        f"{name} file too large: {size / 1e6:.1f} MB, limit {limit / 1e6:.0f} MB (a list has a few "
                        "hundred rows)", where=str(path))
