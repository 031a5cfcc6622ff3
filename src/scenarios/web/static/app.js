// The pages' behaviour: fetch JSON from this server only, update the DOM with textContent
// (never innerHTML with data), and poll so every page follows the session without a reload.
// No inline scripts (the CSP forbids them): each page names itself in <body data-page>.
"use strict";

function pageData() { const el = document.getElementById("data"); return el ? JSON.parse(el.textContent) : {}; }
function $(id) { return document.getElementById(id); }
function setText(id, text) { const el = $(id); if (el) el.textContent = text; }

function show(message, isError) {
  const el = $("msg");
  el.textContent = message;
  el.className = isError ? "msg error" : "msg";
  el.setAttribute("role", isError ? "alert" : "status");
  el.hidden = !message;
}

async function api(method, url, body) {
  const opts = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const resp = await fetch(url, opts);
  const data = await resp.json().catch(() => ({ error: "bad response from the server" }));
  if (!resp.ok) { const e = new Error(data.error || ("HTTP " + resp.status)); e.status = resp.status; throw e; }
  return data;
}

// Poll the state; the server answers {unchanged: true} while the version is the one this page has.
function poll(url, onState, ms) {
  let version = null;
  async function tick() {
    try {
      const st = await api("GET", version === null ? url : url + "?since=" + version);
      if (!st.unchanged && st.version !== version) { version = st.version; onState(st); }
    } catch (e) { /* the server may be restarting: keep polling */ }
    setTimeout(tick, ms);
  }
  setTimeout(tick, ms);
}

function cell(row, text, tag) { const td = document.createElement(tag || "td"); td.textContent = text; row.appendChild(td); return td; }

function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "-";
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

// A series in its unit: shares (unit "%") are stored as fractions and shown as percentages.
function scaled(labels, name, values) { return labels[name].unit === "%" ? values.map(v => 100 * v) : values; }

// Charts are drawn here as SVG (no chart library: a phone's first load stays small and nothing is
// fetched from outside). A trace is a line ({name, y, dash}) or a band ({band: true, name, lo, hi}).
const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = ["#0b4f8a", "#8a4b00", "#5b2a86"];
function svgEl(tag, attrs, parent) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}
function niceStep(span) {
  const raw = span / 4, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
  return mag * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10);
}
function chart(container, id, title, years, traces, big) {
  let fig = $(id);
  if (!fig) { fig = document.createElement("figure"); fig.id = id; fig.className = "chart"; container.appendChild(fig); }
  fig.replaceChildren();
  const cap = document.createElement("figcaption"); cap.textContent = title; fig.appendChild(cap);
  const finite = v => typeof v === "number" && Number.isFinite(v);
  const values = traces.flatMap(t => t.band ? t.lo.concat(t.hi) : t.y).filter(finite);
  const lines = traces.filter(t => !t.band);
  const summary = lines.map(t => t.name + " " + fmt(t.y[t.y.length - 1])).join(", ");
  const W = 400, H = 190, m = { l: 50, r: 24, t: 8, b: 24 };
  const svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title + (years.length ? ", " + years[years.length - 1] + ": " + summary : ": no year played yet") }, fig);
  let lo = values.length ? Math.min(...values) : 0, hi = values.length ? Math.max(...values) : 1;
  if (hi - lo < 1e-9) { const pad = Math.abs(hi) * 0.1 || 1; lo -= pad; hi += pad; }
  const step = niceStep(hi - lo);
  lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
  const x = i => years.length < 2 ? (m.l + W - m.r) / 2 : m.l + (W - m.l - m.r) * i / (years.length - 1);
  const y = v => m.t + (H - m.t - m.b) * (1 - (v - lo) / (hi - lo));
  for (let v = lo; v <= hi + step / 2; v += step) {
    svgEl("line", { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), stroke: "#ddd" }, svg);
    svgEl("text", { x: m.l - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#333" }, svg).textContent = String(+v.toFixed(6));
  }
  years.forEach((yr, i) => { svgEl("text", { x: x(i), y: H - 6, "text-anchor": "middle", "font-size": 11, fill: "#333" }, svg).textContent = yr; });
  const legend = document.createElement("ul"); legend.className = "legend";
  let color = 0;
  for (const t of traces) {
    const li = document.createElement("li"); const sw = document.createElement("span"); sw.className = "swatch";
    if (t.band) {
      // one year: the band is a short bar around the point, so it shows
      const dx = years.length < 2 ? [-14, 14] : [0, 0];
      const pts = years.length < 2
        ? [[x(0) + dx[0], y(t.lo[0])], [x(0) + dx[1], y(t.lo[0])], [x(0) + dx[1], y(t.hi[0])], [x(0) + dx[0], y(t.hi[0])]].map(p => p.join(","))
        : t.lo.map((v, i) => x(i) + "," + y(v)).concat(t.hi.map((v, i) => x(i) + "," + y(v)).reverse());
      if (years.length) svgEl("polygon", { points: pts.join(" "), fill: "rgba(120,120,120,0.25)", stroke: "none" }, svg);
      sw.classList.add("band");
    } else {
      const c = COLORS[color++ % COLORS.length];
      const pts = t.y.map((v, i) => x(i) + "," + y(v)).join(" ");
      svgEl("polyline", { points: pts, fill: "none", stroke: c, "stroke-width": big ? 3 : 2, "stroke-dasharray": t.dash ? "5 4" : "none" }, svg);
      t.y.forEach((v, i) => svgEl("circle", { cx: x(i), cy: y(v), r: big ? 4 : 3, fill: c }, svg));
      sw.style.background = c; if (t.dash) sw.classList.add("dashed");
    }
    li.append(sw, document.createTextNode(t.name)); legend.appendChild(li);
  }
  fig.appendChild(legend);
}

