import { api, type AssetDetail, type CheckResult } from "../api";
import { materialize, write } from "../actions";
import { chart } from "../charts";
import { formatDuration, formatNumber, formatTime, h, link, message } from "../dom";
import { highlightSql } from "../sql";
import { dataTable } from "../table";
import { badge } from "../status";

/** `/assets/{key}`: what the asset is, its SQL, columns, lineage, materializations, checks and a preview. */
export async function renderAsset(container: HTMLElement, params: Record<string, string>, signal: AbortSignal): Promise<void> {
  const key = params.key;
  const [asset, history] = await Promise.all([api.asset(key), api.history(key)]);
  const latest = asset.latest_materialization;
  const status = h("p", { class: "message", role: "status" });
  status.hidden = true;
  const onError = (text: string) => { status.hidden = false; status.className = "message error"; status.textContent = text; };
  const button = (label: string, selection: string) =>
    h("button", { class: "primary", "data-selection": selection, onclick: () => void materialize(selection, onError) }, label);

  const historyChart = h("div", { class: "chart small-chart", "data-chart": "history" });
  const preview = h("div", { class: "preview" }, message("Loading a preview…"));
  const partitions = h("section", { class: "partitions" });
  partitions.hidden = true;
  container.append(
    h("div", { class: "asset-head" },
      h("div", {},
        h("h1", {}, asset.key),
        h("p", { class: "description" }, asset.description || "No description."),
        h("p", { class: "meta" },
          h("span", { class: `layer layer-${asset.layer}` }, asset.layer), " ",
          h("span", {}, asset.materialization), " · owner ", h("strong", {}, asset.owner ?? "none"), " · ",
          ...asset.tags.map((t) => h("span", { class: "tag" }, t)), " · ", h("code", {}, asset.source_path)),
        h("p", { class: "freshness", "data-freshness": asset.freshness.state },
          badge(asset.freshness.state), " ", asset.freshness.reason ?? "",
          asset.freshness.max_age ? h("span", { class: "muted" }, ` · freshness max_age ${asset.freshness.max_age}`) : "")),
      asset.materialization === "source" ? null : h("div", { class: "actions" },
        button("Materialize", asset.key), button("With upstream", `+${asset.key}`), button("With downstream", `${asset.key}+`),
        // An incremental asset is built from what changed; this builds it whole, as the CLI's --full-refresh does.
        asset.materialization === "incremental"
          ? h("button", { "data-action": "full-refresh", title: "Rebuild the whole table from all of its input (materialize --full-refresh)",
            onclick: () => { if (confirm(`Rebuild ${asset.key} whole from all of its input?`)) void write(() => api.materialize(asset.key, { full_refresh: true }), onError); } },
          "Full refresh")
          : null)),
    status,
    h("section", { class: "cards" },
      card("Latest materialization", latest
        ? h("dl", {}, h("dt", {}, "Rows"), h("dd", { "data-field": "rows" }, formatNumber(latest.rows)),
          h("dt", {}, "Rows written"), h("dd", { "data-field": "rows-written" }, formatNumber(latest.rows_written)), h("dt", {}, "Duration"), h("dd", {}, formatDuration(latest.duration_ms)),
          h("dt", {}, "When"), h("dd", {}, formatTime(latest.materialized_at)), h("dt", {}, "Run"), h("dd", {}, link(`/runs/${latest.run_id}`, latest.run_id.slice(0, 8))))
        : message("Never materialized.")),
      card("Rows and duration per materialization", history.length ? historyChart : message("No history yet.")),
      card("Lineage", h("div", { class: "lineage-links" },
        h("h4", {}, "Upstream"), linkList(asset.upstream),
        h("h4", {}, "Downstream"), linkList(asset.downstream)))),
    h("section", {}, h("h2", {}, "Checks"), checks(asset)),
    h("section", {}, h("h2", {}, "Columns"), latest?.columns?.length
      ? columnTable(latest.columns, asset.classification ?? {})
      : message("Columns are known once the asset is materialized.")),
    h("section", { class: "sql-pair" },
      h("div", {}, h("h2", {}, "SQL as written"), highlightSql(asset.sql)),
      asset.compiled_sql ? h("div", {}, h("h2", {}, "SQL as compiled"), highlightSql(asset.compiled_sql)) : null),
    partitions,
    h("section", {}, h("h2", {}, "Preview"), preview),
  );

  if (history.length) {
    chart(historyChart, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 30, bottom: 30 },
      xAxis: { type: "category", data: history.map((p) => formatTime(p.materialized_at).slice(5, 16)) },
      yAxis: [{ type: "value", name: "rows" }, { type: "value", name: "ms" }],
      series: [
        { name: "rows", type: "bar", data: history.map((p) => p.rows) },
        { name: "rows written", type: "bar", data: history.map((p) => p.rows_written) },
        { name: "duration (ms)", type: "line", yAxisIndex: 1, data: history.map((p) => Math.round(p.duration_ms)) },
      ],
    }, signal);
  }

  // Only an asset with date partitions has a strip (partition_grain); one incremental by key has none.
  if (asset.partition_grain) void drawPartitions(partitions, key, onError);

  try {
    const table = await api.preview(key);
    preview.replaceChildren(dataTable(table.columns.map((c) => c.name), table.rows, "grid data", new Set(table.masked ?? [])));
  } catch (error) {
    preview.replaceChildren(message((error as Error).message));
  }
  preview.dataset.loaded = "true";
}

