import { api, type AssetSummary } from "../api";
import { h } from "../dom";
import { layeredLayout } from "../layout";
import { navigate } from "../main";
import { assetStates, runningAssets, stateLabels, type AssetState } from "../status";

const svgNs = "http://www.w3.org/2000/svg";
const nodeWidth = 190;
const nodeHeight = 40;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/**
 * `/lineage`: the asset graph, laid out left to right (dagre, or our own layered layout past 300 assets), drawn as one SVG. Wheel zooms, drag pans; hovering
 * or focusing a node (or finding it by name) highlights everything upstream and downstream; clicking opens it.
 */
export async function renderLineage(container: HTMLElement): Promise<void> {
  const [assets, running] = await Promise.all([api.assets(), runningAssets()]);
  const states = assetStates(assets, running);

  const layout = layeredLayout(assets.map((a) => a.key), assets.flatMap((a) => a.upstream.map((u) => [u, a.key] as [string, string])), nodeWidth, nodeHeight);

  const canvas = svg("svg", { class: "lineage", role: "img", "aria-label": `Lineage of ${assets.length} assets` });
  const world = svg("g");
  canvas.append(world);
  const edges = svg("g", { class: "edges" });
  const nodes = svg("g", { class: "nodes" });
  world.append(edges, nodes);

  const edgeElements = new Map<string, SVGPathElement>();
  for (const [key, d] of layout.edges) {
    const path = svg("path", { d, class: "edge" });
    edgeElements.set(key, path);
    edges.append(path);
  }

  const nodeElements = new Map<string, SVGGElement>();
  for (const asset of assets) {
    const position = layout.nodes.get(asset.key)!;
    const state = states.get(asset.key)!;
    const group = svg("g", {
      class: `node state-${state}`,
      transform: `translate(${position.x - nodeWidth / 2},${position.y - nodeHeight / 2})`,
      tabindex: 0,
      role: "link",
      "data-asset": asset.key,
      "aria-label": `${asset.key}, ${stateLabels[state]}`,
    });
    const title = svg("title");
    title.textContent = `${asset.key} (${asset.layer}, ${stateLabels[state]})${asset.description ? `\n${asset.description}` : ""}`;
    const box = svg("rect", { width: nodeWidth, height: nodeHeight, rx: 6 });
    const stripe = svg("rect", { width: 6, height: nodeHeight, rx: 3, class: "stripe" });
    const name = svg("text", { x: 14, y: 17 });
    name.textContent = asset.key.length > 24 ? `${asset.key.slice(0, 23)}…` : asset.key;
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
      return;
    }
    const up = walk(key, (a) => a.upstream);
    const down = walk(key, (a) => a.downstream);
    const lit = new Set([key, ...up, ...down]);
    for (const [k, el] of nodeElements) { el.classList.toggle("lit", lit.has(k)); el.classList.toggle("selected", k === key); }
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
  const legend = h("div", { class: "legend" }, ...(Object.keys(stateLabels) as AssetState[]).map((s) => h("span", { class: `badge state-${s}` }, stateLabels[s])));
  container.append(
    h("h1", {}, "Lineage"),
    h("div", { class: "toolbar" }, find, keys, h("button", { onclick: fit }, "Fit"), legend, h("span", { class: "muted" }, `${assets.length} assets, ${layout.edges.size} edges`)),
    canvas,
  );
  requestAnimationFrame(fit);
}
