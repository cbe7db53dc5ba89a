/* The query page: editor (CodeMirror 5, local completion only), catalogue gallery,
   running against /sparql or /queries/<name>.json, results, errors, share link. */
(function () {
  "use strict";
  const PK = window.PK;
  const { config, t, el, clear } = PK;
  const R = PK.results;
  const $ = (id) => document.getElementById(id);

  const KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "OPTIONAL", "FILTER", "NOT EXISTS", "EXISTS", "MINUS", "UNION",
    "GRAPH", "BIND", "VALUES", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "OFFSET", "ASK", "CONSTRUCT", "DESCRIBE",
    "PREFIX", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "AS", "ASC", "DESC",
    "STR", "LANG", "LANGMATCHES", "CONTAINS", "STRSTARTS", "REGEX", "COALESCE", "IF", "BOUND", "IRI", "CONCAT"];
  const NEW_QUERY = "SELECT ?s ?label WHERE {\n  ?s a pk:KeyTask ;\n     rdfs:label ?label .\n}\nLIMIT 100\n";

  const state = { catalogue: [], current: null, params: {}, result: null, running: false, errorMark: null };
  let editor = null;

  // ------------------------------------------------------------------ editor
  function words(cm) {
    const vars = new Set();
    cm.getValue().replace(/[?$][A-Za-z_\u00C0-\uFFFF][\w\u00C0-\uFFFF]*/g, (m) => { vars.add("?" + m.slice(1)); return m; });
    return [...vars];
  }

  function hint(cm) {
    const cur = cm.getCursor();
    const line = cm.getLine(cur.line).slice(0, cur.ch);
    const m = line.match(/[?$]?[\w\-\u00C0-\uFFFF]*:?[\w\-\u00C0-\uFFFF]*$/);
    const word = m ? m[0] : "";
    if (!word) return null;
    const from = CodeMirror.Pos(cur.line, cur.ch - word.length);
    const lower = word.toLowerCase();
    let list = [];
    if (/^[?$]/.test(word)) {
      list = words(cm).filter((v) => v.toLowerCase().startsWith("?" + lower.slice(1)) && v !== "?" + word.slice(1))
        .map((v) => ({ text: v, displayText: v }));
    } else if (word.includes(":")) {
      const [p, local] = [word.slice(0, word.indexOf(":")), word.slice(word.indexOf(":") + 1).toLowerCase()];
      list = (config.terms || []).filter((x) => x.name.startsWith(p + ":") &&
        (x.name.slice(p.length + 1).toLowerCase().includes(local) || (x.zh || "").includes(local)))
        .sort((a, b) => (a.name.slice(p.length + 1).toLowerCase().startsWith(local) ? 0 : 1) -
          (b.name.slice(p.length + 1).toLowerCase().startsWith(local) ? 0 : 1))
        .map(termHint);
    } else {
      const kws = KEYWORDS.filter((k) => k.toLowerCase().startsWith(lower)).map((k) => ({ text: k, displayText: k }));
      const pfx = Object.keys(config.prefixes).filter((p) => p.startsWith(lower))
        .map((p) => ({ text: p + ":", displayText: p + ":", render: hintRenderer(p + ":", config.prefixes[p]) }));
      list = kws.concat(pfx);
    }
    if (!list.length) return null;
    return { list: list.slice(0, 80), from, to: cur };
  }

  function termHint(x) {
    const label = (config.lang === "en" ? x.en || x.zh : x.zh || x.en) || "";
    return { text: x.name, displayText: x.name, render: hintRenderer(x.name, label) };
  }

  function hintRenderer(text, label) {
    return (node) => {
      node.appendChild(document.createTextNode(text));
      if (label) node.appendChild(el("span", { class: "hint-label" }, [label]));
    };
  }

  function initEditor() {
    const ta = $("query-text");
    if (!window.CodeMirror) return null; // the textarea still works
    const cm = CodeMirror.fromTextArea(ta, {
      mode: "application/sparql-query",
      lineNumbers: true,
      matchBrackets: true,
      indentUnit: 2,
      lineWrapping: true,
      viewportMargin: Infinity,
      extraKeys: {
        "Ctrl-Enter": () => run(),
        "Cmd-Enter": () => run(),
        "Ctrl-Space": (c) => c.showHint({ hint, completeSingle: false }),
        Tab: false, // Tab leaves the editor (keyboard users are not trapped)
        "Shift-Tab": false,
      },
    });
    const input = cm.getInputField();
    input.setAttribute("aria-labelledby", "query-text-label");
    input.id = "query-input";
    // Completion while typing: Tab or a click takes a suggestion; Enter keeps its usual meaning
    // (a new line), so typing on never picks something by accident. Ctrl+Space opens the list at will.
    const autoKeys = {
      Enter: (c, handle) => { handle.close(); c.execCommand("newlineAndIndent"); },
      Tab: (c, handle) => handle.pick(),
    };
    // After each keystroke show-hint swaps its keymap for {Enter: "pick later"} until the next
    // animation frame (addon/hint/show-hint.js 5.65.20, Widget.disable), so a quick Enter was
    // swallowed or picked the only suggestion, and a quick Tab left the editor. Running the
    // pending update before any key is handled puts the real keymap back first.
    cm.on("keydown", (c) => {
      const active = c.state.completionActive;
      if (active && active.debounce) {
        cancelAnimationFrame(active.debounce);
        active.debounce = 0;
        active.update();
      }
    });
    cm.on("inputRead", (c, change) => {
      if (change.origin !== "+input" || c.state.completionActive) return;
      const cur = c.getCursor();
      const before = c.getLine(cur.line).slice(0, cur.ch);
      const word = (before.match(/[?$]?[\w\-\u00C0-\uFFFF]*:?[\w\-\u00C0-\uFFFF]*$/) || [""])[0];
      if (word.includes(":") || word.replace(/^[?$]/, "").length >= 2) {
        c.showHint({ hint, completeSingle: false, extraKeys: autoKeys });
      }
    });
    cm.on("change", () => { clearErrorMark(); onTextChanged(); });
    return cm;
  }

  function getText() { return editor ? editor.getValue() : $("query-text").value; }
  function setText(s) {
    if (editor) { editor.setValue(s); editor.clearHistory(); } else $("query-text").value = s;
  }

  function clearErrorMark() {
    if (state.errorMark) { state.errorMark.clear(); state.errorMark = null; }
  }

  function markError(pos) {
    if (!editor || !pos) return;
    const line = Math.max(0, Math.min(editor.lineCount() - 1, pos.line - 1));
    const text = editor.getLine(line);
    let ch = Math.max(0, Math.min(text.length, pos.col - 1));
    if (ch >= text.length && text.length) ch = text.length - 1;
    const end = Math.min(text.length, ch + Math.max(1, (text.slice(ch).match(/^\S+/) || [""])[0].length));
    state.errorMark = editor.markText({ line, ch }, { line, ch: Math.max(end, ch + 1) }, { className: "cm-syntax-error" });
    editor.setCursor({ line, ch });
    editor.scrollIntoView({ line, ch }, 60);
  }

  // ------------------------------------------------------------------ catalogue
  function lang(obj) {
    if (!obj) return "";
    if (typeof obj === "string") return obj;
    return obj[config.lang] || obj.zh || obj.en || "";
  }

  // Gallery sections, from the catalogue's tags (first match wins); the pages' own queries last.
  const GROUPS = [
    ["page", ["page"]],
    ["overview", ["backbone", "overview"]],
    ["coverage", ["coverage", "gaps", "completeness", "覆盖"]],
    ["compare", ["compare", "比较"]],
    ["items", ["service-items", "taxonomy", "blocks", "服务事项"]],
    ["units", ["units", "stage", "targets", "责任单位", "实施阶段", "目标"]],
    ["search", ["search", "provenance", "检索", "溯源"]],
  ];
  const GROUP_ORDER = ["overview", "coverage", "compare", "items", "units", "search", "other", "page"];

  function groupOf(q) {
    const tags = q.tags || [];
    for (const [g, keys] of GROUPS) if (tags.some((x) => keys.includes(x))) return g;
    return "other";
  }

  function renderGallery() {
    const list = $("gallery-list");
    clear(list);
    const filter = $("gallery-filter").value.trim().toLowerCase();
    const items = state.catalogue.filter((q) => !filter ||
      [q.name, lang(q.title), lang(q.description), (q.tags || []).join(" ")].join(" ").toLowerCase().includes(filter));
    if (!items.length) {
      list.appendChild(el("li", { class: "muted" }, [t("query.gallery.empty")]));
      return;
    }
    for (const g of GROUP_ORDER) {
      const part = items.filter((q) => groupOf(q) === g);
      if (!part.length) continue;
      list.appendChild(el("li", { class: "gallery__group", role: "presentation" }, [t("query.group." + g)]));
      for (const q of part) list.appendChild(el("li", null, [card(q)]));
    }
  }

  function card(q) {
    const hasParams = Object.keys(q.params || {}).length > 0;
    return el("button", {
      type: "button", class: "q-card", "data-name": q.name,
      "aria-pressed": state.current && state.current.name === q.name ? "true" : "false",
      onclick: () => { loadCatalogue(q, null); run().then(revealResults); },
    }, [
      el("span", { class: "q-card__title" }, [lang(q.title) || q.name]),
      lang(q.description) ? el("span", { class: "q-card__desc" }, [lang(q.description)]) : null,
      hasParams ? el("span", { class: "q-card__tags" }, [el("span", { class: "tag" }, [t("query.gallery.params")])]) : null,
    ]);
  }

  async function loadGallery() {
    try {
      const data = await PK.fetchJSON(config.endpoints.queries);
      state.catalogue = (Array.isArray(data) ? data : data.queries || []).filter((q) => q && q.name);
    } catch (e) {
      clear($("gallery-list")).appendChild(el("li", { class: "muted" }, [t("query.gallery.failed") + "：" + e.message]));
      return false;
    }
    renderGallery();
    return true;
  }

  function paramDefault(spec) {
    if (spec && typeof spec === "object" && spec.default !== undefined && spec.default !== null) return String(spec.default);
    return "";
  }

  function loadCatalogue(q, params) {
    state.current = q;
    state.params = {};
    const specs = q.params || {};
    for (const [name, spec] of Object.entries(specs)) {
      state.params[name] = params && params[name] !== undefined ? params[name] : paramDefault(spec);
    }
    setText(q.text || "");
    renderParams();
    const loaded = $("loaded-query");
    loaded.textContent = t("query.loaded") + (lang(q.title) || q.name);
    loaded.hidden = false;
    for (const b of document.querySelectorAll(".q-card")) b.setAttribute("aria-pressed", b.dataset.name === q.name ? "true" : "false");
    updateHash();
  }

  function renderParams() {
    const box = $("query-params");
    const fields = clear($("query-params-fields"));
    const specs = (state.current && state.current.params) || {};
    const names = Object.keys(specs);
    box.hidden = !names.length;
    for (const name of names) {
      const spec = specs[name] || {};
      const label = (config.lang === "en" ? spec.en || spec.zh : spec.zh || spec.en) || name;
      const options = spec.options || spec.enum || (name === "region" ? (config.listRegions || []).map((r) => r.code) : null);
      let input;
      if (options && options.length) {
        input = el("select", { class: "input", id: "param-" + name, name });
        const values = options.map(String);
        if (state.params[name] && !values.includes(state.params[name])) values.unshift(state.params[name]);
        for (const v of values) {
          const nameOf = config.regions[v];
          input.appendChild(el("option", { value: v, selected: v === state.params[name] }, [nameOf ? nameOf + "（" + v + "）" : v]));
        }
      } else {
        input = el("input", { class: "input", id: "param-" + name, name, value: state.params[name] || "" });
      }
      input.addEventListener("change", () => { state.params[name] = input.value; updateHash(); });
      fields.appendChild(el("label", { class: "params__field", for: "param-" + name }, [el("span", null, [label]), input]));
    }
    $("query-params-note").hidden = true;
  }

  function boundToCatalogue() {
    return !!(state.current && getText() === state.current.text);
  }

  function onTextChanged() {
    if (!state.current) return;
    const detached = !boundToCatalogue();
    $("query-params-note").hidden = !detached || !Object.keys(state.current.params || {}).length;
    if (detached) $("loaded-query").hidden = true;
    updateHash();
  }

  // ------------------------------------------------------------------ URL / share
  function shareHash() {
    if (boundToCatalogue()) {
      const p = new URLSearchParams({ run: state.current.name });
      for (const [k, v] of Object.entries(state.params)) if (v !== "") p.set(k, v);
      return "#" + p.toString();
    }
    const text = getText();
    return text.trim() ? "#" + new URLSearchParams({ query: text }).toString() : "";
  }

  let hashTimer = null;
  function updateHash() {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      state.lastHash = shareHash();
      history.replaceState(null, "", location.pathname + state.lastHash);
      PK.syncLangLink();
    }, 250);
  }

  function shareURL() {
    return location.origin + location.pathname + shareHash();
  }

  async function share() {
    const url = shareURL();
    state.lastHash = shareHash();
    history.replaceState(null, "", url);
    const out = $("share-output");
    let copied = false;
    try {
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(url); copied = true; }
    } catch (e) { copied = false; }
    clear(out);
    out.appendChild(document.createTextNode((copied ? t("query.share.done") + " · " : t("query.share.shown") + " ")));
    out.appendChild(el("a", { href: url, id: "share-link" }, [url]));
    out.hidden = false;
  }

  function fromLocation() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const search = new URLSearchParams(location.search);
    const query = hash.get("query") || search.get("query");
    const name = hash.get("run") || search.get("run");
    if (name) {
      const q = state.catalogue.find((x) => x.name === name);
      if (q) {
        const params = {};
        for (const [k, v] of hash.entries()) if (k !== "run") params[k] = v;
        for (const [k, v] of search.entries()) if (k !== "run" && !(k in params)) params[k] = v;
        loadCatalogue(q, params);
        return true;
      }
    }
    if (query) { setText(query); return true; }
    return false;
  }

  // ------------------------------------------------------------------ running
  async function run() {
    if (state.running) return;
    const text = getText();
    if (!text.trim()) return;
    state.running = true;
    const btn = $("run-button");
    btn.disabled = true;
    btn.textContent = t("query.running");
    PK.hideError();
    clearErrorMark();
    $("results-status").textContent = t("query.running");
    const t0 = performance.now();
    try {
      let result;
      const params = state.current && Object.keys(state.current.params || {}).length && boundToCatalogue();
      if (params) {
        const qs = new URLSearchParams(state.params).toString();
        const data = await PK.fetchJSON(config.endpoints.queries + "/" + encodeURIComponent(state.current.name) + ".json" + (qs ? "?" + qs : ""));
        if (data && data.ok === false) throw { message: data.error, position: PK.positionOf(data.position) };
        result = R.normalise(data);
      } else {
        result = await runSparql(text);
      }
      const ms = result.timeMs !== undefined && result.timeMs !== null ? Math.round(result.timeMs) : Math.round(performance.now() - t0);
      result.timeMs = ms;
      if (result.kind === "select") await PK.fetchLabels(R.iris(result));
      state.result = result;
      showResult(result);
    } catch (err) {
      state.result = null;
      $("results-status").textContent = "";
      clear($("results-body"));
      PK.showError(err);
      markError(err && err.position);
      setDownloads(false);
    } finally {
      state.running = false;
      btn.disabled = false;
      btn.textContent = t("query.run");
    }
  }

  async function runSparql(text) {
    let resp;
    try {
      resp = await fetch(config.endpoints.sparql, {
        method: "POST",
        headers: {
          Accept: "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8",
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ query: text }).toString(),
      });
    } catch (e) {
      throw { message: t("error.network") + "：" + e.message, position: null };
    }
    if (!resp.ok) throw await PK.readError(resp);
    const type = (resp.headers.get("Content-Type") || "").split(";")[0].trim();
    if (type.includes("json")) {
      const data = await resp.json();
      const result = R.normalise(data);
      // The endpoint states its own time and whether it cut the result at its row cap.
      const serverMs = resp.headers.get("X-Policykg-Time-Ms");
      if (serverMs) result.timeMs = Number(serverMs);
      if (resp.headers.get("X-Policykg-Truncated") === "true") result.truncated = true;
      return result;
    }
    const body = await resp.text();
    return { kind: "graph", vars: [], rows: [], text: body, mime: type };
  }

  function showResult(result) {
    const body = $("results-body");
    const status = $("results-status");
    clear(status);
    if (result.kind === "graph") {
      const n = result.text.split("\n").filter((l) => l.trim() && !l.startsWith("@prefix") && !l.startsWith("#")).length;
      status.appendChild(el("strong", null, [t("results.graph", { n })]));
      status.appendChild(document.createTextNode(" · " + t("results.time", { ms: result.timeMs })));
      clear(body).appendChild(el("pre", { class: "graph-text" }, [result.text]));
      setDownloads(false);
      return;
    }
    const count = result.kind === "ask" ? 1 : result.rows.length;
    status.appendChild(el("strong", { id: "row-count", "data-rows": String(count) }, [t("results.rows", { n: count })]));
    status.appendChild(document.createTextNode(" · "));
    status.appendChild(el("span", { id: "time-taken" }, [t("results.time", { ms: result.timeMs })]));
    R.renderTable(body, result);
    if (result.truncated) body.prepend(el("p", { class: "notice" }, [t("results.truncated", { n: result.rows.length })]));
    setDownloads(true);
  }

  /** On a narrow screen the results are below the gallery and the editor: bring them into view. */
  function revealResults() {
    if (window.matchMedia("(max-width: 960px)").matches) $("results-title").scrollIntoView({ block: "start" });
  }

  function setDownloads(on) {
    $("download-csv").disabled = !on;
    $("download-json").disabled = !on;
  }

  function fileBase() {
    const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    return "policykg-" + (boundToCatalogue() ? state.current.name : "query") + "-" + stamp;
  }

  // ------------------------------------------------------------------ start
  async function start() {
    if (!$("query-text")) return;
    editor = initEditor();
    $("run-button").addEventListener("click", () => run());
    $("share-button").addEventListener("click", () => share());
    $("new-button").addEventListener("click", () => {
      state.current = null;
      state.params = {};
      setText(NEW_QUERY);
      renderParams();
      $("loaded-query").hidden = true;
      for (const b of document.querySelectorAll(".q-card")) b.setAttribute("aria-pressed", "false");
      if (editor) editor.focus();
    });
    if (!editor) {
      $("query-text").addEventListener("keydown", (ev) => {
        if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); run(); }
      });
      $("query-text").addEventListener("input", onTextChanged);
    }
    $("download-csv").addEventListener("click", () => state.result &&
      PK.download(fileBase() + ".csv", "text/csv;charset=utf-8", R.toCSV(state.result)));
    $("download-json").addEventListener("click", () => state.result &&
      PK.download(fileBase() + ".json", "application/sparql-results+json", R.toJSON(state.result)));
    $("gallery-filter").addEventListener("input", renderGallery);
    // The editor has its text before the catalogue arrives: a plain query from the URL, or an example.
    const wanted = new URLSearchParams(location.hash.slice(1));
    const plain = wanted.get("query") || new URLSearchParams(location.search).get("query");
    setText(plain || NEW_QUERY);
    await loadGallery();
    const fromUrl = fromLocation();
    document.body.dataset.ready = "1";
    if (fromUrl) run().then(revealResults);
    // A link to another question on this page (e.g. from the coverage matrix via history) changes only the hash.
    window.addEventListener("hashchange", () => {
      if (location.hash === (state.lastHash || "")) return;
      if (fromLocation()) run();
    });
  }

  window.PK.query = { run, getText, setText, state, editor: () => editor };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
