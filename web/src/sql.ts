import { h } from "./dom";

const keywords = new Set(`select from where group by order having limit offset join left right inner outer full cross on as and or not
in is null case when then else end with union all distinct over partition rows range between preceding following current row
insert into values create table view drop cast coalesce count sum avg min max filter lag lead asc desc true false interval date
timestamp extract exists any some using nulls first last`.split(/\s+/));

const token = /(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*')|(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})|("(?:[^"]|"")*")|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;

/** SQL as a <pre> with comments, strings, template tags, numbers and keywords marked for colour. */
export function highlightSql(sql: string): HTMLPreElement {
  const pre = h("pre", { class: "sql" });
  let last = 0;
  for (const match of sql.matchAll(token)) {
    if (match.index! > last) pre.append(sql.slice(last, match.index));
    const [text, comment, string, template, quoted, number, word] = match;
    const kind = comment ? "comment" : string ? "string" : template ? "template" : quoted ? "ident" : number ? "number"
      : word && keywords.has(word.toLowerCase()) ? "keyword" : null;
    pre.append(kind ? h("span", { class: `sql-${kind}` }, text) : text);
    last = match.index! + text.length;
  }
  pre.append(sql.slice(last));
  return pre;
}
