import { api, type Dashboard, type DashboardChart, type DashboardKpi, type MartRows } from "../api";
import type { ChartOption } from "../charts";
import { formatNumber, h, message } from "../dom";

type Grain = "week" | "month";
interface Range { from: string; to: string; tenant?: string }

/**
 * `/dashboards`: the dashboards of assets-sql/dashboards.yml (GET /api/dashboards), drawn from their declarations
 * alone, reading the marts only. A date range filters each chart's time column; the week/month switch fills
 * `{grain}` wherever a declaration uses it. Every mart keeps its tenants apart: where the reader sees several, a
 * tenant switch chooses whose figures the board draws (a tenant's key sees only its own, and gets no switch).
 */
export async function renderDashboards(container: HTMLElement, _params: Record<string, string>, signal: AbortSignal): Promise<void> {
  const declared = await api.dashboards();
  const query = new URLSearchParams(location.search);
  // ?board=NAME picks one of several dashboards; the first is the default.
  const dashboard = declared.dashboards.find((d) => d.name === query.get("board")) ?? declared.dashboards[0];
  if (!dashboard) {
    container.append(h("h1", {}, "Dashboards"), message("No dashboard is declared: add one to assets-sql/dashboards.yml."));
    return;
  }
  // No range in the URL means all of history; the inputs show its bounds once the first chart has them.
  const from = h("input", { type: "date", "aria-label": "from", value: query.get("from") ?? "" });
  const to = h("input", { type: "date", "aria-label": "to", value: query.get("to") ?? "" });
  const grains = dashboard.grains as Grain[];
  let grain: Grain = grains.includes(query.get("grain") as Grain) ? (query.get("grain") as Grain) : grains[0];
  const grainButtons = grains.map((g) => h("button", { class: g === grain ? "toggle on" : "toggle", "data-grain": g, onclick: () => { grain = g; void draw(); } }, g));
  const board = h("div", { class: "board" });
  const tenants = await visibleTenants(dashboard);
  const tenant = h("select", { "aria-label": "tenant" }, ...tenants.map((t) => h("option", { value: t }, t)));
  if (tenants.includes(query.get("tenant") ?? "")) tenant.value = query.get("tenant")!;
  const boards = declared.dashboards.length > 1
    ? h("nav", { class: "boards", "aria-label": "dashboards" }, ...declared.dashboards.map((d) =>
      h("a", { href: `/dashboards?board=${encodeURIComponent(d.name)}`, class: d === dashboard ? "toggle on" : "toggle", "data-board": d.name }, d.title)))
    : null;
  container.append(
    ...(boards ? [boards] : []),
    h("div", { class: "dash-head" }, h("h1", {}, dashboard.title),
      h("div", { class: "toolbar" }, tenants.length > 1 ? h("label", {}, "Tenant ", tenant) : null,
        h("label", {}, "From ", from), h("label", {}, "To ", to), h("span", { class: "segmented" }, ...grainButtons))),
    ...declared.problems.map((p) => message(p, "error")),
    board);
  from.addEventListener("change", () => void draw());
  tenant.addEventListener("change", () => void draw());
  to.addEventListener("change", () => void draw());

  let drawing: AbortController | null = null;
  async function draw(): Promise<void> {
    drawing?.abort();
    const controller = new AbortController();
    drawing = controller;
    signal.addEventListener("abort", () => controller.abort());
    for (const b of grainButtons) b.classList.toggle("on", b.dataset.grain === grain);
    const next = new URLSearchParams({ grain });
    if (dashboard !== declared.dashboards[0]) next.set("board", dashboard.name);
    if (from.value) next.set("from", from.value);
    if (to.value) next.set("to", to.value);
    if (tenants.length > 1) next.set("tenant", tenant.value);
    history.replaceState(null, "", `/dashboards?${next}`);
    board.replaceChildren();
    await drawBoard(board, dashboard, { from: from.value, to: to.value, tenant: tenants.length > 1 ? tenant.value : undefined }, grain, controller.signal, (first, last) => {
      from.value ||= first;
      to.value ||= last;
    });
  }
  await draw();
}

