"""Chinese text features for alignment: jieba words, character bigrams, policy instruments.

jieba ships its dictionary inside the package, so nothing is fetched at run time; its
segmentation is deterministic for a given dictionary. Words of one character and
boilerplate verbs (加强、推进、支持 …) are dropped: every measure uses them.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

_PUNCT = re.compile(r"[\s，。；：、！？（）()《》“”\"'‘’【】\[\]—…·,.;:!?/\\\-+*%％<>＜＞①-⑳0-9０-９a-zA-Z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_OR_DIGIT = re.compile(r"^[\sA-Za-z0-9０-９.,;:!?'\"()\-_/%+*#&@]*$")

# Verbs and fillers every measure uses: they say nothing about which measure a text answers.
STOPWORDS = frozenset("""
加强 推进 推动 支持 鼓励 开展 实施 落实 完善 建立 健全 提升 提高 优化 强化 深化 加快 加大 积极 持续 进一步
深入 全面 有效 依法 按照 根据 相关 有关 工作 服务 企业 民营 民营企业 民间 机制 体系 政策 措施 方面 以上
以及 进行 做好 实现 力争 着力 不断 重点 充分 发挥 作用 保障 等 的 和 与 对 在 为 及 或 并 将 可 其 中 年 个 家
全市 全区 全县 我市 我区 我县 市级 县级 省级 各地 各级 部门 单位 要求 规定 办法 情况 力度 水平 能力 方式
""".split())

# Policy instruments worth a bonus when both texts name them (the list prints them in varying words).
INSTRUMENTS = (
    "首台套", "首批次", "首版次", "专精特新", "小巨人", "S基金", "种子基金", "天使基金", "产业基金", "创投", "链主",
    "小升规", "个转企", "免申即享", "政策找人", "直达快享", "信用修复", "首贷", "无还本续贷", "应急转贷", "知识产权",
    "专利", "商标", "质押", "担保", "贴息", "招投标", "政府采购", "用地", "能耗", "用能", "排污", "环评", "人才",
    "职称", "订单培养", "零工", "工伤保险", "上市", "并购", "债券", "出口", "跨境", "外贸", "展会", "数据", "算力",
    "人工智能", "技术改造", "标准", "品牌", "质量", "涉企检查", "执法", "信用", "拖欠", "账款", "清欠", "融资",
    "贷款", "科技成果", "研发", "创新", "低效用地", "保障性租赁住房", "电力", "天然气", "物流", "港口", "数字化",
    "工业互联网", "商会", "亲清", "企业家", "个体工商户", "平台经济", "新就业形态", "诉求", "增值化", "一类事",
)

_QUOTED = re.compile(r"[“\"《]([^”\"》]{2,24})[”\"》]")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|万元|亿元|亿|万|千万|家|个|天|小时|倍)")


def is_meaningless(text: str) -> bool:
    """Empty, or only Latin letters, digits and punctuation: nothing to match in Chinese."""
    return not text.strip() or bool(_LATIN_OR_DIGIT.match(text)) or not _HAN.search(text)


@lru_cache(maxsize=1)
def _jieba():
    import jieba  # heavy optional dependency: imported only when needed

    jieba.setLogLevel(logging.ERROR)
    jieba.initialize()
    for term in INSTRUMENTS:
        jieba.add_word(term, freq=2000)
    return jieba


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """jieba words of two characters or more, stopwords and punctuation removed."""
    jb = _jieba()
    out = []
    for w in jb.lcut(text, HMM=False):
        w = w.strip()
        if len(w) < 2 or w in STOPWORDS or _PUNCT.fullmatch(w) or not _HAN.search(w):
            continue
        out.append(w)
    return tuple(out)


@lru_cache(maxsize=8192)
def bigrams(text: str) -> tuple[str, ...]:
    """Character bigrams of each run of Han characters (punctuation breaks a run)."""
    out = []
    for run in _PUNCT.split(text):
        run = "".join(ch for ch in run if _HAN.match(ch))
        out += [run[i:i + 2] for i in range(len(run) - 1)]
    return tuple(out)


def instruments(text: str) -> frozenset[str]:
    """Named instruments, quoted terms (“政策找人”, 《条例》) and amounts (70%, 200万元) in a text."""
    found = {t for t in INSTRUMENTS if t in text}
    found |= {q.strip() for q in _QUOTED.findall(text) if _HAN.search(q)}
    found |= {f"{n}{u}" for n, u in _AMOUNT.findall(text)}
    return frozenset(found)
