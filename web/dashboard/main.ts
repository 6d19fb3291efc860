// The AppHost's local-dev dashboard: resources with their actions, console output, structured logs, traces and
// metrics, read from the AppHost's own JSON API (same origin, cookie from the one-time link). Shares the product UI's
// helpers, styles and ECharts build.
import "../src/style.css";
import "./dashboard.css";
import { h, formatDuration } from "../src/dom";
import { chart } from "../src/charts";

type Replica = { name: string; processId: number | null; state: string; startedAt: string | null; restarts: number; exitCode: number | null };
type Resource = {
  name: string; type: string; state: string; startedAt: string | null; replicas: Replica[]; endpoints: string[];
  environment: { key: string; value: string }[]; canControl: boolean;
};
type ConsoleLine = { sequence: number; time: string; resource: string; replica: string; error: boolean; text: string };
type LogRecord = { sequence: number; time: number; resource: string; level: string; category: string; message: string; attributes: Record<string, string>; traceId: string | null };
type TraceRow = { trace_id: string; name: string; resource: string; start: number; duration_ms: number; spans: number; resources: string[]; error: boolean };
type Span = { traceId: string; spanId: string; parentId: string | null; name: string; kind: string; start: number; end: number; resource: string; scope: string; attributes: Record<string, string>; error: boolean; statusMessage: string | null };
type MetricName = { resource: string; name: string; unit: string; kind: string; series: number };
type Series = { labels: string; unit: string; kind: string; points: { t: number; v: number; count: number; sum: number }[] };

class SignedOut extends Error {}

async function get<T>(path: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(path, { signal, credentials: "same-origin" });
  if (response.status === 401) throw new SignedOut();
  if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { error?: string }).error ?? `${response.status}`);
  return (await response.json()) as T;
}

async function post(path: string): Promise<void> {
  const response = await fetch(path, { method: "POST", credentials: "same-origin", headers: { "X-Dashboard": "1" } });
  if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { error?: string }).error ?? `${response.status}`);
}

/** Runs <paramref name="tick"/> now and every 2 s until the page changes. */
function every(signal: AbortSignal, tick: () => Promise<void>): void {
  let timer = 0;
  const run = async () => {
    try {
      await tick();
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof SignedOut) return showSignedOut();
    }
    if (!signal.aborted) timer = window.setTimeout(run, 2000);
  };
  signal.addEventListener("abort", () => clearTimeout(timer));
  void run();
}

function showSignedOut(): void {
  document.getElementById("app")!.replaceChildren(
    h("div", { class: "page" }, h("h1", {}, "Not signed in"),
      h("p", { class: "message error", "data-testid": "signed-out" }, "Open the dashboard link the AppHost printed (it carries a one-time token)."),
    ),
  );
}

const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);

