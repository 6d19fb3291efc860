import { api, type MartRows } from "../api";
import type { ChartOption } from "../charts";
import { formatNumber, h, message } from "../dom";

type Grain = "week" | "month";

/**
 * `/dashboards`: the growth dashboard, read from the marts only (never the event tables). A date range filters
 * every chart; the week/month switch applies where a mart has both grains.
 */
export async function renderDashboards(container: HTMLElement, _params: Record<string, string>, signal: AbortSignal): Promise<void> {
  const query = new URLSearchParams(location.search);
  // No range in the URL means all of history; the inputs show its bounds once the first chart has them.
  const from = h("input", { type: "date", "aria-label": "from", value: query.get("from") ?? "" });
  const to = h("input", { type: "date", "aria-label": "to", value: query.get("to") ?? "" });
  let grain: Grain = query.get("grain") === "month" ? "month" : "week";
  const grainButtons = (["week", "month"] as Grain[]).map((g) =>
    h("button", { class: g === grain ? "toggle on" : "toggle", "data-grain": g, onclick: () => { grain = g; void draw(); } }, g));
  const board = h("div", { class: "board" });
  container.append(
    h("div", { class: "dash-head" }, h("h1", {}, "Growth dashboard"),
      h("div", { class: "toolbar" }, h("label", {}, "From ", from), h("label", {}, "To ", to), h("span", { class: "segmented" }, ...grainButtons))),
    board);
  from.addEventListener("change", () => void draw());
  to.addEventListener("change", () => void draw());

  let drawing: AbortController | null = null;
  async function draw(): Promise<void> {
    drawing?.abort();
    const controller = new AbortController();
    drawing = controller;
    signal.addEventListener("abort", () => controller.abort());
    for (const b of grainButtons) b.classList.toggle("on", b.dataset.grain === grain);
    const next = new URLSearchParams({ grain });
    if (from.value) next.set("from", from.value);
    if (to.value) next.set("to", to.value);
    history.replaceState(null, "", `/dashboards?${next}`);
    board.replaceChildren();
    await drawBoard(board, { from: from.value, to: to.value }, grain, controller.signal, (first, last) => {
      from.value ||= first;
      to.value ||= last;
    });
  }
  await draw();
}

interface Range { from: string; to: string }

function panel(board: HTMLElement, title: string, id: string, wide = false): HTMLElement {
  const body = h("div", { class: "chart", "data-chart": id });
  board.append(h("section", { class: wide ? "panel wide" : "panel" }, h("h2", {}, title), body));
  return body;
}

// ECharts is loaded while the first mart rows are on their way, not before they are asked for.
const charting = import("../charts");
let palette: string[] = [];
const chart = async (container: HTMLElement, option: ChartOption | (() => ChartOption), signal?: AbortSignal) => {
  const module = await charting;
  palette = module.palette;
  if (signal?.aborted) return;
  module.chart(container, typeof option === "function" ? option() : option, signal);
};

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const column = (rows: MartRows, name: string) => rows.columns.findIndex((c) => c.name === name);
const values = (rows: MartRows, name: string) => { const i = column(rows, name); return rows.rows.map((r) => r[i]); };

