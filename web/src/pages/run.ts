import { api, followRun, runEventKinds, type Run, type RunEvent, type StatementTiming, type Step } from "../api";
import { write } from "../actions";
import { formatDuration, formatNumber, formatTime, h, link, message } from "../dom";
import { runBadge } from "../status";
import { runDuration } from "./runs";

const finished = new Set(["succeeded", "failed", "canceled"]);

/**
 * `/runs/{id}`: a Gantt of the steps, each step's status, rows and time, its warehouse statements with their timings and its
 * check results (a step's "details"), errors and failing checks, and the event log; live over SSE.
 */
export async function renderRun(container: HTMLElement, params: Record<string, string>, signal: AbortSignal): Promise<void> {
  const id = params.id;
  const head = h("div", { class: "run-head" });
  const gantt = h("div", { class: "gantt", "aria-label": "Step timeline" });
  const steps = h("tbody");
  const problems = h("section", { class: "problems" });
  const status = h("p", { class: "message error", role: "alert" });
  status.hidden = true;
  const onError = (text: string) => { status.hidden = false; status.textContent = text; };
  // The event log: every event of the run, as it happens, filterable by asset and kind (a step's "log" button filters to it).
  const events: RunEvent[] = [];
  const assetFilter = h("select", { "aria-label": "event asset" }, h("option", { value: "" }, "every asset"));
  const kindFilter = h("select", { "aria-label": "event kind" }, h("option", { value: "" }, "every kind"), ...runEventKinds.map((k) => h("option", { value: k }, k.replace(/_/g, " "))));
  const log = h("tbody");
  const drawLog = () => {
    const known = new Set([...assetFilter.options].map((o) => o.value));
    for (const key of new Set(events.map((e) => e.asset_key).filter((k): k is string => !!k))) {
      if (!known.has(key)) assetFilter.append(h("option", { value: key }, key));
    }
    log.replaceChildren(...events.filter((e) => (!assetFilter.value || e.asset_key === assetFilter.value) && (!kindFilter.value || e.kind === kindFilter.value))
      .map((e) => h("tr", { "data-event-kind": e.kind, "data-event-asset": e.asset_key ?? "" },
        h("td", {}, formatTime(e.at).slice(11)), h("td", {}, e.kind.replace(/_/g, " ")), h("td", {}, e.asset_key ?? ""), h("td", {}, e.message ?? ""))));
  };
  assetFilter.addEventListener("change", drawLog);
  kindFilter.addEventListener("change", drawLog);
  const showStepLog = (key: string) => { assetFilter.value = key; drawLog(); logSection.scrollIntoView({ block: "start" }); };
  // Steps whose details (statements with timings, check results) are open; they are read from the step's own events.
  const open = new Set<string>();
  const toggle = (key: string) => { if (!open.delete(key)) open.add(key); drawSteps(); };
  const logSection = h("section", { class: "event-log" }, h("h2", {}, "Event log"), h("div", { class: "toolbar" }, assetFilter, kindFilter),
    h("table", { class: "grid events" }, h("thead", {}, h("tr", {}, ...["At", "Kind", "Asset", "Message"].map((c) => h("th", {}, c)))), log));
  container.append(head, status,
    h("section", {}, h("h2", {}, "Timeline"), gantt),
    h("section", {}, h("h2", {}, "Steps"), h("table", { class: "grid steps" },
      h("thead", {}, h("tr", {}, ...["Asset", "Status", "Rows written", "Duration", "Started", ""].map((c) => h("th", {}, c)))), steps)),
    problems, logSection);

  let run = await api.run(id);
  const draw = async () => {
    head.replaceChildren(
      h("h1", {}, "Run ", h("code", {}, run.run_id.slice(0, 8)), " ", runBadge(run.status)),
      h("p", { class: "meta" }, h("code", {}, run.selection), ` · ${run.kind}${buildLabel(run)} · requested by ${run.requested_by ?? "–"} · created ${formatTime(run.created_at)}`,
        ` · ${formatDuration(runDuration(run))}`, run.worker ? ` · worker ${run.worker}` : "",
        run.parent_run_id ? h("span", {}, " · retry of ", link(`/runs/${run.parent_run_id}`, run.parent_run_id.slice(0, 8))) : ""),
      h("div", { class: "actions" },
        finished.has(run.status) ? null : h("button", { class: "danger", onclick: () => void write(() => api.cancel(id), onError) }, "Cancel"),
        finished.has(run.status) && run.status !== "succeeded" ? h("button", { class: "primary", onclick: () => void write(() => api.retry(id), onError) }, "Retry") : null));
    drawGantt(gantt, run);
    drawSteps();
    await drawProblems(problems, run);
  };
  const drawSteps = () => steps.replaceChildren(...(run.steps ?? []).flatMap((s) => [
    h("tr", { "data-step": s.asset_key, "data-status": s.status },
      h("td", {}, link(`/assets/${encodeURIComponent(s.asset_key)}`, s.asset_key)),
      h("td", {}, runBadge(s.status)),
      h("td", { class: "number" }, formatNumber(s.rows)),
      h("td", { class: "number" }, formatDuration(s.duration_ms)),
      h("td", {}, s.started_at ? formatTime(s.started_at).slice(11) : "–"),
      h("td", { class: "step-buttons" },
        h("button", { class: "link", "data-step-details": s.asset_key, "aria-expanded": String(open.has(s.asset_key)), onclick: () => toggle(s.asset_key) }, "details"),
        h("button", { class: "link", "data-step-log": s.asset_key, onclick: () => showStepLog(s.asset_key) }, "log"))),
    ...(open.has(s.asset_key) ? [h("tr", { class: "step-details", "data-step-detail": s.asset_key }, h("td", { colspan: "6" }, stepDetails(s, events)))] : []),
  ]));
  await draw();

  // The stream replays the run's events from the first, then follows a live run to its end (or closes, for a finished one).
  const live = !finished.has(run.status);
  let pending = false;
  const refresh = async () => {
    if (!live || pending || signal.aborted) return;
    pending = true;
    try {
      run = await api.run(id);
      await draw();
    } finally {
      pending = false;
    }
  };
  const stop = followRun(id, (event) => {
    events.push(event);
    drawLog();
    if (open.has(event.asset_key ?? "")) drawSteps();
    void refresh();
  }, () => void refresh());
  signal.addEventListener("abort", stop);
}