// ---------------------------------------------------------------- Resources
function renderResources(container: HTMLElement, signal: AbortSignal): void {
  const body = h("tbody");
  container.append(h("h1", {}, "Resources"),
    h("table", { class: "grid", "data-testid": "resources" },
      h("thead", {}, h("tr", {}, ["Name", "Type", "State", "Started", "Replicas", "Endpoints", "Actions"].map((c) => h("th", {}, c)))), body));
  const act = async (resource: string, action: string, replica?: number) => {
    const status = document.getElementById("action-status")!;
    status.textContent = `${action} ${resource}${replica === undefined ? "" : ` #${replica}`}...`;
    try {
      await post(`/api/resources/${encodeURIComponent(resource)}/${action}${replica === undefined ? "" : `?replica=${replica}`}`);
      status.textContent = `${action} ${resource}${replica === undefined ? "" : ` #${replica}`}: done`;
    } catch (error) {
      status.textContent = `${action} ${resource}: ${(error as Error).message}`;
    }
  };
  const buttons = (resource: string, replica?: number) => [
    h("button", { onclick: () => void act(resource, "stop", replica), "data-action": "stop" }, "Stop"),
    h("button", { onclick: () => void act(resource, "start", replica), "data-action": "start" }, "Start"),
    h("button", { onclick: () => void act(resource, "restart", replica), "data-action": "restart" }, "Restart"),
  ];
  container.append(h("p", { id: "action-status", class: "muted" }));
  every(signal, async () => {
    const resources = await get<Resource[]>("/api/resources", signal);
    body.replaceChildren(...resources.flatMap((r) => {
      const running = /running|ready|succeeded|done/.test(r.state);
      const row = h("tr", { "data-resource": r.name },
        h("td", {}, h("strong", {}, r.name), r.environment.length > 0 && h("details", {}, h("summary", {}, `environment (${r.environment.length})`),
          h("table", { class: "env" }, r.environment.map((e) => h("tr", {}, h("td", {}, h("code", {}, e.key)), h("td", {}, h("code", {}, e.value))))))),
        h("td", {}, r.type),
        h("td", {}, h("span", { class: `pill ${running ? "ok" : /fail|exited|error/.test(r.state) ? "bad" : "idle"}`, "data-state": r.state }, r.state)),
        h("td", { class: "nowrap" }, r.startedAt ? new Date(r.startedAt).toLocaleTimeString() : "–"),
        h("td", {}, r.replicas.length || ""),
        h("td", {}, r.endpoints.map((url) => h("div", {}, h("a", { href: url, target: "_blank", rel: "noopener" }, url)))),
        h("td", { class: "actions" }, r.canControl ? buttons(r.name) : ""));
      const replicas = r.replicas.length > 1 ? r.replicas.map((p, i) => h("tr", { class: "replica", "data-replica": p.name },
        h("td", {}, `↳ ${p.name}`), h("td", {}, p.processId ? `pid ${p.processId}` : ""),
        h("td", {}, h("span", { class: `pill ${p.state === "running" ? "ok" : "idle"}`, "data-state": p.state }, p.state)),
        h("td", { class: "nowrap" }, p.startedAt ? new Date(p.startedAt).toLocaleTimeString() : "–"),
        h("td", { class: "nowrap" }, `restarts ${p.restarts}${p.exitCode === null ? "" : `, exit ${p.exitCode}`}`), h("td", {}),
        h("td", { class: "actions" }, buttons(r.name, i)))) : [];
      return [row, ...replicas];
    }));
  });
}

// ---------------------------------------------------------------- Console
function renderConsole(container: HTMLElement, signal: AbortSignal): void {
  const pre = h("pre", { class: "console", "data-testid": "console" });
  const replica = h("select", { "aria-label": "replica" }, h("option", { value: "" }, "all resources"));
  const search = h("input", { type: "search", placeholder: "search", "aria-label": "search" });
  const pause = h("button", { class: "toggle" }, "Pause");
  let paused = false;
  let after = 0;
  let lines: ConsoleLine[] = [];
  pause.addEventListener("click", () => { paused = !paused; pause.classList.toggle("on", paused); pause.textContent = paused ? "Resume" : "Pause"; });
  const reset = () => { after = 0; lines = []; pre.replaceChildren(); };
  replica.addEventListener("change", reset);
  search.addEventListener("change", reset);
  container.append(h("h1", {}, "Console"), h("div", { class: "toolbar" }, replica, search, pause), pre);
  void get<Resource[]>("/api/resources", signal).then((resources) => {
    for (const r of resources.filter((x) => x.type === "project" || x.type === "postgres" || x.type === "job")) {
      replica.append(h("option", { value: `resource:${r.name}` }, r.name));
      for (const p of r.replicas.length > 1 ? r.replicas : []) replica.append(h("option", { value: `replica:${p.name}` }, `  ${p.name}`));
    }
  }).catch(() => undefined);
  every(signal, async () => {
    if (paused) return;
    const [kind, name] = replica.value.split(":");
    const query = new URLSearchParams({ after: String(after), limit: "2000" });
    if (kind === "resource") query.set("resource", name);
    if (kind === "replica") query.set("replica", name);
    if (search.value) query.set("search", search.value);
    const fresh = await get<ConsoleLine[]>(`/api/console?${query}`, signal);
    if (fresh.length === 0) return;
    after = fresh[fresh.length - 1].sequence;
    lines = lines.concat(fresh).slice(-5000);
    const stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 20;
    pre.replaceChildren(...lines.map((l) => h("div", { class: l.error ? "line err" : "line" }, h("span", { class: "who" }, `[${l.replica}] `), l.text)));
    if (stick) pre.scrollTop = pre.scrollHeight;
  });
}

