// Where a V8 CPU profile's time went: self time by package (or project directory) and by function.
//   node dist/scripts/bench/profile-summary.js FILE.cpuprofile... [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
const top = Number(values.top);

/** `node_modules/@scope/name`, `node_modules/name`, `node:internal`, or the project's directory. */
function bucketOf(url: string): string {
  if (url === '') return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:internal';
  const m = /\/(dist\/)?(src|actors|scripts)\/([^/]+)/.exec(url);
  return m ? `${m[2]}/${m[3]}` : url.split('/').slice(-2).join('/');
}

/** Project code (not a dependency): the frames that say why a dependency ran. */
const isOwn = (url: string) => url !== '' && !url.includes('node_modules/') && !url.startsWith('node:') && /\/(src|actors)\//.test(url);

const byBucket = new Map<string, number>();
const byCaller = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
let wallUs = 0;
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The nearest project frame above a node, else the outermost dependency frame (a library's own timer or socket). */
  const callerOf = (id: number): string => {
    let outer = '';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      const where = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
      if (isOwn(url)) return where;
      if (url !== '' && !url.startsWith('node:')) outer = `[${bucketOf(url)}] ${where}`;
    }
    return outer || '(no JavaScript caller)';
  };
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  wallUs += profile.endTime - profile.startTime;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const bucket = functionName.startsWith('(') ? functionName : bucketOf(url);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const caller = callerOf(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
  }
}
const pct = (us: number) => ((us / total) * 100).toFixed(1).padStart(5);
console.log(`busy ${(total / 1e6).toFixed(2)} s of ${(wallUs / 1e6).toFixed(1)} s profiled (${((total / wallUs) * 100).toFixed(2)} % of a core, main thread)`);
console.log('\nby package / directory (self time)');
for (const [k, us] of [...byBucket].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)} %  ${k}`);
console.log('\nby nearest project caller (project code under which the time was spent; else the outermost dependency frame)');
for (const [k, us] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)} %  ${k}`);
console.log('\nby function (self time)');
for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)} %  ${k}`);
