// Benchmark child: runs autocannon (the dev dependency) programmatically, reporting like engine-child.
// argv[2]: JSON { url, durationS, connections, rps? }.
import { createRequire } from 'node:module';
import { printResult, selfUsage } from './measure.js';

interface AutocannonResult {
  requests: { total: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const config = JSON.parse(process.argv[2] ?? '{}') as { url: string; durationS: number; connections: number; rps?: number };
const before = selfUsage();
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.durationS,
  ...(config.rps === undefined ? {} : { overallRate: config.rps }),
});
const after = selfUsage();
printResult({
  tool: config.rps === undefined ? 'autocannon' : `autocannon@${config.rps}`,
  requests: result.requests.total,
  dropped: 0,
  errors: result.errors + result.non2xx,
  durationS: config.durationS,
  cpuS: after.cpuS - before.cpuS,
  peakRssMB: after.peakRssMB,
  p99Ms: result.latency.p99,
});
