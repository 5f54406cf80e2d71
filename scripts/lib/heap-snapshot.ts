// Reads a V8 heap snapshot (.heapsnapshot, as written by v8.writeHeapSnapshot or the inspector) into flat
// arrays, and computes what DevTools shows: self size by constructor, and each object's retained size
// (the dominator tree, Cooper-Harvey-Kennedy's iterative algorithm over a depth-first post-order).
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapGraph {
  count: number;
  /** Per node: its class (constructor name for objects, `(type)` otherwise), self size, first edge. */
  className: string[];
  selfSize: Float64Array;
  firstEdge: Uint32Array;
  edgeTarget: Uint32Array;
  edgeName: string[];
  edgeWeak: Uint8Array;
}

export function readHeapSnapshot(path: string): HeapGraph {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const [typeAt, nameAt, sizeAt, edgesAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f)) as [number, number, number, number];
  const [eTypeAt, eNameAt, eToAt] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [number, number, number];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const count = raw.nodes.length / nf;
  const className: string[] = new Array(count);
  const selfSize = new Float64Array(count);
  const firstEdge = new Uint32Array(count + 1);
  const edgeCount = raw.edges.length / ef;
  const edgeTarget = new Uint32Array(edgeCount);
  const edgeName: string[] = new Array(edgeCount);
  const edgeWeak = new Uint8Array(edgeCount);
  let e = 0;
  for (let i = 0; i < count; i++) {
    const type = nodeTypes[raw.nodes[i * nf + typeAt]!]!;
    const name = raw.strings[raw.nodes[i * nf + nameAt]!]!;
    className[i] = type === 'object' || type === 'native' ? name : `(${type})`;
    selfSize[i] = raw.nodes[i * nf + sizeAt]!;
    firstEdge[i] = e;
    const n = raw.nodes[i * nf + edgesAt]!;
    for (let k = 0; k < n; k++, e++) {
      const et = edgeTypes[raw.edges[e * ef + eTypeAt]!]!;
      const nameOrIndex = raw.edges[e * ef + eNameAt]!;
      edgeTarget[e] = raw.edges[e * ef + eToAt]! / nf;
      edgeName[e] = et === 'element' || et === 'hidden' ? `[${nameOrIndex}]` : raw.strings[nameOrIndex]!;
      edgeWeak[e] = et === 'weak' ? 1 : 0;
    }
  }
  firstEdge[count] = e;
  return { count, className, selfSize, firstEdge, edgeTarget, edgeName, edgeWeak };
}

/** Retained size of every node and its immediate dominator (node 0 is the synthetic root). */
export function retainedSizes(g: HeapGraph): { retained: Float64Array; idom: Int32Array } {
  // Depth-first post-order from the root, strong edges only.
  const order = new Int32Array(g.count).fill(-1); // post-order number
  const byOrder: number[] = [];
  const stack: number[] = [0];
  const cursor = new Uint32Array(g.count);
  const seen = new Uint8Array(g.count);
  seen[0] = 1;
  cursor[0] = g.firstEdge[0]!;
  while (stack.length > 0) {
    const v = stack[stack.length - 1]!;
    if (cursor[v]! < g.firstEdge[v + 1]!) {
      const e = cursor[v]!++;
      const w = g.edgeTarget[e]!;
      if (g.edgeWeak[e] || seen[w]) continue;
      seen[w] = 1;
      cursor[w] = g.firstEdge[w]!;
      stack.push(w);
    } else {
      order[v] = byOrder.length;
      byOrder.push(v);
      stack.pop();
    }
  }
  // Predecessors (reachable ones only).
  const predStart = new Uint32Array(g.count + 1);
  for (let v = 0; v < g.count; v++) if (seen[v]) for (let e = g.firstEdge[v]!; e < g.firstEdge[v + 1]!; e++) if (!g.edgeWeak[e]) predStart[g.edgeTarget[e]! + 1]!++;
  for (let v = 0; v < g.count; v++) predStart[v + 1]! += predStart[v]!;
  const preds = new Uint32Array(predStart[g.count]!);
  const fill = predStart.slice(0, g.count);
  for (let v = 0; v < g.count; v++) if (seen[v]) for (let e = g.firstEdge[v]!; e < g.firstEdge[v + 1]!; e++) if (!g.edgeWeak[e]) preds[fill[g.edgeTarget[e]!]!++] = v;

  const n = byOrder.length;
  const idom = new Int32Array(n).fill(-1); // by post-order number
  const root = order[0]!;
  idom[root] = root;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (a < b) a = idom[a]!;
      while (b < a) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      if (i === root) continue;
      const v = byOrder[i]!;
      let d = -1;
      for (let p = predStart[v]!; p < predStart[v + 1]!; p++) {
        const u = order[preds[p]!]!;
        if (u < 0 || idom[u] === -1) continue;
        d = d === -1 ? u : intersect(u, d);
      }
      if (d !== -1 && idom[i] !== d) {
        idom[i] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(g.count);
  const idomNode = new Int32Array(g.count).fill(-1);
  for (let i = 0; i < n; i++) retained[byOrder[i]!] = g.selfSize[byOrder[i]!]!;
  // Post-order: children before their dominators.
  for (let i = 0; i < n; i++) {
    if (i === root) continue;
    const v = byOrder[i]!;
    const d = byOrder[idom[i]!]!;
    idomNode[v] = d;
    retained[d]! += retained[v]!;
  }
  return { retained, idom: idomNode };
}

/** Self size and count per class. */
export function byClass(g: HeapGraph): Map<string, { count: number; size: number }> {
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < g.count; i++) {
    const c = g.className[i]!;
    const row = out.get(c) ?? { count: 0, size: 0 };
    row.count++;
    row.size += g.selfSize[i]!;
    out.set(c, row);
  }
  return out;
}

/** One path of edges from the root to `node` along dominators (how it is kept alive). */
export function dominatorPath(g: HeapGraph, idom: Int32Array, node: number): string[] {
  const path: string[] = [];
  for (let v = node, guard = 0; v > 0 && guard < 40; guard++) {
    const d = idom[v]!;
    if (d < 0) break;
    let label = '?';
    for (let e = g.firstEdge[d]!; e < g.firstEdge[d + 1]!; e++) if (g.edgeTarget[e] === v) label = g.edgeName[e]!;
    path.unshift(`${g.className[d]}.${label}`);
    v = d;
  }
  return path;
}
