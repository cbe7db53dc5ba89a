/* /landing: filters on the server-rendered matrix, and the cell detail (rows, service items,
   recommendations) from /api/landing/cell. All text goes through textContent. */
(function () {
  "use strict";
  const PK = window.PK;
  const { config, el, clear } = PK;
  const $ = (id) => document.getElementById(id);
  const table = $("landing-table");
  if (!table) return;
  const STATUS = { "service-item": "已转化为服务事项 / converted", "local-measure": "已细化、未转化 / refined", none: "未落地 / not landed" };
  const KIND = { printed: "原文引用 / printed", predicted: "预测对应 / predicted" };

  // Cells carry only a status class (i / m / n): their region is their column's.
  const CODE = { i: "service-item", m: "local-measure", n: "none" };
  const regionsByColumn = Array.from(table.querySelectorAll("thead th[data-region]")).map((th) => th.dataset.region);
  const columns = {};
  regionsByColumn.forEach((code, i) => { columns[code] = i; });
  const statusOf = (td) => CODE[td.className.split(" ")[0]];

  function applyFilters() {
    const kt = $("filter-key-task").value;
    const region = $("filter-region").value;
    const status = $("filter-status").value;
    const col = region ? columns[region] : -1;
    table.querySelectorAll("thead th[data-region]").forEach((th) => { th.hidden = Boolean(region) && th.dataset.region !== region; });
    let shown = 0;
    table.querySelectorAll("tbody").forEach((body) => {
      const ktOk = !kt || body.dataset.keyTask === kt;
      let bodyShown = 0;
      body.querySelectorAll("tr[data-measure]").forEach((tr) => {
        const tds = tr.getElementsByTagName("td");
        let match = !status;
        for (let i = 0; i < tds.length; i++) {
          const td = tds[i];
          const inRegion = col < 0 || i === col;
          td.hidden = !inRegion;
          const hit = !status || statusOf(td) === status;
          td.classList.toggle("lm-dim", inRegion && !hit);
          if (inRegion && hit) match = true;
        }
        const visible = ktOk && match;
        tr.hidden = !visible;
        if (visible) { bodyShown++; shown++; }
      });
      body.hidden = bodyShown === 0;
      const head = body.querySelector("tr.lm-kt th");
      if (head) head.colSpan = region ? 2 : Object.keys(columns).length + 1;
    });
    const count = $("landing-count");
    count.dataset.shown = String(shown);
    count.textContent = "显示 " + shown + " 条措施 / " + shown + " measures shown";
  }

  function itemLine(it, withRegion) {
    const cats = [it.level1, it.level2, it.level3].filter(Boolean).join(" / ");
    const where = withRegion ? (it.region_name || it.region) + " 第" + it.row + "行" : "第" + it.row + "行";
    const href = PK.localHref ? PK.localHref(it.iri) : null;
    const name = href ? el("a", { href: href, text: it.name }) : el("strong", { text: it.name });
    const parts = [name, "（" + cats + (it.block ? "，" + it.block : "") + "，" + where + "）"];
    if (it.content) parts.push(el("div", { class: "muted", text: it.content }));
    return el("li", { class: "lm-item" }, parts);
  }

  function showCell(data) {
    const box = $("landing-detail");
    clear(box);
    box.hidden = false;
    const conf = data.confidence;
    box.appendChild(el("h2", { text: (data.region_name || data.region) + " · " + data.measure_label }));
    box.appendChild(el("p", { id: "detail-status", "data-status": data.status,
      text: STATUS[data.status] + (conf ? "（" + (KIND[conf.kind] || conf.kind) + (conf.value != null ? "，置信度 " + conf.value : "") + "）" : "") }));
    box.appendChild(el("p", { class: "muted", text: data.convertibility }));
    box.appendChild(el("h3", { text: "清单行 / rows (" + data.rows.length + ")" }));
    box.appendChild(el("p", { id: "detail-rows", text: data.rows.length ? data.rows.map((r) => "第" + r.row + "行").join("、") : "无 / none" }));
    box.appendChild(el("h3", { text: "服务事项 / service items (" + data.service_items.length + ")" }));
    box.appendChild(el("ol", { id: "detail-items" }, data.service_items.map((it) => itemLine(it, false))));
    box.appendChild(el("h3", { text: "建议（其他地区的真实服务事项） / recommendations (" + data.recommendations.length + ")" }));
    box.appendChild(el("ol", { id: "detail-recs" }, data.recommendations.map((it) => itemLine(it, true))));
  }

  table.addEventListener("click", (ev) => {
    const td = ev.target.closest("td");
    if (!td || !table.contains(td) || !td.parentElement.dataset.measure) return;
    const region = regionsByColumn[td.cellIndex - 1];
    table.querySelectorAll("td.lm-selected").forEach((x) => x.classList.remove("lm-selected"));
    td.classList.add("lm-selected");
    const measure = td.parentElement.dataset.measure;
    const url = (config.landingCell || "/api/landing/cell") + "?region=" + encodeURIComponent(region) + "&measure=" + encodeURIComponent(measure);
    fetch(url).then((r) => r.json()).then((data) => {
      if (data.ok === false) throw new Error(data.error);
      showCell(data);
    }).catch((err) => {
      const box = $("landing-detail");
      clear(box);
      box.hidden = false;
      box.appendChild(el("p", { class: "error-box__message", text: String(err.message || err) }));
    });
  });
  ["filter-key-task", "filter-region", "filter-status"].forEach((id) => $(id).addEventListener("change", applyFilters));
})();
