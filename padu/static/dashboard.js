// Padu's reference dashboard: plain JavaScript over the public GraphQL API, no build step.
// Numbers come from `dashboard` queries; `dashboardCounters` and `serviceRequestChanged`
// subscriptions (graphql-transport-ws) keep them live.

const LEVELS = "total backlog overdue resolved rejected resolvedOnTime slaCompliance averageResolutionHours p90ResolutionHours";
// Two requests, each within the default query cost ([limits] max_cost): every figure is a
// table scan and costs 1,000, so one request may ask for at most nine of them.
const DASHBOARD = [`query Requests($f: DashboardFilter) {
  region { name districts { code name } }
  dashboard(filter: $f) {
    serviceLevels { ${LEVELS} }
    byStatus: serviceLevelsBy(dimension: STATUS) { key label levels { total } }
    byMonth: serviceLevelsBy(dimension: MONTH) { key label levels { total resolved } }
    byDistrict: serviceLevelsBy(dimension: DISTRICT) { key label levels { total backlog overdue } }
    byCategory: serviceLevelsBy(dimension: CATEGORY) { key label levels { resolved slaCompliance } }
    byUnit: serviceLevelsBy(dimension: UNIT) { key label levels { backlog overdue } }
    topResolvers(first: 8) { resolved officer { position unit { name } } }
  }
}`, `query People($f: DashboardFilter, $year: Int!) {
  dashboard(filter: $f) {
    performance(year: $year) { period rated suppressed predicates { predicate label officers } }
    learningCompliance(year: $year) { unit { name } officers compliant rate }
    ageBands: residentsBy(dimension: AGE_BAND) { key residents }
    genders: residentsBy(dimension: GENDER) { label residents }
  }
}`];
const COUNTERS = `subscription Counters($f: DashboardFilter) { dashboardCounters(filter: $f) { ${LEVELS} } }`;
const CHANGES = `subscription Changes($f: ServiceRequestChangeFilter) {
  serviceRequestChanged(filter: $f) { kind at status previousStatus request { ticketNumber categoryName district { name } } }
}`;
const REFRESH_AFTER_CHANGE_MS = 400;
const MAX_CHANGES = 12;

const $ = (selector) => document.querySelector(selector);
const number = new Intl.NumberFormat("en");
const percent = (x) => (x == null ? "–" : `${(x * 100).toFixed(1)}%`);
const hours = (x) => (x == null ? "–" : x < 48 ? `${x.toFixed(1)} h` : `${(x / 24).toFixed(1)} d`);
const FORMAT = { slaCompliance: percent, averageResolutionHours: hours, p90ResolutionHours: hours };

// --- who we are -------------------------------------------------------------------------
function token() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) {
    sessionStorage.setItem("padu-token", fromHash);
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem("padu-token") || $('meta[name="padu-dev-token"]')?.content || "";
}

function askForToken(reason) {
  $("#signin").hidden = false;
  $("#signin-reason").textContent = reason;
}

$("#signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("padu-token", new FormData(event.target).get("token").trim());
  location.reload();
});

function showError(message) {
  const box = $("#error");
  box.hidden = !message;
  box.textContent = message || "";
}

// --- GraphQL over HTTP --------------------------------------------------------------------
async function query(text, variables) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query: text, variables }) });
  const body = await response.json();
  const errors = body.errors || [];
  const refused = errors.find((e) => ["UNAUTHENTICATED", "FORBIDDEN"].includes(e.extensions?.code));
  if (response.status === 401 || (refused && !body.data?.dashboard)) {
    askForToken((refused || errors[0])?.message || "This page needs a token.");
  }
  if (!body.data) throw new Error(errors[0]?.message || `HTTP ${response.status}`);
  showError(errors.filter((e) => e.extensions?.code !== "FORBIDDEN").map((e) => e.message).join(" · "));
  return body.data;
}

// --- GraphQL over WebSocket (graphql-transport-ws) -----------------------------------------
class Live {
  constructor(onState) {
    this.onState = onState;
    this.subscriptions = new Map(); // id → {payload, next}
    this.ids = 0;
    this.backoff = 500;
    this.connect();
  }