/** " · full refresh" or " · backfill FROM..TO" for a run that builds so; nothing for an ordinary one. */
export function buildLabel(run: Run): string {
  if (run.full_refresh) return " · full refresh";
  return run.backfill_from && run.backfill_to ? ` · backfill ${run.backfill_from}..${run.backfill_to}` : "";
}

/**
 * A step's details from its own events: each warehouse statement as a bar on the step's time axis with its duration
 * (slowest first in the title), and each check with its outcome and failing rows' sample.
 */
function stepDetails(step: Step, events: RunEvent[]): HTMLElement {
  const mine = events.filter((e) => e.asset_key === step.asset_key);
  const finished = mine.find((e) => e.kind === "step_finished")?.payload as { statements?: StatementTiming[] } | undefined;
  const statements = finished?.statements ?? [];
  const checks = mine.filter((e) => e.kind === "check_result").map((e) => e.payload as
    { name: string; passed: boolean; failing_rows: number; severity: string; sample?: string[]; error?: string | null });
  const parts: Node[] = [];
  if (!finished) {
    parts.push(message(step.status === "queued" || step.status === "running" || step.status === "waiting"
      ? "The step has not finished; its statements show when it does." : "No statements were recorded for this step."));
  } else if (statements.length === 0) {
    parts.push(message("The step sent no statement to the warehouse (up to date, skipped, or a view of nothing new)."));
  } else {
    const end = Math.max(...statements.map((t) => t.start_ms + t.duration_ms), 1);
    const total = statements.reduce((sum, t) => sum + t.duration_ms, 0);
    parts.push(h("p", { class: "muted" }, `${statements.length} statement(s), ${formatDuration(total)} in the warehouse`),
      h("ol", { class: "statements" }, ...statements.map((t) => h("li", { class: t.failed ? "statement failed" : "statement", "data-statement-ms": String(t.duration_ms) },
        h("div", { class: "statement-track" }, h("div", { class: "statement-bar", style: `left:${(t.start_ms / end) * 100}%;width:${Math.max((t.duration_ms / end) * 100, 0.4)}%` })),
        h("span", { class: "number statement-time" }, formatDuration(t.duration_ms)),
        h("details", {}, h("summary", {}, h("code", {}, firstLine(t.sql))), h("pre", { class: "sql" }, t.sql))))));
  }
  if (checks.length) {
    parts.push(h("ul", { class: "step-checks" }, ...checks.map((c) => h("li", { class: c.passed ? "check check-passed" : "check check-failed", "data-check": c.name },
      h("strong", {}, c.name), h("span", { class: "muted" }, ` ${c.severity} · ${c.passed ? "passed" : `${formatNumber(c.failing_rows)} failing rows`}${c.error ?? ""}`),
      !c.passed && c.sample?.length ? h("ul", { class: "sample-rows" }, ...c.sample.map((r) => h("li", {}, h("code", {}, r)))) : null))));
  }
  return h("div", { class: "step-detail" }, ...parts);
}

