import { api, type AuditEntry } from "../api";
import { h, message, relativeTime } from "../dom";

/**
 * `/audit` (admins): the audit log newest first, who did what to what and how it ended, filtered by principal or to
 * refused requests, paged. Reading it needs an admin's key or the sign-in link's session.
 */
export async function renderAudit(container: HTMLElement, _params: Record<string, string>, signal: AbortSignal): Promise<void> {
  const principal = h("input", { type: "search", placeholder: "principal", "aria-label": "principal", class: "search" });
  const refused = h("input", { type: "checkbox", "aria-label": "refused only" });
  const body = h("tbody");
  const status = h("p", { class: "muted" });
  const pager = h("div", { class: "pager" });
  container.append(
    h("h1", {}, "Audit log"),
    h("p", { class: "muted" }, "Every write, every read of warehouse rows, every refused request and every key change, newest first. ",
      "Each record is chained to the one before by a hash: ", h("code", {}, "analytics audit verify"), " finds the first one changed."),
    h("div", { class: "toolbar" }, principal, h("label", {}, refused, " refused only (401, 403)"), status),
    h("table", { class: "grid audit" },
      h("thead", {}, h("tr", {}, ...["#", "When", "Principal", "Action", "Target", "Outcome", "Client"].map((c) => h("th", {}, c)))),
      body),
    pager);

  async function load(page: number): Promise<void> {
    try {
      const result = await api.audit(page, principal.value.trim() || undefined, refused.checked);
      if (signal.aborted) return;
      body.replaceChildren(...result.entries.map(row));
      status.textContent = `${result.total.toLocaleString("en-US")} record(s)`;
      if (result.entries.length === 0) body.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "Nothing recorded matches.")));
      pager.replaceChildren(
        page > 1 ? h("button", { onclick: () => void load(page - 1) }, "← Newer") : "",
        h("span", { class: "muted" }, ` page ${page} `),
        page * result.page_size < result.total ? h("button", { onclick: () => void load(page + 1) }, "Older →") : "");
    } catch (error) {
      body.replaceChildren();
      pager.replaceChildren(message(`${(error as Error).message} The audit log is for admins: open the sign-in link the AppHost prints.`, "error"));
    }
  }

  principal.addEventListener("change", () => void load(1));
  refused.addEventListener("change", () => void load(1));
  await load(1);
}

function row(entry: AuditEntry): HTMLTableRowElement {
  const refusedRequest = entry.outcome === 401 || entry.outcome === 403;
  return h("tr", { "data-seq": String(entry.seq), class: refusedRequest ? "refused" : "" },
    h("td", { class: "number" }, String(entry.seq)),
    h("td", { title: entry.at }, relativeTime(entry.at)),
    h("td", {}, entry.principal),
    h("td", {}, h("code", {}, entry.action)),
    h("td", {}, entry.target ?? ""),
    h("td", { class: refusedRequest || entry.outcome >= 400 ? "error-text" : "" }, String(entry.outcome)),
    h("td", { class: "muted" }, entry.client ?? ""));
}