/** The tenants whose rows the reader sees in the board's first mart (one, for a tenant's key; none before it is built). */
async function visibleTenants(dashboard: Dashboard): Promise<string[]> {
  const mart = dashboard.charts[0]?.mart ?? dashboard.kpis[0]?.mart;
  if (!mart) return [];
  try {
    const rows = await api.mart(mart, { group_by: "tenant_id", order: "tenant_id", limit: "1000" });
    return rows.rows.map((r) => String(r[0]));
  } catch {
    return []; // A mart without the column, or not built yet: the board draws without a switch.
  }
}

// ECharts is loaded while the first mart rows are on their way, not before they are asked for.
const charting = import("../charts");

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const fill = (text: string, grain: Grain) => text.replaceAll("{grain}", grain);
const compact = new Intl.NumberFormat("en-US", { notation: "compact" });

/** The mart query a declaration asks: its columns (or group_by), where, the date range on its time column, its order. */
function martQuery(d: DashboardChart | DashboardKpi, columns: string[], range: Range, grain: Grain, extra: Record<string, string> = {}): Record<string, string | string[]> {
  const filter = Object.entries(d.where).map(([column, value]) => `${column}:eq:${fill(value, grain)}`);
  if (d.time && range.from) filter.push(`${d.time}:gte:${range.from}`);
  if (d.time && range.to) filter.push(`${d.time}:lte:${range.to}`);
  if (range.tenant) filter.push(`tenant_id:eq:${range.tenant}`);
  const query: Record<string, string | string[]> = { filter, limit: "50000", ...extra };
  if (columns.length) query.columns = [...new Set(columns)].join(",");
  if (d.order) query.order = d.order;
  return query;
}

/**
 * Draws the KPI tiles at once and each chart when it comes near the viewport (within half a screen): the first
 * screen asks for what it shows and no more, and a chart below the fold costs nothing until someone scrolls to it.
 */
async function drawBoard(board: HTMLElement, dashboard: Dashboard, range: Range, grain: Grain, signal: AbortSignal,
  bounds: (first: string, last: string) => void): Promise<void> {
  const kpis = h("section", { class: "kpis" });
  board.append(kpis);
  const failed = (target: HTMLElement) => (error: unknown) => target.replaceChildren(message((error as Error).message, "error"));
  let bounded = false;
  const drawChart = (chart: DashboardChart, body: HTMLElement) => {
    body.dataset.state = "loading";
    const columns = chart.group_by.length ? [] : [chart.x, chart.y, chart.value, chart.split, ...chart.series.map((s) => s.column)].filter((c): c is string => !!c);
    return api.mart(chart.mart, martQuery(chart, columns, range, grain, chart.group_by.length ? { group_by: chart.group_by.join(",") } : {}))
      .then(async (rows) => {
        if (signal.aborted) return;
        if (rows.rows.length === 0) {
          body.replaceChildren(message("No rows in this range: ingest events and materialize the marts, or widen the range."));
          return;
        }
        const xs = rows.rows.map((r) => r[rows.columns.findIndex((c) => c.name === chart.x)]);
        if (!bounded && chart.time === chart.x && chart.kind !== "hbar") {
          bounded = true;
          bounds(String(xs[0]), String(xs[xs.length - 1]));
        }
        const module = await charting;
        if (!signal.aborted) module.chart(body, chartOption(chart, rows, grain, module.palette), signal);
      }).catch(failed(body)).finally(() => { body.dataset.state = "drawn"; });
  };
  const pending = new Map<Element, DashboardChart>();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const chart = pending.get(entry.target);
      if (!entry.isIntersecting || !chart) continue;
      pending.delete(entry.target);
      observer.unobserve(entry.target);
      void drawChart(chart, entry.target as HTMLElement);
    }
  }, { rootMargin: "50% 0px" });
  signal.addEventListener("abort", () => observer.disconnect());
  for (const chart of dashboard.charts) {
    const body = h("div", { class: "chart", "data-chart": chart.id, "data-state": "waiting" });
    board.append(h("section", { class: chart.wide ? "panel wide" : "panel" }, h("h2", {}, fill(chart.title, grain)), body));
    pending.set(body, chart);
    observer.observe(body);
  }
  await Promise.all(dashboard.kpis.map((kpi) => {
    const tile = h("div", { class: "kpi", "data-kpi": kpi.id }, h("div", { class: "kpi-label" }, kpi.label), h("div", { class: "kpi-value" }, "–"), h("div", { class: "kpi-note muted" }, ""));
    kpis.append(tile);
    return drawKpi(tile, kpi, range, grain).catch(failed(tile));
  }));
}