// ---------------------------------------------------------------- Structured logs
function renderLogs(container: HTMLElement, signal: AbortSignal): void {
  const resource = h("select", { "aria-label": "resource" }, h("option", { value: "" }, "all resources"));
  const level = h("select", { "aria-label": "level" }, ["trace", "debug", "information", "warning", "error", "critical"].map((l) => h("option", { value: l, selected: l === "information" }, l)));
  const body = h("tbody");
  container.append(h("h1", {}, "Structured logs"), h("div", { class: "toolbar" }, resource, level),
    h("table", { class: "grid", "data-testid": "logs" }, h("thead", {}, h("tr", {}, ["Time", "Resource", "Level", "Category", "Message", "Trace"].map((c) => h("th", {}, c)))), body));
  const known = new Set<string>();
  every(signal, async () => {
    const query = new URLSearchParams({ level: level.value, limit: "500" });
    if (resource.value) query.set("resource", resource.value);
    const logs = await get<LogRecord[]>(`/api/logs?${query}`, signal);
    for (const l of logs) if (!known.has(l.resource)) { known.add(l.resource); resource.append(h("option", { value: l.resource }, l.resource)); }
    body.replaceChildren(...logs.reverse().map((l) => h("tr", { class: `level-${l.level}` },
      h("td", {}, time(l.time / 1e6)), h("td", {}, l.resource), h("td", {}, h("span", { class: `pill ${l.level === "error" || l.level === "critical" ? "bad" : l.level === "warning" ? "warn" : "idle"}` }, l.level)),
      h("td", {}, h("code", {}, l.category)),
      h("td", {}, l.message, h("details", {}, h("summary", {}, "attributes"), h("pre", {}, Object.entries(l.attributes).map(([k, v]) => `${k} = ${v}`).join("\n")))),
      h("td", {}, l.traceId ? h("a", { href: `#traces/${l.traceId}` }, l.traceId.slice(0, 8)) : ""))));
  });
}

// ---------------------------------------------------------------- Traces
function renderTraces(container: HTMLElement, signal: AbortSignal): void {
  const body = h("tbody");
  const background = h("input", { type: "checkbox", "aria-label": "background" });
  container.append(h("h1", {}, "Traces"), h("label", { class: "toolbar" }, background, "show background database polls"),
    h("table", { class: "grid", "data-testid": "traces" }, h("thead", {}, h("tr", {}, ["Start", "Name", "Resources", "Spans", "Duration"].map((c) => h("th", {}, c)))), body));
  every(signal, async () => {
    const traces = await get<TraceRow[]>(`/api/traces?limit=200&background=${background.checked}`, signal);
    body.replaceChildren(...traces.map((t) => h("tr", { class: t.error ? "failed" : "" },
      h("td", {}, time(t.start / 1e6)), h("td", {}, h("a", { href: `#traces/${t.trace_id}`, "data-trace": t.name }, t.name), t.error ? h("span", { class: "pill bad" }, "error") : ""),
      h("td", {}, t.resources.join(", ")), h("td", {}, t.spans), h("td", {}, formatDuration(t.duration_ms)))));
  });
}

async function renderTrace(container: HTMLElement, id: string, signal: AbortSignal): Promise<void> {
  const spans = await get<Span[]>(`/api/traces/${encodeURIComponent(id)}`, signal);
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  const total = Math.max(end - start, 1);
  const children = new Map<string | null, Span[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    const parent = s.parentId && ids.has(s.parentId) ? s.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const rows: HTMLElement[] = [];
  const detail = h("div", { class: "span-detail" }, h("p", { class: "muted" }, "Select a span to see its attributes."));
  const walk = (parent: string | null, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.start - b.start)) {
      const left = ((s.start - start) / total) * 100;
      const width = Math.max(((s.end - s.start) / total) * 100, 0.2);
      rows.push(h("div", { class: `span-row${s.error ? " error" : ""}`, "data-span": s.name, onclick: () => showSpan(s) },
        h("div", { class: "span-name", style: `padding-left:${depth * 14}px`, title: s.name }, h("span", { class: "svc" }, s.resource), " ", s.name),
        h("div", { class: "span-track" }, h("div", { class: "span-bar", style: `left:${left}%;width:${width}%` }),
          h("span", { class: "span-time", style: `left:${Math.min(left + width, 92)}%` }, formatDuration((s.end - s.start) / 1e6)))));
      walk(s.spanId, depth + 1);
    }
  };
  const showSpan = (s: Span) => detail.replaceChildren(h("h3", {}, s.name),
    h("p", {}, `${s.resource} · ${s.kind} · ${formatDuration((s.end - s.start) / 1e6)}${s.error ? ` · error: ${s.statusMessage ?? ""}` : ""}`),
    h("table", { class: "env" }, Object.entries(s.attributes).map(([k, v]) => h("tr", {}, h("td", {}, h("code", {}, k)), h("td", {}, h("code", {}, v))))));
  walk(null, 0);
  container.append(h("p", {}, h("a", { href: "#traces" }, "← all traces")),
    h("h1", {}, `Trace ${id.slice(0, 12)}…`, " ", h("span", { class: "muted" }, `${spans.length} spans, ${formatDuration(total / 1e6)}`)),
    h("div", { class: "waterfall", "data-testid": "waterfall" }, rows), detail);
}