  connect() {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    this.socket = new WebSocket(url, "graphql-transport-ws");
    this.acked = false;
    this.socket.onopen = () => {
      const payload = token() ? { Authorization: `Bearer ${token()}` } : {};
      this.socket.send(JSON.stringify({ type: "connection_init", payload }));
    };
    this.socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    this.socket.onclose = (event) => {
      this.acked = false;
      this.onState("down", event.reason || "disconnected");
      if (event.code === 4403) {
        askForToken(event.reason);
        return;
      }
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 10000);
    };
  }

  receive(message) {
    if (message.type === "connection_ack") {
      this.acked = true;
      this.backoff = 500;
      this.onState("live");
      for (const [id, subscription] of this.subscriptions) this.send(id, subscription.payload);
    } else if (message.type === "ping") {
      this.socket.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "next") {
      this.subscriptions.get(message.id)?.next(message.payload);
    } else if (message.type === "error") {
      showError(message.payload.map((e) => e.message).join(" · "));
    }
  }

  send(id, payload) {
    this.socket.send(JSON.stringify({ id, type: "subscribe", payload }));
  }

  subscribe(text, variables, next) {
    const id = String(++this.ids);
    const payload = { query: text, variables };
    this.subscriptions.set(id, { payload, next });
    if (this.acked) this.send(id, payload);
    return id;
  }

  unsubscribe(id) {
    this.subscriptions.delete(id);
    if (this.acked) this.socket.send(JSON.stringify({ id, type: "complete" }));
  }
}

// --- charts (HTML bars: no library) ---------------------------------------------------------
function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function bar(share, className = "", title = "") {
  const node = element("div", `bar ${className}`);
  node.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  node.title = title;
  return node;
}

// rows: [{name, parts: [{value, className, title}], shown}], scaled to the largest total.
function bars(target, rows, { scale } = {}) {
  const box = $(target);
  box.replaceChildren();
  const largest = scale ?? Math.max(1, ...rows.map((r) => r.parts.reduce((s, p) => s + p.value, 0)));
  for (const row of rows) {
    const line = element("div", "row");
    line.dataset.name = row.name;
    const track = element("div", "track");
    for (const part of row.parts) track.append(bar(part.value / largest, part.className, part.title));
    line.append(element("span", "name", row.name), track, element("span", "num", row.shown));
    box.append(line);
  }
  if (!rows.length) box.append(element("p", "muted", "No data for this filter."));
}

function columns(target, items) {
  const box = $(target);
  box.replaceChildren();
  const largest = Math.max(1, ...items.map((i) => i.value));
  for (const item of items) {
    const column = element("div", "column");
    column.title = `${item.title ?? item.label}: ${number.format(item.value)}`;
    const fill = element("div", "bar");
    fill.style.height = `${(item.value / largest) * 100}%`;
    column.append(fill, element("span", null, item.label));
    box.append(column);
  }
}

// --- the page -------------------------------------------------------------------------------
const state = { filter: {}, year: new Date().getFullYear(), counters: null, changes: null, refresh: null };

