// The pages' behaviour: fetch JSON from this server only, update the DOM with textContent
// (never innerHTML with data), and poll so every page follows the session without a reload.
"use strict";

function init() { return JSON.parse(document.getElementById("init").textContent); }

function show(message, isError) {
  const el = document.getElementById("msg");
  el.textContent = message;
  el.className = isError ? "msg error" : "msg";
  el.hidden = !message;
}

async function api(method, url, body) {
  const opts = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const resp = await fetch(url, opts);
  const data = await resp.json().catch(() => ({ error: "bad response from the server" }));
  if (!resp.ok) throw new Error(data.error || ("HTTP " + resp.status));
  return data;
}

function poll(url, onState, ms) {
  let version = null;
  async function tick() {
    try {
      const st = await api("GET", url);
      if (st.version !== version) { version = st.version; onState(st); }
    } catch (e) { /* the server may be restarting: keep polling */ }
    setTimeout(tick, ms);
  }
  setTimeout(tick, ms);
}

function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }

function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "-";
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.01) return x.toFixed(3);
  return x.toExponential(2);
}

function chart(container, id, title, years, traces) {
  let el = document.getElementById(id);
  if (!el) { el = document.createElement("div"); el.id = id; el.className = "chart"; container.appendChild(el); }
  if (typeof Plotly === "undefined") { el.textContent = title; return; }
  Plotly.react(el, traces.map(t => ({ x: years, y: t.y, name: t.name, mode: "lines+markers", line: { dash: t.dash || "solid" } })),
    { title: { text: title, font: { size: 12 } }, margin: { l: 45, r: 10, t: 30, b: 30 }, legend: { orientation: "h", font: { size: 10 } },
      xaxis: { tickformat: "d", dtick: 1 } },
    { displayModeBar: false, staticPlot: false });
}

const MAIN = ["stability_index", "casualties", "seizures_t", "unrest_active_share", "legitimacy", "china_influence_share"];

function drawSession(st, labels) {
  const box = document.getElementById("charts");
  if (!st.played || !st.baseline) return;
  for (const name of MAIN) {
    const n = st.years.length;
    chart(box, "chart-" + name, labels[name].label + " (" + labels[name].unit + ")", st.years, [
      { name: "played", y: st.played.yearly[name].slice(0, n) },
      { name: "baseline", y: st.baseline.yearly[name].slice(0, n), dash: "dot" },
    ]);
  }
}

function header(st) {
  document.getElementById("round").textContent = st.round;
  document.getElementById("open-round").textContent = st.open_round || "none";
  document.getElementById("open-year").textContent = st.open_year || "-";
}

// ---------------------------------------------------------------- teacher's console
function initConsole() {
  const cfg = init();
  const url = "/api/session/" + cfg.sid + "/state";
  function render(st) {
    header(st);
    for (const t of st.teams) {
      const row = document.querySelector('#teams tr[data-state="' + t.state + '"] .submitted');
      if (row) row.textContent = st.finished ? "finished" : (t.submitted ? "submitted" : "waiting");
    }
    document.getElementById("pending").textContent = st.pending_injects.map(i => i.kind + (i.region ? " in " + i.region : "") + (i.segment ? " on " + i.segment : "")).join(", ") || "none";
    document.getElementById("advance").disabled = st.finished;
    drawSession(st, cfg.labels);
  }
  render(cfg.state);
  poll(url, render, 2000);
  document.getElementById("advance").addEventListener("click", async () => {
    const btn = document.getElementById("advance");
    btn.disabled = true; show("simulating the year...");
    try { const r = await api("POST", "/api/session/" + cfg.sid + "/advance"); render(r.state); show("round " + r.state.round + " simulated"); }
    catch (e) { show(e.message, true); }
    btn.disabled = false;
  });
  document.getElementById("inject-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { kind: document.getElementById("inject-kind").value };
    const region = document.getElementById("inject-region").value; if (region) body.region = region;
    const segment = document.getElementById("inject-segment").value; if (segment) body.segment = segment;
    try { const r = await api("POST", "/api/session/" + cfg.sid + "/inject", body); render(r.state); show("event scheduled for the next round"); }
    catch (e) { show(e.message, true); }
  });
}

// ---------------------------------------------------------------- team page
const WORLD = ["stability_index", "attacks", "casualties", "seizures_t", "unrest_active_share", "legitimacy", "china_influence_share"];

