/* Coverage page: key tasks (rows) × regions with a list (columns) as a heatmap.
   Each cell links to the query page running the catalogue query that lists its rows. */
(function () {
  "use strict";
  const PK = window.PK;
  const { config, t, el, clear } = PK;
  const $ = (id) => document.getElementById(id);

  function heatClass(items, measures, max) {
    if (!items && !measures) return "heat-0";
    if (!items) return "heat-m";
    return "heat-" + Math.max(1, Math.min(5, Math.ceil((items / Math.max(1, max)) * 5)));
  }

  function regionOrder(codes) {
    const listed = (config.listRegions || []).map((r) => r.code);
    return codes.sort((a, b) => {
      const ia = listed.indexOf(a);
      const ib = listed.indexOf(b);
      if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
      return a.localeCompare(b);
    });
  }

  function render(data) {
    const rows = data.results.bindings;
    const regions = new Map();
    const tasks = new Map();
    const cells = new Map();
    let max = 0;
    for (const b of rows) {
      const code = b.code.value;
      const n = Number(b.n.value);
      regions.set(code, b.regionLabel ? b.regionLabel.value : config.regions[code] || code);
      tasks.set(n, { label: b.keyTaskLabel ? b.keyTaskLabel.value : "", iri: b.keyTask.value });
      const items = Number(b.items ? b.items.value : 0);
      const measures = Number(b.measures ? b.measures.value : 0);
      cells.set(code + "|" + n, { items, measures });
      max = Math.max(max, items);
    }
    const codes = regionOrder([...regions.keys()]);
    const numbers = [...tasks.keys()].sort((a, b) => a - b);
    const holder = clear($("coverage-matrix"));
    if (!codes.length) {
      $("coverage-status").textContent = t("coverage.empty");
      return;
    }
    const head = el("tr", null, [el("th", { scope: "col" }, [t("coverage.keytask")])].concat(
      codes.map((c) => el("th", { scope: "col" }, [
        el("a", { href: PK.localHref(config.idBase + "region/" + c) || "#" }, [regions.get(c)]),
        el("span", { class: "col-key" }, [t("coverage.colkey")]),
      ])),
      [el("th", { scope: "col", class: "covered-head" }, [t("coverage.regions")])],
    ));
    const body = el("tbody");
    const totals = Object.fromEntries(codes.map((c) => [c, { items: 0, measures: 0, gaps: 0 }]));
    let gaps = 0;
    for (const n of numbers) {
      const task = tasks.get(n);
      const tr = el("tr", null, [el("th", { scope: "row", class: "kt" }, [el("span", null, [
        el("span", { class: "kt-n" }, [String(n)]),
        el("a", { href: PK.localHref(task.iri) || "#" }, [task.label]),
      ])])]);
      let covered = 0;
      for (const c of codes) {
        const cell = cells.get(c + "|" + n) || { items: 0, measures: 0 };
        if (cell.items || cell.measures) covered += 1;
        totals[c].items += cell.items;
        totals[c].measures += cell.measures;
        if (!cell.items && !cell.measures) { totals[c].gaps += 1; gaps += 1; }
        const params = new URLSearchParams({ run: config.rowsQuery, region: c, task: String(n) });
        const label = t("coverage.cell", { region: regions.get(c), n, items: cell.items, measures: cell.measures });
        const content = (!cell.items && !cell.measures)
          ? [el("span", { class: "cell-items" }, ["—"]), el("span", { class: "cell-measures" }, [t("coverage.gap")])]
          : [el("span", { class: "cell-items" }, [String(cell.items)]),
            el("span", { class: "cell-measures" }, [t("coverage.measures.short") + " " + cell.measures])];
        tr.appendChild(el("td", null, [el("a", {
          href: "/#" + params.toString(), class: heatClass(cell.items, cell.measures, max),
          title: label, "aria-label": label, "data-region": c, "data-task": String(n),
          "data-items": String(cell.items), "data-measures": String(cell.measures),
        }, content)]));
      }
      tr.appendChild(el("td", { class: "covered" + (covered < codes.length ? " covered--partial" : ""),
        "data-covered": String(covered) }, [covered + " / " + codes.length]));
      body.appendChild(tr);
    }
    const foot = el("tfoot", null, [el("tr", null, [el("th", { scope: "row" }, [t("coverage.total")])].concat(
      codes.map((c) => el("td", null, [
        el("div", null, [t("coverage.items") + " " + totals[c].items]),
        el("div", { class: "muted" }, [t("coverage.measures") + " " + totals[c].measures]),
        el("div", { class: totals[c].gaps ? "cell-gap-count" : "muted" }, [t("coverage.gaps", { n: totals[c].gaps })]),
      ])),
      [el("td")],
    ))]);
    holder.appendChild(el("table", { class: "matrix", id: "coverage-table" }, [el("thead", null, [head]), body, foot]));
    $("coverage-status").textContent = t("coverage.gaps", { n: gaps });
  }

  async function start() {
    if (!config.coverageText) {
      PK.showError({ message: "queries/" + config.coverageQuery + ".rq ?" });
      return;
    }
    try {
      render(await PK.sparql(config.coverageText));
    } catch (err) {
      $("coverage-status").textContent = "";
      PK.showError(err);
    }
    document.body.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