function setCounters(levels) {
  for (const node of document.querySelectorAll("[data-metric]")) {
    const name = node.dataset.metric;
    const value = levels[name];
    const shown = (FORMAT[name] || ((x) => number.format(x)))(value);
    if (node.textContent !== shown && node.textContent !== "–") {
      const card = node.closest(".card");
      card.classList.add("changed");
      setTimeout(() => card.classList.remove("changed"), 1200);
    }
    node.textContent = shown;
    node.dataset.value = value ?? "";
  }
  $("#updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function render(data) {
  const d = data.dashboard;
  $("#region-name").textContent = data.region.name;
  const select = $('select[name="district"]');
  if (select.options.length === 1) {
    for (const district of data.region.districts) select.append(new Option(district.name, district.code));
    select.value = state.filter.districtCode || "";
  }
  setCounters(d.serviceLevels);
  bars("#by-status", d.byStatus.map((g) => ({ name: g.label, parts: [{ value: g.levels.total }], shown: number.format(g.levels.total) })));
  // Month labels: the year ('26) on January and on the first month shown, else the month.
  columns("#by-month", d.byMonth.map((g, i) => ({
    label: i === 0 || g.key.endsWith("-01") ? `'${g.key.slice(2, 4)}` : g.key.slice(5),
    title: g.key, value: g.levels.total,
  })));
  bars("#by-district", d.byDistrict.map((g) => ({
    name: g.label,
    parts: [
      { value: g.levels.overdue, className: "warn", title: `${g.levels.overdue} overdue` },
      { value: g.levels.backlog - g.levels.overdue, className: "mid", title: `${g.levels.backlog} open` },
    ],
    shown: number.format(g.levels.backlog),
  })));
  bars("#by-category", d.byCategory.map((g) => ({
    name: g.label, parts: [{ value: g.levels.slaCompliance ?? 0, className: "good" }], shown: percent(g.levels.slaCompliance),
  })), { scale: 1 });
  bars("#by-unit", d.byUnit.filter((g) => g.levels.backlog > 0).sort((a, b) => b.levels.backlog - a.levels.backlog).slice(0, 15).map((g) => ({
    name: g.label,
    parts: [
      { value: g.levels.overdue, className: "warn", title: `${g.levels.overdue} overdue` },
      { value: g.levels.backlog - g.levels.overdue, className: "mid" },
    ],
    shown: number.format(g.levels.backlog),
  })));
  const top = $("#top-resolvers");
  top.replaceChildren(...d.topResolvers.map((t) => element("li", null,
    `${t.officer ? `${t.officer.position}, ${t.officer.unit.name}` : "(officer not in e-Kinerja)"}: ${number.format(t.resolved)}`)));
  renderPredicates(d.performance);
  bars("#learning", [...d.learningCompliance].sort((a, b) => a.rate - b.rate).map((u) => ({
    name: u.unit.name, parts: [{ value: u.rate, className: u.rate >= 0.8 ? "good" : u.rate >= 0.5 ? "mid" : "warn" }],
    shown: `${u.compliant}/${u.officers}`,
  })), { scale: 1 });
  columns("#age-bands", d.ageBands.map((g) => ({ label: g.key, value: g.residents })));
  $("#genders").textContent = d.genders.map((g) => `${g.label}: ${number.format(g.residents)}`).join(" · ");
}

function renderPredicates(groups) {
  // City-wide per quarter; units too small to show (the dashboard role) are left out.
  const shown = groups.filter((group) => !group.suppressed);
  const quarters = new Map();
  for (const group of shown) {
    const counts = quarters.get(group.period) || new Map();
    for (const p of group.predicates) counts.set(p.label, (counts.get(p.label) || 0) + p.officers);
    quarters.set(group.period, counts);
  }
  const labels = shown[0]?.predicates.map((p) => p.label) || [];
  bars("#predicates", [...quarters.keys()].sort().map((quarter) => {
    const counts = quarters.get(quarter);
    const rated = [...counts.values()].reduce((s, n) => s + n, 0);
    return {
      name: quarter,
      parts: labels.map((label, i) => ({ value: counts.get(label) / rated, className: `p${i}`, title: `${label}: ${counts.get(label)}` })),
      shown: `${number.format(rated)} rated`,
    };
  }), { scale: 1 });
  const legend = $("#predicate-legend");
  legend.replaceChildren(...labels.map((label, i) => {
    const item = element("span");
    item.append(element("i", `bar p${i}`), label);
    return item;
  }));
  const hidden = groups.length - shown.length;
  if (hidden) legend.append(element("span", "muted", `${hidden} small unit-quarters not shown`));
}

function noteChange(change) {
  const list = $("#changes");
  if (list.querySelector(".muted")) list.replaceChildren();
  const request = change.request;
  const what = change.kind === "CREATED" ? "submitted" : change.kind === "ASSIGNED" ? "assigned"
    : `${change.previousStatus} → ${change.status}`;
  const where = request ? `${request.ticketNumber} (${request.categoryName}, ${request.district?.name ?? "?"})` : "a request";
  list.prepend(element("li", null, `${new Date(change.at).toLocaleTimeString()} ${where}: ${what}`));
  while (list.children.length > MAX_CHANGES) list.lastChild.remove();
}

async function load() {
  try {
    const variables = { f: state.filter, year: state.year };
    const [requests, people] = await Promise.all(DASHBOARD.map((text) => query(text, variables)));
    render({ ...requests, dashboard: { ...requests.dashboard, ...people.dashboard } });
    document.body.dataset.loaded = "true";
  } catch (error) {
    showError(`Could not load the dashboard: ${error.message}`);
  }
}

function readFilters() {
  const form = new FormData($("#filters"));
  const filter = {};
  if (form.get("district")) filter.districtCode = form.get("district");
  if (form.get("from")) filter.submittedFrom = new Date(`${form.get("from")}T00:00:00+07:00`).toISOString();
  if (form.get("before")) filter.submittedBefore = new Date(`${form.get("before")}T00:00:00+07:00`).toISOString();
  state.filter = filter;
  state.year = Number(form.get("year")) || new Date().getFullYear();
}

function subscribe(live) {
  if (state.counters) live.unsubscribe(state.counters);
  if (state.changes) live.unsubscribe(state.changes);
  state.counters = live.subscribe(COUNTERS, { f: state.filter }, (payload) => {
    if (payload.data?.dashboardCounters) setCounters(payload.data.dashboardCounters);
  });
  const changeFilter = state.filter.districtCode ? { districtCode: state.filter.districtCode } : {};
  state.changes = live.subscribe(CHANGES, { f: changeFilter }, (payload) => {
    if (!payload.data?.serviceRequestChanged) return;
    noteChange(payload.data.serviceRequestChanged);
    clearTimeout(state.refresh); // a burst of changes makes one reload of the breakdowns
    state.refresh = setTimeout(load, REFRESH_AFTER_CHANGE_MS);
  });
}

function start() {
  $('input[name="year"]').value = state.year;
  token();
  const live = new Live((status, reason) => {
    const badge = $("#live");
    badge.dataset.state = status;
    badge.textContent = status === "live" ? "live" : `offline: ${reason}`;
  });
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    readFilters();
    load();
    subscribe(live);
  });
  load();
  subscribe(live);
}

start();
