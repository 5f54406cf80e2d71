// Compares two heap snapshots of one process: what grew by class (self size and count), and the largest
// objects of the later one by retained size with the dominator path that keeps each alive.
// Usage: node dist/scripts/heap-diff.js before.heapsnapshot after.heapsnapshot [top=25]
import { byClass, dominatorPath, readHeapSnapshot, retainedSizes } from './lib/heap-snapshot.js';

const [beforePath, afterPath, topArg] = process.argv.slice(2);
if (!beforePath || !afterPath) {
  console.error('usage: node dist/scripts/heap-diff.js before.heapsnapshot after.heapsnapshot [top=25]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const mb = (n: number) => (n / 1048576).toFixed(2);

const before = readHeapSnapshot(beforePath);
const after = readHeapSnapshot(afterPath);
const a = byClass(before);
const b = byClass(after);
const rows = [...b].map(([name, r]) => ({ name, count: r.count - (a.get(name)?.count ?? 0), size: r.size - (a.get(name)?.size ?? 0) }));
rows.sort((x, y) => y.size - x.size);
const total = (m: typeof a) => [...m.values()].reduce((s, r) => s + r.size, 0);
console.log(`heap: ${mb(total(a))} MB -> ${mb(total(b))} MB (${before.count} -> ${after.count} objects)`);
console.log('\ngrowth by class (self size MB, count):');
for (const r of rows.slice(0, top)) console.log(`  ${mb(r.size).padStart(8)}  ${String(r.count).padStart(8)}  ${r.name.slice(0, 80)}`);

const { retained, idom } = retainedSizes(after);
const ids = Array.from({ length: after.count }, (_, i) => i).filter((i) => after.className[i] !== '(synthetic)');
ids.sort((x, y) => retained[y]! - retained[x]!);
console.log('\nlargest retainers in the later snapshot (retained MB, class, dominator path):');
const rank = new Int32Array(after.count).fill(-1);
ids.forEach((id, r) => (rank[id] = r));
let shown = 0;
for (const i of ids) {
  if (shown >= top) break;
  // Skip a node whose dominator is already shown with nearly the same size (the same structure, one level down).
  const d = idom[i]!;
  if (d > 0 && retained[d]! - retained[i]! < 0.05 * retained[d]! && rank[d]! < rank[i]!) continue;
  shown++;
  console.log(`  ${mb(retained[i]!).padStart(8)}  ${after.className[i]!.slice(0, 50)}  <- ${dominatorPath(after, idom, i).slice(-6).join(' / ')}`);
}

// What the largest holders are made of: their largest dominated children, two levels down.
const children = new Map<number, number[]>();
for (let i = 0; i < after.count; i++) {
  const d = idom[i]!;
  if (d >= 0) (children.get(d) ?? children.set(d, []).get(d)!).push(i);
}
const edgeTo = (from: number, to: number) => {
  for (let e = after.firstEdge[from]!; e < after.firstEdge[from + 1]!; e++) if (after.edgeTarget[e] === to) return after.edgeName[e]!;
  return '(dominated)';
};
const expand = (node: number, depth: number, indent: string) => {
  const kids = (children.get(node) ?? []).sort((x, y) => retained[y]! - retained[x]!).slice(0, 4);
  for (const k of kids) {
    if (retained[k]! < 0.2 * 1048576) continue;
    console.log(`${indent}${mb(retained[k]!).padStart(8)}  .${edgeTo(node, k)}: ${after.className[k]!.slice(0, 50)}`);
    if (depth > 1) expand(k, depth - 1, indent + '    ');
  }
};
console.log('\nthe largest holders, opened:');
for (const i of ids.filter((i) => idom[i] === 0 || after.className[idom[i]!] === '(synthetic)').slice(0, 6)) {
  console.log(`  ${mb(retained[i]!).padStart(8)}  ${after.className[i]}`);
  expand(i, 3, '      ');
}
