"""A cell's printed text: its lines joined, the extraction's extra spaces removed, its width.

Shared by the text segmenters (:mod:`loaders.text`) and the cell parser (:mod:`loaders.cells`).
"""

from __future__ import annotations

import re

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018-\u201f\u2460-\u24ff\u2014\u2026\u00b7"
_FULLWIDTH_PUNCT = "，。、；：？！“”‘’（）《》〔〕【】—…"
_CJK_ASCII_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[!-~])|(?<=[!-~])\s+(?=[{_CJK}])")
_PUNCT_SPACE = re.compile(rf"\s+(?=[{_FULLWIDTH_PUNCT}])|(?<=[{_FULLWIDTH_PUNCT}])\s+")
_LETTER_SPACED = re.compile(r"(?:[\u4e00-\u9fff（）] ){3,}[\u4e00-\u9fff（）]")


def is_wide(ch: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", ch))


def width(text: str) -> float:
    """Printed width in em: CJK and full-width characters 1, ASCII 0.5, spaces 0.

    The extraction inserted spaces that were not printed, so spaces do not count.
    """
    return sum(1.0 if is_wide(c) else 0.0 if c.isspace() else 0.5 for c in text.strip())


def clean(text: str) -> str:
    """One cell's text as printed: line breaks removed and the extraction's extra spaces taken out.

    * spaces between a CJK character (or full-width punctuation) and an ASCII character are
      removed: the extraction inserted them (``32 条`` -> ``32条``, ``100 %``, ``2024 年 6 月``);
    * spaces next to full-width punctuation are removed (``不足， 特别重大``);
    * letter-spaced runs from justified lines are closed up (``领 域 不 动 产`` -> ``领域不动产``);
    * a space between two CJK words is kept: the source has them (``“走万企 提信心 优服务”``,
      ``《…实施机制 加快推进…》``); so is a space between two ASCII words.
    """
    text = " ".join(part.strip() for part in text.split("\n") if part.strip())
    text = _LETTER_SPACED.sub(lambda m: m.group().replace(" ", ""), text)
    text = _CJK_ASCII_SPACE.sub("", text)
    text = _PUNCT_SPACE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def join_lines(texts: list[str]) -> str:
    """Join a cell's printed lines: a PDF line break is no character at all, except between
    two ASCII letters/digits where the source must have had a space (kept as one space)."""
    out = ""
    for t in (x.strip() for x in texts):
        if not t:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and t[0].isascii() and t[0].isalnum():
            # e.g. "... 2025" / "年" never happens here; "REITs" / "试点" is CJK. Two ASCII
            # words split over lines are rare; keep them apart.
            out += " "
        out += t
    return clean(out)