async function drawKpi(tile: HTMLElement, kpi: DashboardKpi, range: Range, grain: Grain): Promise<void> {
  const placeholders = [...kpi.note.matchAll(/\{([a-z_][a-z0-9_]*)\}/g)].map((m) => m[1]).filter((p) => p !== "grain");
  const columns = kpi.count ? [] : [kpi.column!, ...placeholders, ...(kpi.time ? [kpi.time] : [])];
  const rows = await api.mart(kpi.mart, martQuery(kpi, columns, range, grain, { limit: "1" }));
  const row = rows.rows[0] ?? [];
  const cell = (name: string) => row[rows.columns.findIndex((c) => c.name === name)];
  const value = kpi.count ? rows.total : num(cell(kpi.column!));
  tile.querySelector(".kpi-value")!.textContent = value === null ? "–"
    : kpi.format === "percent" ? `${(value * 100).toFixed(1)}%`
    : kpi.format === "ratio" ? value.toFixed(2)
    : formatNumber(value);
  tile.querySelector(".kpi-note")!.textContent = kpi.note.replace(/\{([a-z_][a-z0-9_]*)\}/g, (_, name: string) => name === "grain" ? grain : String(cell(name) ?? "–"));
}

/** The start (ISO date) of the ISO week or month holding an ISO date. */
function periodOf(date: string, grain: Grain): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (grain === "month") return `${date.slice(0, 7)}-01`;
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/**
 * The ECharts option of one declared chart over its rows: a pure function of the declaration and the rows. Rows
 * that share an x (and a split value) are summed, or with `aggregate: max` the largest kept.
 */
