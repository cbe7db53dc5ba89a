"""Hand-written records for validation and report tests, until the text loaders land.

Rows are copied from the source document (data/sources/000_ae2937e95410f861.txt): 衢州市
rows 1–5, 舟山市 rows 1–2, 钱塘区 rows 1–5 and 德清县 rows 1–4, enough to exercise every
shape and report section. The backbone has the 32 key tasks (titles as the document's
钱塘区 list prints them where it does, else a placeholder) and 146 measures; only measures
1–7 carry their real text, the others are placeholders.
"""

from __future__ import annotations

from pathlib import Path

from loaders.build import ontology_triples
from policykg.core import iris
from policykg.core.records import (
    Backbone,
    Contact,
    KeyTask,
    ListRow,
    LocalMeasure,
    ProvincialMeasure,
    RegionList,
    ServiceItem,
    SourceRef,
)
from policykg.graph import rdfmap
from policykg.graph.derive import refresh
from policykg.graph.store import new_generation, put_graph, write_restricted

DOC = "000_ae2937e95410f861.txt"

KEY_TASK_TITLES = {
    1: "强化财税政策保障", 2: "加大产业基金支持力度", 3: "保障合理用地需求", 4: "强化用能保障",
    5: "强化金融保障", 6: "强化人才和用工需求保障",
}

MEASURE_TEXTS = {
    1: "精准宣传“政策找人”。充分发挥征纳互动服务效能，着力提升首次推送成功率，重点抓好“推送不成功”和“应享未享”两个清册的兜底服务工作，为纳税人缴费人提供智能化、个性化精准推送服务。",
    2: "精准落实“免申即享”。迭代升级直达快享机制，创新优化“自动算税”等智能化应用，深入推进减资料、减流程、减操作；推行“真实发生、自行判别、申报享受、相关资料留存备查”的税费优惠办理方式，实现“零审批、零手续、零证明”。",
    3: "精准回应涉税诉求。建立健全纳税人缴费人需求征集、分析、解决联动机制，深化“民呼我为”“接诉即办”和“未诉先办”。",
    4: "精准防范政策风险。聚焦纳税人缴费人应享受未享受、不应享受而享受等风险，持续加强疑点扫描、风险分析和精准识别，分类实施风险应对，提升风险防范能力。",
    5: "在基金绩效管理办法中明确，设置考核加分指标，对投资民间投资项目超过70%的基金按完成情况予以加分。",
    6: "在基金投后管理的过程中引导鼓励基金加强对民间投资力度。",
    7: "探索实行产业链供地。对产业链关键环节、核心项目，可统一规划布局，整体实施、按宗供应。",
}


