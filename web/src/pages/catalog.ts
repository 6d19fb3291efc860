import { materialize } from "../actions";
import { api, type AssetSummary } from "../api";
import { h, formatNumber, link, relativeTime } from "../dom";
import { assetStates, badge, runningAssets, stateLabels, type AssetState } from "../status";

/** The rows drawn at once; the rest behind "show more", so 2,000 assets draw as fast as 300 (search covers all). */
const pageRows = 300;

/** `/`: every asset with its layer, state, rows, last materialization and checks; search and filters. */
export async function renderCatalog(container: HTMLElement): Promise<void> {
  const [assets, running] = await Promise.all([api.assets(), runningAssets()]);
  const states = assetStates(assets, running);
  const layers = [...new Set(assets.map((a) => a.layer))];
  const tags = [...new Set(assets.flatMap((a) => a.tags))].sort();

  const search = h("input", { type: "search", placeholder: "Search assets, descriptions, owners…", "aria-label": "Search", class: "search" });
  const layer = select("layer", ["all layers", ...layers]);
  const tag = select("tag", ["all tags", ...tags]);
  const state = select("status", ["all statuses", ...Object.values(stateLabels)]);
  const count = h("span", { class: "muted" });
  const body = h("tbody");
  const more = h("div", { class: "pager" });
  let limit = pageRows;

  const draw = () => {
    const text = search.value.trim().toLowerCase();
    const shown = assets.filter((a) =>
      (!text || [a.key, a.description, a.owner ?? "", ...a.tags].some((v) => v.toLowerCase().includes(text)))
      && (layer.selectedIndex === 0 || a.layer === layer.value)
      && (tag.selectedIndex === 0 || a.tags.includes(tag.value))
      && (state.selectedIndex === 0 || stateLabels[states.get(a.key)!] === state.value));
    const rows = document.createDocumentFragment();
    for (const asset of shown.slice(0, limit)) rows.append(row(asset, states.get(asset.key)!));
    body.replaceChildren(rows);
    count.textContent = `${shown.length} of ${assets.length} assets`;
    more.replaceChildren(shown.length > limit
      ? h("button", { onclick: () => { limit += pageRows * 5; draw(); } }, `Show ${Math.min(pageRows * 5, shown.length - limit)} more of ${shown.length - limit}`)
      : "");
  };
  for (const control of [search, layer, tag, state]) control.addEventListener("input", () => { limit = pageRows; draw(); });
  draw();

  // Materialize a typed selection (the API's syntax), seeing what it selects before it runs.
  const selection = h("input", { type: "search", placeholder: "+growth_metrics, tag:retention, key:stg_*…", "aria-label": "Selection to materialize", class: "search" });
  const selected = h("div", { class: "selection-preview muted", role: "status" });
  const run = h("button", { class: "primary", disabled: true }, "Materialize");
  let chosen: string[] = [];
  let typed = 0;
  selection.addEventListener("input", () => {
    const text = selection.value.trim();
    const attempt = ++typed;
    run.disabled = true;
    chosen = [];
    if (!text) { selected.replaceChildren(); return; }
    window.setTimeout(async () => {
      if (attempt !== typed) return;
      try {
        const graph = await api.graph(text);
        if (attempt !== typed) return;
        chosen = graph.nodes.map((n) => n.key);
        run.disabled = false;
        const shown = chosen.slice(0, 40);
        selected.replaceChildren(`${chosen.length} asset(s), in the order they run: `,
          ...shown.flatMap((k, i) => [i ? ", " : "", h("code", { "data-selected": k }, k)]), chosen.length > shown.length ? ` and ${chosen.length - shown.length} more` : "");
      } catch (error) {
        if (attempt === typed) selected.replaceChildren(h("span", { class: "error-text" }, (error as Error).message));
      }
    }, 250);
  });
  run.addEventListener("click", () => void materialize(selection.value.trim(), (text) => selected.replaceChildren(h("span", { class: "error-text" }, text))));

  container.append(
    h("h1", {}, "Asset catalog"),
    h("div", { class: "toolbar materialize-selection" }, selection, run, selected),
    h("div", { class: "toolbar" }, search, layer, tag, state, count),
    h("table", { class: "grid catalog" },
      h("thead", {}, h("tr", {}, ...["Asset", "Layer", "Status", "Rows", "Last materialized", "Checks"].map((c) => h("th", {}, c)))),
      body),
    more,
  );
}

function select(name: string, options: string[]): HTMLSelectElement {
  return h("select", { "aria-label": name, name }, ...options.map((o) => h("option", { value: o }, o)));
}

function row(asset: AssetSummary, state: AssetState): HTMLTableRowElement {
  const checks = asset.checks_declared === 0 ? "–" : `${asset.checks_passed}/${asset.checks_declared}`;
  const checkClass = asset.checks_run > asset.checks_passed ? "checks failing" : "checks";
  return h("tr", { "data-asset": asset.key },
    h("td", {}, link(`/assets/${encodeURIComponent(asset.key)}`, asset.key), h("div", { class: "muted small" }, asset.description)),
    h("td", {}, h("span", { class: `layer layer-${asset.layer}` }, asset.layer)),
    h("td", { title: asset.freshness.reason ?? "" }, badge(state)),
    h("td", { class: "number" }, formatNumber(asset.rows)),
    h("td", { title: asset.last_materialized_at ?? "" }, relativeTime(asset.last_materialized_at)),
    h("td", { class: checkClass }, checks));
}