// Played against baseline with the noise band (clipped to what the outcome can be), for the first n years.
function drawSession(st, d, n, big) {
  const box = $("charts");
  if (!box || !st.played || !st.baseline) return;
  n = n || st.years.length;
  const years = st.years.slice(0, n);
  for (const name of d.charts) {
    const lab = d.labels[name];
    const base = st.baseline.yearly[name].slice(0, n);
    const clip = v => Math.min(lab.max === null ? Infinity : lab.max, Math.max(lab.min, v));
    const traces = [];
    if (st.band) {
      const half = st.band[name].slice(0, n);
      traces.push({ band: true, name: "noise band", lo: scaled(d.labels, name, base.map((b, i) => clip(b - half[i]))), hi: scaled(d.labels, name, base.map((b, i) => clip(b + half[i]))) });
    }
    traces.push({ name: "this session", y: scaled(d.labels, name, st.played.yearly[name].slice(0, n)) });
    traces.push({ name: "baseline", y: scaled(d.labels, name, base), dash: true });
    chart(box, "chart-" + name, lab.label + " (" + lab.unit + ")", years, traces, big);
  }
}

function header(st) {
  setText("round", st.round);
  setText("open-round", st.open_round || "none");
  setText("open-year", st.open_year || "-");
  for (const el of document.querySelectorAll(".open-round")) el.textContent = st.open_round || "-";
  for (const el of document.querySelectorAll(".open-year")) el.textContent = st.open_year || "-";
}

// The countdown of the open round (the teacher starts, pauses and extends it), on the server's clock.
function mmss(seconds) { const a = Math.max(0, Math.round(seconds)); return Math.floor(a / 60) + ":" + String(a % 60).padStart(2, "0"); }
function clockText(st) {
  if (st.finished) return { text: "over", late: false };
  if (st.running) return { text: "simulating", late: false };
  const c = st.clock || {};
  if (c.paused_left !== null && c.paused_left !== undefined) return { text: "paused at " + mmss(c.paused_left), late: false };
  if (c.deadline === null || c.deadline === undefined) return { text: "not started", late: false };
  const left = c.deadline - (Date.now() / 1000 - st.clock_offset);
  if (left < 0) return { text: "time is up" + (c.lock_at_zero ? ": submissions closed" : ""), late: true };
  return { text: mmss(left), late: left < 60 };
}
// Starts the countdown; returns its paint function, which a page calls after every new state.
function countdown(getState) {
  function paint() {
    const st = getState();
    if (!st) return;
    const c = clockText(st);
    for (const el of document.querySelectorAll("#countdown, #clock-left")) { el.textContent = c.text; el.className = c.late ? "late" : ""; }
  }
  function tick() { paint(); setTimeout(tick, 1000); }
  tick();
  return paint;
}
function withClock(st) { st.clock_offset = Date.now() / 1000 - st.server_time; return st; }

