import { ensureSignedIn } from "../actions";
import { api, ApiError, type AlertIncident, type Schedule, type Sensor } from "../api";
import { formatNumber, formatTime, h, link, message, relativeTime } from "../dom";
import { runBadge } from "../status";

/** `/automation`: the schedules with their ticks (pause, resume, tick now), the landing sensor's files, and alert incidents. */
export async function renderAutomation(container: HTMLElement, _params: Record<string, string>, signal: AbortSignal): Promise<void> {
  const schedules = h("section", { id: "schedules" });
  const sensors = h("section", { id: "sensors" });
  const alerts = h("section", { id: "alerts" });
  const notice = h("div", {});
  container.append(h("h1", {}, "Automation"), notice, schedules, sensors, alerts);

  async function load(): Promise<void> {
    const [s, n, a] = await Promise.all([api.schedules().catch((e: Error) => e), api.sensors(), api.alerts().catch((e: Error) => e)]);
    if (signal.aborted) return;
    schedules.replaceChildren(h("h2", {}, "Schedules"), s instanceof Error ? message(s.message, "error") : scheduleTable(s));
    sensors.replaceChildren(h("h2", {}, "Landing sensor"), ...n.map(sensorView));
    alerts.replaceChildren(h("h2", {}, "Alerts"), a instanceof Error ? message(a.message, "error") : alertView(a.channels, a.incidents));
  }

  async function act(name: string, action: "pause" | "resume" | "tick"): Promise<void> {
    if (!(await ensureSignedIn((text) => notice.replaceChildren(message(text, "error"))))) return;
    try {
      await api.scheduleAction(name, action);
      notice.replaceChildren(message(action === "tick" ? `${name} ticked: its run is queued.` : `${name} ${action === "pause" ? "paused" : "resumed"}.`));
    } catch (error) {
      notice.replaceChildren(message(error instanceof ApiError ? error.detail : (error as Error).message, "error"));
    }
    await load();
  }

  function scheduleTable(list: Schedule[]): HTMLElement {
    if (list.length === 0) return message("No schedules: assets-sql/schedules.yml declares none.");
    return h("table", { class: "grid schedules" },
      h("thead", {}, h("tr", {}, ...["Schedule", "Cron", "Selection", "Next tick (UTC)", "Latest ticks (UTC)", ""].map((c) => h("th", {}, c)))),
      h("tbody", {}, ...list.map((s) => h("tr", { "data-schedule": s.name },
        h("td", {}, h("strong", {}, s.name), h("div", { class: "muted small" }, `catch-up: ${s.catch_up}`)),
        h("td", {}, h("code", {}, s.cron), h("div", { class: "muted small" }, s.timezone)),
        h("td", {}, h("code", {}, s.selection)),
        h("td", { title: s.next_tick_at ?? "" }, s.paused ? h("span", { class: "badge state-stale" }, "paused") : formatTime(s.next_tick_at)),
        h("td", {}, s.ticks.length === 0 ? h("span", { class: "muted" }, "none yet") : h("ul", { class: "ticks" }, ...s.ticks.slice(0, 5).map((t) =>
          h("li", { title: t.reason ?? "" }, formatTime(t.scheduled_at), " ",
            t.run_id ? link(`/runs/${t.run_id}`, runBadge(t.run_status ?? t.status)) : h("span", { class: "badge run-canceled" }, t.status),
            t.reason && !t.run_id ? h("span", { class: "muted small" }, ` ${t.reason}`) : "")))),
        h("td", { class: "actions" },
          h("button", { onclick: () => void act(s.name, s.paused ? "resume" : "pause") }, s.paused ? "Resume" : "Pause"),
          h("button", { onclick: () => void act(s.name, "tick") }, "Tick now"))))));
  }

  await load();
  const timer = setInterval(() => void load().catch(() => undefined), 5000);
  signal.addEventListener("abort", () => clearInterval(timer));
}

function sensorView(sensor: Sensor): HTMLElement {
  return h("div", { class: "sensor", "data-sensor": sensor.name },
    h("p", {}, "Watching ", h("code", {}, sensor.location), sensor.swept_at ? ` · last looked ${relativeTime(sensor.swept_at)}` : " · not swept yet (a worker with Analytics__Worker__Sensor=true sweeps it)"),
    sensor.last_error ? message(sensor.last_error, "error") : "",
    sensor.files.length === 0 ? message("No file seen yet. Drop a CSV there: it is ingested and raw_events+ rebuilt.") :
      h("table", { class: "grid sensor-files" },
        h("thead", {}, h("tr", {}, ...["File", "Status", "Loaded", "Rejected", "Run", "Changed"].map((c) => h("th", {}, c)))),
        h("tbody", {}, ...sensor.files.map((f) => h("tr", {},
          h("td", {}, h("code", {}, f.path.split("/").pop() ?? f.path)),
          h("td", { title: f.reason ?? "" }, h("span", { class: `badge ${f.status === "refused" ? "state-failed" : "state-fresh"}` }, f.status.replace("_", " ")),
            f.reason ? h("div", { class: "muted small" }, f.reason) : ""),
          h("td", { class: "number" }, formatNumber(f.rows_loaded)),
          h("td", { class: "number" }, formatNumber(f.rows_rejected)),
          h("td", {}, f.run_id ? link(`/runs/${f.run_id}`, h("code", {}, f.run_id.slice(0, 8))) : "–"),
          h("td", { title: f.changed_at }, relativeTime(f.changed_at)))))));
}

function alertView(channels: string[], incidents: AlertIncident[]): HTMLElement {
  return h("div", {},
    h("p", { class: "muted" }, channels.length ? `Sent to ${channels.join(" and ")}.` : "No channel configured (SLACK_WEBHOOK_URL, Analytics__Alerts__Smtp__*): incidents are recorded here only."),
    incidents.length === 0 ? message("No incidents.") :
      h("table", { class: "grid incidents" },
        h("thead", {}, h("tr", {}, ...["Rule", "Subject", "Status", "Summary", "Opened", "Messages"].map((c) => h("th", {}, c)))),
        h("tbody", {}, ...incidents.map((i) => h("tr", { "data-incident": i.id },
          h("td", {}, i.rule),
          h("td", {}, i.link ? h("a", { href: i.link }, i.subject) : i.subject),
          h("td", {}, h("span", { class: `badge ${i.status === "open" ? "state-failed" : "state-fresh"}` }, i.status)),
          h("td", {}, i.summary),
          h("td", { title: i.opened_at }, relativeTime(i.opened_at), i.resolved_at ? h("div", { class: "muted small" }, `resolved ${relativeTime(i.resolved_at)}`) : ""),
          h("td", {}, ...i.deliveries.map((d) => h("div", { class: "small", title: d.last_error ?? "" },
            `${d.kind} → ${d.channel}: ${d.status}${d.attempts > 1 ? ` (${d.attempts} attempts)` : ""}`))))))));
}
