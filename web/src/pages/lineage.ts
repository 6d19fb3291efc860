import { api, type AssetSummary } from "../api";
import { h } from "../dom";
import { layeredLayout } from "../layout";
import { navigate } from "../main";
import { assetStates, runningAssets, stateLabels, type AssetState } from "../status";

const svgNs = "http://www.w3.org/2000/svg";
const nodeHeight = 40;
const minWidth = 150;

/** How wide a node must be for its whole name (12px, semibold) and its state line, measured as the browser draws them. */
function nodeWidths(assets: AssetSummary[], states: Map<string, AssetState>): Map<string, number> {
  const context = document.createElement("canvas").getContext("2d")!;
  const family = getComputedStyle(document.body).fontFamily;
  const measure = (text: string, font: string) => { context.font = font; return context.measureText(text).width; };
  return new Map(assets.map((a) => [a.key, Math.ceil(Math.max(minWidth,
    measure(a.key, `600 12px ${family}`) + 28, measure(`${a.layer} · ${stateLabels[states.get(a.key)!]}`, `10.5px ${family}`) + 28))]));
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/**
 * `/lineage`: the asset graph, laid out left to right (ELK's layered algorithm, edges routed around the nodes, or our
 * own layered layout past 600 assets), drawn as one SVG with arrowheads and every name whole. Wheel zooms, drag
 * pans; hovering or focusing a node (or finding it by name) highlights everything upstream and downstream; a
 * selection (the API's syntax) highlights what it selects; clicking opens an asset.
 */
export async function renderLineage(container: HTMLElement): Promise<void> {
  const [assets, running] = await Promise.all([api.assets(), runningAssets()]);
  const states = assetStates(assets, running);

  const layout = await layeredLayout(assets.map((a) => a.key), assets.flatMap((a) => a.upstream.map((u) => [u, a.key] as [string, string])),
    nodeWidths(assets, states), nodeHeight);

  const canvas = svg("svg", { class: "lineage", role: "img", "aria-label": `Lineage of ${assets.length} assets` });
  const defs = svg("defs");
  for (const [id, cls] of [["arrow", "arrow"], ["arrow-lit", "arrow lit"]]) {
    const marker = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse", class: cls });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
    defs.append(marker);
  }
  const world = svg("g");
  canvas.append(defs, world);
  const edges = svg("g", { class: "edges" });
  const nodes = svg("g", { class: "nodes" });
  world.append(edges, nodes);

  const edgeElements = new Map<string, SVGPathElement>();
  for (const [key, d] of layout.edges) {
    const path = svg("path", { d, class: "edge", "data-edge": key });
    edgeElements.set(key, path);
    edges.append(path);
  }

  const nodeElements = new Map<string, SVGGElement>();
  for (const asset of assets) {
    const position = layout.nodes.get(asset.key)!;
    const state = states.get(asset.key)!;
    const group = svg("g", {
      class: `node state-${state}`,
      transform: `translate(${position.x - position.width / 2},${position.y - nodeHeight / 2})`,
      tabindex: 0,
      role: "link",
      "data-asset": asset.key,
      "aria-label": `${asset.key}, ${stateLabels[state]}`,
    });
    const title = svg("title");
    title.textContent = `${asset.key} (${asset.layer}, ${stateLabels[state]})${asset.description ? `\n${asset.description}` : ""}`;
    const box = svg("rect", { width: position.width, height: nodeHeight, rx: 6, class: "box" });
    const stripe = svg("rect", { width: 6, height: nodeHeight, rx: 3, class: "stripe" });
    const name = svg("text", { x: 14, y: 17 });
    name.textContent = asset.key;
    const layer = svg("text", { x: 14, y: 32, class: "sub" });
    layer.textContent = `${asset.layer} · ${stateLabels[state]}`;
    group.append(title, box, stripe, name, layer);
    group.addEventListener("click", () => navigate(`/assets/${encodeURIComponent(asset.key)}`));
    group.addEventListener("keydown", (e) => { if (e.key === "Enter") navigate(`/assets/${encodeURIComponent(asset.key)}`); });
    group.addEventListener("mouseenter", () => highlight(asset.key));
    group.addEventListener("focus", () => highlight(asset.key));
    group.addEventListener("mouseleave", () => highlight(pinned));
    nodeElements.set(asset.key, group);
    nodes.append(group);
  }

  const byKey = new Map(assets.map((a) => [a.key, a]));
  let pinned: string | null = null;
  function walk(start: string, next: (a: AssetSummary) => string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length) {
      for (const key of next(byKey.get(stack.pop()!)!)) if (!seen.has(key)) { seen.add(key); stack.push(key); }
    }
    return seen;
  }
  function highlight(key: string | null): void {
    canvas.classList.toggle("focused", key !== null);
    if (key === null) {
      for (const el of [...nodeElements.values(), ...edgeElements.values()]) el.classList.remove("lit", "selected");
      if (chosen) showSelection(chosen);
      return;
    }
    const up = walk(key, (a) => a.upstream);
    const down = walk(key, (a) => a.downstream);
    const lit = new Set([key, ...up, ...down]);
    for (const [k, el] of nodeElements) { el.classList.toggle("lit", lit.has(k)); el.classList.toggle("selected", k === key); }
    selectionNote.textContent = "";
    for (const [k, el] of edgeElements) {
      const [v, w] = k.split("->");
      // An edge is lit when it lies on a path into the node (both ends upstream) or out of it (both downstream).
      el.classList.toggle("lit", (up.has(v) && (w === key || up.has(w))) || ((v === key || down.has(v)) && down.has(w)));
    }
  }

  // Pan and zoom: the view is a translation and a scale of the world group.
  let scale = 1, dx = 0, dy = 0;
  const apply = () => world.setAttribute("transform", `translate(${dx},${dy}) scale(${scale})`);
  const fit = () => {
    const box = canvas.getBoundingClientRect();
    const width = layout.width || 1, height = layout.height || 1;
    scale = Math.min(box.width / width, box.height / height, 1.2);
    dx = (box.width - width * scale) / 2;
    dy = Math.max((box.height - height * scale) / 2, 0);
    apply();
  };
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const box = canvas.getBoundingClientRect();
    const factor = Math.exp(-e.deltaY * 0.0015);
    const next = Math.min(Math.max(scale * factor, 0.05), 4);
    const px = e.clientX - box.left, py = e.clientY - box.top;
    dx = px - ((px - dx) * next) / scale;
    dy = py - ((py - dy) * next) / scale;
    scale = next;
    apply();
  }, { passive: false });
  let drag: { x: number; y: number } | null = null;
  canvas.addEventListener("pointerdown", (e) => { if ((e.target as Element).closest(".node")) return; drag = { x: e.clientX, y: e.clientY }; canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    dx += e.clientX - drag.x; dy += e.clientY - drag.y; drag = { x: e.clientX, y: e.clientY };
    apply();
  });
  canvas.addEventListener("pointerup", () => { drag = null; });

  const find = h("input", { type: "search", placeholder: "Find an asset…", "aria-label": "Find an asset", class: "search", list: "lineage-keys" });
  const keys = h("datalist", { id: "lineage-keys" }, ...assets.map((a) => h("option", { value: a.key })));
  find.addEventListener("input", () => {
    pinned = byKey.has(find.value) ? find.value : null;
    highlight(pinned);
    if (pinned) {
      const position = layout.nodes.get(pinned)!;
      const box = canvas.getBoundingClientRect();
      scale = Math.max(scale, 0.8);
      dx = box.width / 2 - position.x * scale;
      dy = box.height / 2 - position.y * scale;
      apply();
    }
  });
  // A selection in the API's syntax (+asset, asset+, tag:x, ...): what it picks is lit, the rest dimmed.
  let chosen: Set<string> | null = null;
  const selectionNote = h("span", { class: "muted", role: "status" });
  const selectBox = h("input", { type: "search", placeholder: "Select: +growth_metrics, tag:retention…", "aria-label": "Selection", class: "search" });
  function showSelection(keys: Set<string>): void {
    canvas.classList.add("focused");
    for (const [k, el] of nodeElements) { el.classList.toggle("lit", keys.has(k)); el.classList.remove("selected"); }
    for (const [k, el] of edgeElements) { const [v, w] = k.split("->"); el.classList.toggle("lit", keys.has(v) && keys.has(w)); }
    selectionNote.textContent = `${keys.size} selected`;
  }
  let typed = 0;
  selectBox.addEventListener("input", () => {
    const text = selectBox.value.trim();
    const attempt = ++typed;
    if (!text) { chosen = null; highlight(pinned); return; }
    window.setTimeout(async () => {
      if (attempt !== typed) return;
      try {
        const graph = await api.graph(text);
        if (attempt !== typed) return;
        chosen = new Set(graph.nodes.map((n) => n.key));
        showSelection(chosen);
      } catch (error) {
        if (attempt !== typed) return;
        chosen = null;
        highlight(pinned);
        selectionNote.textContent = (error as Error).message;
      }
    }, 250);
  });
  const legend = h("div", { class: "legend" }, ...(Object.keys(stateLabels) as AssetState[]).map((s) => h("span", { class: `badge state-${s}` }, stateLabels[s])));
  container.append(
    h("h1", {}, "Lineage"),
    h("div", { class: "toolbar" }, find, keys, selectBox, selectionNote, h("button", { onclick: fit }, "Fit"), legend,
      h("span", { class: "muted" }, `${assets.length} assets, ${layout.edges.size} edges`)),
    canvas,
  );
  requestAnimationFrame(fit);
}