function injectWords(i) { return i.words; }

// Each team's state this round; ``joinedToo``: say also whether it has joined (the projector's badges).
function submittedCells(st, selector, joinedToo) {
  for (const t of st.teams) {
    const el = document.querySelector(selector(t.state));
    if (!el) continue;
    if (st.finished) el.textContent = "finished";
    else if (t.submitted) el.textContent = "submitted";
    else el.textContent = joinedToo ? (t.joined ? "joined, not submitted" : "not joined") : "waiting";
  }
}

// ---------------------------------------------------------------- teacher's console
function initConsole() {
  const d = pageData();
  const base = "/api/session/" + d.sid;
  let current = withClock(d.state), paintClock = null;
  function render(st) {
    current = withClock(st);
    if (paintClock) paintClock();
    header(st);
    submittedCells(st, s => '#teams tr[data-state="' + s + '"] .submitted');
    for (const t of st.teams) {
      const el = document.querySelector('#teams tr[data-state="' + t.state + '"] .joined');
      if (el) el.textContent = t.joined ? "joined" : "not joined";
    }
    const pending = $("pending"); pending.replaceChildren();
    for (const i of st.pending_injects) {
      const li = document.createElement("li"); li.textContent = i.words + " ";
      const b = document.createElement("button"); b.type = "button"; b.className = "small"; b.textContent = "Cancel";
      b.setAttribute("aria-label", "Cancel " + i.words);
      b.addEventListener("click", () => act("POST", base + "/inject/" + i.id + "/cancel", undefined, "inject cancelled"));
      li.appendChild(b); pending.appendChild(li);
    }
    if (!st.pending_injects.length) { const li = document.createElement("li"); li.textContent = "none"; pending.appendChild(li); }
    $("advance").disabled = st.finished || st.running !== null;
    $("undo").disabled = st.round === 0 || st.running !== null;
    $("lock-at-zero").checked = st.clock.lock_at_zero;
    drawSession(st, d);
  }
  async function act(method, url, body, done) {
    try { const r = await api(method, url, body); if (r.state) render(r.state); show(done); return r; }
    catch (e) { show(e.message, true); return null; }
  }
  render(d.state);
  paintClock = countdown(() => current);
  poll(base + "/state", render, 2000);
  $("advance").addEventListener("click", async () => {
    $("advance").disabled = true; show("simulating the year: submissions for it are closed");
    const r = await act("POST", base + "/advance", { round: current.open_round }, "round " + current.open_round + " simulated");
    if (!r) $("advance").disabled = current.finished;
  });
  $("undo").addEventListener("click", () => {
    if (window.confirm("Take back round " + current.round + "? Its results are deleted and it opens again with the teams' submissions.")) act("POST", base + "/undo", { round: current.round }, "round " + current.round + " taken back: it is open again");
  });
  for (const b of document.querySelectorAll("button.clock")) {
    b.addEventListener("click", () => act("POST", base + "/clock", { action: b.dataset.action, minutes: parseFloat(b.dataset.minutes || "0") }, "clock: " + b.textContent));
  }
  $("lock-at-zero").addEventListener("change", (ev) => act("POST", base + "/clock", { action: ev.target.checked ? "lock" : "unlock" }, ev.target.checked ? "submissions close when time is up" : "submissions stay open after time is up"));
  for (const b of document.querySelectorAll("button.team-action")) {
    b.addEventListener("click", async () => {
      const r = await act("POST", base + "/team/" + b.dataset.state, { action: b.dataset.action }, b.getAttribute("aria-label") + ": done");
      if (r && r.code) { const el = document.querySelector('#codes li[data-state="' + b.dataset.state + '"] .join-code'); if (el) el.textContent = r.code; show("new code for " + b.dataset.state + ": " + r.code + " (reload the page for its QR code)"); }
    });
  }
  $("log-box").addEventListener("toggle", async () => {
    if (!$("log-box").open) return;
    const body = document.querySelector("#log tbody"); body.replaceChildren();
    try {
      const r = await api("GET", base + "/log");
      for (const e of r.log) {
        const row = document.createElement("tr");
        cell(row, new Date(e.at * 1000).toLocaleTimeString()); cell(row, e.state); cell(row, e.round); cell(row, e.device || "-"); cell(row, e.client || "-");
        cell(row, e.status === 200 ? "saved" : e.status + ": " + e.note);
        body.appendChild(row);
      }
    } catch (e) { show(e.message, true); }
  });
  $("inject-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { kind: $("inject-kind").value };
    const region = $("inject-region").value; if (region) body.region = region;
    const segment = $("inject-segment").value; if (segment) body.segment = segment;
    act("POST", base + "/inject", body, "event scheduled for the next round");
  });
}

