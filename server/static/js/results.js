/* Results: normalise the endpoint's answers, render a sortable table, export CSV / JSON. */
(function () {
  "use strict";
  const { t, el, clear, isNumeric, renderTerm, displayText } = window.PK;
  const PAGE = 500;

  /** Any value -> an RDF term object ({type, value, xml:lang?, datatype?}). */
  function asTerm(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === "object" && "value" in v) {
      const term = { type: v.type === "iri" ? "uri" : (v.type || "literal"), value: String(v.value) };
      if (v["xml:lang"] || v.lang || v.language) term["xml:lang"] = v["xml:lang"] || v.lang || v.language;
      if (v.datatype) term.datatype = v.datatype;
      return term;
    }
    if (typeof v === "number") {
      return { type: "literal", value: String(v),
        datatype: "http://www.w3.org/2001/XMLSchema#" + (Number.isInteger(v) ? "integer" : "decimal") };
    }
    const s = String(v);
    if (/^(https?|urn):[^\s<>"]+$/.test(s)) return { type: "uri", value: s };
    return { type: "literal", value: s };
  }

  /** SPARQL 1.1 JSON results or the catalogue's {ok, columns, rows} -> one shape. */
  function normalise(data) {
    if (data && typeof data.boolean === "boolean") return { kind: "ask", vars: [], rows: [], boolean: data.boolean };
    if (data && data.head && data.results) {
      const vars = data.head.vars || [];
      const rows = data.results.bindings.map((b) => {
        const r = {};
        for (const v of vars) r[v] = b[v] ? asTerm(b[v]) : null;
        return r;
      });
      return { kind: "select", vars, rows, truncated: !!data.truncated };
    }
    if (data && (data.columns || data.rows)) {
      if (data.results) return Object.assign(normalise(data.results), { truncated: !!data.truncated, timeMs: data.time_ms });
      const vars = (data.columns || []).map((c) => (typeof c === "string" ? c : c.name));
      const rows = (data.rows || []).map((row) => {
        const r = {};
        vars.forEach((v, i) => { r[v] = asTerm(Array.isArray(row) ? row[i] : row[v]); });
        return r;
      });
      if (typeof data.boolean === "boolean") return { kind: "ask", vars: [], rows: [], boolean: data.boolean, timeMs: data.time_ms };
      return { kind: "select", vars, rows, truncated: !!data.truncated, timeMs: data.time_ms };
    }
    return { kind: "select", vars: [], rows: [] };
  }

  function iris(result) {
    const out = [];
    for (const r of result.rows) for (const v of result.vars) if (r[v] && r[v].type === "uri") out.push(r[v].value);
    return out;
  }

  function compare(a, b) {
    if (!a && !b) return 0;
    if (!a) return 1;
    if (!b) return -1;
    if (isNumeric(a) && isNumeric(b)) return Number(a.value) - Number(b.value);
    const x = displayText(a);
    const y = displayText(b);
    const nx = Number(x);
    const ny = Number(y);
    if (x !== "" && y !== "" && !Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x.localeCompare(y, "zh-Hans-CN", { numeric: true });
  }

  /** Render a SELECT result into `container` as a sortable table with paging. */
  function renderTable(container, result) {
    clear(container);
    if (result.kind === "ask") {
      container.appendChild(el("p", { class: "ask-result" }, [result.boolean ? t("results.ask.true") : t("results.ask.false")]));
      return;
    }
    if (!result.rows.length) {
      container.appendChild(el("p", { class: "muted" }, [t("results.empty")]));
      return;
    }
    let order = result.rows.map((r, i) => i);
    let shown = Math.min(PAGE, order.length);
    const numericCol = {};
    for (const v of result.vars) {
      numericCol[v] = result.rows.every((r) => !r[v] || isNumeric(r[v])) && result.rows.some((r) => r[v]);
    }
    const headRow = el("tr", null, [el("th", { class: "rownum", scope: "col" }, ["#"])]);
    const ths = result.vars.map((v) => {
      const th = el("th", { scope: "col", "aria-sort": "none", class: numericCol[v] ? "num" : null }, [
        el("button", { type: "button", class: "sort-btn", title: t("results.sort"), "data-var": v }, [v]),
      ]);
      headRow.appendChild(th);
      return th;
    });
    const tbody = el("tbody");
    const table = el("table", { class: "data", id: "results-table" }, [el("thead", null, [headRow]), tbody]);
    const more = el("div", { class: "more-row" });

    function drawRows() {
      clear(tbody);
      const frag = document.createDocumentFragment();
      for (let k = 0; k < shown; k++) {
        const r = result.rows[order[k]];
        const tr = el("tr", null, [el("td", { class: "rownum" }, [String(k + 1)])]);
        for (const v of result.vars) tr.appendChild(el("td", { class: numericCol[v] ? "num" : null }, [renderTerm(r[v])]));
        frag.appendChild(tr);
      }
      tbody.appendChild(frag);
      clear(more);
      if (shown < order.length) {
        const n = Math.min(PAGE, order.length - shown);
        more.appendChild(el("p", { class: "muted" }, [t("results.shown", { shown, n: order.length })]));
        more.appendChild(el("button", { type: "button", class: "btn btn--small", onclick: () => { shown += n; drawRows(); } },
          [t("results.more", { n })]));
      }
    }

    headRow.addEventListener("click", (ev) => {
      const btn = ev.target.closest(".sort-btn");
      if (!btn) return;
      const v = btn.dataset.var;
      const th = btn.parentElement;
      const dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      for (const other of ths) other.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", dir);
      const sign = dir === "ascending" ? 1 : -1;
      order = result.rows.map((r, i) => i).sort((a, b) => sign * compare(result.rows[a][v], result.rows[b][v]) || a - b);
      drawRows();
    });
    drawRows();
    container.appendChild(table);
    container.appendChild(more);
  }

  function csvCell(s) {
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  // SPARQL 1.1 CSV: IRIs and literals as their plain value, blank nodes as _:label (as the endpoint writes them)
  function csvValue(term) {
    if (!term) return "";
    return term.type === "bnode" ? "_:" + term.value : term.value;
  }

  function toCSV(result) {
    if (result.kind === "ask") return "_askResult\r\n" + result.boolean + "\r\n";
    const lines = [result.vars.map(csvCell).join(",")];
    for (const r of result.rows) lines.push(result.vars.map((v) => csvCell(csvValue(r[v]))).join(","));
    return "\ufeff" + lines.join("\r\n") + "\r\n"; // BOM: spreadsheet programs then read UTF-8 Chinese correctly
  }

  function toJSON(result) {
    if (result.kind === "ask") return JSON.stringify({ head: {}, boolean: result.boolean }, null, 2);
    const bindings = result.rows.map((r) => {
      const b = {};
      for (const v of result.vars) if (r[v]) b[v] = r[v];
      return b;
    });
    return JSON.stringify({ head: { vars: result.vars }, results: { bindings } }, null, 2);
  }

  window.PK.results = { normalise, renderTable, toCSV, toJSON, iris, asTerm };
})();
