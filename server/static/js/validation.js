/* Validation page: /api/validation findings grouped by region, then severity. */
(function () {
  "use strict";
  const PK = window.PK;
  const { config, t, el, clear } = PK;
  const $ = (id) => document.getElementById(id);
  const SEVERITIES = ["Violation", "Warning", "Info"];
  let findings = [];

  function severityOf(s) {
    const m = String(s || "").match(/([A-Za-z]+)$/);
    return m && SEVERITIES.includes(m[1]) ? m[1] : "Info";
  }

  function regionCode(r) {
    if (!r) return "";
    const m = String(r).match(/(\d{6})\/?$/);
    return m ? m[1] : String(r);
  }

  function term(v) {
    if (v === null || v === undefined || v === "") return null;
    return PK.results.asTerm(typeof v === "object" ? v : String(v));
  }

  function rowCell(f, code) {
    const row = f.row;
    if (row === null || row === undefined || row === "") return "";
    if (typeof row === "string" && /^https?:/.test(row)) return PK.renderTerm(term(row));
    if (code && /^\d+$/.test(String(row))) {
      const href = PK.localHref(config.idBase + "region/" + code + "/row/" + row);
      return el("a", { href }, [String(row)]);
    }
    return String(row);
  }

  function render() {
    const filter = $("severity-filter").value;
    const shown = findings.filter((f) => !filter || f.sev === filter);
    const groups = new Map();
    for (const f of shown) {
      if (!groups.has(f.code)) groups.set(f.code, []);
      groups.get(f.code).push(f);
    }
    const listed = (config.listRegions || []).map((r) => r.code);
    const codes = [...groups.keys()].sort((a, b) => {
      const ia = a ? listed.indexOf(a) : 98;
      const ib = b ? listed.indexOf(b) : 98;
      return ((ia < 0 ? 97 : ia) - (ib < 0 ? 97 : ib)) || a.localeCompare(b);
    });
    const summary = clear($("validation-summary"));
    const holder = clear($("validation-groups"));
    for (const code of codes) {
      const list = groups.get(code);
      const name = code ? config.regions[code] || code : t("validation.region.none");
      const counts = SEVERITIES.map((s) => [s, list.filter((f) => f.sev === s).length]).filter((x) => x[1]);
      summary.appendChild(el("a", { class: "summary__card", href: "#region-" + (code || "none") }, [
        el("strong", null, [name]),
        el("span", null, counts.map(([s, n]) => el("span", { class: "sev sev--" + s }, [t("validation.severity." + s) + " " + n]))),
      ]));
      const section = el("section", { class: "finding-group", id: "region-" + (code || "none") }, [
        el("h2", null, [name, el("span", { class: "muted" }, [t("validation.count", { n: list.length })])]),
      ]);
      for (const sev of SEVERITIES) {
        const part = list.filter((f) => f.sev === sev);
        if (!part.length) continue;
        // Violations open; warnings and notes folded, so a long list stays readable.
        const details = el("details", { class: "finding-part", open: sev === "Violation" || !!filter });
        details.appendChild(el("summary", null, [el("span", { class: "sev sev--" + sev }, [t("validation.severity." + sev)]),
          " " + part.length]));
        const tbody = el("tbody");
        for (const f of part) {
          tbody.appendChild(el("tr", null, [
            el("td", null, [el("span", { class: "cell-text" }, [String(f.message || "")])]),
            el("td", null, [PK.renderTerm(term(f.focus))]),
            el("td", null, [f.path ? PK.prefixed(String(f.path)) : ""]),
            el("td", { class: "num" }, [rowCell(f, code)]),
          ]));
        }
        details.appendChild(el("div", { class: "results__body" }, [el("table", { class: "data" }, [
          el("thead", null, [el("tr", null, [
            el("th", { scope: "col" }, [t("validation.col.message")]),
            el("th", { scope: "col" }, [t("validation.col.focus")]),
            el("th", { scope: "col" }, [t("validation.col.path")]),
            el("th", { scope: "col", class: "num" }, [t("validation.col.row")]),
          ])]),
          tbody,
        ])]));
        section.appendChild(details);
      }
      holder.appendChild(section);
    }
  }

  async function start() {
    await load();
    document.body.dataset.ready = "1";
  }

  async function load() {
    let data;
    try {
      data = await PK.fetchJSON(config.endpoints.validation);
    } catch (err) {
      $("validation-status").textContent = t("validation.failed");
      PK.showError(err);
      return;
    }
    const results = data.results || [];
    findings = results.map((f) => Object.assign({}, f, { sev: severityOf(f.severity), code: regionCode(f.region) }));
    const status = $("validation-status");
    if (data.conforms && !findings.length) {
      status.textContent = t("validation.conforms");
      return;
    }
    await PK.fetchLabels(findings.map((f) => f.focus).filter((f) => typeof f === "string" && /^https?:/.test(f)));
    render();
    status.textContent = t("validation.count", { n: findings.length });
    $("severity-filter").addEventListener("change", render);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