async function drawBoard(board: HTMLElement, range: Range, grain: Grain, signal: AbortSignal, bounds: (first: string, last: string) => void): Promise<void> {
  const kpis = h("section", { class: "kpis" });
  board.append(kpis);
  const panels = {
    accounting: panel(board, `Growth accounting by ${grain}`, "growth-accounting", true),
    active: panel(board, "DAU, WAU, MAU and stickiness", "active-users", true),
    cohorts: panel(board, `Cohort retention by ${grain}`, "cohort-retention", true),
    comebacks: panel(board, `Comebacks by dormancy, per ${grain}`, "comebacks"),
    miles: panel(board, "Miles earned vs redeemed by category", "miles"),
    channel: panel(board, "Weekly retention by acquisition channel", "retention-utm_source"),
    platform: panel(board, "Weekly retention by platform", "retention-platform"),
    country: panel(board, "Weekly retention by country", "retention-country"),
    engagement: panel(board, "Category engagement by week", "category-engagement"),
  };
  const between = (name: string) => [
    ...(range.from ? [`${name}:gte:${range.from}`] : []),
    ...(range.to ? [`${name}:lte:${range.to}`] : []),
  ];
  const failed = (target: HTMLElement) => (error: unknown) => target.replaceChildren(message((error as Error).message, "error"));

  await Promise.all([
    drawKpis(kpis, range, grain).catch(failed(kpis)),
    api.mart("social_capital_growth_accounting", {
      columns: "period_start,new_users,resurrected_users,retained_users,churned_users,quick_ratio",
      filter: [`grain:eq:${grain}`, ...between("period_start")], order: "period_start",
    }).then((rows) => signal.aborted ? undefined : chart(panels.accounting, () => growthAccounting(rows), signal)).catch(failed(panels.accounting)),
    api.mart("growth_metrics", { columns: "date,dau,wau,mau,stickiness", filter: between("date"), order: "date", limit: "50000" })
      .then((rows) => {
        if (signal.aborted) return;
        if (rows.rows.length === 0) {
          panels.active.replaceChildren(message("No days in this range: ingest events and materialize the marts, or widen the range."));
          return;
        }
        bounds(String(rows.rows[0][0]), String(rows.rows[rows.rows.length - 1][0]));
        return chart(panels.active, () => activeUsers(rows), signal);
      }).catch(failed(panels.active)),
    api.mart("retention_cohorts", {
      columns: "cohort_start,period_number,retention_rate,cohort_size",
      filter: [`cohort_grain:eq:${grain}`, ...between("cohort_start")], order: "cohort_start", limit: "50000",
    }).then((rows) => signal.aborted ? undefined : chart(panels.cohorts, () => cohortTriangle(rows), signal)).catch(failed(panels.cohorts)),
    api.mart("user_resurrection_analysis", { group_by: "returned_date,dormancy_bucket", filter: between("returned_date"), order: "returned_date", limit: "50000" })
      .then((rows) => signal.aborted ? undefined : chart(panels.comebacks, () => comebacks(rows, grain), signal)).catch(failed(panels.comebacks)),
    api.mart("miles_analytics", { columns: "transaction_category,miles_earned,miles_redeemed", filter: between("date"), limit: "50000" })
      .then((rows) => signal.aborted ? undefined : chart(panels.miles, () => miles(rows), signal)).catch(failed(panels.miles)),
    api.mart("acquisition_channel_retention", { columns: "dimension,dimension_value,week_number,retention_rate,users", order: "week_number", limit: "50000" })
      .then((rows) => {
        if (signal.aborted) return;
        return Promise.all([
          chart(panels.channel, () => retentionCurves(rows, "utm_source"), signal),
          chart(panels.platform, () => retentionCurves(rows, "platform"), signal),
          chart(panels.country, () => retentionCurves(rows, "country"), signal),
        ]);
      }).catch((e) => { for (const p of [panels.channel, panels.platform, panels.country]) failed(p)(e); }),
    api.mart("category_engagement", { columns: "week_start,transaction_category,events", filter: between("week_start"), order: "week_start", limit: "50000" })
      .then((rows) => signal.aborted ? undefined : chart(panels.engagement, () => engagement(rows), signal)).catch(failed(panels.engagement)),
  ]);
}

async function drawKpis(container: HTMLElement, range: Range, grain: Grain): Promise<void> {
  const [latest, ratio, negative] = await Promise.all([
    api.mart("growth_metrics", { columns: "date,dau,wau,mau,stickiness", filter: range.to ? [`date:lte:${range.to}`] : [], order: "-date", limit: "1" }),
    api.mart("quick_ratio_analysis", { columns: "period_start,quick_ratio,growth_signal", filter: [`grain:eq:${grain}`, ...(range.to ? [`period_start:lte:${range.to}`] : [])], order: "-period_start", limit: "1" }),
    api.mart("users_with_negative_miles", { columns: "user_id", limit: "1" }),
  ]);
  const day = latest.rows[0] ?? [];
  const qr = ratio.rows[0] ?? [];
  const tile = (label: string, value: string, note: string, id: string) =>
    h("div", { class: "kpi", "data-kpi": id }, h("div", { class: "kpi-label" }, label), h("div", { class: "kpi-value" }, value), h("div", { class: "kpi-note muted" }, note));
  const stickiness = num(day[4]);
  container.replaceChildren(
    tile("DAU", formatNumber(num(day[1])), `on ${day[0] ?? "–"}`, "dau"),
    tile("WAU", formatNumber(num(day[2])), "last 7 days", "wau"),
    tile("MAU", formatNumber(num(day[3])), "last 28 days", "mau"),
    tile("Stickiness", stickiness === null ? "–" : `${(stickiness * 100).toFixed(1)}%`, "DAU / MAU", "stickiness"),
    tile("Quick ratio", qr[1] === null || qr[1] === undefined ? "–" : Number(qr[1]).toFixed(2), `${qr[2] ?? "–"} · ${grain} of ${qr[0] ?? "–"}`, "quick-ratio"),
    tile("Negative balance", formatNumber(negative.total), "users below zero miles at some point", "negative-miles"));
}