/** The columns with their types and, for those the header classifies, the class (pii). */
function columnTable(columns: { name: string; type: string }[], classification: Record<string, string>): HTMLTableElement {
  return h("table", { class: "grid columns" },
    h("thead", {}, h("tr", {}, h("th", {}, "name"), h("th", {}, "type"), h("th", {}, "classification"))),
    h("tbody", {}, ...columns.map((c) => h("tr", { "data-column": c.name },
      h("td", {}, c.name), h("td", {}, c.type),
      h("td", {}, classification[c.name]
        ? h("span", { class: "classified", "data-classification": classification[c.name],
          title: "Classified in the asset's header: masked to keys without the permission, and not granted to the Superset role." }, classification[c.name])
        : "")))));
}

/** The most recent partitions drawn as cells of the strip (the summary counts all of them). */
const stripCells = 400;

/**
 * An incremental asset's partitions as a strip over time, as Dagster draws them: one cell per period from the first
 * built to the last, coloured by why it was last built, gaps outlined; hover says the date, reason and run.
 */
async function drawPartitions(section: HTMLElement, key: string, onError: (text: string) => void): Promise<void> {
  let view;
  try {
    view = await api.partitions(key);
  } catch {
    return; // an incremental asset by key has no partitions to show
  }
  const byStart = new Map(view.partitions.map((p) => [p.start, p]));
  const cells = [...view.partitions.map((p) => p.start), ...view.gaps].sort().slice(-stripCells);
  const reasons = new Map<string, number>();
  for (const p of view.partitions) reasons.set(p.reason, (reasons.get(p.reason) ?? 0) + 1);
  section.hidden = false;
  section.replaceChildren(
    h("h2", {}, "Partitions"),
    h("p", { class: "muted" }, `${formatNumber(view.total)} ${view.grain} partition(s) on ${view.partition_by}, lookback ${view.lookback}; `,
      view.gaps_tracked ? `${formatNumber(view.gaps.length)} gap(s)` : "gaps not tracked (they span more than 50,000 days)",
      view.load_id === null ? "" : ` · current with load ${view.load_id}`,
      cells.length < view.total + view.gaps.length ? ` · the latest ${cells.length} drawn` : ""),
    h("div", { class: "partition-strip", role: "list", "aria-label": `${key} partitions` }, ...cells.map((start) => {
      const built = byStart.get(start);
      return h("span", {
        role: "listitem",
        class: built ? `cell reason-${built.reason}` : "cell gap",
        "data-partition": start,
        "data-reason": built?.reason ?? "gap",
        title: built ? `${start}: ${built.reason}, built ${formatTime(built.built_at)} by run ${built.run_id.slice(0, 8)}` : `${start}: a gap, filled by the next materialize`,
      });
    })),
    h("div", { class: "legend" }, ...[...reasons].map(([reason, n]) => h("span", { class: `swatch reason-${reason}` }, `${reason} (${formatNumber(n)})`)),
      view.gaps.length ? h("span", { class: "swatch gap" }, `gap (${formatNumber(view.gaps.length)})`) : null),
    backfillForm(key, cells, onError));
}

