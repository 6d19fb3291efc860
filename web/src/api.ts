// The catalog API, as the pages read it. Every request sends the key the person typed (kept for this browser session
// only), if any, or relies on the HttpOnly cookie the AppHost's sign-in link set: writes need one, and on reads it
// decides what comes back in the clear. Reads are public by default.

import type { components } from "./api-types";

// The API's shapes, generated from its OpenAPI document (api-types.ts, scripts/generate-api-types): never written twice.
type Schemas = components["schemas"];
export type Freshness = Schemas["FreshnessView"];
export type AssetSummary = Schemas["AssetSummary"];
export type CheckResult = Schemas["CheckView"];
export type AssetDetail = Schemas["AssetDetail"];
export type MaterializationPoint = Schemas["MaterializationPoint"];
export type Step = Schemas["StepView"];
export type Run = Schemas["RunView"];
export type Tick = Schemas["TickView"];
export type Schedule = Schemas["ScheduleView"];
export type SensorFile = Schemas["SensorFile"];
export type Sensor = Schemas["SensorView"];
export type Source = Schemas["SourceView"];
export type AlertIncident = Schemas["AlertIncidentView"];
export type Alerts = Schemas["AlertsView"];
export type Dashboards = Schemas["DashboardsView"];
export type Dashboard = Schemas["Dashboard"];
export type DashboardChart = Schemas["DashboardChart"];
export type DashboardKpi = Schemas["DashboardKpi"];

/** One event of a run's server-sent stream (text/event-stream, which OpenAPI does not describe). */
export interface RunEvent {
  event_id: number;
  run_id: string;
  at: string;
  kind: string;
  asset_key: string | null;
  message: string | null;
  payload: unknown;
}

/** How a run builds its incremental assets: whole, or the partitions dated in a range (the CLI's --full-refresh and backfill). */
export type BuildRequest = Pick<Schemas["RunRequest"], "full_refresh" | "backfill">;

/** One warehouse statement of a step, as its step_finished event carries it. */
export interface StatementTiming {
  sql: string;
  start_ms: number;
  duration_ms: number;
  failed: boolean;
}

export type Table = Schemas["Preview"];
export type AuditEntry = Schemas["AuditEntry"];
export type MartRows = Schemas["MartRows"];

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly detail: string) {
    super(detail);
  }
}

const keyStorage = "analytics.apiKey";

export function storedKey(): string | null {
  return sessionStorage.getItem(keyStorage);
}

export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(keyStorage, key);
  else sessionStorage.removeItem(keyStorage);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const key = storedKey();
  // Reads send the key too: it decides what they see in the clear (classified columns) and of which tenant.
  if (key) headers["X-Api-Key"] = key;
  // Proves a cookie-authenticated request above a viewer's (a write, or an admin's read such as the audit log) comes from
  // these pages: a cross-site form cannot send a custom header.
  headers["X-Analytics-Request"] = "web";
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      detail = problem.detail ?? problem.title ?? detail;
    } catch {
      // not a problem document: keep the status line
    }
    throw new ApiError(response.status, detail);
  }
  return (await response.json()) as T;
}

export const api = {
  assets: () => request<AssetSummary[]>("GET", "/api/assets"),
  graph: (select: string) => request<Schemas["GraphView"]>("GET", `/api/graph?select=${encodeURIComponent(select)}`),
  asset: (key: string) => request<AssetDetail>("GET", `/api/assets/${encodeURIComponent(key)}`),
  history: (key: string) => request<MaterializationPoint[]>("GET", `/api/assets/${encodeURIComponent(key)}/materializations?limit=50`),
  preview: (key: string) => request<Table>("GET", `/api/assets/${encodeURIComponent(key)}/preview?limit=50`),
  runs: (page: number, status?: string) =>
    request<{ page: number; page_size: number; runs: Run[] }>("GET", `/api/runs?page=${page}&page_size=50${status ? `&status=${encodeURIComponent(status)}` : ""}`),
  run: (id: string) => request<Run>("GET", `/api/runs/${encodeURIComponent(id)}`),
  materialize: (selection: string, build: BuildRequest = {}) => request<Run>("POST", "/api/runs", { selection, ...build }),
  cancel: (id: string) => request<Run>("POST", `/api/runs/${encodeURIComponent(id)}/cancel`),
  retry: (id: string) => request<Run>("POST", `/api/runs/${encodeURIComponent(id)}/retry`),
  schedules: () => request<Schedule[]>("GET", "/api/schedules"),
  scheduleAction: (name: string, action: "pause" | "resume" | "tick") =>
    request<Schedule | Run>("POST", `/api/schedules/${encodeURIComponent(name)}/${action}`),
  sensors: () => request<Sensor[]>("GET", "/api/sensors"),
  sources: () => request<Source[]>("GET", "/api/sources"),
  alerts: () => request<Alerts>("GET", "/api/alerts?limit=100"),
  session: () => request<{ signed_in: boolean; writes_enabled: boolean }>("GET", "/api/session"),
  dashboards: () => request<Dashboards>("GET", "/api/dashboards"),
  audit: (page: number, principal?: string, refused?: boolean) =>
    request<Schemas["AuditPage"]>("GET", `/api/audit?page=${page}&page_size=100${principal ? `&principal=${encodeURIComponent(principal)}` : ""}${refused ? "&refused=true" : ""}`),
  partitions: (key: string) => request<Schemas["PartitionsView"]>("GET", `/api/assets/${encodeURIComponent(key)}/partitions`),
  mart: (key: string, params: Record<string, string | string[]>) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
    }
    return request<MartRows>("GET", `/api/marts/${encodeURIComponent(key)}/rows?${query}`);
  },
};

/** Follows a run's server-sent events; returns a function that stops following. */
/** Every kind of event a run's log holds (the run store's events.kind). */
export const runEventKinds = ["run_queued", "run_started", "step_waiting", "step_started", "materialization", "incremental", "check_result", "step_finished",
  "run_finished", "cancel_requested", "build_swept", "run_interrupted"];

export function followRun(id: string, onEvent: (event: RunEvent) => void, onEnd: () => void): () => void {
  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  const handler = (message: MessageEvent) => {
    try {
      onEvent(JSON.parse(message.data) as RunEvent);
    } catch {
      // an event that is not JSON (a keep-alive) carries nothing to draw
    }
  };
  source.onmessage = handler;
  for (const kind of runEventKinds) {
    source.addEventListener(kind, handler as EventListener);
  }
  source.onerror = () => {
    // The server closes the stream when the run is finished; EventSource would reconnect forever.
    source.close();
    onEnd();
  };
  return () => source.close();
}