const axisTooltip = { trigger: "axis" } as const;
const compact = new Intl.NumberFormat("en-US", { notation: "compact" });

function growthAccounting(rows: MartRows): ChartOption {
  const periods = values(rows, "period_start").map(String);
  const series = (name: string, key: string, sign = 1, color?: string) => ({
    name, type: "bar", stack: "users", data: values(rows, key).map((v) => (num(v) ?? 0) * sign), itemStyle: color ? { color } : undefined,
  });
  return {
    tooltip: axisTooltip, legend: { top: 0 }, grid: { left: 60, right: 60, top: 36, bottom: 30 },
    xAxis: { type: "category", data: periods },
    yAxis: [{ type: "value", name: "users" }, { type: "value", name: "quick ratio", splitLine: { show: false } }],
    series: [
      series("new", "new_users", 1, palette[0]), series("resurrected", "resurrected_users", 1, palette[4]),
      series("retained", "retained_users", 1, palette[1]), series("churned", "churned_users", -1, palette[3]),
      { name: "quick ratio", type: "line", yAxisIndex: 1, data: values(rows, "quick_ratio").map(num), itemStyle: { color: palette[2] } },
    ],
  };
}

function activeUsers(rows: MartRows): ChartOption {
  return {
    tooltip: axisTooltip, legend: { top: 0 }, grid: { left: 60, right: 60, top: 36, bottom: 30 },
    xAxis: { type: "category", data: values(rows, "date").map(String) },
    yAxis: [{ type: "value", name: "users" }, { type: "value", name: "stickiness", max: 1, splitLine: { show: false } }],
    series: [
      { name: "DAU", type: "line", showSymbol: false, data: values(rows, "dau").map(num) },
      { name: "WAU", type: "line", showSymbol: false, data: values(rows, "wau").map(num) },
      { name: "MAU", type: "line", showSymbol: false, data: values(rows, "mau").map(num) },
      { name: "stickiness", type: "line", showSymbol: false, yAxisIndex: 1, lineStyle: { type: "dashed" }, data: values(rows, "stickiness").map(num) },
    ],
  };
}

function cohortTriangle(rows: MartRows): ChartOption {
  const cohorts = [...new Set(values(rows, "cohort_start").map(String))];
  const periods = Math.max(0, ...values(rows, "period_number").map((v) => Number(v))) + 1;
  const [c, k, r] = ["cohort_start", "period_number", "retention_rate"].map((n) => column(rows, n));
  const index = new Map(cohorts.map((x, i) => [x, i]));
  const cells = rows.rows.map((row) => [Number(row[k]), index.get(String(row[c]))!, Math.round((num(row[r]) ?? 0) * 1000) / 10]);
  return {
    tooltip: { formatter: (p: { value: number[] }) => `${cohorts[p.value[1]]}, period ${p.value[0]}: ${p.value[2]}%` },
    // The colour scale stands at the right, clear of the period labels and the axis name under the grid.
    grid: { left: 90, right: 80, top: 10, bottom: 46 },
    xAxis: { type: "category", name: "period", nameLocation: "middle", nameGap: 28, data: Array.from({ length: periods }, (_, i) => String(i)), splitArea: { show: true } },
    yAxis: { type: "category", data: cohorts, inverse: true },
    visualMap: { min: 0, max: 100, calculable: true, orient: "vertical", right: 0, top: "middle", itemHeight: 120, inRange: { color: ["#f4f7fd", "#3b6fd6"] }, text: ["100%", "0%"] },
    series: [{ type: "heatmap", data: cells, label: { show: cells.length <= 150, fontSize: 9 } }],
  };
}

/** The start (ISO date) of the ISO week or month holding an ISO date. */
function periodOf(date: string, grain: Grain): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (grain === "month") return `${date.slice(0, 7)}-01`;
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000);
  return monday.toISOString().slice(0, 10);
}

