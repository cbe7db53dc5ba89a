"""UI strings of the web pages, Chinese first, English second.

Templates call ``t("key")``; the page scripts get the same dict for the chosen language
in their JSON config block. The choice is a cookie (``lang``), set by ``/lang/<code>``.
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    # chrome
    "site.title": ("民营经济32条落地图谱", "Private Economy 32 Measures: Landing Graph"),
    "site.subtitle": ("浙江省 · 省级重点工作在各地的细化与服务事项", "Zhejiang: how provincial key tasks land in each region"),
    "nav.query": ("查询", "Query"),
    "nav.coverage": ("覆盖情况", "Coverage"),
    "nav.validation": ("数据校验", "Validation"),
    "nav.history": ("版本历史", "History"),
    "nav.skip": ("跳到主要内容", "Skip to main content"),
    "lang.switch": ("English", "中文"),
    "lang.switch.title": ("Switch to English", "切换到中文"),
    "footer.source": ("数据来源：中共浙江省委全面深化改革委员会办公室《改革工作提示单（十八）》及其附件 1–4。",
                      "Source: Zhejiang reform office, Reform work notice No. 18, attachments 1–4."),
    "footer.endpoint": ("SPARQL 端点", "SPARQL endpoint"),
    "footer.catalogue": ("查询目录（JSON）", "Query catalogue (JSON)"),
    # query page
    "query.title": ("图谱查询", "Query the graph"),
    "query.gallery": ("常用问题", "Questions"),
    "query.gallery.hint": ("点选一个问题即载入并运行。", "Pick a question to load and run it."),
    "query.gallery.filter": ("筛选问题", "Filter questions"),
    "query.gallery.params": ("可设参数", "has parameters"),
    "query.group.overview": ("概览", "Overview"),
    "query.group.coverage": ("覆盖与缺口", "Coverage and gaps"),
    "query.group.compare": ("地区比较", "Comparing regions"),
    "query.group.items": ("服务事项", "Service items"),
    "query.group.units": ("责任单位、阶段与目标", "Units, stages, targets"),
    "query.group.search": ("检索与溯源", "Search and provenance"),
    "query.group.other": ("其他", "Other"),
    "query.group.page": ("页面所用查询", "Queries behind the pages"),
    "query.gallery.empty": ("查询目录为空。", "The query catalogue is empty."),
    "query.gallery.loading": ("正在载入查询目录…", "Loading the query catalogue…"),
    "query.gallery.failed": ("无法载入查询目录", "Could not load the query catalogue"),
    "query.editor.label": ("SPARQL 查询编辑器", "SPARQL query editor"),
    "query.editor.placeholder": ("在此输入 SPARQL 查询，按 Ctrl+Enter 运行", "Type a SPARQL query; Ctrl+Enter runs it"),
    "query.run": ("运行", "Run"),
    "query.running": ("正在运行…", "Running…"),
    "query.run.hint": ("Ctrl+Enter 运行 · Ctrl+空格 补全（Tab 选用）", "Ctrl+Enter runs · Ctrl+Space completes (Tab picks)"),
    "query.share": ("复制分享链接", "Copy share link"),
    "query.share.done": ("链接已复制到剪贴板", "Link copied to the clipboard"),
    "query.share.shown": ("分享链接：", "Share link:"),
    "query.prefixes": ("已预置的前缀（可直接使用）", "Pre-declared prefixes (use them directly)"),
    "query.params": ("查询参数", "Query parameters"),
    "query.params.detached": ("查询已修改：参数不再绑定，按普通查询运行。", "Query edited: parameters are no longer bound; it runs as a plain query."),
    "query.loaded": ("已载入：", "Loaded:"),
    "query.new": ("新建查询", "New query"),
    "results.title": ("查询结果", "Results"),
    "results.none": ("运行查询后，结果显示在这里。", "Run a query to see its results here."),
    "results.rows": ("{n} 行", "{n} rows"),
    "results.time": ("用时 {ms} 毫秒", "{ms} ms"),
    "results.truncated": ("结果已截断：只显示前 {n} 行。", "Result truncated: only the first {n} rows are shown."),
    "results.empty": ("没有符合条件的结果。", "No results."),
    "results.ask.true": ("是（true）", "Yes (true)"),
    "results.ask.false": ("否（false）", "No (false)"),
    "results.csv": ("下载 CSV", "Download CSV"),
    "results.json": ("下载 JSON", "Download JSON"),
    "results.more": ("再显示 {n} 行", "Show {n} more rows"),
    "results.shown": ("显示 {shown} / {n} 行", "Showing {shown} of {n} rows"),
    "results.sort": ("按此列排序", "Sort by this column"),
    "results.graph": ("图查询结果（{n} 个三元组）", "Graph result ({n} triples)"),
    "error.title": ("查询出错", "Query failed"),
    "error.position": ("位置：第 {line} 行第 {col} 列", "At line {line}, column {col}"),
    "error.network": ("无法连接服务器", "Cannot reach the server"),
    "error.status": ("服务器返回 {status}", "The server answered {status}"),
    # coverage
    "coverage.title": ("各地承接32项重点工作的覆盖情况", "Coverage of the 32 key tasks by region"),
    "coverage.intro": ("每格显示该地区在该项重点工作下的服务事项数与细化举措数。点击格子查看对应清单行。",
                       "Each cell counts the region's service items and local measures under the key task. Click a cell to list its rows."),
    "coverage.keytask": ("重点工作", "Key task"),
    "coverage.items": ("服务事项", "service items"),
    "coverage.measures": ("细化举措", "local measures"),
    "coverage.colkey": ("服务事项 / 举措", "items / measures"),
    "coverage.regions": ("覆盖地区", "Regions"),
    "coverage.measures.short": ("举措", "meas."),
    "coverage.total": ("合计", "Total"),
    "coverage.gap": ("未覆盖", "not covered"),
    "coverage.legend": ("图例", "Legend"),
    "coverage.legend.none": ("无事项、无举措", "no items, no measures"),
    "coverage.legend.measures": ("仅有细化举措", "local measures only"),
    "coverage.legend.items": ("有服务事项（颜色越深越多）", "service items (darker = more)"),
    "coverage.loading": ("正在统计…", "Counting…"),
    "coverage.empty": ("图谱中还没有地区清单。", "No regional lists in the graph yet."),
    "coverage.cell": ("{region}·第{n}项：{items} 个服务事项，{measures} 条细化举措",
                      "{region}, task {n}: {items} service items, {measures} local measures"),
    "coverage.gaps": ("未覆盖的格子：{n}", "Cells not covered: {n}"),
    # entity pages (template entity.html; data from server/entities.py)
    "entity.type": ("类型：", "Type:"),
    "entity.formats": ("其他格式：", "Other formats:"),
    "entity.source": ("来源", "Source"),
    "entity.document": ("文件", "Document"),
    "entity.attachment": ("附件", "Attachment"),
    "entity.row": ("清单行", "List row"),
    "entity.lines": ("文本行号", "Text lines"),
    "entity.lines.range": ("第 {a}–{b} 行", "lines {a}–{b}"),
    "entity.lines.one": ("第 {a} 行", "line {a}"),
    "entity.page": ("页码", "Page"),
    "entity.page.n": ("第 {n} 页", "page {n}"),
    "entity.statements": ("属性", "Statements"),
    "entity.property": ("属性", "Property"),
    "entity.value": ("值", "Value"),
    "entity.incoming": ("被引用", "Incoming links"),
    "entity.subject": ("主体", "Subject"),
    "entity.incoming.more": ("只显示前 {n} 条。", "Only the first {n} are shown."),
    "entity.candidates": ("对应的省级细化措施（对齐候选）", "Provincial measures it may implement (alignment candidates)"),
    "entity.candidates.hint": ("对齐引擎按文本相似度、共有政策工具与重点工作排出的前五名；“已断言”者记为 eli:implements。",
                               "Top five by text similarity, shared instruments and key task; asserted ones are eli:implements."),
    "entity.candidate.rank": ("排名", "Rank"),
    "entity.candidate.measure": ("省级细化措施", "Provincial measure"),
    "entity.candidate.confidence": ("置信度", "Confidence"),
    "entity.candidate.justification": ("依据", "Justification"),
    "entity.candidate.evidence": ("证据（共有词语）", "Evidence (shared words)"),
    "entity.candidate.status": ("状态", "Status"),
    "entity.candidate.asserted": ("已断言", "asserted"),
    "entity.candidate.rejected": ("审核拒绝", "rejected"),
    "entity.candidate.open": ("候选", "candidate"),
    # validation
    "validation.title": ("数据校验结果", "Validation findings"),
    "validation.intro": ("按 SHACL 形状检查图谱；问题按地区与严重程度分组，并可追溯到来源清单行。",
                         "The graph checked against its SHACL shapes; findings grouped by region and severity, traced to source rows."),
    "validation.loading": ("正在载入校验结果…", "Loading findings…"),
    "validation.conforms": ("图谱符合全部约束。", "The graph conforms to all shapes."),
    "validation.count": ("共 {n} 条问题", "{n} findings"),
    "validation.region.none": ("不属于某一地区", "Not tied to a region"),
    "validation.severity.Violation": ("违规", "Violation"),
    "validation.severity.Warning": ("警告", "Warning"),
    "validation.severity.Info": ("提示", "Info"),
    "validation.filter.severity": ("严重程度", "Severity"),
    "validation.filter.all": ("全部", "All"),
    "validation.col.message": ("问题", "Message"),
    "validation.col.focus": ("对象", "Focus node"),
    "validation.col.path": ("属性", "Path"),
    "validation.col.row": ("清单行", "Row"),
    "validation.failed": ("无法载入校验结果", "Could not load the findings"),
}


def lang_or_default(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


def translate(key: str, lang: str, **values: object) -> str:
    """The string for ``key`` in ``lang`` with ``{name}`` placeholders filled (unknown key: the key)."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[LANGS.index(lang_or_default(lang))]
    return text.format(**values) if values else text


def strings(lang: str) -> dict[str, str]:
    i = LANGS.index(lang_or_default(lang))
    return {k: v[i] for k, v in STRINGS.items()}