def measure_key_task(n: int) -> int:
    """Measures 1–4 → key task 1, 5–6 → 2, 7 → 3 (as in the document); the rest spread over 3–32."""
    if n <= 4:
        return 1
    if n <= 6:
        return 2
    return min(32, 3 + (n - 7) // 5)


def backbone() -> Backbone:
    src = SourceRef(DOC)
    return Backbone(
        key_tasks=[KeyTask(n, KEY_TASK_TITLES.get(n, f"重点工作{n}"), None) for n in range(1, 33)],
        measures=[ProvincialMeasure(n, measure_key_task(n), MEASURE_TEXTS.get(n, f"省级细化措施{n}（占位文本）"),
                                    SourceRef(DOC, line_start=80 + n, line_end=80 + n))
                  for n in range(1, 147)],
        general_tasks=[],
        source=src,
    )


def _ref(attachment: int, line: int) -> SourceRef:
    return SourceRef(DOC, attachment=attachment, line_start=line, line_end=line + 10)


QZ_RULE_1 = LocalMeasure(
    "1", "city-rule",
    "深入贯彻落实中共中央、国务院关于延续优化完善实施阶段性税费优惠政策的决策部署，依规加大减税降费力度，"
    "精准推送税费优惠政策，精准落实“免申即享”税费优惠办理方式，精准回应涉税诉求，精准推动“应享尽享”。",
    number=1, implements=(1, 2, 3, 4))
QZ_RULE_2 = LocalMeasure(
    "2", "city-rule", "发挥市产业基金引领带动作用，基金总体投向民间投资项目比重不低于90%。",
    number=2, implements=(5, 6))
QZ_BLOCK_1 = "诉求（兜底）服务板块"
QZ_BLOCK_2 = "金融服务板块"


def quzhou() -> RegionList:
    """衢州市 (附件1) rows 1–5: two numbered 市级落实细则, five service items."""
    def row(n, kt, label, pms, rule, content, l1, l2, l3, block):
        return ListRow(n, kt, label, provincial_measures=pms, local_measures=(rule,),
                       service_items=(ServiceItem(l1, l2, l3, block, content),), source=_ref(1, 70 + 20 * n))
    rows = [
        row(1, 1, "（一）强化财税政策保障", (1, 2, 3, 4), QZ_RULE_1,
            "智能筛选最新税费优惠政策内容，匹配对应纳税人，实现政策定制化精准推送服务",
            "政策服务", "政策推送", "税费优惠政策推送服务", QZ_BLOCK_1),
        row(2, 1, "（一）强化财税政策保障", (1, 2, 3, 4), QZ_RULE_1,
            "开展便民办税春风行动，为纳税人提供税费预填服务，帮助纳税人自动计算税费减免金额。",
            "政策服务", "政策申报", "税费预填服务", QZ_BLOCK_1),
        row(3, 1, "（一）强化财税政策保障", (1, 2, 3, 4), QZ_RULE_1,
            "建立问题快反机制，依托税收征纳互动平台，与纳税人进行线上实时互动。",
            "诉求服务", "政策咨询", "纳税人诉求服务", QZ_BLOCK_1),
        row(4, 2, "（二）加大产业基金支持力度", (5, 6), QZ_RULE_2,
            "加强产业基金支持，设立的种子基金，单项目上限200万元。",
            "金融服务", "基金投资", "种子基金", QZ_BLOCK_2),
        row(5, 2, "（二）加大产业基金支持力度", (5, 6), QZ_RULE_2,
            "设立天使基金，单项目最高800万元。",
            "金融服务", "基金投资", "天使基金", QZ_BLOCK_2),
    ]
    return RegionList("330800", "quzhou", rows, SourceRef(DOC, attachment=1, line_start=64),
                      title="2024年衢州市政务服务增值化改革与“民营经济32条”一体融合细化清单")


def zhoushan() -> RegionList:
    """舟山市 (附件2) rows 1–2: ①②③④ measures, units and contacts, no service items."""
    units = ("市税务局", "市科技局", "市财政局", "市人社局", "市退役军人事务局")
    r1 = tuple(
        LocalMeasure(f"1-{i}", "city-measure", text, number=i, stage="2023—2027年" if i != 3 else "长期实施",
                     units=units, lead_unit="市税务局")
        for i, text in enumerate([
            "精准宣传“政策找人”。线上充分利用浙江税务征纳沟通平台，提供智能化、个性化精准推送服务。",
            "精准落实“免申即享”。深化“便民办税春风行动”，推行“容缺办理”“告知承诺制”等便利化措施。",
            "精准回应涉税诉求。结合建设新时代“枫桥式”税务分局（所）相关要求，建立问题快反机制。",
            "精准防范政策风险。定期开展政策落实风险扫描，实施企业风险分级应对。",
        ], start=1))
    r2 = (LocalMeasure("2-1", "city-measure",
                       "配合省里在绿色石化与新材料基金管理人遴选公告中鼓励基金加大对民间投资项目投资的支持。",
                       number=1, target="绿色石化与新材料基金投向民营投资项目比重达到60%以上",
                       units=("市财政局", "市府办"), lead_unit="市财政局"),)
    rows = [
        ListRow(1, 1, "（一）推进税费优惠政策直达快享", general_task=1, general_task_label="一、强化资源要素支持",
                local_measures=r1, contacts=(Contact("张波", "总会计师", "13506801708"),), source=_ref(2, 2567)),
        ListRow(2, 2, "（二）加大产业基金支持力度", general_task=1, general_task_label="一、强化资源要素支持",
                local_measures=r2, contacts=(Contact("李磊", "市财金公司董事长"),), source=_ref(2, 2640)),
    ]
    return RegionList("330900", "zhoushan", rows, SourceRef(DOC, attachment=2, line_start=2553),
                      title="舟山市贯彻落实《浙江省促进民营经济高质量发展若干措施》细化表")


def qiantang() -> RegionList:
    """杭州市钱塘区 (附件3) rows 1–5: adopted provincial texts; row 3 has no 三级事项, row 5 none either."""
    def row(n, kt, label, pm, l1, l2, l3, block, remark=""):
        m = LocalMeasure(f"r{n}", "adopted", MEASURE_TEXTS[pm], implements=(pm,))
        return ListRow(n, kt, label, provincial_measures=(pm,), provincial_texts=(MEASURE_TEXTS[pm],),
                       local_measures=(m,), service_items=(ServiceItem(l1, l2, l3, block),), remark=remark,
                       source=_ref(3, 4600 + 15 * n))
    rows = [
        row(1, 1, "1.强化财税政策保障", 1, "政策服务", "政策推送服务", "税费优惠政策推送服务", "纳税综合服务专区"),
        row(2, 1, "1.强化财税政策保障", 2, "政策服务", "涉税申报服务", "税费预填服务", "纳税综合服务专区"),
        row(3, 1, "1.强化财税政策保障", 3, "政策服务", "涉税诉求服务", "", "纳税综合服务专区"),
        row(4, 2, "2.加大产业基金支持力度", 6, "金融服务", "产业基金服务", "省“4+1”基金对接服务", "金融板块"),
        row(5, 3, "3.保障合理用地需求", 7, "项目服务", "政策咨询宣讲服务", "", "项目板块"),
    ]
    return RegionList("330114", "qiantang", rows, SourceRef(DOC, attachment=3, line_start=4598),
                      title="2024年度钱塘区政务服务增值化改革与“民营经济32条”一体融合省级举措细化清单")


def deqing() -> RegionList:
    """湖州市德清县 (附件4) rows 1–4: county measures with 服务内容."""
    def row(n, kt, label, pm, content, l1, l2, l3, block):
        m = LocalMeasure(f"r{n}", "county-measure", MEASURE_TEXTS[pm] if pm else
                         "稳步推进专项基金组建，进一步加快已组建基金投资进度。")
        return ListRow(n, kt, label, local_measures=(m,),
                       service_items=(ServiceItem(l1, l2, l3, block, content),), source=_ref(4, 6000 + 25 * n))
    rows = [
        row(1, 1, "（一）强化财税政策保障", 1,
            "征纳互动服务：通过征纳沟通平台个性化精准推送涉税费政策解读，开展政策课堂直播，提供专业团队在线辅导，实现政策找人。",
            "政策服务", "政策推送", "税费优惠政策推送服务", "政策服务板块"),
        row(2, 1, "（一）强化财税政策保障", 2,
            "政策“一键兑”平台：完善“一键兑”平台，为企业提供一站式政策兑现服务。",
            "政策服务", "政策申报", "税费预填服务", "政策服务板块"),
        row(3, 1, "（一）强化财税政策保障", 4, "开展便民办税春风行动，为纳税人提供税费预填服务，帮助纳税人自动计算税费减免金额。",
            "诉求服务", "政策咨询", "纳税人诉求服务", "政策服务板块"),
        row(4, 2, "（二）加大产业基金支持力度", None,
            "直接融资指导服务：为企业提供股权融资等对接服务，做好QFLP基金设立、股权融资等方面的咨询和指导工作。",
            "金融服务", "基金投资", "种子基金", "金融服务板块"),
    ]
    return RegionList("330521", "deqing", rows, SourceRef(DOC, attachment=4, line_start=5990),
                      title="德清县政务服务增值化改革与“民营经济32条”一体融合细化清单")


def all_lists() -> list[RegionList]:
    return [quzhou(), zhoushan(), qiantang(), deqing()]


def graph_triples(lists: list[RegionList] | None = None) -> list:
    """Ontology + regions + backbone + the lists, as one list of pyoxigraph triples."""
    out = ontology_triples() + rdfmap.region_triples() + rdfmap.backbone_triples(backbone())
    for rl in all_lists() if lists is None else lists:
        out += rdfmap.region_list_triples(rl)
    return out


def make_store(root: Path, lists: list[RegionList] | None = None) -> Path:
    """A store laid out exactly as `policykg build` lays it out, from these records."""
    with new_generation(root, finish=refresh, in_memory=True) as (store, gen):
        put_graph(store, iris.graph("ontology"), ontology_triples())
        put_graph(store, iris.graph("regions"), rdfmap.region_triples())
        put_graph(store, iris.graph("backbone"), rdfmap.backbone_triples(backbone()))
        for rl in all_lists() if lists is None else lists:
            g = iris.region_graph(rl.region)
            put_graph(store, g, rdfmap.region_list_triples(rl))
            write_restricted(gen, g, rdfmap.restricted_triples(rl))
    return root
