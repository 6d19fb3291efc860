import { api, type AssetSummary } from "./api";

/** What the catalog and the lineage colour an asset by. */
export type AssetState = "fresh" | "stale" | "failed" | "never" | "running";

export const stateLabels: Record<AssetState, string> = {
  fresh: "fresh",
  stale: "stale",
  failed: "failed",
  never: "never built",
  running: "running",
};

/**
 * The server's freshness (fresh, stale past max_age or behind an upstream, failed, never, running), with the running
 * steps this page saw since overriding it.
 */
export function assetStates(assets: AssetSummary[], running: Set<string>): Map<string, AssetState> {
  return new Map(assets.map((a) => [a.key, running.has(a.key) ? "running" : a.freshness.state]));
}

/** The keys that steps of running runs are building now. */
export async function runningAssets(): Promise<Set<string>> {
  const running = new Set<string>();
  const page = await api.runs(1, "running");
  const runs = await Promise.all(page.runs.slice(0, 10).map((r) => api.run(r.run_id)));
  for (const run of runs) {
    for (const step of run.steps ?? []) if (step.status === "running") running.add(step.asset_key);
  }
  return running;
}

export function badge(state: AssetState): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = `badge state-${state}`;
  span.textContent = stateLabels[state];
  return span;
}

export function runBadge(status: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = `badge run-${status}`;
  span.textContent = status.replace("_", " ");
  return span;
}
