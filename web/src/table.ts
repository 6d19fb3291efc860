import { h } from "./dom";

const maskedTitle = "Masked: a keyed hash of the value, the same wherever the value is, so counts and joins still work. A key with the pii permission reads the value.";

/**
 * A table of rows as the API returns them (columns, then arrays of values). The columns in `masked` came back as
 * keyed hashes: their header and cells say so.
 */
export function dataTable(columns: string[], rows: unknown[][], className = "grid data", masked: ReadonlySet<string> = new Set()): HTMLTableElement {
  const hidden = columns.map((c) => masked.has(c));
  return h("table", { class: className },
    h("thead", {}, h("tr", {}, ...columns.map((c, i) => hidden[i]
      ? h("th", { class: "masked", "data-masked": c, title: maskedTitle }, c, h("span", { class: "masked-label" }, "masked"))
      : h("th", {}, c)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((v, i) => hidden[i]
      ? h("td", { class: "masked", title: maskedTitle }, cell(v))
      : h("td", { class: typeof v === "number" ? "number" : "" }, cell(v)))))));
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
