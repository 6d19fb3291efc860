import "./style.css";
import { api, storeKey, storedKey } from "./api";
import { h } from "./dom";

/** A page draws into its container and may return a cleanup (stop following a run, dispose charts). */
export type Page = (container: HTMLElement, params: Record<string, string>, signal: AbortSignal) => Promise<void>;

// Each page is its own chunk: the catalog does not wait for ECharts, nor the dashboards for ELK.
const routes: { pattern: RegExp; nav: string; page: () => Promise<Page> }[] = [
  { pattern: /^\/$/, nav: "catalog", page: () => import("./pages/catalog").then((m) => m.renderCatalog) },
  { pattern: /^\/lineage$/, nav: "lineage", page: () => import("./pages/lineage").then((m) => m.renderLineage) },
  { pattern: /^\/assets\/(?<key>[^/]+)$/, nav: "catalog", page: () => import("./pages/asset").then((m) => m.renderAsset) },
  { pattern: /^\/runs$/, nav: "runs", page: () => import("./pages/runs").then((m) => m.renderRuns) },
  { pattern: /^\/runs\/(?<id>[^/]+)$/, nav: "runs", page: () => import("./pages/run").then((m) => m.renderRun) },
  { pattern: /^\/sources$/, nav: "sources", page: () => import("./pages/sources").then((m) => m.renderSources) },
  { pattern: /^\/automation$/, nav: "automation", page: () => import("./pages/automation").then((m) => m.renderAutomation) },
  { pattern: /^\/dashboards$/, nav: "dashboards", page: () => import("./pages/dashboards").then((m) => m.renderDashboards) },
  { pattern: /^\/audit$/, nav: "audit", page: () => import("./pages/audit").then((m) => m.renderAudit) },
];

let current: AbortController | null = null;

async function route(): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const app = document.getElementById("app")!;
  const path = location.pathname.replace(/\/+$/, "") || "/";
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) a.classList.toggle("active", a.dataset.nav === match?.r.nav);
  const container = h("div", { class: "page" });
  app.replaceChildren(container);
  if (!match) {
    container.append(h("h1", {}, "Not found"), h("p", {}, "No page here. ", h("a", { href: "/" }, "Back to the catalog")));
    return;
  }
  const params = Object.fromEntries(Object.entries(match.m!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
  try {
    const page = await match.r.page();
    if (controller.signal.aborted) return;
    await page(container, params, controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return;
    container.append(h("p", { class: "message error" }, `Could not load this page: ${(error as Error).message}`));
  }
}

export function navigate(href: string): void {
  history.pushState(null, "", href);
  void route();
}

// Same-origin links move without a page load.
document.addEventListener("click", (event) => {
  const anchor = (event.target as Element).closest("a");
  if (!anchor || anchor.target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/openapi/") || url.pathname.startsWith("/superset")) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", () => void route());

/** Shows whether writes are signed in; a click asks for the key, kept for this browser session only. */
export async function renderSession(): Promise<void> {
  const slot = document.getElementById("session")!;
  let signedIn = false;
  try {
    signedIn = (await api.session()).signed_in;
  } catch {
    // the page still reads without it
  }
  if (signedIn || storedKey()) {
    const out = h("button", { class: "link", title: "Forget the key for this tab", onclick: () => { storeKey(null); void renderSession(); } }, "sign out");
    slot.replaceChildren(h("span", { class: "signed-in" }, "signed in for writes"), signedIn && !storedKey() ? "" : out);
  } else {
    slot.replaceChildren(h("button", { class: "link", onclick: () => void askForKey() }, "sign in for writes"));
  }
}

/** Asks for the API key once; true when one was given. */
export async function askForKey(): Promise<boolean> {
  const key = window.prompt("API key (the AppHost prints it at start-up). It is kept for this browser tab only.");
  if (!key) return false;
  storeKey(key.trim());
  await renderSession();
  return true;
}

void renderSession();
void route();