// ---------------------------------------------------------------- projector
function initProjector() {
  const d = pageData();
  let current = withClock(d.state), paintClock = null;
  function render(st) {
    current = withClock(st);
    if (paintClock) paintClock();
    header(st);
    submittedCells(st, s => '#submitted li[data-state="' + s + '"] .submitted', true);
    const banner = $("banner");
    const events = st.last_injects.map(injectWords);
    banner.textContent = events.length ? "Events in " + st.years[st.years.length - 1] + ": " + events.join("; ") : "";
    banner.hidden = !events.length;
    setText("round-line", st.finished ? "All " + st.rounds + " rounds played" : "Round " + st.open_round + " of " + st.rounds + ", year " + st.open_year);
    $("join-panel").hidden = st.round > 0;
    drawSession(st, d, 0, true);
  }
  render(d.state);
  paintClock = countdown(() => current);
  poll("/api/session/" + d.sid + "/state", render, 2000);
}

// ---------------------------------------------------------------- team page
function initTeam() {
  const d = pageData();
  const url = "/api/team/" + encodeURIComponent(d.code);
  const levers = Array.from(document.querySelectorAll(".lever"));
  let formRound = null, touched = false, current = withClock(d.state), readOnly = d.read_only, paintClock = null;

  function feedback(message, isError) {
    const el = $("feedback");
    el.textContent = message;
    el.className = isError ? "feedback error" : "feedback ok";
    el.setAttribute("role", isError ? "alert" : "status");
  }
  function usdOf(div) { return Math.max(0, parseFloat(div.querySelector(".usd").value) || 0); }
  function total() { return levers.reduce((s, div) => s + usdOf(div), 0); }
  // Each slider reaches at most the lever's maximum and what the budget leaves beside the other levers.
  function bound() {
    const t = total();
    for (const div of levers) {
      const cap = Math.max(0, Math.min(parseFloat(div.dataset.max), d.budget - (t - usdOf(div))));
      const range = div.querySelector(".amount"), num = div.querySelector(".usd");
      range.max = Math.max(cap, usdOf(div)); num.max = range.max;
    }
  }
  function setUsd(div, usd, from) {
    const range = div.querySelector(".amount"), num = div.querySelector(".usd");
    if (from !== range) range.value = usd;
    if (from !== num) num.value = +usd.toFixed(2);
    const buys = div.querySelector(".buys");
    if (buys) buys.textContent = fmt(usd / parseFloat(div.dataset.cost));
  }
  function updateTotal() {
    const left = d.budget - total();
    setText("left", left >= -1e-9 ? fmt(left) : "over by " + fmt(-left));
    $("left").className = left < -1e-9 ? "over" : "";
    bound();
  }
  for (const div of levers) {
    for (const input of div.querySelectorAll("input")) {
      input.addEventListener("input", () => {
        touched = true;
        let usd = Math.max(0, parseFloat(input.value) || 0);
        const room = Math.min(parseFloat(div.dataset.max), d.budget - (total() - usdOf(div)));
        if (input.type === "range") usd = Math.min(usd, Math.max(0, room));
        setUsd(div, usd, input);
        updateTotal();
        feedback("not sent yet: press Submit", false);
      });
    }
  }
  function fillFrom(allocation) {
    for (const div of levers) setUsd(div, allocation[div.dataset.lever] || 0);
    updateTotal();
  }
  function renderYear(y) {
    const box = $("this-year");
    box.hidden = !y;
    if (!y) return;
    setText("year", y.year);
    const ev = $("events"); ev.replaceChildren();
    for (const e of (y.events.length ? y.events : ["no event was injected this year"])) { const li = document.createElement("li"); li.textContent = e; ev.appendChild(li); }
    setText("spending", fmt(y.spending_total) + " USD M, from " + y.spending_source + ".");
    const sl = $("spending-list"); sl.replaceChildren();
    for (const s of y.spending) { if (s.musd > 0) { const li = document.createElement("li"); li.textContent = s.label + ": " + fmt(s.musd) + " USD M" + (s.amount ? " (" + s.amount + ")" : ""); sl.appendChild(li); } }
    $("own-effect-box").hidden = !y.own_effect;
    if (y.own_effect) setText("own-effect", y.own_effect);
    const list = $("changes"); list.replaceChildren();
    for (const r of y.rows) {
      const li = document.createElement("li");
      const name = document.createElement("strong"); name.textContent = r.label + ": ";
      const value = document.createElement("span"); value.className = "value"; value.textContent = r.value;
      const since = document.createElement("span"); since.textContent = "Since last year: " + r.since_last_year + ".";
      const vs = document.createElement("span");
      vs.textContent = "Against the baseline: " + r.vs_baseline.words + " (noise band ±" + r.noise + ").";
      if (r.vs_baseline.within_noise) vs.className = "noise";
      li.append(name, value, document.createElement("br"), since, document.createElement("br"), vs);
      list.appendChild(li);
    }
  }
  function render(st) {
    current = withClock(st);
    if (paintClock) paintClock();
    if (st.read_only !== undefined) readOnly = st.read_only;
    header(st);
    setText("round-line", st.finished ? "All " + st.rounds + " rounds played" : "Round " + st.open_round + " of " + st.rounds + ", year " + st.open_year);
    let status;
    if (st.finished) status = "The exercise is over: see the debrief.";
    else if (st.running) status = "Round " + st.running + " is being simulated: submissions for it are closed.";
    else if (readOnly) status = "Read-only on this device.";
    else status = st.my_submitted ? "Submitted; you may change it until the teacher runs the round." : "Open: choose and submit.";
    setText("status", status);
    $("submit").disabled = st.finished || readOnly || st.running !== null;
    if (st.open_round !== formRound) {
      const ran = formRound !== null;
      formRound = st.open_round; touched = false;
      if (ran || (st.round > 0 && !st.my_submitted)) {
        $("briefing-box").open = false;  // what happened matters more now
        if (st.this_year) { renderYear(st.this_year); $("this-year").scrollIntoView({ block: "start" }); $("this-year").focus({ preventScroll: true }); }
        if (ran) feedback(st.open_round ? "Round " + (st.open_round - 1) + " has run: read what happened above, then choose for round " + st.open_round + "." : "The last round has run.", false);
      }
    }
    if (!touched && st.my_allocation) fillFrom(st.my_allocation);
    renderYear(st.this_year);
    if ($("proposals")) renderDeals(st);
    drawSession(st, d);
    if (st.finished) {
      let a = $("debrief-link");
      if (!a) { a = document.createElement("a"); a.id = "debrief-link"; a.textContent = "Open the debrief"; $("status").after(" ", a); }
      a.href = "/debrief/" + st.session + "?code=" + encodeURIComponent(d.code);
    }
  }
  // deals: the condition's levers are the chosen team's; each proposal with the buttons its team may press
  function askLevers() {
    const sel = $("deal-ask-lever"), keep = sel.value;
    sel.replaceChildren(new Option("(no condition: a gift)", ""));
    for (const name of d.team_levers[$("deal-to").value] || []) sel.appendChild(new Option(d.levers[name].label, name));
    sel.value = keep && Array.from(sel.options).some(o => o.value === keep) ? keep : "";
  }
  function dealFeedback(message, isError) { const el = $("deal-feedback"); el.textContent = message; el.className = isError ? "feedback error" : "feedback ok"; }
  async function decide(p, action) {
    try { const r = await api("POST", url + "/proposal/" + p.id, { action }); touched = false; render(r.state); dealFeedback("proposal " + p.id + ": " + action + (action === "accept" ? "ed: your allocation changed" : "ed"), false); }
    catch (e) { dealFeedback(e.message, true); }
  }
  function renderDeals(st) {
    const list = $("proposals"); list.replaceChildren();
    for (const p of st.proposals || []) {
      const li = document.createElement("li"); li.dataset.id = p.id; li.dataset.status = p.status;
      li.textContent = "#" + p.id + " (round " + p.round + "): " + p.words + ": " + p.status + " ";
      const buttons = p.status !== "pending" || readOnly ? [] : (p.to_state === d.state_name ? ["accept", "reject"] : ["withdraw"]);
      for (const action of buttons) {
        const b = document.createElement("button"); b.type = "button"; b.className = "small " + action; b.textContent = action[0].toUpperCase() + action.slice(1);
        b.setAttribute("aria-label", b.textContent + " proposal " + p.id);
        b.addEventListener("click", () => decide(p, action)); li.appendChild(b);
      }
      list.appendChild(li);
    }
    if (!list.children.length) { const li = document.createElement("li"); li.textContent = "none yet"; list.appendChild(li); }
    $("propose").disabled = st.finished || readOnly || st.running !== null;
  }
  $("deal-to").addEventListener("change", askLevers);
  askLevers();
  $("propose-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { to: $("deal-to").value, give_lever: $("deal-give-lever").value, give_musd: parseFloat($("deal-give").value) };
    if ($("deal-ask-lever").value) { body.ask_lever = $("deal-ask-lever").value; body.ask_musd = parseFloat($("deal-ask").value); }
    try { const r = await api("POST", url + "/propose", body); render(r.state); dealFeedback("proposal " + r.id + " sent: waiting for the other team", false); }
    catch (e) { dealFeedback(e.message, true); }
  });

  render(d.state);
  paintClock = countdown(() => current);
  poll(url + "/state", render, 2000);
  $("alloc-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const allocation = {};
    for (const div of levers) allocation[div.dataset.lever] = Math.round(usdOf(div) * 1e6) / 1e6;
    const btn = $("submit"); btn.disabled = true; feedback("sending...", false);
    try {
      const r = await api("POST", url + "/submit", { round: formRound, allocation });
      touched = false; render(r.state);
      const used = Object.entries(r.saved).filter(([, v]) => v > 0).length;
      feedback("Saved for round " + r.round + ": " + fmt(r.total_musd) + " USD M on " + used + " lever(s). The round uses exactly this unless you change it before the teacher runs it.", false);
    } catch (e) { feedback(e.message, true); }
    btn.disabled = current.finished || readOnly || current.running !== null;
  });
}

