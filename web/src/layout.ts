import type { ElkNode } from "elkjs/lib/elk-api";

export interface Layout {
  width: number;
  height: number;
  /** Each node's centre and size. */
  nodes: Map<string, { x: number; y: number; width: number; height: number }>;
  /** SVG path data per edge, keyed "from->to". */
  edges: Map<string, string>;
}

/**
 * Up to this many nodes ELK lays the graph out; past it, our linear-time layout does (BENCHMARKS.md, "Lineage"):
 * ELK's crossing minimisation and edge routing grow faster than linearly.
 */
export const elkLimit = 600;

/**
 * A left-to-right layered layout. ELK's layered algorithm (elkjs) places the nodes and routes every edge around
 * them, orthogonally, for graphs a person reads node by node; large graphs get a linear-time one of our own
 * (longest-path ranks, a few barycenter sweeps to untangle, Bezier edges), so 2,000 assets still draw fast.
 * Each node is as wide as its own label needs.
 */
export async function layeredLayout(keys: string[], edges: [string, string][], widths: Map<string, number>, nodeHeight: number): Promise<Layout> {
  return keys.length <= elkLimit ? elkLayout(keys, edges, widths, nodeHeight) : fastLayout(keys, edges, widths, nodeHeight);
}

async function elkLayout(keys: string[], edges: [string, string][], widths: Map<string, number>, nodeHeight: number): Promise<Layout> {
  // Loaded with the lineage page only: the bundled build is ELK's Java compiled to JavaScript, 1.4 MB.
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const known = new Set(keys);
  const graph: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.layered.spacing.nodeNodeBetweenLayers": "56",
      "elk.layered.spacing.edgeNodeBetweenLayers": "16",
      "elk.spacing.nodeNode": "16",
      "elk.spacing.edgeNode": "14",
      "elk.spacing.edgeEdge": "8",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.padding": "[top=20,left=20,bottom=20,right=20]",
    },
    children: keys.map((k) => ({ id: k, width: widths.get(k)!, height: nodeHeight })),
    edges: edges.filter(([from, to]) => known.has(from) && known.has(to)).map(([from, to]) => ({ id: `${from}->${to}`, sources: [from], targets: [to] })),
  };
  const laid = await new ELK().layout(graph);
  const nodes = new Map((laid.children ?? []).map((n) => [n.id, { x: n.x! + n.width! / 2, y: n.y! + n.height! / 2, width: n.width!, height: n.height! }]));
  const paths = new Map<string, string>();
  for (const edge of laid.edges ?? []) {
    for (const section of edge.sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      paths.set(edge.id, points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" "));
    }
  }
  return { width: laid.width ?? 0, height: laid.height ?? 0, nodes, edges: paths };
}

function fastLayout(keys: string[], edges: [string, string][], widths: Map<string, number>, nodeHeight: number): Layout {
  const nodeWidth = Math.max(...widths.values());
  const up = new Map<string, string[]>(keys.map((k) => [k, []]));
  const down = new Map<string, string[]>(keys.map((k) => [k, []]));
  for (const [from, to] of edges) { down.get(from)?.push(to); up.get(to)?.push(from); }

  // Ranks: longest path from a root, in topological order (Kahn).
  const rank = new Map<string, number>();
  const waiting = new Map(keys.map((k) => [k, up.get(k)!.length]));
  const queue = keys.filter((k) => waiting.get(k) === 0);
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i];
    const r = Math.max(-1, ...up.get(key)!.map((u) => rank.get(u) ?? 0)) + 1;
    rank.set(key, r);
    for (const next of down.get(key)!) {
      waiting.set(next, waiting.get(next)! - 1);
      if (waiting.get(next) === 0) queue.push(next);
    }
  }
  const layers: string[][] = [];
  for (const key of keys) (layers[rank.get(key) ?? 0] ??= []).push(key);

  // Order within a layer: barycenter of the neighbours' positions, sweeping right then left a few times.
  const position = new Map<string, number>();
  const place = () => layers.forEach((layer) => layer.forEach((k, i) => position.set(k, i / Math.max(1, layer.length - 1))));
  place();
  for (let sweep = 0; sweep < 4; sweep++) {
    const neighbours = sweep % 2 === 0 ? up : down;
    for (const layer of sweep % 2 === 0 ? layers : [...layers].reverse()) {
      const centre = new Map(layer.map((k) => {
        const around = neighbours.get(k)!;
        return [k, around.length ? around.reduce((s, n) => s + position.get(n)!, 0) / around.length : position.get(k)!];
      }));
      layer.sort((a, b) => centre.get(a)! - centre.get(b)!);
      layer.forEach((k, i) => position.set(k, i / Math.max(1, layer.length - 1)));
    }
  }

  const rankGap = 70, rowGap = 14, margin = 20;
  const tallest = Math.max(...layers.map((l) => l.length));
  const height = tallest * (nodeHeight + rowGap) + 2 * margin;
  const nodes = new Map<string, { x: number; y: number; width: number; height: number }>();
  layers.forEach((layer, r) => {
    const offset = (height - layer.length * (nodeHeight + rowGap)) / 2;
    layer.forEach((k, i) => nodes.set(k, { x: margin + r * (nodeWidth + rankGap) + nodeWidth / 2, y: offset + i * (nodeHeight + rowGap) + nodeHeight / 2, width: widths.get(k)!, height: nodeHeight }));
  });
  const paths = new Map<string, string>();
  for (const [from, to] of edges) {
    const a = nodes.get(from), b = nodes.get(to);
    if (!a || !b) continue;
    const x1 = a.x + a.width / 2, x2 = b.x - b.width / 2, bend = Math.max(30, (x2 - x1) / 2);
    paths.set(`${from}->${to}`, `M${x1.toFixed(1)},${a.y.toFixed(1)} C${(x1 + bend).toFixed(1)},${a.y.toFixed(1)} ${(x2 - bend).toFixed(1)},${b.y.toFixed(1)} ${x2.toFixed(1)},${b.y.toFixed(1)}`);
  }
  return { width: 2 * margin + layers.length * (nodeWidth + rankGap), height, nodes, edges: paths };
}