function initTeam() {
  const cfg = init();
  const inputs = Array.from(document.querySelectorAll("input.alloc"));
  function total() { return inputs.reduce((s, i) => s + (parseFloat(i.value) || 0), 0); }
  function updateTotal() {
    const t = total();
    const el = document.getElementById("total");
    el.textContent = t.toFixed(1);
    el.style.color = t > cfg.budget + 1e-9 ? "#b00" : "";
  }
  inputs.forEach(i => i.addEventListener("input", updateTotal));
  function render(st) {
    header(st);
    const me = st.teams.find(t => t.state === cfg.state_name);
    document.getElementById("status").textContent = st.finished ? "the exercise is over: see the debrief" : (me && me.submitted ? "submitted; waiting for the teacher" : "open: allocate and submit");
    document.getElementById("submit").disabled = st.finished;
    const start = st.my_last_allocation || cfg.plan;
    if (start && !document.body.dataset.touched) {
      for (const i of inputs) i.value = start[i.name] || 0;
      updateTotal();
    }
    for (const [table, names] of [["#world tbody", WORLD], ["#mine tbody", cfg.goals]]) {
      const body = document.querySelector(table);
      body.replaceChildren();
      for (const name of names) {
        const row = document.createElement("tr");
        cell(row, cfg.labels[name] ? cfg.labels[name].label : name);
        const n = st.years.length;
        cell(row, st.played ? fmt(st.played.yearly[name][n - 1]) : "-");
        cell(row, st.baseline && n ? fmt(st.baseline.yearly[name][n - 1]) : "-");
        body.appendChild(row);
      }
    }
    drawSession(st, cfg.labels);
    if (st.finished) {
      let a = document.getElementById("debrief-link");
      if (!a) { a = document.createElement("a"); a.id = "debrief-link"; a.textContent = "Open the debrief"; document.getElementById("status").after(" ", a); }
      a.href = "/debrief/" + st.session + "?code=" + encodeURIComponent(cfg.code);
    }
  }
  render(cfg.state);
  poll("/api/team/" + encodeURIComponent(cfg.code) + "/state", render, 2000);
  document.getElementById("alloc-form").addEventListener("input", () => { document.body.dataset.touched = "1"; });
  document.getElementById("alloc-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const allocation = {};
    for (const i of inputs) allocation[i.name] = parseFloat(i.value) || 0;
    const st = await api("GET", "/api/team/" + encodeURIComponent(cfg.code) + "/state").catch(() => null);
    const round = st ? st.open_round : cfg.state.open_round;
    try { const r = await api("POST", "/api/team/" + encodeURIComponent(cfg.code) + "/submit", { round, allocation }); render(r.state); show("submitted for round " + round); }
    catch (e) { show(e.message, true); }
  });
  updateTotal();
}

// ---------------------------------------------------------------- debrief
function initDebrief() {
  const cfg = init();
  drawSession(cfg.state, cfg.labels);
}

// ---------------------------------------------------------------- explorer
function initExplore() {
  const cfg = init();
  const select = document.getElementById("scenario");
  function sliders() {
    const box = document.getElementById("sliders");
    box.replaceChildren();
    const scen = cfg.scenarios[select.value];
    for (const state of Object.keys(scen)) {
      const fs = document.createElement("fieldset");
      const lg = document.createElement("legend"); lg.textContent = state; fs.appendChild(lg);
      for (const [name, value] of Object.entries(scen[state])) {
        const lv = cfg.levers[name];
        const lab = document.createElement("label");
        const out = document.createElement("span"); out.textContent = " " + fmt(value);
        const input = document.createElement("input");
        Object.assign(input, { type: "range", min: lv.min, max: lv.max, step: (lv.max - lv.min) / 100, value });
        input.dataset.state = state; input.dataset.lever = name; input.setAttribute("aria-label", state + " " + name);
        input.addEventListener("input", () => { out.textContent = " " + fmt(parseFloat(input.value)); });
        lab.append(name + " (" + lv.unit + ")", document.createElement("br"), input, out);
        fs.appendChild(lab);
      }
      box.appendChild(fs);
    }
  }
  select.addEventListener("change", sliders);
  sliders();
  document.getElementById("run").addEventListener("click", async () => {
    const levers = {};
    for (const i of document.querySelectorAll("#sliders input")) {
      (levers[i.dataset.state] = levers[i.dataset.state] || {})[i.dataset.lever] = parseFloat(i.value);
    }
    document.getElementById("running").hidden = false;
    try {
      const r = await api("POST", "/api/explore/run", { scenario: select.value, levers });
      const box = document.getElementById("charts");
      for (const name of MAIN) {
        chart(box, "chart-" + name, cfg.labels[name].label + " (" + cfg.labels[name].unit + ")", r.years, [
          { name: "your levers", y: r.explored.yearly[name] }, { name: "scenario as written", y: r.baseline.yearly[name], dash: "dot" }]);
      }
      const body = document.querySelector("#regions tbody");
      body.replaceChildren();
      for (const region of Object.keys(r.explored.regions)) {
        const e = r.explored.regions[region], b = r.baseline.regions[region];
        const row = document.createElement("tr");
        cell(row, region);
        for (const k of ["stability_index", "seizures_t", "unrest_active_share"]) { cell(row, fmt(e[k][e[k].length - 1])); cell(row, fmt(b[k][b[k].length - 1])); }
        body.appendChild(row);
      }
      show("done");
    } catch (e) { show(e.message, true); }
    document.getElementById("running").hidden = true;
  });
}
