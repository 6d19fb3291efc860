import { api, type Run } from "../api";
import { formatDuration, h, link, relativeTime } from "../dom";
import { runBadge } from "../status";

const statuses = ["queued", "running", "succeeded", "failed", "canceled"];

/** `/runs`: runs newest first with status, selection, who asked and duration; a status filter and paging. */
export async function renderRuns(container: HTMLElement, _params: Record<string, string>, signal: AbortSignal): Promise<void> {
  const query = new URLSearchParams(location.search);
  const status = query.get("status") ?? "";
  const page = Math.max(1, Number.parseInt(query.get("page") ?? "1", 10) || 1);
  const filter = h("select", { "aria-label": "status", name: "status" },
    h("option", { value: "" }, "all statuses"), ...statuses.map((s) => h("option", { value: s, selected: s === status }, s)));
  filter.addEventListener("change", () => {
    const next = new URLSearchParams();
    if (filter.value) next.set("status", filter.value);
    history.replaceState(null, "", `/runs${next.size ? `?${next}` : ""}`);
    void load(1);
  });
  const body = h("tbody");
  const pager = h("div", { class: "pager" });
  container.append(
    h("h1", {}, "Runs"),
    h("div", { class: "toolbar" }, filter),
    h("table", { class: "grid runs" },
      h("thead", {}, h("tr", {}, ...["Run", "Status", "Selection", "Kind", "Requested by", "Created", "Duration"].map((c) => h("th", {}, c)))),
      body),
    pager);

  async function load(pageNumber: number): Promise<void> {
    const result = await api.runs(pageNumber, filter.value || undefined);
    if (signal.aborted) return;
    body.replaceChildren(...result.runs.map(row));
    if (result.runs.length === 0) body.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No runs yet. Materialize an asset from its page.")));
    pager.replaceChildren(
      pageNumber > 1 ? h("button", { onclick: () => void load(pageNumber - 1) }, "← Newer") : "",
      h("span", { class: "muted" }, ` page ${pageNumber} `),
      result.runs.length === result.page_size ? h("button", { onclick: () => void load(pageNumber + 1) }, "Older →") : "");
  }
  await load(page);
  // Queued and running runs change: refresh while the page is open.
  const timer = setInterval(() => void load(page).catch(() => undefined), 3000);
  signal.addEventListener("abort", () => clearInterval(timer));
}

export function runDuration(run: Run): number | null {
  if (!run.started_at) return null;
  return (run.finished_at ? Date.parse(run.finished_at) : Date.now()) - Date.parse(run.started_at);
}

function row(run: Run): HTMLTableRowElement {
  return h("tr", { "data-run": run.run_id },
    h("td", {}, link(`/runs/${run.run_id}`, h("code", {}, run.run_id.slice(0, 8)))),
    h("td", {}, runBadge(run.status)),
    h("td", {}, h("code", {}, run.selection)),
    h("td", {}, run.kind),
    h("td", {}, run.requested_by ?? "–"),
    h("td", { title: run.created_at }, relativeTime(run.created_at)),
    h("td", { class: "number" }, formatDuration(runDuration(run))));
}