/**
 * Backfill a chosen range of days, as 'analytics backfill' does: the latest week drawn is the default, and "with
 * downstream" backfills what the asset feeds too.
 */
function backfillForm(key: string, cells: string[], onError: (text: string) => void): HTMLElement {
  const last = cells.at(-1) ?? new Date().toISOString().slice(0, 10);
  const from = h("input", { type: "date", name: "from", "aria-label": "backfill from", value: cells.at(-7) ?? cells[0] ?? last, required: true });
  const to = h("input", { type: "date", name: "to", "aria-label": "backfill to", value: last, required: true });
  const downstream = h("input", { type: "checkbox", name: "downstream", checked: true });
  const form = h("form", { class: "backfill toolbar", "aria-label": "backfill" },
    h("label", {}, "Backfill from ", from), h("label", {}, " to ", to),
    h("label", {}, downstream, " with downstream"),
    h("button", { type: "submit", class: "primary", "data-action": "backfill" }, "Backfill"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (to.value < from.value) {
      onError(`The range ends (${to.value}) before it starts (${from.value}); pick the earlier day first.`);
      return;
    }
    const selection = downstream.checked ? `${key}+` : key;
    void write(() => api.materialize(selection, { backfill: { from: from.value, to: to.value } }), onError);
  });
  return form;
}

function card(title: string, body: Node): HTMLElement {
  return h("div", { class: "card" }, h("h3", {}, title), body);
}

function linkList(keys: string[]): HTMLElement {
  return keys.length ? h("ul", {}, ...keys.map((k) => h("li", {}, link(`/assets/${encodeURIComponent(k)}`, k)))) : h("p", { class: "muted" }, "none");
}

function checks(asset: AssetDetail): HTMLElement {
  if (asset.checks.length === 0) return message("No checks declared.");
  const results = new Map(asset.check_results.map((r) => [r.name, r]));
  return h("div", { class: "checks-list" }, ...asset.checks.map((declared) => {
    const result = results.get(declared.name);
    const state = !result ? "not-run" : result.passed ? "passed" : "failed";
    return h("div", { class: `check check-${state}`, "data-check": declared.name },
      h("div", { class: "check-head" },
        h("span", { class: `badge check-${state}` }, state.replace("-", " ")),
        h("strong", {}, declared.name), h("span", { class: "muted" }, ` ${declared.kind} · ${declared.severity}`),
        result && !result.passed ? h("span", { class: "muted" }, ` · ${formatNumber(result.failing_rows)} failing rows`) : null),
      result?.error ? h("pre", { class: "error-text" }, result.error) : null,
      result && !result.passed ? failingSample(result) : null);
  }));
}

/** The failing rows the check kept, as "column=value, ..." texts, drawn as a table. */
function failingSample(result: CheckResult): HTMLElement | null {
  const sample = Array.isArray(result.sample) ? (result.sample as unknown[]) : [];
  if (sample.length === 0) return null;
  const rows = sample.map((text) => Object.fromEntries(String(text).split(/, (?=[A-Za-z_][A-Za-z0-9_]*=)/).map((pair) => {
    const at = pair.indexOf("=");
    return at < 0 ? ["value", pair] : [pair.slice(0, at), pair.slice(at + 1)];
  })));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return h("div", { class: "sample" }, h("h4", {}, "Failing rows (sample)"),
    dataTable(columns, rows.map((r) => columns.map((c) => r[c] ?? "")), "grid data sample"));
}