function firstLine(sql: string): string {
  const line = sql.trim().split("\n")[0];
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

function drawGantt(container: HTMLElement, run: Run): void {
  const timed = (run.steps ?? []).filter((s) => s.started_at);
  if (timed.length === 0) {
    container.replaceChildren(message(run.status === "queued" ? "Queued: no step has started." : "No step ran."));
    return;
  }
  const start = Math.min(...timed.map((s) => Date.parse(s.started_at!)));
  const end = Math.max(...timed.map((s) => (s.finished_at ? Date.parse(s.finished_at) : Date.now())), start + 1);
  const span = end - start;
  container.replaceChildren(...(run.steps ?? []).map((s: Step) => {
    const from = s.started_at ? Date.parse(s.started_at) : null;
    const to = s.finished_at ? Date.parse(s.finished_at) : Date.now();
    const bar = from === null ? h("div", { class: "bar none" })
      : h("div", { class: `bar run-${s.status}`, style: `left:${((from - start) / span) * 100}%;width:${Math.max(((to - from) / span) * 100, 0.4)}%`,
        title: `${s.asset_key}: ${s.status}, ${formatDuration(s.duration_ms ?? to - from)}` });
    return h("div", { class: "gantt-row" }, h("span", { class: "gantt-label" }, s.asset_key), h("div", { class: "gantt-track" }, bar));
  }), h("div", { class: "gantt-axis muted" }, h("span", {}, "0 s"), h("span", {}, formatDuration(span))));
}

async function drawProblems(container: HTMLElement, run: Run): Promise<void> {
  const failed = (run.steps ?? []).filter((s) => s.error || s.status === "check_failed");
  const parts: Node[] = [];
  if (run.error) parts.push(h("div", { class: "problem" }, h("h3", {}, "Run error"), h("pre", { class: "error-text" }, run.error)));
  for (const step of failed) {
    const part = h("div", { class: "problem", "data-problem": step.asset_key }, h("h3", {}, step.asset_key, " ", h("span", { class: "muted" }, step.status.replace("_", " "))));
    if (step.error) part.append(h("pre", { class: "error-text" }, step.error));
    if (step.status === "check_failed" || step.status === "succeeded") {
      const asset = await api.asset(step.asset_key);
      for (const check of asset.check_results.filter((c) => !c.passed && c.run_id === run.run_id)) {
        const sample = Array.isArray(check.sample) ? (check.sample as string[]) : [];
        part.append(h("div", { class: "check check-failed", "data-check": check.name },
          h("strong", {}, check.name), h("span", { class: "muted" }, ` ${check.severity} · ${formatNumber(check.failing_rows)} failing rows`),
          sample.length ? h("ul", { class: "sample-rows" }, ...sample.map((r) => h("li", {}, h("code", {}, r)))) : null));
      }
    }
    parts.push(part);
  }
  container.replaceChildren(...(parts.length ? [h("h2", {}, "Errors and failing checks"), ...parts] : []));
}
