import dagre from "@dagrejs/dagre";

export interface Layout {
  width: number;
  height: number;
  nodes: Map<string, { x: number; y: number }>;
  /** SVG path data per edge, keyed "from->to". */
  edges: Map<string, string>;
}

/** Above this many nodes, dagre's crossing minimisation (and its dummy node per rank an edge spans) takes minutes. */
const dagreLimit = 300;

/**
 * A left-to-right layered layout: dagre for graphs a person reads node by node, and for large graphs a linear-time
 * one of our own (longest-path ranks, a few barycenter sweeps to untangle, Bezier edges), so 2,000 assets draw in
 * well under a second where dagre does not finish.
 */
export function layeredLayout(keys: string[], edges: [string, string][], nodeWidth: number, nodeHeight: number): Layout {
  return keys.length <= dagreLimit ? dagreLayout(keys, edges, nodeWidth, nodeHeight) : fastLayout(keys, edges, nodeWidth, nodeHeight);
}

function dagreLayout(keys: string[], edges: [string, string][], nodeWidth: number, nodeHeight: number): Layout {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 70, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const key of keys) graph.setNode(key, { width: nodeWidth, height: nodeHeight });
  for (const [from, to] of edges) graph.setEdge(from, to);
  dagre.layout(graph);
  const nodes = new Map(keys.map((k) => [k, { x: graph.node(k).x, y: graph.node(k).y }]));
  const paths = new Map<string, string>();
  for (const edge of graph.edges()) {
    const points: { x: number; y: number }[] = graph.edge(edge).points ?? [];
    paths.set(`${edge.v}->${edge.w}`, points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" "));
  }
  const size = graph.graph();
  return { width: size.width ?? 0, height: size.height ?? 0, nodes, edges: paths };
}

function fastLayout(keys: string[], edges: [string, string][], nodeWidth: number, nodeHeight: number): Layout {
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
  const nodes = new Map<string, { x: number; y: number }>();
  layers.forEach((layer, r) => {
    const offset = (height - layer.length * (nodeHeight + rowGap)) / 2;
    layer.forEach((k, i) => nodes.set(k, { x: margin + r * (nodeWidth + rankGap) + nodeWidth / 2, y: offset + i * (nodeHeight + rowGap) + nodeHeight / 2 }));
  });
  const paths = new Map<string, string>();
  for (const [from, to] of edges) {
    const a = nodes.get(from), b = nodes.get(to);
    if (!a || !b) continue;
    const x1 = a.x + nodeWidth / 2, x2 = b.x - nodeWidth / 2, bend = Math.max(30, (x2 - x1) / 2);
    paths.set(`${from}->${to}`, `M${x1.toFixed(1)},${a.y.toFixed(1)} C${(x1 + bend).toFixed(1)},${a.y.toFixed(1)} ${(x2 - bend).toFixed(1)},${b.y.toFixed(1)} ${x2.toFixed(1)},${b.y.toFixed(1)}`);
  }
  return { width: 2 * margin + layers.length * (nodeWidth + rankGap), height, nodes, edges: paths };
}