// ---------------------------------------------------------------- debrief
function initDebrief() {
  const d = pageData();
  const replay = $("replay");
  function draw() {
    const k = parseInt(replay.value, 10);
    setText("replay-out", k);
    drawSession(d.state, d, k);
    for (const el of document.querySelectorAll(".alloc-table [data-round]")) el.classList.toggle("current", parseInt(el.dataset.round, 10) === k);
    setText("replay-note", "Years " + d.state.years[0] + " to " + d.state.years[k - 1] + "; the allocations of round " + k + " are highlighted in the tables above.");
  }
  replay.addEventListener("input", draw);
  draw();
  const why = $("why");
  if (why && (why.dataset.state === "running" || why.dataset.state === "waiting")) {
    // swap the section in when it is ready, without reloading (the replay and scroll stay as they are)
    const code = new URLSearchParams(location.search).get("code");
    const query = code ? "?code=" + encodeURIComponent(code) : "";
    const poll = async () => {
      try {
        const r = await api("GET", "/api/session/" + d.state.session + "/why" + query);
        if (r.status.state === "ready" || r.status.state === "failed") {
          const resp = await fetch("/debrief/" + d.state.session + "/why" + query, { credentials: "same-origin" });
          const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
          const fresh = doc.getElementById("why");
          if (resp.ok && fresh) { $("why").replaceWith(document.adoptNode(fresh)); return; }
        }
      } catch (e) { /* the next poll tries again */ }
      setTimeout(poll, 3000);
    };
    setTimeout(poll, 3000);
  }
}

