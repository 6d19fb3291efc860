import { api, type Source } from "../api";
import { h, message, relativeTime } from "../dom";

/**
 * `/sources`: every declared source, as its header declares it (where its rows come from, its columns and rules, its
 * key), with what happened to it lately: a database source's watermark and latest extraction windows (rows, errors),
 * and every source's latest loads.
 */
export async function renderSources(container: HTMLElement, _params: Record<string, string>, signal: AbortSignal): Promise<void> {
  container.append(
    h("h1", {}, "Sources"),
    h("p", { class: "muted" }, "Declared as data in their headers (", h("code", {}, "materialization: source"),
      "). A database source is read by watermark when it is materialized; a landing source when a file lands."));
  let sources: Source[];
  try {
    sources = await api.sources();
  } catch (error) {
    container.append(message((error as Error).message, "error"));
    return;
  }

  if (signal.aborted) return;
  container.append(...sources.map(section));
}

function section(source: Source): HTMLElement {
  const origin = source.kind === "database"
    ? [h("code", {}, `${source.connection}:${source.from}`), ` by watermark on `, h("code", {}, source.watermark ?? ""),
      `, ${source.window} windows, ${source.lag} behind the source's clock`]
    : [source.from === "landing" ? "files landing in the landing folder" : h("code", {}, source.from), source.format ? ` (${source.format})` : ""];
  return h("section", { class: "source", "data-source": source.key },
    h("h2", {}, h("a", { href: `/assets/${encodeURIComponent(source.key)}` }, source.key), " ", h("span", { class: "badge" }, source.kind)),
    h("p", {}, ...origin),
    source.description ? h("p", { class: "muted" }, source.description) : "",
    h("p", { class: "muted" }, `${source.total_rows.toLocaleString("en-US")} row(s) loaded, ${source.total_rejected.toLocaleString("en-US")} rejected · `,
      h("code", {}, source.file)),
    h("details", {},
      h("summary", {}, `${source.columns.length} column(s)`,
        source.primary_key.length > 0 ? `, key ${source.primary_key.join(", ")}` : "", source.identity ? `, ${source.identity}` : ""),
      h("table", { class: "grid" },
        h("thead", {}, h("tr", {}, ...["Column", "Type", "Required", "Rules"].map((c) => h("th", {}, c)))),
        h("tbody", {}, ...source.columns.map((c) => h("tr", {},
          h("td", {}, h("code", {}, c.name)), h("td", {}, c.type), h("td", {}, c.required ? "yes" : ""), h("td", {}, c.rules.join("; "))))))),
    source.kind === "database" ? watermark(source) : "",
    source.kind === "database" ? extractions(source) : "",
    loads(source));
}

function watermark(source: Source): HTMLElement {
  const state = source.state;
  if (!state) return h("p", { class: "watermark muted" }, "Not extracted yet.");
  return h("p", { class: "watermark" }, "Next window from ", h("code", {}, state.position ?? "(start)"),
    state.cursor ? h("span", {}, ", after ", h("code", {}, state.cursor.join(", "))) : "",
    ` · moved ${relativeTime(state.updated_at)}`);
}

function extractions(source: Source): HTMLElement {
  if (source.extractions.length === 0) return h("p", { class: "muted" }, "No extractions yet.");
  return h("table", { class: "grid extractions" },
    h("caption", {}, "Latest extractions"),
    h("thead", {}, h("tr", {}, ...["When", "Window", "Rows", "Rejected", "Took", "Status"].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...source.extractions.map((e) => h("tr", { class: e.status === "failed" ? "refused" : "" },
      h("td", { title: e.at }, relativeTime(e.at)),
      h("td", {}, e.window_from ? `${e.window_from} → ${e.window_to}` : ""),
      h("td", { class: "number" }, e.rows.toLocaleString("en-US")),
      h("td", { class: "number" }, e.rejected.toLocaleString("en-US")),
      h("td", { class: "number" }, `${e.duration_ms} ms`),
      h("td", { class: e.status === "failed" ? "error-text" : "" }, e.status, e.error ? h("div", { class: "muted" }, e.error) : "",
        e.warning ? h("div", { class: "muted" }, e.warning) : "")))));
}

function loads(source: Source): HTMLElement {
  if (source.loads.length === 0) return h("p", { class: "muted" }, "Nothing loaded yet.");
  return h("table", { class: "grid loads" },
    h("caption", {}, "Latest loads"),
    h("thead", {}, h("tr", {}, ...["Load", "When", "From", "Rows", "Rejected"].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...source.loads.map((l) => h("tr", {},
      h("td", { class: "number" }, `#${l.load_id}`),
      h("td", { title: l.at }, relativeTime(l.at)),
      h("td", {}, h("code", {}, l.path)),
      h("td", { class: "number" }, l.rows_loaded.toLocaleString("en-US")),
      h("td", { class: "number" }, l.rows_rejected.toLocaleString("en-US"))))));
}