function comebacks(rows: MartRows, grain: Grain): ChartOption {
  const buckets = ["short", "medium", "long", "very_long"];
  const [d, b, n] = ["returned_date", "dormancy_bucket", "count"].map((x) => column(rows, x));
  const totals = new Map<string, Map<string, number>>();
  for (const row of rows.rows) {
    const period = periodOf(String(row[d]), grain);
    const byBucket = totals.get(period) ?? new Map<string, number>();
    byBucket.set(String(row[b]), (byBucket.get(String(row[b])) ?? 0) + Number(row[n]));
    totals.set(period, byBucket);
  }
  const periods = [...totals.keys()].sort();
  return {
    tooltip: axisTooltip, legend: { top: 0 }, grid: { left: 50, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", data: periods }, yAxis: { type: "value", name: "comebacks" },
    series: buckets.map((bucket) => ({ name: bucket.replace("_", " "), type: "bar", stack: "comebacks", data: periods.map((p) => totals.get(p)!.get(bucket) ?? 0) })),
  };
}

function miles(rows: MartRows): ChartOption {
  const [c, e, r] = ["transaction_category", "miles_earned", "miles_redeemed"].map((x) => column(rows, x));
  const sums = new Map<string, [number, number]>();
  for (const row of rows.rows) {
    const sum = sums.get(String(row[c])) ?? [0, 0];
    sum[0] += num(row[e]) ?? 0;
    sum[1] += num(row[r]) ?? 0;
    sums.set(String(row[c]), sum);
  }
  const categories = [...sums.keys()].sort((a, b) => sums.get(b)![0] - sums.get(a)![0]);
  return {
    tooltip: axisTooltip, legend: { top: 0 }, grid: { left: 110, right: 20, top: 36, bottom: 30 },
    yAxis: { type: "category", data: categories, inverse: true },
    xAxis: { type: "value", name: "miles", axisLabel: { formatter: (v: number) => compact.format(v) } },
    series: [
      { name: "earned", type: "bar", data: categories.map((x) => Math.round(sums.get(x)![0])), itemStyle: { color: palette[1] } },
      { name: "redeemed", type: "bar", data: categories.map((x) => Math.round(sums.get(x)![1])), itemStyle: { color: palette[3] } },
    ],
  };
}

function retentionCurves(rows: MartRows, dimension: string): ChartOption {
  const [dim, value, week, rate, users] = ["dimension", "dimension_value", "week_number", "retention_rate", "users"].map((x) => column(rows, x));
  const curves = new Map<string, Map<number, number>>();
  const size = new Map<string, number>();
  for (const row of rows.rows) {
    if (row[dim] !== dimension) continue;
    const name = String(row[value] ?? "unknown");
    const curve = curves.get(name) ?? new Map<number, number>();
    curve.set(Number(row[week]), num(row[rate]) ?? 0);
    curves.set(name, curve);
    if (Number(row[week]) === 0) size.set(name, Number(row[users]));
  }
  // The eight largest groups; a long tail of one-user countries says nothing.
  const names = [...curves.keys()].sort((a, b) => (size.get(b) ?? 0) - (size.get(a) ?? 0)).slice(0, 8);
  const weeks = Math.max(0, ...names.flatMap((n) => [...curves.get(n)!.keys()])) + 1;
  return {
    tooltip: axisTooltip, legend: { top: 0, type: "scroll" }, grid: { left: 50, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", name: "week", data: Array.from({ length: weeks }, (_, i) => String(i)) },
    yAxis: { type: "value", max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    series: names.map((n) => ({ name: n, type: "line", showSymbol: false, data: Array.from({ length: weeks }, (_, i) => curves.get(n)!.get(i) ?? null) })),
  };
}

function engagement(rows: MartRows): ChartOption {
  const [w, c, e] = ["week_start", "transaction_category", "events"].map((x) => column(rows, x));
  const weeks = [...new Set(rows.rows.map((r) => String(r[w])))];
  const totals = new Map<string, Map<string, number>>();
  for (const row of rows.rows) {
    const byWeek = totals.get(String(row[c])) ?? new Map<string, number>();
    byWeek.set(String(row[w]), (byWeek.get(String(row[w])) ?? 0) + Number(row[e]));
    totals.set(String(row[c]), byWeek);
  }
  // Largest first, so the legend's first page holds the categories that make most of each bar.
  const sum = (cat: string) => [...totals.get(cat)!.values()].reduce((a, b) => a + b, 0);
  const categories = [...totals.keys()].sort((a, b) => sum(b) - sum(a) || a.localeCompare(b));
  return {
    tooltip: axisTooltip, legend: { top: 0, type: "scroll" }, grid: { left: 70, right: 20, top: 36, bottom: 30 },
    // The axis name runs along the axis, not above it where the legend is.
    xAxis: { type: "category", data: weeks }, yAxis: { type: "value", name: "events", nameLocation: "middle", nameGap: 50 },
    series: categories.map((cat) => ({ name: cat, type: "bar", stack: "events", data: weeks.map((x) => totals.get(cat)!.get(x) ?? 0) })),
  };
}
