// The catalog API, as the pages read it. Reads need no key; writes send the key the person typed (kept for this
// browser session only) or rely on the HttpOnly cookie the AppHost's sign-in link set.

/** What the list and the detail of an asset share. */
interface AssetBase {
  key: string;
  layer: string;
  materialization: string;
  description: string;
  tags: string[];
  owner: string | null;
  upstream: string[];
  downstream: string[];
}

export interface Freshness {
  state: "fresh" | "stale" | "failed" | "never" | "running";
  reason: string | null;
  max_age: string | null;
}

export interface AssetSummary extends AssetBase {
  freshness: Freshness;
  last_status: string | null;
  last_materialized_at: string | null;
  /** The rows the table holds; null for a view or a build recorded before sizes were. */
  rows: number | null;
  /** The rows the latest materialization wrote (the changed ones, for an incremental build). */
  rows_written: number | null;
  checks_declared: number;
  checks_passed: number;
  checks_run: number;
}

export interface CheckResult {
  name: string;
  severity: string;
  passed: boolean;
  failing_rows: number;
  sample: Record<string, unknown>[] | unknown;
  error: string | null;
  executed_at: string;
  run_id: string;
}

export interface AssetDetail extends AssetBase {
  freshness: Freshness;
  source_path: string;
  sql: string;
  compiled_sql: string | null;
  checks: { name: string; kind: string; severity: string }[];
  latest_materialization: {
    run_id: string; materialized_at: string; rows: number | null; rows_written: number | null; duration_ms: number; columns: { name: string; type: string }[];
  } | null;
  check_results: CheckResult[];
}

export interface MaterializationPoint {
  run_id: string;
  materialized_at: string;
  rows: number | null;
  rows_written: number | null;
  duration_ms: number;
}

export interface Step {
  asset_key: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  rows: number | null;
  error: string | null;
}

export interface Run {
  run_id: string;
  kind: string;
  selection: string;
  status: string;
  requested_by: string | null;
  worker: string | null;
  parent_run_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  steps: Step[] | null;
}

export interface Tick {
  scheduled_at: string;
  status: string;
  reason: string | null;
  run_id: string | null;
  run_status: string | null;
  claimed_by: string;
}

export interface Schedule {
  name: string;
  cron: string;
  timezone: string;
  selection: string;
  catch_up: string;
  paused: boolean;
  next_tick_at: string | null;
  ticks: Tick[];
}

export interface SensorFile {
  path: string;
  bytes: number;
  status: string;
  reason: string | null;
  rows_loaded: number | null;
  rows_rejected: number | null;
  run_id: string | null;
  changed_at: string;
}

export interface Sensor {
  name: string;
  location: string;
  swept_at: string | null;
  last_error: string | null;
  files: SensorFile[];
}

export interface AlertIncident {
  id: number;
  rule: string;
  subject: string;
  status: string;
  summary: string;
  link: string | null;
  opened_at: string;
  resolved_at: string | null;
  deliveries: { channel: string; kind: string; status: string; attempts: number; last_error: string | null; sent_at: string | null }[];
}

export interface Alerts {
  rules: { name: string; kind: string; description: string }[];
  channels: string[];
  incidents: AlertIncident[];
}

export interface RunEvent {
  event_id: number;
  run_id: string;
  at: string;
  kind: string;
  asset_key: string | null;
  message: string | null;
  payload: unknown;
}

export interface Table {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface MartRows extends Table {
  key: string;
  total: number;
  truncated: boolean;
}

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
  if (method !== "GET" && key) headers["X-Api-Key"] = key;
  // Proves a cookie-authenticated write comes from these pages: a cross-site form cannot send a custom header.
  if (method !== "GET") headers["X-Analytics-Request"] = "web";
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
  asset: (key: string) => request<AssetDetail>("GET", `/api/assets/${encodeURIComponent(key)}`),
  history: (key: string) => request<MaterializationPoint[]>("GET", `/api/assets/${encodeURIComponent(key)}/materializations?limit=50`),
  preview: (key: string) => request<Table>("GET", `/api/assets/${encodeURIComponent(key)}/preview?limit=50`),
  runs: (page: number, status?: string) =>
    request<{ page: number; page_size: number; runs: Run[] }>("GET", `/api/runs?page=${page}&page_size=50${status ? `&status=${encodeURIComponent(status)}` : ""}`),
  run: (id: string) => request<Run>("GET", `/api/runs/${encodeURIComponent(id)}`),
  materialize: (selection: string) => request<Run>("POST", "/api/runs", { selection }),
  cancel: (id: string) => request<Run>("POST", `/api/runs/${encodeURIComponent(id)}/cancel`),
  retry: (id: string) => request<Run>("POST", `/api/runs/${encodeURIComponent(id)}/retry`),
  schedules: () => request<Schedule[]>("GET", "/api/schedules"),
  scheduleAction: (name: string, action: "pause" | "resume" | "tick") =>
    request<Schedule | Run>("POST", `/api/schedules/${encodeURIComponent(name)}/${action}`),
  sensors: () => request<Sensor[]>("GET", "/api/sensors"),
  alerts: () => request<Alerts>("GET", "/api/alerts?limit=100"),
  session: () => request<{ signed_in: boolean; writes_enabled: boolean }>("GET", "/api/session"),
  mart: (key: string, params: Record<string, string | string[]>) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
    }
    return request<MartRows>("GET", `/api/marts/${encodeURIComponent(key)}/rows?${query}`);
  },
};

/** Follows a run's server-sent events; returns a function that stops following. */
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
  for (const kind of ["run_started", "step_waiting", "step_started", "step_finished", "check_result", "run_finished", "cancel_requested", "build_swept"]) {
    source.addEventListener(kind, handler as EventListener);
  }
  source.onerror = () => {
    // The server closes the stream when the run is finished; EventSource would reconnect forever.
    source.close();
    onEnd();
  };
  return () => source.close();
}