// ---------------------------------------------------------------- explorer
function initExplore() {
  const d = pageData();
  const scenarios = JSON.parse($("scenarios").textContent);
  const select = $("scenario");
  const changed = new Set();
  function sliders() {
    const box = $("sliders");
    box.replaceChildren();
    changed.clear();
    const scen = scenarios[select.value];
    for (const state of Object.keys(scen)) {
      const fs = document.createElement("fieldset");
      const lg = document.createElement("legend"); lg.textContent = state; fs.appendChild(lg);
      for (const [name, start] of Object.entries(scen[state])) {
        const lv = d.levers[name];
        const id = "x-" + state + "-" + name;
        const lab = document.createElement("label"); lab.htmlFor = id;
        lab.textContent = lv.label + " (" + lv.unit + ")";
        const out = document.createElement("output"); out.htmlFor = id;
        out.textContent = " " + fmt(start.value) + (start.schedule ? " (yearly schedule as written)" : " (as written)");
        const input = document.createElement("input");
        Object.assign(input, { type: "range", id, min: 0, max: lv.max, step: "any", value: start.value });
        input.dataset.state = state; input.dataset.lever = name;
        input.addEventListener("input", () => { changed.add(id); out.textContent = " " + fmt(parseFloat(input.value)) + " (changed: held for the whole run)"; });
        const div = document.createElement("div"); div.className = "slider";
        div.append(lab, input, out);
        fs.appendChild(div);
      }
      box.appendChild(fs);
    }
  }
  select.addEventListener("change", sliders);
  $("reset").addEventListener("click", sliders);
  sliders();
  function showResult(r) {
    const box = $("charts");
    for (const name of d.charts) {
      chart(box, "chart-" + name, d.labels[name].label + " (" + d.labels[name].unit + ")", r.years, [
        { name: changed.size ? "your levers" : "run (as written)", y: scaled(d.labels, name, r.explored.yearly[name]) },
        { name: "scenario as written", y: scaled(d.labels, name, r.baseline.yearly[name]), dash: true }]);
    }
    const body = document.querySelector("#regions tbody");
    body.replaceChildren();
    for (const region of Object.keys(r.explored.regions)) {
      const e = r.explored.regions[region], b = r.baseline.regions[region];
      const row = document.createElement("tr");
      cell(row, region, "th").scope = "row";
      for (const o of d.regions_table) {
        const k = o.name, f = o.unit === "%" ? 100 : 1;
        cell(row, fmt(f * e[k][e[k].length - 1])); cell(row, fmt(f * b[k][b[k].length - 1]));
      }
      body.appendChild(row);
    }
  }
  $("run").addEventListener("click", async () => {
    const levers = {};
    for (const i of document.querySelectorAll("#sliders input")) {
      if (changed.has(i.id)) (levers[i.dataset.state] = levers[i.dataset.state] || {})[i.dataset.lever] = parseFloat(i.value);
    }
    const btn = $("run"); btn.disabled = true;
    try {
      const { job } = await api("POST", "/api/explore/run", { scenario: select.value, levers });
      for (;;) {
        const s = await api("GET", "/api/explore/job/" + job);
        $("progress").value = s.progress;
        setText("running", s.status === "queued" ? "waiting: " + s.ahead + " run(s) ahead" : s.status === "running" ? "running: " + Math.round(100 * s.progress) + " %" : s.status);
        if (s.status === "done") { showResult(s.result); show("done"); break; }
        if (s.status === "error") throw new Error(s.error);
        await new Promise(res => setTimeout(res, 500));
      }
    } catch (e) { show(e.message, true); setText("running", ""); }
    btn.disabled = false;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const init = { console: initConsole, projector: initProjector, team: initTeam, debrief: initDebrief, explore: initExplore }[document.body.dataset.page];
  if (init) init();
});
