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
 * Running: a step of a running run builds it now. Failed: its last step failed or a check failed. Never built: no
 * materialization. Stale: an upstream asset was materialized after it (sources, loaded by ingest, excepted). Fresh
 * otherwise.
 */
export function assetStates(assets: AssetSummary[], running: Set<string>): Map<string, AssetState> {
  const byKey = new Map(assets.map((a) => [a.key, a]));
  const states = new Map<string, AssetState>();
  for (const asset of assets) {
    let state: AssetState;
    if (running.has(asset.key)) state = "running";
    else if (asset.materialization === "source") state = asset.rows === null && asset.last_materialized_at === null ? "never" : "fresh";
    else if (asset.last_status === "failed" || asset.last_status === "check_failed") state = "failed";
    else if (!asset.last_materialized_at) state = "never";
    else {
      const built = Date.parse(asset.last_materialized_at);
      const newerUpstream = asset.upstream.some((key) => {
        const upstream = byKey.get(key);
        return upstream?.last_materialized_at && upstream.materialization !== "source" && Date.parse(upstream.last_materialized_at) > built;
      });
      state = newerUpstream ? "stale" : "fresh";
    }
    states.set(asset.key, state);
  }
  return states;
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