export function chartOption(chart: DashboardChart, rows: MartRows, grain: Grain, palette: string[]): ChartOption {
  const index = (name: string | null | undefined) => rows.columns.findIndex((c) => c.name === name);
  const ix = index(chart.x);
  const xOf = (row: unknown[]) => chart.bucket ? periodOf(String(row[ix]), grain) : String(row[ix]);
  const xs = [...new Set(rows.rows.map(xOf))];
  const combine = (a: number | undefined, b: number) => a === undefined ? b : chart.aggregate === "max" ? Math.max(a, b) : a + b;
  const percent = chart.format === "percent";
  const valueAxis = { type: "value", name: chart.y_name ?? undefined, nameLocation: "middle", nameGap: 48,
    axisLabel: percent ? { formatter: (v: number) => `${Math.round(v * 100)}%` } : { formatter: (v: number) => compact.format(v) } };

  if (chart.kind === "heatmap") {
    const iy = index(chart.y), iv = index(chart.value);
    const ys = [...new Set(rows.rows.map((r) => String(r[iy])))];
    const width = Math.max(0, ...rows.rows.map((r) => Number(r[ix]))) + 1;
    const yIndex = new Map(ys.map((y, i) => [y, i]));
    const scale = percent ? 100 : 1;
    const cells = rows.rows.map((r) => [Number(r[ix]), yIndex.get(String(r[iy]))!, Math.round((num(r[iv]) ?? 0) * scale * 10) / 10]);
    return {
      tooltip: { formatter: (p: { value: number[] }) => `${ys[p.value[1]]}, ${chart.x} ${p.value[0]}: ${p.value[2]}${percent ? "%" : ""}` },
      // The colour scale stands at the right, clear of the x labels and the axis name under the grid.
      grid: { left: 90, right: 80, top: 10, bottom: 46 },
      xAxis: { type: "category", name: chart.x.replace(/_/g, " "), nameLocation: "middle", nameGap: 28, data: Array.from({ length: width }, (_, i) => String(i)), splitArea: { show: true } },
      yAxis: { type: "category", data: ys, inverse: true },
      visualMap: { min: 0, max: percent ? 100 : Math.max(1, ...cells.map((c) => c[2])), calculable: true, orient: "vertical", right: 0, top: "middle", itemHeight: 120,
        inRange: { color: ["#f4f7fd", palette[0]] }, text: percent ? ["100%", "0%"] : undefined },
      series: [{ type: "heatmap", data: cells, label: { show: cells.length <= 150, fontSize: 9 } }],
    };
  }

  // Series: one per declared column, or one per value of the split column.
  type Built = { name: string; kind: "bar" | "line"; axis: number; stack?: string; dashed: boolean; values: Map<string, number> };
  const built: Built[] = [];
  if (chart.split && chart.value) {
    const is = index(chart.split), iv = index(chart.value);
    const bySplit = new Map<string, Map<string, number>>();
    for (const row of rows.rows) {
      const name = String(row[is] ?? "none");
      const values = bySplit.get(name) ?? new Map<string, number>();
      values.set(xOf(row), combine(values.get(xOf(row)), Number(row[iv] ?? 0)));
      bySplit.set(name, values);
    }
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const names = [...bySplit.keys()];
    // Largest first, so the legend's first page holds what makes most of each bar.
    if (chart.sort_by_total) names.sort((a, b) => total(bySplit.get(b)!) - total(bySplit.get(a)!) || a.localeCompare(b));
    for (const name of names) built.push({ name, kind: chart.kind === "line" ? "line" : "bar", axis: 0, stack: chart.kind === "bar" ? "all" : undefined, dashed: false, values: bySplit.get(name)! });
  } else {
    for (const s of chart.series) {
      const ic = index(s.column);
      const values = new Map<string, number>();
      for (const row of rows.rows) if (row[ic] !== null && row[ic] !== undefined) values.set(xOf(row), combine(values.get(xOf(row)), Number(row[ic]) * (s.negate ? -1 : 1)));
      built.push({ name: s.label, kind: s.kind as "bar" | "line", axis: s.axis === "right" ? 1 : 0, stack: s.stack ?? undefined, dashed: s.dashed, values });
    }
  }

  const horizontal = chart.kind === "hbar";
  const right = built.some((b) => b.axis === 1);
  const categories = { type: "category", data: xs, inverse: horizontal };
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: horizontal ? 110 : 70, right: right ? 70 : 20, top: 36, bottom: 30 },
    xAxis: horizontal ? { ...valueAxis, nameLocation: "end", nameGap: 10 } : categories,
    yAxis: horizontal ? categories : right
      ? [valueAxis, { type: "value", name: chart.right_name ?? undefined, nameLocation: "middle", nameGap: 40, splitLine: { show: false } }]
      : valueAxis,
    series: built.map((b) => ({
      name: b.name, type: b.kind, stack: b.stack, showSymbol: b.kind === "line" ? xs.length <= 40 : undefined,
      lineStyle: b.dashed ? { type: "dashed" } : undefined, [horizontal ? "xAxisIndex" : "yAxisIndex"]: b.axis,
      data: xs.map((x) => b.values.get(x) ?? (b.kind === "bar" ? 0 : null)),
    })),
  };
}
