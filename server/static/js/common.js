/* policykg pages: shared helpers (config, strings, DOM, terms, labels). No inline scripts:
   the page's configuration is the JSON block #page-config. All text goes through
   textContent, never innerHTML, so a literal such as "<script>" shows as text. */
(function () {
  "use strict";
  const cfgNode = document.getElementById("page-config");
  const config = cfgNode ? JSON.parse(cfgNode.textContent) : { strings: {}, prefixes: {}, regions: {} };
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel";
  const NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/;

  function t(key, values) {
    let s = (config.strings && config.strings[key]) || key;
    if (values) {
      s = s.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
    }
    return s;
  }

  /** el("a", {href: "/", class: "x"}, ["text", child]) */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") node.className = v;
        else if (k === "text") node.textContent = v;
        else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of [].concat(children || [])) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /** A local link for IRIs under the data base (…/id/… -> /id/…), else null. */
  function localHref(iri) {
    if (typeof iri === "string" && config.idBase && iri.startsWith(config.idBase)) {
      return "/" + iri.slice(config.base.length);
    }
    return null;
  }

  function prefixed(iri) {
    let best = null;
    for (const [p, ns] of Object.entries(config.prefixes || {})) {
      if (iri.startsWith(ns) && iri.length > ns.length && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
  }

  function isNumeric(term) {
    return term && term.type === "literal" && term.datatype && NUMERIC.test(term.datatype);
  }

  /** Read an error response: the endpoint's own message and, if it says, the position. */
  async function readError(resp) {
    let text = "";
    try { text = await resp.text(); } catch (e) { text = ""; }
    let message = text;
    let position = null;
    try {
      const body = JSON.parse(text);
      if (body && typeof body === "object") {
        const parts = [];
        if (body.error) parts.push(String(body.error));
        for (const e of [].concat(body.errors || [])) {
          const s = typeof e === "string" ? e : (e && (e.message || e.error || e.en || e.zh)) || "";
          if (s && !parts.some((p) => p.includes(s))) parts.push(s); // "errors" often repeats "error" in parts
        }
        message = parts.length ? parts.join("\n") : text;
        position = positionOf(body.position || body.where || null);
        if (!position && body.line) position = { line: +body.line, col: +(body.column || body.col || 1) };
      }
    } catch (e) { /* not JSON: keep the text */ }
    if (!position) position = positionOf(message);
    return { status: resp.status, message: message || t("error.status", { status: resp.status }), position };
  }

  function positionOf(v) {
    if (!v) return null;
    if (Array.isArray(v) && v.length >= 2) return { line: +v[0], col: +v[1] };
    if (typeof v === "object") {
      if (v.line) return { line: +v.line, col: +(v.column || v.col || 1) };
      return null;
    }
    const s = String(v);
    let m = s.match(/line\s*(\d+)\D{1,12}col(?:umn)?\s*(\d+)/i) || s.match(/第\s*(\d+)\s*行\s*第\s*(\d+)\s*列/)
      || s.match(/(?:at|位置)\s*(\d+):(\d+)/) || s.match(/\b(\d+):(\d+)\b/);
    return m ? { line: +m[1], col: +m[2] } : null;
  }

  async function fetchJSON(url, options) {
    let resp;
    try {
      resp = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, options || {}));
    } catch (e) {
      throw { status: 0, message: t("error.network") + "：" + e.message, position: null };
    }
    if (!resp.ok) throw await readError(resp);
    return resp.json();
  }

  /** POST a query to the SPARQL endpoint; resolves to the SPARQL JSON results. */
  async function sparql(query) {
    return fetchJSON(config.endpoints.sparql, {
      method: "POST",
      headers: { Accept: "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query }).toString(),
    });
  }

  const labelCache = new Map();

  /** Labels for IRIs (UI language, then Chinese, then any), 250 IRIs per request. */
  async function fetchLabels(iris) {
    const wanted = [...new Set(iris)].filter((i) => !labelCache.has(i) && /^[^<>"{}|^`\\\s]+$/.test(i)).slice(0, 3000);
    for (let i = 0; i < wanted.length; i += 250) {
      const chunk = wanted.slice(i, i + 250);
      const q = "SELECT ?s ?p ?l WHERE { VALUES ?s { " + chunk.map((x) => "<" + x + ">").join(" ") +
        " } VALUES ?p { <" + RDFS_LABEL + "> <" + SKOS_PREF + "> } ?s ?p ?l }";
      let data;
      try { data = await sparql(q); } catch (e) { return labelCache; }
      const best = new Map();
      for (const b of data.results.bindings) {
        const s = b.s.value;
        const lang = b.l["xml:lang"] || "";
        const score = (lang === config.lang ? 0 : lang === "zh" ? 2 : lang === "" ? 3 : 4) + (b.p.value === SKOS_PREF ? 1 : 0);
        const cur = best.get(s);
        if (!cur || score < cur[0]) best.set(s, [score, b.l.value]);
      }
      for (const s of chunk) labelCache.set(s, best.has(s) ? best.get(s)[1] : null);
    }
    return labelCache;
  }

  /** A DOM node showing one RDF term: IRIs as label + link (local pages only), literals as text. */
  function renderTerm(term) {
    if (!term) return document.createTextNode("");
    if (term.type === "uri") {
      const label = labelCache.get(term.value);
      const href = localHref(term.value);
      const short = prefixed(term.value);
      const main = href ? el("a", { href, title: term.value }, [label || short]) : el("span", { title: term.value }, [label || short]);
      if (!label) return main;
      return el("span", null, [main, el("span", { class: "term-iri" }, [short])]);
    }
    if (term.type === "bnode") return el("span", { class: "mono" }, ["_:" + term.value]);
    const span = el("span", { class: "cell-text" }, [term.value]);
    if (term["xml:lang"] && term["xml:lang"] !== "zh" && term["xml:lang"] !== config.lang) {
      return el("span", null, [span, el("span", { class: "term-lang" }, ["@" + term["xml:lang"]])]);
    }
    return span;
  }

  function displayText(term) {
    if (!term) return "";
    if (term.type === "uri") return labelCache.get(term.value) || prefixed(term.value);
    return term.value;
  }

  function download(filename, mime, content) {
    const blob = new Blob([content], { type: mime });
    const a = el("a", { href: URL.createObjectURL(blob), download: filename });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function showError(err) {
    const box = document.getElementById("error-box");
    if (!box) return;
    const msg = document.getElementById("error-message");
    const pos = document.getElementById("error-position");
    msg.textContent = (err && err.message) || String(err);
    if (pos) {
      if (err && err.position) {
        pos.textContent = t("error.position", { line: err.position.line, col: err.position.col });
        pos.hidden = false;
      } else pos.hidden = true;
    }
    box.hidden = false;
  }

  function hideError() {
    const box = document.getElementById("error-box");
    if (box) box.hidden = true;
  }

  /** Keep the language switch pointing back at the current URL, fragment included. */
  function syncLangLink() {
    const a = document.getElementById("lang-switch");
    if (!a) return;
    const next = location.pathname + location.search + location.hash;
    a.href = a.pathname + "?next=" + encodeURIComponent(next);
  }
  window.addEventListener("hashchange", syncLangLink);
  document.addEventListener("DOMContentLoaded", syncLangLink);

  window.PK = {
    config, t, el, clear, localHref, prefixed, isNumeric, readError, positionOf, fetchJSON, sparql,
    fetchLabels, renderTerm, displayText, download, showError, hideError, syncLangLink, labelCache,
  };
})();
