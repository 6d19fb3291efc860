import { h } from "./dom";

/** A table of rows as the API returns them (columns, then arrays of values). */
export function dataTable(columns: string[], rows: unknown[][], className = "grid data"): HTMLTableElement {
  return h("table", { class: className },
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((v) => h("td", { class: typeof v === "number" ? "number" : "" }, cell(v)))))));
}

/** A table of objects (failing check rows). */
export function objectTable(rows: Record<string, unknown>[]): HTMLTableElement {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return dataTable(columns, rows.map((r) => columns.map((c) => r[c])), "grid data sample");
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