// ---------------------------------------------------------------- Metrics
function renderMetrics(container: HTMLElement, signal: AbortSignal): void {
  const picker = h("select", { "aria-label": "metric" });
  const area = h("div", { class: "chart-area", "data-chart": "metric", style: "height:360px" });
  const note = h("p", { class: "muted" });
  container.append(h("h1", {}, "Metrics"), h("div", { class: "toolbar" }, picker), note, area);
  let drawn: ReturnType<typeof chart> | null = null;
  void get<MetricName[]>("/api/metrics", signal).then((names) => {
    const preferred = ["analytics.asset.duration", "analytics.run.duration", "analytics.asset.rows", "http.server.request.duration"];
    const sorted = [...names].sort((a, b) => (preferred.indexOf(b.name) + 1 ? 1 : 0) - (preferred.indexOf(a.name) + 1 ? 1 : 0));
    picker.replaceChildren(...sorted.map((m) => h("option", { value: `${m.resource}\n${m.name}` }, `${m.resource} · ${m.name}${m.unit ? ` (${m.unit})` : ""}`)));
  }).catch((e) => { if (e instanceof SignedOut) showSignedOut(); });
  const draw = async () => {
    if (!picker.value) return;
    const [resource, name] = picker.value.split("\n");
    const series = await get<Series[]>(`/api/metrics/${encodeURIComponent(resource)}/${encodeURIComponent(name)}`, signal);
    const kind = series[0]?.kind ?? "";
    note.textContent = kind === "histogram" ? "Mean per export interval (sum / count of the interval)." : kind === "counter" ? "Rate per second between exports." : "Value at each export.";
    const lines = series.slice(0, 12).map((s) => ({
      name: s.labels || name, type: "line", showSymbol: false,
      data: s.points.slice(1).map((p, i) => {
        const previous = s.points[i];
        const seconds = Math.max((p.t - previous.t) / 1000, 0.001);
        const value = kind === "histogram" ? (p.count - previous.count > 0 ? (p.sum - previous.sum) / (p.count - previous.count) : null)
          : kind === "counter" ? (p.v - previous.v) / seconds : p.v;
        return [p.t, value];
      }),
    }));
    drawn?.dispose();
    drawn = chart(area, { tooltip: { trigger: "axis" }, legend: { type: "scroll", bottom: 0 }, grid: { left: 60, right: 20, top: 20, bottom: 50 },
      xAxis: { type: "time" }, yAxis: { type: "value", name: series[0]?.unit ?? "" }, series: lines }, signal);
  };
  picker.addEventListener("change", () => void draw());
  every(signal, draw);
}

// ---------------------------------------------------------------- Router
let current: AbortController | null = null;
function route(): void {
  current?.abort();
  current = new AbortController();
  const signal = current.signal;
  const [page, id] = (location.hash.slice(1) || "resources").split("/");
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) a.classList.toggle("active", a.dataset.nav === page);
  const container = h("div", { class: "page" });
  document.getElementById("app")!.replaceChildren(container);
  const failed = (error: unknown) => {
    if (signal.aborted) return;
    if (error instanceof SignedOut) showSignedOut();
    else container.append(h("p", { class: "message error" }, `Could not load this page: ${(error as Error).message}`));
  };
  if (page === "console") renderConsole(container, signal);
  else if (page === "logs") renderLogs(container, signal);
  else if (page === "traces" && id) renderTrace(container, id, signal).catch(failed);
  else if (page === "traces") renderTraces(container, signal);
  else if (page === "metrics") renderMetrics(container, signal);
  else renderResources(container, signal);
}
window.addEventListener("hashchange", route);
route();
